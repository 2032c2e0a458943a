//! `floodgate push`: `claim_for` every unclaimed leaf to its claimant's associated token
//! account (created in the same transaction when missing).
//!
//! The to-do list is derived from the chain (the shard bitmaps) at the start of every run,
//! so a run killed at any point and started again sends no leaf twice and skips none.
//! Batches go concurrently: at most `--concurrency` are active (submitted and not resolved
//! yet, or waiting for a retry), transactions are submitted no faster than `--rate` per
//! second, and the outcomes of those in flight are asked about every 400 ms. A batch is
//! sent again only once its previous transaction is resolved (failed, expired, or not
//! submitted at all), after a backoff and after its leaves were read again from the
//! bitmaps, so a leaf never has two transactions in flight and one that landed despite an
//! error is counted, not resent: the tally is exact (the `scheduler` submodule keeps
//! these rules).
//! Transient RPC errors, expired blockhashes and leaves claimed meanwhile are retried, up
//! to 5 transactions a batch; any other failure stops the run once the transactions in
//! flight are resolved, and reports how many leaves were pushed.

mod scheduler;

use super::{Ctx, checks, common, priority::FeeArgs};
use crate::drop_location::DropLocation;
use crate::output::{Report, progress, tokens};
use anyhow::{Context, anyhow, bail};
use floodgate_client::{
    accounts,
    allocation::Allocation,
    chain::{ChainError, Outcome, limits},
    instructions::{self as ix, DistributorKeys, LeafClaim},
    tree::MerkleTree,
};
use indicatif::ProgressBar;
use scheduler::{BatchId, Scheduler, Step, Verdict};
use serde::Serialize;
use solana_sdk::{instruction::Instruction, pubkey::Pubkey};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

/// Transactions per batch at most (a batch is retried on transient errors).
const MAX_ATTEMPTS: u32 = 5;
/// The first retry of a batch waits twice this, the next four times, and so on.
const BACKOFF: Duration = Duration::from_millis(200);
/// How often the outcomes of transactions in flight are asked while none resolves.
const POLL_INTERVAL: Duration = Duration::from_millis(400);
/// Compute units a batch asks for per leaf: `claim_for` with the creation of its
/// token account costs 33,964 at depth 20 (bench/cu.json), a locked part adds its
/// vesting status, each level of depth 134; the rest is margin.
const UNITS_PER_LEAF: u32 = 60_000;
/// How long a shard's `--priority-fee auto` price is used before it is read again.
const PRICE_TTL: Duration = Duration::from_secs(10);

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The drop folder: a directory, or its http(s) URL (its leaves file is read and
    /// checked against the manifest).
    #[arg(long, value_name = "DIR|URL")]
    pub drop: DropLocation,
    /// Leaves per transaction at most; fewer where that many do not fit one packet
    /// (1,232 bytes: deeper trees have longer proofs).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=8))]
    pub batch: u32,
    /// At most this many transactions submitted per second, retries included.
    #[arg(long, value_name = "TPS", default_value_t = 10.0)]
    pub rate: f64,
    /// At most this many batches at once in flight (submitted, not yet confirmed or
    /// failed) or waiting for a retry.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Push only these shards: `A..B` (A to B - 1), `A..=B`, `A..` or one index, so that
    /// several pushers (machines, RPC providers) can share a drop without sending a leaf
    /// twice [default: every shard].
    #[arg(long, value_name = "A..B", value_parser = parse_shards)]
    pub shards: Option<Shards>,
    #[command(flatten)]
    pub fee: FeeArgs,
}

/// A range of shard indices, `start..end` (end excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shards {
    pub start: u32,
    pub end: u32,
}

impl Shards {
    fn contains(&self, shard: u32) -> bool {
        (self.start..self.end).contains(&shard)
    }
}

