//! A Token-2022 drop with a transfer fee and a vesting window of a few seconds on the
//! validator: a claim pays the unlocked part less the fee, `pause` stops claims (the
//! CLI refuses before sending, and the program refuses a claim sent anyway),
//! `unpause` lets them through, and `withdraw-vested` pays the locked part once vested.

use super::*;
use crate::common::serve_for;
use anchor_spl::token_2022::ID as TOKEN_2022;
use floodgate::errors::FloodgateError;
use floodgate_client::{
    allocation::Allocation,
    chain::ChainError,
    drop::DropFolder,
    instructions::{self as ix, LeafClaim},
};

const DECIMALS: u8 = 6;
const UNIT: u64 = 1_000_000;
const FEE_BPS: u16 = 100;
const MAX_FEE: u64 = 1_000 * UNIT;
/// Seconds from creation to the end of vesting.
const VESTING: i64 = 8;

/// What arrives of a transfer of `amount`: Token-2022 withholds 1 % (rounded up).
fn net(amount: u64) -> u64 {
    amount - (amount * u64::from(FEE_BPS)).div_ceil(10_000).min(MAX_FEE)
}

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn vesting_pause_and_a_transfer_fee_on_a_validator() {
    let mut chain = RpcChain::new(url());
    let dir = tempfile::tempdir().unwrap();
    let creator = Actor::new(&mut chain, dir.path(), "creator", 10).await;
    let fee = MintExtension::TransferFee {
        basis_points: FEE_BPS,
        maximum_fee: MAX_FEE,
    };
    let mint = mint_for(
        &mut chain,
        &creator,
        &TOKEN_2022,
        &[fee],
        DECIMALS,
        1_000_000 * UNIT,
    )
    .await;
    let mut claimants = Vec::new();
    for i in 0..6 {
        claimants.push(Actor::new(&mut chain, dir.path(), &format!("claimant{i}"), 1).await);
    }
    let part = |i: usize| (10 * (i as u64 + 1) * UNIT, 20 * (i as u64 + 1) * UNIT);
    let rows: Vec<(Pubkey, u64, u64)> = claimants
        .iter()
        .enumerate()
        .map(|(i, c)| (c.pubkey(), part(i).0, part(i).1))
        .collect();
    let drop = new_drop(&creator, dir.path(), &mint, &rows, DECIMALS, 1);

    let now = chain.now().await.unwrap();
    let (start, end) = (now.to_string(), (now + VESTING).to_string());
    let clawback = (now + VESTING + 86_400 + 60).to_string();
    let address = create_drop(
        &creator,
        &drop,
        &[
            "--vesting-start",
            &start,
            "--vesting-end",
            &end,
            "--start",
            &start,
            "--clawback-at",
            &clawback,
        ],
    );
    let host = serve_for(&drop, 100, Duration::from_secs(600));
    let ata = |c: &Actor| pda::associated_token(&c.pubkey(), &mint, &TOKEN_2022);

    // A claim pays the unlocked part (less the fee) and opens the vesting status.
    let first = report(&mut floodgate(&claimants[0], &["claim", "--drop", &host]));
    assert_eq!(first["locked"], format_amount(part(0).1, DECIMALS));
    assert_eq!(
        balance(&mut chain, &ata(&claimants[0])).await,
        net(part(0).0)
    );

    // Paused: the CLI refuses before sending, and the program refuses a claim sent
    // anyway with its own error.
    report(floodgate(&creator, &["pause"]).arg("--drop").arg(&drop));
    let (code, stderr) = refusal(&mut floodgate(&claimants[1], &["claim", "--drop", &host]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("paused"), "{stderr}");
    let folder = DropFolder::open(&drop).unwrap();
    let shard_bits = folder.manifest().shard_bits;
    let (allocations, tree) = folder.rebuild_tree().unwrap();
    let index = leaf_index(&allocations, &claimants[1]);
    let a = &allocations[index as usize];
    let leaf = LeafClaim {
        index,
        claimant: a.claimant,
        unlocked: a.unlocked,
        locked: a.locked,
        proof: tree.claim_proof(index, shard_bits).unwrap(),
    };
    let (_, shards) = on_chain(&mut chain, &address).await;
    let keys = common::distributor(&mut chain, &address)
        .await
        .unwrap()
        .unwrap()
        .1;
    let destination = ata(&claimants[1]);
    let by = claimants[1].pubkey();
    let sent = chain
        .send(
            &claimants[1].keypair,
            &[
                ix::create_claimant_ata(&keys, &by, &by),
                ix::claim(&keys, &leaf, &destination, &by),
            ],
            &[],
        )
        .await;
    let paused = 6000 + FloodgateError::ClaimsPaused as u32;
    assert!(
        matches!(&sent, Err(e @ ChainError::Transaction(_)) if e.custom_code() == Some(paused)),
        "{sent:?}"
    );
    assert_eq!(
        claimed(&on_chain(&mut chain, &address).await.1),
        claimed(&shards)
    );

    // Unpaused: the claim goes through.
    report(floodgate(&creator, &["unpause"]).arg("--drop").arg(&drop));
    report(&mut floodgate(&claimants[1], &["claim", "--drop", &host]));
    assert_eq!(balance(&mut chain, &destination).await, net(part(1).0));

    // Vested: the locked part arrives (less the fee), and the status is closed.
    wait_for_clock(&mut chain, now + VESTING).await;
    let withdrawn = report(&mut floodgate(
        &claimants[0],
        &["withdraw-vested", "--drop", &host],
    ));
    assert_eq!(
        balance(&mut chain, &ata(&claimants[0])).await,
        net(part(0).0) + net(part(0).1),
        "{withdrawn}"
    );
    let status = pda::vesting(&address, leaf_index(&allocations, &claimants[0])).0;
    assert!(chain.account(&status).await.unwrap().is_none());
}

/// The leaf of `who` in the drop.
fn leaf_index(allocations: &[Allocation], who: &Actor) -> u32 {
    allocations
        .iter()
        .position(|a| a.claimant == who.pubkey())
        .unwrap() as u32
}
