//! Every error the program returns. Codes are public API: append, never reorder.

use anchor_lang::prelude::*;

#[error_code]
pub enum FloodgateError {
    // --- create_distributor ---
    #[msg("depth must be at most 32 and the smallest d with 2^d >= num_leaves (num_leaves >= 1)")]
    InvalidTreeShape,
    #[msg("shard_bits must be at most 16")]
    InvalidShardBits,
    #[msg("timestamps must satisfy claims_start <= vesting_start <= vesting_end")]
    InvalidTimestamps,
    #[msg("clawback must start at least one day after vesting ends")]
    ClawbackTooSoon,
    #[msg("vesting may last at most 2^32 - 1 seconds")]
    VestingTooLong,
    #[msg("total_amount must be greater than zero")]
    ZeroTotal,
    #[msg("the mint is non-transferable: claims could never be paid")]
    NonTransferableMint,
    #[msg("the mint has a transfer hook: claims would depend on another program")]
    TransferHookMint,
    #[msg("the clawback receiver must be a token account of the distributor's mint")]
    InvalidClawbackReceiver,
    // --- create_shard ---
    #[msg("shard_index is not below the distributor's shard count")]
    ShardIndexOutOfRange,
    #[msg("max_total must be greater than zero")]
    InvalidMaxTotal,
    #[msg("the shards' max_total would add up to more than the distributor's total_amount")]
    ShardOverAllocated,
    // --- access ---
    #[msg("only the distributor's admin may do this")]
    Unauthorized,
    // --- claim ---
    #[msg("claims are paused")]
    ClaimsPaused,
    #[msg("claims have not started")]
    ClaimsNotStarted,
    #[msg("the shard has been clawed back")]
    ShardClawedBack,
    #[msg("leaf index is not below num_leaves")]
    IndexOutOfRange,
    #[msg("the leaf index does not belong to this shard")]
    WrongShard,
    #[msg(
        "the proof must hold exactly min(shard_bits, depth) hashes: from the leaf to its shard's root"
    )]
    InvalidProofLength,
    #[msg("the proof does not lead from this leaf to its shard's root")]
    InvalidProof,
    #[msg("this leaf has already been claimed")]
    AlreadyClaimed,
    #[msg("the claim would take the shard past its max_total")]
    ShardCapExceeded,
    #[msg("arithmetic overflow")]
    ArithmeticOverflow,
    #[msg("the leaf has a locked amount: pass its vesting status account and the system program")]
    VestingAccountMissing,
    #[msg("the vesting status account is not the PDA of this distributor and index")]
    InvalidVestingAccount,
    #[msg("this distributor does not allow claim_for")]
    ClaimForDisabled,
    #[msg("the destination is not the claimant's associated token account")]
    NotAssociatedTokenAccount,
    // --- withdraw_vested ---
    #[msg("nothing has vested that was not already withdrawn")]
    NothingToWithdraw,
    // --- clawback / close ---
    #[msg("clawback has not started")]
    ClawbackTooEarly,
    #[msg("the shard has already been clawed back")]
    AlreadyClawedBack,
    #[msg("the shard must be clawed back first")]
    ShardNotClawedBack,
    #[msg("every shard must be closed first")]
    ShardsStillOpen,
    // --- account relations ---
    #[msg("the account belongs to another distributor")]
    DistributorMismatch,
    #[msg("the vault is not this shard's vault")]
    VaultMismatch,
    #[msg("the mint is not the distributor's mint")]
    MintMismatch,
    #[msg("the token program is not the distributor's token program")]
    TokenProgramMismatch,
    #[msg("the account is not the distributor's clawback receiver")]
    ClawbackReceiverMismatch,
    #[msg("the vesting status belongs to another claimant")]
    ClaimantMismatch,
    #[msg("the rent receiver is not the account that paid for the vesting status")]
    RentPayerMismatch,
    // --- create_shard (added after the list above; codes never move) ---
    #[msg("no shard can be created once clawback has opened")]
    ShardAfterClawback,
    // --- withdraw_vested ---
    #[msg(
        "the vesting status was left by an earlier distributor at this address (another root, or its leaf is not claimed here)"
    )]
    StaleVestingStatus,
    // --- close_vesting ---
    #[msg("the vesting status can still pay its claimant")]
    VestingStillPayable,
    // --- claim (added after the list above; codes never move) ---
    #[msg(
        "a vesting status left by an earlier distributor at this address holds the leaf's status address: close it with close_vesting first"
    )]
    VestingAddressInUse,
    #[msg(
        "the destination is the shard's own vault: the claim would pay nothing and mark the leaf claimed"
    )]
    DestinationIsVault,
    // --- create_shard (added after the list above; codes never move) ---
    #[msg("the shard's upper proof must hold exactly depth - min(shard_bits, depth) hashes")]
    InvalidShardProofLength,
    #[msg("the shard root is not the node of the distributor's root at the shard's position")]
    InvalidShardRoot,
}
