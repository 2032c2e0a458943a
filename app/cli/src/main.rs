//! `floodgate`: creator and claimant workflows for Floodgate airdrops, and an
//! in-process simulator of a whole drop (no network, no validator).

use clap::Parser;
use floodgate_cli::{
    cli::{Cli, Command},
    commands::{self, Ctx},
    error::exit_code,
    output::{OutputFormat, Report},
};
use floodgate_client::chain::{Chain, rpc::RpcChain};
use std::process::ExitCode;

/// The in-process bank logs every instruction at debug level unless told otherwise.
const DEFAULT_LOG_FILTER: &str = "error";

fn print(report: anyhow::Result<impl Report>, format: OutputFormat) -> anyhow::Result<ExitCode> {
    report?.print(format)?;
    Ok(ExitCode::SUCCESS)
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let format = cli.output;
    let g = &cli.globals;
    let rpc = || {
        g.rpc_url()
            .map(|url| RpcChain::with_commitment(url, g.commitment))
    };
    match &cli.command {
        Command::Simulate(_) => unreachable!("simulate runs its own runtime"),
        Command::New(args) => {
            let mut chain = if args.decimals.is_none() {
                Some(rpc()?)
            } else {
                None
            };
            let chain = chain.as_mut().map(|c| c as &mut dyn Chain);
            print(commands::new::run(args, chain).await, format)
        }
        Command::Verify(args) => print(commands::verify::run(args, &mut rpc()?).await, format),
        Command::Status(args) => print(commands::status::run(args, &mut rpc()?).await, format),
        Command::Create(args) => {
            let (mut chain, payer) = (rpc()?, g.signer()?);
            let mut ctx = Ctx::new(&mut chain, payer.as_ref(), format);
            print(commands::create::run(args, &mut ctx).await, format)
        }
        command => {
            let (mut chain, payer) = (rpc()?, g.signer()?);
            let mut ctx = Ctx::new(&mut chain, payer.as_ref(), format);
            let ctx = &mut ctx;
            match command {
                Command::Claim(args) => print(commands::claim::run(args, ctx).await, format),
                Command::WithdrawVested(args) => {
                    print(commands::withdraw_vested::run(args, ctx).await, format)
                }
                Command::Push(args) => print(commands::push::run(args, ctx).await, format),
                Command::Clawback(args) => print(commands::clawback::run(args, ctx).await, format),
                Command::SetAdmin(args) => print(commands::set_admin::run(args, ctx).await, format),
                Command::SetClawbackReceiver(args) => print(
                    commands::set_clawback_receiver::run(args, ctx).await,
                    format,
                ),
                Command::Pause(args) => print(commands::pause::run(args, ctx, true).await, format),
                Command::Unpause(args) => {
                    print(commands::pause::run(args, ctx, false).await, format)
                }
                Command::Close(args) => print(commands::close::run(args, ctx).await, format),
                _ => unreachable!("handled above"),
            }
        }
    }
}

fn main() -> ExitCode {
    if std::env::var_os("RUST_LOG").is_none() {
        // SAFETY: nothing else runs yet: this is the first statement of a
        // single-threaded `main`, before any runtime or thread starts.
        unsafe { std::env::set_var("RUST_LOG", DEFAULT_LOG_FILTER) };
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => commands::simulate::run(args, cli.output),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(dispatch(cli))),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}
