//! `floodgate push`: `claim_for` every unclaimed leaf to its claimant's associated token
//! account (created in the same transaction when missing).
//!
//! The to-do list is derived from the chain (the shard bitmaps) at the start of every run
//! and re-read before any retry, so a run killed at any point and started again sends no
//! leaf twice and skips none. Transient RPC errors are retried with backoff; transactions
//! are paced to `--rate` per second.

use super::{Ctx, common};
use crate::{
    error::CheckFailed,
    output::{Report, progress, tokens},
};
use anyhow::{Context, anyhow, bail};
use floodgate_client::{
    accounts,
    allocation::Allocation,
    drop::DropFolder,
    instructions::{self as ix, DistributorKeys, LeafClaim},
    tree::MerkleTree,
};
use serde::Serialize;
use solana_sdk::signature::Signer;
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

/// Attempts per transaction on transient errors.
const MAX_ATTEMPTS: u32 = 5;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The drop folder.
    #[arg(long, value_name = "DIR")]
    pub drop: PathBuf,
    /// Leaves per transaction.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=8))]
    pub batch: u32,
    /// At most this many transactions per second.
    #[arg(long, value_name = "TPS", default_value_t = 10.0)]
    pub rate: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct PushReport {
    pub distributor: String,
    pub leaves: u32,
    /// Leaves already claimed when this run started.
    pub already_claimed: u32,
    /// Leaves this run pushed.
    pub pushed: u32,
    /// Leaves found claimed when a failed batch was re-read before its retry (claimed by
    /// someone else meanwhile, or our own transaction that landed despite the error).
    pub claimed_meanwhile: u32,
    /// Leaves in shards that are clawed back or absent (not pushable).
    pub skipped: u32,
    pub amount: String,
    pub transactions: usize,
    pub retries: u32,
}

/// Unclaimed leaf indices of the given leaves, read from the bitmaps now.
async fn still_unclaimed(
    ctx: &mut Ctx<'_>,
    keys: &DistributorKeys,
    leaves: &[u32],
) -> anyhow::Result<Vec<u32>> {
    let mut out = Vec::new();
    for &index in leaves {
        let shard_index = index >> keys.shard_bits;
        let account = ctx.chain.account(&keys.shard(shard_index)).await?;
        let Some(account) = account else { continue };
        let shard = accounts::shard(&account.data)?;
        if !shard.header.is_clawed_back()
            && !shard.is_claimed(index - (shard_index << keys.shard_bits))
        {
            out.push(index);
        }
    }
    Ok(out)
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<PushReport> {
    let drop = DropFolder::open(&args.drop)?;
    let (allocations, tree): (Vec<Allocation>, MerkleTree) = drop.rebuild_tree()?;
    let m = drop.manifest().clone();
    let address = m.distributor.ok_or_else(|| {
        anyhow!("the manifest has no distributor yet: run `floodgate create` first")
    })?;
    let (d, keys) = common::distributor(ctx.chain, &address)
        .await?
        .ok_or(CheckFailed::MissingDistributor(address))?;
    if d.root != m.root {
        return Err(CheckFailed::RootMismatch {
            distributor: address,
            manifest: hex::encode(m.root),
            chain: hex::encode(d.root),
        }
        .into());
    }
    if !d.allows_claim_for() {
        bail!("distributor {address} does not allow claim_for (created without --permissionless)");
    }
    if d.is_paused() {
        return Err(CheckFailed::ClaimsClosed("the admin has paused claims".into()).into());
    }

    // 1. The to-do list, from the bitmaps.
    let mut report = PushReport {
        distributor: address.to_string(),
        leaves: m.num_leaves,
        ..Default::default()
    };
    let shards = common::shards(ctx.chain, &keys, d.num_shards).await?;
    let mut todo = Vec::new();
    for (s, shard) in shards.iter().enumerate() {
        let first = (s as u32) << d.shard_bits;
        let count = d.shard_leaf_count(s as u32).unwrap_or(0);
        match &shard.state {
            Some(state) if !state.header.is_clawed_back() => {
                report.already_claimed += count - state.unclaimed().count() as u32;
                todo.extend(state.unclaimed().map(|p| first + p));
            }
            _ => report.skipped += count,
        }
    }

    // 2. Batches, paced, retried.
    let payer = ctx.payer.pubkey();
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(0.001));
    let bar = progress(todo.len() as u64, "leaves", ctx.format);
    let mut amount = 0u64;
    let mut last: Option<Instant> = None;
    for batch in todo.chunks(args.batch as usize) {
        let mut pending = batch.to_vec();
        let mut attempt = 0;
        while !pending.is_empty() {
            if let Some(last) = last {
                tokio::time::sleep(interval.saturating_sub(last.elapsed())).await;
            }
            last = Some(Instant::now());
            let mut instructions = Vec::with_capacity(2 * pending.len());
            for &index in &pending {
                let a = &allocations[index as usize];
                let leaf = LeafClaim {
                    index,
                    claimant: a.claimant,
                    unlocked: a.unlocked,
                    locked: a.locked,
                    proof: tree.proof(index)?,
                };
                instructions.push(ix::create_claimant_ata(&keys, &a.claimant, &payer));
                instructions.push(ix::claim_for(&keys, &leaf, &payer));
            }
            match ctx.send(&instructions).await {
                Ok(_) => {
                    for &index in &pending {
                        amount += allocations[index as usize].total().unwrap_or(0);
                    }
                    report.pushed += pending.len() as u32;
                    bar.inc(pending.len() as u64);
                    pending.clear();
                }
                Err(e) => {
                    let transient = e
                        .downcast_ref::<floodgate_client::chain::ChainError>()
                        .is_some_and(|c| {
                            c.is_transient() || c.custom_code() == Some(already_claimed_code())
                        });
                    attempt += 1;
                    if !transient || attempt >= MAX_ATTEMPTS {
                        bar.abandon();
                        return Err(e).with_context(|| {
                            format!("pushing leaves {pending:?} ({} pushed so far): run push again to resume", report.pushed)
                        });
                    }
                    report.retries += 1;
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                    // The transaction may have landed, or someone else claimed: ask the chain.
                    let left = still_unclaimed(ctx, &keys, &pending).await?;
                    report.claimed_meanwhile += (pending.len() - left.len()) as u32;
                    bar.inc((pending.len() - left.len()) as u64);
                    pending = left;
                }
            }
        }
    }
    bar.finish_and_clear();
    report.amount = tokens(amount, m.decimals);
    report.transactions = ctx.sent;
    Ok(report)
}

fn already_claimed_code() -> u32 {
    6000 + floodgate::errors::FloodgateError::AlreadyClaimed as u32
}

impl Report for PushReport {
    fn human(&self) -> String {
        format!(
            "distributor {}: {} leaves; {} already claimed, {} pushed now ({} tokens in {} transactions, {} retries), {} claimed meanwhile, {} not pushable (shard clawed back or absent)",
            self.distributor,
            self.leaves,
            self.already_claimed,
            self.pushed,
            self.amount,
            self.transactions,
            self.retries,
            self.claimed_meanwhile,
            self.skipped
        )
    }
}
