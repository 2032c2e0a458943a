//! [`LocalBank`]: send transactions, read accounts and move the clock in-process.

use super::program_test;
use anchor_lang::solana_program::system_instruction;
use solana_program_test::{BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::{
    account::Account,
    clock::Clock,
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signature, Signer},
    transaction::Transaction,
};
use std::collections::HashSet;

/// The outcome of a processed transaction.
#[derive(Clone, Debug)]
pub struct Sent {
    pub signature: Signature,
    /// Compute units the whole transaction consumed (meaningful in SBF mode only;
    /// natively the program itself is not metered).
    pub compute_units: u64,
    pub logs: Vec<String>,
    /// Serialized size of the transaction in bytes.
    pub size: usize,
}

/// A running in-process bank with a funded default payer.
pub struct LocalBank {
    context: ProgramTestContext,
    sent: HashSet<Signature>,
}

impl LocalBank {
    /// Starts a bank with Floodgate and the SPL programs.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a bank with Floodgate, the SPL programs, and whatever `extra` adds (an
    /// integrator's program, say).
    pub async fn start_with(extra: impl FnOnce(&mut ProgramTest)) -> Self {
        let mut test = program_test();
        extra(&mut test);
        Self::from_context(test.start_with_context().await)
    }

    pub fn from_context(context: ProgramTestContext) -> Self {
        Self {
            context,
            sent: HashSet::new(),
        }
    }

    /// The funded keypair that pays fees by default.
    pub fn payer(&self) -> &Keypair {
        &self.context.payer
    }

    pub fn context(&mut self) -> &mut ProgramTestContext {
        &mut self.context
    }

    async fn blockhash_for(
        &mut self,
        instructions: &[Instruction],
        payer: &Pubkey,
        signers: &[&dyn Signer],
    ) -> Result<Transaction, BanksClientError> {
        // The bank registers a new blockhash every simulated slot and forgets old ones,
        // so every transaction takes the latest.
        let mut blockhash: Hash = self.context.banks_client.get_latest_blockhash().await?;
        self.context.last_blockhash = blockhash;
        loop {
            let mut tx = Transaction::new_with_payer(instructions, Some(payer));
            tx.try_sign(&signers.to_vec(), blockhash).map_err(|e| {
                BanksClientError::ClientError(Box::leak(e.to_string().into_boxed_str()))
            })?;
            // The same message under the same blockhash would be rejected as a
            // duplicate; a deliberate replay (a double claim test) gets a new blockhash.
            if !self.sent.contains(&tx.signatures[0]) {
                return Ok(tx);
            }
            blockhash = self.context.get_new_latest_blockhash().await?;
        }
    }

    /// Sends `instructions` paid by `fee_payer` and signed by `signers` (which must
    /// include the fee payer) and waits for the result.
    pub async fn send_as(
        &mut self,
        fee_payer: &Pubkey,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, BanksClientError> {
        let signers: Vec<&dyn Signer> = signers.iter().map(|k| *k as &dyn Signer).collect();
        self.send_signed_by(fee_payer, instructions, &signers).await
    }

    /// [`LocalBank::send_as`] with any signers (a hardware wallet's, say).
    pub async fn send_signed_by(
        &mut self,
        fee_payer: &Pubkey,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Sent, BanksClientError> {
        let tx = self.blockhash_for(instructions, fee_payer, signers).await?;
        let signature = tx.signatures[0];
        let size = crate::chain::limits::wire_size(&tx);
        self.sent.insert(signature);
        let outcome = self
            .context
            .banks_client
            .process_transaction_with_metadata(tx)
            .await?;
        outcome.result.map_err(BanksClientError::TransactionError)?;
        let (compute_units, logs) = outcome
            .metadata
            .map(|m| (m.compute_units_consumed, m.log_messages))
            .unwrap_or_default();
        Ok(Sent {
            signature,
            compute_units,
            logs,
            size,
        })
    }

    /// Sends `instructions` with the bank's payer paying; `signers` are the others.
    pub async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, BanksClientError> {
        let payer = self.context.payer.insecure_clone();
        let mut all = vec![&payer];
        all.extend_from_slice(signers);
        self.send_as(&payer.pubkey(), instructions, &all).await
    }

    pub async fn account(&mut self, address: &Pubkey) -> Option<Account> {
        self.context
            .banks_client
            .get_account(*address)
            .await
            .ok()
            .flatten()
    }

    pub async fn lamports(&mut self, address: &Pubkey) -> u64 {
        self.account(address).await.map(|a| a.lamports).unwrap_or(0)
    }

    pub async fn clock(&mut self) -> Clock {
        self.context
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("the clock sysvar exists")
    }

    /// Current unix time of the bank.
    pub async fn now(&mut self) -> i64 {
        self.clock().await.unix_timestamp
    }

    /// Moves the bank's clock to `unix_timestamp` (forward or back).
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.context.set_sysvar(&clock);
    }

    /// Gives `to` some SOL from the bank's payer.
    pub async fn fund(&mut self, to: &Pubkey, lamports: u64) -> Result<Sent, BanksClientError> {
        let ix = system_instruction::transfer(&self.context.payer.pubkey(), to, lamports);
        self.send(&[ix], &[]).await
    }

    pub async fn minimum_balance(&mut self, space: usize) -> u64 {
        self.context
            .banks_client
            .get_rent()
            .await
            .expect("rent sysvar")
            .minimum_balance(space)
    }
}
