//! The settlement of a claim, shared by both entries to the claim path: Anchor's
//! handlers (`instructions::claim`, `instructions::claim_for`) and the lean entrypoint
//! (`lean::claim`). [`record`] checks a claim against the distributor and its shard and
//! sets its bit; [`pay_out`] pays the unlocked part, creates the vesting status of the
//! locked part and logs `Claimed`. The entries differ only in how they read and check
//! their accounts; what a claim must satisfy is decided here, once
//! (`tests/tests/differential.rs` runs both entries on identical banks).

use crate::{
    bytes32::{require_same_key, same_key},
    constants::VESTING_SEED,
    errors::FloodgateError,
    events::Claimed,
    invoke::{Source, create_pda_account, pay},
    merkle::{Hash, leaf_leads_to},
    state::{Distributor, VestingStatus, header_and_bitmap, set_claimed},
};
use anchor_lang::prelude::*;

/// A leaf as a claim states it, with its proof (wherever the proof lies).
pub(crate) struct Leaf<'p> {
    pub index: u32,
    pub unlocked: u64,
    pub locked: u64,
    /// Canonical bump of the vesting status PDA (only read when `locked > 0`).
    pub vesting_bump: u8,
    pub proof: &'p [Hash],
}

/// The addresses a claim's relations are checked against.
pub(crate) struct ClaimKeys<'a> {
    pub distributor: &'a Pubkey,
    pub claimant: &'a Pubkey,
    pub vault: &'a Pubkey,
    pub destination: &'a Pubkey,
    pub mint: &'a Pubkey,
    pub token_program: &'a Pubkey,
}

/// The accounts a recorded claim pays through, from either entry to the claim path.
pub(crate) struct Payout<'a, 'info> {
    /// The distributor PDA: the vault's authority.
    pub distributor: Source<'a, 'info>,
    pub vault: Source<'a, 'info>,
    pub mint: Source<'a, 'info>,
    pub destination: Source<'a, 'info>,
    pub payer: Source<'a, 'info>,
    /// The vesting status's address, when it was passed with the system program.
    pub vesting: Option<Source<'a, 'info>>,
}

/// After [`record`], for both entries to the claim path: pays `unlocked`, creates the
/// vesting status for `locked`, and emits `Claimed`.
#[inline(always)]
pub(crate) fn pay_out(
    keys: &ClaimKeys,
    distributor: &Distributor,
    leaf: &Leaf,
    accounts: Payout,
) -> Result<()> {
    if leaf.unlocked > 0 {
        pay(
            keys.token_program,
            [
                accounts.vault,
                accounts.mint,
                accounts.destination,
                accounts.distributor,
            ],
            distributor,
            leaf.unlocked,
        )?;
    }
    crate::checkpoint!("transfer");
    if leaf.locked > 0 {
        let Some(vesting) = accounts.vesting else {
            return err!(FloodgateError::VestingAccountMissing);
        };
        create_vesting_status(keys, leaf, &distributor.root, [accounts.payer, vesting])?;
    }
    Claimed::log(
        [
            keys.distributor,
            keys.claimant,
            accounts.destination.key(),
            accounts.payer.key(),
        ],
        leaf.index,
        leaf.unlocked,
        leaf.locked,
    );
    crate::checkpoint!("event");
    Ok(())
}

/// Creates `["vesting", distributor, index]` at the leaf's `vesting_bump`, which must be
/// the canonical bump, holding its locked amount, paid by `payer`: for both entries to
/// the claim path, after [`record`].
///
/// One leaf of one distributor address has one status address, whoever claims. A
/// status left there by an earlier distributor at the same address (closed and
/// created again, maybe with the same root) therefore blocks the claim until
/// `close_vesting` removes it; with a free choice of bump, the claimant could have
/// created a second status beside it and been paid by both (SECURITY.md, G15).
#[inline(never)]
fn create_vesting_status(
    keys: &ClaimKeys,
    leaf: &Leaf,
    root: &[u8; 32],
    [payer, vesting]: [Source<'_, '_>; 2],
) -> Result<()> {
    let index_bytes = leaf.index.to_le_bytes();
    let bump = [leaf.vesting_bump];
    let seeds: [&[u8]; 4] = [VESTING_SEED, keys.distributor.as_ref(), &index_bytes, &bump];
    let expected = Pubkey::create_program_address(&seeds, &crate::ID)
        .map_err(|_| FloodgateError::InvalidVestingAccount)?;
    require_keys_eq!(
        *vesting.key(),
        expected,
        FloodgateError::InvalidVestingAccount
    );
    // Canonical: no higher bump gives an address (one create_program_address per
    // higher bump: none half of the time, one on average).
    for higher in (leaf.vesting_bump..u8::MAX).map(|b| b + 1) {
        let bump = [higher];
        let seeds: [&[u8]; 4] = [VESTING_SEED, keys.distributor.as_ref(), &index_bytes, &bump];
        require!(
            Pubkey::create_program_address(&seeds, &crate::ID).is_err(),
            FloodgateError::InvalidVestingAccount
        );
    }
    // Only this program can assign its PDA to itself: a status holds the address.
    // (Lamports alone, sent there to block the creation, are kept and topped up.)
    require!(
        !same_key(vesting.owner(), &crate::ID),
        FloodgateError::VestingAddressInUse
    );

    create_pda_account(payer, vesting, VestingStatus::SPACE, &seeds)?;
    let status = VestingStatus {
        bump: leaf.vesting_bump,
        index: leaf.index,
        distributor: *keys.distributor,
        root: *root,
        claimant: *keys.claimant,
        rent_payer: *payer.key(),
        locked_total: leaf.locked,
        withdrawn: 0,
    };
    // SAFETY: nothing else borrows the new status's data.
    unsafe { vesting.with_data_mut(|data| status.try_serialize(&mut &mut data[..])) }
}

