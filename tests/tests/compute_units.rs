//! Compute units of `claim` by tree depth and shard size, on the SBF build of the
//! program.
//!
//! Native mode does not meter the program, so this runs only against the `.so`:
//!
//!     scripts/build-sbf.sh
//!     SBF_OUT_DIR=target/deploy cargo test -p floodgate-tests --test program -- --ignored --nocapture --exact compute_units::compute_units
//!
//! It prints the tables and fails when a depth-20 claim costs more than 5 % over the
//! figure committed in `bench/cu.json`; with `CU_BENCH_WRITE=1` it rewrites that file
//! and `docs/benchmarks.md` (from `bench/benchmarks.md.in`).
//!
//! Trees are synthetic: the claimed leaf's proof holds fixed sibling hashes and the root
//! is folded from them, so any depth costs the same to set up (the program sees exactly
//! what a real tree of that depth gives it). Shard 0 is created with the node at height
//! `min(shard_bits, depth)` of that path as its root and the rest of the path as its
//! upper proof; the claim proves the leaf up to it.
//!
//! `a_wallet_claim_fits_one_packet_at_every_depth` and its `create_shard` sibling are
//! ordinary tests: they need no SBF build.

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::{leaf_hash, root_from_proof};
use floodgate_client::chain::limits::{self, PACKET_DATA_SIZE};
use floodgate_client::{
    instructions::{self as ix, LeafClaim, NewShard},
    local::{Sent, token, uses_sbf},
};
use floodgate_tests::*;
use solana_sdk::{instruction::Instruction, signature::Signer};

/// `(depth, shard_bits)` of the claim rows: the largest shards at every depth, then the
/// three shard sizes at depths 20 (1M leaves), 24 (16M) and 32 (4G).
const CLAIMS: [(u8, u8); 14] = [
    (0, 16),
    (4, 16),
    (8, 16),
    (12, 16),
    (16, 16),
    (20, 8),
    (20, 12),
    (20, 16),
    (24, 8),
    (24, 12),
    (24, 16),
    (32, 8),
    (32, 12),
    (32, 16),
];
const AMOUNT: u64 = 1_000;

/// Depth of the trees of the operation rows (what a 1M-leaf drop has).
const OP_DEPTH: u8 = 20;
/// Shard size of the operation rows and of the guarded claim: the CLI's default.
const OP_SHARD_BITS: u8 = 12;
/// A claim whose total rises more than this over the committed figure fails the bench.
const REGRESSION_LIMIT: f64 = 1.05;
/// Cost of one `create_program_address` try in a bump search.
const BUMP_TRY_CU: u64 = 1_500;

/// Compute units of one transaction, split by program (each program's own units).
#[derive(Default)]
struct Units {
    total: u64,
    floodgate: u64,
    token: u64,
    other: u64,
}

impl Units {
    /// Splits `sent` by walking its invoke / consumed / success log lines.
    fn of(sent: &Sent, token_program: &Pubkey) -> Self {
        struct Frame {
            program: String,
            consumed: u64,
            children: u64,
        }
        let (floodgate, token) = (floodgate::ID.to_string(), token_program.to_string());
        let mut units = Units {
            total: sent.compute_units,
            ..Units::default()
        };
        let mut stack: Vec<Frame> = vec![];
        for line in &sent.logs {
            let Some(rest) = line.strip_prefix("Program ") else {
                continue;
            };
            let mut words = rest.split(' ');
            let (Some(program), Some(verb)) = (words.next(), words.next()) else {
                continue;
            };
            match verb {
                "invoke" => stack.push(Frame {
                    program: program.to_string(),
                    consumed: 0,
                    children: 0,
                }),
                "consumed" => {
                    if let Some(top) = stack.last_mut() {
                        top.consumed = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    }
                }
                "success" | "failed:" => {
                    let Some(frame) = stack.pop() else { continue };
                    let own = frame.consumed.saturating_sub(frame.children);
                    if frame.program == floodgate {
                        units.floodgate += own;
                    } else if frame.program == token {
                        units.token += own;
                    } else {
                        units.other += own;
                    }
                    if let Some(parent) = stack.last_mut() {
                        parent.children += frame.consumed;
                    }
                }
                _ => {}
            }
        }
        units
    }
}

