//! Errors the CLI tells apart by exit code: a check that failed (3) versus an operation
//! that could not be done (1).

use anchor_lang::prelude::Pubkey;

/// A verification found a mismatch, or a claim was refused before anything was sent.
/// Exit code 3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckFailed {
    /// The drop folder does not rebuild to its own manifest.
    #[error("the drop folder does not verify: {0}")]
    Drop(String),
    /// The manifest and the on-chain distributor disagree.
    #[error("the manifest and the distributor {distributor} disagree: {fields}")]
    ChainMismatch { distributor: Pubkey, fields: String },
    /// The manifest names a distributor that does not exist.
    #[error(
        "distributor {0} does not exist on this cluster (wrong --url, or not created yet: run `floodgate create`)"
    )]
    MissingDistributor(Pubkey),
    /// The claimant has no leaf in the drop.
    #[error("{0} has no allocation in this drop")]
    NoAllocation(Pubkey),
    /// The leaf is already claimed (its bit is set on chain).
    #[error("leaf {index} of {claimant} is already claimed")]
    AlreadyClaimed { claimant: Pubkey, index: u32 },
    /// A proof page (or the index) fails its checks: the host serves tampered files.
    #[error("the drop's files do not verify ({0}); do not claim from this source")]
    PageDoesNotVerify(String),
    /// The proof reaches the manifest root, but the chain holds another root.
    #[error(
        "the manifest root {manifest} differs from the on-chain root {chain} of {distributor}: this drop folder is not the one the distributor was created from"
    )]
    RootMismatch {
        distributor: Pubkey,
        manifest: String,
        chain: String,
    },
    /// The proof reaches the manifest's shard root, but the shard on chain holds
    /// another (which `create_shard` proved against the same root: a broken invariant).
    #[error(
        "the proof reaches the manifest's root {manifest} of shard {shard}, but the shard on chain holds {chain}: do not claim from this source"
    )]
    ShardRootMismatch {
        shard: u32,
        manifest: String,
        chain: String,
    },
    /// The distributor is not the one the claimant pinned (`--distributor`,
    /// `--creator`, `--mint`).
    #[error(
        "the drop's distributor {distributor} is not the one expected: its {what} is {found}, expected {expected}; do not claim from this source"
    )]
    NotExpected {
        distributor: Pubkey,
        what: &'static str,
        expected: Pubkey,
        found: Pubkey,
    },
    /// The distributor refuses claims now.
    #[error("claims are refused: {0}")]
    ClaimsClosed(String),
}

/// A withdrawal refused before anything was sent (`withdraw-vested`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The leaf has no vesting status (yet, or any more).
    #[error(
        "leaf {index} of {distributor} has no vesting status: the leaf is not claimed yet, has no locked part, or everything has been withdrawn"
    )]
    NoVestingStatus { distributor: Pubkey, index: u32 },
    /// The vesting status is another claimant's.
    #[error(
        "the vesting status of leaf {index} belongs to {owner}, not to the keypair {keypair}: pass the owner's --keypair or the keypair's own --index"
    )]
    NotTheClaimant {
        index: u32,
        owner: Pubkey,
        keypair: Pubkey,
    },
    /// Everything vested so far has been withdrawn (amounts in token units).
    #[error(
        "nothing to withdraw from leaf {index} now: {vested} of {locked} tokens vested, {withdrawn} withdrawn (vesting runs from {start} to {end})"
    )]
    NothingToWithdraw {
        index: u32,
        locked: String,
        vested: String,
        withdrawn: String,
        start: String,
        end: String,
    },
}

/// The exit code for an error returned by a command.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<CheckFailed>().is_some() || error.downcast_ref::<Refused>().is_some() {
        crate::EXIT_CHECK_FAILED
    } else {
        crate::EXIT_FAILURE
    }
}
