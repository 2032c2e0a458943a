//! `floodgate`: creator and claimant workflows for Floodgate airdrops, and an
//! in-process simulator of a whole drop (no network, no validator).

mod commands;
mod output;

use clap::{Parser, Subcommand};
use output::OutputFormat;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "floodgate", version, about, long_about = None)]
struct Cli {
    /// Output format: human-readable text or JSON for scripts.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    output: OutputFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a whole airdrop in-process: mint, drop folder, distributor, shards, every
    /// claim, vesting, clawback and close, then check every balance.
    Simulate(commands::simulate::Args),
}

/// Exit codes: 0 success, 1 the operation failed, 2 bad usage (clap), 3 a check failed.
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_CHECK_FAILED: u8 = 3;

/// The in-process bank logs every instruction at debug level unless told otherwise.
const DEFAULT_LOG_FILTER: &str = "error";

fn main() -> ExitCode {
    if std::env::var_os("RUST_LOG").is_none() {
        // SAFETY: nothing else runs yet: this is the first statement of a
        // single-threaded `main`, before any runtime or thread starts.
        unsafe { std::env::set_var("RUST_LOG", DEFAULT_LOG_FILTER) };
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => commands::simulate::run(args, cli.output),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
