//! `floodgate push`: exact tally, nothing twice, nothing missed, concurrent or not, also
//! when interrupted and resumed. The bank resolves every transaction as it is submitted,
//! so in-flight bookkeeping under made-up outcomes is tested in the command's own module
//! (`commands::push::scheduler`).

use crate::common::{DECIMALS, Fixture};
use anchor_lang::prelude::Pubkey;
use clap::Parser;
use floodgate_cli::{
    cli::{Cli, Command},
    commands::{Ctx, common, priority::FeeArgs, push},
    output::{OutputFormat, tokens},
};
use floodgate_client::chain::{Chain, ChainError};
use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    signature::Signer,
    transaction::TransactionError,
};
use std::collections::HashSet;

async fn push_once(
    f: &mut Fixture,
    batch: u32,
    concurrency: u32,
) -> anyhow::Result<push::PushReport> {
    push_shards(f, batch, concurrency, None).await
}

async fn push_shards(
    f: &mut Fixture,
    batch: u32,
    concurrency: u32,
    shards: Option<&str>,
) -> anyhow::Result<push::PushReport> {
    let args = push::Args {
        drop: f.drop.clone().into(),
        batch,
        rate: 1000.0,
        concurrency,
        shards: shards.map(|s| push::parse_shards(s).unwrap()),
        fee: FeeArgs::default(),
    };
    let payer = f.creator.insecure_clone();
    let mut ctx = Ctx::new(&mut f.chain, &payer, OutputFormat::Json);
    push::run(&args, &mut ctx).await
}

/// What the claimants hold, in base units.
async fn claimants_total(f: &mut Fixture) -> u64 {
    let claimants: Vec<_> = f.claimants.iter().map(|k| k.pubkey()).collect();
    let mut sum = 0;
    for c in &claimants {
        let ata = f.ata(c);
        sum += f.balance(&ata).await;
    }
    sum
}

/// Every claimant holds exactly its allocation (claimant i: i + 1 tokens).
async fn assert_every_claimant_paid(f: &mut Fixture) {
    let claimants: Vec<_> = f.claimants.iter().map(|k| k.pubkey()).collect();
    for (i, c) in claimants.iter().enumerate() {
        let ata = f.ata(c);
        assert_eq!(
            f.balance(&ata).await,
            (i as u64 + 1) * 10u64.pow(DECIMALS as u32),
            "claimant {i}"
        );
    }
}

async fn interrupted_then_resumed(concurrency: u32) {
    // 13 leaves in 4 shards of 4 (the last has 1); batches of 2.
    let mut f = Fixture::new(13, 2).await;
    f.create().await.unwrap();
    let setup = f.chain.sent.len();

    // Killed after 3 batches (6 leaves); every later send fails as if the node were gone.
    f.chain.fail_after = Some(setup + 3);
    let attempts = f.chain.attempts;
    let error = push_once(&mut f, 2, concurrency).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("(6 pushed so far): run push again to resume"),
        "{error:#}"
    );
    let first_run = f.chain.sent.len() - setup;
    assert_eq!(first_run, 3);
    // The failing batches were retried up to 5 transactions each, never more than
    // `concurrency` of them at once: 3 landed, then 5 for the one given up, fewer for
    // the others.
    let attempts = f.chain.attempts - attempts;
    assert!(attempts >= 3 + 5, "{attempts} attempts");
    assert!(
        attempts <= 3 + 5 * concurrency.min(4) as usize,
        "{attempts} attempts"
    );

    f.chain.fail_after = None;
    let before = claimants_total(&mut f).await;
    let report = push_once(&mut f, 2, concurrency).await.unwrap();
    assert_eq!(report.leaves, 13);
    assert_eq!(report.already_claimed, 6);
    assert_eq!(report.pushed, 7);
    assert_eq!(report.claimed_meanwhile, 0);
    assert_eq!(report.skipped, 0);
    assert_eq!(report.retries, 0);
    // Leaves 6..13 in batches of 2: [6, 7], [8, 9], [10, 11], [12].
    assert_eq!(report.transactions, 4);
    let after = claimants_total(&mut f).await;
    assert_eq!(after, (1..=13).sum::<u64>() * 10u64.pow(DECIMALS as u32));
    assert_eq!(report.amount, tokens(after - before, DECIMALS));
    // Every claimant holds exactly its allocation: nothing missed, nothing twice.
    assert_every_claimant_paid(&mut f).await;
    let unique: HashSet<_> = f.chain.sent.iter().collect();
    assert_eq!(unique.len(), f.chain.sent.len(), "no transaction twice");
    assert_eq!(f.chain.sent.len() - setup, 3 + 4);

    // A third run has nothing to do.
    let before = f.chain.attempts;
    let report = push_once(&mut f, 2, concurrency).await.unwrap();
    assert_eq!(
        (report.already_claimed, report.pushed, report.transactions),
        (13, 0, 0)
    );
    assert_eq!(f.chain.attempts, before);
}

