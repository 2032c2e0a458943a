//! Decoding of the program's accounts from raw account data.

use crate::ClientError;
use anchor_lang::{AccountDeserialize, Discriminator};
use floodgate::state::{Distributor, Shard, VestingStatus, bitmap_len, is_claimed};

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

/// Decodes a distributor account.
pub fn distributor(data: &[u8]) -> Result<Distributor, ClientError> {
    zero_copy(data, "distributor")
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
