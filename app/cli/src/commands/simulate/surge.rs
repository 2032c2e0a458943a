//! The surge model of `floodgate simulate`'s report: how long N claims take to clear on
//! mainnet's limits, Floodgate's shards against a design whose every claim writes one
//! shared account, with the compute units measured on the SBF build (`bench/cu.json`).
//!
//! Most claimants of a new token hold no account for it, so their claim transaction also
//! creates their associated token account, which costs more than the claim itself. The
//! model clears the surge three times: every claim into an existing account, a mix
//! (`--surge-new-accounts`), and every claim creating its account, which is what a fresh
//! airdrop meets.
//!
//! A claim proves its leaf up to its shard's root, so its cost depends on the shard size:
//! `min(shard_bits, depth)` hashes. Each Floodgate design is priced at its own proof
//! length; the shared-account design at the run's, so that it differs only by the
//! contention it models.

use anyhow::{Context, anyhow};
use floodgate::merkle::depth_for;
use floodgate_client::surge::{self, Clearance, Limits};
use serde::Serialize;

/// The committed output of the compute-unit bench (tests/tests/compute_units.rs).
const CU_BENCH: &str = include_str!("../../../../../bench/cu.json");

/// Shard sizes shown besides the run's own: the largest shards the program allows.
const FEWEST_SHARDS_BITS: u8 = floodgate::constants::MAX_SHARD_BITS;

#[derive(Debug, Serialize)]
pub struct SurgeRow {
    pub design: String,
    /// Claims that also create the claimant's token account, in percent.
    pub new_accounts_percent: u8,
    #[serde(flatten)]
    pub clearance: Clearance,
}

#[derive(Debug, Serialize)]
pub struct Surge {
    pub claims: u64,
    pub depth: u8,
    /// The run's shard size.
    pub shard_bits: u8,
    /// CU of one wallet claim into an existing token account (SPL Token) with the run's
    /// shards, measured on the SBF build.
    pub cu_per_claim: u64,
    /// CU the creation of the claimant's associated token account adds to a claim.
    pub cu_create_account: u64,
    pub limits: Limits,
    /// For each share of new accounts (0, the mix asked for, 100), each design.
    pub rows: Vec<SurgeRow>,
}

/// What creating an associated token account adds to a claim transaction, measured:
/// the bench's `claim_for + create ATA` less its `claim_for`.
pub fn create_account_cu(bench: &str) -> anyhow::Result<u64> {
    let json: serde_json::Value = serde_json::from_str(bench).context("bench/cu.json")?;
    let total = |name: &str| {
        json["operations"]
            .as_array()
            .and_then(|ops| ops.iter().find(|o| o["name"] == name))
            .and_then(|o| o["total_cu"].as_u64())
            .ok_or_else(|| anyhow!("bench/cu.json has no `{name}` operation"))
    };
    total("claim_for + create ATA")?
        .checked_sub(total("claim_for")?)
        .ok_or_else(|| anyhow!("bench/cu.json: creating an account costs less than nothing"))
}

/// Measured total CU of an SPL Token claim whose proof holds `proof_hashes` hashes
/// (`min(shard_bits, depth)`): the bench's row (the dearest of those with that length),
/// or the linear interpolation between the rows around it (the cost is linear in the
/// proof's length).
pub fn claim_cu(bench: &str, proof_hashes: u8) -> anyhow::Result<u64> {
    let json: serde_json::Value = serde_json::from_str(bench).context("bench/cu.json")?;
    let mut rows: Vec<(u8, u64)> = json["claim"]
        .as_array()
        .ok_or_else(|| anyhow!("bench/cu.json has no claim rows"))?
        .iter()
        .filter(|r| r["token_program"] == "spl-token")
        .filter_map(|r| {
            Some((
                u8::try_from(r["proof_hashes"].as_u64()?).ok()?,
                r["total_cu"].as_u64()?,
            ))
        })
        .collect();
    // One row per length, the dearest.
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    rows.dedup_by_key(|row| row.0);
    let below = rows.iter().rev().find(|(h, _)| *h <= proof_hashes);
    let above = rows.iter().find(|(h, _)| *h >= proof_hashes);
    match (below, above) {
        (Some(&(h0, c0)), Some(&(h1, _))) if h0 == h1 => Ok(c0),
        (Some(&(h0, c0)), Some(&(h1, c1))) => {
            Ok(c0 + (c1 - c0) * u64::from(proof_hashes - h0) / u64::from(h1 - h0))
        }
        _ => Err(anyhow!(
            "bench/cu.json has no claim rows around a proof of {proof_hashes} hashes"
        )),
    }
}

