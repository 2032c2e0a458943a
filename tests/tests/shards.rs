//! `create_shard` and drops of several shards: sizes, caps, and claims in different
//! shards that never write the same account.

use floodgate::{errors::FloodgateError, state::Shard};
use floodgate_client::{
    instructions::{self as ix, NewShard},
    local::token,
    pda,
};
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
        f.send(
            &[ix::create_shard(&keys, &admin.pubkey(), &f.new_shard(0, 1))],
            &[&admin],
        )
        .await,
        FloodgateError::MintMismatch,
    );
    let mut instruction = ix::create_shard(&f.keys, &admin.pubkey(), &f.new_shard(0, 1));
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

/// 11 leaves in shards of 4 (depth 4): shard roots at height 2, upper proofs of 2.
async fn eleven_without_shards() -> Fixture {
    Fixture::new(Options {
        create_shards: false,
        ..eleven()
    })
    .await
}

#[tokio::test]
async fn create_shard_stores_the_root_it_proves() {
    let mut f = eleven_without_shards().await;
    for s in 0..3 {
        let new = f.new_shard(s, f.shard_total(s));
        assert_eq!(new.upper_proof.len(), 2);
        f.create_shard_as(&new).await.expect("create_shard");
        let shard = f.shard(s).await;
        assert_eq!(shard.header.root, f.tree.shard_roots(2)[s as usize]);
        assert_eq!(shard.header.root, new.root);
    }
}

#[tokio::test]
async fn create_shard_needs_an_upper_proof_of_exactly_the_levels_above_the_shard() {
    let mut f = eleven_without_shards().await;
    let good = f.new_shard(1, f.shard_total(1));
    let mut short = good.clone();
    short.upper_proof.pop();
    let mut long = good.clone();
    long.upper_proof.push([0; 32]);
    for bad in [short, long] {
        assert_error(
            f.create_shard_as(&bad).await,
            FloodgateError::InvalidShardProofLength,
        );
    }
    f.create_shard_as(&good).await.expect("the exact proof");
}

#[tokio::test]
async fn a_shard_root_from_another_position_or_tree_cannot_be_stored() {
    let mut f = eleven_without_shards().await;
    let total = f.shard_total(0);
    let ours = f.new_shard(0, total);
    let theirs = f.new_shard(1, f.shard_total(1));
    // Shard 1's root, with its own (valid) upper proof, presented as shard 0.
    let at_another_position = NewShard {
        index: 0,
        max_total: total,
        ..theirs.clone()
    };
    // Shard 0's root and proof, each sibling tampered in turn.
    let mut tampered: Vec<NewShard> = (0..ours.upper_proof.len())
        .map(|k| {
            let mut bad = ours.clone();
            bad.upper_proof[k][0] ^= 1;
            bad
        })
        .collect();
    // The two siblings swapped.
    let mut swapped = ours.clone();
    swapped.upper_proof.swap(0, 1);
    tampered.push(swapped);
    // A root that is not a node of this tree (any other 32 bytes).
    tampered.push(NewShard {
        root: [0xAB; 32],
        ..ours.clone()
    });
    // The same leaves at other amounts: another tree's shard root and upper proof.
    let other = Fixture::prepare(Options {
        amounts: (1..=11).map(|i| (i * 10 + 1, 0)).collect(),
        ..eleven()
    })
    .await;
    let from_another_tree = NewShard {
        max_total: total,
        ..other.new_shard(0, 1)
    };
    for bad in [at_another_position, from_another_tree]
        .into_iter()
        .chain(tampered)
    {
        assert_error(
            f.create_shard_as(&bad).await,
            FloodgateError::InvalidShardRoot,
        );
    }
    f.create_shard_as(&ours).await.expect("the true root");
}

/// With the shards created, no leaf can be claimed in a shard other than its own: the
/// range check refuses it, and its proof cannot reach another shard's root either.
#[tokio::test]
async fn no_leaf_outside_a_shards_range_is_claimed_in_it() {
    let mut f = Fixture::new(eleven()).await;
    for i in 0..11u32 {
        let own = i >> 2;
        let leaf = f.leaf(i);
        let claimant = f.claimant(i);
        for other in (0..3).filter(|&s| s != own) {
            let mut instruction = f.claim_ix(&leaf).await;
            instruction.accounts[2].pubkey = f.keys.shard(other);
            instruction.accounts[3].pubkey = f.keys.vault(other);
            assert_error(
                f.send(&[instruction], &[&claimant]).await,
                FloodgateError::WrongShard,
            );
            // Nor does its proof lead to that shard's root.
            let root = f.tree.shard_roots(2)[other as usize];
            assert!(!floodgate_client::tree::MerkleTree::verify(
                i,
                &f.allocations[i as usize],
                &leaf.proof,
                &root
            ));
        }
    }
    for s in 0..3 {
        assert_eq!(f.shard(s).await.header.claimed_count, 0);
    }
}

/// A tree no deeper than a shard has one shard, whose root is the distributor's root
/// and whose upper proof is empty.
#[tokio::test]
async fn a_tree_within_one_shard_stores_the_root_itself() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        shard_bits: 16,
        ..eleven()
    })
    .await;
    let new = f.new_shard(0, f.shard_total(0));
    assert!(new.upper_proof.is_empty());
    assert_eq!(new.root, f.tree.root());
    let mut with_a_sibling = new.clone();
    with_a_sibling.upper_proof.push([0; 32]);
    assert_error(
        f.create_shard_as(&with_a_sibling).await,
        FloodgateError::InvalidShardProofLength,
    );
    f.create_and_fund_shard(0).await.expect("create_shard");
    assert_eq!(f.shard(0).await.header.root, f.tree.root());
    f.claim(10)
        .await
        .expect("a claim proves all 4 levels to the shard's root");
}
