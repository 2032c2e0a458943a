//! The `floodgate` binary against a real `solana-test-validator` over JSON-RPC, as a
//! user runs it: the devnet walkthrough of `docs/walkthrough.md` command for command, with
//! `--url http://127.0.0.1:PORT`.
//!
//! These tests are ignored by `cargo test`: they need a validator with the SBF build of
//! the program loaded. `scripts/validator.sh` starts one on loopback, runs the command
//! it is given with `FLOODGATE_E2E_URL` set, and stops it on every exit path:
//!
//! ```sh
//! scripts/build-sbf.sh
//! scripts/validator.sh cargo test -p floodgate-cli --test cli -- --ignored e2e::
//! ```
//!
//! The tests talk to the validator only through the binary and
//! [`floodgate_client::chain::rpc::RpcChain`]. They share the validator, each with its
//! own creator, mint and claimants, so they run concurrently.

mod clawback;
mod faults;
mod proxy;
mod pushers;
mod vesting;
mod walkthrough;

use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use floodgate_cli::commands::common::{self, ShardOnChain};
use floodgate_client::{
    allocation::format_amount,
    chain::{Chain, rpc::RpcChain, token_balance},
    instructions::DistributorKeys,
    mint::{self, MintExtension},
    pda,
};
use serde_json::Value;
use solana_sdk::signature::{Keypair, Signer};
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

/// Lamports in one SOL.
pub const SOL: u64 = 1_000_000_000;

/// The validator's JSON-RPC URL, from `scripts/validator.sh`.
pub fn url() -> String {
    std::env::var("FLOODGATE_E2E_URL").expect(
        "FLOODGATE_E2E_URL is not set: run these tests through scripts/validator.sh (see e2e/mod.rs)",
    )
}

/// A keypair and the file the CLI reads it from.
pub struct Actor {
    pub keypair: Keypair,
    pub file: PathBuf,
}

impl Actor {
    /// A new keypair written under `dir` as `name.json`, funded with `sol` from the
    /// validator's faucet (none with 0).
    pub async fn new(chain: &mut RpcChain, dir: &Path, name: &str, sol: u64) -> Self {
        Self::from_keypair(chain, dir, &Keypair::new(), name, sol).await
    }

    /// [`Actor::new`] with a given keypair.
    pub async fn from_keypair(
        chain: &mut RpcChain,
        dir: &Path,
        keypair: &Keypair,
        name: &str,
        sol: u64,
    ) -> Self {
        let keypair = keypair.insecure_clone();
        let file = dir.join(format!("{name}.json"));
        let bytes: Vec<String> = keypair.to_bytes().iter().map(u8::to_string).collect();
        std::fs::write(&file, format!("[{}]", bytes.join(","))).unwrap();
        if sol > 0 {
            chain
                .request_airdrop(&keypair.pubkey(), sol * SOL)
                .await
                .unwrap();
        }
        Self { keypair, file }
    }

    pub fn pubkey(&self) -> Pubkey {
        self.keypair.pubkey()
    }
}

/// `floodgate ARGS --url URL --keypair FILE --output json`, not started yet.
pub fn floodgate(actor: &Actor, args: &[&str]) -> Command {
    floodgate_at(&url(), actor, args)
}

/// [`floodgate`] against the JSON-RPC endpoint `url`.
pub fn floodgate_at(url: &str, actor: &Actor, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_floodgate"));
    command
        .args(args)
        .args(["--url", url, "--output", "json", "--keypair"])
        .arg(&actor.file)
        .stdin(Stdio::null());
    command
}