#[tokio::test]
async fn push_interrupted_then_resumed_pushes_every_leaf_exactly_once() {
    interrupted_then_resumed(1).await;
}

#[tokio::test]
async fn push_concurrent_interrupted_then_resumed_pushes_every_leaf_exactly_once() {
    interrupted_then_resumed(4).await;
}

#[tokio::test]
async fn push_concurrent_many_batches_exact_tally() {
    // 41 leaves in 6 shards of 8 (the last has 1); batches of 2 (3 leaves at depth 6
    // do not fit one packet): 21 transactions, 4 at a time.
    let mut f = Fixture::new(41, 3).await;
    f.create().await.unwrap();
    let setup = f.chain.sent.len();
    let attempts = f.chain.attempts;

    let report = push_once(&mut f, 2, 4).await.unwrap();
    assert_eq!(report.leaves, 41);
    assert_eq!(report.already_claimed, 0);
    assert_eq!(report.pushed, 41);
    assert_eq!(report.claimed_meanwhile, 0);
    assert_eq!(report.skipped, 0);
    assert_eq!(report.retries, 0);
    assert_eq!(report.transactions, 21);
    assert_eq!(
        report.amount,
        tokens((1..=41).sum::<u64>() * 10u64.pow(DECIMALS as u32), DECIMALS)
    );
    assert_eq!(f.chain.sent.len() - setup, 21);
    assert_eq!(
        f.chain.attempts - attempts,
        21,
        "no transaction attempted twice"
    );
    assert_every_claimant_paid(&mut f).await;

    let report = push_once(&mut f, 2, 4).await.unwrap();
    assert_eq!(
        (report.already_claimed, report.pushed, report.transactions),
        (41, 0, 0)
    );
}

