//! The distributor: the root and rules of one airdrop. Read-only in every claim.

use crate::constants::{DISTRIBUTOR_SEED, SHARD_SEED, VESTING_SEED};
use anchor_lang::prelude::*;

/// One airdrop: its Merkle root, its mint, its schedule and its admin.
///
/// Zero-copy so that a claim reads it without deserializing; `repr(C)` with every
/// field placed so that there is no implicit padding.
#[account(zero_copy)]
#[derive(Debug, PartialEq, Eq)]
pub struct Distributor {
    /// Protocol version ([`crate::constants::DISTRIBUTOR_VERSION`]).
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Non-zero while claims are paused by the admin.
    pub paused: u8,
    /// Non-zero when anyone may push claims with `claim_for`.
    pub allow_claim_for: u8,
    /// Depth of the tree: `create_shard`'s upper proof and a claim's proof hold
    /// `depth` hashes between them.
    pub depth: u8,
    /// `log2` of the number of leaves per shard.
    pub shard_bits: u8,
    /// Decimals of the mint, for `transfer_checked`.
    pub decimals: u8,
    /// Non-zero when claims were open at creation (`claims_start_ts` not after the
    /// clock then): claims read no clock. The cluster's clock does not run backwards,
    /// so claims open then stay open.
    pub open_at_creation: u8,
    /// Number of leaves in the tree.
    pub num_leaves: u32,
    /// `ceil(num_leaves / 2^shard_bits)`.
    pub num_shards: u32,
    /// Shards created and not yet closed.
    pub open_shards: u32,
    /// Always zero.
    pub padding2: [u8; 4],
    /// The creator's `seed`, as the little-endian bytes used in the PDA seeds.
    pub seed: [u8; 8],
    /// Sum of every leaf's `unlocked + locked`.
    pub total_amount: u64,
    /// Sum of the `max_total` of every shard created so far (never above `total_amount`).
    pub allocated_amount: u64,
    /// Claims are accepted from this unix time on.
    pub claims_start_ts: i64,
    /// Locked amounts start to vest at this time.
    pub vesting_start_ts: i64,
    /// Locked amounts are fully vested at this time.
    pub vesting_end_ts: i64,
    /// Anyone may claw back a shard from this time on.
    pub clawback_start_ts: i64,
    /// Who created the distributor (part of the PDA seeds).
    pub creator: Pubkey,
    /// Who may change settings, create and close shards.
    pub admin: Pubkey,
    /// The mint being distributed.
    pub mint: Pubkey,
    /// SPL Token or Token-2022: the owner of `mint`.
    pub token_program: Pubkey,
    /// Token account that receives clawed-back tokens.
    pub clawback_receiver: Pubkey,
    /// Root of the Merkle tree.
    pub root: [u8; 32],
    /// Reserved for future versions; zero.
    pub reserved: [u8; 64],
}

impl Distributor {
    /// Account size including the 8-byte discriminator.
    pub const SPACE: usize = 8 + std::mem::size_of::<Distributor>();

    /// PDA seeds without the bump.
    pub fn seeds<'a>(creator: &'a Pubkey, mint: &'a Pubkey, seed: &'a [u8; 8]) -> [&'a [u8]; 4] {
        [DISTRIBUTOR_SEED, creator.as_ref(), mint.as_ref(), seed]
    }

    /// Seeds with the stored bump, for signing as the vaults' authority.
    pub fn signer_seeds(&self) -> [&[u8]; 5] {
        [
            DISTRIBUTOR_SEED,
            self.creator.as_ref(),
            self.mint.as_ref(),
            &self.seed,
            std::slice::from_ref(&self.bump),
        ]
    }

    /// Height of a shard's subtree, `min(shard_bits, depth)`: the length of a claim's
    /// proof (a shard root is the root itself when the tree is no deeper than a shard).
    #[inline]
    pub fn shard_height(&self) -> u8 {
        self.shard_bits.min(self.depth)
    }

    /// Shard holding leaf `index`.
    #[inline]
    pub fn shard_of(&self, index: u32) -> u32 {
        index >> self.shard_bits
    }

    /// Number of leaves in shard `shard_index` (the last shard may be short), or `None`
    /// when there is no such shard.
    pub fn shard_leaf_count(&self, shard_index: u32) -> Option<u32> {
        if shard_index >= self.num_shards {
            return None;
        }
        let first = u64::from(shard_index) << self.shard_bits;
        let full = 1u64 << self.shard_bits;
        Some(full.min(u64::from(self.num_leaves) - first) as u32)
    }

    /// Whether claims have started at `now` (with claims open at creation, whatever
    /// `now` is: the claim path does not read the clock then).
    #[inline]
    pub fn claims_started(&self, now: impl FnOnce() -> Result<i64>) -> Result<bool> {
        Ok(self.open_at_creation != 0 || now()? >= self.claims_start_ts)
    }

    pub fn is_paused(&self) -> bool {
        self.paused != 0
    }

    pub fn allows_claim_for(&self) -> bool {
        self.allow_claim_for != 0
    }
}

/// Seeds of shard `shard_index` of `distributor`, without the bump.
pub fn shard_seeds<'a>(distributor: &'a Pubkey, shard_index: &'a [u8; 4]) -> [&'a [u8]; 3] {
    [SHARD_SEED, distributor.as_ref(), shard_index]
}

/// Seeds of the vesting status of leaf `index` of `distributor`, without the bump.
pub fn vesting_seeds<'a>(distributor: &'a Pubkey, index: &'a [u8; 4]) -> [&'a [u8]; 3] {
    [VESTING_SEED, distributor.as_ref(), index]
}

/// Number of shards for `num_leaves` leaves grouped by `2^shard_bits`.
pub const fn num_shards_for(num_leaves: u32, shard_bits: u8) -> u32 {
    let per_shard = 1u64 << shard_bits;
    (num_leaves as u64).div_ceil(per_shard) as u32
}