/// Checks a claim and records it in the shard (`shard_data`, the whole account), for
/// both entries to the claim path: Anchor's (`ClaimAccounts::settle`) and the lean
/// one (`crate::lean::claim`). CHECK list:
/// 0. `claim_for` (`pushed`) only: the distributor allows it;
/// 1. the shard belongs to the distributor, and the vault, mint and token program
///    are the ones it stores; the destination is not the vault (a claim into its own
///    vault would pay nothing and still set the leaf's bit);
/// 2. claims are not paused and have started (open since the distributor's creation, or
///    the clock is past the start);
/// 3. `index < num_leaves` and the proof holds exactly `min(shard_bits, depth)` hashes;
/// 4. the shard is the leaf's shard and has not been clawed back;
/// 5. the proof leads from `leaf(index, claimant, unlocked, locked)` to the shard's
///    root, which `create_shard` proved to be the node of the distributor's root at the
///    shard's position: with 4, the leaf is proven to the distributor's root;
/// 6. the leaf's bit is unset (then set);
/// 7. the shard's `claimed_amount` stays within `max_total`.
#[inline(always)]
pub(crate) fn record(
    keys: &ClaimKeys,
    distributor: &Distributor,
    shard_data: &mut [u8],
    leaf: &Leaf,
    pushed: bool,
) -> Result<()> {
    // 0.
    require!(
        !pushed || distributor.allows_claim_for(),
        FloodgateError::ClaimForDisabled
    );
    let (shard, bitmap) = header_and_bitmap(shard_data)?;
    // 1.
    require_same_key(
        keys.distributor,
        &shard.distributor,
        FloodgateError::DistributorMismatch,
    )?;
    require_same_key(keys.vault, &shard.vault, FloodgateError::VaultMismatch)?;
    require!(
        !same_key(keys.destination, keys.vault),
        FloodgateError::DestinationIsVault
    );
    require_same_key(keys.mint, &distributor.mint, FloodgateError::MintMismatch)?;
    require_same_key(
        keys.token_program,
        &distributor.token_program,
        FloodgateError::TokenProgramMismatch,
    )?;
    // 2. (The clock is read only for a distributor created before its start.)
    require!(!distributor.is_paused(), FloodgateError::ClaimsPaused);
    require!(
        distributor.claims_started(|| Ok(Clock::get()?.unix_timestamp))?,
        FloodgateError::ClaimsNotStarted
    );
    // 3.
    require!(
        leaf.index < distributor.num_leaves,
        FloodgateError::IndexOutOfRange
    );
    require!(
        leaf.proof.len() == usize::from(distributor.shard_height()),
        FloodgateError::InvalidProofLength
    );
    // 4.
    require!(
        distributor.shard_of(leaf.index) == shard.shard_index,
        FloodgateError::WrongShard
    );
    require!(!shard.is_clawed_back(), FloodgateError::ShardClawedBack);
    crate::checkpoint!("checks");
    // 5. The fold reads the low `shard_height` bits of the index: the leaf's position
    // in its shard. The bits above are the shard's, checked in 4.
    let claimed_leaf = (leaf.index, keys.claimant, leaf.unlocked, leaf.locked);
    require!(
        leaf_leads_to(&shard.root, claimed_leaf, leaf.proof),
        FloodgateError::InvalidProof
    );
    crate::checkpoint!("proof");
    let amount = leaf
        .unlocked
        .checked_add(leaf.locked)
        .ok_or(FloodgateError::ArithmeticOverflow)?;
    // 6.
    let position = leaf.index - (shard.shard_index << distributor.shard_bits);
    set_claimed(bitmap, position)?;
    // 7.
    shard.claimed_amount = shard
        .claimed_amount
        .checked_add(amount)
        .filter(|total| *total <= shard.max_total)
        .ok_or(FloodgateError::ShardCapExceeded)?;
    shard.claimed_count += 1; // at most leaf_count: one bit per claim
    Ok(())
}
