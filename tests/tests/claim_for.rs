//! `claim_for`: permissionless pushes to the claimant's associated token account.

use anchor_lang::prelude::Pubkey;
use floodgate::errors::FloodgateError;
use floodgate_client::{allocation::Allocation, instructions as ix, local::token, pda};
use floodgate_tests::*;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn anyone_pushes_a_leaf_to_the_claimants_ata_creating_it() {
    for token_program in [SPL_TOKEN, TOKEN_2022] {
        let mut f = Fixture::new(Options {
            token_program,
            ..Options::default()
        })
        .await;
        let leaf = f.leaf(3);
        assert!(
            f.bank
                .account(&pda::associated_token(
                    &leaf.claimant,
                    &f.mint,
                    &token_program
                ))
                .await
                .is_none()
        );
        f.push_as_stranger(&leaf).await;
        assert_eq!(f.ata_balance(3).await, leaf.unlocked);
        // The claimant signed nothing, and the leaf is now spent for everyone.
        assert_error(f.claim(3).await, FloodgateError::AlreadyClaimed);
    }
}

#[tokio::test]
async fn a_claimed_leaf_cannot_be_pushed() {
    let mut f = Fixture::default().await;
    f.claim(2).await.unwrap();
    let payer = f.bank.payer().pubkey();
    let instruction = ix::claim_for(&f.keys, &f.leaf(2), &payer);
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::AlreadyClaimed,
    );
}

#[tokio::test]
async fn it_needs_the_distributor_to_allow_it() {
    let mut f = Fixture::new(Options {
        allow_claim_for: false,
        ..Options::default()
    })
    .await;
    let leaf = f.leaf(0);
    let instruction = f.claim_for_ix(&leaf).await;
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::ClaimForDisabled,
    );
}

#[tokio::test]
async fn the_destination_must_be_the_claimants_ata() {
    let mut f = Fixture::default().await;
    let leaf = f.leaf(0);
    f.ata(&leaf.claimant).await;
    let payer = f.bank.payer().pubkey();
    // Another token account that the claimant owns is still not its ATA.
    let other = token::create_token_account(&mut f.bank, &f.mint, &leaf.claimant, &SPL_TOKEN)
        .await
        .unwrap();
    let mut instruction = ix::claim_for(&f.keys, &leaf, &payer);
    let ata = pda::associated_token(&leaf.claimant, &f.mint, &SPL_TOKEN);
    swap_account(&mut instruction, ata, other);
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::NotAssociatedTokenAccount,
    );
    // The ATA with a wrong bump.
    let mut instruction = ix::claim_for(&f.keys, &leaf, &payer);
    let last = instruction.data.len() - 1;
    instruction.data[last] = instruction.data[last].wrapping_sub(1);
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::NotAssociatedTokenAccount,
    );
}

#[tokio::test]
async fn a_push_is_bound_by_the_proof_like_a_claim() {
    let mut f = Fixture::default().await;
    let mut leaf = f.leaf(1);
    leaf.unlocked *= 2;
    let instruction = f.claim_for_ix(&leaf).await;
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::InvalidProof,
    );
}

#[tokio::test]
async fn pushes_stop_while_paused() {
    let mut f = Fixture::default().await;
    let admin = f.admin.insecure_clone();
    f.send(&[ix::set_paused(&f.keys, &admin.pubkey(), true)], &[&admin])
        .await
        .unwrap();
    let leaf = f.leaf(0);
    let instruction = f.claim_for_ix(&leaf).await;
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::ClaimsPaused,
    );
}

/// Neither a pusher nor the claimant can put a vesting status at a non-canonical
/// address: one leaf of one distributor address has one status address (a pusher's
/// status would lie where the claimant's client does not look; a claimant's second
/// status beside a stale one would be paid twice, SECURITY.md G3 and G15).
#[tokio::test]
async fn a_vesting_status_must_be_at_the_canonical_address() {
    let mut f = Fixture::new(Options {
        amounts: vec![(10, 90), (5, 0)],
        ..Options::default()
    })
    .await;
    let index = f.index_where(|a| a.locked == 90);
    let leaf = f.leaf(index);
    let addresses = vesting_addresses(&f.keys.address, index);
    let canonical = addresses[0].0;
    let (other, bump) = addresses[1];

    let mut push = f.claim_for_ix(&leaf).await;
    move_vesting_status(&mut push, canonical, (other, bump));
    assert_error(
        f.send(&[push], &[]).await,
        FloodgateError::InvalidVestingAccount,
    );

    let claimant = f.claimant(index);
    let mut claim = f.claim_ix(&leaf).await;
    move_vesting_status(&mut claim, canonical, (other, bump));
    assert_error(
        f.send(&[claim], &[&claimant]).await,
        FloodgateError::InvalidVestingAccount,
    );
    assert!(f.bank.account(&other).await.is_none());
    f.claim(index).await.expect("at the canonical address");
    assert!(f.bank.account(&canonical).await.is_some());
}

/// A program's PDA listed in the tree (an address off the curve, which can never sign
/// a transaction) is pushed to like a wallet: the tokens land in the PDA's associated
/// token account, which only its program can move (SECURITY.md 1.11, G14).
#[tokio::test]
async fn a_pdas_leaf_is_pushed_to_the_pdas_associated_token_account() {
    let (owner, _) = Pubkey::find_program_address(&[b"treasury"], &Pubkey::new_unique());
    assert!(!owner.is_on_curve());
    let mut f = Fixture::new(Options {
        extra_leaves: vec![Allocation::new(owner, 777, 0)],
        ..Options::default()
    })
    .await;
    let index = f.index_where(|a| a.claimant == owner);
    let leaf = f.leaf(index);
    f.push_as_stranger(&leaf).await;
    let ata = pda::associated_token(&owner, &f.mint, &f.options.token_program);
    let account = f.bank.account(&ata).await.expect("the PDA's token account");
    assert_eq!(account.owner, f.options.token_program);
    assert_eq!(f.balance(ata).await, 777);
    let shard = f.keys.shard_of(index);
    let data = f.bank.account(&shard).await.unwrap().data;
    assert!(
        floodgate_client::accounts::shard(&data)
            .unwrap()
            .is_claimed(index)
    );
}
