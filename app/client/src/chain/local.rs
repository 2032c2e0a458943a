//! [`LocalChain`]: [`Chain`] on the in-process bank, counting what it sends so tests
//! can assert that nothing was.

// solana-program-test 3.x marks its whole API for the future `agave-unstable-api` gate.
#![allow(deprecated)]

use super::{Chain, ChainError};
use crate::local::LocalBank;
use solana_program_test::BanksClientError;
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signature, Signer},
    transaction::Transaction,
};

/// The in-process bank as a [`Chain`].
pub struct LocalChain {
    /// The bank (tests move its clock, mint tokens, fund accounts).
    pub bank: LocalBank,
    /// Signatures of every transaction sent through [`Chain::send`] that succeeded.
    pub sent: Vec<Signature>,
    /// Transactions attempted through [`Chain::send`] (failed ones included).
    pub attempts: usize,
    /// Test hook: after this many successful sends, every send fails with a transient
    /// error (a crash, or a lost connection) without reaching the bank.
    pub fail_after: Option<usize>,
}

impl LocalChain {
    pub fn new(bank: LocalBank) -> Self {
        Self {
            bank,
            sent: Vec::new(),
            attempts: 0,
            fail_after: None,
        }
    }
}

fn convert(e: BanksClientError) -> ChainError {
    match e {
        BanksClientError::TransactionError(t) => ChainError::Transaction(t),
        BanksClientError::SimulationError { err, .. } => ChainError::Transaction(err),
        other => ChainError::Rpc(other.to_string()),
    }
}

#[async_trait::async_trait(?Send)]
impl Chain for LocalChain {
    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(addresses.len());
        for address in addresses {
            out.push(self.bank.account(address).await);
        }
        Ok(out)
    }

    async fn send(
        &mut self,
        payer: &Keypair,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Signature, ChainError> {
        self.attempts += 1;
        if self.fail_after.is_some_and(|n| self.sent.len() >= n) {
            return Err(ChainError::Rpc(
                "simulated crash (LocalChain::fail_after)".into(),
            ));
        }
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let sent = self
            .bank
            .send_as(&payer.pubkey(), instructions, &all)
            .await
            .map_err(convert)?;
        self.sent.push(sent.signature);
        Ok(sent.signature)
    }

    async fn simulate(
        &mut self,
        payer: &Keypair,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Option<u64>, ChainError> {
        let client = &mut self.bank.context().banks_client;
        let blockhash = client.get_latest_blockhash().await.map_err(convert)?;
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        tx.try_sign(&all, blockhash)
            .map_err(|e| ChainError::Rpc(e.to_string()))?;
        let outcome = client.simulate_transaction(tx).await.map_err(convert)?;
        if let Err(e) = outcome.result.unwrap_or(Ok(())) {
            return Err(ChainError::Transaction(e));
        }
        Ok(outcome.simulation_details.map(|d| d.units_consumed))
    }

    async fn now(&mut self) -> Result<i64, ChainError> {
        Ok(self.bank.now().await)
    }

    async fn minimum_balance(&mut self, space: usize) -> Result<u64, ChainError> {
        Ok(self.bank.minimum_balance(space).await)
    }
}