struct ClaimRow {
    token: &'static str,
    depth: u8,
    shard_bits: u8,
    units: Units,
    size: usize,
}

struct OpRow {
    name: &'static str,
    /// The tree's depth and shard size.
    shape: (u8, u8),
    units: Units,
    size: usize,
    /// Units of failed bump tries taken out of the figures (they depend on the keys).
    bump_tries_removed: u64,
}

/// Leaf 0 of a synthetic tree of `depth` cut in shards of `2^shard_bits`: its claim (the
/// first `min(shard_bits, depth)` siblings), shard 0 as `create_shard` states it, and
/// the root.
fn synthetic_leaf(
    claimant: Pubkey,
    (depth, shard_bits): (u8, u8),
    unlocked: u64,
    locked: u64,
) -> (LeafClaim, NewShard, [u8; 32]) {
    let mut proof: Vec<[u8; 32]> = (0..depth)
        .map(|k| [k.wrapping_mul(37).wrapping_add(1); 32])
        .collect();
    let leaf = leaf_hash(0, &claimant, unlocked, locked);
    let root = root_from_proof(leaf, 0, &proof);
    let upper_proof = proof.split_off(usize::from(shard_bits.min(depth)));
    let shard = NewShard {
        index: 0,
        max_total: unlocked + locked,
        root: root_from_proof(leaf, 0, &proof),
        upper_proof,
    };
    let claim = LeafClaim {
        index: 0,
        claimant,
        unlocked,
        locked,
        proof,
    };
    (claim, shard, root)
}

/// Serialized size of the transaction `payer` sends with `instructions`, behind a
/// compute-unit limit and price as a wallet sends them.
fn transaction_size(payer: &Pubkey, instructions: &[Instruction]) -> usize {
    let mut all = vec![
        ix::compute_unit_limit(60_000),
        ix::compute_unit_price(1_000),
    ];
    all.extend_from_slice(instructions);
    limits::size_of(&all, payer)
}

/// The transaction a wallet sends to claim: the claimant pays and creates its token
/// account if needed.
fn wallet_claim_size(keys: &ix::DistributorKeys, leaf: &LeafClaim) -> usize {
    let claimant = leaf.claimant;
    let ata = floodgate_client::pda::associated_token(&claimant, &keys.mint, &keys.token_program);
    transaction_size(
        &claimant,
        &[
            ix::create_claimant_ata(keys, &claimant, &claimant),
            ix::claim(keys, leaf, &ata, &claimant),
        ],
    )
}

/// A distributor whose only claimable leaf (index 0, of claimant 0) sits at `depth` in
/// a synthetic tree cut in shards of `2^shard_bits`; its shard not created yet.
async fn synthetic_distributor(
    token_program: Pubkey,
    shape: (u8, u8),
    unlocked: u64,
    locked: u64,
) -> (Fixture, LeafClaim, NewShard) {
    let (depth, shard_bits) = shape;
    let options = Options {
        token_program,
        amounts: vec![(unlocked, locked)],
        create_shards: false,
        shard_bits,
        ..Options::default()
    };
    let mut f = Fixture::prepare(options).await;
    let claimant = f.claimant(0);
    let (leaf, shard, root) = synthetic_leaf(claimant.pubkey(), shape, unlocked, locked);
    f.args.root = root;
    f.args.depth = depth;
    f.args.shard_bits = shard_bits;
    f.args.num_leaves = match depth {
        0 => 1,
        32 => u32::MAX,
        d => (1 << (d - 1)) + 1,
    };
    f.keys.shard_bits = shard_bits;
    f.create_distributor().await.expect("create_distributor");
    (f, leaf, shard)
}

/// [`synthetic_distributor`] with its shard created and funded.
async fn synthetic(
    token_program: Pubkey,
    shape: (u8, u8),
    unlocked: u64,
    locked: u64,
) -> (Fixture, LeafClaim) {
    let (mut f, leaf, shard) = synthetic_distributor(token_program, shape, unlocked, locked).await;
    f.create_shard_as(&shard).await.expect("create_shard");
    let vault = f.keys.vault(0);
    token::mint_to(
        &mut f.bank,
        &f.mint,
        &vault,
        &token_program,
        unlocked + locked,
        6,
    )
    .await
    .unwrap();
    (f, leaf)
}

