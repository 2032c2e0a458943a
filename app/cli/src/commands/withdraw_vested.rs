//! `floodgate withdraw-vested`: the claimant (the keypair) takes what has vested of its
//! leaf's locked part. As in `claim`, everything is checked before anything is sent: the
//! leaf's vesting status exists and is the keypair's, the leaf is claimed in this
//! distributor and its shard not clawed back, and something has vested that was not
//! withdrawn yet.

use super::{Ctx, checks, common, priority::FeeArgs};
use crate::{
    drop_location::DropLocation,
    error::CheckFailed,
    output::{Report, tokens},
};
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail};
use floodgate::state::vested_amount;
use floodgate_client::{accounts, drop::Manifest, instructions as ix, pda};
use serde::Serialize;

#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("source").required(true).multiple(true).args(["drop", "distributor"])))]
pub struct Args {
    /// The drop folder (a directory, or its http(s) URL): its manifest names the
    /// distributor and, without --index, its pages give the keypair's leaf.
    #[arg(long, value_name = "DIR|URL")]
    pub drop: Option<DropLocation>,
    /// The distributor (`--distributor`, with --index when there is no --drop), and
    /// what a drop's distributor must be.
    #[command(flatten)]
    pub expected: common::Expected,
    /// The leaf index [default: the keypair's leaf, found in --drop].
    #[arg(long, value_name = "I")]
    pub index: Option<u32>,
    /// Token account of the mint to receive the tokens [default: the keypair's
    /// associated token account, created if missing].
    #[arg(long, value_name = "TOKEN_ACCOUNT")]
    pub to: Option<Pubkey>,
    #[command(flatten)]
    pub fee: FeeArgs,
}

pub use crate::error::Refused;

#[derive(Debug, Serialize)]
pub struct WithdrawReport {
    pub claimant: String,
    pub distributor: String,
    pub creator: String,
    pub mint: String,
    pub index: u32,
    /// The leaf's locked part.
    pub locked: String,
    /// Vested at the cluster time read before sending (the program pays what has vested
    /// when it runs: on a live cluster, a few seconds more).
    pub vested: String,
    /// Withdrawn before this withdrawal.
    pub withdrawn: String,
    /// What this withdrawal takes: vested and not withdrawn.
    pub withdrawable: String,
    /// This withdrawal takes the last of the locked part: the status closes and its rent
    /// goes back to `rent_payer`.
    pub closes: bool,
    pub rent_payer: String,
    pub destination: String,
    pub compute_unit_limit: Option<u32>,
    /// The compute-unit price paid, in micro-lamports (0: none).
    pub priority_fee: u64,
    pub signature: String,
}

