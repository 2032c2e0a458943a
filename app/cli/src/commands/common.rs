//! What several commands share: reading the distributor and its shards from the chain,
//! timestamps, token and compute-budget instructions.

use anchor_lang::prelude::Pubkey;
use anyhow::{Context, anyhow, bail};
use floodgate::state::Distributor;
use floodgate_client::{
    accounts::{self, ShardState},
    chain::{Chain, token_balance},
    instructions::DistributorKeys,
};

pub use floodgate_client::instructions::{compute_unit_limit, compute_unit_price};

/// Units to request for a transaction that simulated at `simulated`: 20 % and 5,000 more.
pub fn with_margin(simulated: u64) -> u32 {
    u32::try_from(simulated.saturating_mul(6) / 5 + 5_000)
        .unwrap_or(1_400_000)
        .min(1_400_000)
}

/// The on-chain distributor at `address`, decoded.
pub async fn distributor(
    chain: &mut dyn Chain,
    address: &Pubkey,
) -> anyhow::Result<Option<(Distributor, DistributorKeys)>> {
    let Some(account) = chain.account(address).await? else {
        return Ok(None);
    };
    if account.owner != floodgate::ID {
        bail!(
            "{address} is not a Floodgate account (owner {}, expected {})",
            account.owner,
            floodgate::ID
        );
    }
    let state = accounts::distributor(&account.data)?;
    Ok(Some((state, DistributorKeys::from_state(*address, &state))))
}

/// One shard as the chain has it.
#[derive(Debug, Clone)]
pub struct ShardOnChain {
    /// `None` when the shard account does not exist (yet, or any more).
    pub state: Option<ShardState>,
    /// Vault balance in base units, `None` when the vault does not exist.
    pub vault_balance: Option<u64>,
}

/// Every shard `0..num_shards` and its vault, read in batches.
pub async fn shards(
    chain: &mut dyn Chain,
    keys: &DistributorKeys,
    num_shards: u32,
) -> anyhow::Result<Vec<ShardOnChain>> {
    let mut addresses = Vec::with_capacity(2 * num_shards as usize);
    for s in 0..num_shards {
        addresses.push(keys.shard(s));
        addresses.push(keys.vault(s));
    }
    let found = chain.accounts(&addresses).await?;
    found
        .chunks(2)
        .enumerate()
        .map(|(s, pair)| {
            let state = pair[0]
                .as_ref()
                .map(|a| accounts::shard(&a.data))
                .transpose()
                .with_context(|| format!("shard {s}"))?;
            let vault_balance = pair[1]
                .as_ref()
                .map(|a| {
                    token_balance(&a.data)
                        .ok_or_else(|| anyhow!("vault of shard {s} is not a token account"))
                })
                .transpose()?;
            Ok(ShardOnChain {
                state,
                vault_balance,
            })
        })
        .collect()
}

/// A timestamp: unix seconds, or RFC 3339 (`2026-12-01T00:00:00Z`).
pub fn parse_time(text: &str) -> Result<i64, String> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|e| format!("{text:?} is neither unix seconds nor RFC 3339 ({e})"))
}

/// A unix time in RFC 3339, for people.
pub fn show_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| ts.to_string())
}
