//! `clawback`: timing, the receiver, and what it leaves behind.

use floodgate::errors::FloodgateError;
use floodgate_client::{instructions as ix, local::token};
use floodgate_tests::*;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn anyone_claws_back_what_is_left_once_it_opens() {
    let mut f = Fixture::default().await;
    f.claim(0).await.unwrap();
    let left = f.shard_total(0) - f.allocations[0].unlocked;
    f.set_time(f.args.clawback_start_ts - 1).await;
    assert_error(
        f.send(&[ix::clawback(&f.keys, 0)], &[]).await,
        FloodgateError::ClawbackTooEarly,
    );
    f.go_to_clawback().await;
    // Sent by a stranger: the bank's payer is neither creator nor admin.
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    assert_eq!(f.balance(f.keys.clawback_receiver).await, left);
    assert_eq!(f.balance(f.keys.vault(0)).await, 0);
    let shard = f.shard(0).await.header;
    assert_eq!((shard.clawed_back, shard.clawed_back_amount), (1, left));
}

#[tokio::test]
async fn a_shard_is_clawed_back_once() {
    let mut f = Fixture::default().await;
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[]).await.unwrap();
    assert_error(
        f.send(&[ix::clawback(&f.keys, 0)], &[]).await,
        FloodgateError::AlreadyClawedBack,
    );
}

#[tokio::test]
async fn tokens_go_only_to_the_recorded_receiver() {
    let mut f = Fixture::default().await;
    f.go_to_clawback().await;
    let thief = Keypair::new().pubkey();
    let mut keys = f.keys;
    keys.clawback_receiver = token::create_token_account(&mut f.bank, &f.mint, &thief, &SPL_TOKEN)
        .await
        .unwrap();
    assert_error(
        f.send(&[ix::clawback(&keys, 0)], &[]).await,
        FloodgateError::ClawbackReceiverMismatch,
    );
}

#[tokio::test]
async fn the_shard_index_must_match_the_shard() {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        ..Options::default()
    })
    .await;
    f.go_to_clawback().await;
    let mut instruction = ix::clawback(&f.keys, 0);
    let last = instruction.data.len() - 4;
    instruction.data[last..].copy_from_slice(&1u32.to_le_bytes());
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::WrongShard,
    );
}

#[tokio::test]
async fn a_shard_of_another_distributor_is_rejected() {
    let mut f = Fixture::default().await;
    let other = f.second_distributor().await;
    f.go_to_clawback().await;
    let mut instruction = ix::clawback(&f.keys, 0);
    instruction.accounts[1].pubkey = other.shard(0);
    instruction.accounts[2].pubkey = other.vault(0);
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::DistributorMismatch,
    );
}
