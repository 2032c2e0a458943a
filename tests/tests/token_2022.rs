//! Token-2022 mint extensions: what `create_distributor`, `create_shard` and funding,
//! `claim`, `claim_for` and `clawback` do with each. The refusals of NonTransferable and
//! TransferHook at `create_distributor` are in `create_distributor.rs`; the table that
//! sums this file up is `docs/token-2022.md`.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_interface::spl_token_2022::{
    self,
    error::TokenError,
    extension::{
        BaseStateWithExtensions, StateWithExtensions, interest_bearing_mint::InterestBearingConfig,
        transfer_fee::TransferFeeAmount,
    },
    state::{Account as TokenAccount, AccountState, Mint},
};
use floodgate::errors::FloodgateError;
use floodgate_client::{instructions as ix, local::token, pda};
use floodgate_tests::*;
use solana_sdk::{
    instruction::{Instruction, InstructionError},
    signature::{Keypair, Signer},
};

/// A Token-2022 fixture of `amounts` whose mint has `extensions`.
fn t22(extensions: Vec<MintExtension>, amounts: Vec<(u64, u64)>) -> Options {
    Options {
        token_program: TOKEN_2022,
        extensions,
        amounts,
        ..Options::default()
    }
}

/// The runtime error a Token-2022 `TokenError` becomes.
fn token_error(error: TokenError) -> InstructionError {
    InstructionError::Custom(error as u32)
}

/// Leaf index of the (only) leaf that pays `unlocked`: leaves are sorted by claimant key.
fn index_of(f: &Fixture, unlocked: u64) -> u32 {
    f.index_where(|a| a.unlocked == unlocked)
}

async fn account_state(f: &mut Fixture, account: &Pubkey) -> AccountState {
    let data = f.bank.account(account).await.expect("account exists").data;
    StateWithExtensions::<TokenAccount>::unpack(&data)
        .expect("a token account")
        .base
        .state
}

/// Transfer fees withheld in a token account (they are not part of its balance).
async fn withheld(f: &mut Fixture, account: &Pubkey) -> u64 {
    let data = f.bank.account(account).await.expect("account exists").data;
    let state = StateWithExtensions::<TokenAccount>::unpack(&data).expect("a token account");
    u64::from(
        state
            .get_extension::<TransferFeeAmount>()
            .expect("fee extension")
            .withheld_amount,
    )
}

/// `claim_for` of `leaf` with the claimant's ATA created in the same transaction (what a
/// pusher sends), paid by the bank's payer.
fn push_instructions(f: &Fixture, leaf: &ix::LeafClaim) -> Vec<Instruction> {
    let payer = f.bank.payer().pubkey();
    vec![
        ix::create_claimant_ata(&f.keys, &leaf.claimant, &payer),
        ix::claim_for(&f.keys, leaf, &payer),
    ]
}

// --- TransferFee ------------------------------------------------------------------

/// 2.5 % with a cap of 4: a 100 leaf pays a fee of 3 (rounded up), a 500 leaf hits the cap.
const FEE: MintExtension = MintExtension::TransferFee {
    basis_points: 250,
    maximum_fee: 4,
};

#[tokio::test]
async fn transfer_fee_claimants_receive_their_leaf_minus_the_fee() {
    let mut f = Fixture::new(t22(vec![FEE], vec![(100, 0), (500, 0)])).await;
    let vault = f.keys.vault(0);
    // The fixture mints into the vault: minting charges no fee.
    assert_eq!(f.balance(vault).await, 600);

    let small = index_of(&f, 100);
    f.claim(small).await.expect("claim");
    assert_eq!(f.ata_balance(small).await, 97);
    let ata = pda::associated_token(
        &f.allocations[small as usize].claimant,
        &f.mint,
        &TOKEN_2022,
    );
    assert_eq!(withheld(&mut f, &ata).await, 3);

    let large = f.leaf(index_of(&f, 500));
    f.push_as_stranger(&large).await;
    assert_eq!(f.ata_balance(large.index).await, 496);

    // The shard counts whole leaves: the vault paid out exactly 600.
    let shard = f.shard(0).await.header;
    assert_eq!((shard.claimed_count, shard.claimed_amount), (2, 600));
    assert_eq!(f.balance(vault).await, 0);
}

