//! Compute units of `claim` by tree depth, on the SBF build of the program.
//!
//! Native mode does not meter the program, so this runs only against the `.so`:
//!
//!     SBF_OUT_DIR=target/deploy cargo test -p floodgate-tests --test compute_units -- --ignored --nocapture
//!
//! It prints a table and writes `bench/cu.json`. Trees are synthetic: the claimed leaf's
//! proof holds fixed sibling hashes and the root is folded from them, so any depth costs
//! the same to set up (the program sees exactly what a real tree of that depth gives it).

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::{leaf_hash, root_from_proof};
use floodgate_client::{
    instructions::{self as ix, LeafClaim},
    local::{Sent, token, uses_sbf},
};
use floodgate_tests::*;
use solana_sdk::{signature::Signer, transaction::Transaction};

const DEPTHS: [u8; 7] = [0, 4, 8, 12, 16, 20, 24];
const AMOUNT: u64 = 1_000;
/// The largest transaction the network accepts.
const PACKET_DATA_SIZE: usize = 1_232;

struct Row {
    token: &'static str,
    depth: u8,
    total: u64,
    token_program: u64,
    size: usize,
}

/// Compute units the token program reported for itself in `logs`.
fn token_units(logs: &[String], token_program: &Pubkey) -> u64 {
    let prefix = format!("Program {token_program} consumed ");
    logs.iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| rest.split(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn synthetic_leaf(claimant: Pubkey, depth: u8) -> (LeafClaim, [u8; 32]) {
    let proof: Vec<[u8; 32]> = (0..depth)
        .map(|k| [k.wrapping_mul(37).wrapping_add(1); 32])
        .collect();
    let root = root_from_proof(leaf_hash(0, &claimant, AMOUNT, 0), 0, &proof);
    (
        LeafClaim {
            index: 0,
            claimant,
            unlocked: AMOUNT,
            locked: 0,
            proof,
        },
        root,
    )
}

/// The transaction a wallet sends: the claimant pays, with a compute-unit limit and
/// price, creating its token account if needed.
fn wallet_transaction_size(keys: &ix::DistributorKeys, leaf: &LeafClaim) -> usize {
    let claimant = leaf.claimant;
    let ata = floodgate_client::pda::associated_token(&claimant, &keys.mint, &keys.token_program);
    let instructions = [
        ix::compute_unit_limit(60_000),
        ix::compute_unit_price(1_000),
        ix::create_claimant_ata(keys, &claimant, &claimant),
        ix::claim(keys, leaf, &ata, &claimant),
    ];
    let tx = Transaction::new_with_payer(&instructions, Some(&claimant));
    1 + 64 * tx.signatures.len() + tx.message.serialize().len()
}

async fn measure(token_program: Pubkey, depth: u8) -> (Sent, usize) {
    let options = Options {
        token_program,
        amounts: vec![(AMOUNT, 0)],
        create_shards: false,
        ..Options::default()
    };
    let mut f = Fixture::prepare(options).await;
    let claimant = f.claimant(0);
    let (leaf, root) = synthetic_leaf(claimant.pubkey(), depth);
    f.args.root = root;
    f.args.depth = depth;
    f.args.num_leaves = if depth == 0 {
        1
    } else {
        (1 << (depth - 1)) + 1
    };
    f.create_distributor().await.expect("create_distributor");
    f.create_shard(0, AMOUNT).await.expect("create_shard");
    let vault = f.keys.vault(0);
    token::mint_to(&mut f.bank, &f.mint, &vault, &token_program, AMOUNT, 6)
        .await
        .unwrap();
    let size = wallet_transaction_size(&f.keys, &leaf);
    let sent = f.claim_leaf(&leaf, 0).await.expect("claim");
    (sent, size)
}

#[tokio::test]
#[ignore = "needs the SBF build: SBF_OUT_DIR=<dir with floodgate.so>"]
async fn claim_compute_units_by_depth() {
    assert!(
        uses_sbf(),
        "set SBF_OUT_DIR to a folder holding floodgate.so"
    );
    let mut rows = vec![];
    for (name, program) in [("spl-token", SPL_TOKEN), ("token-2022", TOKEN_2022)] {
        for depth in DEPTHS {
            let (sent, size) = measure(program, depth).await;
            let token = token_units(&sent.logs, &program);
            rows.push(Row {
                token: name,
                depth,
                total: sent.compute_units,
                token_program: token,
                size,
            });
        }
    }
    println!(
        "{:<11} {:>5} {:>8} {:>8} {:>8} {:>9}",
        "token", "depth", "total", "token", "program", "tx bytes"
    );
    for r in &rows {
        println!(
            "{:<11} {:>5} {:>8} {:>8} {:>8} {:>9}",
            r.token,
            r.depth,
            r.total,
            r.token_program,
            r.total - r.token_program,
            r.size
        );
    }
    // The deepest proof whose wallet transaction still fits in one packet.
    let keys = ix::DistributorKeys {
        address: Pubkey::new_unique(),
        mint: Pubkey::new_unique(),
        token_program: SPL_TOKEN,
        clawback_receiver: Pubkey::new_unique(),
        shard_bits: 16,
        decimals: 6,
    };
    let deepest = (0..=32u8)
        .take_while(|d| {
            wallet_transaction_size(&keys, &synthetic_leaf(Pubkey::new_unique(), *d).0)
                <= PACKET_DATA_SIZE
        })
        .last()
        .unwrap();
    println!(
        "deepest tree whose claim transaction fits in {PACKET_DATA_SIZE} bytes: depth {deepest}"
    );
    let json = serde_json::json!({
        "command": "SBF_OUT_DIR=target/deploy cargo test -p floodgate-tests --test compute_units -- --ignored --nocapture",
        "toolchain": "../shared/sbf/build.sh build-std programs/floodgate --features portable-sbf (Debian LLVM 22)",
        "claim": rows.iter().map(|r| serde_json::json!({
            "token_program": r.token, "depth": r.depth, "total_cu": r.total,
            "token_program_cu": r.token_program, "program_cu": r.total - r.token_program,
            "wallet_tx_bytes": r.size,
        })).collect::<Vec<_>>(),
        "deepest_depth_in_one_packet": deepest,
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/cu.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap() + "\n").unwrap();
}

/// Where the compute units of a depth-20 SPL Token claim go, from the `checkpoint!`s of a
/// `cu-trace` build:
///
///     build.sh build-std programs/floodgate --features portable-sbf,cu-trace
///     SBF_OUT_DIR=<dir with that floodgate.so> cargo test -p floodgate-tests \
///         --test compute_units claim_breakdown -- --ignored --nocapture
#[tokio::test]
#[ignore = "needs a cu-trace SBF build: SBF_OUT_DIR=<dir with floodgate.so>"]
async fn claim_breakdown() {
    assert!(
        uses_sbf(),
        "set SBF_OUT_DIR to a folder holding floodgate.so"
    );
    let (sent, _) = measure(SPL_TOKEN, 20).await;
    let mut last = None;
    let mut label = "entry";
    for line in &sent.logs {
        if let Some(l) = line.strip_prefix("Program log: cu: ") {
            label = l;
        } else if let Some(rest) = line.strip_prefix("Program consumption: ") {
            let left: u64 = rest.split(' ').next().unwrap().parse().unwrap();
            match last {
                None => println!("{label:<10} {left:>6} left"),
                Some(prev) => println!("{label:<10} {:>6}", prev - left),
            }
            last = Some(left);
        }
    }
    println!("total      {:>6}", sent.compute_units);
    for line in &sent.logs {
        println!("  {line}");
    }
}
