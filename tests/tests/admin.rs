//! Admin instructions: only the admin changes settings, and a new admin takes over.

use floodgate::{errors::FloodgateError, state::Distributor};
use floodgate_client::{instructions as ix, local::token};
use floodgate_tests::*;
use solana_sdk::signature::{Keypair, Signer};

async fn with_stranger() -> (Fixture, Keypair) {
    let mut f = Fixture::new(Options {
        shard_bits: 1,
        create_shards: false,
        ..Options::default()
    })
    .await;
    let stranger = Keypair::new();
    f.bank
        .fund(&stranger.pubkey(), 1_000_000_000)
        .await
        .unwrap();
    (f, stranger)
}

#[tokio::test]
async fn every_admin_instruction_refuses_a_non_admin() {
    let (mut f, stranger) = with_stranger().await;
    f.create_and_fund_shard(0).await.unwrap();
    // The creator is not the admin either.
    for outsider in [stranger.insecure_clone(), f.creator.insecure_clone()] {
        let who = outsider.pubkey();
        let receiver = token::create_token_account(&mut f.bank, &f.mint, &who, &SPL_TOKEN)
            .await
            .unwrap();
        let instructions = [
            ix::set_admin(&f.keys, &who, &who),
            ix::set_paused(&f.keys, &who, true),
            ix::set_clawback_receiver(&f.keys, &who, &receiver),
            ix::create_shard(&f.keys, &who, &f.new_shard(1, 1)),
            ix::close_shard(&f.keys, &who, 0),
            ix::close_distributor(&f.keys, &who),
        ];
        for instruction in instructions {
            assert_error(
                f.send(&[instruction], &[&outsider]).await,
                FloodgateError::Unauthorized,
            );
        }
    }
}

#[tokio::test]
async fn set_admin_hands_over_every_right() {
    let (mut f, next) = with_stranger().await;
    let admin = f.admin.insecure_clone();
    f.send(
        &[ix::set_admin(&f.keys, &admin.pubkey(), &next.pubkey())],
        &[&admin],
    )
    .await
    .unwrap();
    assert_eq!(f.distributor().await.admin, next.pubkey());
    assert_error(
        f.send(&[ix::set_paused(&f.keys, &admin.pubkey(), true)], &[&admin])
            .await,
        FloodgateError::Unauthorized,
    );
    f.send(&[ix::set_paused(&f.keys, &next.pubkey(), true)], &[&next])
        .await
        .expect("the new admin pauses");
    assert_eq!(f.distributor().await.paused, 1);
}

#[tokio::test]
async fn set_clawback_receiver_takes_a_token_account_of_the_mint() {
    let (mut f, stranger) = with_stranger().await;
    let admin = f.admin.insecure_clone();
    let other_mint = token::create_mint(&mut f.bank, &SPL_TOKEN, 6, &[])
        .await
        .unwrap()
        .pubkey();
    let wrong = token::create_token_account(&mut f.bank, &other_mint, &admin.pubkey(), &SPL_TOKEN)
        .await
        .unwrap();
    assert_error(
        f.send(
            &[ix::set_clawback_receiver(&f.keys, &admin.pubkey(), &wrong)],
            &[&admin],
        )
        .await,
        FloodgateError::InvalidClawbackReceiver,
    );
    let right = token::create_token_account(&mut f.bank, &f.mint, &stranger.pubkey(), &SPL_TOKEN)
        .await
        .unwrap();
    f.send(
        &[ix::set_clawback_receiver(&f.keys, &admin.pubkey(), &right)],
        &[&admin],
    )
    .await
    .unwrap();
    assert_eq!(f.distributor().await.clawback_receiver, right);
}

#[tokio::test]
async fn set_paused_toggles_and_is_recorded() {
    let (mut f, _) = with_stranger().await;
    let admin = f.admin.insecure_clone();
    for paused in [true, false, true] {
        f.send(
            &[ix::set_paused(&f.keys, &admin.pubkey(), paused)],
            &[&admin],
        )
        .await
        .unwrap();
        assert_eq!(f.distributor().await.paused, u8::from(paused));
    }
}

/// Each admin instruction changes its own field of the distributor and nothing else
/// (I16; SECURITY.md G7).
#[tokio::test]
async fn each_admin_instruction_changes_only_its_field() {
    let mut f = Fixture::default().await;
    let admin = f.admin.insecure_clone();
    let next = Keypair::new();
    let receiver = token::create_token_account(&mut f.bank, &f.mint, &next.pubkey(), &SPL_TOKEN)
        .await
        .unwrap();

    let before = f.distributor().await;
    f.send(&[ix::set_paused(&f.keys, &admin.pubkey(), true)], &[&admin])
        .await
        .unwrap();
    let paused = f.distributor().await;
    assert_eq!(
        paused,
        Distributor {
            paused: 1,
            ..before
        }
    );

    f.send(
        &[ix::set_clawback_receiver(
            &f.keys,
            &admin.pubkey(),
            &receiver,
        )],
        &[&admin],
    )
    .await
    .unwrap();
    let redirected = f.distributor().await;
    assert_ne!(paused.clawback_receiver, receiver);
    assert_eq!(
        redirected,
        Distributor {
            clawback_receiver: receiver,
            ..paused
        }
    );

    f.send(
        &[ix::set_admin(&f.keys, &admin.pubkey(), &next.pubkey())],
        &[&admin],
    )
    .await
    .unwrap();
    assert_eq!(
        f.distributor().await,
        Distributor {
            admin: next.pubkey(),
            ..redirected
        }
    );
}
