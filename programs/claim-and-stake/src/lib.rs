//! claim-and-stake: an example of a program that claims from Floodgate through CPI.
//!
//! `claim_and_stake` claims the signing user's leaf straight into a pool token account
//! owned by this program and records the stake, in one instruction. `claim_as_pool`
//! claims a leaf whose claimant is this program's own PDA, signing with
//! `invoke_signed`. What an integrator must check is in `docs/integrate.md`.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use floodgate::{cpi::accounts as floodgate_accounts, instructions::ClaimArgs, program::Floodgate};
#[cfg(feature = "portable-sbf")]
use solana_compiler_builtins as _;

declare_id!("CLaimStakeMASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4de");

/// Seed of the program's authority PDA: owner of every pool, and a claimant in trees
/// that allocate to the program itself.
pub const AUTHORITY_SEED: &[u8] = b"authority";
/// Seed of the pool token account of a mint: `["pool", mint]`.
pub const POOL_SEED: &[u8] = b"pool";
/// Seed of a user's stake record: `["stake", distributor, user]`.
pub const STAKE_SEED: &[u8] = b"stake";

#[program]
pub mod claim_and_stake {
    use super::*;

    /// Creates the pool token account of `mint`, owned by the authority PDA.
    pub fn init_pool(_ctx: Context<InitPool>) -> Result<()> {
        Ok(())
    }

    /// Claims the user's leaf from Floodgate into the pool and records what arrived as
    /// the user's stake. The user signs the outer transaction; Floodgate sees that
    /// signature through the CPI.
    pub fn claim_and_stake(ctx: Context<ClaimAndStake>, args: ClaimArgs) -> Result<()> {
        let accounts = ctx.accounts;
        let before = accounts.claim.pool.amount;
        let claimant = accounts.user.to_account_info();
        floodgate::cpi::claim(
            accounts
                .claim
                .floodgate_cpi(claimant, &accounts.system_program, &[]),
            args,
        )?;
        // Count what arrived, not the leaf's amount: a Token-2022 transfer fee takes a cut.
        accounts.claim.pool.reload()?;
        let staked = accounts.claim.pool.amount - before;
        let (owner, distributor) = (accounts.user.key(), accounts.claim.distributor.key());
        accounts.stake.set_inner(Stake {
            owner,
            distributor,
            amount: staked,
            bump: ctx.bumps.stake,
        });
        emit!(Staked {
            owner,
            distributor,
            amount: staked
        });
        Ok(())
    }

    /// Claims a leaf whose claimant is this program's authority PDA into its pool.
    pub fn claim_as_pool(ctx: Context<ClaimAsPool>, args: ClaimArgs) -> Result<()> {
        let bump = [ctx.bumps.authority];
        let seeds: &[&[u8]] = &[AUTHORITY_SEED, &bump];
        let claimant = ctx.accounts.authority.to_account_info();
        let accounts = &ctx.accounts;
        floodgate::cpi::claim(
            accounts
                .claim
                .floodgate_cpi(claimant, &accounts.system_program, &[seeds]),
            args,
        )
    }
}

#[derive(Accounts)]
pub struct InitPool<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: the authority PDA; it only owns token accounts.
    #[account(seeds = [AUTHORITY_SEED], bump)]
    pub authority: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        seeds = [POOL_SEED, mint.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = authority,
        token::token_program = token_program,
    )]
    pub pool: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// The Floodgate accounts of a claim into the pool; Floodgate checks every relation.
#[derive(Accounts)]
pub struct PoolClaim<'info> {
    /// Pays the rent of a vesting status, if the leaf has a locked part.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The pool of the distributor's mint: the claim's destination.
    #[account(mut, seeds = [POOL_SEED, mint.key().as_ref()], bump)]
    pub pool: InterfaceAccount<'info, TokenAccount>,
    /// CHECK: Floodgate's distributor (checked by Floodgate).
    pub distributor: UncheckedAccount<'info>,
    /// CHECK: the leaf's shard (checked by Floodgate).
    #[account(mut)]
    pub shard: UncheckedAccount<'info>,
    /// CHECK: the shard's vault (checked by Floodgate).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the distributor's mint (checked by Floodgate).
    pub mint: UncheckedAccount<'info>,
    /// CHECK: the leaf's vesting status when it has a locked part (checked by Floodgate).
    #[account(mut)]
    pub vesting: Option<UncheckedAccount<'info>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub floodgate_program: Program<'info, Floodgate>,
}

impl<'info> PoolClaim<'info> {
    /// A CPI context for `floodgate::claim` from `claimant` into the pool.
    fn floodgate_cpi<'a, 'b, 'c>(
        &self,
        claimant: AccountInfo<'info>,
        system_program: &Program<'info, System>,
        signer_seeds: &'a [&'b [&'c [u8]]],
    ) -> CpiContext<'a, 'b, 'c, 'info, floodgate_accounts::Claim<'info>> {
        let accounts = floodgate_accounts::Claim {
            claimant,
            distributor: self.distributor.to_account_info(),
            shard: self.shard.to_account_info(),
            vault: self.vault.to_account_info(),
            mint: self.mint.to_account_info(),
            destination: self.pool.to_account_info(),
            payer: self.payer.to_account_info(),
            vesting: self.vesting.as_ref().map(|v| v.to_account_info()),
            token_program: self.token_program.to_account_info(),
            system_program: Some(system_program.to_account_info()),
        };
        // Optional accounts left out (`vesting` when the leaf has no locked part) are
        // passed as the Floodgate program id, so its account goes with the account infos.
        CpiContext::new_with_signer(self.floodgate_program.key(), accounts, signer_seeds)
            .with_remaining_accounts(vec![self.floodgate_program.to_account_info()])
    }
}

#[derive(Accounts)]
pub struct ClaimAndStake<'info> {
    /// The leaf's claimant; pays for its stake record.
    #[account(mut)]
    pub user: Signer<'info>,
    /// The user's stake from this distributor (one leaf per user per distributor).
    #[account(
        init,
        payer = user,
        space = 8 + Stake::INIT_SPACE,
        seeds = [STAKE_SEED, claim.distributor.key().as_ref(), user.key().as_ref()],
        bump,
    )]
    pub stake: Account<'info, Stake>,
    pub claim: PoolClaim<'info>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct ClaimAsPool<'info> {
    /// CHECK: this program's authority PDA: the leaf's claimant, signed for here.
    #[account(seeds = [AUTHORITY_SEED], bump)]
    pub authority: UncheckedAccount<'info>,
    pub claim: PoolClaim<'info>,
    pub system_program: Program<'info, System>,
}

/// A user's stake.
#[account]
#[derive(InitSpace)]
pub struct Stake {
    pub owner: Pubkey,
    pub distributor: Pubkey,
    /// What arrived in the pool for this user.
    pub amount: u64,
    pub bump: u8,
}

#[event]
pub struct Staked {
    pub owner: Pubkey,
    pub distributor: Pubkey,
    pub amount: u64,
}
