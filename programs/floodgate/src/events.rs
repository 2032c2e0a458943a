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

/// The bytes `emit!` logs for a [`Claimed`]: discriminator, then the fields in borsh
/// order, in an 8-byte aligned buffer.
#[repr(C, align(8))]
pub struct ClaimedBytes(pub [u8; Claimed::LEN]);

impl Claimed {
    /// Discriminator and fields: 8 + 4 × 32 + 4 + 8 + 8.
    pub const LEN: usize = 156;

    /// What `emit!(Claimed { .. })` logs, written from references: four 32-byte copies
    /// (eight aligned words each) instead of building the struct and serializing it
    /// into a vector. `addresses` are distributor, claimant, destination, payer.
    #[inline(always)]
    pub fn encode(addresses: [&Pubkey; 4], index: u32, unlocked: u64, locked: u64) -> ClaimedBytes {
        let mut out = ClaimedBytes([0; Self::LEN]);
        out.0[..8].copy_from_slice(Self::DISCRIMINATOR);
        for (k, address) in addresses.into_iter().enumerate() {
            let at = 8 + 32 * k;
            let slot: &mut [u8; 32] = (&mut out.0[at..at + 32]).try_into().expect("32 bytes");
            crate::bytes32::copy(slot, address.as_array());
        }
        out.0[136..140].copy_from_slice(&index.to_le_bytes());
        out.0[140..148].copy_from_slice(&unlocked.to_le_bytes());
        out.0[148..156].copy_from_slice(&locked.to_le_bytes());
        out
    }

    /// `emit!` of the encoded event.
    #[inline(always)]
    pub fn log(addresses: [&Pubkey; 4], index: u32, unlocked: u64, locked: u64) {
        let bytes = Self::encode(addresses, index, unlocked, locked);
        anchor_lang::solana_program::log::sol_log_data(&[&bytes.0]);
    }
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
        assert_eq!(encoded.0.to_vec(), event.data());
    }
}