#[test]
fn concurrency_is_8_by_default_and_1_to_64() {
    let parse = |extra: &[&str]| {
        let args = ["floodgate", "push", "--drop", "drop/"]
            .iter()
            .chain(extra)
            .copied();
        Cli::try_parse_from(args).map(|cli| match cli.command {
            Command::Push(args) => args.concurrency,
            other => panic!("{other:?}"),
        })
    };
    assert_eq!(parse(&[]).unwrap(), 8);
    assert_eq!(parse(&["--concurrency", "1"]).unwrap(), 1);
    assert_eq!(parse(&["--concurrency", "64"]).unwrap(), 64);
    for out_of_range in ["0", "65"] {
        let error = parse(&["--concurrency", out_of_range]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }
}

#[tokio::test]
async fn push_keeps_several_in_flight_and_retries_lost_transactions() {
    // 41 leaves, batches of 2 (21 transactions), 4 at a time; each transaction lands two
    // polls after it was submitted, and the 2nd and 5th submissions are lost.
    let mut f = Fixture::new(41, 3).await;
    f.create().await.unwrap();
    let setup = f.chain.sent.len();
    let attempts = f.chain.attempts;
    f.chain.latency = 2;
    f.chain.lose = vec![2, 5];

    let report = push_once(&mut f, 2, 4).await.unwrap();
    assert_eq!(f.chain.max_in_flight, 4, "4 in flight, never more");
    assert_eq!(report.pushed, 41);
    assert_eq!(report.claimed_meanwhile, 0);
    // The two lost ones expired, were read again (still unclaimed) and sent again.
    assert_eq!(report.retries, 2);
    assert_eq!(report.transactions, 21);
    assert_eq!(f.chain.sent.len() - setup, 21);
    assert_eq!(f.chain.attempts - attempts, 23);
    assert_eq!(
        report.amount,
        tokens((1..=41).sum::<u64>() * 10u64.pow(DECIMALS as u32), DECIMALS)
    );
    assert_every_claimant_paid(&mut f).await;
}

#[tokio::test]
async fn push_killed_with_transactions_in_flight_then_resumed() {
    // 13 leaves, batches of 2, 4 at a time; transactions land one poll late (polls are
    // 400 ms apart while nothing resolves).
    let mut f = Fixture::new(13, 2).await;
    f.create().await.unwrap();
    let setup = f.chain.sent.len();
    f.chain.latency = 1;

    // Killed 200 ms in: transactions submitted, none processed yet.
    let killed = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        push_once(&mut f, 2, 4),
    )
    .await;
    assert!(killed.is_err(), "the first run was not killed");
    let left_in_flight = f.chain.unprocessed();
    assert!(left_in_flight > 0);

    // They land while the second run works: its transactions for the same leaves fail
    // (already claimed), the leaves are read again and counted as claimed meanwhile.
    let report = push_once(&mut f, 2, 4).await.unwrap();
    let landed_before = (f.chain.sent.len() - setup) as u32 - report.transactions as u32;
    assert_eq!(
        report.already_claimed + report.pushed + report.claimed_meanwhile,
        13
    );
    assert_eq!(report.claimed_meanwhile, 2 * left_in_flight as u32);
    assert_eq!(
        report.already_claimed,
        2 * (landed_before - left_in_flight as u32)
    );
    assert_eq!(report.pushed, 2 * report.transactions as u32 - 1);
    assert_every_claimant_paid(&mut f).await;
    let unique: HashSet<_> = f.chain.sent.iter().collect();
    assert_eq!(unique.len(), f.chain.sent.len(), "no transaction twice");
}

/// Leaves claimed in each shard, from the chain.
async fn claimed_per_shard(f: &mut Fixture) -> Vec<u32> {
    let (state, keys) = f.distributor().await;
    common::shards(&mut f.chain, &keys, state.num_shards)
        .await
        .unwrap()
        .iter()
        .map(|s| s.state.as_ref().unwrap().header.claimed_count)
        .collect()
}

#[tokio::test]
async fn push_shards_pushes_only_those_shards() {
    // 13 leaves in 4 shards of 4 (the last has 1).
    let mut f = Fixture::new(13, 2).await;
    f.create().await.unwrap();

    let report = push_shards(&mut f, 2, 4, Some("1..3")).await.unwrap();
    assert_eq!((report.leaves, report.pushed), (8, 8));
    assert_eq!(claimed_per_shard(&mut f).await, vec![0, 4, 4, 0]);

    let report = push_shards(&mut f, 2, 4, Some("3..")).await.unwrap();
    assert_eq!((report.leaves, report.pushed), (1, 1));
    let report = push_shards(&mut f, 2, 4, Some("0..=1")).await.unwrap();
    assert_eq!(
        (report.leaves, report.already_claimed, report.pushed),
        (8, 4, 4)
    );
    assert_eq!(claimed_per_shard(&mut f).await, vec![4, 4, 4, 1]);
    assert_every_claimant_paid(&mut f).await;

    let error = push_shards(&mut f, 2, 4, Some("4..9")).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the distributor has shards 0..4"),
        "{error:#}"
    );
}

