//! `claim`: the claimant proves its leaf and takes its tokens to any token account of
//! the mint it chooses. This is the path CPI integrators use.
//!
//! The accounts and the settlement are shared with `claim_for` ([`ClaimAccounts`]).

use crate::{
    constants::VESTING_SEED,
    errors::FloodgateError,
    events::Claimed,
    invoke::{Vault, create_pda_account},
    merkle::{leaf_hash, root_from_proof},
    state::{Distributor, Shard, VestingStatus, header_and_bitmap, set_claimed},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

/// A leaf and its proof.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ClaimArgs {
    /// Leaf index (position in the canonical order).
    pub index: u32,
    /// Amount paid now.
    pub unlocked: u64,
    /// Amount that vests linearly; held in the vault until withdrawn.
    pub locked: u64,
    /// Bump of the vesting status PDA (only read when `locked > 0`).
    pub vesting_bump: u8,
    /// Sibling hashes, leaf level first: exactly `depth` of them.
    pub proof: Vec<[u8; 32]>,
}

/// Accounts every claim touches, whoever signs it.
#[derive(Accounts)]
pub struct ClaimAccounts<'info> {
    /// The distributor: read-only, so claims never contend on it.
    pub distributor: AccountLoader<'info, Distributor>,

    /// The shard holding the leaf: its bitmap and counters are written.
    #[account(mut, has_one = distributor @ FloodgateError::DistributorMismatch)]
    pub shard: AccountLoader<'info, Shard>,

    /// CHECK: must be the shard's vault (checked against the stored address); the token
    /// program checks its mint and that the distributor is its authority.
    #[account(mut, address = shard.load()?.vault @ FloodgateError::VaultMismatch)]
    pub vault: UncheckedAccount<'info>,

    /// CHECK: must be the distributor's mint (checked against the stored address).
    #[account(address = distributor.load()?.mint @ FloodgateError::MintMismatch)]
    pub mint: UncheckedAccount<'info>,

    /// CHECK: any token account of the mint; the token program checks the mint.
    /// `claim_for` further requires the claimant's associated token account.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,

    /// Pays the vesting status's rent when the leaf has a locked part.
    #[account(mut)]
    pub payer: Signer<'info>,

    /// CHECK: the vesting status PDA `["vesting", distributor, index]`; required and
    /// created (address checked) only when `locked > 0`.
    #[account(mut)]
    pub vesting: Option<UncheckedAccount<'info>>,

    /// The distributor's token program.
    #[account(address = distributor.load()?.token_program @ FloodgateError::TokenProgramMismatch)]
    pub token_program: Interface<'info, TokenInterface>,

    /// Required only when `locked > 0`.
    pub system_program: Option<Program<'info, System>>,
}

#[derive(Accounts)]
pub struct Claim<'info> {
    /// The leaf's claimant: a wallet, or a program signing through CPI.
    pub claimant: Signer<'info>,
    pub common: ClaimAccounts<'info>,
}

impl Claim<'_> {
    #[inline(never)]
    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        ctx.accounts.common.settle(ctx.accounts.claimant.key, &args)
    }
}

