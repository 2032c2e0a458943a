//! `claim`: happy paths on both token programs and a broken variant of every check.

use anchor_lang::error::ErrorCode as AnchorError;
use floodgate::errors::FloodgateError;
use floodgate_client::{
    accounts,
    instructions::{self as ix, LeafClaim},
    local::token,
    pda,
    tree::MerkleTree,
};
use floodgate_tests::*;
use solana_sdk::signature::{Keypair, Signer};

/// Eight leaves, depth 3, one shard.
fn eight() -> Options {
    Options {
        amounts: (1..=8).map(|i| (i * 1_000, 0)).collect(),
        ..Options::default()
    }
}

#[tokio::test]
async fn every_leaf_is_paid_exactly_its_amount_spl_token() {
    every_leaf_is_paid(SPL_TOKEN).await;
}

#[tokio::test]
async fn every_leaf_is_paid_exactly_its_amount_token_2022() {
    every_leaf_is_paid(TOKEN_2022).await;
}

async fn every_leaf_is_paid(token_program: anchor_lang::prelude::Pubkey) {
    let mut f = Fixture::new(Options {
        token_program,
        ..eight()
    })
    .await;
    let vault = f.keys.vault(0);
    let funded = f.balance(vault).await;
    for index in 0..8 {
        f.claim(index).await.expect("claim");
        assert_eq!(
            f.ata_balance(index).await,
            f.allocations[index as usize].unlocked
        );
        assert!(f.shard(0).await.is_claimed(index));
    }
    let shard = f.shard(0).await;
    assert_eq!(shard.header.claimed_count, 8);
    assert_eq!(shard.header.claimed_amount, funded);
    assert_eq!(f.balance(vault).await, 0);
}

#[tokio::test]
async fn the_claimant_may_choose_any_token_account_of_the_mint() {
    let mut f = Fixture::default().await;
    let claimant = f.claimant(2);
    let elsewhere =
        token::create_token_account(&mut f.bank, &f.mint, &Keypair::new().pubkey(), &SPL_TOKEN)
            .await
            .unwrap();
    let payer = f.bank.payer().pubkey();
    let instruction = ix::claim(&f.keys, &f.leaf(2), &elsewhere, &payer);
    f.send(&[instruction], &[&claimant])
        .await
        .expect("claim to another account");
    assert_eq!(f.balance(elsewhere).await, f.allocations[2].unlocked);
}

#[tokio::test]
async fn a_forged_proof_is_rejected() {
    let mut f = Fixture::new(eight()).await;
    let mut leaf = f.leaf(3);
    leaf.proof[1] = [0xAB; 32];
    assert_error(f.claim_leaf(&leaf, 3).await, FloodgateError::InvalidProof);
}

#[tokio::test]
async fn a_flipped_sibling_is_rejected() {
    let mut f = Fixture::new(eight()).await;
    for level in 0..3 {
        let mut leaf = f.leaf(5);
        leaf.proof[level][0] ^= 1;
        assert_error(f.claim_leaf(&leaf, 5).await, FloodgateError::InvalidProof);
    }
    // Siblings in another order.
    let mut leaf = f.leaf(5);
    leaf.proof.swap(0, 1);
    assert_error(f.claim_leaf(&leaf, 5).await, FloodgateError::InvalidProof);
}

#[tokio::test]
async fn a_proof_one_hash_short_or_long_is_rejected() {
    let mut f = Fixture::new(eight()).await;
    let mut short = f.leaf(1);
    short.proof.pop();
    assert_error(
        f.claim_leaf(&short, 1).await,
        FloodgateError::InvalidProofLength,
    );
    let mut long = f.leaf(1);
    long.proof.push([0; 32]);
    assert_error(
        f.claim_leaf(&long, 1).await,
        FloodgateError::InvalidProofLength,
    );
}

#[tokio::test]
async fn a_wrong_index_is_rejected() {
    let mut f = Fixture::new(eight()).await;
    // Leaf 2's data and proof under index 3 (same shard, valid index).
    let mut leaf = f.leaf(2);
    leaf.index = 3;
    assert_error(f.claim_leaf(&leaf, 2).await, FloodgateError::InvalidProof);
    // Leaf 2's data with leaf 3's proof under index 3.
    let mut leaf = f.leaf(2);
    leaf.index = 3;
    leaf.proof = f.leaf(3).proof;
    assert_error(f.claim_leaf(&leaf, 2).await, FloodgateError::InvalidProof);
}

