//! `set_clawback_receiver`: the admin points clawback at another token account.

use crate::{errors::FloodgateError, events::ClawbackReceiverChanged, state::Distributor};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(Accounts)]
pub struct SetClawbackReceiver<'info> {
    /// The distributor's admin.
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ FloodgateError::Unauthorized)]
    pub distributor: AccountLoader<'info, Distributor>,

    /// The new receiver: a token account of the distributor's mint, owned by its
    /// token program.
    #[account(
        constraint = new_receiver.mint == distributor.load()?.mint @ FloodgateError::InvalidClawbackReceiver,
        constraint = *new_receiver.to_account_info().owner == distributor.load()?.token_program @ FloodgateError::InvalidClawbackReceiver,
    )]
    pub new_receiver: InterfaceAccount<'info, TokenAccount>,
}

impl SetClawbackReceiver<'_> {
    #[inline(never)]
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let new_receiver = ctx.accounts.new_receiver.key();
        let mut distributor = ctx.accounts.distributor.load_mut()?;
        let old_receiver = std::mem::replace(&mut distributor.clawback_receiver, new_receiver);
        emit!(ClawbackReceiverChanged {
            distributor: ctx.accounts.distributor.key(),
            old_receiver,
            new_receiver,
        });
        Ok(())
    }
}
