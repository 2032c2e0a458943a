//! `floodgate withdraw-vested` on the in-process bank: half-way, nothing more at the same
//! time, the rest at the end (the status closes), and every refusal made before anything
//! is sent.

use crate::common::{DECIMALS, Fixture};
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::ID as TOKEN_PROGRAM;
use floodgate_cli::{
    commands::priority::FeeArgs,
    commands::{
        Ctx, claim, clawback, close,
        common::Expected,
        common::show_time,
        create, new,
        target::Target,
        withdraw_vested::{self, Refused},
    },
    output::OutputFormat,
};
use floodgate_client::{accounts, drop::Manifest, local::token, lookup::lookup, pda};
use solana_sdk::signature::{Keypair, Signer};

/// Vesting runs for this long from the bank's clock at creation.
const VESTING: i64 = 1_000_000;
const UNIT: u64 = 10u64.pow(DECIMALS as u32);

/// `n` claimants; claimant i has `i + 1` tokens unlocked and `10 (i + 1)` locked,
/// vesting linearly over [`VESTING`] seconds from now. Returns the fixture, the
/// claimants (funded) and the vesting start.
async fn vesting_drop(n: usize) -> (Fixture, Vec<Keypair>, i64) {
    let mut f = Fixture::new(n, 2).await;
    let csv = f.dir.path().join("vesting.csv");
    let text: String = f
        .claimants
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{},{},{}\n", k.pubkey(), i + 1, 10 * (i + 1)))
        .collect();
    std::fs::write(&csv, text).unwrap();
    let drop = f.dir.path().join("vesting-drop");
    let args = new::Args {
        csv,
        mint: f.mint,
        decimals: Some(DECIMALS),
        shard_bits: 2,
        page_bits: Some(2),
        cluster: None,
        out: drop.clone(),
    };
    new::run(&args, None).await.unwrap();
    f.drop = drop;

    let start = f.chain.bank.now().await;
    let args = create::Args {
        start: Some(start),
        vesting_start: Some(start),
        vesting_end: Some(start + VESTING),
        ..f.create_args()
    };
    let creator = f.creator.insecure_clone();
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    create::run(&args, &mut ctx).await.unwrap();

    let claimants: Vec<Keypair> = f.claimants.iter().map(|k| k.insecure_clone()).collect();
    for k in &claimants {
        f.chain.bank.fund(&k.pubkey(), 100_000_000).await.unwrap();
    }
    (f, claimants, start)
}

/// Claims as `claimant`, into `to` or its associated token account.
async fn claim(f: &mut Fixture, claimant: &Keypair, to: Option<Pubkey>) {
    let args = claim::Args {
        drop: f.drop.as_path().into(),
        to,
        fee: FeeArgs::default(),
        expected: Expected::default(),
    };
    let mut ctx = Ctx::new(&mut f.chain, claimant, OutputFormat::Json);
    claim::run(&args, &mut ctx).await.unwrap();
}

fn distributor_of(f: &Fixture) -> Pubkey {
    Manifest::load(&f.drop).unwrap().distributor.unwrap()
}

fn from_drop(f: &Fixture) -> withdraw_vested::Args {
    withdraw_vested::Args {
        drop: Some(f.drop.as_path().into()),
        expected: Expected::default(),
        index: None,
        to: None,
        fee: FeeArgs::fixed(1),
    }
}

/// Withdraws as `claimant`; returns the result and the transactions attempted.
async fn withdraw_as(
    f: &mut Fixture,
    claimant: &Keypair,
    args: &withdraw_vested::Args,
) -> (anyhow::Result<withdraw_vested::WithdrawReport>, usize) {
    let before = f.chain.attempts;
    let mut ctx = Ctx::new(&mut f.chain, claimant, OutputFormat::Json);
    let result = withdraw_vested::run(args, &mut ctx).await;
    (result, f.chain.attempts - before)
}

fn refusal(result: anyhow::Result<withdraw_vested::WithdrawReport>) -> Refused {
    result
        .unwrap_err()
        .downcast::<Refused>()
        .expect("a Refused refusal")
}