#[tokio::test]
async fn an_index_out_of_range_is_rejected() {
    let mut f = Fixture::default().await; // 5 leaves in a depth-3 tree: 5..8 are padding
    let mut leaf = f.leaf(4);
    leaf.index = 5;
    assert_error(
        f.claim_leaf(&leaf, 4).await,
        FloodgateError::IndexOutOfRange,
    );
}

#[tokio::test]
async fn a_wrong_amount_is_rejected() {
    let mut f = Fixture::default().await;
    let mut more = f.leaf(0);
    more.unlocked += 1;
    assert_error(f.claim_leaf(&more, 0).await, FloodgateError::InvalidProof);
    let mut locked = f.leaf(0);
    locked.locked = 1;
    assert_error(f.claim_leaf(&locked, 0).await, FloodgateError::InvalidProof);
}

#[tokio::test]
async fn a_wrong_claimant_is_rejected() {
    let mut f = Fixture::default().await;
    // Claimant 1 signs for leaf 0's data and proof: the leaf hash takes the signer.
    let mut leaf = f.leaf(0);
    leaf.claimant = f.allocations[1].claimant;
    assert_error(f.claim_leaf(&leaf, 1).await, FloodgateError::InvalidProof);
}

#[tokio::test]
async fn the_claimant_must_sign() {
    let mut f = Fixture::default().await;
    let leaf = f.leaf(0);
    let mut instruction = f.claim_ix(&leaf).await;
    assert_eq!(instruction.accounts[0].pubkey, leaf.claimant);
    instruction.accounts[0].is_signer = false;
    assert_anchor_error(
        f.send(&[instruction], &[]).await,
        AnchorError::AccountNotSigner,
    );
}

#[tokio::test]
async fn a_leaf_is_paid_once() {
    let mut f = Fixture::default().await;
    f.claim(1).await.expect("first claim");
    assert_error(f.claim(1).await, FloodgateError::AlreadyClaimed);
    assert_eq!(f.ata_balance(1).await, f.allocations[1].unlocked);
    assert_eq!(f.shard(0).await.header.claimed_count, 1);
}

#[tokio::test]
async fn a_shard_of_another_distributor_is_rejected() {
    let mut f = Fixture::default().await;
    let other = f.second_distributor().await;
    let leaf = f.leaf(0);
    let mut instruction = f.claim_ix(&leaf).await;
    instruction.accounts[2].pubkey = other.shard(0); // claimant, distributor, shard, vault, …
    instruction.accounts[3].pubkey = other.vault(0);
    let claimant = f.claimant(0);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::DistributorMismatch,
    );
}

#[tokio::test]
async fn a_distributor_other_than_the_shards_is_rejected() {
    let mut f = Fixture::default().await;
    let other = f.second_distributor().await;
    let leaf = f.leaf(0);
    let mut instruction = f.claim_ix(&leaf).await;
    instruction.accounts[1].pubkey = other.address;
    let claimant = f.claimant(0);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::DistributorMismatch,
    );
}

#[tokio::test]
async fn a_vault_of_another_shard_or_distributor_is_rejected() {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        ..eight()
    })
    .await;
    let other = f.second_distributor().await;
    for wrong_vault in [f.keys.vault(1), other.vault(0)] {
        let leaf = f.leaf(0);
        let mut instruction = f.claim_ix(&leaf).await;
        instruction.accounts[3].pubkey = wrong_vault;
        let claimant = f.claimant(0);
        assert_error(
            f.send(&[instruction], &[&claimant]).await,
            FloodgateError::VaultMismatch,
        );
    }
}

#[tokio::test]
async fn the_shard_must_hold_the_leaf() {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        ..eight()
    })
    .await;
    let leaf = f.leaf(0);
    let mut instruction = f.claim_ix(&leaf).await;
    instruction.accounts[2].pubkey = f.keys.shard(1);
    instruction.accounts[3].pubkey = f.keys.vault(1);
    let claimant = f.claimant(0);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::WrongShard,
    );
}

#[tokio::test]
async fn a_wrong_mint_is_rejected() {
    let mut f = Fixture::default().await;
    let other_mint = token::create_mint(&mut f.bank, &SPL_TOKEN, 6, &[])
        .await
        .unwrap()
        .pubkey();
    let leaf = f.leaf(0);
    let mut instruction = f.claim_ix(&leaf).await;
    instruction.accounts[4].pubkey = other_mint;
    let claimant = f.claimant(0);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::MintMismatch,
    );
}

