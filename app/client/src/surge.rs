//! How long a surge of claims takes to clear on-chain, from measured compute units.
//!
//! The model: every claim costs `cu_per_claim`; a block holds at most `block_cu` units,
//! and at most `account_cu` units of transactions that write any one account. Claims
//! arrive spread over the leaves, so each write-locked ("hot") account receives its
//! share. A design whose every claim writes one shared account has a single hot
//! account; Floodgate's hot accounts are its shards (the distributor is read-only in a
//! claim, and the other written accounts belong to one claimant each). The result is a
//! lower bound: the whole block is given to claims, and nothing else contends.

/// Mainnet limits (Agave): per block and per writable account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    /// Compute units per block.
    pub block_cu: u64,
    /// Compute units per block of transactions that write one account.
    pub account_cu: u64,
    /// Milliseconds per slot.
    pub slot_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            block_cu: 60_000_000,
            account_cu: 12_000_000,
            slot_ms: 400,
        }
    }
}

/// What stops more claims from fitting in a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The block's compute units.
    Block,
    /// The compute units one hot account may take per block.
    HotAccount,
}

/// How a surge clears.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Clearance {
    pub claims: u64,
    pub hot_accounts: u64,
    pub cu_per_claim: u64,
    /// Claims in the busiest block.
    pub claims_per_block: u64,
    pub blocks: u64,
    pub seconds: f64,
    pub bound: Bound,
}

/// Clears `claims_per_hot_account[i]` claims that write hot account `i` (one entry per
/// hot account), each costing `cu_per_claim`. `None` when a claim alone exceeds a limit
/// or there is nothing to clear.
pub fn clear(
    claims_per_hot_account: &[u64],
    cu_per_claim: u64,
    limits: &Limits,
) -> Option<Clearance> {
    let claims: u64 = claims_per_hot_account.iter().sum();
    let busiest = claims_per_hot_account.iter().copied().max()?;
    let per_block = limits.block_cu.checked_div(cu_per_claim)?;
    let per_account = limits.account_cu.checked_div(cu_per_claim)?;
    if claims == 0 || per_block == 0 || per_account == 0 {
        return None;
    }
    let by_block = claims.div_ceil(per_block);
    let by_account = busiest.div_ceil(per_account);
    let (blocks, bound) = if by_account > by_block {
        (by_account, Bound::HotAccount)
    } else {
        (by_block, Bound::Block)
    };
    let hot_accounts = claims_per_hot_account.len() as u64;
    Some(Clearance {
        claims,
        hot_accounts,
        cu_per_claim,
        claims_per_block: per_block.min(per_account * hot_accounts),
        blocks,
        seconds: (blocks * limits.slot_ms) as f64 / 1000.0,
        bound,
    })
}

/// One claim per leaf of a Floodgate drop of `leaves` leaves in shards of
/// `2^shard_bits`: the claims each shard receives.
pub fn claims_per_shard(leaves: u64, shard_bits: u8) -> Vec<u64> {
    let per_shard = 1u64 << shard_bits;
    (0..leaves.div_ceil(per_shard))
        .map(|s| per_shard.min(leaves - s * per_shard))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_account_clears_at_its_own_limit() {
        let limits = Limits::default();
        // 12M / 15,000 = 800 claims per block on one account.
        let c = clear(&[800_000], 15_000, &limits).unwrap();
        assert_eq!(
            (c.claims_per_block, c.blocks, c.bound),
            (800, 1_000, Bound::HotAccount)
        );
        assert_eq!(c.seconds, 400.0);
    }

    #[test]
    fn enough_hot_accounts_leave_the_block_as_the_bound() {
        let limits = Limits::default();
        // 60M / 15,000 = 4,000 per block; 13 shards take 800 each, 10,400 together.
        let shards = claims_per_shard(800_000, 16);
        assert_eq!(shards.len(), 13);
        assert_eq!(shards[12], 800_000 - 12 * 65_536);
        let c = clear(&shards, 15_000, &limits).unwrap();
        assert_eq!(
            (c.claims_per_block, c.blocks, c.bound),
            (4_000, 200, Bound::Block)
        );
    }

    #[test]
    fn the_busiest_shard_bounds_an_uneven_spread() {
        let limits = Limits::default();
        // Two accounts, one with nearly everything: it sets the pace.
        let c = clear(&[7_900, 100], 15_000, &limits).unwrap();
        assert_eq!((c.blocks, c.bound), (10, Bound::HotAccount));
    }

    #[test]
    fn impossible_inputs_give_none() {
        let limits = Limits::default();
        assert_eq!(clear(&[], 15_000, &limits), None);
        assert_eq!(clear(&[10], 0, &limits), None);
        assert_eq!(clear(&[10], 13_000_000, &limits), None);
        assert_eq!(clear(&[0, 0], 15_000, &limits), None);
    }
}
