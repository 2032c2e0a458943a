//! Decoding of the program's accounts from raw account data.

use crate::ClientError;
use anchor_lang::{AccountDeserialize, Discriminator};
use floodgate::{
    constants::{MAX_DEPTH, MAX_SHARD_BITS},
    state::{Distributor, Shard, VestingStatus, bitmap_len, is_claimed, num_shards_for},
};

fn zero_copy<T: bytemuck::Pod + Discriminator>(
    data: &[u8],
    what: &'static str,
) -> Result<T, ClientError> {
    let size = 8 + std::mem::size_of::<T>();
    if data.len() < size {
        return Err(ClientError::AccountData {
            what,
            reason: format!("{} bytes, expected at least {size}", data.len()),
        });
    }
    if &data[..8] != T::DISCRIMINATOR {
        return Err(ClientError::AccountData {
            what,
            reason: "wrong discriminator".into(),
        });
    }
    Ok(bytemuck::pod_read_unaligned(&data[8..size]))
}

/// Decodes a distributor account. Only shapes the program writes are accepted (shard
/// bits and depth within their limits, the shard count of the leaf count), so helpers
/// such as `shard_of` and `shard_leaf_count` cannot overflow on what a node returns.
pub fn distributor(data: &[u8]) -> Result<Distributor, ClientError> {
    let d: Distributor = zero_copy(data, "distributor")?;
    let shape = |reason: String| ClientError::AccountData {
        what: "distributor",
        reason,
    };
    if d.shard_bits > MAX_SHARD_BITS || d.depth > MAX_DEPTH {
        return Err(shape(format!(
            "shard bits {} or depth {} beyond the program's limits",
            d.shard_bits, d.depth
        )));
    }
    if d.num_leaves == 0 || d.num_shards != num_shards_for(d.num_leaves, d.shard_bits) {
        return Err(shape(format!(
            "{} shards do not fit {} leaves in shards of 2^{}",
            d.num_shards, d.num_leaves, d.shard_bits
        )));
    }
    Ok(d)
}

/// A decoded shard: header and claim bitmap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardState {
    pub header: Shard,
    pub bitmap: Vec<u8>,
}

impl ShardState {
    /// Is leaf `position` of this shard (0-based within the shard) claimed?
    pub fn is_claimed(&self, position: u32) -> bool {
        position < self.header.leaf_count && is_claimed(&self.bitmap, position)
    }

    /// Positions of the unclaimed leaves, ascending.
    pub fn unclaimed(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.header.leaf_count).filter(|p| !is_claimed(&self.bitmap, *p))
    }
}

/// Decodes a shard account.
pub fn shard(data: &[u8]) -> Result<ShardState, ClientError> {
    let header: Shard = zero_copy(data, "shard")?;
    let bitmap = data
        .get(Shard::HEADER_SPACE..Shard::HEADER_SPACE + bitmap_len(header.leaf_count))
        .ok_or_else(|| ClientError::AccountData {
            what: "shard",
            reason: "bitmap is truncated".into(),
        })?
        .to_vec();
    Ok(ShardState { header, bitmap })
}

/// Decodes a vesting status account.
pub fn vesting(data: &[u8]) -> Result<VestingStatus, ClientError> {
    VestingStatus::try_deserialize(&mut &data[..]).map_err(|e| ClientError::AccountData {
        what: "vesting status",
        reason: e.to_string(),
    })
}
