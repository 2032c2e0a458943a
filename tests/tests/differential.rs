//! The deployed entrypoint against Anchor's handler alone, claim for claim.
//!
//! Claims take the lean path (`floodgate::lean::process`) and everything it declines
//! goes to Anchor's `entry`; the two decide separately whether a claim is acceptable.
//! Each case here runs one transaction on the fixture's bank (the deployed entrypoint:
//! natively, or the SBF build with `SBF_OUT_DIR`) and on a second bank holding a copy
//! of every account the transaction names, with Anchor's `entry` alone
//! (`floodgate_client::local::anchor_only_program_test`). Both must give the same
//! result, the same error, and the same bytes, lamports and owner of every account
//! after: valid claims (unlocked and locked, SPL Token and Token-2022, `claim` and
//! `claim_for`, extra accounts as a CPI passes them, trailing instruction bytes), each
//! way of breaking one, and accounts passed twice.

// solana-program-test 3.x marks its whole API for the future `agave-unstable-api` gate.
#![allow(deprecated)]

use floodgate::errors::FloodgateError;
use floodgate_client::{
    instructions as ix,
    local::{LocalBank, anchor_only_program_test},
};
use floodgate_tests::*;
use solana_program_test::BanksClientError;
use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    message::Message,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::TransactionError,
};

/// An account as a transaction leaves it: owner, lamports, data.
type State = Option<(Pubkey, u64, Vec<u8>)>;

/// What a transaction did on one bank.
#[derive(Debug, PartialEq)]
struct After {
    /// `None`: it succeeded.
    error: Option<TransactionError>,
    /// Every account it names but the programs, in the message's order.
    accounts: Vec<(Pubkey, State)>,
}