/// `A..B`, `A..=B`, `A..` or `N`.
pub fn parse_shards(text: &str) -> Result<Shards, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| format!("{t:?} is not a shard index"))
    };
    let (start, end) = match text.split_once("..") {
        None => {
            let n = number(text)?;
            (n, n.checked_add(1).ok_or("shard index too large")?)
        }
        Some((a, b)) => {
            let start = number(a)?;
            let end = match b.strip_prefix('=') {
                Some(last) => number(last)?
                    .checked_add(1)
                    .ok_or("shard index too large")?,
                None if b.trim().is_empty() => u32::MAX,
                None => number(b)?,
            };
            (start, end)
        }
    };
    if start >= end {
        return Err(format!("{text:?} names no shard"));
    }
    Ok(Shards { start, end })
}

#[derive(Debug, Default, Serialize)]
pub struct PushReport {
    pub distributor: String,
    /// Leaves of the shards pushed (every shard without `--shards`).
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
    /// The highest compute-unit price set on a transaction, in micro-lamports.
    pub priority_fee: u64,
    pub amount: String,
    pub transactions: usize,
    pub retries: u32,
}

/// The transaction of a batch: a compute budget (`price` 0: no price), then for each
/// leaf, create its claimant's associated token account if missing, and `claim_for` it.
fn instructions(
    allocations: &[Allocation],
    tree: &MerkleTree,
    keys: &DistributorKeys,
    leaves: &[u32],
    payer: &Pubkey,
    price: u64,
) -> anyhow::Result<Vec<Instruction>> {
    let mut instructions = Vec::with_capacity(2 + 2 * leaves.len());
    instructions.push(ix::compute_unit_limit(UNITS_PER_LEAF * leaves.len() as u32));
    if price > 0 {
        instructions.push(ix::compute_unit_price(price));
    }
    for &index in leaves {
        let a = &allocations[index as usize];
        let leaf = LeafClaim {
            index,
            claimant: a.claimant,
            unlocked: a.unlocked,
            locked: a.locked,
            proof: tree.claim_proof(index, keys.shard_bits)?,
        };
        instructions.push(ix::create_claimant_ata(keys, &a.claimant, payer));
        instructions.push(ix::claim_for(keys, &leaf, payer));
    }
    Ok(instructions)
}

