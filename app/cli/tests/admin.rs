//! Pause, unpause, clawback and close through the CLI commands.

use crate::common::Fixture;
use floodgate_cli::{
    commands::priority::FeeArgs,
    commands::{Ctx, claim, clawback, close, pause, status, target::Target},
    error::CheckFailed,
    output::OutputFormat,
};
use floodgate_client::{chain::Chain, drop::Manifest};
use solana_sdk::signature::Signer;

fn target(f: &Fixture) -> Target {
    Target {
        drop: Some(f.drop.clone().into()),
        distributor: None,
    }
}

#[tokio::test]
async fn pause_refuses_claims_then_clawback_and_close_return_everything() {
    let mut f = Fixture::new(6, 2).await;
    f.create().await.unwrap();
    let creator = f.creator.insecure_clone();
    let t = target(&f);
    let args = pause::Args { target: t.clone() };
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    assert_eq!(
        pause::run(&args, &mut ctx, true).await.unwrap().action,
        "claims paused"
    );
    assert_eq!(
        pause::run(&args, &mut ctx, true).await.unwrap().action,
        "claims were already paused"
    );

    let k = f.claimants[0].insecure_clone();
    f.chain.bank.fund(&k.pubkey(), 100_000_000).await.unwrap();
    let claim_args = claim::Args {
        drop: f.drop.to_str().unwrap().into(),
        to: None,
        fee: FeeArgs::default(),
        expected: Default::default(),
    };
    let before = f.chain.attempts;
    let mut ctx = Ctx::new(&mut f.chain, &k, OutputFormat::Json);
    let refused = claim::run(&claim_args, &mut ctx).await.unwrap_err();
    assert_eq!(
        refused.downcast::<CheckFailed>().unwrap(),
        CheckFailed::ClaimsClosed("the admin has paused claims".into())
    );
    assert_eq!(f.chain.attempts, before);

    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    assert_eq!(
        pause::run(&args, &mut ctx, false).await.unwrap().action,
        "claims resumed"
    );
    let mut ctx = Ctx::new(&mut f.chain, &k, OutputFormat::Json);
    claim::run(&claim_args, &mut ctx).await.unwrap();

    // Too early for clawback and close.
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    let early = clawback::run(&clawback::Args { target: t.clone() }, &mut ctx)
        .await
        .unwrap_err();
    assert!(
        early
            .to_string()
            .starts_with("clawback opens at 2096-10-02T07:06:40+00:00"),
        "{early}"
    );
    let not_yet = close::run(&close::Args { target: t.clone() }, &mut ctx)
        .await
        .unwrap_err();
    assert!(
        not_yet
            .to_string()
            .starts_with("shard 0 is not clawed back"),
        "{not_yet}"
    );

    f.chain.bank.set_time(4_000_000_000).await;
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    let report = clawback::run(&clawback::Args { target: t.clone() }, &mut ctx)
        .await
        .unwrap();
    assert_eq!(report.signatures.len(), 2);
    let status = status::run(
        &status::Args {
            drop: t.drop.clone(),
            distributor: None,
        },
        ctx.chain,
    )
    .await
    .unwrap();
    assert_eq!(status.claimed_count, 1);
    assert_eq!(status.vault_balance, "0");
    assert!(status.shards.iter().all(|s| s.clawed_back));

    let report = close::run(&close::Args { target: t.clone() }, &mut ctx)
        .await
        .unwrap();
    assert_eq!(report.signatures.len(), 3);
    let address = Manifest::load(&f.drop).unwrap().distributor.unwrap();
    assert!(f.chain.account(&address).await.unwrap().is_none());
    // The creator got every token back but the claimed one.
    let creator_ata = f.creator_ata;
    assert_eq!(
        f.balance(&creator_ata).await,
        crate::common::MINTED - 1_000_000 * first_amount(&f, &k)
    );
}

/// Tokens allocated to `k` (claimant i has i + 1).
fn first_amount(f: &Fixture, k: &solana_sdk::signature::Keypair) -> u64 {
    f.claimants
        .iter()
        .position(|c| c.pubkey() == k.pubkey())
        .unwrap() as u64
        + 1
}
