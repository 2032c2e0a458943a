//! [`RpcChain`]: [`Chain`] over Solana JSON-RPC (any cluster), at `confirmed`.

use super::{Chain, ChainError};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signature, Signer},
    sysvar,
    transaction::Transaction,
};

/// `getMultipleAccounts` takes at most this many addresses.
const MAX_MULTIPLE_ACCOUNTS: usize = 100;

/// A JSON-RPC endpoint as a [`Chain`].
pub struct RpcChain {
    client: RpcClient,
}

impl RpcChain {
    /// A client of `url` at `confirmed` commitment.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            client: RpcClient::new_with_commitment(url.into(), CommitmentConfig::confirmed()),
        }
    }

    /// The endpoint.
    pub fn url(&self) -> String {
        self.client.url()
    }

    async fn signed(
        &self,
        payer: &Keypair,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Transaction, ChainError> {
        let blockhash = self.client.get_latest_blockhash().await.map_err(rpc)?;
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        tx.try_sign(&all, blockhash)
            .map_err(|e| ChainError::Rpc(format!("signing: {e}")))?;
        Ok(tx)
    }
}

fn rpc(e: solana_rpc_client_api::client_error::Error) -> ChainError {
    match e.get_transaction_error() {
        Some(t) => ChainError::Transaction(t),
        None => ChainError::Rpc(e.to_string()),
    }
}

#[async_trait::async_trait(?Send)]
impl Chain for RpcChain {
    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(MAX_MULTIPLE_ACCOUNTS) {
            out.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .await
                    .map_err(rpc)?,
            );
        }
        Ok(out)
    }

    async fn send(
        &mut self,
        payer: &Keypair,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Signature, ChainError> {
        let tx = self.signed(payer, instructions, signers).await?;
        self.client
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(rpc)
    }

    async fn simulate(
        &mut self,
        payer: &Keypair,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Option<u64>, ChainError> {
        let tx = self.signed(payer, instructions, signers).await?;
        let result = self
            .client
            .simulate_transaction(&tx)
            .await
            .map_err(rpc)?
            .value;
        if let Some(err) = result.err {
            return Err(ChainError::Transaction(err.into()));
        }
        Ok(result.units_consumed)
    }

    async fn now(&mut self) -> Result<i64, ChainError> {
        let clock = self
            .client
            .get_account(&sysvar::clock::ID)
            .await
            .map_err(rpc)?;
        // Clock: slot u64, epoch_start_timestamp i64, epoch u64, leader_schedule_epoch
        // u64, unix_timestamp i64.
        clock
            .data
            .get(32..40)
            .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
            .ok_or_else(|| ChainError::Rpc("the clock sysvar is too short".into()))
    }

    async fn minimum_balance(&mut self, space: usize) -> Result<u64, ChainError> {
        self.client
            .get_minimum_balance_for_rent_exemption(space)
            .await
            .map_err(rpc)
    }
}