/// Runs `command` to its end; its JSON report. Panics with its stderr when it fails.
pub fn report(command: &mut Command) -> Value {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{command:?} printed no JSON report ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Runs `floodgate ARGS` as `actor` with `--keypair stdin`, its keypair file written to
/// standard input; its JSON report.
pub fn report_signed_on_stdin(actor: &Actor, args: &[&str]) -> Value {
    let mut command = Command::new(env!("CARGO_BIN_EXE_floodgate"));
    command
        .args(args)
        .args(["--url", &url(), "--output", "json", "--keypair", "stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let key = std::fs::read(&actor.file).unwrap();
    child.stdin.take().unwrap().write_all(&key).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `command` to its end, expecting it to fail: its exit code and stderr.
pub fn refusal(command: &mut Command) -> (i32, String) {
    let Output { status, stderr, .. } = command.output().unwrap();
    assert!(!status.success(), "{command:?} succeeded");
    (
        status.code().expect("an exit code, not a signal"),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Starts `command` in the background (its output discarded).
pub fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Kills `child` with SIGKILL as soon as `ready` holds (checked every 100 ms), and
/// returns `true`; `false` when the child ended first (it was not killed).
pub async fn kill_when<F>(child: &mut Child, chain: &mut RpcChain, mut ready: F) -> bool
where
    F: AsyncFnMut(&mut RpcChain) -> bool,
{
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if ready(chain).await {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        assert!(Instant::now() < deadline, "the condition never held");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A mint of `token_program` with `extensions`, `creator` its authority, and `amount`
/// base units in the creator's associated token account.
pub async fn mint_for(
    chain: &mut RpcChain,
    creator: &Actor,
    token_program: &Pubkey,
    extensions: &[MintExtension],
    decimals: u8,
    amount: u64,
) -> Pubkey {
    let mint = Keypair::new();
    let lamports = chain
        .minimum_balance(mint::mint_space(extensions))
        .await
        .unwrap();
    let authority = creator.pubkey();
    let mut instructions = mint::create_mint(
        &authority,
        &mint.pubkey(),
        token_program,
        decimals,
        extensions,
        lamports,
    );
    let ata = pda::associated_token(&authority, &mint.pubkey(), token_program);
    instructions.push(create_associated_token_account_idempotent(
        &authority,
        &authority,
        &mint.pubkey(),
        token_program,
    ));
    instructions.push(mint::mint_to(
        token_program,
        &mint.pubkey(),
        &ata,
        &authority,
        amount,
        decimals,
    ));
    chain
        .send(&creator.keypair, &instructions, &[&mint])
        .await
        .unwrap();
    mint.pubkey()
}

/// Writes `rows` (claimant, unlocked, locked, in base units) as a CSV of token amounts
/// under `dir`.
pub fn write_csv(dir: &Path, rows: &[(Pubkey, u64, u64)], decimals: u8) -> PathBuf {
    let path = dir.join("list.csv");
    let text: String = rows
        .iter()
        .map(|(claimant, unlocked, locked)| {
            format!(
                "{claimant},{},{}\n",
                format_amount(*unlocked, decimals),
                format_amount(*locked, decimals)
            )
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// The distributor's keys and its shards, as the chain has them now.
pub async fn on_chain(
    chain: &mut RpcChain,
    distributor: &Pubkey,
) -> (DistributorKeys, Vec<ShardOnChain>) {
    let (state, keys) = common::distributor(chain, distributor)
        .await
        .unwrap()
        .expect("the distributor exists");
    let shards = common::shards(chain, &keys, state.num_shards)
        .await
        .unwrap();
    (keys, shards)
}

/// The token balance of `account` (0 when it does not exist).
pub async fn balance(chain: &mut RpcChain, account: &Pubkey) -> u64 {
    chain
        .account(account)
        .await
        .unwrap()
        .and_then(|a| token_balance(&a.data))
        .unwrap_or(0)
}

/// The lamports of `address` (0 when it does not exist).
pub async fn lamports(chain: &mut RpcChain, address: &Pubkey) -> u64 {
    chain
        .account(address)
        .await
        .unwrap()
        .map_or(0, |a| a.lamports)
}

/// Leaves claimed in all shards.
pub fn claimed(shards: &[ShardOnChain]) -> u32 {
    shards
        .iter()
        .filter_map(|s| s.state.as_ref())
        .map(|s| s.header.claimed_count)
        .sum()
}

/// `floodgate new` as `creator` of `rows` (written as a CSV under `dir`) for `mint`, in
/// shards of `2^shard_bits`: the drop folder, `dir/drop`.
pub fn new_drop(
    creator: &Actor,
    dir: &Path,
    mint: &Pubkey,
    rows: &[(Pubkey, u64, u64)],
    decimals: u8,
    shard_bits: u8,
) -> PathBuf {
    let csv = write_csv(dir, rows, decimals);
    let drop = dir.join("drop");
    let bits = shard_bits.to_string();
    report(
        floodgate(
            creator,
            &["new", "--shard-bits", &bits, "--mint", &mint.to_string()],
        )
        .arg("--csv")
        .arg(&csv)
        .arg("--out")
        .arg(&drop),
    );
    drop
}

/// `floodgate create --drop DROP ARGS` as `creator`: the distributor it created.
pub fn create_drop(creator: &Actor, drop: &Path, args: &[&str]) -> Pubkey {
    let mut command = floodgate(creator, &["create"]);
    report(command.args(args).arg("--drop").arg(drop));
    distributor_of(drop)
}

/// The distributor named by the manifest of the drop folder at `drop`.
pub fn distributor_of(drop: &Path) -> Pubkey {
    floodgate_client::drop::DropFolder::open(drop)
        .unwrap()
        .manifest()
        .distributor
        .expect("create wrote the distributor into the manifest")
}

/// Waits until the cluster's clock reaches `t` (unix seconds).
pub async fn wait_for_clock(chain: &mut RpcChain, t: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while chain.now().await.unwrap() < t {
        assert!(Instant::now() < deadline, "the clock did not reach {t}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
