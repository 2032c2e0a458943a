//! `push` on the validator: two pushers sharing one drop by `--shards`, and the claims
//! landed per second by a drop of many shards against a one-shard drop (every claim of
//! which writes the same bitmap and vault).

use super::*;
use anchor_spl::token::ID as TOKEN_PROGRAM;

const DECIMALS: u8 = 6;
const UNIT: u64 = 1_000_000;

/// A funded, created, permissionless drop of `leaves` leaves in shards of
/// `2^shard_bits`: its folder and distributor.
async fn drop_of(
    chain: &mut RpcChain,
    dir: &Path,
    leaves: usize,
    shard_bits: u8,
) -> (PathBuf, Pubkey) {
    let creator = Actor::new(chain, dir, "creator", 20).await;
    let mint = mint_for(
        chain,
        &creator,
        &TOKEN_PROGRAM,
        &[],
        DECIMALS,
        1_000_000 * UNIT,
    )
    .await;
    let rows: Vec<(Pubkey, u64, u64)> = (0..leaves)
        .map(|i| (Pubkey::new_unique(), (i as u64 + 1) * UNIT, 0))
        .collect();
    let drop = new_drop(&creator, dir, &mint, &rows, DECIMALS, shard_bits);
    let address = create_drop(
        &creator,
        &drop,
        &["--clawback-at", "2100-01-01T00:00:00Z", "--permissionless"],
    );
    (drop, address)
}

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn two_pushers_share_a_drop_by_shards() {
    let mut chain = RpcChain::new(url());
    let dir = tempfile::tempdir().unwrap();
    // 240 leaves in 30 shards of 8.
    let (drop, address) = drop_of(&mut chain, dir.path(), 240, 3).await;
    let mut pushers = Vec::new();
    for (name, shards) in [("a", "0..15"), ("b", "15..")] {
        let pusher = Actor::new(&mut chain, dir.path(), name, 10).await;
        let mut command = floodgate(&pusher, &["push", "--shards", shards, "--rate", "50"]);
        let child = command
            .arg("--drop")
            .arg(&drop)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        pushers.push((pusher, child));
    }
    for (_, child) in pushers {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        // Each pushed its own 120 leaves; a leaf sent by both would have failed for one
        // of them and been counted as claimed meanwhile.
        assert_eq!(report["leaves"], 120, "{report}");
        assert_eq!(report["pushed"], 120, "{report}");
        assert_eq!(report["claimed_meanwhile"], 0, "{report}");
        assert_eq!(report["already_claimed"], 0, "{report}");
    }
    let (_, shards) = on_chain(&mut chain, &address).await;
    assert_eq!(claimed(&shards), 240);
    assert!(shards.iter().all(|s| s.vault_balance == Some(0)));
}

/// Pushes every leaf of `drop` at once; leaves landed per second and per slot.
async fn throughput(chain: &mut RpcChain, dir: &Path, drop: &Path) -> (f64, f64) {
    let pusher = Actor::new(chain, dir, "pusher", 20).await;
    let (start, first_slot) = (Instant::now(), chain.slot().await.unwrap());
    let pushed = report(
        floodgate(
            &pusher,
            &[
                "push",
                "--concurrency",
                "32",
                "--rate",
                "1000",
                "--batch",
                "1",
            ],
        )
        .arg("--drop")
        .arg(drop),
    );
    let seconds = start.elapsed().as_secs_f64();
    let slots = chain.slot().await.unwrap() - first_slot;
    let leaves = pushed["pushed"].as_f64().unwrap();
    (leaves / seconds, leaves / slots.max(1) as f64)
}

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn claims_landed_per_second_many_shards_against_one() {
    let mut chain = RpcChain::new(url());
    let leaves = 512;
    let many_dir = tempfile::tempdir().unwrap();
    let (many, _) = drop_of(&mut chain, many_dir.path(), leaves, 4).await;
    let one_dir = tempfile::tempdir().unwrap();
    let (one, _) = drop_of(&mut chain, one_dir.path(), leaves, 9).await;
    let (many_per_s, many_per_slot) = throughput(&mut chain, many_dir.path(), &many).await;
    let (one_per_s, one_per_slot) = throughput(&mut chain, one_dir.path(), &one).await;
    println!(
        "push of {leaves} leaves, one claim a transaction, 32 in flight: \
         {many_per_s:.1} claims/s ({many_per_slot:.2} a slot) with 32 shards; \
         {one_per_s:.1} claims/s ({one_per_slot:.2} a slot) with one shard; \
         ratio {:.2}",
        many_per_s / one_per_s
    );
}
