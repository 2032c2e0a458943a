//! `create_distributor`: every validation, the refused mint extensions, and the state
//! it writes.

use anchor_lang::prelude::Pubkey;
use floodgate::{constants::DISTRIBUTOR_VERSION, errors::FloodgateError};
use floodgate_client::local::token;
use floodgate_tests::*;
use solana_sdk::instruction::InstructionError;
use solana_sdk::signature::Signer;

async fn prepared() -> Fixture {
    Fixture::prepare(Options::default()).await
}

#[tokio::test]
async fn writes_every_field() {
    for token_program in [SPL_TOKEN, TOKEN_2022] {
        let mut f = Fixture::new(Options {
            token_program,
            create_shards: false,
            ..Options::default()
        })
        .await;
        let d = f.distributor().await;
        assert_eq!(d.version, DISTRIBUTOR_VERSION);
        assert_eq!(
            d.bump,
            floodgate_client::pda::distributor(&f.creator.pubkey(), &f.mint, 7).1
        );
        assert_eq!(d.root, f.tree.root());
        assert_eq!(d.depth, 3);
        assert_eq!(d.num_leaves, 5);
        assert_eq!(d.num_shards, 1);
        assert_eq!(d.shard_bits, 16);
        assert_eq!(d.decimals, 6);
        assert_eq!(d.open_at_creation, 1, "claims open at creation");
        assert_eq!(d.total_amount, 1_500);
        assert_eq!(d.allocated_amount, 0);
        assert_eq!(d.open_shards, 0);
        assert_eq!(d.creator, f.creator.pubkey());
        assert_eq!(d.admin, f.admin.pubkey());
        assert_eq!(d.mint, f.mint);
        assert_eq!(d.token_program, token_program);
        assert_eq!(d.clawback_receiver, f.keys.clawback_receiver);
        assert_eq!(d.claims_start_ts, START);
        assert_eq!(d.clawback_start_ts, START + VESTING_SECS + CLAWBACK_DELAY);
        assert_eq!((d.paused, d.allow_claim_for), (0, 1));
        assert_eq!(u64::from_le_bytes(d.seed), 7);
    }
}

#[tokio::test]
async fn rejects_a_depth_that_is_not_minimal() {
    let mut f = prepared().await;
    for depth in [2, 4, 33] {
        let args = CreateDistributorArgs {
            depth,
            ..f.args.clone()
        };
        assert_error(
            f.create_distributor_with(args).await,
            FloodgateError::InvalidTreeShape,
        );
    }
}

#[tokio::test]
async fn rejects_zero_leaves_and_too_many_leaves_for_the_depth() {
    let mut f = prepared().await;
    for (num_leaves, depth) in [(0, 0), (9, 3), (4, 3)] {
        let args = CreateDistributorArgs {
            num_leaves,
            depth,
            ..f.args.clone()
        };
        assert_error(
            f.create_distributor_with(args).await,
            FloodgateError::InvalidTreeShape,
        );
    }
}

#[tokio::test]
async fn accepts_a_single_leaf_tree_of_depth_zero() {
    let mut f = Fixture::new(Options {
        amounts: vec![(42, 0)],
        ..Options::default()
    })
    .await;
    assert_eq!(f.distributor().await.depth, 0);
    f.claim(0)
        .await
        .expect("a one-leaf tree claims with an empty proof");
    assert_eq!(f.ata_balance(0).await, 42);
}

#[tokio::test]
async fn rejects_shard_bits_over_16() {
    let mut f = prepared().await;
    let args = CreateDistributorArgs {
        shard_bits: 17,
        ..f.args.clone()
    };
    assert_error(
        f.create_distributor_with(args).await,
        FloodgateError::InvalidShardBits,
    );
}

#[tokio::test]
async fn rejects_unordered_timestamps() {
    let mut f = prepared().await;
    let a = f.args.clone();
    let vesting_before_claims = CreateDistributorArgs {
        vesting_start_ts: a.claims_start_ts - 1,
        ..a.clone()
    };
    assert_error(
        f.create_distributor_with(vesting_before_claims).await,
        FloodgateError::InvalidTimestamps,
    );
    let end_before_start = CreateDistributorArgs {
        vesting_end_ts: a.vesting_start_ts - 1,
        ..a.clone()
    };
    assert_error(
        f.create_distributor_with(end_before_start).await,
        FloodgateError::InvalidTimestamps,
    );
}

#[tokio::test]
async fn rejects_vesting_longer_than_u32_seconds() {
    let mut f = prepared().await;
    let a = f.args.clone();
    let end = a.vesting_start_ts + i64::from(u32::MAX) + 1;
    let args = CreateDistributorArgs {
        vesting_end_ts: end,
        clawback_start_ts: end + CLAWBACK_DELAY,
        ..a
    };
    assert_error(
        f.create_distributor_with(args).await,
        FloodgateError::VestingTooLong,
    );
}

