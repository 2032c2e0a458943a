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

#[event]
pub struct Claimed {
    pub distributor: Pubkey,
    pub claimant: Pubkey,
    pub index: u32,
    pub unlocked: u64,
    pub locked: u64,
    pub destination: Pubkey,
    /// Who signed and paid: the claimant for `claim`, anyone for `claim_for`.
    pub payer: Pubkey,
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
