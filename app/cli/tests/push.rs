//! `floodgate push` interrupted and resumed: exact tally, nothing twice, nothing missed.

mod common;

use common::{DECIMALS, Fixture};
use floodgate_cli::{
    commands::{Ctx, push},
    output::OutputFormat,
};
use solana_sdk::signature::Signer;
use std::collections::HashSet;

async fn push_once(f: &mut Fixture) -> anyhow::Result<push::PushReport> {
    let args = push::Args {
        drop: f.drop.clone(),
        batch: 2,
        rate: 1000.0,
    };
    let payer = f.creator.insecure_clone();
    let mut ctx = Ctx::new(&mut f.chain, &payer, OutputFormat::Json);
    push::run(&args, &mut ctx).await
}

#[tokio::test]
async fn push_interrupted_then_resumed_pushes_every_leaf_exactly_once() {
    // 13 leaves in 4 shards of 4 (the last has 1); batches of 2.
    let mut f = Fixture::new(13, 2).await;
    f.create().await.unwrap();
    let setup = f.chain.sent.len();

    // Killed after 3 batches (6 leaves); every later send fails as if the node were gone.
    f.chain.fail_after = Some(setup + 3);
    let error = push_once(&mut f).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("(6 pushed so far): run push again to resume"),
        "{error:#}"
    );
    let first_run = f.chain.sent.len() - setup;
    assert_eq!(first_run, 3);

    f.chain.fail_after = None;
    let report = push_once(&mut f).await.unwrap();
    assert_eq!(report.leaves, 13);
    assert_eq!(report.already_claimed, 6);
    assert_eq!(report.pushed, 7);
    assert_eq!(report.claimed_meanwhile, 0);
    assert_eq!(report.skipped, 0);
    // Leaves 6..13 in batches of 2: [6, 7], [8, 9], [10, 11], [12].
    assert_eq!(report.transactions, 4);
    // Every claimant holds exactly its allocation: nothing missed, nothing twice.
    let total_pushed: u64 = (1..=13).sum::<u64>() * 10u64.pow(DECIMALS as u32);
    let mut sum = 0;
    let claimants: Vec<_> = f.claimants.iter().map(|k| k.pubkey()).collect();
    for (i, c) in claimants.iter().enumerate() {
        let ata = f.ata(c);
        let balance = f.balance(&ata).await;
        assert_eq!(
            balance,
            (i as u64 + 1) * 10u64.pow(DECIMALS as u32),
            "claimant {i}"
        );
        sum += balance;
    }
    assert_eq!(sum, total_pushed);
    let unique: HashSet<_> = f.chain.sent.iter().collect();
    assert_eq!(unique.len(), f.chain.sent.len(), "no transaction twice");

    // A third run has nothing to do.
    let before = f.chain.attempts;
    let report = push_once(&mut f).await.unwrap();
    assert_eq!(
        (report.already_claimed, report.pushed, report.transactions),
        (13, 0, 0)
    );
    assert_eq!(f.chain.attempts, before);
}
