//! `create_shard` and drops of several shards: sizes, caps, and claims in different
//! shards that never write the same account.

use floodgate::{errors::FloodgateError, state::Shard};
use floodgate_client::{instructions as ix, local::token, pda};
use floodgate_tests::*;
use solana_sdk::{instruction::InstructionError, signature::Signer};
use std::collections::HashSet;

/// 11 leaves in shards of 4: 4 + 4 + 3.
fn eleven() -> Options {
    Options {
        amounts: (1..=11).map(|i| (i * 10, 0)).collect(),
        shard_bits: 2,
        ..Options::default()
    }
}

#[tokio::test]
async fn shards_are_sized_to_their_leaves_and_the_last_one_is_short() {
    let mut f = Fixture::new(eleven()).await;
    assert_eq!(f.num_shards(), 3);
    for (shard_index, leaves) in [(0, 4), (1, 4), (2, 3)] {
        let address = f.keys.shard(shard_index);
        let account = f.bank.account(&address).await.unwrap();
        assert_eq!(account.data.len(), Shard::space(leaves));
        let shard = f.shard(shard_index).await.header;
        assert_eq!((shard.shard_index, shard.leaf_count), (shard_index, leaves));
        assert_eq!(shard.max_total, f.shard_total(shard_index));
        assert_eq!(shard.vault, f.keys.vault(shard_index));
        assert_eq!(shard.distributor, f.keys.address);
        assert_eq!(f.balance(shard.vault).await, shard.max_total);
    }
    let d = f.distributor().await;
    assert_eq!((d.open_shards, d.allocated_amount), (3, d.total_amount));
}

#[tokio::test]
async fn every_leaf_of_every_shard_claims_into_its_own_shard() {
    let mut f = Fixture::new(eleven()).await;
    for index in 0..11 {
        f.claim(index).await.expect("claim");
    }
    for shard_index in 0..3 {
        let shard = f.shard(shard_index).await;
        assert_eq!(shard.header.claimed_count, shard.header.leaf_count);
        assert_eq!(shard.header.claimed_amount, shard.header.max_total);
        assert_eq!(shard.unclaimed().count(), 0);
        assert_eq!(f.balance(f.keys.vault(shard_index)).await, 0);
    }
}

#[tokio::test]
async fn claims_in_different_shards_write_disjoint_accounts() {
    let mut f = Fixture::new(eleven()).await;
    // Each claimant pays its own fee, as wallets do.
    let mut writable_sets = vec![];
    for index in [1, 5, 9] {
        let claimant = f.claimant(index);
        f.bank.fund(&claimant.pubkey(), 100_000_000).await.unwrap();
        let destination = f.ata(&claimant.pubkey()).await;
        let instruction = ix::claim(&f.keys, &f.leaf(index), &destination, &claimant.pubkey());
        let writable: HashSet<_> = writable_keys(&instruction).into_iter().collect();
        let shard_index = index >> 2;
        let expected: HashSet<_> = [
            f.keys.shard(shard_index),
            f.keys.vault(shard_index),
            destination,
            claimant.pubkey(),
        ]
        .into();
        assert_eq!(writable, expected);
        f.bank
            .send_as(&claimant.pubkey(), &[instruction], &[&claimant])
            .await
            .expect("claim");
        writable_sets.push(writable);
    }
    for (i, a) in writable_sets.iter().enumerate() {
        for b in &writable_sets[i + 1..] {
            assert!(a.is_disjoint(b), "{a:?} and {b:?} share a writable account");
        }
    }
}

#[tokio::test]
async fn create_shard_rejects_an_index_past_the_last_shard() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await;
    assert_error(
        f.create_shard(3, 1).await,
        FloodgateError::ShardIndexOutOfRange,
    );
}

#[tokio::test]
async fn create_shard_rejects_a_zero_max_total() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await;
    assert_error(f.create_shard(0, 0).await, FloodgateError::InvalidMaxTotal);
}

#[tokio::test]
async fn shards_cannot_be_allocated_more_than_the_total() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await;
    let total = f.args.total_amount;
    f.create_shard(0, total - 5).await.unwrap();
    assert_error(
        f.create_shard(1, 6).await,
        FloodgateError::ShardOverAllocated,
    );
    f.create_shard(1, 5).await.expect("exactly the total");
    assert_error(
        f.create_shard(2, u64::MAX).await,
        FloodgateError::ShardOverAllocated,
    );
}

/// A shard is closed only after its clawback; creating shards then is refused, so a
/// closed shard cannot come back with an empty bitmap and pay its leaves twice.
#[tokio::test]
async fn a_closed_shard_cannot_be_created_again() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await;
    f.create_and_fund_shard(0).await.unwrap();
    f.claim(0).await.expect("claim");
    f.set_time(f.args.clawback_start_ts - 1).await;
    f.create_and_fund_shard(1)
        .await
        .expect("up to the last second");
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    let admin = f.admin.insecure_clone();
    f.send(&[ix::close_shard(&f.keys, &admin.pubkey(), 0)], &[&admin])
        .await
        .expect("close_shard");
    assert_error(
        f.create_shard(0, 1).await,
        FloodgateError::ShardAfterClawback,
    );
    assert_error(
        f.create_shard(2, 1).await,
        FloodgateError::ShardAfterClawback,
    );
}

#[tokio::test]
async fn a_shard_is_created_once() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await;
    f.create_shard(0, 1).await.unwrap();
    let again = f.create_shard(0, 1).await;
    // Anchor's `init` finds the shard funded and owned by the program: the system
    // program refuses to allocate it again.
    assert_instruction_error(again, InstructionError::InvalidInstructionData);
    assert_eq!(f.distributor().await.open_shards, 1);
}

#[tokio::test]
async fn create_shard_checks_the_mint_and_token_program() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await;
    let admin = f.admin.insecure_clone();
    let other_mint = token::create_mint(&mut f.bank, &SPL_TOKEN, 6, &[])
        .await
        .unwrap()
        .pubkey();
    let mut keys = f.keys;
    keys.mint = other_mint;
    assert_error(
        f.send(&[ix::create_shard(&keys, &admin.pubkey(), 0, 1)], &[&admin])
            .await,
        FloodgateError::MintMismatch,
    );
    let mut instruction = ix::create_shard(&f.keys, &admin.pubkey(), 0, 1);
    swap_account(&mut instruction, SPL_TOKEN, TOKEN_2022);
    // The vault's creation fails in the token program, before any plain constraint.
    assert_instruction_error(
        f.send(&[instruction], &[&admin]).await,
        InstructionError::IncorrectProgramId,
    );
}

#[tokio::test]
async fn vaults_are_owned_by_the_distributor() {
    let mut f = Fixture::new(eleven()).await;
    let vault = f.keys.vault(1);
    let data = f.bank.account(&vault).await.unwrap().data;
    let owner = anchor_lang::prelude::Pubkey::try_from(&data[32..64]).unwrap();
    assert_eq!(owner, f.keys.address);
    assert_eq!(vault, pda::vault(&f.keys.shard(1)).0);
}