#[tokio::test]
async fn transfer_fee_clawback_moves_the_whole_vault_and_the_receiver_gets_it_minus_the_fee() {
    let mut f = Fixture::new(t22(vec![FEE], vec![(100, 0), (500, 0)])).await;
    f.claim(index_of(&f, 100)).await.expect("claim");
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    assert_eq!(f.balance(f.keys.vault(0)).await, 0);
    assert_eq!(f.balance(f.keys.clawback_receiver).await, 496);
    let receiver = f.keys.clawback_receiver;
    assert_eq!(withheld(&mut f, &receiver).await, 4);
    let shard = f.shard(0).await.header;
    assert_eq!((shard.clawed_back, shard.clawed_back_amount), (1, 500));
}

/// Funding with a plain transfer of the shard's sum (what `fund_vault` and the CLI send)
/// leaves the vault short by the fee: the last claimant cannot be paid. The fee withheld
/// in the vault then blocks `close_shard` until someone harvests it to the mint.
#[tokio::test]
async fn transfer_fee_funding_by_transfer_leaves_the_vault_short_by_the_fee() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..t22(vec![FEE], vec![(100, 0), (500, 0)])
    })
    .await;
    f.create_shard(0, 600).await.expect("create_shard");
    let funder = f.admin.insecure_clone();
    let source = f.ata(&funder.pubkey()).await;
    token::mint_to(&mut f.bank, &f.mint, &source, &TOKEN_2022, 600, 6)
        .await
        .unwrap();
    let fund = ix::fund_vault(&f.keys, 0, &source, &funder.pubkey(), 600);
    f.send(&[fund], &[&funder]).await.expect("fund");
    let vault = f.keys.vault(0);
    assert_eq!(f.balance(vault).await, 596);
    assert_eq!(withheld(&mut f, &vault).await, 4);

    f.claim(index_of(&f, 500)).await.expect("first claim");
    assert_instruction_error(
        f.claim(index_of(&f, 100)).await,
        token_error(TokenError::InsufficientFunds),
    );
    assert_eq!(f.shard(0).await.header.claimed_amount, 500);

    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    assert_eq!(f.balance(f.keys.clawback_receiver).await, 93);
    assert_eq!(f.shard(0).await.header.clawed_back_amount, 96);

    let admin = f.admin.insecure_clone();
    let close = ix::close_shard(&f.keys, &admin.pubkey(), 0);
    assert_instruction_error(
        f.send(std::slice::from_ref(&close), &[&admin]).await,
        token_error(TokenError::AccountHasWithheldTransferFees),
    );
    // Harvesting withheld fees to the mint is permissionless; then the vault closes.
    let harvest =
        spl_token_2022::extension::transfer_fee::instruction::harvest_withheld_tokens_to_mint(
            &TOKEN_2022,
            &f.mint,
            &[&vault],
        )
        .unwrap();
    f.send(&[harvest], &[]).await.expect("harvest");
    f.send(&[close], &[&admin]).await.expect("close_shard");
    assert!(f.bank.account(&vault).await.is_none());
}

// --- PermanentDelegate --------------------------------------------------------------