async fn claim_row(token_program: Pubkey, shape: (u8, u8)) -> (Units, usize) {
    let (mut f, leaf) = synthetic(token_program, shape, AMOUNT, 0).await;
    let size = wallet_claim_size(&f.keys, &leaf);
    let sent = f.claim_leaf(&leaf, 0).await.expect("claim");
    (Units::of(&sent, &token_program), size)
}

/// The other instructions, on SPL Token, with a depth-`OP_DEPTH` tree.
async fn operation_rows() -> Vec<OpRow> {
    let mut rows = vec![];
    let row_of = |name, shape, sent: &Sent, size, bump_tries: u64| {
        let mut units = Units::of(sent, &SPL_TOKEN);
        let removed = bump_tries * BUMP_TRY_CU;
        units.total -= removed;
        units.floodgate -= removed;
        OpRow {
            name,
            shape,
            units,
            size,
            bump_tries_removed: removed,
        }
    };
    let row = |name, sent: &Sent, size, bump_tries: u64| {
        row_of(name, (OP_DEPTH, OP_SHARD_BITS), sent, size, bump_tries)
    };

    // create_distributor and create_shard search their PDAs' bumps: the failed tries
    // (255 - bump of each) are taken out so the figures do not depend on the keys.
    let options = Options {
        amounts: vec![(AMOUNT, 0)],
        create_shards: false,
        ..Options::default()
    };
    let mut f = Fixture::prepare(options).await;
    let (create, _) = ix::create_distributor(
        &f.creator.pubkey(),
        &f.mint,
        &SPL_TOKEN,
        &f.keys.clawback_receiver,
        f.args.clone(),
    );
    let size = transaction_size(&f.creator.pubkey(), &[create]);
    let sent = f.create_distributor().await.expect("create_distributor");
    let bump = floodgate_client::pda::distributor(&f.creator.pubkey(), &f.mint, f.args.seed).1;
    rows.push(row(
        "create_distributor",
        &sent,
        size,
        u64::from(255 - bump),
    ));

    // create_shard proves its root with `depth - shard_bits` hashes: the default shape
    // at depth 20, and the longest proof of the largest shards at depth 32.
    for (name, shape) in [
        ("create_shard (2^12 leaves)", (OP_DEPTH, OP_SHARD_BITS)),
        ("create_shard (2^16 leaves)", (32, 16)),
    ] {
        let (mut f, _, shard) = synthetic_distributor(SPL_TOKEN, shape, AMOUNT, 0).await;
        let admin = f.admin.pubkey();
        let size = transaction_size(&admin, &[ix::create_shard(&f.keys, &admin, &shard)]);
        let sent = f.create_shard_as(&shard).await.expect("create_shard");
        let (address, shard_bump) = floodgate_client::pda::shard(&f.keys.address, 0);
        let vault_bump = floodgate_client::pda::vault(&address).1;
        rows.push(row_of(
            name,
            shape,
            &sent,
            size,
            u64::from(255 - shard_bump) + u64::from(255 - vault_bump),
        ));
    }

    // claim_for by a pusher, the claimant's token account already there.
    let (mut f, leaf) = synthetic(SPL_TOKEN, (OP_DEPTH, OP_SHARD_BITS), AMOUNT, 0).await;
    let payer = f.bank.payer().pubkey();
    let instruction = f.claim_for_ix(&leaf).await;
    let size = transaction_size(&payer, std::slice::from_ref(&instruction));
    let sent = f.send(&[instruction], &[]).await.expect("claim_for");
    rows.push(row("claim_for", &sent, size, 0));

    // claim_for creating the claimant's token account in the same transaction.
    let (mut f, leaf) = synthetic(SPL_TOKEN, (OP_DEPTH, OP_SHARD_BITS), AMOUNT, 0).await;
    let payer = f.bank.payer().pubkey();
    let instructions = [
        ix::create_claimant_ata(&f.keys, &leaf.claimant, &payer),
        ix::claim_for(&f.keys, &leaf, &payer),
    ];
    let size = transaction_size(&payer, &instructions);
    let sent = f.send(&instructions, &[]).await.expect("claim_for + ATA");
    // The associated token account program searches the new account's bump, and the
    // claimant is a fresh key: its failed tries come out of "other" likewise.
    let seeds = [leaf.claimant.as_ref(), SPL_TOKEN.as_ref(), f.mint.as_ref()];
    let ata_bump = Pubkey::find_program_address(&seeds, &anchor_spl::associated_token::ID).1;
    let mut ata_row = row("claim_for + create ATA", &sent, size, 0);
    let removed = u64::from(255 - ata_bump) * BUMP_TRY_CU;
    ata_row.units.total -= removed;
    ata_row.units.other -= removed;
    ata_row.bump_tries_removed = removed;
    rows.push(ata_row);

    // A leaf with a locked part: the claim creates the vesting status; half-way through
    // the vesting the claimant withdraws.
    let (mut f, leaf) = synthetic(SPL_TOKEN, (OP_DEPTH, OP_SHARD_BITS), AMOUNT, AMOUNT).await;
    let payer = f.bank.payer().pubkey();
    let claimant = f.claimant(0);
    let ata = f.ata(&claimant.pubkey()).await;
    // The claimant pays the vesting status's rent, as from a wallet.
    f.bank
        .fund(&claimant.pubkey(), 1_000_000_000)
        .await
        .expect("fund");
    let instruction = ix::claim(&f.keys, &leaf, &ata, &claimant.pubkey());
    let size = transaction_size(&claimant.pubkey(), std::slice::from_ref(&instruction));
    let sent = f.send(&[instruction], &[&claimant]).await.expect("claim");
    // The vesting status's bump must be canonical: one failed `create_program_address`
    // per higher bump, which depends on the (fresh) claimant's key.
    let vesting_bump = floodgate_client::pda::vesting(&f.keys.address, 0).1;
    rows.push(row(
        "claim (with a locked part)",
        &sent,
        size,
        u64::from(255 - vesting_bump),
    ));
    f.set_time(START + VESTING_SECS / 2).await;
    let destination =
        floodgate_client::pda::associated_token(&claimant.pubkey(), &f.mint, &SPL_TOKEN);
    let instruction = ix::withdraw_vested(
        &f.keys,
        0,
        &claimant.pubkey(),
        &destination,
        &claimant.pubkey(),
    );
    let size = transaction_size(&claimant.pubkey(), std::slice::from_ref(&instruction));
    let sent = f
        .send(&[instruction], &[&claimant])
        .await
        .expect("withdraw_vested");
    rows.push(row("withdraw_vested", &sent, size, 0));

    f.go_to_clawback().await;
    let instruction = ix::clawback(&f.keys, 0);
    let size = transaction_size(&payer, std::slice::from_ref(&instruction));
    let sent = f.send(&[instruction], &[]).await.expect("clawback");
    rows.push(row("clawback", &sent, size, 0));
    rows
}

