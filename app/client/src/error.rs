//! The one error type of the client crate.
//!
//! Variants are grouped by the module that raises them. Problems in a creator's CSV name
//! the 1-based line; problems in a published file name the file and what is wrong with
//! it ([`Corruption`]), so a claimant can tell a tampered drop from a missing allocation.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;

/// Every error the client returns.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    // ----- allocation list (allocation.rs); `line` is 1-based -----
    /// The claimant column does not hold a base58 public key.
    #[error("line {line}: invalid address {value:?}")]
    InvalidAddress { line: usize, value: String },
    /// The same claimant appears twice.
    #[error("line {line}: duplicate claimant {claimant} (already on line {first_line})")]
    DuplicateClaimant {
        claimant: Pubkey,
        first_line: usize,
        line: usize,
    },
    /// The first row has neither 2 (`claimant,amount`) nor 3 (`claimant,unlocked,locked`)
    /// columns.
    #[error(
        "line {line}: expected 2 columns (claimant,amount) or 3 (claimant,unlocked,locked), found {found}"
    )]
    UnsupportedColumns { line: usize, found: usize },
    /// A row has another number of columns than the first row.
    #[error("line {line}: expected {expected} columns like the first row, found {found}")]
    ColumnCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    /// An amount does not convert exactly to base units.
    #[error("line {line}: {column} {value:?}: {reason}")]
    InvalidAmount {
        line: usize,
        column: &'static str,
        value: String,
        reason: AmountError,
    },
    /// A row allocates nothing (`unlocked + locked == 0`).
    #[error("line {line}: the allocation is zero")]
    ZeroAllocation { line: usize },
    /// `unlocked + locked` of one row does not fit in a `u64`.
    #[error("line {line}: unlocked + locked overflows u64")]
    RowTotalOverflow { line: usize },
    /// The sum of all rows up to this one does not fit in a `u64`.
    #[error("line {line}: the total of the allocation list overflows u64")]
    GrandTotalOverflow { line: usize },
    /// The CSV could not be read.
    #[error("line {line}: unreadable CSV: {message}")]
    Csv { line: usize, message: String },
    /// The list has no allocation (empty file, header only, or an empty slice).
    #[error("the allocation list is empty: no data rows")]
    NoAllocations,

    // ----- tree (tree.rs) -----
    /// Allocations handed to the tree are not sorted by claimant bytes.
    #[error(
        "allocations are not in canonical order at index {index}: sort them by claimant (allocation::canonical)"
    )]
    NotCanonical { index: u32 },
    /// The same claimant appears twice in a canonical list.
    #[error("duplicate claimant {claimant} at index {index}")]
    DuplicateLeaf { claimant: Pubkey, index: u32 },
    /// More leaves than a `u32` index can address.
    #[error("{count} allocations: a tree holds at most {max} leaves")]
    TooManyLeaves { count: usize, max: u32 },
    /// The sum of all allocations does not fit in a `u64`.
    #[error("the total of all allocations overflows u64")]
    TotalOverflow,
    /// A leaf index past the end of the tree.
    #[error("leaf index {index} is out of range: the tree has {num_leaves} leaves")]
    IndexOutOfRange { index: u32, num_leaves: u32 },

    // ----- drop folder and lookup (drop/, lookup.rs) -----
    /// A drop-folder parameter is out of range.
    #[error("invalid drop parameter {name} = {value}: {reason}")]
    InvalidParameter {
        name: &'static str,
        value: u64,
        reason: &'static str,
    },
    /// `DropFolder::write` never overwrites a non-empty folder.
    #[error("{} already exists and is not empty; refusing to overwrite a drop folder", path.display())]
    DropFolderExists { path: PathBuf },
    /// A file system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A published file is malformed or disagrees with the rest of the drop.
    #[error("corrupt {file}: {problem}")]
    CorruptFile {
        file: String,
        #[source]
        problem: Corruption,
    },
    /// The address has no leaf in this drop.
    #[error("{claimant} has no allocation in this drop")]
    NoAllocation { claimant: Pubkey },
    /// A page rebuilt into a proof that does not reach the manifest root.
    #[error(
        "{file} does not verify: its leaves and sibling hashes give root {computed}, the manifest says {expected} (tampered or from another drop)"
    )]
    PageDoesNotVerify {
        file: String,
        computed: String,
        expected: String,
    },

    // ----- on-chain accounts (accounts.rs) -----
    /// An account's data is not what the program writes.
    #[error("cannot decode the {what} account: {reason}")]
    AccountData { what: &'static str, reason: String },
}

impl ClientError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(file: impl Into<String>, problem: Corruption) -> Self {
        Self::CorruptFile {
            file: file.into(),
            problem,
        }
    }
}

/// Why a decimal amount does not convert to base units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The field is empty.
    #[error("empty")]
    Empty,
    /// A leading minus sign.
    #[error("negative amounts are not allowed")]
    Negative,
    /// `1e6`, `1.5E3`, ...
    #[error("exponent notation is not accepted; write the amount out in full")]
    Exponent,
    /// Anything but `digits` or `digits.digits`.
    #[error("not a decimal number (expected digits, optionally '.' and digits)")]
    NotANumber,
    /// Non-zero digits beyond the mint's decimals.
    #[error("more than {decimals} decimal places")]
    TooManyDecimals { decimals: u8 },
    /// More base units than a `u64` holds.
    #[error("does not fit in u64 base units")]
    Overflow,
}

/// What is wrong with a published file (page, page index, manifest, leaves file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Corruption {
    /// The file does not start with the expected magic bytes.
    #[error("bad magic bytes (not a Floodgate {expected} file)")]
    BadMagic { expected: &'static str },
    /// A format version this client does not read.
    #[error("unsupported format version {found} (this client reads version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    /// An older format version this client no longer reads, and what to do about it.
    #[error(
        "format version {found} is no longer read (this client reads version {supported}): {advice}"
    )]
    OldFormat {
        found: u32,
        supported: u32,
        advice: &'static str,
    },
    /// The file is shorter or longer than its header says.
    #[error("{found} bytes, expected {expected}")]
    Length { expected: u64, found: u64 },
    /// A field disagrees with the manifest, the header or the protocol.
    #[error("{field} is {found}, expected {expected}")]
    Mismatch {
        field: &'static str,
        expected: String,
        found: String,
    },
    /// Leaves are not strictly ascending by claimant.
    #[error("leaves are not in canonical order at index {index}")]
    NotCanonical { index: u32 },
    /// A row of the leaves file is malformed.
    #[error("line {line}: {reason}")]
    Row { line: usize, reason: String },
    /// The manifest JSON does not parse.
    #[error("invalid JSON: {0}")]
    Json(String),
}