/// The model for `claims` leaves: one shared account, the fewest shards, and shards of
/// `2^shard_bits` leaves; with no claim, `new_percent` % of the claims, and every claim
/// creating its token account.
pub fn model(
    claims: u32,
    shard_bits: u8,
    new_percent: u8,
    limits: Limits,
) -> anyhow::Result<Surge> {
    let depth = depth_for(claims).ok_or_else(|| anyhow!("no claims to model"))?;
    let claim = |bits: u8| claim_cu(CU_BENCH, bits.min(depth));
    let cu = claim(shard_bits)?;
    let create = create_account_cu(CU_BENCH)?;
    let n = u64::from(claims);
    let mut designs = vec![(
        "one shared account written by every claim".to_string(),
        vec![n],
        cu,
    )];
    let mut bits = vec![FEWEST_SHARDS_BITS, shard_bits];
    bits.dedup();
    for b in bits {
        let shards = surge::claims_per_shard(n, b);
        designs.push((
            format!("Floodgate, {} shards of 2^{b} leaves", shards.len()),
            shards,
            claim(b)?,
        ));
    }
    let mut mixes = vec![0, new_percent.min(100), 100];
    mixes.dedup();
    let mut rows = Vec::with_capacity(mixes.len() * designs.len());
    for percent in mixes {
        for (design, hot, cu) in &designs {
            // The average claim of the mix.
            let average = cu + create * u64::from(percent) / 100;
            let clearance = surge::clear(hot, average, &limits)
                .ok_or_else(|| anyhow!("a claim of {average} CU does not fit the limits"))?;
            rows.push(SurgeRow {
                design: design.clone(),
                new_accounts_percent: percent,
                clearance,
            });
        }
    }
    Ok(Surge {
        claims: n,
        depth,
        shard_bits,
        cu_per_claim: cu,
        cu_create_account: create,
        limits,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BENCH: &str = r#"{"claim": [
        {"token_program": "spl-token", "proof_hashes": 0, "total_cu": 1000},
        {"token_program": "spl-token", "proof_hashes": 4, "total_cu": 1800},
        {"token_program": "spl-token", "proof_hashes": 4, "total_cu": 1790},
        {"token_program": "token-2022", "proof_hashes": 2, "total_cu": 5}
    ]}"#;

    #[test]
    fn claim_cu_reads_or_interpolates_the_spl_token_rows() {
        assert_eq!(claim_cu(BENCH, 0).unwrap(), 1000);
        assert_eq!(claim_cu(BENCH, 4).unwrap(), 1800);
        assert_eq!(claim_cu(BENCH, 1).unwrap(), 1200);
        assert!(claim_cu(BENCH, 5).is_err());
        assert!(claim_cu("{}", 0).is_err());
    }

    #[test]
    fn the_committed_bench_covers_every_proof_length() {
        for proof_hashes in 0..=floodgate::constants::MAX_SHARD_BITS {
            claim_cu(CU_BENCH, proof_hashes).unwrap();
        }
    }

    #[test]
    fn each_design_pays_for_its_own_proof_length() {
        let s = model(800_000, 12, 0, Limits::default()).unwrap();
        let cu: Vec<u64> = s.rows[..3]
            .iter()
            .map(|r| r.clearance.cu_per_claim)
            .collect();
        let (h12, h16) = (
            claim_cu(CU_BENCH, 12).unwrap(),
            claim_cu(CU_BENCH, 16).unwrap(),
        );
        assert!(h12 < h16);
        assert_eq!(cu, [h12, h16, h12]); // shared (at the run's), 2^16, 2^12
        assert_eq!(s.cu_per_claim, h12);
    }

    #[test]
    fn creating_an_account_costs_the_difference_of_the_two_operations() {
        let bench = r#"{"operations": [
            {"name": "claim_for", "total_cu": 13000},
            {"name": "claim_for + create ATA", "total_cu": 33000}
        ]}"#;
        assert_eq!(create_account_cu(bench).unwrap(), 20_000);
        assert!(create_account_cu(r#"{"operations": []}"#).is_err());
        assert!(create_account_cu(CU_BENCH).unwrap() > 10_000);
    }

    #[test]
    fn new_accounts_slow_the_surge_by_their_cost() {
        let s = model(800_000, 12, 50, Limits::default()).unwrap();
        assert_eq!(s.rows.len(), 9);
        let mixes: Vec<u8> = s.rows.iter().map(|r| r.new_accounts_percent).collect();
        assert_eq!(mixes, [0, 0, 0, 50, 50, 50, 100, 100, 100]);
        let default_shards = |percent| {
            s.rows
                .iter()
                .find(|r| r.new_accounts_percent == percent && r.clearance.hot_accounts == 196)
                .unwrap()
                .clearance
                .clone()
        };
        let (none, half, all) = (default_shards(0), default_shards(50), default_shards(100));
        assert_eq!(none.cu_per_claim, s.cu_per_claim);
        assert_eq!(s.shard_bits, 12);
        assert_eq!(half.cu_per_claim, s.cu_per_claim + s.cu_create_account / 2);
        assert_eq!(all.cu_per_claim, s.cu_per_claim + s.cu_create_account);
        assert!(none.blocks < half.blocks && half.blocks < all.blocks);
        // A mix of 0 or 100 % adds no row of its own.
        assert_eq!(
            model(800_000, 12, 100, Limits::default())
                .unwrap()
                .rows
                .len(),
            6
        );
    }

    #[test]
    fn shards_clear_800k_claims_faster_than_one_shared_account() {
        let s = model(800_000, 12, 0, Limits::default()).unwrap();
        assert_eq!(s.depth, 20);
        assert_eq!(s.rows.len(), 6);
        let (shared, fewest, default) = (&s.rows[0], &s.rows[1], &s.rows[2]);
        assert_eq!(shared.clearance.hot_accounts, 1);
        assert_eq!(fewest.clearance.hot_accounts, 13);
        assert_eq!(default.clearance.hot_accounts, 196);
        assert!(fewest.clearance.blocks < shared.clearance.blocks);
        assert!(default.clearance.blocks <= fewest.clearance.blocks);
    }
}