/// `todo` cut in order into batches of at most `max` leaves that each `fits` one
/// transaction. A leaf that does not fit even alone is an error: no batch size sends it.
fn cut_batches(
    todo: &[u32],
    max: usize,
    mut fits: impl FnMut(&[u32]) -> anyhow::Result<bool>,
) -> anyhow::Result<Vec<Vec<u32>>> {
    let mut batches: Vec<Vec<u32>> = Vec::new();
    let mut current: Vec<u32> = Vec::with_capacity(max);
    for &index in todo {
        current.push(index);
        if current.len() <= max && fits(&current)? {
            continue;
        }
        current.pop();
        if !current.is_empty() {
            batches.push(std::mem::take(&mut current));
        }
        current.push(index);
        if !fits(&current)? {
            bail!(
                "the claim_for transaction of leaf {index} alone does not fit in one transaction ({} bytes, {} accounts at most)",
                limits::PACKET_DATA_SIZE,
                limits::MAX_ACCOUNT_LOCKS
            );
        }
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok(batches)
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
    let (m, allocations, tree): (_, Vec<Allocation>, MerkleTree) = args.drop.leaves().await?;
    let (d, keys) = common::drop_distributor(ctx.chain, &m, &common::Expected::default()).await?;
    let address = keys.address;
    if !d.allows_claim_for() {
        bail!("distributor {address} does not allow claim_for (created without --permissionless)");
    }
    checks::claims_open(&d, ctx.chain.now().await?)?;

    // 1. The to-do list, from the bitmaps.
    let mut report = PushReport {
        distributor: address.to_string(),
        ..Default::default()
    };
    let shards = common::shards(ctx.chain, &keys, d.num_shards).await?;
    if let Some(range) = args.shards
        && range.start >= d.num_shards
    {
        bail!(
            "--shards {}..{}: the distributor has shards 0..{}",
            range.start,
            range.end,
            d.num_shards
        );
    }
    let mut todo = Vec::new();
    for (s, shard) in shards.iter().enumerate() {
        if args.shards.is_some_and(|range| !range.contains(s as u32)) {
            continue;
        }
        let first = (s as u32) << d.shard_bits;
        let count = d.shard_leaf_count(s as u32).unwrap_or(0);
        report.leaves += count;
        match &shard.state {
            Some(state) if checks::shard_open(s as u32, state).is_ok() => {
                // The claim proofs come from the leaves file: they must reach this root.
                checks::shard_root(s as u32, &m.shards[s].root, state)?;
                report.already_claimed += count - state.unclaimed().count() as u32;
                todo.extend(state.unclaimed().map(|p| first + p));
            }
            _ => report.skipped += count,
        }
    }

    // 2. Batches, as large as one packet holds, concurrent, paced, retried.
    // Sized with a price instruction, whatever the price turns out to be.
    let batches = cut_batches(&todo, args.batch as usize, |leaves| {
        let instructions =
            instructions(&allocations, &tree, &keys, leaves, &ctx.payer.pubkey(), 1)?;
        Ok(limits::fits(&instructions, &ctx.payer.pubkey()))
    })?;
    let mut run = Run {
        scheduler: Scheduler::new(batches, args.concurrency as usize, MAX_ATTEMPTS, BACKOFF),
        bar: progress(todo.len() as u64, "leaves", ctx.format),
        report,
        amount: 0,
        allocations: &allocations,
        tree: &tree,
        keys: &keys,
        fee: args.fee,
        prices: HashMap::new(),
        gave_up: None,
    };
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(0.001));
    let mut next_submit = Instant::now();
    let mut poll_due = Instant::now();
    // The last poll resolved something: poll again as soon as there is nothing else to
    // do, rather than after the interval (the in-process bank resolves at once).
    let mut eager = true;
    let mut poll_failures = 0;
    while !run.scheduler.is_done() {
        let now = Instant::now();
        let in_flight = run.scheduler.has_in_flight();
        let poll_by = in_flight.then_some(poll_due);
        if !(in_flight && now >= poll_due) {
            if now < next_submit {
                sleep_until(earliest(Some(next_submit), poll_by)).await;
                continue;
            }
            match run.scheduler.next(now) {
                Step::Done => break,
                Step::Reread(id) => {
                    run.reread(ctx, id).await;
                    continue;
                }
                Step::Submit(id) => {
                    next_submit = now + interval;
                    run.submit(ctx, id).await;
                    continue;
                }
                Step::Wait(until) if !(in_flight && eager) => {
                    sleep_until(earliest(until, poll_by)).await;
                    continue;
                }
                Step::Wait(_) => {}
            }
        }
        match run.poll(ctx).await {
            Ok(resolved) => {
                poll_failures = 0;
                eager = resolved;
                poll_due = Instant::now() + POLL_INTERVAL;
            }
            Err(e) if e.is_transient() && poll_failures + 1 < MAX_ATTEMPTS => {
                poll_failures += 1;
                eager = false;
                poll_due = Instant::now() + BACKOFF * 2u32.pow(poll_failures);
            }
            Err(e) => {
                run.bar.abandon();
                let n = run.scheduler.in_flight().len();
                return Err(e).with_context(|| {
                    format!(
                        "asking how {n} transactions in flight went ({} leaves pushed so far): run push again to resume",
                        run.report.pushed
                    )
                });
            }
        }
    }
    let Run {
        bar,
        mut report,
        amount,
        gave_up,
        ..
    } = run;
    if let Some((e, leaves)) = gave_up {
        bar.abandon();
        return Err(e).with_context(|| {
            format!(
                "pushing leaves {leaves:?} ({} pushed so far): run push again to resume",
                report.pushed
            )
        });
    }
    bar.finish_and_clear();
    report.amount = tokens(amount, m.decimals);
    report.transactions = ctx.sent;
    Ok(report)
}

/// The state of one run past its to-do list.
struct Run<'a> {
    scheduler: Scheduler,
    bar: ProgressBar,
    report: PushReport,
    /// Base units pushed by this run.
    amount: u64,
    allocations: &'a [Allocation],
    tree: &'a MerkleTree,
    keys: &'a DistributorKeys,
    fee: FeeArgs,
    /// Each shard's price under `--priority-fee auto`, and when it was read.
    prices: HashMap<u32, (Instant, u64)>,
    /// The first batch given up: why, and its leaves not pushed.
    gave_up: Option<(anyhow::Error, Vec<u32>)>,
}

