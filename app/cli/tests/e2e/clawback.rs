//! Clawback and close on the validator. The program requires a day between the end of
//! vesting and the clawback time, refuses new shards once clawback is due, and a
//! validator's clock follows wall time: so the drop starts a day less 20 seconds in the
//! past, which leaves 20 seconds to create it and claim before clawback is due.

use super::*;
use anchor_spl::token::ID as TOKEN_PROGRAM;

const DECIMALS: u8 = 6;
const UNIT: u64 = 1_000_000;
const MINTED: u64 = 1_000 * UNIT;
const DAY: i64 = 86_400;
/// Seconds from now to the clawback time.
const LEAD: i64 = 20;

#[tokio::test]
#[ignore = "needs a validator: scripts/validator.sh (see e2e/mod.rs)"]
async fn clawback_and_close_on_a_validator() {
    let mut chain = RpcChain::new(url());
    let dir = tempfile::tempdir().unwrap();
    let creator = Actor::new(&mut chain, dir.path(), "creator", 10).await;
    let mint = mint_for(&mut chain, &creator, &TOKEN_PROGRAM, &[], DECIMALS, MINTED).await;
    let creator_ata = pda::associated_token(&creator.pubkey(), &mint, &TOKEN_PROGRAM);
    let claimant = Actor::new(&mut chain, dir.path(), "claimant", 1).await;
    let mut rows = vec![(claimant.pubkey(), 7 * UNIT, 0)];
    rows.extend((1..4).map(|i| (Pubkey::new_unique(), i * UNIT, 0)));
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let drop = new_drop(&creator, dir.path(), &mint, &rows, DECIMALS, 1);
    let now = chain.now().await.unwrap();
    let clawback_at = now + LEAD;
    let (start, end) = ((clawback_at - DAY).to_string(), clawback_at.to_string());
    let address = create_drop(&creator, &drop, &["--start", &start, "--clawback-at", &end]);
    assert_eq!(balance(&mut chain, &creator_ata).await, MINTED - total);
    let (keys, shards) = on_chain(&mut chain, &address).await;
    assert_eq!(shards.len(), 2);

    let mut claim = floodgate(&claimant, &["claim"]);
    report(claim.arg("--drop").arg(&drop));

    // Clawback: what is left goes back to the creator.
    wait_for_clock(&mut chain, clawback_at).await;
    report(floodgate(&creator, &["clawback"]).arg("--drop").arg(&drop));
    assert_eq!(balance(&mut chain, &creator_ata).await, MINTED - 7 * UNIT);
    let (_, shards) = on_chain(&mut chain, &address).await;
    assert!(
        shards
            .iter()
            .all(|s| s.state.as_ref().unwrap().header.is_clawed_back())
    );

    // Close: every account of the drop is gone, and its rent is back with the creator.
    let before = lamports(&mut chain, &creator.pubkey()).await;
    report(floodgate(&creator, &["close"]).arg("--drop").arg(&drop));
    let mut addresses = vec![address];
    for s in 0..2 {
        addresses.extend([keys.shard(s), keys.vault(s)]);
    }
    let left = chain.accounts(&addresses).await.unwrap();
    assert!(left.iter().all(Option::is_none), "{left:?}");
    assert!(
        lamports(&mut chain, &creator.pubkey()).await > before,
        "the rent came back"
    );
}
