//! `floodgate new`: validate an allocation list and write the drop folder (offline,
//! unless the mint's decimals must be read from the chain).

use crate::output::{Report, sol, tokens};
use anchor_lang::prelude::{Pubkey, Rent};
use anyhow::{Context, anyhow};
use floodgate::state::{Distributor, Shard};
use floodgate_client::{
    allocation::parse_csv_file,
    chain::{Chain, mint_decimals},
    drop::{DEFAULT_PAGE_BITS, DropFolder, DropParams},
};
use serde::Serialize;
use std::path::PathBuf;

/// Size of an SPL Token account (a vault).
pub const TOKEN_ACCOUNT_SPACE: usize = 165;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Allocation list: `claimant,amount` or `claimant,unlocked,locked` (token units).
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// The mint distributed.
    #[arg(long, value_name = "MINT")]
    pub mint: Pubkey,
    /// The mint's decimals [default: read the mint from the cluster].
    #[arg(long, value_name = "D")]
    pub decimals: Option<u8>,
    /// log2 of the leaves per shard (at most 16).
    #[arg(long, value_name = "S", default_value_t = 12)]
    pub shard_bits: u8,
    /// log2 of the leaves per proof page (at most 16).
    #[arg(long, value_name = "P", default_value_t = DEFAULT_PAGE_BITS)]
    pub page_bits: u8,
    /// Cluster hint written into the manifest for claimants (e.g. mainnet-beta).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The drop folder to write (must not exist, or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct ShardLine {
    pub index: u32,
    pub leaf_count: u32,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct NewReport {
    pub out: PathBuf,
    pub mint: String,
    pub decimals: u8,
    pub root: String,
    pub num_leaves: u32,
    pub depth: u8,
    pub total: String,
    pub total_unlocked: String,
    pub total_locked: String,
    pub pages: u32,
    pub shards: Vec<ShardLine>,
    /// Lamports the creator pays: distributor + shards + vaults (SPL Token sizes).
    pub rent_lamports: u64,
    pub rent_sol: String,
}

/// Rent the creator pays for the distributor, the shards and their vaults.
pub fn creator_rent(rent: &Rent, shard_leaf_counts: impl Iterator<Item = u32>) -> u64 {
    rent.minimum_balance(Distributor::SPACE)
        + shard_leaf_counts
            .map(|n| {
                rent.minimum_balance(Shard::space(n)) + rent.minimum_balance(TOKEN_ACCOUNT_SPACE)
            })
            .sum::<u64>()
}

pub async fn run(args: &Args, chain: Option<&mut dyn Chain>) -> anyhow::Result<NewReport> {
    let decimals = match (args.decimals, chain) {
        (Some(d), _) => d,
        (None, Some(chain)) => {
            let account = chain.account(&args.mint).await?.ok_or_else(|| {
                anyhow!(
                    "mint {} does not exist on this cluster (pass --decimals to work offline)",
                    args.mint
                )
            })?;
            mint_decimals(&account.data).ok_or_else(|| anyhow!("{} is not a mint", args.mint))?
        }
        (None, None) => {
            return Err(anyhow!(
                "pass --decimals (no cluster to read the mint from)"
            ));
        }
    };
    let allocations = parse_csv_file(&args.csv, decimals).with_context(|| {
        format!(
            "{} (amounts in token units, {decimals} decimals)",
            args.csv.display()
        )
    })?;
    let params = DropParams {
        program_id: floodgate::ID,
        mint: args.mint,
        decimals,
        shard_bits: args.shard_bits,
        page_bits: args.page_bits,
        cluster: args.cluster.clone(),
    };
    let (m, _) = DropFolder::write(&args.out, &allocations, params)?;
    let rent = creator_rent(&Rent::default(), m.shards.iter().map(|s| s.leaf_count));
    Ok(NewReport {
        out: args.out.clone(),
        mint: m.mint.to_string(),
        decimals,
        root: hex::encode(m.root),
        num_leaves: m.num_leaves,
        depth: m.depth,
        total: tokens(m.total_amount, decimals),
        total_unlocked: tokens(m.total_unlocked, decimals),
        total_locked: tokens(m.total_locked, decimals),
        pages: m.page_count,
        shards: m
            .shards
            .iter()
            .map(|s| ShardLine {
                index: s.index,
                leaf_count: s.leaf_count,
                total: tokens(s.total, decimals),
            })
            .collect(),
        rent_lamports: rent,
        rent_sol: sol(rent),
    })
}

impl Report for NewReport {
    fn human(&self) -> String {
        let mut out = format!(
            "drop folder {}\nroot        {}\nleaves      {} (depth {}, {} pages)\ntotal       {} ({} unlocked, {} locked)\n",
            self.out.display(),
            self.root,
            self.num_leaves,
            self.depth,
            self.pages,
            self.total,
            self.total_unlocked,
            self.total_locked
        );
        for s in &self.shards {
            out += &format!(
                "shard {:>5}  {:>6} leaves  {}\n",
                s.index, s.leaf_count, s.total
            );
        }
        out += &format!(
            "rent        {} SOL (distributor, {} shards and their vaults; refunded at close)\nnext: publish the folder, then `floodgate create --drop {}`",
            self.rent_sol,
            self.shards.len(),
            self.out.display()
        );
        out
    }
}
