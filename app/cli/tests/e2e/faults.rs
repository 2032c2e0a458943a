//! `claim` and `push` through the fault-injecting proxy: under each fault they finish
//! with an exact tally (nothing reported claimed that is not, nothing left unclaimed by
//! a push that said it finished), and the pushed leaves per second with no fault and
//! with 10 % of the answers cut off.

use super::{
    proxy::{Fault, Plan, Proxy},
    *,
};
use anchor_spl::token::ID as TOKEN_PROGRAM;
use std::sync::atomic::Ordering;

const DECIMALS: u8 = 6;
const UNIT: u64 = 1_000_000;

/// `floodgate ARGS` as `actor`, through `proxy`.
fn through(proxy: &Proxy, actor: &Actor, args: &[&str]) -> Command {
    floodgate_at(&proxy.url, actor, args)
}

/// A created, permissionless drop whose first `with_keys` leaves' claimants are funded
/// actors: its folder, distributor, the actors, and each leaf's amount by claimant.
async fn drop_with_claimants(
    chain: &mut RpcChain,
    dir: &Path,
    leaves: usize,
    with_keys: usize,
) -> (PathBuf, Pubkey, Vec<Actor>) {
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
    let mut actors = Vec::new();
    for i in 0..with_keys {
        actors.push(Actor::new(chain, dir, &format!("claimant{i}"), 1).await);
    }
    let rows: Vec<(Pubkey, u64, u64)> = (0..leaves)
        .map(|i| {
            let claimant = actors.get(i).map_or_else(Pubkey::new_unique, Actor::pubkey);
            (claimant, amount(i), 0)
        })
        .collect();
    let drop = new_drop(&creator, dir, &mint, &rows, DECIMALS, 4);
    let address = create_drop(
        &creator,
        &drop,
        &["--clawback-at", "2100-01-01T00:00:00Z", "--permissionless"],
    );
    (drop, address, actors)
}

/// Leaf `i`'s amount in base units.
fn amount(i: usize) -> u64 {
    (i as u64 + 1) * UNIT
}

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn claim_and_push_finish_exactly_under_each_fault() {
    let mut chain = RpcChain::new(url());
    let dir = tempfile::tempdir().unwrap();
    let faults = [
        (Fault::Latency(Duration::from_millis(300)), 30),
        (Fault::CutOff, 10),
        (Fault::TooManyRequests, 10),
        (Fault::BadGateway, 10),
        (Fault::Unavailable, 10),
        (Fault::Lagging, 10),
    ];
    // 96 leaves in 6 shards of 16.
    let (drop, address, claimants) = drop_with_claimants(&mut chain, dir.path(), 96, 6).await;
    let (keys, _) = on_chain(&mut chain, &address).await;
    let pusher = Actor::new(&mut chain, dir.path(), "pusher", 10).await;
    for (j, (fault, percent)) in faults.into_iter().enumerate() {
        let proxy = Proxy::start(
            &url(),
            Plan {
                fault,
                percent,
                seed: j as u64,
            },
        );
        // A claimant claims its leaf: paid exactly once.
        let mut claim = through(&proxy, &claimants[j], &["claim"]);
        report(claim.arg("--drop").arg(&drop));
        let ata = pda::associated_token(&claimants[j].pubkey(), &keys.mint, &TOKEN_PROGRAM);
        assert_eq!(balance(&mut chain, &ata).await, amount(j), "{fault:?}");

        // Shard j pushed: the tally printed is the chain's.
        let shard = j.to_string();
        let mut push = through(
            &proxy,
            &pusher,
            &["push", "--shards", &shard, "--rate", "50"],
        );
        let pushed = report(push.arg("--drop").arg(&drop));
        let tally = |key: &str| pushed[key].as_u64().unwrap();
        assert_eq!(tally("leaves"), 16, "{fault:?}: {pushed}");
        assert_eq!(
            tally("already_claimed") + tally("pushed") + tally("claimed_meanwhile"),
            16,
            "{fault:?}: {pushed}"
        );
        let (_, shards) = on_chain(&mut chain, &address).await;
        let state = shards[j].state.as_ref().unwrap();
        assert_eq!(state.header.claimed_count, 16, "{fault:?}");
        assert_eq!(shards[j].vault_balance, Some(0), "{fault:?}");
        let (requests, faulted) = (
            proxy.stats.requests.load(Ordering::Relaxed),
            proxy.stats.faults.load(Ordering::Relaxed),
        );
        assert!(faulted > 0, "{fault:?}: no request got the fault");
        println!(
            "{fault:?} on {percent} % of requests: {faulted} of {requests} faulted; claim and push of 16 leaves exact"
        );
    }
    // Every claimant of the first six leaves holds its amount once.
    for (j, claimant) in claimants.iter().enumerate() {
        let ata = pda::associated_token(&claimant.pubkey(), &keys.mint, &TOKEN_PROGRAM);
        assert_eq!(balance(&mut chain, &ata).await, amount(j));
    }
}

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn pushed_leaves_per_second_with_and_without_cut_off_answers() {
    let mut chain = RpcChain::new(url());
    let dir = tempfile::tempdir().unwrap();
    // 256 leaves in 16 shards of 16: half pushed through a clean proxy, half with 10 %
    // of the answers cut off.
    let (drop, address, _) = drop_with_claimants(&mut chain, dir.path(), 256, 0).await;
    let pusher = Actor::new(&mut chain, dir.path(), "pusher", 10).await;
    let mut figures = Vec::new();
    for (shards, percent) in [("0..8", 0), ("8..16", 10)] {
        let proxy = Proxy::start(
            &url(),
            Plan {
                fault: Fault::CutOff,
                percent,
                seed: 7,
            },
        );
        let start = Instant::now();
        let mut push = through(
            &proxy,
            &pusher,
            &[
                "push",
                "--shards",
                shards,
                "--concurrency",
                "16",
                "--rate",
                "500",
            ],
        );
        let pushed = report(push.arg("--drop").arg(&drop));
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(pushed["leaves"], 128);
        assert_eq!(
            pushed["pushed"].as_u64().unwrap() + pushed["claimed_meanwhile"].as_u64().unwrap(),
            128,
            "{pushed}"
        );
        figures.push((percent, 128.0 / seconds, pushed["retries"].clone()));
    }
    let (_, shards) = on_chain(&mut chain, &address).await;
    assert_eq!(claimed(&shards), 256);
    for (percent, per_second, retries) in figures {
        println!(
            "push through the proxy, {percent} % of answers cut off: {per_second:.1} leaves/s ({retries} batch retries)"
        );
    }
}
