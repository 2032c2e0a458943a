//! `close_shard` and `close_distributor`: only after clawback, rent back to the admin.

use floodgate::errors::FloodgateError;
use floodgate_client::{instructions as ix, local::token};
use floodgate_tests::*;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn the_whole_life_cycle_ends_with_every_account_closed() {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        ..Options::default()
    })
    .await;
    let admin = f.admin.insecure_clone();
    for index in [0, 3] {
        f.claim(index).await.unwrap();
    }
    f.go_to_clawback().await;
    let shards = f.num_shards();
    let mut rent = f.bank.lamports(&f.keys.address).await;
    for shard_index in 0..shards {
        f.send(&[ix::clawback(&f.keys, shard_index)], &[])
            .await
            .unwrap();
        rent += f.bank.lamports(&f.keys.shard(shard_index)).await
            + f.bank.lamports(&f.keys.vault(shard_index)).await;
    }
    // Tokens sent to a vault after its clawback are swept to the receiver on close.
    token::mint_to(&mut f.bank, &f.mint, &f.keys.vault(0), &SPL_TOKEN, 3, 6)
        .await
        .unwrap();
    let admin_before = f.bank.lamports(&admin.pubkey()).await;
    for shard_index in 0..shards {
        f.send(
            &[ix::close_shard(&f.keys, &admin.pubkey(), shard_index)],
            &[&admin],
        )
        .await
        .unwrap();
        assert!(f.bank.account(&f.keys.shard(shard_index)).await.is_none());
        assert!(f.bank.account(&f.keys.vault(shard_index)).await.is_none());
    }
    f.send(
        &[ix::close_distributor(&f.keys, &admin.pubkey())],
        &[&admin],
    )
    .await
    .unwrap();
    assert!(f.bank.account(&f.keys.address).await.is_none());
    assert_eq!(f.bank.lamports(&admin.pubkey()).await, admin_before + rent);
    // Everything that was not claimed went to the receiver.
    let claimed = f.allocations[0].unlocked + f.allocations[3].unlocked;
    assert_eq!(
        f.balance(f.keys.clawback_receiver).await,
        f.args.total_amount - claimed + 3
    );
}

#[tokio::test]
async fn a_shard_closes_only_after_its_clawback() {
    let mut f = Fixture::default().await;
    let admin = f.admin.insecure_clone();
    f.go_to_clawback().await;
    assert_error(
        f.send(&[ix::close_shard(&f.keys, &admin.pubkey(), 0)], &[&admin])
            .await,
        FloodgateError::ShardNotClawedBack,
    );
}

#[tokio::test]
async fn the_distributor_closes_only_with_no_open_shard_and_after_clawback_opens() {
    let mut f = Fixture::default().await;
    let admin = f.admin.insecure_clone();
    assert_error(
        f.send(
            &[ix::close_distributor(&f.keys, &admin.pubkey())],
            &[&admin],
        )
        .await,
        FloodgateError::ClawbackTooEarly,
    );
    f.go_to_clawback().await;
    assert_error(
        f.send(
            &[ix::close_distributor(&f.keys, &admin.pubkey())],
            &[&admin],
        )
        .await,
        FloodgateError::ShardsStillOpen,
    );
}

#[tokio::test]
async fn a_distributor_without_shards_closes_at_any_time() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..Options::default()
    })
    .await;
    let admin = f.admin.insecure_clone();
    f.send(
        &[ix::close_distributor(&f.keys, &admin.pubkey())],
        &[&admin],
    )
    .await
    .expect("close");
    assert!(f.bank.account(&f.keys.address).await.is_none());
}

#[tokio::test]
async fn close_shard_checks_the_shard_index() {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        ..Options::default()
    })
    .await;
    let admin = f.admin.insecure_clone();
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[]).await.unwrap();
    let mut instruction = ix::close_shard(&f.keys, &admin.pubkey(), 0);
    let last = instruction.data.len() - 4;
    instruction.data[last..].copy_from_slice(&1u32.to_le_bytes());
    assert_error(
        f.send(&[instruction], &[&admin]).await,
        FloodgateError::WrongShard,
    );
}
