//! Vesting status of one leaf with a locked part, and the linear vesting math.

use crate::errors::FloodgateError;
use anchor_lang::prelude::*;

/// Created by the first claim of a leaf whose `locked > 0`; closed when all is out.
#[account]
#[derive(Debug, InitSpace, PartialEq, Eq)]
pub struct VestingStatus {
    /// Bump of this PDA.
    pub bump: u8,
    /// Leaf index.
    pub index: u32,
    /// The distributor of the leaf.
    pub distributor: Pubkey,
    /// The root the leaf was proven against. A distributor closed and created again at
    /// the same address with another tree does not pay this status.
    pub root: [u8; 32],
    /// The leaf's claimant: the only signer of `withdraw_vested`.
    pub claimant: Pubkey,
    /// Who paid this account's rent and gets it back when it closes.
    pub rent_payer: Pubkey,
    /// The leaf's `locked` amount.
    pub locked_total: u64,
    /// Amount withdrawn so far.
    pub withdrawn: u64,
}

impl VestingStatus {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}

/// Amount of `locked` vested at `now` on a linear schedule from `start` to `end`.
///
/// Exact floor of `locked * (now - start) / (end - start)` with `u64` only (no `u128`
/// multiply or divide on chain): with `d = end - start <= u32::MAX`, write
/// `locked = q*d + r`; then the result is `q*e + floor(r*e/d)` and `r*e < d*d <= 2^64`.
pub fn vested_amount(locked: u64, start: i64, end: i64, now: i64) -> Result<u64> {
    if now >= end {
        return Ok(locked);
    }
    if now <= start {
        return Ok(0);
    }
    let duration = u64::try_from(end - start).map_err(|_| FloodgateError::ArithmeticOverflow)?;
    let elapsed = (now - start) as u64; // 0 < elapsed < duration
    require!(
        duration <= u32::MAX as u64,
        FloodgateError::ArithmeticOverflow
    );
    let (q, r) = (locked / duration, locked % duration);
    // No overflow: q*e + r*e/d <= locked, and r*e < d*d <= 2^64. Wrapping operations keep
    // the SBF build free of the i128 calls that overflow-checked multiplication needs.
    Ok(q.wrapping_mul(elapsed) + r.wrapping_mul(elapsed) / duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(locked: u64, start: i64, end: i64, now: i64) -> u64 {
        if now >= end {
            locked
        } else if now <= start {
            0
        } else {
            (locked as u128 * (now - start) as u128 / (end - start) as u128) as u64
        }
    }

    #[test]
    fn vesting_matches_the_u128_formula() {
        let cases = [
            (1_000u64, 0i64, 100i64),
            (u64::MAX, 0, u32::MAX as i64),
            (u64::MAX, 1_700_000_000, 1_700_000_000 + 86_400 * 365),
            (7, 10, 13),
            (u64::MAX - 1, -5, 5),
        ];
        for (locked, start, end) in cases {
            let span = end - start;
            for now in [
                start - 1,
                start,
                start + 1,
                start + span / 3,
                end - 1,
                end,
                end + 9,
            ] {
                assert_eq!(
                    vested_amount(locked, start, end, now).unwrap(),
                    reference(locked, start, end, now),
                    "locked {locked} start {start} end {end} now {now}"
                );
            }
        }
    }

    #[test]
    fn instant_vesting_releases_everything_at_the_end() {
        assert_eq!(vested_amount(50, 10, 10, 9).unwrap(), 0);
        assert_eq!(vested_amount(50, 10, 10, 10).unwrap(), 50);
    }
}
