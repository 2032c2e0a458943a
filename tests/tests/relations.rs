//! The account relations of `withdraw_vested`, `clawback` and `close_shard`: each
//! refuses, with its exact error, a vault, shard, mint, token program or receiver that
//! is not the distributor's. (`claim` and `claim_for` have theirs in `claim.rs`.)

use anchor_lang::prelude::Pubkey;
use floodgate::errors::FloodgateError;
use floodgate_client::{
    instructions::{self as ix, DistributorKeys},
    local::token,
    pda,
};
use floodgate_tests::*;
use solana_sdk::{
    instruction::Instruction,
    signature::{Keypair, Signer},
};

/// A fixture with one vested leaf claimed, and a second distributor of the same mint
/// (the source of foreign shards and vaults).
async fn with_a_second_distributor() -> (Fixture, DistributorKeys, u32) {
    let mut f = Fixture::new(Options {
        amounts: vec![(10, 90), (5, 0), (7, 0)],
        ..Options::default()
    })
    .await;
    let other = f.second_distributor().await;
    let index = f.index_where(|a| a.locked == 90);
    f.claim(index).await.unwrap();
    (f, other, index)
}

/// The foreign accounts every vault-moving instruction must refuse, each with its error:
/// the other distributor's shard and vault, another mint, the other token program, and
/// (`with_receiver`) a token account of the mint that is not the clawback receiver.
async fn foreign_accounts(
    f: &mut Fixture,
    other: &DistributorKeys,
    with_receiver: bool,
) -> Vec<(Pubkey, Pubkey, FloodgateError)> {
    let k = f.keys;
    let mut swaps = vec![
        (
            k.shard(0),
            other.shard(0),
            FloodgateError::DistributorMismatch,
        ),
        (k.vault(0), other.vault(0), FloodgateError::VaultMismatch),
        (k.mint, Pubkey::new_unique(), FloodgateError::MintMismatch),
        (SPL_TOKEN, TOKEN_2022, FloodgateError::TokenProgramMismatch),
    ];
    if with_receiver {
        let stranger_account =
            token::create_token_account(&mut f.bank, &k.mint, &Pubkey::new_unique(), &SPL_TOKEN)
                .await
                .unwrap();
        swaps.push((
            k.clawback_receiver,
            stranger_account,
            FloodgateError::ClawbackReceiverMismatch,
        ));
    }
    swaps
}

/// Sends each variant of `instruction` (one account swapped) and expects its error.
async fn refuses_each(
    f: &mut Fixture,
    instruction: &Instruction,
    signers: &[&Keypair],
    swaps: &[(Pubkey, Pubkey, FloodgateError)],
) {
    for (from, to, error) in swaps {
        let mut variant = instruction.clone();
        swap_account(&mut variant, *from, *to);
        assert_error(f.send(&[variant], signers).await, *error);
    }
}

#[tokio::test]
async fn withdraw_vested_takes_only_the_distributors_accounts() {
    let (mut f, other, index) = with_a_second_distributor().await;
    f.set_time(START + VESTING_SECS / 2).await;
    let claimant = f.claimant(index);
    let destination = pda::associated_token(&claimant.pubkey(), &f.mint, &SPL_TOKEN);
    let payer = f.bank.payer().pubkey();
    let instruction = ix::withdraw_vested(&f.keys, index, &claimant.pubkey(), &destination, &payer);
    let swaps = foreign_accounts(&mut f, &other, false).await;
    refuses_each(&mut f, &instruction, &[&claimant], &swaps).await;
    f.send(&[instruction], &[&claimant])
        .await
        .expect("as built");
}

#[tokio::test]
async fn clawback_takes_only_the_distributors_accounts() {
    let (mut f, other, _) = with_a_second_distributor().await;
    f.go_to_clawback().await;
    let instruction = ix::clawback(&f.keys, 0);
    let swaps = foreign_accounts(&mut f, &other, true).await;
    refuses_each(&mut f, &instruction, &[], &swaps).await;
    f.send(&[instruction], &[]).await.expect("as built");
}

#[tokio::test]
async fn close_shard_takes_only_the_distributors_accounts() {
    let (mut f, other, _) = with_a_second_distributor().await;
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[]).await.unwrap();
    let admin = f.admin.insecure_clone();
    let instruction = ix::close_shard(&f.keys, &admin.pubkey(), 0);
    let swaps = foreign_accounts(&mut f, &other, true).await;
    refuses_each(&mut f, &instruction, &[&admin], &swaps).await;
    f.send(&[instruction], &[&admin]).await.expect("as built");
}
