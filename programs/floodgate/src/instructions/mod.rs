//! One module per instruction: its Accounts struct, its checks and its handler.

pub mod admin_only;
pub mod claim;
pub mod claim_for;
pub mod clawback;
pub mod close_distributor;
pub mod close_shard;
pub mod close_vesting;
pub mod create_distributor;
pub mod create_shard;
pub mod set_admin;
pub mod set_clawback_receiver;
pub mod set_paused;
pub mod withdraw_vested;

pub use admin_only::*;
pub use claim::*;
pub use claim_for::*;
pub use clawback::*;
pub use close_distributor::*;
pub use close_shard::*;
pub use close_vesting::*;
pub use create_distributor::*;
pub use create_shard::*;
pub use set_clawback_receiver::*;
pub use withdraw_vested::*;
