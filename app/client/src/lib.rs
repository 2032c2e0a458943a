//! Floodgate client: everything needed to run or claim an airdrop with no server.
//!
//! - [`allocation`]: the creator's CSV list, validated and converted to base units;
//! - [`tree`]: the Merkle tree of protocol.md §1, proofs and verification;
//! - [`drop`]: the published drop folder (manifest, canonical leaves, proof pages);
//! - [`lookup`]: from a drop folder and an address to a verified leaf and proof;
//! - [`pda`], [`instructions`], [`accounts`]: addresses, instruction builders and
//!   account decoding, all taken from the program crate itself;
//! - [`mint`]: the instructions that set up and fill a drop's mint;
//! - [`surge`]: how long a surge of claims takes to clear on mainnet's limits;
//! - [`chain`] (features `rpc`, `local`): one async interface to a cluster or the
//!   in-process bank, so every CLI command runs the same code against both.
//!
//! Seeds, discriminators, hashing and layouts come from the `floodgate` program crate;
//! nothing here re-types them.

pub mod accounts;
pub mod allocation;
#[cfg(any(feature = "local", feature = "rpc"))]
pub mod chain;
pub mod drop;
pub mod error;
pub mod instructions;
#[cfg(feature = "local")]
pub mod local;
pub mod lookup;
pub mod mint;
pub mod pda;
pub mod surge;
pub mod tree;

pub use error::ClientError;
pub use floodgate;
