//! `floodgate claim` on the in-process bank: from a folder, over HTTP, and every refusal
//! made before anything is sent.

use crate::common::{DECIMALS, Fixture, MINTED, serve};
use anchor_lang::prelude::Pubkey;
use floodgate_cli::{
    commands::{
        Ctx, claim,
        common::Expected,
        create, new,
        priority::{FeeArgs, PriorityFee},
    },
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
    claim_pinned(f, claimant, drop, Expected::default()).await
}

/// [`claim_as`] with what the claimant expects of the distributor.
async fn claim_pinned(
    f: &mut Fixture,
    claimant: &Keypair,
    drop: &str,
    expected: Expected,
) -> (anyhow::Result<claim::ClaimReport>, usize) {
    claim_with(f, claimant, drop, expected, FeeArgs::fixed(1)).await
}

/// [`claim_pinned`] with a priority fee setting.
async fn claim_with(
    f: &mut Fixture,
    claimant: &Keypair,
    drop: &str,
    expected: Expected,
    fee: FeeArgs,
) -> (anyhow::Result<claim::ClaimReport>, usize) {
    let before = f.chain.attempts;
    let args = claim::Args {
        drop: drop.into(),
        to: None,
        fee,
        expected,
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
        page_bits: Some(2),
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

/// The drop folder of the fixture copied to `impostor/`, with the distributor that
/// `attacker` creates from it: the same root, `attacker`'s own worthless mint (same
/// decimals), a funded vault. Returns the folder and the impostor's address.
pub async fn impostor(f: &mut Fixture, attacker: &Keypair) -> (std::path::PathBuf, Pubkey) {
    use floodgate_client::local::token;
    let bank = &mut f.chain.bank;
    bank.fund(&attacker.pubkey(), 10_000_000_000).await.unwrap();
    let mint = token::create_mint(bank, &f.token_program, DECIMALS, &[])
        .await
        .unwrap()
        .pubkey();
    let ata = token::create_ata(bank, &mint, &attacker.pubkey(), &f.token_program)
        .await
        .unwrap();
    token::mint_to(bank, &mint, &ata, &f.token_program, MINTED, DECIMALS)
        .await
        .unwrap();
    let folder = f.dir.path().join("impostor");
    copy_dir(&f.drop, &folder);
    let mut m = Manifest::load(&folder).unwrap();
    m.mint = mint;
    m.distributor = None;
    m.save(&folder).unwrap();
    let mut args = f.create_args();
    args.drop = folder.clone().into();
    let mut ctx = Ctx::new(&mut f.chain, attacker, OutputFormat::Json);
    let report = create::run(&args, &mut ctx).await.unwrap();
    let address: Pubkey = report.distributor.parse().unwrap();
    assert_eq!(Manifest::load(&folder).unwrap().distributor, Some(address));
    (folder, address)
}

/// A drop host serves a manifest naming an impostor distributor: the real root (roots
/// are public), a worthless mint. Unpinned, the claim goes there, and the report names
/// the impostor's distributor, creator and mint (printed before sending). Each pin from
/// the real announcement refuses it with its exact error, before sending.
#[tokio::test]
async fn a_pinned_distributor_creator_or_mint_refuses_an_impostor() {
    let (mut f, claimants) = ready(10).await;
    let real = Manifest::load(&f.drop).unwrap().distributor.unwrap();
    let attacker = Keypair::new();
    let (folder, fake) = impostor(&mut f, &attacker).await;
    let fake_mint = Manifest::load(&folder).unwrap().mint;
    let folder = folder.to_str().unwrap().to_string();
    let k = &claimants[5];

    let pins = [
        (
            Expected {
                distributor: Some(real),
                ..Expected::default()
            },
            "distributor",
            real,
            fake,
        ),
        (
            Expected {
                creator: Some(f.creator.pubkey()),
                ..Expected::default()
            },
            "creator",
            f.creator.pubkey(),
            attacker.pubkey(),
        ),
        (
            Expected {
                mint: Some(f.mint),
                ..Expected::default()
            },
            "mint",
            f.mint,
            fake_mint,
        ),
    ];
    let honest = &claimants[0];
    let honest_index = floodgate_client::lookup::lookup(&f.drop, &honest.pubkey())
        .unwrap()
        .index;
    let drop = f.drop.to_str().unwrap().to_string();
    for (n, (expected, what, wanted, found)) in pins.into_iter().enumerate() {
        let (result, attempts) = claim_pinned(&mut f, k, &folder, expected.clone()).await;
        assert_eq!(
            refusal(result),
            CheckFailed::NotExpected {
                distributor: fake,
                what,
                expected: wanted,
                found,
            }
        );
        assert_eq!(attempts, 0, "{what}");
        // The real drop passes the same pin: the first claims, the others find the
        // leaf claimed (a check made after the pins).
        let (result, _) = claim_pinned(&mut f, honest, &drop, expected).await;
        if n == 0 {
            assert_eq!(result.unwrap().distributor, real.to_string());
        } else {
            assert_eq!(
                refusal(result),
                CheckFailed::AlreadyClaimed {
                    claimant: honest.pubkey(),
                    index: honest_index,
                }
            );
        }
    }

    // Unpinned, nothing tells them apart on chain: the report names what was claimed.
    let (report, attempts) = claim_as(&mut f, k, &folder).await;
    let report = report.unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(
        (report.distributor, report.creator, report.mint),
        (
            fake.to_string(),
            attacker.pubkey().to_string(),
            fake_mint.to_string()
        )
    );
}

/// A manifest whose mint or decimals differ from its distributor's is refused before
/// sending, naming the fields.
#[tokio::test]
async fn a_manifest_whose_mint_or_decimals_differ_from_the_chain_is_refused() {
    let (mut f, claimants) = ready(10).await;
    let real = Manifest::load(&f.drop).unwrap();
    let distributor = real.distributor.unwrap();
    let other_mint = Pubkey::new_unique();
    type Change = fn(&mut Manifest, Pubkey);
    let cases: [(&str, Change, String); 2] = [
        (
            "mint",
            |m, other| m.mint = other,
            format!("mint {other_mint} (manifest) vs {} (chain)", real.mint),
        ),
        (
            "decimals",
            |m, _| m.decimals += 3,
            format!("decimals {} (manifest) vs {DECIMALS} (chain)", DECIMALS + 3),
        ),
    ];
    for (name, change, fields) in cases {
        let folder = f.dir.path().join(name);
        copy_dir(&f.drop, &folder);
        let mut m = Manifest::load(&folder).unwrap();
        change(&mut m, other_mint);
        m.save(&folder).unwrap();
        let (result, attempts) = claim_as(&mut f, &claimants[1], folder.to_str().unwrap()).await;
        assert_eq!(
            refusal(result),
            CheckFailed::ChainMismatch {
                distributor,
                fields
            },
            "{name}"
        );
        assert_eq!(attempts, 0);
    }
}

#[tokio::test]
async fn an_auto_priority_fee_comes_from_the_claims_own_accounts_and_is_capped() {
    let (mut f, claimants) = ready(10).await;
    let drop = f.drop.to_str().unwrap().to_string();
    // Recent slots asked 0, 5,000, 20,000 and 100,000: the 75th percentile is 20,000.
    f.chain.priority_fees = vec![100_000, 0, 20_000, 5_000];
    let auto = |max| FeeArgs {
        priority_fee: PriorityFee::Auto,
        max_priority_fee: max,
    };

    let (report, _) = claim_with(
        &mut f,
        &claimants[0],
        &drop,
        Expected::default(),
        auto(1_000_000),
    )
    .await;
    let report = report.unwrap();
    assert_eq!(report.priority_fee, 20_000);
    // Asked about the accounts the claim writes: its own shard and vault among them,
    // and no other shard.
    let (_, keys) = f.distributor().await;
    let shard = report.index >> 2;
    let asked = f.chain.priority_fee_queries.last().unwrap().clone();
    assert!(asked.contains(&keys.shard(shard)), "{asked:?}");
    assert!(asked.contains(&keys.vault(shard)), "{asked:?}");
    let others: Vec<_> = (0..3)
        .filter(|&s| s != shard)
        .map(|s| keys.shard(s))
        .collect();
    assert!(others.iter().all(|o| !asked.contains(o)), "{asked:?}");

    // Capped by --max-priority-fee.
    let (report, _) = claim_with(
        &mut f,
        &claimants[1],
        &drop,
        Expected::default(),
        auto(10_000),
    )
    .await;
    assert_eq!(report.unwrap().priority_fee, 10_000);

    // A node that does not serve the method gives no price, and the claim goes on.
    f.chain.refuse_priority_fees = true;
    let (report, _) = claim_with(
        &mut f,
        &claimants[3],
        &drop,
        Expected::default(),
        auto(1_000_000),
    )
    .await;
    assert_eq!(report.unwrap().priority_fee, 0);

    // A fixed price asks nothing.
    let queries = f.chain.priority_fee_queries.len();
    let (report, _) = claim_with(
        &mut f,
        &claimants[2],
        &drop,
        Expected::default(),
        FeeArgs::fixed(7),
    )
    .await;
    assert_eq!(report.unwrap().priority_fee, 7);
    assert_eq!(f.chain.priority_fee_queries.len(), queries);
}
