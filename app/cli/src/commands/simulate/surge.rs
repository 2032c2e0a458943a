//! The surge model of `floodgate simulate`'s report: how long N claims take to clear on
//! mainnet's limits, Floodgate's shards against a design whose every claim writes one
//! shared account, with the compute units measured on the SBF build (`bench/cu.json`).

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
    #[serde(flatten)]
    pub clearance: Clearance,
}

#[derive(Debug, Serialize)]
pub struct Surge {
    pub claims: u64,
    pub depth: u8,
    /// CU of one wallet claim at `depth` (SPL Token), measured on the SBF build.
    pub cu_per_claim: u64,
    pub limits: Limits,
    pub rows: Vec<SurgeRow>,
}

/// Measured total CU of an SPL Token claim at `depth`: the bench's row, or the linear
/// interpolation between the rows around it (the cost is linear in the depth).
pub fn claim_cu(bench: &str, depth: u8) -> anyhow::Result<u64> {
    let json: serde_json::Value = serde_json::from_str(bench).context("bench/cu.json")?;
    let mut rows: Vec<(u8, u64)> = json["claim"]
        .as_array()
        .ok_or_else(|| anyhow!("bench/cu.json has no claim rows"))?
        .iter()
        .filter(|r| r["token_program"] == "spl-token")
        .filter_map(|r| {
            Some((
                u8::try_from(r["depth"].as_u64()?).ok()?,
                r["total_cu"].as_u64()?,
            ))
        })
        .collect();
    rows.sort_unstable();
    let below = rows.iter().rev().find(|(d, _)| *d <= depth);
    let above = rows.iter().find(|(d, _)| *d >= depth);
    match (below, above) {
        (Some(&(d0, c0)), Some(&(d1, _))) if d0 == d1 => Ok(c0),
        (Some(&(d0, c0)), Some(&(d1, c1))) => {
            Ok(c0 + (c1 - c0) * u64::from(depth - d0) / u64::from(d1 - d0))
        }
        _ => Err(anyhow!(
            "bench/cu.json has no claim rows around depth {depth}"
        )),
    }
}

/// The model for `claims` leaves: one shared account, the fewest shards, and shards of
/// `2^shard_bits` leaves.
pub fn model(claims: u32, shard_bits: u8, limits: Limits) -> anyhow::Result<Surge> {
    let depth = depth_for(claims).ok_or_else(|| anyhow!("no claims to model"))?;
    let cu = claim_cu(CU_BENCH, depth)?;
    let n = u64::from(claims);
    let mut designs = vec![(
        "one shared account written by every claim".to_string(),
        vec![n],
    )];
    let mut bits = vec![FEWEST_SHARDS_BITS, shard_bits];
    bits.dedup();
    for b in bits {
        let shards = surge::claims_per_shard(n, b);
        designs.push((
            format!("Floodgate, {} shards of 2^{b} leaves", shards.len()),
            shards,
        ));
    }
    let rows = designs
        .into_iter()
        .map(|(design, hot)| {
            let clearance = surge::clear(&hot, cu, &limits)
                .ok_or_else(|| anyhow!("a claim of {cu} CU does not fit the limits"))?;
            Ok(SurgeRow { design, clearance })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Surge {
        claims: n,
        depth,
        cu_per_claim: cu,
        limits,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BENCH: &str = r#"{"claim": [
        {"token_program": "spl-token", "depth": 0, "total_cu": 1000},
        {"token_program": "spl-token", "depth": 4, "total_cu": 1800},
        {"token_program": "token-2022", "depth": 2, "total_cu": 5}
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
    fn the_committed_bench_covers_every_depth_up_to_24() {
        for depth in 0..=24 {
            claim_cu(CU_BENCH, depth).unwrap();
        }
    }

    #[test]
    fn shards_clear_800k_claims_faster_than_one_shared_account() {
        let s = model(800_000, 12, Limits::default()).unwrap();
        assert_eq!(s.depth, 20);
        assert_eq!(s.rows.len(), 3);
        let (shared, fewest, default) = (&s.rows[0], &s.rows[1], &s.rows[2]);
        assert_eq!(shared.clearance.hot_accounts, 1);
        assert_eq!(fewest.clearance.hot_accounts, 13);
        assert_eq!(default.clearance.hot_accounts, 196);
        assert!(fewest.clearance.blocks < shared.clearance.blocks);
        assert!(default.clearance.blocks <= fewest.clearance.blocks);
    }
}
