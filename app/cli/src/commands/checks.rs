//! The checks made before sending anything that pays a leaf, against the chain: one
//! place for `claim`, `push` and `withdraw-vested`, so that a claimant and a pusher are
//! refused for the same reasons, with the same [`CheckFailed`] (exit code 3), before a
//! fee is spent. Each mirrors a check of the program (`settlement::record`,
//! `WithdrawVested`), which stays the authority.

use crate::{commands::common, error::CheckFailed};
use anchor_lang::prelude::Pubkey;
use floodgate::{merkle::Hash, state::Distributor};
use floodgate_client::accounts::ShardState;

/// Claims are not paused and have started at `now` (the chain's clock).
pub fn claims_open(d: &Distributor, now: i64) -> Result<(), CheckFailed> {
    if d.is_paused() {
        return Err(CheckFailed::ClaimsClosed(
            "the admin has paused claims".into(),
        ));
    }
    if now < d.claims_start_ts {
        return Err(CheckFailed::ClaimsClosed(format!(
            "claims open at {}",
            common::show_time(d.claims_start_ts)
        )));
    }
    Ok(())
}

/// Shard `index` pays: it has not been clawed back.
pub fn shard_open(index: u32, shard: &ShardState) -> Result<(), CheckFailed> {
    if shard.header.is_clawed_back() {
        return Err(CheckFailed::ClaimsClosed(format!(
            "shard {index} was clawed back"
        )));
    }
    Ok(())
}

/// The shard on chain holds the root the drop's manifest gives it (which the manifest's
/// shard roots prove under the distributor's root): what a claim's proof must reach.
pub fn shard_root(index: u32, manifest_root: &Hash, shard: &ShardState) -> Result<(), CheckFailed> {
    if shard.header.root != *manifest_root {
        return Err(CheckFailed::ShardRootMismatch {
            shard: index,
            manifest: hex::encode(manifest_root),
            chain: hex::encode(shard.header.root),
        });
    }
    Ok(())
}

/// Leaf `index` of `claimant`, at `position` in its shard, is not claimed yet.
pub fn unclaimed(
    shard: &ShardState,
    position: u32,
    claimant: Pubkey,
    index: u32,
) -> Result<(), CheckFailed> {
    if shard.is_claimed(position) {
        return Err(CheckFailed::AlreadyClaimed { claimant, index });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    #[test]
    fn each_check_refuses_with_its_reason() {
        let mut d = Distributor::zeroed();
        d.claims_start_ts = 100;
        assert!(claims_open(&d, 100).is_ok());
        assert!(
            matches!(claims_open(&d, 99), Err(CheckFailed::ClaimsClosed(why)) if why.starts_with("claims open at"))
        );
        d.paused = 1;
        assert_eq!(
            claims_open(&d, 100),
            Err(CheckFailed::ClaimsClosed(
                "the admin has paused claims".into()
            ))
        );
    }
}