/// The drop's manifest and the leaf index: `index`, or `claimant`'s verified leaf.
async fn leaf_in(
    drop: &DropLocation,
    claimant: Pubkey,
    index: Option<u32>,
) -> anyhow::Result<(Manifest, u32)> {
    match index {
        Some(index) => Ok((drop.manifest().await?, index)),
        None => drop.find(claimant).await.map(|(m, found)| (m, found.index)),
    }
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<WithdrawReport> {
    let claimant = ctx.payer.pubkey();
    // 1. The distributor and the leaf index: from the flags, or from the drop (the
    //    keypair's leaf, verified against the manifest root, when --index is not given;
    //    blocking I/O off the runtime).
    let (d, keys, index) = match &args.drop {
        Some(drop) => {
            let (m, index) = leaf_in(drop, claimant, args.index).await?;
            // 2. The distributor: the one expected, with the manifest's root, mint and
            //    decimals.
            let (d, keys) = common::drop_distributor(ctx.chain, &m, &args.expected).await?;
            (d, keys, index)
        }
        None => {
            let address = args
                .expected
                .distributor
                .ok_or_else(|| anyhow!("pass --drop or --distributor"))?;
            let index = args
                .index
                .ok_or_else(|| anyhow!("--distributor needs --index (or --drop)"))?;
            // 2. The distributor, the one expected.
            let (d, keys) = common::distributor(ctx.chain, &address)
                .await?
                .ok_or(CheckFailed::MissingDistributor(address))?;
            args.expected.check_state(&address, &d)?;
            (d, keys, index)
        }
    };
    let address = keys.address;

    // 3. The vesting status: there, the keypair's, its leaf claimed in this distributor,
    //    its shard not clawed back.
    let vesting = pda::vesting(&address, index).0;
    let status = match ctx.chain.account(&vesting).await? {
        Some(account) => accounts::vesting(&account.data)?,
        None => {
            return Err(Refused::NoVestingStatus {
                distributor: address,
                index,
            }
            .into());
        }
    };
    if status.claimant != claimant {
        return Err(Refused::NotTheClaimant {
            index,
            owner: status.claimant,
            keypair: claimant,
        }
        .into());
    }
    let shard_index = index >> d.shard_bits;
    let shard = ctx
        .chain
        .account(&keys.shard(shard_index))
        .await?
        .ok_or_else(|| anyhow!("shard {shard_index} does not exist (closed after clawback?)"))?;
    let shard = accounts::shard(&shard.data)?;
    checks::shard_open(shard_index, &shard)?;
    if !shard.is_claimed(index - (shard_index << d.shard_bits)) {
        bail!(
            "leaf {index} is not claimed in {address}: its vesting status {vesting} was left by an earlier distributor at this address"
        );
    }

    // 4. What has vested and not been withdrawn.
    let now = ctx.chain.now().await?;
    let vested = vested_amount(
        status.locked_total,
        d.vesting_start_ts,
        d.vesting_end_ts,
        now,
    )
    .map_err(|e| anyhow!("the vesting schedule of {address}: {e}"))?;
    let withdrawable = vested.saturating_sub(status.withdrawn);
    let amount = |base_units| tokens(base_units, d.decimals);
    if withdrawable == 0 {
        return Err(Refused::NothingToWithdraw {
            index,
            locked: amount(status.locked_total),
            vested: amount(vested),
            withdrawn: amount(status.withdrawn),
            start: common::show_time(d.vesting_start_ts),
            end: common::show_time(d.vesting_end_ts),
        }
        .into());
    }

    // 5. Destination, compute budget, send.
    let mut instructions = Vec::new();
    let destination =
        common::destination(ctx.chain, &keys, &claimant, args.to, &mut instructions).await?;
    instructions.push(ix::withdraw_vested(
        &keys,
        index,
        &claimant,
        &destination,
        &status.rent_payer,
    ));
    common::announce(ctx.format, "withdrawing", &address, &d, &args.expected);
    let sent = common::send_budgeted(ctx, instructions, &args.fee, "the withdrawal").await?;
    Ok(WithdrawReport {
        claimant: claimant.to_string(),
        distributor: address.to_string(),
        creator: d.creator.to_string(),
        mint: d.mint.to_string(),
        index,
        locked: amount(status.locked_total),
        vested: amount(vested),
        withdrawn: amount(status.withdrawn),
        withdrawable: amount(withdrawable),
        closes: vested == status.locked_total,
        rent_payer: status.rent_payer.to_string(),
        destination: destination.to_string(),
        compute_unit_limit: sent.compute_unit_limit,
        priority_fee: sent.priority_fee,
        signature: sent.signature.to_string(),
    })
}

impl Report for WithdrawReport {
    fn human(&self) -> String {
        let after = if self.closes {
            format!(
                "; fully withdrawn, the vesting status is closed (rent back to {})",
                self.rent_payer
            )
        } else {
            String::new()
        };
        format!(
            "withdrew {} tokens for {} (leaf {}) into {}: {} of {} vested, {} withdrawn before{after}\nsignature {}",
            self.withdrawable,
            self.claimant,
            self.index,
            self.destination,
            self.vested,
            self.locked,
            self.withdrawn,
            self.signature
        )
    }
}
