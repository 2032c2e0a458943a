//! `close_vesting`: anyone closes a vesting status that can never pay again, and its
//! rent goes back to whoever paid it. Such statuses are left when a shard is clawed
//! back before everything vested was withdrawn (the clawback took the rest), and by an
//! earlier distributor at the same address.

use crate::{
    constants::SHARD_SEED,
    errors::FloodgateError,
    events::VestingClosed,
    state::{Distributor, Shard, VestingStatus, leaf_claimed},
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(index: u32)]
pub struct CloseVesting<'info> {
    /// The status, closed here.
    #[account(
        mut,
        close = rent_payer,
        has_one = rent_payer @ FloodgateError::RentPayerMismatch,
        constraint = vesting.index == index @ FloodgateError::InvalidVestingAccount,
    )]
    pub vesting: Account<'info, VestingStatus>,

    /// CHECK: the account that paid the status's rent (checked by `has_one`); gets it back.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,

    /// CHECK: the status's distributor address (checked); it may no longer exist.
    #[account(address = vesting.distributor @ FloodgateError::DistributorMismatch)]
    pub distributor: UncheckedAccount<'info>,

    /// CHECK: the leaf's shard address `["shard", distributor, index >> shard_bits]`
    /// (checked when the distributor exists); it may no longer exist.
    pub shard: UncheckedAccount<'info>,
}

impl CloseVesting<'_> {
    #[inline(never)]
    pub fn handler(ctx: Context<Self>, index: u32) -> Result<()> {
        require!(
            ctx.accounts.can_never_pay(index)?,
            FloodgateError::VestingStillPayable
        );
        let vesting = &ctx.accounts.vesting;
        emit!(VestingClosed {
            distributor: vesting.distributor,
            claimant: vesting.claimant,
            index,
            locked_total: vesting.locked_total,
            withdrawn: vesting.withdrawn,
            rent_payer: vesting.rent_payer,
        });
        Ok(())
    }

    /// A status can never pay again when `withdraw_vested` would refuse it forever:
    /// 1. its distributor is closed (every shard was closed first, after its clawback);
    /// 2. the distributor at its address now has another root;
    /// 3. its shard is closed (only ever after its clawback) or clawed back;
    /// 4. its leaf's bit is clear in the shard (a same-root successor distributor: the
    ///    leaf can never be claimed there while this status holds its address).
    ///
    /// Otherwise the status is its claimant's and stays.
    fn can_never_pay(&self, index: u32) -> Result<bool> {
        let distributor_info: &AccountInfo = self.distributor.as_ref();
        // 1.
        if is_closed(distributor_info) {
            return Ok(true);
        }
        let distributor_data = distributor_info.try_borrow_data()?;
        let distributor: &Distributor = zero_copy_header(&distributor_data)?;
        // 2.
        if distributor.root != self.vesting.root {
            return Ok(true);
        }
        let shard_index = distributor.shard_of(index);
        let (shard_address, _) = Pubkey::find_program_address(
            &[
                SHARD_SEED,
                distributor_info.key.as_ref(),
                &shard_index.to_le_bytes(),
            ],
            &crate::ID,
        );
        require_keys_eq!(self.shard.key(), shard_address, FloodgateError::WrongShard);
        let shard_info: &AccountInfo = self.shard.as_ref();
        // 3.
        if is_closed(shard_info) {
            return Ok(true);
        }
        let data = shard_info.try_borrow_data()?;
        let shard: &Shard = zero_copy_header(&data)?;
        if shard.is_clawed_back() {
            return Ok(true);
        }
        // 4.
        let position = index - (shard_index << distributor.shard_bits);
        Ok(!leaf_claimed(&data, shard, position))
    }
}

/// The zero-copy `T` after the discriminator of an account this program owns.
fn zero_copy_header<T: bytemuck::Pod + Discriminator>(data: &[u8]) -> Result<&T> {
    let end = 8 + std::mem::size_of::<T>();
    require!(
        data.len() >= end && data[..8] == *T::DISCRIMINATOR,
        ErrorCode::AccountDiscriminatorMismatch
    );
    bytemuck::try_from_bytes(&data[8..end]).map_err(|_| error!(ErrorCode::AccountDidNotDeserialize))
}

/// Closed by this program (or never created): not its account, or no data.
fn is_closed(account: &AccountInfo) -> bool {
    account.owner != &crate::ID || account.data_is_empty()
}