impl Run<'_> {
    /// Submits the batch's transaction: create each claimant's ATA if missing, then
    /// `claim_for` its leaf.
    async fn submit(&mut self, ctx: &mut Ctx<'_>, id: BatchId) {
        let price = match self.price(ctx, id).await {
            Ok(price) => price,
            Err(e) => {
                let retry = e.downcast_ref::<ChainError>().is_some_and(transient);
                return self.failed(id, e, retry);
            }
        };
        self.report.priority_fee = self.report.priority_fee.max(price);
        let leaves = self.scheduler.leaves(id);
        let built = instructions(
            self.allocations,
            self.tree,
            self.keys,
            leaves,
            &ctx.payer.pubkey(),
            price,
        );
        let instructions = match built {
            Ok(instructions) => instructions,
            Err(e) => return self.failed(id, e, false),
        };
        match ctx.chain.submit(ctx.payer, &instructions, &[]).await {
            Ok(signature) => self.scheduler.submitted(id, signature),
            Err(e) => {
                let retry = transient(&e);
                self.failed(id, e.into(), retry);
            }
        }
    }

    /// The compute-unit price of a batch: the highest of its shards' (each read from the
    /// fees recent slots asked of its shard and vault, again after [`PRICE_TTL`]).
    async fn price(&mut self, ctx: &mut Ctx<'_>, id: BatchId) -> anyhow::Result<u64> {
        let mut shards: Vec<u32> = self
            .scheduler
            .leaves(id)
            .iter()
            .map(|&i| i >> self.keys.shard_bits)
            .collect();
        shards.dedup();
        let mut price = 0;
        for shard in shards {
            let shard_price = match self.prices.get(&shard) {
                Some(&(at, p)) if at.elapsed() < PRICE_TTL => p,
                _ => {
                    let writable = [self.keys.shard(shard), self.keys.vault(shard)];
                    let p = self.fee.price(ctx.chain, &writable).await?;
                    self.prices.insert(shard, (Instant::now(), p));
                    p
                }
            };
            price = price.max(shard_price);
        }
        Ok(price)
    }

    /// Reads the leaves of a batch waiting for its retry again: the transaction may have
    /// landed despite the error, or someone else claimed meanwhile.
    async fn reread(&mut self, ctx: &mut Ctx<'_>, id: BatchId) {
        let leaves = self.scheduler.leaves(id).to_vec();
        match still_unclaimed(ctx, self.keys, &leaves).await {
            Ok(left) => {
                let claimed = self.scheduler.reread(id, left);
                self.report.claimed_meanwhile += claimed as u32;
                self.bar.inc(claimed as u64);
            }
            Err(e) => {
                let retry = e.downcast_ref::<ChainError>().is_some_and(transient);
                if self.scheduler.reread_failed(id, retry, Instant::now()) == Verdict::GiveUp {
                    self.gave_up.get_or_insert((e, leaves));
                }
            }
        }
    }

    /// Asks how the transactions in flight went and settles the resolved ones. Whether
    /// any was resolved.
    async fn poll(&mut self, ctx: &mut Ctx<'_>) -> Result<bool, ChainError> {
        let flights = self.scheduler.in_flight();
        let signatures: Vec<_> = flights.iter().map(|&(_, s)| s).collect();
        let outcomes = ctx.chain.outcomes(&signatures).await?;
        if outcomes.len() != flights.len() {
            return Err(ChainError::Rpc(format!(
                "{} outcomes for {} transactions",
                outcomes.len(),
                flights.len()
            )));
        }
        let mut resolved = false;
        for ((id, _), outcome) in flights.into_iter().zip(outcomes) {
            match outcome {
                Outcome::Pending => continue,
                Outcome::Landed => {
                    ctx.sent += 1;
                    let leaves = self.scheduler.landed(id);
                    for &index in leaves {
                        self.amount += self.allocations[index as usize].total().unwrap_or(0);
                    }
                    self.report.pushed += leaves.len() as u32;
                    self.bar.inc(leaves.len() as u64);
                }
                Outcome::Failed(e) => {
                    let e = ChainError::Transaction(e);
                    let retry = transient(&e);
                    self.failed(id, e.into(), retry);
                }
                Outcome::Expired => self.failed(
                    id,
                    anyhow!("its blockhash expired before the transaction landed"),
                    true,
                ),
            }
            resolved = true;
        }
        Ok(resolved)
    }

    /// The batch's transaction failed or was not submitted: retried, or given up.
    fn failed(&mut self, id: BatchId, error: anyhow::Error, transient: bool) {
        let leaves = self.scheduler.leaves(id).to_vec();
        match self.scheduler.failed(id, transient, Instant::now()) {
            Verdict::Retry => self.report.retries += 1,
            Verdict::GiveUp => {
                self.gave_up.get_or_insert((error, leaves));
            }
        }
    }
}

