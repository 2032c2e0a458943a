//! `floodgate simulate`: the whole life cycle of a drop on the in-process bank.
//!
//! Mint → drop folder → distributor and shards → funded vaults → every leaf claimed
//! (claimants signing, and `claim_for` pushes) → vesting withdrawn after the clock moves
//! → clawback → every account closed → a balance check of every claimant, vault and the
//! clawback receiver. Nothing leaves the process.

mod claimants;
mod lifecycle;
mod report;
mod surge;

use crate::output::OutputFormat;
use std::{path::PathBuf, process::ExitCode};

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Number of generated claimants (each with its own keypair).
    #[arg(long, default_value_t = 10_000, conflicts_with = "csv")]
    pub claimants: u32,

    /// Use this allocation list instead (`claimant,amount` or `claimant,unlocked,locked`,
    /// decimal token amounts). Its claimants have no keys here, so every leaf is pushed
    /// with `claim_for` and locked parts stay in the vaults until clawback.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Decimals of the simulated mint.
    #[arg(long, default_value_t = 6)]
    pub decimals: u8,

    /// Use Token-2022 instead of SPL Token.
    #[arg(long)]
    pub token_2022: bool,

    /// log2 of the leaves per shard (at most 16).
    #[arg(long, default_value_t = 12)]
    pub shard_bits: u8,

    /// log2 of the leaves per proof page (at most shard-bits) [default: 9, or
    /// shard-bits when smaller].
    #[arg(long)]
    pub page_bits: Option<u8>,

    /// Every K-th generated claimant also gets a locked (vesting) part; 0 for none.
    #[arg(long, default_value_t = 4, value_name = "K")]
    pub locked_every: u32,

    /// Every K-th leaf is pushed with `claim_for` instead of claimed by its owner;
    /// 0 for none (1 pushes all).
    #[arg(long, default_value_t = 2, value_name = "K")]
    pub push_every: u32,

    /// Write the drop folder here (default: a temporary folder, removed at the end).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Seed of the generated claimants and amounts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Claims of the surge model in the report (800,000: the May 2024 surge).
    #[arg(long, value_name = "N", default_value_t = 800_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub surge_claims: u32,

    /// Surge model: the share of claims that also create the claimant's token account,
    /// in percent, modelled beside 0 and 100 (a fresh airdrop: nobody holds the token).
    #[arg(long, value_name = "PCT", default_value_t = 50, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub surge_new_accounts: u8,

    /// Surge model: compute units per block.
    #[arg(long, value_name = "CU", default_value_t = 60_000_000)]
    pub block_cu: u64,

    /// Surge model: compute units per block of transactions writing one account.
    #[arg(long, value_name = "CU", default_value_t = 12_000_000)]
    pub account_cu: u64,

    /// Surge model: milliseconds per slot.
    #[arg(long, value_name = "MS", default_value_t = 400)]
    pub slot_ms: u64,
}

pub fn run(args: Args, format: OutputFormat) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(lifecycle::simulate(&args, format))?;
    report.print(format)?;
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_CHECK_FAILED)
    })
}
