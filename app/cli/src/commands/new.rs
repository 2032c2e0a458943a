//! `floodgate new`: validate an allocation list and write the drop folder (offline,
//! unless the mint's decimals must be read from the chain).

use crate::output::{Report, sol, tokens};
use anchor_lang::prelude::{Pubkey, Rent};
use anyhow::{Context, anyhow};
use floodgate::state::{Distributor, Shard};
use floodgate_client::{
    allocation::parse_csv_file,
    chain::{Chain, limits, mint_decimals},
    drop::{DropFolder, DropParams, default_page_bits},
    floodgate::merkle::depth_for,
    instructions::{self as ix, DistributorKeys, NewShard},
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
    /// log2 of the leaves per proof page (at most shard-bits: a page lies in one
    /// shard) [default: 9, or shard-bits when smaller].
    #[arg(long, value_name = "P")]
    pub page_bits: Option<u8>,
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

/// Refuses shards so small in so deep a tree that `create_shard`, with its upper proof of
/// `depth - min(shard_bits, depth)` hashes, would not fit one transaction.
fn check_create_shard_fits(depth: u8, shard_bits: u8) -> anyhow::Result<()> {
    let admin = Pubkey::new_unique();
    let size = |bits: u8| {
        let keys = DistributorKeys {
            address: Pubkey::new_unique(),
            mint: Pubkey::new_unique(),
            token_program: anchor_spl::token_2022::ID,
            clawback_receiver: Pubkey::new_unique(),
            shard_bits: bits,
            decimals: 0,
        };
        let new = NewShard {
            index: 0,
            max_total: 1,
            root: [0; 32],
            upper_proof: vec![[0; 32]; usize::from(depth - bits.min(depth))],
        };
        limits::size_of(&[ix::create_shard(&keys, &admin, &new)], &admin)
    };
    let found = size(shard_bits);
    if found <= limits::PACKET_DATA_SIZE {
        return Ok(());
    }
    let least = (shard_bits..=floodgate::constants::MAX_SHARD_BITS)
        .find(|&bits| size(bits) <= limits::PACKET_DATA_SIZE)
        .unwrap_or(floodgate::constants::MAX_SHARD_BITS);
    anyhow::bail!(
        "--shard-bits {shard_bits} is too small for a tree of depth {depth}: create_shard would carry {} upper proof hashes, {found} bytes, more than a transaction's {}; use --shard-bits {least} or more",
        depth - shard_bits.min(depth),
        limits::PACKET_DATA_SIZE
    )
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
        page_bits: args.page_bits.unwrap_or(default_page_bits(args.shard_bits)),
        cluster: args.cluster.clone(),
    };
    if let Some(depth) = u32::try_from(allocations.len()).ok().and_then(depth_for) {
        check_create_shard_fits(depth, args.shard_bits)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_too_small_for_a_deep_tree_are_refused_with_the_least_that_fits() {
        // create_shard alone fits with an upper proof of up to 25 hashes.
        check_create_shard_fits(32, 7).unwrap();
        check_create_shard_fits(25, 0).unwrap();
        check_create_shard_fits(20, 12).unwrap();
        let err = check_create_shard_fits(32, 6).unwrap_err().to_string();
        assert!(err.contains("--shard-bits 7 or more"), "{err}");
        assert!(err.contains("26 upper proof hashes"), "{err}");
        let err = check_create_shard_fits(26, 0).unwrap_err().to_string();
        assert!(err.contains("--shard-bits 1 or more"), "{err}");
    }
}
