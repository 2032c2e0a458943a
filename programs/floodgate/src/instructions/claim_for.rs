//! `claim_for`: anyone pushes a leaf's tokens to the claimant's associated token
//! account, paying the fees; only when the distributor allows it. The payer creates
//! the associated token account in the same transaction if it is missing.

use crate::{errors::FloodgateError, instructions::claim::*};
use anchor_lang::prelude::*;
use anchor_spl::associated_token;

#[derive(Accounts)]
pub struct ClaimFor<'info> {
    /// CHECK: the leaf's claimant; bound by the proof, and the destination must be its
    /// associated token account. It does not sign.
    pub claimant: UncheckedAccount<'info>,
    pub common: ClaimAccounts<'info>,
}

impl ClaimFor<'_> {
    /// CHECK list:
    /// 1. the distributor allows `claim_for`;
    /// 2. the destination is the claimant's associated token account (derived from
    ///    `ata_bump`, no bump search);
    ///
    /// Then every check of `claim`.
    #[inline(never)]
    pub fn validate(&self, ata_bump: u8) -> Result<()> {
        let common = &self.common;
        // 1.
        require!(
            common.distributor.load()?.allows_claim_for(),
            FloodgateError::ClaimForDisabled
        );
        // 2.
        let ata = Pubkey::create_program_address(
            &[
                self.claimant.key.as_ref(),
                common.token_program.key.as_ref(),
                common.mint.key.as_ref(),
                &[ata_bump],
            ],
            &associated_token::ID,
        )
        .map_err(|_| FloodgateError::NotAssociatedTokenAccount)?;
        require_keys_eq!(
            common.destination.key(),
            ata,
            FloodgateError::NotAssociatedTokenAccount
        );
        Ok(())
    }

    #[inline(never)]
    pub fn handler(ctx: Context<Self>, args: ClaimArgs, _ata_bump: u8) -> Result<()> {
        ctx.accounts.common.settle(ctx.accounts.claimant.key, &args)
    }
}