/// The committed claim totals at depth `OP_DEPTH` in shards of `2^OP_SHARD_BITS`, by
/// token program.
fn committed_claim_totals(json: &serde_json::Value) -> Vec<(String, u64)> {
    json["claim"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["depth"] == OP_DEPTH && r["shard_bits"] == OP_SHARD_BITS)
        .filter_map(|r| {
            Some((
                r["token_program"].as_str()?.to_string(),
                r["total_cu"].as_u64()?,
            ))
        })
        .collect()
}

const COMMAND: &str = "SBF_OUT_DIR=target/deploy cargo test -p floodgate-tests --test program -- --ignored --nocapture --exact compute_units::compute_units";

#[tokio::test]
#[ignore = "needs the SBF build: SBF_OUT_DIR=<dir with floodgate.so>"]
async fn compute_units() {
    assert!(
        uses_sbf(),
        "set SBF_OUT_DIR to a folder holding floodgate.so (scripts/build-sbf.sh)"
    );
    let mut claims = vec![];
    for (name, program) in [("spl-token", SPL_TOKEN), ("token-2022", TOKEN_2022)] {
        for (depth, shard_bits) in CLAIMS {
            let (units, size) = claim_row(program, (depth, shard_bits)).await;
            claims.push(ClaimRow {
                token: name,
                depth,
                shard_bits,
                units,
                size,
            });
        }
    }
    let ops = operation_rows().await;

    println!(
        "{:<28} {:>5} {:>6} {:>8} {:>9} {:>8} {:>8} {:>9}",
        "claim", "depth", "shard", "total", "floodgate", "token", "other", "tx bytes"
    );
    for r in &claims {
        let u = &r.units;
        println!(
            "{:<28} {:>5} {:>6} {:>8} {:>9} {:>8} {:>8} {:>9}",
            r.token,
            r.depth,
            format!("2^{}", r.shard_bits),
            u.total,
            u.floodgate,
            u.token,
            u.other,
            r.size
        );
    }
    println!();
    println!(
        "{:<28} {:>5} {:>8} {:>9} {:>8} {:>8} {:>9}",
        "spl-token", "depth", "total", "floodgate", "token", "other", "tx bytes"
    );
    for r in &ops {
        let u = &r.units;
        println!(
            "{:<28} {:>5} {:>8} {:>9} {:>8} {:>8} {:>9}",
            r.name, r.shape.0, u.total, u.floodgate, u.token, u.other, r.size
        );
    }
    // The deepest tree whose wallet transaction still fits in one packet, with the
    // largest shards (the longest claim proofs).
    let (deepest, deepest_locked) = (deepest_claim(AMOUNT, 0), deepest_claim(AMOUNT, AMOUNT));
    println!(
        "deepest tree whose wallet claim transaction fits in {PACKET_DATA_SIZE} bytes: \
         depth {deepest} (depth {deepest_locked} for a leaf with a locked part)"
    );

    let json = serde_json::json!({
        "command": COMMAND,
        "toolchain": "scripts/build-sbf.sh (../shared/sbf/build.sh, Debian LLVM 22)",
        "units": "total = the transaction; floodgate / token / other = each program's own units",
        "claim": claims.iter().map(|r| serde_json::json!({
            "token_program": r.token, "depth": r.depth, "shard_bits": r.shard_bits,
            "proof_hashes": r.shard_bits.min(r.depth), "total_cu": r.units.total,
            "token_program_cu": r.units.token, "program_cu": r.units.floodgate,
            "wallet_tx_bytes": r.size,
        })).collect::<Vec<_>>(),
        "operations": ops.iter().map(|r| serde_json::json!({
            "name": r.name, "depth": r.shape.0, "shard_bits": r.shape.1, "total_cu": r.units.total,
            "program_cu": r.units.floodgate, "token_program_cu": r.units.token,
            "other_programs_cu": r.units.other, "tx_bytes": r.size,
            "bump_search_cu_removed": r.bump_tries_removed,
        })).collect::<Vec<_>>(),
        "deepest_depth_in_one_packet": deepest,
        "deepest_depth_in_one_packet_locked": deepest_locked,
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/cu.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("bench/cu.json"))
            .expect("bench/cu.json is JSON");
    if std::env::var_os("CU_BENCH_WRITE").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap() + "\n").unwrap();
        println!("wrote {}", path.display());
        let root = path
            .parent()
            .and_then(|p| p.parent())
            .expect("the workspace root");
        let template = std::fs::read_to_string(root.join(bench_doc::TEMPLATE)).unwrap();
        std::fs::write(
            root.join(bench_doc::PAGE),
            bench_doc::render(&template, &json),
        )
        .unwrap();
        println!("wrote {}", bench_doc::PAGE);
    }
    // The regression guard: a claim at depth OP_DEPTH may not cost 5 % more than the
    // committed figure. Improve it, then commit the new figure (CU_BENCH_WRITE=1).
    for (token, before) in committed_claim_totals(&committed) {
        let now = claims
            .iter()
            .find(|r| r.token == token && r.depth == OP_DEPTH && r.shard_bits == OP_SHARD_BITS)
            .map(|r| r.units.total)
            .expect("measured");
        println!(
            "depth-{OP_DEPTH} claim in shards of 2^{OP_SHARD_BITS}, {token}: {now} CU (committed {before})"
        );
        assert!(
            now as f64 <= before as f64 * REGRESSION_LIMIT,
            "depth-{OP_DEPTH} claim on {token} costs {now} CU, more than 5 % over the committed {before}"
        );
    }
}