async fn run(
    bank: &mut LocalBank,
    keys: &[Pubkey],
    payer: &Keypair,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> After {
    let error = match bank.send_as(&payer.pubkey(), instructions, signers).await {
        Ok(_) => None,
        Err(BanksClientError::TransactionError(e))
        | Err(BanksClientError::SimulationError { err: e, .. }) => Some(e),
        Err(other) => panic!("the bank did not process the transaction: {other}"),
    };
    let mut accounts = Vec::with_capacity(keys.len());
    for key in keys {
        let state = bank.account(key).await;
        if state.as_ref().is_some_and(|a| a.executable) {
            continue;
        }
        accounts.push((*key, state.map(|a| (a.owner, a.lamports, a.data))));
    }
    After { error, accounts }
}

/// Runs `instructions` (paid by `payer`, also signed by `signers`) on the fixture's bank
/// and on a copy of what they name under Anchor's `entry` alone; asserts both did the
/// same, and returns what they did.
async fn on_both(
    f: &mut Fixture,
    what: &str,
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
) -> After {
    let keys = Message::new(instructions, Some(&payer.pubkey())).account_keys;
    let mut test = anchor_only_program_test();
    for key in &keys {
        if let Some(account) = f.bank.account(key).await
            && !account.executable
        {
            test.add_account(*key, account);
        }
    }
    let mut anchor = LocalBank::from_context(test.start_with_context().await);
    anchor.set_time(f.bank.now().await).await;
    let mut all = vec![payer];
    all.extend_from_slice(signers);
    let deployed = run(&mut f.bank, &keys, payer, instructions, &all).await;
    let reference = run(&mut anchor, &keys, payer, instructions, &all).await;
    assert_eq!(
        deployed, reference,
        "{what}: the deployed entrypoint and Anchor's handler differ"
    );
    deployed
}

fn custom(error: &Option<TransactionError>) -> Option<u32> {
    match error {
        Some(TransactionError::InstructionError(
            _,
            solana_sdk::instruction::InstructionError::Custom(code),
        )) => Some(*code),
        _ => None,
    }
}

fn code(e: FloodgateError) -> Option<u32> {
    Some(6000 + e as u32)
}

/// A funded keypair of the fixture's bank.
async fn funded(f: &mut Fixture, keypair: Keypair) -> Keypair {
    f.bank.fund(&keypair.pubkey(), 1_000_000_000).await.unwrap();
    keypair
}

/// Leaf `index`'s claim to its claimant's associated token account (created first),
/// signed and paid by the claimant: the instruction and the claimant.
async fn wallet_claim(f: &mut Fixture, index: u32) -> (Instruction, Keypair) {
    let claimant = funded(f, f.claimant(index)).await;
    let leaf = f.leaf(index);
    let destination = f.ata(&leaf.claimant).await;
    let instruction = ix::claim(&f.keys, &leaf, &destination, &claimant.pubkey());
    (instruction, claimant)
}

/// Every case on one fixture: 16 leaves in 4 shards, every other with a locked part.
async fn every_case(token_program: Pubkey) {
    let mut f = Fixture::new(Options {
        token_program,
        amounts: (1..=16)
            .map(|i| (i * 100, if i % 2 == 0 { i * 10 } else { 0 }))
            .collect(),
        shard_bits: 2,
        ..Options::default()
    })
    .await;
    let unlocked_only = |f: &Fixture, nth: usize| {
        (0..16u32)
            .filter(|&i| f.allocations[i as usize].locked == 0)
            .nth(nth)
            .unwrap()
    };
    let with_locked = |f: &Fixture, nth: usize| {
        (0..16u32)
            .filter(|&i| f.allocations[i as usize].locked > 0)
            .nth(nth)
            .unwrap()
    };

    // Valid claims, unlocked only and with a locked part.
    for index in [unlocked_only(&f, 0), with_locked(&f, 0)] {
        let (claim, claimant) = wallet_claim(&mut f, index).await;
        let after = on_both(
            &mut f,
            "a valid claim",
            std::slice::from_ref(&claim),
            &claimant,
            &[],
        )
        .await;
        assert_eq!(after.error, None);
        // Claimed twice.
        let again = on_both(&mut f, "a second claim", &[claim], &claimant, &[]).await;
        assert_eq!(custom(&again.error), code(FloodgateError::AlreadyClaimed));
    }

    // Valid `claim_for`s, creating the claimant's account in the same transaction.
    for index in [unlocked_only(&f, 1), with_locked(&f, 1)] {
        let pusher = funded(&mut f, Keypair::new()).await;
        let leaf = f.leaf(index);
        let instructions = [
            ix::create_claimant_ata(&f.keys, &leaf.claimant, &pusher.pubkey()),
            ix::claim_for(&f.keys, &leaf, &pusher.pubkey()),
        ];
        let after = on_both(&mut f, "a valid claim_for", &instructions, &pusher, &[]).await;
        assert_eq!(after.error, None);
    }

    // Extra accounts after the claim's own, as a CPI may pass them; and a trailing byte
    // after the arguments.
    let index = unlocked_only(&f, 2);
    let (mut claim, claimant) = wallet_claim(&mut f, index).await;
    claim
        .accounts
        .push(AccountMeta::new_readonly(Pubkey::new_unique(), false));
    let after = on_both(&mut f, "extra accounts", &[claim], &claimant, &[]).await;
    assert_eq!(after.error, None);
    let index = with_locked(&f, 2);
    let (mut claim, claimant) = wallet_claim(&mut f, index).await;
    claim.data.push(0);
    let trailing = on_both(&mut f, "a trailing byte", &[claim], &claimant, &[]).await;
    assert_eq!(
        trailing.error, None,
        "bytes after the arguments are ignored"
    );

    // A proof longer than the deepest tree (33 hashes, all there; more than a packet,
    // as a program's CPI could send it): Anchor's decoder refuses the length, and the
    // lean path leaves it to Anchor.
    let index = unlocked_only(&f, 3);
    let (mut claim, claimant) = wallet_claim(&mut f, index).await;
    let hashes = u32::from_le_bytes(claim.data[29..33].try_into().unwrap());
    claim.data[29..33].copy_from_slice(&33u32.to_le_bytes());
    claim
        .data
        .extend(std::iter::repeat_n(7u8, (33 - hashes as usize) * 32));
    let long = on_both(&mut f, "a proof of 33 hashes", &[claim], &claimant, &[]).await;
    assert!(
        matches!(
            long.error,
            Some(TransactionError::InstructionError(
                _,
                solana_sdk::instruction::InstructionError::Custom(102)
            ))
        ),
        "InstructionDidNotDeserialize: {:?}",
        long.error
    );

    // Broken claims: each fails on both, with the same exact error.
    type Break = fn(&mut Instruction, &Fixture);
    use FloodgateError::*;
    let breaks: [(&str, Break, FloodgateError); 8] = [
        (
            "a flipped proof sibling",
            |ix, _| {
                let last = ix.data.len() - 1;
                ix.data[last] ^= 1;
            },
            InvalidProof,
        ),
        // `unlocked` starts at byte 12, the index at 8.
        ("another amount", |ix, _| ix.data[12] ^= 1, InvalidProof),
        ("another index", |ix, _| ix.data[8] ^= 1, InvalidProof),
        (
            "another shard",
            |ix, f| {
                let index = u32::from_le_bytes(ix.data[8..12].try_into().unwrap());
                let shard = index >> f.keys.shard_bits;
                ix.accounts[2].pubkey = f.keys.shard((shard + 1) % f.num_shards());
            },
            // The vault is checked against the shard first.
            VaultMismatch,
        ),
        (
            "another shard's vault",
            |ix, f| {
                let shard = ix.accounts[2].pubkey;
                let other = (0..f.num_shards())
                    .map(|s| f.keys.shard(s))
                    .find(|s| *s != shard)
                    .unwrap();
                ix.accounts[3].pubkey = floodgate_client::pda::vault(&other).0;
            },
            VaultMismatch,
        ),
        (
            "the vault as destination",
            |ix, _| ix.accounts[5].pubkey = ix.accounts[3].pubkey,
            DestinationIsVault,
        ),
        (
            "the other token program",
            |ix, _| {
                ix.accounts[8].pubkey = if ix.accounts[8].pubkey == SPL_TOKEN {
                    TOKEN_2022
                } else {
                    SPL_TOKEN
                };
            },
            TokenProgramMismatch,
        ),
        (
            "a proof one hash short",
            |ix, _| {
                // After the discriminator: index, unlocked, locked, vesting bump (21
                // bytes), then the proof's u32 length.
                ix.data.truncate(ix.data.len() - 32);
                let length = &mut ix.data[29..33];
                let n = u32::from_le_bytes(length.try_into().unwrap()) - 1;
                length.copy_from_slice(&n.to_le_bytes());
            },
            InvalidProofLength,
        ),
    ];
    for (nth, (what, break_it, expected)) in breaks.into_iter().enumerate() {
        let index = if nth % 2 == 0 {
            unlocked_only(&f, 3 + nth / 2)
        } else {
            with_locked(&f, 3 + nth / 2)
        };
        let (mut claim, claimant) = wallet_claim(&mut f, index).await;
        break_it(&mut claim, &f);
        let after = on_both(&mut f, what, &[claim], &claimant, &[]).await;
        assert_eq!(custom(&after.error), code(expected), "{what}");
    }

    // Duplicated accounts: one account passed in two places.
    type Duplicate = (&'static str, fn(&mut Instruction), Option<u32>);
    let duplicates: [Duplicate; 3] = [
        (
            "the shard as the distributor",
            |ix| ix.accounts[1].pubkey = ix.accounts[2].pubkey,
            Some(anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch.into()),
        ),
        (
            "the vault as the mint",
            |ix| ix.accounts[4].pubkey = ix.accounts[3].pubkey,
            code(MintMismatch),
        ),
        (
            "the destination as the payer's place",
            |ix| ix.accounts[6] = AccountMeta::new(ix.accounts[5].pubkey, false),
            // The payer must sign; the destination cannot.
            Some(anchor_lang::error::ErrorCode::AccountNotSigner.into()),
        ),
    ];
    for (nth, (what, duplicate, expected)) in duplicates.into_iter().enumerate() {
        let index = unlocked_only(&f, 6 + nth % 2);
        let (mut claim, claimant) = wallet_claim(&mut f, index).await;
        duplicate(&mut claim);
        let after = on_both(&mut f, what, &[claim], &claimant, &[]).await;
        assert_eq!(custom(&after.error), expected, "{what}");
    }

    // The claimant not signing: a stranger pays and signs.
    let index = with_locked(&f, 7);
    let stranger = funded(&mut f, Keypair::new()).await;
    let leaf = f.leaf(index);
    let destination = f.ata(&leaf.claimant).await;
    let mut claim = ix::claim(&f.keys, &leaf, &destination, &stranger.pubkey());
    claim.accounts[0].is_signer = false;
    let unsigned = on_both(&mut f, "an unsigned claim", &[claim], &stranger, &[]).await;
    assert_eq!(
        custom(&unsigned.error),
        Some(anchor_lang::error::ErrorCode::AccountNotSigner.into())
    );

    // Paused: refused alike.
    let pause = ix::set_paused(&f.keys, &f.admin.pubkey(), true);
    let admin = f.admin.insecure_clone();
    f.bank.send(&[pause], &[&admin]).await.unwrap();
    let index = unlocked_only(&f, 7);
    let (claim, claimant) = wallet_claim(&mut f, index).await;
    let paused = on_both(&mut f, "a claim while paused", &[claim], &claimant, &[]).await;
    assert_eq!(custom(&paused.error), code(FloodgateError::ClaimsPaused));
}

#[tokio::test]
async fn the_deployed_entrypoint_and_anchors_handler_agree_on_spl_token() {
    every_case(SPL_TOKEN).await;
}

#[tokio::test]
async fn the_deployed_entrypoint_and_anchors_handler_agree_on_token_2022() {
    every_case(TOKEN_2022).await;
}