impl<'info> ClaimAccounts<'info> {
    /// CHECK list, then the payout:
    /// 1. claims are not paused and have started;
    /// 2. `index < num_leaves` and the proof holds exactly `depth` hashes;
    /// 3. the proof leads from `leaf(index, claimant, unlocked, locked)` to the root;
    /// 4. the shard is the leaf's shard and has not been clawed back;
    /// 5. the leaf's bit is unset (then set);
    /// 6. the shard's `claimed_amount` stays within `max_total`;
    ///
    /// Then: pay `unlocked`, create the vesting status for `locked`, emit `Claimed`.
    #[inline(never)]
    pub(crate) fn settle(&self, claimant: &Pubkey, args: &ClaimArgs) -> Result<()> {
        let distributor = self.distributor.load()?;
        let now = Clock::get()?.unix_timestamp;
        // 1.
        require!(!distributor.is_paused(), FloodgateError::ClaimsPaused);
        require!(
            now >= distributor.claims_start_ts,
            FloodgateError::ClaimsNotStarted
        );
        // 2.
        require!(
            args.index < distributor.num_leaves,
            FloodgateError::IndexOutOfRange
        );
        require!(
            args.proof.len() == usize::from(distributor.depth),
            FloodgateError::InvalidProofLength
        );
        // 3.
        let leaf = leaf_hash(args.index, claimant, args.unlocked, args.locked);
        require!(
            root_from_proof(leaf, args.index, &args.proof) == distributor.root,
            FloodgateError::InvalidProof
        );
        let amount = args
            .unlocked
            .checked_add(args.locked)
            .ok_or(FloodgateError::ArithmeticOverflow)?;
        {
            let shard_info = self.shard.to_account_info();
            let mut data = shard_info.try_borrow_mut_data()?;
            let (shard, bitmap) = header_and_bitmap(&mut data)?;
            // 4.
            require!(
                distributor.shard_of(args.index) == shard.shard_index,
                FloodgateError::WrongShard
            );
            require!(!shard.is_clawed_back(), FloodgateError::ShardClawedBack);
            // 5.
            let position = args.index - (shard.shard_index << distributor.shard_bits);
            set_claimed(bitmap, position)?;
            // 6.
            shard.claimed_amount = shard
                .claimed_amount
                .checked_add(amount)
                .filter(|total| *total <= shard.max_total)
                .ok_or(FloodgateError::ShardCapExceeded)?;
            shard.claimed_count += 1; // at most leaf_count: one bit per claim
        }

        if args.unlocked > 0 {
            self.vault(&distributor)
                .pay(&self.destination, args.unlocked)?;
        }
        if args.locked > 0 {
            self.create_vesting_status(claimant, args)?;
        }
        emit!(Claimed {
            distributor: self.distributor.key(),
            claimant: *claimant,
            index: args.index,
            unlocked: args.unlocked,
            locked: args.locked,
            destination: self.destination.key(),
            payer: self.payer.key(),
        });
        Ok(())
    }

    pub(crate) fn vault<'a>(&'a self, distributor: &'a Distributor) -> Vault<'a, 'info> {
        Vault {
            authority: self.distributor.as_ref(),
            distributor,
            vault: self.vault.as_ref(),
            mint: self.mint.as_ref(),
            token_program: self.token_program.as_ref(),
        }
    }

    /// Creates `["vesting", distributor, index]` holding the leaf's locked amount.
    fn create_vesting_status(&self, claimant: &Pubkey, args: &ClaimArgs) -> Result<()> {
        let (Some(vesting), Some(_system_program)) = (&self.vesting, &self.system_program) else {
            return err!(FloodgateError::VestingAccountMissing);
        };
        let distributor_key = self.distributor.key();
        let index_bytes = args.index.to_le_bytes();
        let bump = [args.vesting_bump];
        let seeds: [&[u8]; 4] = [VESTING_SEED, distributor_key.as_ref(), &index_bytes, &bump];
        let expected = Pubkey::create_program_address(&seeds, &crate::ID)
            .map_err(|_| FloodgateError::InvalidVestingAccount)?;
        require_keys_eq!(
            vesting.key(),
            expected,
            FloodgateError::InvalidVestingAccount
        );

        create_pda_account(&self.payer, vesting, VestingStatus::SPACE, &seeds)?;
        let status = VestingStatus {
            bump: args.vesting_bump,
            index: args.index,
            distributor: distributor_key,
            claimant: *claimant,
            rent_payer: self.payer.key(),
            locked_total: args.locked,
            withdrawn: 0,
        };
        let mut data = vesting.try_borrow_mut_data()?;
        status.try_serialize(&mut &mut data[..])
    }
}