/// The deepest tree (up to 32) whose wallet claim transaction fits one packet, in the
/// largest shards (2^16 leaves: the longest claim proofs).
fn deepest_claim(unlocked: u64, locked: u64) -> u8 {
    let keys = wallet_keys(16);
    (0..=32u8)
        .take_while(|&d| {
            let leaf = synthetic_leaf(Pubkey::new_unique(), (d, 16), unlocked, locked).0;
            wallet_claim_size(&keys, &leaf) <= PACKET_DATA_SIZE
        })
        .last()
        .unwrap()
}

fn wallet_keys(shard_bits: u8) -> ix::DistributorKeys {
    ix::DistributorKeys {
        address: Pubkey::new_unique(),
        mint: Pubkey::new_unique(),
        token_program: TOKEN_2022,
        clawback_receiver: Pubkey::new_unique(),
        shard_bits,
        decimals: 6,
    }
}

/// Issue 12's size target: a claimant's transaction (compute budget, idempotent creation
/// of its token account, the claim with a locked part, so with its vesting status and
/// the system program) fits one packet at every depth up to 32 and every shard size.
#[test]
fn a_wallet_claim_fits_one_packet_at_every_depth() {
    for shard_bits in 0..=16 {
        let keys = wallet_keys(shard_bits);
        for depth in 0..=32 {
            let leaf = synthetic_leaf(Pubkey::new_unique(), (depth, shard_bits), 1, 1).0;
            let size = wallet_claim_size(&keys, &leaf);
            assert!(
                size <= PACKET_DATA_SIZE,
                "depth {depth}, shards of 2^{shard_bits}: {size} bytes"
            );
        }
    }
    assert_eq!(deepest_claim(AMOUNT, AMOUNT), 32);
}