#[tokio::test]
async fn permanent_delegate_can_drain_a_vault_and_claims_then_fail() {
    let delegate = Keypair::new();
    let mut f = Fixture::new(t22(
        vec![MintExtension::PermanentDelegate {
            delegate: delegate.pubkey(),
        }],
        (1..=5).map(|i| (i * 100, 0)).collect(),
    ))
    .await;
    f.claim(0).await.expect("a claim before the drain");
    let vault = f.keys.vault(0);
    let left = f.balance(vault).await;
    assert_eq!(left, 1_500 - f.allocations[0].unlocked);

    // The delegate signs a transfer out of the vault: the distributor's authority is
    // not needed.
    let loot = f.ata(&delegate.pubkey()).await;
    let drain = token::transfer_instruction(
        &TOKEN_2022,
        &vault,
        &f.mint,
        &loot,
        &delegate.pubkey(),
        left,
        6,
    );
    f.send(&[drain], &[&delegate]).await.expect("drain");
    assert_eq!(f.balance(loot).await, left);
    assert_eq!(f.balance(vault).await, 0);

    assert_instruction_error(f.claim(1).await, token_error(TokenError::InsufficientFunds));
    let leaf = f.leaf(2);
    let push = push_instructions(&f, &leaf);
    assert_instruction_error(
        f.send(&push, &[]).await,
        token_error(TokenError::InsufficientFunds),
    );
    let shard = f.shard(0).await;
    assert_eq!(shard.header.claimed_count, 1);
    assert!(!shard.is_claimed(1));

    // Clawback still closes the shard; it moves nothing.
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    assert_eq!(f.balance(f.keys.clawback_receiver).await, 0);
    let shard = f.shard(0).await.header;
    assert_eq!((shard.clawed_back, shard.clawed_back_amount), (1, 0));
}

// --- DefaultAccountState (frozen) ---------------------------------------------------

/// Vaults start frozen: `create_shard` succeeds but funding fails until the mint's
/// freeze authority thaws the vault.
#[tokio::test]
async fn default_frozen_vaults_cannot_be_funded_until_thawed() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..t22(
            vec![MintExtension::DefaultAccountStateFrozen],
            (1..=5).map(|i| (i * 100, 0)).collect(),
        )
    })
    .await;
    f.create_shard(0, 1_500).await.expect("create_shard");
    let vault = f.keys.vault(0);
    assert_eq!(account_state(&mut f, &vault).await, AccountState::Frozen);
    let mint = f.mint;
    assert_instruction_error(
        token::mint_to(&mut f.bank, &mint, &vault, &TOKEN_2022, 1_500, 6).await,
        token_error(TokenError::AccountFrozen),
    );
    token::thaw(&mut f.bank, &vault, &mint, &TOKEN_2022)
        .await
        .expect("thaw");
    token::mint_to(&mut f.bank, &mint, &vault, &TOKEN_2022, 1_500, 6)
        .await
        .expect("fund");
    assert_eq!(f.balance(vault).await, 1_500);
}

/// With a thawed, funded vault: claims into a new (frozen) account fail, `claim_for`
/// that creates the ATA in its own transaction can never succeed, and clawback fails
/// while the receiver is frozen. Each works once the freeze authority thaws the account.
#[tokio::test]
async fn default_frozen_claims_and_clawback_need_thawed_destinations() {
    let mut f = Fixture::new(Options {
        create_shards: false,
        ..t22(
            vec![MintExtension::DefaultAccountStateFrozen],
            (1..=5).map(|i| (i * 100, 0)).collect(),
        )
    })
    .await;
    f.create_shard(0, 1_500).await.expect("create_shard");
    let (mint, vault) = (f.mint, f.keys.vault(0));
    token::thaw(&mut f.bank, &vault, &mint, &TOKEN_2022)
        .await
        .unwrap();
    token::mint_to(&mut f.bank, &mint, &vault, &TOKEN_2022, 1_500, 6)
        .await
        .unwrap();

    // claim: the claimant's new ATA is frozen.
    assert_instruction_error(f.claim(0).await, token_error(TokenError::AccountFrozen));
    let owner = f.allocations[0].claimant;
    let ata = f.ata(&owner).await;
    assert_eq!(account_state(&mut f, &ata).await, AccountState::Frozen);
    token::thaw(&mut f.bank, &ata, &mint, &TOKEN_2022)
        .await
        .unwrap();
    f.claim(0).await.expect("claim to a thawed account");
    assert_eq!(f.ata_balance(0).await, f.allocations[0].unlocked);

    // claim_for creating the ATA in the same transaction.
    let leaf = f.leaf(1);
    let push = push_instructions(&f, &leaf);
    assert_instruction_error(
        f.send(&push, &[]).await,
        token_error(TokenError::AccountFrozen),
    );
    let shard = f.shard(0).await;
    assert_eq!(shard.header.claimed_count, 1);
    assert!(!shard.is_claimed(1));

    // clawback: the receiver (created by the fixture) is frozen too.
    f.go_to_clawback().await;
    let receiver = f.keys.clawback_receiver;
    assert_eq!(account_state(&mut f, &receiver).await, AccountState::Frozen);
    assert_instruction_error(
        f.send(&[ix::clawback(&f.keys, 0)], &[]).await,
        token_error(TokenError::AccountFrozen),
    );
    token::thaw(&mut f.bank, &receiver, &mint, &TOKEN_2022)
        .await
        .unwrap();
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    let left = 1_500 - f.allocations[0].unlocked;
    assert_eq!(f.balance(receiver).await, left);
    assert_eq!(f.shard(0).await.header.clawed_back_amount, left);
}

