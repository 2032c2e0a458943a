//! `close_distributor`: the admin closes the distributor once every shard is closed,
//! after clawback has opened (or at any time if no shard was ever created).

use crate::{errors::FloodgateError, events::DistributorClosed, state::Distributor};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CloseDistributor<'info> {
    /// The distributor's admin; receives the rent.
    #[account(mut)]
    pub admin: Signer<'info>,

    #[account(mut, close = admin, has_one = admin @ FloodgateError::Unauthorized)]
    pub distributor: AccountLoader<'info, Distributor>,
}

impl CloseDistributor<'_> {
    /// CHECK list:
    /// 1. clawback has opened, unless no shard was ever created;
    /// 2. no shard is open (so no vault is left without its authority).
    #[inline(never)]
    pub fn validate(&self) -> Result<()> {
        let distributor = self.distributor.load()?;
        // 1.
        let now = Clock::get()?.unix_timestamp;
        require!(
            distributor.allocated_amount == 0 || now >= distributor.clawback_start_ts,
            FloodgateError::ClawbackTooEarly
        );
        // 2.
        require!(
            distributor.open_shards == 0,
            FloodgateError::ShardsStillOpen
        );
        Ok(())
    }

    #[inline(never)]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        emit!(DistributorClosed {
            distributor: ctx.accounts.distributor.key(),
        });
        Ok(())
    }
}
