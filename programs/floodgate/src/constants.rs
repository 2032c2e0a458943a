//! Seeds, limits and fixed values of the protocol (protocol.md §1–§4).
//!
//! The client crate re-exports these; nothing outside this file spells a seed.

/// Seed prefix of the [`crate::state::Distributor`] PDA:
/// `["distributor", creator, mint, seed u64 LE]`.
pub const DISTRIBUTOR_SEED: &[u8] = b"distributor";
/// Seed prefix of a [`crate::state::Shard`] PDA: `["shard", distributor, shard_index u32 LE]`.
pub const SHARD_SEED: &[u8] = b"shard";
/// Seed prefix of a shard's vault token account: `["vault", shard]`.
pub const VAULT_SEED: &[u8] = b"vault";
/// Seed prefix of a [`crate::state::VestingStatus`] PDA: `["vesting", distributor, index u32 LE]`.
pub const VESTING_SEED: &[u8] = b"vesting";

/// Domain-separation byte hashed in front of a leaf.
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation byte hashed in front of an inner node.
pub const NODE_PREFIX: u8 = 0x01;

/// Deepest tree accepted (leaf indices are `u32`).
pub const MAX_DEPTH: u8 = 32;
/// Largest `shard_bits`: a shard holds at most 65,536 leaves, an 8 KiB bitmap.
pub const MAX_SHARD_BITS: u8 = 16;
/// Clawback may start no earlier than this many seconds after vesting ends.
pub const MIN_CLAWBACK_DELAY_SECS: i64 = 86_400;
/// Longest vesting period in seconds (keeps the vesting math in `u64`; about 136 years).
pub const MAX_VESTING_SECS: i64 = u32::MAX as i64;

/// Protocol version written into new distributors. Version 2: each shard stores its
/// subtree root, proven at `create_shard`, and a claim proves its leaf up to it.
pub const DISTRIBUTOR_VERSION: u8 = 2;
