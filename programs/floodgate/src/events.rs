//! Events for every state change: indexers follow a distributor without polling.

use anchor_lang::prelude::*;

#[event]
pub struct DistributorCreated {
    pub distributor: Pubkey,
    pub creator: Pubkey,
    pub admin: Pubkey,
    pub mint: Pubkey,
    pub root: [u8; 32],
    pub num_leaves: u32,
    pub num_shards: u32,
    pub total_amount: u64,
}

#[event]
pub struct ShardCreated {
    pub distributor: Pubkey,
    pub shard_index: u32,
    pub leaf_count: u32,
    pub max_total: u64,
    pub vault: Pubkey,
    /// The shard root it stores.
    pub root: [u8; 32],
}

/// A leaf was claimed. The addresses come first so that [`Claimed::log`] writes them
/// at 8-byte aligned offsets.
#[event]
pub struct Claimed {
    pub distributor: Pubkey,
    pub claimant: Pubkey,
    pub destination: Pubkey,
    /// Who signed and paid: the claimant for `claim`, anyone for `claim_for`.
    pub payer: Pubkey,
    pub index: u32,
    pub unlocked: u64,
    pub locked: u64,
}

/// The bytes `emit!` logs for a [`Claimed`] (discriminator, then the fields in borsh
/// order), laid out as fields so that each is one store or a few: building it costs
/// about 70 instructions, where filling a zeroed byte array with slice copies cost
/// about 400 CU on SBF.
#[repr(C, align(8))]
pub struct ClaimedBytes {
    discriminator: u64,
    /// distributor, claimant, destination, payer: 8-byte words in memory order.
    addresses: [[u64; 4]; 4],
    index: u32,
    /// At offset 140: not 8-byte aligned, so written as two little-endian `u32`s.
    unlocked: [u32; 2],
    locked: [u32; 2],
    /// Up to the alignment; not logged.
    _pad: [u8; 4],
}

const _: () = assert!(std::mem::size_of::<ClaimedBytes>() == Claimed::LEN + 4);

impl ClaimedBytes {
    /// The logged bytes.
    pub fn as_bytes(&self) -> &[u8; Claimed::LEN] {
        // SAFETY: `repr(C)` without implicit padding (the offsets are 0, 8, 136, 140,
        // 148, 156 and the size 160), every byte initialized; the first 156 bytes are
        // in bounds.
        unsafe { &*(self as *const Self).cast::<[u8; Claimed::LEN]>() }
    }
}

impl Claimed {
    /// Discriminator and fields: 8 + 4 × 32 + 4 + 8 + 8.
    pub const LEN: usize = 156;

    /// What `emit!(Claimed { .. })` logs, written from references: the addresses as
    /// aligned words, no struct built and serialized into a vector. `addresses` are
    /// distributor, claimant, destination, payer.
    #[inline(always)]
    pub fn encode(addresses: [&Pubkey; 4], index: u32, unlocked: u64, locked: u64) -> ClaimedBytes {
        let discriminator: &[u8; 8] = Self::DISCRIMINATOR.try_into().expect("8 bytes");
        ClaimedBytes {
            discriminator: u64::from_le_bytes(*discriminator).to_le(),
            addresses: addresses.map(|address| crate::bytes32::words(address.as_array())),
            index: index.to_le(),
            unlocked: le_halves(unlocked),
            locked: le_halves(locked),
            _pad: [0; 4],
        }
    }

    /// `emit!` of the encoded event.
    #[inline(always)]
    pub fn log(addresses: [&Pubkey; 4], index: u32, unlocked: u64, locked: u64) {
        let bytes = Self::encode(addresses, index, unlocked, locked);
        crate::checkpoint!("encoded");
        anchor_lang::solana_program::log::sol_log_data(&[bytes.as_bytes()]);
    }
}

/// `value`'s little-endian bytes as two `u32`s in memory order.
#[inline(always)]
fn le_halves(value: u64) -> [u32; 2] {
    [(value as u32).to_le(), ((value >> 32) as u32).to_le()]
}

#[event]
pub struct VestedWithdrawn {
    pub distributor: Pubkey,
    pub claimant: Pubkey,
    pub index: u32,
    pub amount: u64,
    pub withdrawn_total: u64,
    pub closed: bool,
}

#[event]
pub struct VestingClosed {
    pub distributor: Pubkey,
    pub claimant: Pubkey,
    pub index: u32,
    pub locked_total: u64,
    pub withdrawn: u64,
    pub rent_payer: Pubkey,
}

#[event]
pub struct ClawedBack {
    pub distributor: Pubkey,
    pub shard_index: u32,
    pub amount: u64,
    pub receiver: Pubkey,
}

#[event]
pub struct AdminChanged {
    pub distributor: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
}

#[event]
pub struct ClawbackReceiverChanged {
    pub distributor: Pubkey,
    pub old_receiver: Pubkey,
    pub new_receiver: Pubkey,
}

#[event]
pub struct PausedChanged {
    pub distributor: Pubkey,
    pub paused: bool,
}

#[event]
pub struct ShardClosed {
    pub distributor: Pubkey,
    pub shard_index: u32,
}

#[event]
pub struct DistributorClosed {
    pub distributor: Pubkey,
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event;

    #[test]
    fn encoded_claimed_is_what_emit_logs() {
        let keys: [Pubkey; 4] = std::array::from_fn(|k| Pubkey::new_from_array([k as u8 + 1; 32]));
        let event = Claimed {
            distributor: keys[0],
            claimant: keys[1],
            destination: keys[2],
            payer: keys[3],
            index: 0x0102_0304,
            unlocked: u64::MAX - 1,
            locked: 0x0506_0708_090a_0b0c,
        };
        let encoded = Claimed::encode(
            [&keys[0], &keys[1], &keys[2], &keys[3]],
            event.index,
            event.unlocked,
            event.locked,
        );
        assert_eq!(encoded.as_bytes().to_vec(), event.data());
    }
}
