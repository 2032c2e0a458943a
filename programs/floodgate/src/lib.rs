//! Floodgate: a Merkle airdrop distributor built for surges.
//!
//! Proofs come from static files, claims are recorded in a per-shard bitmap instead of
//! a PDA per claimant, and the distributor is read-only in a claim, so claims in
//! different shards never contend for a write lock. `docs/protocol.md` is the protocol.
//!
//! The modules, from the bottom up: `constants`, `errors`, `events`, `bytes32` (aligned
//! compares), `merkle` (the hashing), `state` (the accounts), `input` (the runtime's
//! input read in place), `invoke` (outgoing calls), `settlement` (what every claim must
//! satisfy, and its payout), then the two entries: `instructions` (Anchor's handlers,
//! one module per instruction) and `lean` (the program's entrypoint, which settles the
//! claims itself and hands everything else to Anchor).

use anchor_lang::prelude::*;
#[cfg(feature = "portable-sbf")]
use solana_compiler_builtins as _;

/// Logs `label` and the compute units left, in `cu-trace` bench builds on SBF; expands to
/// nothing otherwise. Each checkpoint itself costs about 200 CU (two log syscalls).
macro_rules! checkpoint {
    ($label:literal) => {
        #[cfg(all(feature = "cu-trace", target_os = "solana"))]
        {
            ::anchor_lang::prelude::msg!(concat!("cu: ", $label));
            // SAFETY: a syscall without arguments.
            unsafe { ::solana_msg::syscalls::sol_log_compute_units_() };
        }
    };
}
pub(crate) use checkpoint;

// Where to report a vulnerability, read by explorers and `query-security-txt` from the
// deployed program (SECURITY.md, §4). Only in program builds: a crate that links the
// program as a library (`no-entrypoint`) must not carry a second copy.
#[cfg(floodgate_entrypoint)]
solana_security_txt::security_txt! {
    name: "Floodgate",
    project_url: "https://github.com/floodgate-airdrop/floodgate",
    contacts: "link:https://github.com/floodgate-airdrop/floodgate/security/advisories/new",
    policy: "https://github.com/floodgate-airdrop/floodgate/blob/main/SECURITY.md#4-reporting-a-vulnerability",
    preferred_languages: "en",
    source_code: "https://github.com/floodgate-airdrop/floodgate",
    auditors: "None"
}

pub mod bytes32;
pub mod constants;
pub mod errors;
pub mod events;
pub mod input;
pub mod instructions;
pub mod invoke;
pub mod lean;
pub mod merkle;
pub mod settlement;
pub mod state;

pub use instructions::*;

declare_id!("FLoodgatexW7Br3cmW4Lf8nHgKE7zEQPAWpW8X82zP3f");

#[program]
pub mod floodgate {
    use super::*;

    /// Creates a distributor for a Merkle root; the creator signs and pays.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_distributor(
        ctx: Context<CreateDistributor>,
        args: CreateDistributorArgs,
    ) -> Result<()> {
        CreateDistributor::handler(ctx, args)
    }

    /// Creates shard `shard_index` (bitmap and counters) and its vault, storing its
    /// root: node `shard_index` at height `min(shard_bits, depth)`, proven against the
    /// distributor's root by `upper_proof` (its `depth - min(shard_bits, depth)`
    /// siblings, lowest first); admin only.
    #[access_control(ctx.accounts.validate(shard_index, max_total, &shard_root, &upper_proof))]
    pub fn create_shard(
        ctx: Context<CreateShard>,
        shard_index: u32,
        max_total: u64,
        shard_root: [u8; 32],
        upper_proof: Vec<[u8; 32]>,
    ) -> Result<()> {
        CreateShard::handler(ctx, shard_index, max_total, shard_root)
    }

    /// The claimant proves its leaf and takes the unlocked part to a token account of
    /// its choice; a locked part starts vesting.
    pub fn claim(ctx: Context<Claim>, args: ClaimArgs) -> Result<()> {
        Claim::handler(ctx, args)
    }

    /// Anyone pushes a leaf to the claimant's associated token account, when allowed.
    #[access_control(ctx.accounts.validate(ata_bump))]
    pub fn claim_for(ctx: Context<ClaimFor>, args: ClaimArgs, ata_bump: u8) -> Result<()> {
        ClaimFor::handler(ctx, args, ata_bump)
    }

    /// The claimant withdraws what has vested of leaf `index`'s locked part.
    pub fn withdraw_vested(ctx: Context<WithdrawVested>, index: u32) -> Result<()> {
        WithdrawVested::handler(ctx, index)
    }

    /// Anyone closes a vesting status that can never pay again; rent to its payer.
    pub fn close_vesting(ctx: Context<CloseVesting>, index: u32) -> Result<()> {
        CloseVesting::handler(ctx, index)
    }

    /// After `clawback_start_ts`, anyone sends what is left in a shard to the receiver.
    #[access_control(ctx.accounts.validate())]
    pub fn clawback(ctx: Context<Clawback>, shard_index: u32) -> Result<()> {
        Clawback::handler(ctx, shard_index)
    }

    /// Hands the distributor to a new admin; admin only.
    pub fn set_admin(ctx: Context<AdminOnly>, new_admin: Pubkey) -> Result<()> {
        set_admin::handler(ctx, new_admin)
    }

    /// Points clawback at another token account of the mint; admin only.
    pub fn set_clawback_receiver(ctx: Context<SetClawbackReceiver>) -> Result<()> {
        SetClawbackReceiver::handler(ctx)
    }

    /// Stops or resumes claims; admin only.
    pub fn set_paused(ctx: Context<AdminOnly>, paused: bool) -> Result<()> {
        set_paused::handler(ctx, paused)
    }

    /// Closes a clawed-back shard and its vault; admin only, rent to the admin.
    #[access_control(ctx.accounts.validate())]
    pub fn close_shard(ctx: Context<CloseShard>, shard_index: u32) -> Result<()> {
        CloseShard::handler(ctx, shard_index)
    }

    /// Closes the distributor once every shard is closed; admin only.
    #[access_control(ctx.accounts.validate())]
    pub fn close_distributor(ctx: Context<CloseDistributor>) -> Result<()> {
        CloseDistributor::handler(ctx)
    }
}
