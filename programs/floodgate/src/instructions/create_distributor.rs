//! `create_distributor`: the creator publishes a root and the rules of an airdrop.

use crate::{
    constants::*,
    errors::FloodgateError,
    events::DistributorCreated,
    merkle::depth_for,
    state::{Distributor, num_shards_for},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    Mint, TokenAccount, TokenInterface,
    spl_token_2022::extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
};

/// Everything a creator decides about a distributor.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreateDistributorArgs {
    /// Free value in the PDA seeds, so one creator can run several drops of one mint.
    pub seed: u64,
    /// Merkle root (protocol.md §1).
    pub root: [u8; 32],
    /// Tree depth: the smallest `d` with `2^d >= num_leaves`.
    pub depth: u8,
    /// Number of leaves.
    pub num_leaves: u32,
    /// `log2` of leaves per shard, at most 16.
    pub shard_bits: u8,
    /// Sum of every leaf's `unlocked + locked`.
    pub total_amount: u64,
    /// Claims open at this unix time.
    pub claims_start_ts: i64,
    /// Locked amounts vest linearly from here…
    pub vesting_start_ts: i64,
    /// …to here.
    pub vesting_end_ts: i64,
    /// Clawback opens at this time: at least one day after `vesting_end_ts`.
    pub clawback_start_ts: i64,
    /// Who administers the distributor (may be the creator).
    pub admin: Pubkey,
    /// Whether anyone may push claims with `claim_for`.
    pub allow_claim_for: bool,
}

#[derive(Accounts)]
#[instruction(args: CreateDistributorArgs)]
pub struct CreateDistributor<'info> {
    /// Pays the rent; its key is in the seeds so nobody can take the address first.
    #[account(mut)]
    pub creator: Signer<'info>,

    /// The new distributor.
    #[account(
        init,
        payer = creator,
        space = Distributor::SPACE,
        seeds = [DISTRIBUTOR_SEED, creator.key().as_ref(), mint.key().as_ref(), &args.seed.to_le_bytes()],
        bump,
    )]
    pub distributor: AccountLoader<'info, Distributor>,

    /// The mint to distribute.
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,

    /// Token account of `mint` that receives what is clawed back.
    #[account(
        constraint = clawback_receiver.mint == mint.key() @ FloodgateError::InvalidClawbackReceiver,
        token::token_program = token_program,
    )]
    pub clawback_receiver: InterfaceAccount<'info, TokenAccount>,

    /// SPL Token or Token-2022, whichever owns `mint`.
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl CreateDistributor<'_> {
    /// CHECK list:
    /// 1. tree shape: `depth <= 32` and `depth` is the minimal depth for `num_leaves`;
    /// 2. `shard_bits <= 16`;
    /// 3. `claims_start <= vesting_start <= vesting_end`, vesting no longer than 2^32 - 1 s;
    /// 4. clawback at least one day after vesting ends;
    /// 5. `total_amount > 0`;
    /// 6. the mint has no extension that makes claims impossible.
    #[inline(never)]
    pub fn validate(&self, args: &CreateDistributorArgs) -> Result<()> {
        // 1.
        require!(
            args.depth <= MAX_DEPTH && depth_for(args.num_leaves) == Some(args.depth),
            FloodgateError::InvalidTreeShape
        );
        // 2.
        require!(
            args.shard_bits <= MAX_SHARD_BITS,
            FloodgateError::InvalidShardBits
        );
        // 3.
        require!(
            args.claims_start_ts <= args.vesting_start_ts
                && args.vesting_start_ts <= args.vesting_end_ts,
            FloodgateError::InvalidTimestamps
        );
        require!(
            args.vesting_end_ts
                .checked_sub(args.vesting_start_ts)
                .is_some_and(|length| length <= MAX_VESTING_SECS),
            FloodgateError::VestingTooLong
        );
        // 4.
        let earliest_clawback = args
            .vesting_end_ts
            .checked_add(MIN_CLAWBACK_DELAY_SECS)
            .ok_or(FloodgateError::ArithmeticOverflow)?;
        require!(
            args.clawback_start_ts >= earliest_clawback,
            FloodgateError::ClawbackTooSoon
        );
        // 5.
        require!(args.total_amount > 0, FloodgateError::ZeroTotal);
        // 6.
        check_mint_extensions(&self.mint.to_account_info())
    }

    #[inline(never)]
    pub fn handler(ctx: Context<Self>, args: CreateDistributorArgs) -> Result<()> {
        let accounts = &ctx.accounts;
        let mut distributor = accounts.distributor.load_init()?;
        *distributor = Distributor {
            version: DISTRIBUTOR_VERSION,
            bump: ctx.bumps.distributor,
            paused: 0,
            allow_claim_for: u8::from(args.allow_claim_for),
            depth: args.depth,
            shard_bits: args.shard_bits,
            decimals: accounts.mint.decimals,
            open_at_creation: u8::from(args.claims_start_ts <= Clock::get()?.unix_timestamp),
            num_leaves: args.num_leaves,
            num_shards: num_shards_for(args.num_leaves, args.shard_bits),
            open_shards: 0,
            padding2: [0; 4],
            seed: args.seed.to_le_bytes(),
            total_amount: args.total_amount,
            allocated_amount: 0,
            claims_start_ts: args.claims_start_ts,
            vesting_start_ts: args.vesting_start_ts,
            vesting_end_ts: args.vesting_end_ts,
            clawback_start_ts: args.clawback_start_ts,
            creator: accounts.creator.key(),
            admin: args.admin,
            mint: accounts.mint.key(),
            token_program: accounts.token_program.key(),
            clawback_receiver: accounts.clawback_receiver.key(),
            root: args.root,
            reserved: [0; 64],
        };
        emit!(DistributorCreated {
            distributor: accounts.distributor.key(),
            creator: distributor.creator,
            admin: distributor.admin,
            mint: distributor.mint,
            root: distributor.root,
            num_leaves: distributor.num_leaves,
            num_shards: distributor.num_shards,
            total_amount: distributor.total_amount,
        });
        Ok(())
    }
}

/// Refuses Token-2022 mints whose extensions make claims impossible or dependent on
/// another program: NonTransferable and TransferHook. SPL Token mints have none.
fn check_mint_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state =
        StateWithExtensions::<anchor_spl::token_2022::spl_token_2022::state::Mint>::unpack(&data)?;
    for extension in state.get_extension_types()? {
        match extension {
            ExtensionType::NonTransferable => return err!(FloodgateError::NonTransferableMint),
            ExtensionType::TransferHook => return err!(FloodgateError::TransferHookMint),
            _ => {}
        }
    }
    Ok(())
}
