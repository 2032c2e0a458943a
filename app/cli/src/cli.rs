//! The command line: global flags and one subcommand per workflow (clap).

use crate::{commands, config::Globals, output::OutputFormat};
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "floodgate", version, about, long_about = None)]
pub struct Cli {
    /// Output format: human-readable text or JSON for scripts.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,

    #[command(flatten)]
    pub globals: Globals,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate an allocation list and write the drop folder to publish.
    New(commands::new::Args),
    /// Rebuild the root from the leaves, check every file, and the distributor on chain.
    Verify(commands::verify::Args),
    /// Create the distributor and every shard and fund the vaults (resumable).
    Create(commands::create::Args),
    /// Claim the keypair's allocation from a drop folder or its URL.
    Claim(commands::claim::Args),
    /// Withdraw what has vested of the keypair's locked allocation.
    WithdrawVested(commands::withdraw_vested::Args),
    /// Push every unclaimed leaf to its claimant with claim_for (resumable).
    Push(commands::push::Args),
    /// After clawback opens, move what is left in every vault to the receiver.
    Clawback(commands::clawback::Args),
    /// Hand the distributor to another admin.
    SetAdmin(commands::set_admin::Args),
    /// Change the token account that receives clawed-back tokens.
    SetClawbackReceiver(commands::set_clawback_receiver::Args),
    /// Stop claims (admin).
    Pause(commands::pause::Args),
    /// Resume claims (admin).
    Unpause(commands::pause::Args),
    /// Close every clawed-back shard, then the distributor (admin; rent back).
    Close(commands::close::Args),
    /// Claims, amounts and vaults of a distributor, per shard.
    Status(commands::status::Args),
    /// Run a whole airdrop in-process: mint, drop folder, distributor, shards, every
    /// claim, vesting, clawback and close, then check every balance.
    Simulate(commands::simulate::Args),
}