/// Whether a batch whose transaction failed with `e` is worth retrying: the node did not
/// answer, the blockhash was not found, or a leaf is already claimed (by this run's own
/// transaction that landed despite an error, or by someone else; the re-read sorts it
/// out).
fn transient(e: &ChainError) -> bool {
    e.is_transient() || e.custom_code() == Some(already_claimed_code())
}

/// The earlier of two optional times.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Sleeps until `t` (a poll interval when there is nothing to wait for, which the
/// scheduler does not ask for: it waits on a time or on transactions in flight).
async fn sleep_until(t: Option<Instant>) {
    let wait = t.map_or(POLL_INTERVAL, |t| {
        t.saturating_duration_since(Instant::now())
    });
    tokio::time::sleep(wait).await;
}

fn already_claimed_code() -> u32 {
    6000 + floodgate::errors::FloodgateError::AlreadyClaimed as u32
}

impl Report for PushReport {
    fn human(&self) -> String {
        format!(
            "distributor {}: {} leaves; {} already claimed, {} pushed now ({} tokens in {} transactions, {} retries, priority fee up to {} micro-lamports), {} claimed meanwhile, {} not pushable (shard clawed back or absent)",
            self.distributor,
            self.leaves,
            self.already_claimed,
            self.pushed,
            self.amount,
            self.transactions,
            self.retries,
            self.priority_fee,
            self.claimed_meanwhile,
            self.skipped
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Batches of `todo` when a transaction holds leaves whose indices sum to `budget`.
    fn cut(todo: &[u32], max: usize, budget: u32) -> anyhow::Result<Vec<Vec<u32>>> {
        cut_batches(todo, max, |leaves| Ok(leaves.iter().sum::<u32>() <= budget))
    }

    #[test]
    fn shard_ranges_read_like_rust_ranges() {
        let r = |start, end| Ok(Shards { start, end });
        assert_eq!(parse_shards("3..7"), r(3, 7));
        assert_eq!(parse_shards("3..=7"), r(3, 8));
        assert_eq!(parse_shards("3.."), r(3, u32::MAX));
        assert_eq!(parse_shards("5"), r(5, 6));
        for bad in [
            "7..3",
            "3..3",
            "x..4",
            "..4",
            "-1",
            "",
            "1..=x",
            "4294967295..=4294967295",
        ] {
            assert!(parse_shards(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn batches_are_as_large_as_fit_and_keep_the_order() {
        assert_eq!(
            cut(&[1, 2, 3, 4, 5], 8, 6).unwrap(),
            vec![vec![1, 2, 3], vec![4], vec![5]]
        );
        assert_eq!(
            cut(&[1, 1, 1, 1, 1], 2, 100).unwrap(),
            vec![vec![1, 1], vec![1, 1], vec![1]]
        );
        assert_eq!(cut(&[], 4, 10).unwrap(), Vec::<Vec<u32>>::new());
    }

    #[test]
    fn a_leaf_that_fits_no_transaction_is_an_error() {
        let e = cut(&[1, 7, 1], 4, 6).unwrap_err().to_string();
        assert!(e.contains("leaf 7 alone does not fit"), "{e}");
        let e = cut(&[9], 4, 6).unwrap_err().to_string();
        assert!(e.contains("leaf 9 alone does not fit"), "{e}");
    }
}
