//! One module per subcommand: clap `Args` and an async `run` over a [`Chain`].

pub mod checks;
pub mod claim;
pub mod clawback;
pub mod close;
pub mod common;
pub mod create;
pub mod new;
pub mod pause;
pub mod priority;
pub mod push;
pub mod set_admin;
pub mod set_clawback_receiver;
pub mod simulate;
pub mod status;
pub mod target;
pub mod verify;
pub mod withdraw_vested;

use crate::output::OutputFormat;
use floodgate_client::chain::Chain;
use solana_sdk::{
    instruction::Instruction,
    signature::{Signature, Signer},
};

/// What a chain command works with: the chain, the signer (fee payer: a keypair or a
/// hardware wallet), the
/// output format (progress bars are hidden for JSON).
pub struct Ctx<'a> {
    pub chain: &'a mut dyn Chain,
    pub payer: &'a dyn Signer,
    pub format: OutputFormat,
    /// Transactions sent by this command so far.
    pub sent: usize,
}

impl<'a> Ctx<'a> {
    pub fn new(chain: &'a mut dyn Chain, payer: &'a dyn Signer, format: OutputFormat) -> Self {
        Self {
            chain,
            payer,
            format,
            sent: 0,
        }
    }

    /// Sends `instructions` signed and paid by the keypair.
    pub async fn send(&mut self, instructions: &[Instruction]) -> anyhow::Result<Signature> {
        let signature = self.chain.send(self.payer, instructions, &[]).await?;
        self.sent += 1;
        Ok(signature)
    }
}
