//! `create_shard`: the admin creates one shard (bitmap + counters) and its vault, and
//! stores the shard root, which it proves against the distributor's root.
//!
//! Funding is a plain token transfer into the vault, done by the client.

use crate::{
    constants::{SHARD_SEED, VAULT_SEED},
    errors::FloodgateError,
    events::ShardCreated,
    merkle::{Hash, proof_leads_to},
    state::{Distributor, Shard},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
#[instruction(shard_index: u32)]
pub struct CreateShard<'info> {
    /// The distributor's admin; pays the rent of the shard and its vault.
    #[account(mut)]
    pub admin: Signer<'info>,

    /// Gains one open shard and `max_total` of allocation.
    #[account(mut, has_one = admin @ FloodgateError::Unauthorized)]
    pub distributor: AccountLoader<'info, Distributor>,

    /// The new shard: header plus one bit per leaf.
    #[account(
        init,
        payer = admin,
        space = Shard::space(
            distributor.load()?.shard_leaf_count(shard_index).ok_or(FloodgateError::ShardIndexOutOfRange)?
        ),
        seeds = [SHARD_SEED, distributor.key().as_ref(), &shard_index.to_le_bytes()],
        bump,
    )]
    pub shard: AccountLoader<'info, Shard>,

    /// The shard's vault, owned by the distributor PDA.
    #[account(
        init,
        payer = admin,
        seeds = [VAULT_SEED, shard.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = distributor,
        token::token_program = token_program,
    )]
    pub vault: InterfaceAccount<'info, TokenAccount>,

    /// The distributor's mint.
    #[account(address = distributor.load()?.mint @ FloodgateError::MintMismatch)]
    pub mint: InterfaceAccount<'info, Mint>,

    /// The distributor's token program. No `address` check here: Anchor runs the vault's
    /// `init` before plain constraints, and that CPI already fails with
    /// `IncorrectProgramId` unless this program owns the (checked) mint.
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl CreateShard<'_> {
    /// CHECK list:
    /// 1. `max_total > 0`;
    /// 2. the allocation of all shards stays within `total_amount`;
    /// 3. clawback has not opened. A shard is closed only after its clawback, so this
    ///    is what stops a closed shard from coming back with an empty bitmap (and its
    ///    leaves from being paid twice);
    /// 4. `upper_proof` holds exactly `depth - min(shard_bits, depth)` hashes;
    /// 5. it leads from `shard_root`, as node `shard_index` at height
    ///    `min(shard_bits, depth)`, to the distributor's root. Then the stored root is
    ///    the one node of the tree that covers exactly this shard's leaves, and a claim
    ///    proven to it is a claim proven to the distributor's root (SECURITY.md, I9).
    ///
    /// (`shard_index < num_shards` is checked when sizing the account.)
    #[inline(never)]
    pub fn validate(
        &self,
        shard_index: u32,
        max_total: u64,
        shard_root: &Hash,
        upper_proof: &[Hash],
    ) -> Result<()> {
        // 1.
        require!(max_total > 0, FloodgateError::InvalidMaxTotal);
        // 2.
        let distributor = self.distributor.load()?;
        let allocated = distributor
            .allocated_amount
            .checked_add(max_total)
            .ok_or(FloodgateError::ShardOverAllocated)?;
        require!(
            allocated <= distributor.total_amount,
            FloodgateError::ShardOverAllocated
        );
        // 3.
        require!(
            Clock::get()?.unix_timestamp < distributor.clawback_start_ts,
            FloodgateError::ShardAfterClawback
        );
        // 4.
        require!(
            upper_proof.len() == usize::from(distributor.depth - distributor.shard_height()),
            FloodgateError::InvalidShardProofLength
        );
        // 5. Above the shard, the path bits of any of its leaves are the bits of
        // `shard_index` (at height `depth` and over, `shard_index` is 0: one shard).
        require!(
            proof_leads_to(&distributor.root, *shard_root, shard_index, upper_proof),
            FloodgateError::InvalidShardRoot
        );
        Ok(())
    }

    #[inline(never)]
    pub fn handler(
        ctx: Context<Self>,
        shard_index: u32,
        max_total: u64,
        shard_root: Hash,
    ) -> Result<()> {
        let accounts = &ctx.accounts;
        let mut distributor = accounts.distributor.load_mut()?;
        distributor.allocated_amount += max_total; // bounded by validate()
        distributor.open_shards += 1; // at most num_shards (one PDA per index)
        let leaf_count = distributor
            .shard_leaf_count(shard_index)
            .ok_or(FloodgateError::ShardIndexOutOfRange)?;

        // The bitmap after the header starts as zeros: nothing claimed.
        let mut shard = accounts.shard.load_init()?;
        *shard = Shard {
            bump: ctx.bumps.shard,
            vault_bump: ctx.bumps.vault,
            clawed_back: 0,
            padding: [0; 1],
            shard_index,
            leaf_count,
            claimed_count: 0,
            max_total,
            claimed_amount: 0,
            clawed_back_amount: 0,
            distributor: accounts.distributor.key(),
            vault: accounts.vault.key(),
            root: shard_root,
        };
        emit!(ShardCreated {
            distributor: shard.distributor,
            shard_index,
            leaf_count,
            max_total,
            vault: shard.vault,
            root: shard_root,
        });
        Ok(())
    }
}
