//! `floodgate`: creator and claimant workflows for Floodgate airdrops against any
//! cluster, and an in-process simulator of a whole drop (no network, no validator).
//!
//! Every command is an async function over [`floodgate_client::chain::Chain`], so the
//! binary runs it on JSON-RPC and the tests run the very same code on the in-process
//! bank.

pub mod cli;
pub mod commands;
pub mod config;
pub mod drop_location;
pub mod error;
pub mod http;
pub mod output;
pub mod signer;

/// Exit codes: 0 success, 1 the operation failed, 2 bad usage (clap), 3 a check failed.
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_CHECK_FAILED: u8 = 3;
