//! `claim_for`: anyone pushes a leaf's tokens to the claimant's associated token
//! account, paying the fees; only when the distributor allows it. The payer creates
//! the associated token account in the same transaction if it is missing.

use crate::{
    errors::FloodgateError,
    instructions::claim::{ClaimArgs, claim_accounts},
    state::{Distributor, Shard},
};
use anchor_lang::prelude::*;
use anchor_spl::{associated_token, token_interface::TokenInterface};

/// `claim`'s accounts, with a claimant that does not sign and the claimant's associated
/// token account as the destination.
#[derive(Accounts)]
pub struct ClaimFor<'info> {
    /// CHECK: the leaf's claimant; bound by the proof, and the destination must be its
    /// associated token account. It does not sign.
    pub claimant: UncheckedAccount<'info>,

    /// The distributor: read-only, so claims never contend on it.
    pub distributor: AccountLoader<'info, Distributor>,

    /// The shard holding the leaf: its bitmap and counters are written.
    #[account(mut)]
    pub shard: AccountLoader<'info, Shard>,

    /// CHECK: must be the shard's vault (checked against the stored address).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,

    /// CHECK: must be the distributor's mint (checked against the stored address).
    pub mint: UncheckedAccount<'info>,

    /// CHECK: the claimant's associated token account (checked in `validate`).
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,

    /// Signs, pays the fees and the vesting status's rent.
    #[account(mut)]
    pub payer: Signer<'info>,

    /// CHECK: the vesting status PDA `["vesting", distributor, index]`; required and
    /// created (address checked) only when `locked > 0`.
    #[account(mut)]
    pub vesting: Option<UncheckedAccount<'info>>,

    /// The distributor's token program (checked against the stored address).
    pub token_program: Interface<'info, TokenInterface>,

    /// Required only when `locked > 0`.
    pub system_program: Option<Program<'info, System>>,
}

impl<'info> ClaimFor<'info> {
    /// CHECK: the destination is the claimant's associated token account (derived
    /// from `ata_bump`, no bump search). Then every check of `claim`, with the two of
    /// `claim_for` (the distributor allows it; a vesting status only at the canonical
    /// address) in `ClaimAccounts::settle`, from its one load of the distributor.
    #[inline(never)]
    pub fn validate(&self, ata_bump: u8) -> Result<()> {
        let ata = Pubkey::create_program_address(
            &[
                self.claimant.key.as_ref(),
                self.token_program.key.as_ref(),
                self.mint.key.as_ref(),
                &[ata_bump],
            ],
            &associated_token::ID,
        )
        .map_err(|_| FloodgateError::NotAssociatedTokenAccount)?;
        require_keys_eq!(
            self.destination.key(),
            ata,
            FloodgateError::NotAssociatedTokenAccount
        );
        Ok(())
    }

    #[inline(never)]
    pub fn handler(ctx: Context<Self>, args: ClaimArgs, _ata_bump: u8) -> Result<()> {
        claim_accounts!(ctx.accounts, pushed: true).settle(&args)
    }
}
