//! `floodgate status`: what the chain says about a distributor: settings, schedule, and
//! per shard the claims, amounts and vault balance.

use super::common;
use crate::drop_location::DropLocation;
use crate::output::{Report, show_time_opt, tokens};
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail};
use floodgate_client::chain::{Chain, mint_decimals};
use serde::Serialize;

#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct Args {
    /// A drop folder (or its http(s) URL) whose manifest names the distributor.
    #[arg(long, value_name = "DIR|URL")]
    pub drop: Option<DropLocation>,
    /// The distributor's address.
    #[arg(long, value_name = "ADDRESS")]
    pub distributor: Option<Pubkey>,
}

#[derive(Debug, Serialize)]
pub struct ShardStatus {
    pub index: u32,
    /// `false` once closed (or before `create` made it).
    pub exists: bool,
    pub leaf_count: u32,
    pub claimed_count: u32,
    pub claimed_amount: String,
    pub max_total: String,
    pub vault_balance: String,
    pub clawed_back: bool,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub distributor: String,
    pub mint: String,
    pub admin: String,
    pub clawback_receiver: String,
    pub paused: bool,
    pub permissionless: bool,
    pub claims_start: String,
    pub vesting_start: String,
    pub vesting_end: String,
    pub clawback_start: String,
    pub num_leaves: u32,
    pub claimed_count: u64,
    pub claimed_amount: String,
    pub total_amount: String,
    pub vault_balance: String,
    pub shards: Vec<ShardStatus>,
}

pub async fn run(args: &Args, chain: &mut dyn Chain) -> anyhow::Result<StatusReport> {
    let address = match (&args.drop, args.distributor) {
        (_, Some(d)) => d,
        (Some(drop), None) => drop.manifest().await?.distributor.ok_or_else(|| {
            anyhow!("the manifest has no distributor yet: run `floodgate create` first")
        })?,
        (None, None) => bail!("pass --drop or --distributor"),
    };
    let (d, keys) = common::distributor(chain, &address).await?.ok_or_else(|| {
        anyhow!("distributor {address} does not exist on this cluster (check --url)")
    })?;
    let decimals = match chain.account(&d.mint).await? {
        Some(a) => mint_decimals(&a.data).unwrap_or(d.decimals),
        None => d.decimals,
    };
    let shards = common::shards(chain, &keys, d.num_shards).await?;
    let (mut count, mut amount, mut vaults) = (0u64, 0u64, 0u64);
    let shards = shards
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let h = s.state.as_ref().map(|s| s.header);
            count += h.map_or(0, |h| u64::from(h.claimed_count));
            amount += h.map_or(0, |h| h.claimed_amount);
            vaults += s.vault_balance.unwrap_or(0);
            ShardStatus {
                index: i as u32,
                exists: h.is_some(),
                leaf_count: d.shard_leaf_count(i as u32).unwrap_or(0),
                claimed_count: h.map_or(0, |h| h.claimed_count),
                claimed_amount: tokens(h.map_or(0, |h| h.claimed_amount), decimals),
                max_total: tokens(h.map_or(0, |h| h.max_total), decimals),
                vault_balance: tokens(s.vault_balance.unwrap_or(0), decimals),
                clawed_back: h.is_some_and(|h| h.is_clawed_back()),
            }
        })
        .collect();
    Ok(StatusReport {
        distributor: address.to_string(),
        mint: d.mint.to_string(),
        admin: d.admin.to_string(),
        clawback_receiver: d.clawback_receiver.to_string(),
        paused: d.is_paused(),
        permissionless: d.allows_claim_for(),
        claims_start: show_time_opt(d.claims_start_ts),
        vesting_start: show_time_opt(d.vesting_start_ts),
        vesting_end: show_time_opt(d.vesting_end_ts),
        clawback_start: show_time_opt(d.clawback_start_ts),
        num_leaves: d.num_leaves,
        claimed_count: count,
        claimed_amount: tokens(amount, decimals),
        total_amount: tokens(d.total_amount, decimals),
        vault_balance: tokens(vaults, decimals),
        shards,
    })
}

impl Report for StatusReport {
    fn human(&self) -> String {
        let mut out = format!(
            "distributor {}\nmint {}\nadmin {}{}\nclaims from {}, vesting {} .. {}, clawback from {}\nclaimed {}/{} leaves, {} of {} tokens; {} in vaults\n",
            self.distributor,
            self.mint,
            self.admin,
            if self.paused { " (PAUSED)" } else { "" },
            self.claims_start,
            self.vesting_start,
            self.vesting_end,
            self.clawback_start,
            self.claimed_count,
            self.num_leaves,
            self.claimed_amount,
            self.total_amount,
            self.vault_balance
        );
        for s in &self.shards {
            out += &format!(
                "shard {:>5}: {}{}/{} claimed, {} of {}, vault {}\n",
                s.index,
                if s.exists { "" } else { "(absent) " },
                s.claimed_count,
                s.leaf_count,
                s.claimed_amount,
                s.max_total,
                s.vault_balance
            );
        }
        out.trim_end().to_string()
    }
}