#[tokio::test]
async fn a_wrong_token_program_is_rejected() {
    let mut f = Fixture::default().await;
    let leaf = f.leaf(0);
    let mut instruction = f.claim_ix(&leaf).await;
    swap_account(&mut instruction, SPL_TOKEN, TOKEN_2022);
    let claimant = f.claimant(0);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::TokenProgramMismatch,
    );
}

#[tokio::test]
async fn claims_wait_for_the_start() {
    // Created ten seconds before its start: claims read the clock.
    let mut f = Fixture::prepare(Options::default()).await;
    f.set_time(START - 10).await;
    f.create_distributor().await.expect("create_distributor");
    f.create_and_fund_shard(0).await.expect("create_shard");
    assert_eq!(f.distributor().await.open_at_creation, 0);
    f.set_time(START - 1).await;
    assert_error(f.claim(0).await, FloodgateError::ClaimsNotStarted);
    f.set_time(START).await;
    f.claim(0).await.expect("claims open at START exactly");
}

/// A distributor created at or after its start records it, and its claims read no
/// clock (about 145 CU each): they stay open even under a clock set back before the start,
/// which a cluster never does.
#[tokio::test]
async fn claims_open_at_creation_read_no_clock() {
    let mut f = Fixture::default().await;
    assert_eq!(f.distributor().await.open_at_creation, 1);
    f.set_time(START - 1_000).await;
    f.claim(0).await.expect("open since creation");
}

#[tokio::test]
async fn claims_stop_while_paused() {
    let mut f = Fixture::default().await;
    let admin = f.admin.insecure_clone();
    f.send(&[ix::set_paused(&f.keys, &admin.pubkey(), true)], &[&admin])
        .await
        .unwrap();
    assert_error(f.claim(0).await, FloodgateError::ClaimsPaused);
    f.send(
        &[ix::set_paused(&f.keys, &admin.pubkey(), false)],
        &[&admin],
    )
    .await
    .unwrap();
    f.claim(0).await.expect("claims resume");
}

#[tokio::test]
async fn claims_stop_after_clawback() {
    let mut f = Fixture::default().await;
    f.claim(0).await.unwrap();
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    assert_error(f.claim(1).await, FloodgateError::ShardClawedBack);
}

#[tokio::test]
async fn a_shard_never_pays_past_its_max_total() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..Options::default()
    })
    .await;
    // The admin caps the shard below the leaves' sum (and funds it fully).
    let cap = 600; // leaves are 100..=500 in some order
    f.create_shard(0, cap).await.unwrap();
    let vault = f.keys.vault(0);
    token::mint_to(&mut f.bank, &f.mint, &vault, &SPL_TOKEN, 1_500, 6)
        .await
        .unwrap();
    let mut paid = 0;
    let mut refused = 0;
    for index in 0..5 {
        match f.claim(index).await {
            Ok(_) => paid += f.allocations[index as usize].unlocked,
            Err(error) => {
                assert_eq!(
                    custom_code(&error),
                    Some(code(FloodgateError::ShardCapExceeded))
                );
                refused += 1;
            }
        }
    }
    assert!(paid <= cap && refused > 0, "paid {paid}, refused {refused}");
    assert_eq!(f.shard(0).await.header.claimed_amount, paid);
}

#[tokio::test]
async fn an_overflowing_leaf_is_rejected() {
    let options = Options {
        amounts: vec![(u64::MAX, 1), (5, 0)],
        ..Options::default()
    };
    let mut f = Fixture::new(options).await;
    let index = f.index_where(|a| a.locked == 1);
    let leaf = f.leaf(index);
    let destination = f.ata(&leaf.claimant).await;
    let payer = f.bank.payer().pubkey();
    let instruction = ix::claim(&f.keys, &leaf, &destination, &payer);
    let claimant = f.claimant(index);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::ArithmeticOverflow,
    );
}

/// Two leaves, one with a locked part; returns the fixture and that leaf's index.
async fn with_a_locked_leaf() -> (Fixture, u32) {
    let f = Fixture::new(Options {
        amounts: vec![(10, 90), (5, 0)],
        ..Options::default()
    })
    .await;
    let index = f.index_where(|a| a.locked == 90);
    (f, index)
}

#[tokio::test]
async fn a_locked_leaf_needs_its_vesting_account() {
    let (mut f, index) = with_a_locked_leaf().await;
    let leaf = f.leaf(index);
    let mut instruction = f.claim_ix(&leaf).await;
    // Optional accounts left out are passed as the program id.
    let vesting = pda::vesting(&f.keys.address, index).0;
    swap_account(&mut instruction, vesting, floodgate::ID).is_writable = false;
    let claimant = f.claimant(index);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::VestingAccountMissing,
    );
    // The vesting account given, the system program left out.
    let mut instruction = f.claim_ix(&leaf).await;
    swap_account(
        &mut instruction,
        anchor_lang::system_program::ID,
        floodgate::ID,
    );
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::VestingAccountMissing,
    );
}