// --- InterestBearing ----------------------------------------------------------------

#[tokio::test]
async fn interest_bearing_claims_and_clawback_move_raw_amounts() {
    const YEAR: i64 = 31_556_736; // 365.24 days, Token-2022's year
    let mut f = Fixture::new(t22(
        vec![MintExtension::InterestBearing { rate: 500 }],
        vec![(1_000_000, 0), (2_000_000, 0), (3_000_000, 0)],
    ))
    .await;
    let one = index_of(&f, 1_000_000);
    f.claim(one).await.expect("claim");
    assert_eq!(f.ata_balance(one).await, 1_000_000);

    // A year later the raw balance is the same; only its UI amount has grown (5 %/year,
    // continuously compounded).
    f.set_time(START + YEAR).await;
    assert_eq!(f.ata_balance(one).await, 1_000_000);
    let data = f.bank.account(&f.mint).await.unwrap().data;
    let mint = StateWithExtensions::<Mint>::unpack(&data).unwrap();
    let config = *mint.get_extension::<InterestBearingConfig>().unwrap();
    assert_eq!(
        config.amount_to_ui_amount(1_000_000, 6, START).as_deref(),
        Some("1")
    );
    assert_eq!(
        config
            .amount_to_ui_amount(1_000_000, 6, START + YEAR)
            .as_deref(),
        Some("1.051271")
    );

    // A claim a year late still pays the raw leaf, and clawback moves the raw rest.
    let two = index_of(&f, 2_000_000);
    f.claim(two).await.expect("late claim");
    assert_eq!(f.ata_balance(two).await, 2_000_000);
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    assert_eq!(f.balance(f.keys.clawback_receiver).await, 3_000_000);
    assert_eq!(f.shard(0).await.header.clawed_back_amount, 3_000_000);
}

// --- MetadataPointer ----------------------------------------------------------------

#[tokio::test]
async fn metadata_pointer_changes_nothing() {
    let mut f = Fixture::new(t22(
        vec![MintExtension::MetadataPointer],
        (1..=5).map(|i| (i * 100, 0)).collect(),
    ))
    .await;
    f.claim(0).await.expect("claim");
    assert_eq!(f.ata_balance(0).await, f.allocations[0].unlocked);
    let leaf = f.leaf(1);
    f.push_as_stranger(&leaf).await;
    assert_eq!(f.ata_balance(1).await, leaf.unlocked);
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    let left = 1_500 - f.allocations[0].unlocked - f.allocations[1].unlocked;
    assert_eq!(f.balance(f.keys.clawback_receiver).await, left);
}

// --- MintCloseAuthority -------------------------------------------------------------

