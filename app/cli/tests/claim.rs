//! `floodgate claim` on the in-process bank: from a folder, over HTTP, and every refusal
//! made before anything is sent.

use crate::common::{DECIMALS, Fixture, serve};
use floodgate_cli::{
    commands::{Ctx, claim, new},
    error::CheckFailed,
    output::OutputFormat,
};
use floodgate_client::drop::{Manifest, page_path};
use solana_sdk::signature::{Keypair, Signer};
use std::path::Path;

/// Claims as `claimant` from `drop`; returns the result and the transactions attempted.
async fn claim_as(
    f: &mut Fixture,
    claimant: &Keypair,
    drop: &str,
) -> (anyhow::Result<claim::ClaimReport>, usize) {
    let before = f.chain.attempts;
    let args = claim::Args {
        drop: drop.to_string(),
        to: None,
        priority_fee: Some(1),
    };
    let mut ctx = Ctx::new(&mut f.chain, claimant, OutputFormat::Json);
    let result = claim::run(&args, &mut ctx).await;
    (result, f.chain.attempts - before)
}

async fn ready(n: usize) -> (Fixture, Vec<Keypair>) {
    let mut f = Fixture::new(n, 2).await;
    f.create().await.unwrap();
    let claimants: Vec<Keypair> = f.claimants.iter().map(|k| k.insecure_clone()).collect();
    for k in &claimants {
        f.chain.bank.fund(&k.pubkey(), 100_000_000).await.unwrap();
    }
    (f, claimants)
}

fn refusal(result: anyhow::Result<claim::ClaimReport>) -> CheckFailed {
    result
        .unwrap_err()
        .downcast::<CheckFailed>()
        .expect("a CheckFailed refusal")
}

#[tokio::test]
async fn claim_from_a_folder_then_refuse_the_second_claim() {
    let (mut f, claimants) = ready(10).await;
    let drop = f.drop.to_str().unwrap().to_string();
    let k = &claimants[3];
    let (report, attempts) = claim_as(&mut f, k, &drop).await;
    let report = report.unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(report.unlocked, "4");
    assert_eq!(report.destination, f.ata(&k.pubkey()).to_string());
    let ata = f.ata(&k.pubkey());
    assert_eq!(f.balance(&ata).await, 4 * 10u64.pow(DECIMALS as u32));

    let (again, attempts) = claim_as(&mut f, k, &drop).await;
    assert_eq!(
        refusal(again),
        CheckFailed::AlreadyClaimed {
            claimant: k.pubkey(),
            index: report.index
        }
    );
    assert_eq!(attempts, 0);
}

#[tokio::test]
async fn claim_over_http_from_a_static_server() {
    let (mut f, claimants) = ready(10).await;
    // manifest, index, one or two pages.
    let url = serve(&f.drop, 8);
    let k = &claimants[7];
    let (report, attempts) = claim_as(&mut f, k, &url).await;
    assert_eq!(report.unwrap().unlocked, "8");
    assert_eq!(attempts, 1);
    let ata = f.ata(&k.pubkey());
    assert_eq!(f.balance(&ata).await, 8 * 10u64.pow(DECIMALS as u32));
}

#[tokio::test]
async fn no_allocation_is_refused_before_sending() {
    let (mut f, _) = ready(10).await;
    let stranger = Keypair::new();
    f.chain
        .bank
        .fund(&stranger.pubkey(), 100_000_000)
        .await
        .unwrap();
    let drop = f.drop.to_str().unwrap().to_string();
    let (result, attempts) = claim_as(&mut f, &stranger, &drop).await;
    assert_eq!(
        refusal(result),
        CheckFailed::NoAllocation(stranger.pubkey())
    );
    assert_eq!(attempts, 0);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("pages")).unwrap();
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        std::fs::copy(&entry, to.join(rel)).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn a_tampered_page_is_refused_before_sending() {
    let (mut f, claimants) = ready(10).await;
    let tampered = f.dir.path().join("tampered");
    copy_dir(&f.drop, &tampered);
    let k = &claimants[0];
    let found = floodgate_client::lookup::lookup(&f.drop, &k.pubkey()).unwrap();
    let m = Manifest::load(&f.drop).unwrap();
    // Raise the claimant's unlocked amount in its page (leaf j at 56 + 48 j, amount + 32).
    let page = found.index >> m.page_bits;
    let j = (found.index - (page << m.page_bits)) as usize;
    let path = tampered.join(page_path(page));
    let mut bytes = std::fs::read(&path).unwrap();
    let at = 56 + 48 * j + 32;
    bytes[at..at + 8].copy_from_slice(&1_000_000_000u64.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();

    let (result, attempts) = claim_as(&mut f, k, tampered.to_str().unwrap()).await;
    match refusal(result) {
        CheckFailed::PageDoesNotVerify(reason) => {
            assert!(reason.contains(&page_path(page)), "{reason}")
        }
        other => panic!("expected PageDoesNotVerify, got {other:?}"),
    }
    assert_eq!(attempts, 0);
}

#[tokio::test]
async fn a_manifest_whose_root_differs_from_the_chain_is_refused_before_sending() {
    let (mut f, claimants) = ready(10).await;
    // Another list (every amount doubled) published as if it were this distributor's.
    let csv = f.dir.path().join("other.csv");
    let text: String = claimants
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{},{}\n", k.pubkey(), 2 * (i + 1)))
        .collect();
    std::fs::write(&csv, text).unwrap();
    let other = f.dir.path().join("other");
    let args = new::Args {
        csv,
        mint: f.mint,
        decimals: Some(DECIMALS),
        shard_bits: 2,
        page_bits: 2,
        cluster: None,
        out: other.clone(),
    };
    new::run(&args, None).await.unwrap();
    let real = Manifest::load(&f.drop).unwrap();
    let distributor = real.distributor.unwrap();
    let mut m = Manifest::load(&other).unwrap();
    m.set_distributor(distributor);
    m.save(&other).unwrap();

    let (result, attempts) = claim_as(&mut f, &claimants[2], other.to_str().unwrap()).await;
    assert_eq!(
        refusal(result),
        CheckFailed::RootMismatch {
            distributor,
            manifest: hex::encode(m.root),
            chain: hex::encode(real.root),
        }
    );
    assert_eq!(attempts, 0);
}