#[tokio::test]
async fn a_wrong_vesting_account_is_rejected() {
    let (mut f, index) = with_a_locked_leaf().await;
    let leaf = f.leaf(index);
    let claimant = f.claimant(index);
    // Another leaf's vesting PDA.
    let mut instruction = f.claim_ix(&leaf).await;
    let vesting = pda::vesting(&f.keys.address, index).0;
    swap_account(
        &mut instruction,
        vesting,
        pda::vesting(&f.keys.address, index ^ 1).0,
    );
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::InvalidVestingAccount,
    );
    // The right PDA with a wrong bump in the data (the bump is the byte after the amounts).
    let mut instruction = f.claim_ix(&leaf).await;
    let bump_at = 8 + 4 + 8 + 8;
    instruction.data[bump_at] = instruction.data[bump_at].wrapping_sub(1);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::InvalidVestingAccount,
    );
}

#[tokio::test]
async fn a_claim_writes_only_its_shard_vault_destination_and_payer() {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        ..eight()
    })
    .await;
    let leaf = f.leaf(6);
    let instruction = f.claim_ix(&leaf).await;
    let destination = pda::associated_token(&leaf.claimant, &f.mint, &SPL_TOKEN);
    let payer = f.bank.payer().pubkey();
    let mut expected = vec![f.keys.shard(3), f.keys.vault(3), destination, payer];
    expected.sort();
    assert_eq!(writable_keys(&instruction), expected);
    assert!(
        !instruction.accounts[1].is_writable,
        "the distributor is read-only"
    );
    f.claim_leaf(&leaf, 6).await.expect("claim");
}

fn code(error: FloodgateError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + error as u32
}

/// A proof that is valid in another tree (the same claimant at the same index, another
/// amount) is refused: the program checks against its own root (SECURITY.md G10).
#[tokio::test]
async fn a_valid_proof_of_another_tree_is_rejected() {
    let mut f = Fixture::default().await;
    let mut other = f.allocations.clone();
    other[2].unlocked += 1_000;
    let tree = MerkleTree::build(&other).unwrap();
    let proof = tree.proof(2).unwrap();
    assert!(MerkleTree::verify(2, &other[2], &proof, &tree.root()));
    assert_ne!(tree.root(), f.tree.root());
    let leaf = LeafClaim {
        index: 2,
        claimant: other[2].claimant,
        unlocked: other[2].unlocked,
        locked: 0,
        proof,
    };
    assert_error(f.claim_leaf(&leaf, 2).await, FloodgateError::InvalidProof);
    assert!(!f.shard(0).await.is_claimed(2));
}

/// Two distributors with the same root (the same leaves, another seed) each pay a leaf
/// once, each from its own shard and vault: separate airdrops (SECURITY.md 1.7, G11).
#[tokio::test]
async fn one_leaf_is_paid_once_by_each_distributor_of_its_root() {
    let mut f = Fixture::default().await;
    let other = f.second_distributor().await;
    let leaf = f.leaf(0);
    let claimant = f.claimant(0);
    let destination = f.ata(&leaf.claimant).await;
    let payer = f.bank.payer().pubkey();
    let (vault, other_vault) = (f.keys.vault(0), other.vault(0));
    let (funded, other_funded) = (f.balance(vault).await, f.balance(other_vault).await);

    f.claim(0).await.expect("first distributor");
    let from_other = ix::claim(&other, &leaf, &destination, &payer);
    f.send(std::slice::from_ref(&from_other), &[&claimant])
        .await
        .expect("second distributor");
    assert_eq!(f.ata_balance(0).await, 2 * leaf.unlocked);
    assert_eq!(f.balance(vault).await, funded - leaf.unlocked);
    assert_eq!(f.balance(other_vault).await, other_funded - leaf.unlocked);

    assert_error(f.claim(0).await, FloodgateError::AlreadyClaimed);
    assert_error(
        f.send(&[from_other], &[&claimant]).await,
        FloodgateError::AlreadyClaimed,
    );
    let other_shard = f.bank.account(&other.shard(0)).await.unwrap().data;
    assert!(accounts::shard(&other_shard).unwrap().is_claimed(0));
    assert!(f.shard(0).await.is_claimed(0));
}