/// Timestamps at the ends of `i64`: a span that overflows is too long, and a clawback
/// time past `i64::MAX` cannot be computed; both refused, neither panics.
#[tokio::test]
async fn extreme_timestamps_are_refused_without_overflow() {
    let mut f = prepared().await;
    let a = f.args.clone();
    let whole_range = CreateDistributorArgs {
        claims_start_ts: i64::MIN,
        vesting_start_ts: i64::MIN,
        vesting_end_ts: i64::MAX,
        clawback_start_ts: i64::MAX,
        ..a.clone()
    };
    assert_error(
        f.create_distributor_with(whole_range).await,
        FloodgateError::VestingTooLong,
    );
    let at_the_end = CreateDistributorArgs {
        claims_start_ts: i64::MAX - 10,
        vesting_start_ts: i64::MAX - 10,
        vesting_end_ts: i64::MAX,
        clawback_start_ts: i64::MAX,
        ..a
    };
    assert_error(
        f.create_distributor_with(at_the_end).await,
        FloodgateError::ArithmeticOverflow,
    );
}

#[tokio::test]
async fn rejects_clawback_less_than_a_day_after_vesting() {
    let mut f = prepared().await;
    let a = f.args.clone();
    let args = CreateDistributorArgs {
        clawback_start_ts: a.vesting_end_ts + CLAWBACK_DELAY - 1,
        ..a
    };
    assert_error(
        f.create_distributor_with(args).await,
        FloodgateError::ClawbackTooSoon,
    );
}

#[tokio::test]
async fn rejects_a_zero_total() {
    let mut f = prepared().await;
    let args = CreateDistributorArgs {
        total_amount: 0,
        ..f.args.clone()
    };
    assert_error(
        f.create_distributor_with(args).await,
        FloodgateError::ZeroTotal,
    );
}

#[tokio::test]
async fn refuses_non_transferable_mints() {
    let options = Options {
        token_program: TOKEN_2022,
        extensions: vec![MintExtension::NonTransferable],
        ..Options::default()
    };
    let mut f = Fixture::prepare(options).await;
    assert_error(
        f.create_distributor().await,
        FloodgateError::NonTransferableMint,
    );
}

#[tokio::test]
async fn refuses_transfer_hook_mints() {
    let options = Options {
        token_program: TOKEN_2022,
        extensions: vec![MintExtension::TransferHook {
            program: Pubkey::new_unique(),
        }],
        ..Options::default()
    };
    let mut f = Fixture::prepare(options).await;
    assert_error(
        f.create_distributor().await,
        FloodgateError::TransferHookMint,
    );
}

#[tokio::test]
async fn rejects_a_clawback_receiver_of_another_mint() {
    let mut f = prepared().await;
    let other_mint = token::create_mint(&mut f.bank, &SPL_TOKEN, 6, &[])
        .await
        .unwrap()
        .pubkey();
    let owner = f.admin.pubkey();
    f.keys.clawback_receiver =
        token::create_token_account(&mut f.bank, &other_mint, &owner, &SPL_TOKEN)
            .await
            .unwrap();
    assert_error(
        f.create_distributor().await,
        FloodgateError::InvalidClawbackReceiver,
    );
}

#[tokio::test]
async fn rejects_a_token_program_that_does_not_own_the_mint() {
    let mut f = prepared().await;
    f.options.token_program = TOKEN_2022;
    assert_anchor_error(
        f.create_distributor().await,
        anchor_lang::error::ErrorCode::ConstraintMintTokenProgram,
    );
}

#[tokio::test]
async fn the_address_belongs_to_the_creator_and_cannot_be_taken_twice() {
    let mut f = prepared().await;
    f.create_distributor().await.expect("first");
    // The same creator, mint and seed again: the PDA is taken.
    // Anchor's `init` finds the address funded and owned by the program: the system
    // program refuses to allocate it again.
    let again = f.create_distributor().await;
    assert_instruction_error(again, InstructionError::InvalidInstructionData);
    // Another creator gets another address: nobody can front-run the creator's PDA.
    let other = solana_sdk::signature::Keypair::new();
    let (mine, _) = floodgate_client::pda::distributor(&f.creator.pubkey(), &f.mint, 7);
    let (theirs, _) = floodgate_client::pda::distributor(&other.pubkey(), &f.mint, 7);
    assert_ne!(mine, theirs);
}

#[tokio::test]
async fn the_creator_must_sign() {
    let mut f = prepared().await;
    let (mut instruction, _) = floodgate_client::instructions::create_distributor(
        &f.creator.pubkey(),
        &f.mint,
        &SPL_TOKEN,
        &f.keys.clawback_receiver,
        f.args.clone(),
    );
    // The bank's payer pays the fee; the creator is left unsigned.
    instruction.accounts[0].is_signer = false;
    assert_anchor_error(
        f.send(&[instruction], &[]).await,
        anchor_lang::error::ErrorCode::AccountNotSigner,
    );
}
