//! `floodgate verify`: rebuild the root from `leaves.csv`, check every page and the
//! manifest, then (if it names one) the on-chain distributor. Exit 3 on a mismatch.

use super::common;
use crate::{error::CheckFailed, output::Report};
use anchor_lang::prelude::Pubkey;
use floodgate::state::Distributor;
use floodgate_client::{
    chain::Chain,
    drop::{DropFolder, Manifest},
};
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The drop folder.
    #[arg(long, value_name = "DIR")]
    pub drop: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub root: String,
    pub num_leaves: u32,
    pub pages: u32,
    /// The distributor checked on chain, if the manifest names one.
    pub distributor: Option<String>,
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
    let (state, _) = common::distributor(chain, address)
        .await?
        .ok_or(CheckFailed::MissingDistributor(*address))?;
    let diff = compare(m, &state);
    if !diff.is_empty() {
        return Err(CheckFailed::ChainMismatch {
            distributor: *address,
            fields: diff.join(", "),
        }
        .into());
    }
    Ok(state)
}

pub async fn run(args: &Args, chain: &mut dyn Chain) -> anyhow::Result<VerifyReport> {
    let drop = DropFolder::open(&args.drop).map_err(|e| CheckFailed::Drop(e.to_string()))?;
    drop.verify()
        .map_err(|e| CheckFailed::Drop(e.to_string()))?;
    let m = drop.manifest();
    if let Some(address) = m.distributor {
        check_chain(chain, m, &address).await?;
    }
    Ok(VerifyReport {
        root: hex::encode(m.root),
        num_leaves: m.num_leaves,
        pages: m.page_count,
        distributor: m.distributor.map(|d| d.to_string()),
    })
}

impl Report for VerifyReport {
    fn human(&self) -> String {
        let chain = match &self.distributor {
            Some(d) => format!("; the distributor {d} on chain holds the same root and shape"),
            None => "; no distributor in the manifest yet".into(),
        };
        format!(
            "ok: {} leaves and {} pages rebuild to root {}{chain}",
            self.num_leaves, self.pages, self.root
        )
    }
}