#[tokio::test]
async fn push_cuts_its_batches_to_one_packet() {
    // 40 leaves in one shard (depth 6): 8 leaves with their proofs and token-account
    // creations do not fit one packet, so `--batch 8` sends fewer a transaction. The
    // chain refuses a transaction larger than a packet, as a node does.
    let mut f = Fixture::new(40, 6).await;
    f.create().await.unwrap();
    let report = push_once(&mut f, 8, 4).await.unwrap();
    assert_eq!(report.pushed, 40);
    assert_eq!(report.retries, 0);
    assert!(
        (40 / 8 + 1..40).contains(&report.transactions),
        "{} transactions",
        report.transactions
    );
    assert_every_claimant_paid(&mut f).await;
}

#[tokio::test]
async fn the_local_chain_refuses_what_a_node_refuses() {
    let mut f = Fixture::new(1, 0).await;
    let payer = f.creator.insecure_clone();
    let memo = |data: usize, accounts: usize| {
        Instruction::new_with_bytes(
            Pubkey::new_unique(),
            &vec![0; data],
            (0..accounts)
                .map(|_| AccountMeta::new_readonly(Pubkey::new_unique(), false))
                .collect(),
        )
    };
    let (landed, attempts) = (f.chain.sent.len(), f.chain.attempts);
    let too_large = f.chain.send(&payer, &[memo(1_200, 0)], &[]).await;
    assert!(
        matches!(too_large, Err(ChainError::TooLarge { size }) if size > 1_232),
        "{too_large:?}"
    );
    let too_many = f.chain.submit(&payer, &[memo(0, 63)], &[]).await;
    assert!(
        matches!(
            too_many,
            Err(ChainError::Transaction(
                TransactionError::TooManyAccountLocks
            ))
        ),
        "{too_many:?}"
    );
    assert_eq!(f.chain.sent.len(), landed, "nothing reached the bank");
    assert_eq!(f.chain.attempts, attempts + 2);
}

#[tokio::test]
async fn push_prices_each_shard_from_its_own_recent_fees() {
    // 13 leaves in 4 shards.
    let mut f = Fixture::new(13, 2).await;
    f.create().await.unwrap();
    f.chain.priority_fees = vec![3_000, 0, 9_000, 1_000];
    let report = push_once(&mut f, 2, 4).await.unwrap();
    assert_eq!(report.pushed, 13);
    assert_eq!(report.priority_fee, 3_000);
    // One query per shard (prices are kept 10 s): its shard and its vault.
    let (_, keys) = f.distributor().await;
    let expected: Vec<Vec<Pubkey>> = (0..4).map(|s| vec![keys.shard(s), keys.vault(s)]).collect();
    assert_eq!(f.chain.priority_fee_queries, expected);
    assert_every_claimant_paid(&mut f).await;
}

/// Before the start, `push` is refused before it sends anything, with the claim's own
/// check (exit code 3), not stopped by the program's `ClaimsNotStarted` on a first batch.
#[tokio::test]
async fn push_before_the_start_is_refused_before_sending() {
    use floodgate_cli::{
        commands::{Ctx, create},
        error::CheckFailed,
        output::OutputFormat,
    };
    let mut f = Fixture::new(5, 1).await;
    let mut args = f.create_args();
    args.start = Some(f.chain.now().await.unwrap() + 3_600);
    let creator = f.creator.insecure_clone();
    create::run(
        &args,
        &mut Ctx::new(&mut f.chain, &creator, OutputFormat::Json),
    )
    .await
    .unwrap();
    let sent = f.chain.sent.len();
    let error = push_once(&mut f, 2, 2).await.unwrap_err();
    assert!(
        matches!(
            error.downcast_ref::<CheckFailed>(),
            Some(CheckFailed::ClaimsClosed(why)) if why.starts_with("claims open at")
        ),
        "{error:#}"
    );
    assert_eq!(f.chain.sent.len(), sent, "nothing sent");
}
