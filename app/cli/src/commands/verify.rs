//! `floodgate verify`: rebuild the root from `leaves.csv`, check every page and the
//! manifest, then (if it names one) the on-chain distributor and the root of every
//! shard created so far. Exit 3 on a mismatch. Given a URL, it audits exactly the files
//! the host serves claimants.

use super::common;
use crate::{drop_location::DropLocation, error::CheckFailed, output::Report};
use anchor_lang::prelude::Pubkey;
use floodgate::state::Distributor;
use floodgate_client::{chain::Chain, drop::Manifest};
use serde::Serialize;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The drop folder: a directory, or its http(s) URL (then the files the host serves
    /// are checked).
    #[arg(long, value_name = "DIR|URL")]
    pub drop: DropLocation,
}

#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub root: String,
    pub num_leaves: u32,
    pub pages: u32,
    /// The distributor checked on chain, if the manifest names one.
    pub distributor: Option<String>,
    /// Shards found on chain, each holding the manifest's root for it.
    pub shards_checked: u32,
}

/// Fields where the manifest and the on-chain distributor differ (empty: they agree).
pub fn compare(m: &Manifest, d: &Distributor) -> Vec<String> {
    let mut diff = Vec::new();
    let mut check = |field: &str, manifest: String, chain: String| {
        if manifest != chain {
            diff.push(format!("{field} (manifest {manifest}, chain {chain})"));
        }
    };
    check("root", hex::encode(m.root), hex::encode(d.root));
    check("mint", m.mint.to_string(), d.mint.to_string());
    check(
        "num_leaves",
        m.num_leaves.to_string(),
        d.num_leaves.to_string(),
    );
    check("depth", m.depth.to_string(), d.depth.to_string());
    check(
        "shard_bits",
        m.shard_bits.to_string(),
        d.shard_bits.to_string(),
    );
    check(
        "total_amount",
        m.total_amount.to_string(),
        d.total_amount.to_string(),
    );
    diff
}

/// Checks the on-chain distributor against the manifest.
pub async fn check_chain(
    chain: &mut dyn Chain,
    m: &Manifest,
    address: &Pubkey,
) -> anyhow::Result<Distributor> {
    check_chain_and_shards(chain, m, address)
        .await
        .map(|(state, _)| state)
}

/// [`check_chain`], and the root of every shard that exists on chain against the
/// manifest's; returns how many shards were checked.
pub async fn check_chain_and_shards(
    chain: &mut dyn Chain,
    m: &Manifest,
    address: &Pubkey,
) -> anyhow::Result<(Distributor, u32)> {
    let (state, keys) = common::distributor(chain, address)
        .await?
        .ok_or(CheckFailed::MissingDistributor(*address))?;
    let mut diff = compare(m, &state);
    let mut checked = 0;
    if diff.is_empty() {
        let on_chain = common::shards(chain, &keys, m.shards.len() as u32).await?;
        for (info, shard) in m.shards.iter().zip(&on_chain) {
            let Some(shard) = &shard.state else { continue };
            checked += 1;
            if shard.header.root != info.root {
                diff.push(format!(
                    "shard {} root (manifest {}, chain {})",
                    info.index,
                    hex::encode(info.root),
                    hex::encode(shard.header.root)
                ));
            }
        }
    }
    if !diff.is_empty() {
        return Err(CheckFailed::ChainMismatch {
            distributor: *address,
            fields: diff.join(", "),
        }
        .into());
    }
    Ok((state, checked))
}

pub async fn run(args: &Args, chain: &mut dyn Chain) -> anyhow::Result<VerifyReport> {
    let (m, _) = args.drop.verify().await?;
    let m = &m;
    let mut shards_checked = 0;
    if let Some(address) = m.distributor {
        shards_checked = check_chain_and_shards(chain, m, &address).await?.1;
    }
    Ok(VerifyReport {
        root: hex::encode(m.root),
        num_leaves: m.num_leaves,
        pages: m.page_count,
        distributor: m.distributor.map(|d| d.to_string()),
        shards_checked,
    })
}

impl Report for VerifyReport {
    fn human(&self) -> String {
        let chain = match &self.distributor {
            Some(d) => format!(
                "; the distributor {d} on chain holds the same root and shape, and its {} shards the manifest's roots",
                self.shards_checked
            ),
            None => "; no distributor in the manifest yet".into(),
        };
        format!(
            "ok: {} leaves and {} pages rebuild to root {}{chain}",
            self.num_leaves, self.pages, self.root
        )
    }
}
