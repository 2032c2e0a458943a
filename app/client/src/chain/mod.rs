//! [`Chain`]: the few things a Floodgate workflow asks of a cluster, behind one async
//! trait, so the CLI runs the same code against JSON-RPC ([`rpc::RpcChain`], feature
//! `rpc`) and the in-process bank ([`local::LocalChain`], feature `local`).

pub mod limits;
#[cfg(feature = "local")]
pub mod local;
#[cfg(feature = "rpc")]
pub mod rpc;

use anchor_spl::token_interface::spl_token_2022::{
    extension::{BaseStateWithExtensions, StateWithExtensions, transfer_fee::TransferFeeConfig},
    state::{Account as TokenAccountState, Mint as MintState},
};
use solana_sdk::{
    account::Account,
    instruction::{Instruction, InstructionError},
    pubkey::Pubkey,
    signature::{Signature, Signer},
    transaction::TransactionError,
};

/// Why a chain request failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The transaction was processed (or simulated) and failed.
    #[error("transaction failed: {0}")]
    Transaction(TransactionError),
    /// The request did not get an answer (network, node, timeout): worth retrying.
    #[error("RPC request failed: {0}")]
    Rpc(String),
    /// The node answered with a refusal that asking again will not change (bad
    /// parameters, a method it does not serve, a 4xx status).
    #[error("the RPC node refused the request: {0}")]
    Refused(String),
    /// The signed transaction is larger than a packet: every node refuses it.
    #[error(
        "transaction too large: {size} bytes, one packet holds {}",
        limits::PACKET_DATA_SIZE
    )]
    TooLarge { size: usize },
}

impl ChainError {
    /// The custom program error code (Floodgate: 6000 + variant index), if any.
    pub fn custom_code(&self) -> Option<u32> {
        match self {
            Self::Transaction(TransactionError::InstructionError(
                _,
                InstructionError::Custom(c),
            )) => Some(*c),
            _ => None,
        }
    }

    /// Whether retrying the same request may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Rpc(_) | Self::Transaction(TransactionError::BlockhashNotFound)
        )
    }
}

/// Where a transaction handed to [`Chain::submit`] stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not confirmed yet, and it may still land.
    Pending,
    /// Confirmed, and it succeeded.
    Landed,
    /// Confirmed, and it failed (its fee is paid, its instructions had no effect).
    Failed(TransactionError),
    /// Never lands: its blockhash expired before it was confirmed.
    Expired,
}

/// One async interface to a cluster. Methods take `&mut self` because the in-process
/// bank needs it; an RPC client is cheap to share anyway.
#[async_trait::async_trait(?Send)]
pub trait Chain {
    /// The accounts at `addresses` (`None` where there is none), in order, batched.
    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError>;

    /// Signs with `payer` (fee payer) and `signers`, sends, and waits for confirmation.
    async fn send(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Signature, ChainError>;

    /// Signs and submits without waiting; [`Chain::outcomes`] tells how it went, so one
    /// handle keeps many transactions in flight. An error means the transaction was
    /// refused before it could land (a failed preflight) or the request got no answer.
    /// Default: [`Chain::send`], which waits, so the transaction has landed by the time
    /// this returns.
    async fn submit(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Signature, ChainError> {
        self.send(payer, instructions, signers).await
    }

    /// The outcome of each signature returned by [`Chain::submit`], in order. Default:
    /// [`Outcome::Landed`], which is what the default `submit` leaves behind.
    async fn outcomes(&mut self, signatures: &[Signature]) -> Result<Vec<Outcome>, ChainError> {
        Ok(vec![Outcome::Landed; signatures.len()])
    }

    /// Simulates the transaction; compute units consumed when the node reports them.
    async fn simulate(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Option<u64>, ChainError>;

    /// The compute-unit prices (micro-lamports) that recent slots asked of transactions
    /// writing all of `writable`, one per slot. Default: none known.
    async fn recent_priority_fees(&mut self, writable: &[Pubkey]) -> Result<Vec<u64>, ChainError> {
        let _ = writable;
        Ok(Vec::new())
    }

    /// The cluster's clock (unix seconds).
    async fn now(&mut self) -> Result<i64, ChainError>;

    /// Lamports that make an account of `space` bytes rent-exempt.
    async fn minimum_balance(&mut self, space: usize) -> Result<u64, ChainError>;

    /// One account.
    async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self.accounts(&[*address]).await?.pop().flatten())
    }
}

/// The amount held by a token account (SPL Token or Token-2022), `None` if `data` is not
/// one.
pub fn token_balance(data: &[u8]) -> Option<u64> {
    StateWithExtensions::<TokenAccountState>::unpack(data)
        .ok()
        .map(|s| s.base.amount)
}

/// The mint of a token account, `None` if `data` is not one.
pub fn token_account_mint(data: &[u8]) -> Option<Pubkey> {
    StateWithExtensions::<TokenAccountState>::unpack(data)
        .ok()
        .map(|s| s.base.mint)
}

/// What a `transfer_checked` of the mint in `mint_data` must send for `net` to arrive:
/// `net` plus the larger of the two fees a Token-2022 TransferFee mint may charge (its
/// older and newer schedules; which one applies depends on the epoch), so at least
/// `net` arrives. SPL Token and other mints charge nothing. `None` if `data` is not a
/// mint, on overflow, or when no amount delivers `net`.
pub fn gross_for_net(mint_data: &[u8], net: u64) -> Option<u64> {
    let mint = StateWithExtensions::<MintState>::unpack(mint_data).ok()?;
    let Ok(config) = mint.get_extension::<TransferFeeConfig>() else {
        return Some(net);
    };
    let fee = [&config.older_transfer_fee, &config.newer_transfer_fee]
        .into_iter()
        .map(|schedule| schedule.calculate_inverse_fee(net))
        .try_fold(0u64, |max, fee| Some(max.max(fee?)))?;
    net.checked_add(fee)
}

/// The decimals of a mint (SPL Token or Token-2022), `None` if `data` is not one.
pub fn mint_decimals(data: &[u8]) -> Option<u8> {
    StateWithExtensions::<MintState>::unpack(data)
        .ok()
        .map(|s| s.base.decimals)
}