#[tokio::test]
async fn half_way_then_nothing_more_then_the_rest_and_the_status_closes() {
    let (mut f, claimants, start) = vesting_drop(6).await;
    let by_drop = from_drop(&f);
    // Claimant 3: 4 tokens unlocked, 40 locked.
    let k = &claimants[3];
    let index = lookup(&f.drop, &k.pubkey()).unwrap().index;
    let distributor = distributor_of(&f);
    let vesting = pda::vesting(&distributor, index).0;
    // Claimed into another token account: the claimant has no associated token account.
    let other = token::create_ata(
        &mut f.chain.bank,
        &f.mint,
        &Keypair::new().pubkey(),
        &TOKEN_PROGRAM,
    )
    .await
    .unwrap();
    claim(&mut f, k, Some(other)).await;
    assert_eq!(f.balance(&other).await, 4 * UNIT);
    let rent = f.chain.bank.lamports(&vesting).await;
    assert!(rent > 0, "the claim created the vesting status");

    let ata = f.ata(&k.pubkey());
    assert!(f.chain.bank.account(&ata).await.is_none());

    // Half-way: half of the locked part, into the associated token account, created.
    f.chain.bank.set_time(start + VESTING / 2).await;
    let (report, attempts) = withdraw_as(&mut f, k, &by_drop).await;
    let report = report.unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(report.index, index);
    assert_eq!(
        (
            report.locked.as_str(),
            report.vested.as_str(),
            report.withdrawn.as_str(),
            report.withdrawable.as_str()
        ),
        ("40", "20", "0", "20")
    );
    assert!(!report.closes);
    assert_eq!(report.destination, ata.to_string());
    assert_eq!(f.balance(&ata).await, 20 * UNIT);

    // Again at the same time: nothing has vested since, refused before sending.
    let (again, attempts) = withdraw_as(&mut f, k, &by_drop).await;
    assert_eq!(
        refusal(again),
        Refused::NothingToWithdraw {
            index,
            locked: "40".into(),
            vested: "20".into(),
            withdrawn: "20".into(),
            start: show_time(start),
            end: show_time(start + VESTING),
        }
    );
    assert_eq!(attempts, 0);

    // At the end, by --distributor and --index, into the other token account (--to): the
    // rest, and the status closes with its rent back to the claimant who paid it.
    f.chain.bank.set_time(start + VESTING).await;
    let args = withdraw_vested::Args {
        drop: None,
        expected: Expected {
            distributor: Some(distributor),
            ..Expected::default()
        },
        index: Some(index),
        to: Some(other),
        fee: FeeArgs::default(),
    };
    let lamports = f.chain.bank.lamports(&k.pubkey()).await;
    let (report, attempts) = withdraw_as(&mut f, k, &args).await;
    let report = report.unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(
        (
            report.vested.as_str(),
            report.withdrawn.as_str(),
            report.withdrawable.as_str()
        ),
        ("40", "20", "20")
    );
    assert!(report.closes);
    assert_eq!(report.rent_payer, k.pubkey().to_string());
    assert_eq!(report.destination, other.to_string());
    assert_eq!(f.balance(&other).await, 24 * UNIT);
    assert_eq!(f.balance(&ata).await, 20 * UNIT);
    assert!(f.chain.bank.account(&vesting).await.is_none(), "closed");
    // The rent came back; the claimant paid one fee (5,000 lamports per signature).
    assert_eq!(
        f.chain.bank.lamports(&k.pubkey()).await,
        lamports + rent - 5_000
    );

    // Nothing is left: the status is gone, refused before sending.
    let (after, attempts) = withdraw_as(&mut f, k, &by_drop).await;
    assert_eq!(
        refusal(after),
        Refused::NoVestingStatus { distributor, index }
    );
    assert_eq!(attempts, 0);
}

