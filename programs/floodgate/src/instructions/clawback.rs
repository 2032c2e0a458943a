//! `clawback`: after `clawback_start_ts`, anyone moves what is left in a shard's vault
//! to the clawback receiver; the shard then refuses every claim.

use crate::{
    errors::FloodgateError,
    events::ClawedBack,
    invoke::Vault,
    state::{Distributor, Shard},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

#[derive(Accounts)]
#[instruction(shard_index: u32)]
pub struct Clawback<'info> {
    pub distributor: AccountLoader<'info, Distributor>,

    /// The shard to claw back; marked so no claim succeeds after.
    #[account(
        mut,
        has_one = distributor @ FloodgateError::DistributorMismatch,
        constraint = shard.load()?.shard_index == shard_index @ FloodgateError::WrongShard,
    )]
    pub shard: AccountLoader<'info, Shard>,

    /// The shard's vault: everything in it moves.
    #[account(mut, address = shard.load()?.vault @ FloodgateError::VaultMismatch)]
    pub vault: InterfaceAccount<'info, TokenAccount>,

    /// CHECK: must be the distributor's mint.
    #[account(address = distributor.load()?.mint @ FloodgateError::MintMismatch)]
    pub mint: UncheckedAccount<'info>,

    /// CHECK: must be the distributor's clawback receiver (a token account of the mint).
    #[account(mut, address = distributor.load()?.clawback_receiver @ FloodgateError::ClawbackReceiverMismatch)]
    pub clawback_receiver: UncheckedAccount<'info>,

    #[account(address = distributor.load()?.token_program @ FloodgateError::TokenProgramMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl Clawback<'_> {
    /// CHECK list:
    /// 1. `clawback_start_ts` has passed;
    /// 2. the shard has not been clawed back already.
    #[inline(never)]
    pub fn validate(&self) -> Result<()> {
        // 1.
        let now = Clock::get()?.unix_timestamp;
        require!(
            now >= self.distributor.load()?.clawback_start_ts,
            FloodgateError::ClawbackTooEarly
        );
        // 2.
        require!(
            !self.shard.load()?.is_clawed_back(),
            FloodgateError::AlreadyClawedBack
        );
        Ok(())
    }

    #[inline(never)]
    pub fn handler(ctx: Context<Self>, shard_index: u32) -> Result<()> {
        let accounts = &ctx.accounts;
        let distributor = accounts.distributor.load()?;
        let amount = accounts.vault.amount;
        if amount > 0 {
            Vault {
                authority: accounts.distributor.as_ref(),
                distributor: &distributor,
                vault: accounts.vault.as_ref(),
                mint: accounts.mint.as_ref(),
                token_program: accounts.token_program.as_ref(),
            }
            .pay(&accounts.clawback_receiver, amount)?;
        }
        let mut shard = accounts.shard.load_mut()?;
        shard.clawed_back = 1;
        shard.clawed_back_amount = amount;
        emit!(ClawedBack {
            distributor: accounts.distributor.key(),
            shard_index,
            amount,
            receiver: distributor.clawback_receiver,
        });
        Ok(())
    }
}
