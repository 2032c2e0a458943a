//! A shard: the claim bitmap and counters of `2^shard_bits` consecutive leaves.
//!
//! The account is the zero-copy header below followed by `ceil(leaf_count / 8)` bitmap
//! bytes. Claims in different shards write different accounts, so they never contend.

use crate::errors::FloodgateError;
use anchor_lang::prelude::*;

/// Header of a shard account; the bitmap follows it.
#[account(zero_copy)]
#[derive(Debug, PartialEq, Eq)]
pub struct Shard {
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the vault PDA.
    pub vault_bump: u8,
    /// Non-zero once the shard has been clawed back; no claim succeeds after.
    pub clawed_back: u8,
    /// Always zero.
    pub padding: [u8; 1],
    /// Position of the shard: it holds leaves `[shard_index << shard_bits, ..)`.
    pub shard_index: u32,
    /// Number of leaves (and bitmap bits) in this shard.
    pub leaf_count: u32,
    /// Leaves claimed so far.
    pub claimed_count: u32,
    /// Most this shard can ever pay (the sum of its leaves), set at creation.
    pub max_total: u64,
    /// Sum of `unlocked + locked` of the leaves claimed so far.
    pub claimed_amount: u64,
    /// Amount moved to the clawback receiver.
    pub clawed_back_amount: u64,
    /// The distributor this shard belongs to.
    pub distributor: Pubkey,
    /// The shard's vault token account.
    pub vault: Pubkey,
    /// The shard root: node `shard_index` at height `min(shard_bits, depth)` of the
    /// distributor's tree, proven against its root by `create_shard`. A claim proves
    /// its leaf up to this node.
    pub root: [u8; 32],
}

impl Shard {
    /// Bytes of discriminator plus header, where the bitmap starts.
    pub const HEADER_SPACE: usize = 8 + std::mem::size_of::<Shard>();

    /// Account size for a shard of `leaf_count` leaves.
    pub const fn space(leaf_count: u32) -> usize {
        Self::HEADER_SPACE + bitmap_len(leaf_count)
    }

    pub fn is_clawed_back(&self) -> bool {
        self.clawed_back != 0
    }
}

/// Bytes of bitmap for `leaf_count` leaves.
pub const fn bitmap_len(leaf_count: u32) -> usize {
    (leaf_count as usize).div_ceil(8)
}

/// Is bit `position` of `bitmap` set? (`position` must be in range.)
#[inline]
pub fn is_claimed(bitmap: &[u8], position: u32) -> bool {
    bitmap[(position >> 3) as usize] & (1 << (position & 7)) != 0
}

/// Whether leaf `position` is claimed in the shard whose header is `shard` and whose
/// account data is `data` (`false` beyond its leaves).
pub fn leaf_claimed(data: &[u8], shard: &Shard, position: u32) -> bool {
    position < shard.leaf_count
        && data
            .get(Shard::HEADER_SPACE..)
            .is_some_and(|bitmap| is_claimed(bitmap, position))
}

/// Splits a shard account's data into its header and bitmap, both mutable, in one
/// borrow. The discriminator has already been checked by `AccountLoader`.
pub fn header_and_bitmap(data: &mut [u8]) -> Result<(&mut Shard, &mut [u8])> {
    let body = data
        .get_mut(8..)
        .ok_or_else(|| error!(ErrorCode::AccountDidNotDeserialize))?;
    let (header, bitmap) = body.split_at_mut(std::mem::size_of::<Shard>());
    let header = bytemuck::try_from_bytes_mut::<Shard>(header)
        .map_err(|_| error!(ErrorCode::AccountDidNotDeserialize))?;
    Ok((header, bitmap))
}

/// Sets bit `position`; fails with `AlreadyClaimed` when it is set already.
#[inline]
pub fn set_claimed(bitmap: &mut [u8], position: u32) -> Result<()> {
    let byte = bitmap
        .get_mut((position >> 3) as usize)
        .ok_or_else(|| error!(FloodgateError::IndexOutOfRange))?;
    let mask = 1u8 << (position & 7);
    require!(*byte & mask == 0, FloodgateError::AlreadyClaimed);
    *byte |= mask;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_sets_each_bit_once() {
        let mut bitmap = vec![0u8; bitmap_len(17)];
        assert_eq!(bitmap.len(), 3);
        for position in [0, 7, 8, 16] {
            assert!(!is_claimed(&bitmap, position));
            set_claimed(&mut bitmap, position).unwrap();
            assert!(is_claimed(&bitmap, position));
            assert_eq!(
                set_claimed(&mut bitmap, position).unwrap_err(),
                error!(FloodgateError::AlreadyClaimed)
            );
        }
        assert_eq!(bitmap, vec![0b1000_0001, 0b0000_0001, 0b0000_0001]);
        assert!(set_claimed(&mut bitmap, 24).is_err());
    }

    #[test]
    fn header_has_no_padding_and_a_fixed_size() {
        assert_eq!(std::mem::size_of::<Shard>(), 136);
        assert_eq!(Shard::space(65_536), 8 + 136 + 8192);
    }
}