/// `create_shard` at depth 32 fits one transaction, as `floodgate create` sends it (no
/// compute-budget instruction), with shards of 2^7 leaves or more (an upper proof of at
/// most 25 hashes), and with a compute-unit limit and price too from 2^9; with smaller
/// shards `floodgate new` refuses the shape.
#[test]
fn create_shard_fits_one_packet_at_depth_32_with_shards_of_128_leaves_or_more() {
    let admin = Pubkey::new_unique();
    let create = |shard_bits: u8| {
        let new = synthetic_leaf(Pubkey::new_unique(), (32, shard_bits), 1, 0).1;
        ix::create_shard(&wallet_keys(shard_bits), &admin, &new)
    };
    for shard_bits in 7..=16 {
        let alone = limits::size_of(&[create(shard_bits)], &admin);
        assert!(alone <= PACKET_DATA_SIZE, "2^{shard_bits}: {alone}");
    }
    for shard_bits in 9..=16 {
        let budgeted = transaction_size(&admin, &[create(shard_bits)]);
        assert!(budgeted <= PACKET_DATA_SIZE, "2^{shard_bits}: {budgeted}");
    }
    let alone = limits::size_of(&[create(6)], &admin);
    assert!(alone > PACKET_DATA_SIZE, "{alone}");
}

/// Where the compute units of a depth-20 SPL Token claim go, from the `checkpoint!`s of a
/// `cu-trace` build:
///
///     build.sh build-std programs/floodgate --features portable-sbf,cu-trace
///     SBF_OUT_DIR=<dir with that floodgate.so> cargo test -p floodgate-tests \
///         --test program compute_units::claim_breakdown -- --ignored --nocapture
#[tokio::test]
#[ignore = "needs a cu-trace SBF build: SBF_OUT_DIR=<dir with floodgate.so>"]
async fn claim_breakdown() {
    assert!(
        uses_sbf(),
        "set SBF_OUT_DIR to a folder holding floodgate.so"
    );
    let (mut f, leaf) = synthetic(SPL_TOKEN, (OP_DEPTH, OP_SHARD_BITS), AMOUNT, 0).await;
    let sent = f.claim_leaf(&leaf, 0).await.expect("claim");
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
