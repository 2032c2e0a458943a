//! `floodgate claim`: the keypair claims its allocation, from a drop folder on disk or on
//! any static host. Everything is checked before anything is sent: the allocation
//! exists, its page verifies against the manifest root, the distributor is the one
//! pinned (`--distributor`, `--creator`, `--mint`) and holds the manifest's root, mint
//! and decimals, the leaf is not claimed yet, claims are open.

use super::{Ctx, checks, common, priority::FeeArgs};
use crate::{
    drop_location::DropLocation,
    output::{OutputFormat, Report, tokens},
};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, anyhow};
use floodgate_client::{
    accounts,
    instructions::{self as ix, LeafClaim},
    pda,
};
use serde::Serialize;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The drop folder: a directory, or its http(s) URL on a static host.
    #[arg(long, value_name = "DIR|URL")]
    pub drop: DropLocation,
    /// Token account of the mint to receive the tokens [default: the keypair's
    /// associated token account, created if missing].
    #[arg(long, value_name = "TOKEN_ACCOUNT")]
    pub to: Option<Pubkey>,
    #[command(flatten)]
    pub fee: FeeArgs,
    #[command(flatten)]
    pub expected: common::Expected,
}

#[derive(Debug, Serialize)]
pub struct ClaimReport {
    pub distributor: String,
    pub creator: String,
    pub mint: String,
    pub claimant: String,
    pub index: u32,
    pub unlocked: String,
    pub locked: String,
    pub destination: String,
    pub compute_unit_limit: Option<u32>,
    /// The compute-unit price paid, in micro-lamports (0: none).
    pub priority_fee: u64,
    pub signature: String,
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<ClaimReport> {
    let claimant = ctx.payer.pubkey();
    // 1. The leaf, verified against the manifest root and its shard's.
    let (m, found) = args.drop.find(claimant).await?;

    // 2. The distributor: the one expected, with the manifest's root, mint and
    //    decimals.
    let (d, keys) = common::drop_distributor(ctx.chain, &m, &args.expected).await?;
    let address = keys.address;

    // 3. Claims open, the shard's root the proof's, and this leaf not claimed.
    checks::claims_open(&d, ctx.chain.now().await?)?;
    let shard_index = found.index >> d.shard_bits;
    let shard = ctx
        .chain
        .account(&keys.shard(shard_index))
        .await?
        .ok_or_else(|| {
            anyhow!("shard {shard_index} does not exist (not created yet, or closed)")
        })?;
    let shard = accounts::shard(&shard.data)?;
    // The page was verified up to `found.shard_root`: the chain must hold that root.
    checks::shard_root(shard_index, &found.shard_root, &shard)?;
    checks::shard_open(shard_index, &shard)?;
    let position = found.index - (shard_index << d.shard_bits);
    checks::unclaimed(&shard, position, claimant, found.index)?;

    // 4. A vesting status left at this leaf's status address by an earlier distributor
    //    at the same address blocks a claim with a locked part (its bit is clear here,
    //    so it can never pay again): anyone may close it, its rent going back to its
    //    payer, and the claim is sent after.
    if found.locked > 0 {
        let status = pda::vesting(&address, found.index).0;
        if let Some(account) = ctx.chain.account(&status).await? {
            let stale = accounts::vesting(&account.data)?;
            if ctx.format == OutputFormat::Human {
                eprintln!(
                    "closing the vesting status {status} left by an earlier distributor at {address} (rent back to {})",
                    stale.rent_payer
                );
            }
            ctx.send(&[ix::close_vesting(&keys, found.index, &stale.rent_payer)])
                .await
                .context("closing the earlier distributor's vesting status")?;
        }
    }

    // 5. Destination, compute budget, send.
    let mut instructions = Vec::new();
    let destination =
        common::destination(ctx.chain, &keys, &claimant, args.to, &mut instructions).await?;
    let leaf = LeafClaim::from(found.clone());
    instructions.push(ix::claim(&keys, &leaf, &destination, &claimant));
    common::announce(ctx.format, "claiming", &address, &d, &args.expected);
    let sent = common::send_budgeted(ctx, instructions, &args.fee, "the claim").await?;
    Ok(ClaimReport {
        distributor: address.to_string(),
        creator: d.creator.to_string(),
        mint: d.mint.to_string(),
        claimant: claimant.to_string(),
        index: found.index,
        unlocked: tokens(found.unlocked, m.decimals),
        locked: tokens(found.locked, m.decimals),
        destination: destination.to_string(),
        compute_unit_limit: sent.compute_unit_limit,
        priority_fee: sent.priority_fee,
        signature: sent.signature.to_string(),
    })
}

impl Report for ClaimReport {
    fn human(&self) -> String {
        let vesting = if self.locked == "0" {
            String::new()
        } else {
            format!(" ({} more vests)", self.locked)
        };
        format!(
            "claimed {} tokens{vesting} for {} (leaf {}) into {}\nfrom distributor {} (creator {}) of mint {}\nsignature {}",
            self.unlocked,
            self.claimant,
            self.index,
            self.destination,
            self.distributor,
            self.creator,
            self.mint,
            self.signature
        )
    }
}