#[tokio::test]
async fn no_status_or_another_claimants_status_is_refused_before_sending() {
    let (mut f, claimants, start) = vesting_drop(6).await;
    let by_drop = from_drop(&f);
    let distributor = distributor_of(&f);
    f.chain.bank.set_time(start + VESTING / 2).await;

    // Claimant 0 has not claimed: no vesting status.
    let k0 = &claimants[0];
    let index0 = lookup(&f.drop, &k0.pubkey()).unwrap().index;
    let (result, attempts) = withdraw_as(&mut f, k0, &by_drop).await;
    assert_eq!(
        refusal(result),
        Refused::NoVestingStatus {
            distributor,
            index: index0
        }
    );
    assert_eq!(attempts, 0);

    // Claimant 1 claims; claimant 0 names its leaf: the status is not claimant 0's.
    let k1 = &claimants[1];
    let index1 = lookup(&f.drop, &k1.pubkey()).unwrap().index;
    claim(&mut f, k1, None).await;
    let args = withdraw_vested::Args {
        index: Some(index1),
        ..by_drop.clone()
    };
    let (result, attempts) = withdraw_as(&mut f, k0, &args).await;
    assert_eq!(
        refusal(result),
        Refused::NotTheClaimant {
            index: index1,
            owner: k1.pubkey(),
            keypair: k0.pubkey(),
        }
    );
    assert_eq!(attempts, 0);

    // A stranger with no leaf in the drop is refused by the lookup, like `claim`.
    let stranger = Keypair::new();
    f.chain
        .bank
        .fund(&stranger.pubkey(), 100_000_000)
        .await
        .unwrap();
    let (result, attempts) = withdraw_as(&mut f, &stranger, &by_drop).await;
    assert_eq!(
        result
            .unwrap_err()
            .downcast::<floodgate_cli::error::CheckFailed>()
            .unwrap(),
        floodgate_cli::error::CheckFailed::NoAllocation(stranger.pubkey())
    );
    assert_eq!(attempts, 0);
}