#[tokio::test]
async fn mint_close_authority_claims_work_and_a_funded_mint_cannot_be_closed() {
    let mut f = Fixture::new(t22(
        vec![MintExtension::MintCloseAuthority],
        (1..=5).map(|i| (i * 100, 0)).collect(),
    ))
    .await;
    f.claim(0).await.expect("claim");
    assert_eq!(f.ata_balance(0).await, f.allocations[0].unlocked);
    let leaf = f.leaf(1);
    f.push_as_stranger(&leaf).await;
    assert_eq!(f.ata_balance(1).await, leaf.unlocked);

    // The close authority (the bank's payer) cannot close a mint with supply.
    let payer = f.bank.payer().pubkey();
    let close =
        spl_token_2022::instruction::close_account(&TOKEN_2022, &f.mint, &payer, &payer, &[])
            .unwrap();
    assert_instruction_error(
        f.send(&[close], &[]).await,
        token_error(TokenError::MintHasSupply),
    );

    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback");
    let left = 1_500 - f.allocations[0].unlocked - f.allocations[1].unlocked;
    assert_eq!(f.balance(f.keys.clawback_receiver).await, left);
}

/// CURRENT BEHAVIOUR, NOT A GUARANTEE: `create_distributor` checks the mint's extensions
/// once. A mint with a close authority and no supply yet (a distributor created before
/// anything is minted) can be closed and created again at the same address with an
/// extension `create_distributor` refuses, here a transfer hook. Tokens then minted into
/// the vault (created for the old mint, so without the hook's account extension) can
/// neither be claimed nor clawed back: they stay in the vault for good.
#[tokio::test]
async fn mint_close_authority_lets_an_unminted_mint_come_back_with_a_transfer_hook() {
    let mut f = Fixture::prepare(Options {
        create_shards: false,
        ..t22(
            vec![MintExtension::MintCloseAuthority],
            (1..=5).map(|i| (i * 100, 0)).collect(),
        )
    })
    .await;
    // A mint whose keypair the test holds, so it can be created again.
    let mint = Keypair::new();
    token::create_mint_at(
        &mut f.bank,
        &mint,
        &TOKEN_2022,
        6,
        &[MintExtension::MintCloseAuthority],
    )
    .await
    .unwrap();
    let admin = f.admin.pubkey();
    f.keys.clawback_receiver =
        token::create_token_account(&mut f.bank, &mint.pubkey(), &admin, &TOKEN_2022)
            .await
            .unwrap();
    f.mint = mint.pubkey();
    f.keys.mint = mint.pubkey();
    f.keys.address = pda::distributor(&f.creator.pubkey(), &f.mint, f.args.seed).0;
    f.create_distributor().await.expect("accepted");
    f.create_shard(0, 1_500).await.expect("create_shard");

    let payer = f.bank.payer().pubkey();
    let close =
        spl_token_2022::instruction::close_account(&TOKEN_2022, &f.mint, &payer, &payer, &[])
            .unwrap();
    f.send(&[close], &[])
        .await
        .expect("supply 0: the mint closes");
    let hook = MintExtension::TransferHook {
        program: Pubkey::new_unique(),
    };
    token::create_mint_at(&mut f.bank, &mint, &TOKEN_2022, 6, &[hook])
        .await
        .expect("the same address, now with a transfer hook");

    let vault = f.keys.vault(0);
    token::mint_to(&mut f.bank, &mint.pubkey(), &vault, &TOKEN_2022, 1_500, 6)
        .await
        .expect("minting into the old vault works");
    assert_eq!(f.balance(vault).await, 1_500);
    // The vault lacks the transfer-hook account extension the token program now expects.
    assert_instruction_error(f.claim(0).await, InstructionError::InvalidAccountData);
    f.go_to_clawback().await;
    assert_instruction_error(
        f.send(&[ix::clawback(&f.keys, 0)], &[]).await,
        InstructionError::InvalidAccountData,
    );
    assert_eq!(f.balance(vault).await, 1_500);
    // A new distributor of the same mint is refused, as it should be.
    let args = CreateDistributorArgs {
        seed: f.args.seed + 1,
        ..f.args.clone()
    };
    assert_error(
        f.create_distributor_with(args).await,
        FloodgateError::TransferHookMint,
    );
}
