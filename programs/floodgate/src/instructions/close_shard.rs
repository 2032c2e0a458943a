//! `close_shard`: after clawback, the admin closes a shard and its vault and takes the
//! rent back. Tokens sent to the vault after the clawback are swept to the receiver.

use crate::{
    errors::FloodgateError,
    events::ShardClosed,
    invoke::Vault,
    state::{Distributor, Shard},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

#[derive(Accounts)]
#[instruction(shard_index: u32)]
pub struct CloseShard<'info> {
    /// The distributor's admin; receives the rent.
    #[account(mut)]
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ FloodgateError::Unauthorized)]
    pub distributor: AccountLoader<'info, Distributor>,

    #[account(
        mut,
        close = admin,
        has_one = distributor @ FloodgateError::DistributorMismatch,
        constraint = shard.load()?.shard_index == shard_index @ FloodgateError::WrongShard,
    )]
    pub shard: AccountLoader<'info, Shard>,

    /// The shard's vault, closed here.
    #[account(mut, address = shard.load()?.vault @ FloodgateError::VaultMismatch)]
    pub vault: InterfaceAccount<'info, TokenAccount>,

    /// CHECK: must be the distributor's mint.
    #[account(address = distributor.load()?.mint @ FloodgateError::MintMismatch)]
    pub mint: UncheckedAccount<'info>,

    /// CHECK: must be the distributor's clawback receiver; gets any late deposit.
    #[account(mut, address = distributor.load()?.clawback_receiver @ FloodgateError::ClawbackReceiverMismatch)]
    pub clawback_receiver: UncheckedAccount<'info>,

    #[account(address = distributor.load()?.token_program @ FloodgateError::TokenProgramMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl CloseShard<'_> {
    /// CHECK list: 1. the shard has been clawed back.
    #[inline(never)]
    pub fn validate(&self) -> Result<()> {
        require!(
            self.shard.load()?.is_clawed_back(),
            FloodgateError::ShardNotClawedBack
        );
        Ok(())
    }

    #[inline(never)]
    pub fn handler(ctx: Context<Self>, shard_index: u32) -> Result<()> {
        let accounts = &ctx.accounts;
        {
            let distributor = accounts.distributor.load()?;
            let vault = Vault {
                authority: accounts.distributor.as_ref(),
                distributor: &distributor,
                vault: accounts.vault.as_ref(),
                mint: accounts.mint.as_ref(),
                token_program: accounts.token_program.as_ref(),
            };
            if accounts.vault.amount > 0 {
                vault.pay(&accounts.clawback_receiver, accounts.vault.amount)?;
            }
            vault.close(accounts.admin.as_ref())?;
        }
        accounts.distributor.load_mut()?.open_shards -= 1; // this shard was open
        emit!(ShardClosed {
            distributor: accounts.distributor.key(),
            shard_index,
        });
        Ok(())
    }
}
