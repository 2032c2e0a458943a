//! The devnet walkthrough of `docs/walkthrough.md` on the validator: `new`, `create` killed half-way
//! and run again, `verify`, `status`, `claim` over HTTP by claimants with their own
//! keypairs, and `push` killed mid-run and resumed.

use super::*;
use crate::common::serve_for;
use anchor_spl::token::ID as TOKEN_PROGRAM;

const DECIMALS: u8 = 6;
const UNIT: u64 = 1_000_000;
/// Leaves of the drop: 38 shards of 16, so `create` and `push` take long enough to be
/// killed half-way.
const LEAVES: usize = 600;
const SHARD_BITS: &str = "4";
const MINTED: u64 = 1_000_000 * UNIT;

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn the_devnet_walkthrough_on_a_validator() {
    let mut chain = RpcChain::new(url());
    let dir = tempfile::tempdir().unwrap();
    let creator = Actor::new(&mut chain, dir.path(), "creator", 50).await;

    // 1. The mint, through the client.
    let mint = mint_for(&mut chain, &creator, &TOKEN_PROGRAM, &[], DECIMALS, MINTED).await;
    let creator_ata = pda::associated_token(&creator.pubkey(), &mint, &TOKEN_PROGRAM);
    let claimants: Vec<Keypair> = (0..LEAVES).map(|_| Keypair::new()).collect();
    let amount = |i: usize| (i as u64 + 1) * UNIT;
    let rows: Vec<(Pubkey, u64, u64)> = claimants
        .iter()
        .enumerate()
        .map(|(i, k)| (k.pubkey(), amount(i), 0))
        .collect();
    let total: u64 = (0..LEAVES).map(amount).sum();
    let csv = write_csv(dir.path(), &rows, DECIMALS);
    let drop = dir.path().join("drop");

    // 2. `new` reads the decimals from the chain; `create` is killed once the
    // distributor and a first shard exist, and run again.
    let new = report(
        floodgate(&creator, &["new", "--shard-bits", SHARD_BITS]).args([
            "--csv".as_ref(),
            csv.as_os_str(),
            "--mint".as_ref(),
            mint.to_string().as_ref(),
            "--out".as_ref(),
            drop.as_os_str(),
        ]),
    );
    assert_eq!(new["decimals"], DECIMALS);
    assert_eq!(new["num_leaves"], LEAVES);
    let num_shards = new["shards"].as_array().unwrap().len();
    assert_eq!(num_shards, LEAVES.div_ceil(16));
    let (address, _) = pda::distributor(&creator.pubkey(), &mint, 0);

    let create = || {
        let mut command = floodgate(
            &creator,
            &[
                "create",
                "--clawback-at",
                "2100-01-01T00:00:00Z",
                "--permissionless",
            ],
        );
        command.arg("--drop").arg(&drop);
        command
    };
    let mut first = spawn(&mut create());
    let killed = kill_when(&mut first, &mut chain, async |chain: &mut RpcChain| {
        let first_shard = pda::shard(&address, 0).0;
        chain.account(&first_shard).await.unwrap().is_some()
    })
    .await;
    assert!(killed, "create finished before it could be killed");
    let (_, shards) = on_chain(&mut chain, &address).await;
    let made = shards.iter().filter(|s| s.state.is_some()).count();
    assert!(
        (1..num_shards).contains(&made),
        "killed with {made} of {num_shards} shards made"
    );

    let again = report(&mut create());
    assert_eq!(again["distributor_created"], false);
    assert_eq!(
        again["shards_created"].as_u64().unwrap() + again["shards_already_there"].as_u64().unwrap(),
        num_shards as u64
    );
    // Nothing funded twice, nothing missing: every vault holds its shard's total, and
    // the creator paid exactly the drop's total.
    let (_, shards) = on_chain(&mut chain, &address).await;
    for (s, (shard, info)) in shards
        .iter()
        .zip(new["shards"].as_array().unwrap())
        .enumerate()
    {
        assert!(shard.state.is_some(), "shard {s} missing");
        let expected = info["total"].as_str().unwrap();
        assert_eq!(
            format_amount(shard.vault_balance.unwrap(), DECIMALS),
            expected,
            "vault {s}"
        );
    }
    assert_eq!(balance(&mut chain, &creator_ata).await, MINTED - total);

    // 3. verify and status.
    let mut verify = floodgate(&creator, &["verify"]);
    report(verify.arg("--drop").arg(&drop));
    let mut status = floodgate(&creator, &["status"]);
    let status = report(status.arg("--drop").arg(&drop));
    assert_eq!(status["distributor"], address.to_string());
    assert_eq!(status["num_leaves"], LEAVES);
    assert_eq!(status["claimed_count"], 0);
    assert_eq!(status["total_amount"], format_amount(total, DECIMALS));
    assert_eq!(status["vault_balance"], format_amount(total, DECIMALS));
    assert_eq!(status["paused"], false);
    assert_eq!(status["permissionless"], true);
    assert_eq!(status["shards"].as_array().unwrap().len(), num_shards);

    // 4. The folder on a static host; three claimants claim with their own keys.
    let host = serve_for(&drop, 100, Duration::from_secs(600));
    for (i, keypair) in claimants.iter().enumerate().take(3) {
        let claimant =
            Actor::from_keypair(&mut chain, dir.path(), keypair, &format!("claimant{i}"), 1).await;
        // One signs with its key on stdin; one reads and confirms at `processed`.
        let claim = ["claim", "--drop", &host];
        match i {
            0 => report_signed_on_stdin(&claimant, &claim),
            1 => report(floodgate(&claimant, &claim).args(["--commitment", "processed"])),
            _ => report(&mut floodgate(&claimant, &claim)),
        };
        // Read at `confirmed`, which a claim confirmed at `processed` may not have
        // reached yet.
        let ata = pda::associated_token(&claimant.pubkey(), &mint, &TOKEN_PROGRAM);
        let deadline = Instant::now() + Duration::from_secs(30);
        while balance(&mut chain, &ata).await != amount(i) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(balance(&mut chain, &ata).await, amount(i), "claimant {i}");
    }

    // 5. push, killed once some leaves are pushed, then run to its end.
    let pusher = Actor::new(&mut chain, dir.path(), "pusher", 20).await;
    let push = || {
        let mut command = floodgate(&pusher, &["push", "--concurrency", "8", "--rate", "100"]);
        command.arg("--drop").arg(&drop);
        command
    };
    let mut first = spawn(&mut push());
    let killed = kill_when(&mut first, &mut chain, async |chain: &mut RpcChain| {
        claimed(&on_chain(chain, &address).await.1) >= 3 + 40
    })
    .await;
    assert!(killed, "push finished before it could be killed");
    let before = claimed(&on_chain(&mut chain, &address).await.1);
    assert!(before < LEAVES as u32, "push was killed after it finished");

    let resumed = report(&mut push());
    let tally = |key: &str| resumed[key].as_u64().unwrap();
    assert!(tally("already_claimed") >= u64::from(before));
    assert_eq!(
        tally("already_claimed") + tally("pushed") + tally("claimed_meanwhile"),
        LEAVES as u64,
        "{resumed}"
    );
    assert_eq!(tally("skipped"), 0);

    // Every leaf claimed exactly once: each claimant holds its amount (not twice it),
    // and the vaults are empty.
    let (_, shards) = on_chain(&mut chain, &address).await;
    assert_eq!(claimed(&shards), LEAVES as u32);
    assert!(shards.iter().all(|s| s.vault_balance == Some(0)));
    let atas: Vec<Pubkey> = claimants
        .iter()
        .map(|k| pda::associated_token(&k.pubkey(), &mint, &TOKEN_PROGRAM))
        .collect();
    let accounts = chain.accounts(&atas).await.unwrap();
    for (i, account) in accounts.iter().enumerate() {
        let held = account.as_ref().and_then(|a| token_balance(&a.data));
        assert_eq!(held, Some(amount(i)), "claimant {i}");
    }
}