#[test]
fn flags_parse_as_the_readme_shows_them() {
    use clap::Parser;
    use floodgate_cli::cli::Cli;
    let address = "So11111111111111111111111111111111111111112";
    let parses = |line: &str| Cli::try_parse_from(line.replace("ADDR", address).split_whitespace());
    for line in [
        "floodgate withdraw-vested --drop https://example.org/drop --url devnet --keypair ~/wallet.json",
        "floodgate withdraw-vested --distributor ADDR --index 42 --to ADDR --priority-fee 10000",
        "floodgate withdraw-vested --drop drop/ --index 42 --output json",
        "floodgate withdraw-vested --drop drop/ --distributor ADDR --creator ADDR --mint ADDR",
        "floodgate withdraw-vested --distributor ADDR --index 1 --creator ADDR",
    ] {
        parses(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    for (line, why) in [
        (
            "floodgate withdraw-vested --index 42",
            "needs --drop or --distributor",
        ),
        (
            "floodgate withdraw-vested --creator ADDR --mint ADDR",
            "a pin alone names no distributor",
        ),
    ] {
        let error = parses(line).expect_err(why);
        assert_eq!(error.exit_code(), 2, "{why}: {error}");
    }
}

/// The pins of `claim` hold for `withdraw-vested` too, with a drop or with
/// `--distributor`: a distributor other than the one expected is refused before
/// sending, with the exact field; `--distributor` without `--drop` needs `--index`.
#[tokio::test]
async fn withdraw_vested_refuses_an_impostor_too() {
    use floodgate_cli::error::CheckFailed;
    let (mut f, claimants, start) = vesting_drop(4).await;
    let distributor = distributor_of(&f);
    let k = &claimants[2];
    let index = lookup(&f.drop, &k.pubkey()).unwrap().index;
    claim(&mut f, k, None).await;
    f.chain.bank.set_time(start + VESTING / 2).await;
    let (other, stranger) = (Pubkey::new_unique(), Pubkey::new_unique());
    let by_drop = from_drop(&f);
    let by_address = withdraw_vested::Args {
        drop: None,
        expected: Expected {
            distributor: Some(distributor),
            ..Expected::default()
        },
        index: Some(index),
        ..by_drop.clone()
    };
    let cases = [
        (
            withdraw_vested::Args {
                expected: Expected {
                    distributor: Some(other),
                    ..Expected::default()
                },
                ..by_drop.clone()
            },
            ("distributor", other, distributor),
        ),
        (
            withdraw_vested::Args {
                expected: Expected {
                    mint: Some(other),
                    ..Expected::default()
                },
                ..by_drop.clone()
            },
            ("mint", other, f.mint),
        ),
        (
            withdraw_vested::Args {
                expected: Expected {
                    creator: Some(stranger),
                    ..by_address.expected.clone()
                },
                ..by_address.clone()
            },
            ("creator", stranger, f.creator.pubkey()),
        ),
    ];
    for (args, (what, expected, found)) in cases {
        let (result, attempts) = withdraw_as(&mut f, k, &args).await;
        assert_eq!(
            result.unwrap_err().downcast::<CheckFailed>().unwrap(),
            CheckFailed::NotExpected {
                distributor,
                what,
                expected,
                found
            }
        );
        assert_eq!(attempts, 0, "{what}");
    }
    let no_index = withdraw_vested::Args {
        index: None,
        ..by_address.clone()
    };
    let (result, attempts) = withdraw_as(&mut f, k, &no_index).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "--distributor needs --index (or --drop)"
    );
    assert_eq!(attempts, 0);
    // Pinned right, it goes through.
    let pinned = withdraw_vested::Args {
        expected: Expected {
            distributor: Some(distributor),
            creator: Some(f.creator.pubkey()),
            mint: Some(f.mint),
        },
        ..by_drop
    };
    let (report, attempts) = withdraw_as(&mut f, k, &pinned).await;
    assert_eq!(report.unwrap().creator, f.creator.pubkey().to_string());
    assert_eq!(attempts, 1);
}

/// A distributor clawed back, closed and created again at its address from the same
/// drop leaves its first life's vesting statuses at the leaves' status addresses, where
/// they block a claim of the leaf (`VestingAddressInUse`). `claim` closes the
/// claimant's (its rent back to its payer: here the claimant) and then claims.
#[tokio::test]
async fn claim_closes_a_status_left_by_an_earlier_distributor_at_the_address() {
    let (mut f, claimants, _) = vesting_drop(4).await;
    // Claimant 1: 2 tokens unlocked, 20 locked.
    let k = &claimants[1];
    claim(&mut f, k, None).await;
    let distributor = distributor_of(&f);
    let index = lookup(&f.drop, &k.pubkey()).unwrap().index;
    let status = pda::vesting(&distributor, index).0;

    let first = f.create_args();
    f.chain.bank.set_time(first.clawback_at).await;
    let creator = f.creator.insecure_clone();
    let target = Target {
        drop: Some(f.drop.clone().into()),
        distributor: None,
    };
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    let clawback_args = clawback::Args {
        target: target.clone(),
    };
    clawback::run(&clawback_args, &mut ctx).await.unwrap();
    close::run(&close::Args { target }, &mut ctx).await.unwrap();
    let later = first.clawback_at + 86_400;
    f.chain.bank.set_time(later).await;
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    let again = create::Args {
        start: Some(later),
        vesting_start: Some(later),
        vesting_end: Some(later + VESTING),
        clawback_at: later + VESTING + 2 * 86_400,
        ..first
    };
    create::run(&again, &mut ctx).await.unwrap();
    assert_eq!(distributor_of(&f), distributor);
    assert!(
        f.chain.bank.account(&status).await.is_some(),
        "the old status"
    );

    let lamports = f.chain.bank.lamports(&k.pubkey()).await;
    let before = f.chain.attempts;
    claim(&mut f, k, None).await;
    assert_eq!(f.chain.attempts - before, 2, "the close, then the claim");
    // The old status's rent came back and paid the new one: two fees are spent.
    assert_eq!(f.chain.bank.lamports(&k.pubkey()).await, lamports - 10_000);
    let account = f.chain.bank.account(&status).await.expect("the new status");
    let new = accounts::vesting(&account.data).unwrap();
    assert_eq!(
        (new.locked_total, new.withdrawn, new.claimant),
        (20 * UNIT, 0, k.pubkey())
    );
    // Unlocked twice, once by each life of the distributor.
    assert_eq!(f.balance(&f.ata(&k.pubkey())).await, 4 * UNIT);
}
