//! Account layouts (protocol.md §3).

pub mod distributor;
pub mod shard;
pub mod vesting;

pub use distributor::*;
pub use shard::*;
pub use vesting::*;
