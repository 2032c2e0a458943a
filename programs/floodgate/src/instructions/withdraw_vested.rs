//! `withdraw_vested`: the claimant takes what has vested of a leaf's locked part. The
//! vesting status closes (rent back to whoever paid it) once everything is out.

use crate::{
    errors::FloodgateError,
    events::VestedWithdrawn,
    invoke::Vault,
    state::{Distributor, Shard, VestingStatus, leaf_claimed, vested_amount},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

#[derive(Accounts)]
#[instruction(index: u32)]
pub struct WithdrawVested<'info> {
    /// The leaf's claimant.
    pub claimant: Signer<'info>,

    pub distributor: AccountLoader<'info, Distributor>,

    /// The shard of the leaf (read-only: only its clawback flag is read).
    #[account(
        has_one = distributor @ FloodgateError::DistributorMismatch,
        constraint = shard.load()?.shard_index == distributor.load()?.shard_of(index) @ FloodgateError::WrongShard,
    )]
    pub shard: AccountLoader<'info, Shard>,

    /// CHECK: must be the shard's vault; the token program checks the rest.
    #[account(mut, address = shard.load()?.vault @ FloodgateError::VaultMismatch)]
    pub vault: UncheckedAccount<'info>,

    /// CHECK: must be the distributor's mint.
    #[account(address = distributor.load()?.mint @ FloodgateError::MintMismatch)]
    pub mint: UncheckedAccount<'info>,

    /// CHECK: any token account of the mint, chosen by the claimant.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,

    /// The leaf's vesting status.
    #[account(
        mut,
        has_one = distributor @ FloodgateError::DistributorMismatch,
        has_one = claimant @ FloodgateError::ClaimantMismatch,
        has_one = rent_payer @ FloodgateError::RentPayerMismatch,
        constraint = vesting.index == index @ FloodgateError::InvalidVestingAccount,
    )]
    pub vesting: Account<'info, VestingStatus>,

    /// CHECK: the account that paid the vesting status's rent (checked by `has_one`);
    /// receives it back when the status closes.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,

    #[account(address = distributor.load()?.token_program @ FloodgateError::TokenProgramMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl WithdrawVested<'_> {
    /// CHECK list (besides the account constraints):
    /// 1. the shard has not been clawed back;
    /// 2. the status is this distributor's, not one left by an earlier distributor at
    ///    the same address (closed, then created again): its root is the distributor's
    ///    root, and its leaf's bit is set in the shard (a status is created by the
    ///    claim that sets the bit; a same-root successor starts with the bit clear);
    /// 3. something has vested that was not withdrawn.
    #[inline(never)]
    pub fn handler(ctx: Context<Self>, index: u32) -> Result<()> {
        let accounts = &ctx.accounts;
        let distributor = accounts.distributor.load()?;
        {
            let shard = accounts.shard.load()?;
            // 1.
            require!(!shard.is_clawed_back(), FloodgateError::ShardClawedBack);
            // 2. (`index` is in this shard: checked by the constraint on `shard`.)
            require!(
                accounts.vesting.root == distributor.root,
                FloodgateError::StaleVestingStatus
            );
            let position = index - (shard.shard_index << distributor.shard_bits);
            let data = accounts.shard.as_ref().try_borrow_data()?;
            require!(
                leaf_claimed(&data, &shard, position),
                FloodgateError::StaleVestingStatus
            );
        }
        let now = Clock::get()?.unix_timestamp;
        let vesting = &accounts.vesting;
        let vested = vested_amount(
            vesting.locked_total,
            distributor.vesting_start_ts,
            distributor.vesting_end_ts,
            now,
        )?;
        // 3.
        let amount = vested.saturating_sub(vesting.withdrawn);
        require!(amount > 0, FloodgateError::NothingToWithdraw);

        Vault {
            authority: accounts.distributor.as_ref(),
            distributor: &distributor,
            vault: accounts.vault.as_ref(),
            mint: accounts.mint.as_ref(),
            token_program: accounts.token_program.as_ref(),
        }
        .pay(&accounts.destination, amount)?;

        let withdrawn_total = vesting.withdrawn + amount; // <= locked_total
        let closed = withdrawn_total == vesting.locked_total;
        emit!(VestedWithdrawn {
            distributor: accounts.distributor.key(),
            claimant: vesting.claimant,
            index,
            amount,
            withdrawn_total,
            closed,
        });
        drop(distributor);
        let vesting = &mut ctx.accounts.vesting;
        vesting.withdrawn = withdrawn_total;
        if closed {
            vesting.close(ctx.accounts.rent_payer.to_account_info())?;
        }
        Ok(())
    }
}
