//! Leaves with a locked part: the vesting status and `withdraw_vested`.

use anchor_lang::prelude::Pubkey;
use floodgate::errors::FloodgateError;
use floodgate_client::{accounts, instructions as ix, pda, tree::MerkleTree};
use floodgate_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const UNLOCKED: u64 = 100;
const LOCKED: u64 = 1_000;

/// Two leaves: one vested (100 now, 1,000 over `VESTING_SECS`), one plain.
async fn vested() -> (Fixture, u32) {
    let f = Fixture::new(Options {
        amounts: vec![(UNLOCKED, LOCKED), (7, 0)],
        ..Options::default()
    })
    .await;
    let index = f.index_where(|a| a.locked == LOCKED);
    (f, index)
}

async fn withdraw(
    f: &mut Fixture,
    index: u32,
) -> Result<floodgate_client::local::Sent, solana_program_test::BanksClientError> {
    // The claim created the claimant's ATA.
    let claimant = f.claimant(index);
    let destination = pda::associated_token(&claimant.pubkey(), &f.mint, &f.options.token_program);
    let rent_payer = f.bank.payer().pubkey();
    let instruction = ix::withdraw_vested(
        &f.keys,
        index,
        &claimant.pubkey(),
        &destination,
        &rent_payer,
    );
    f.send(&[instruction], &[&claimant]).await
}

#[tokio::test]
async fn locked_amounts_vest_linearly_and_the_status_closes_at_the_end() {
    let (mut f, index) = vested().await;
    let payer = f.bank.payer().pubkey();
    let vesting = pda::vesting(&f.keys.address, index).0;
    f.claim(index).await.expect("claim");
    assert_eq!(f.ata_balance(index).await, UNLOCKED);
    let status = accounts::vesting(&f.bank.account(&vesting).await.unwrap().data).unwrap();
    assert_eq!(
        (status.index, status.locked_total, status.withdrawn),
        (index, LOCKED, 0)
    );
    assert_eq!(status.claimant, f.allocations[index as usize].claimant);
    assert_eq!(status.rent_payer, payer);
    assert_eq!(f.shard(0).await.header.claimed_amount, UNLOCKED + LOCKED);

    // Nothing has vested at the start.
    assert_error(
        withdraw(&mut f, index).await,
        FloodgateError::NothingToWithdraw,
    );
    // A quarter of the way: a quarter.
    f.set_time(START + VESTING_SECS / 4).await;
    withdraw(&mut f, index).await.expect("quarter");
    assert_eq!(f.ata_balance(index).await, UNLOCKED + LOCKED / 4);
    // Twice at the same time: nothing more.
    assert_error(
        withdraw(&mut f, index).await,
        FloodgateError::NothingToWithdraw,
    );
    // At the end: the rest, and the status closes with its rent back to the payer.
    f.set_time(START + VESTING_SECS).await;
    let payer_before = f.bank.lamports(&payer).await;
    let rent = f.bank.lamports(&vesting).await;
    withdraw(&mut f, index).await.expect("rest");
    assert_eq!(f.ata_balance(index).await, UNLOCKED + LOCKED);
    assert!(f.bank.account(&vesting).await.is_none(), "status closed");
    // The payer also paid this transaction's fee: two signatures at 5,000 lamports.
    assert_eq!(f.bank.lamports(&payer).await, payer_before + rent - 10_000);
    assert_eq!(f.balance(f.keys.vault(0)).await, 7);
}

#[tokio::test]
async fn a_pushed_vested_leaf_is_withdrawn_by_its_claimant() {
    let (mut f, index) = vested().await;
    let leaf = f.leaf(index);
    let pusher = f.push_as_stranger(&leaf).await;
    f.set_time(START + VESTING_SECS).await;
    let claimant = f.claimant(index);
    let destination = pda::associated_token(&claimant.pubkey(), &f.mint, &SPL_TOKEN);
    // The rent goes back to the pusher, who paid it.
    let wrong = ix::withdraw_vested(
        &f.keys,
        index,
        &claimant.pubkey(),
        &destination,
        &f.bank.payer().pubkey(),
    );
    assert_error(
        f.send(&[wrong], &[&claimant]).await,
        FloodgateError::RentPayerMismatch,
    );
    let right = ix::withdraw_vested(
        &f.keys,
        index,
        &claimant.pubkey(),
        &destination,
        &pusher.pubkey(),
    );
    f.send(&[right], &[&claimant]).await.expect("withdraw");
    assert_eq!(f.ata_balance(index).await, UNLOCKED + LOCKED);
}

#[tokio::test]
async fn only_the_claimant_withdraws() {
    let (mut f, index) = vested().await;
    f.claim(index).await.unwrap();
    f.set_time(START + VESTING_SECS).await;
    let thief = Keypair::new();
    let destination = f.ata(&thief.pubkey()).await;
    let payer = f.bank.payer().pubkey();
    let instruction = ix::withdraw_vested(&f.keys, index, &thief.pubkey(), &destination, &payer);
    assert_error(
        f.send(&[instruction], &[&thief]).await,
        FloodgateError::ClaimantMismatch,
    );
}

#[tokio::test]
async fn the_index_must_match_the_status() {
    let (mut f, index) = vested().await;
    f.claim(index).await.unwrap();
    f.set_time(START + VESTING_SECS).await;
    let claimant = f.claimant(index);
    let destination = f.ata(&claimant.pubkey()).await;
    let payer = f.bank.payer().pubkey();
    let mut instruction =
        ix::withdraw_vested(&f.keys, index, &claimant.pubkey(), &destination, &payer);
    let last = instruction.data.len() - 4;
    instruction.data[last..].copy_from_slice(&(index ^ 1).to_le_bytes());
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::InvalidVestingAccount,
    );
}

#[tokio::test]
async fn a_status_of_another_distributor_is_rejected() {
    let (mut f, index) = vested().await;
    let other = f.second_distributor().await;
    f.claim(index).await.unwrap();
    f.set_time(START + VESTING_SECS).await;
    let claimant = f.claimant(index);
    let destination = f.ata(&claimant.pubkey()).await;
    let payer = f.bank.payer().pubkey();
    let mut instruction =
        ix::withdraw_vested(&other, index, &claimant.pubkey(), &destination, &payer);
    // Everything of the other distributor but the vesting status of this one.
    let theirs = pda::vesting(&other.address, index).0;
    swap_account(
        &mut instruction,
        theirs,
        pda::vesting(&f.keys.address, index).0,
    );
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::DistributorMismatch,
    );
}

#[tokio::test]
async fn withdrawals_stop_after_clawback() {
    let (mut f, index) = vested().await;
    f.claim(index).await.unwrap();
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[]).await.unwrap();
    assert_error(
        withdraw(&mut f, index).await,
        FloodgateError::ShardClawedBack,
    );
}

/// A status that the distributor at its address does not pay, even once everything
/// has vested (`StaleVestingStatus`), and that anyone then closes, its rent going back
/// to its payer (the bank's payer, which also pays the close's fee).
async fn stale_then_closed(f: &mut Fixture, index: u32) {
    f.set_time(f.args.vesting_end_ts).await;
    assert_error(withdraw(f, index).await, FloodgateError::StaleVestingStatus);
    let status = pda::vesting(&f.keys.address, index).0;
    let payer = f.bank.payer().pubkey();
    let (rent, before) = (
        f.bank.lamports(&status).await,
        f.bank.lamports(&payer).await,
    );
    f.send(&[ix::close_vesting(&f.keys, index, &payer)], &[])
        .await
        .expect("a stale status closes");
    assert!(f.bank.account(&status).await.is_none());
    assert_eq!(f.bank.lamports(&payer).await, before + rent - 5_000);
}

/// A status left unfinished by a distributor that was then closed and created again at
/// the same address (same creator, mint and seed) is not paid from the new vaults:
/// with the same tree its leaf's bit is clear, with another tree its root differs.
#[tokio::test]
async fn a_status_from_an_earlier_distributor_at_the_address_is_not_paid() {
    // The same tree again.
    let (mut f, index) = vested().await;
    f.claim(index).await.unwrap();
    f.close_and_create_again().await;
    let status = pda::vesting(&f.keys.address, index).0;
    assert!(
        f.bank.account(&status).await.is_some(),
        "the status outlives it"
    );
    stale_then_closed(&mut f, index).await;
    assert_eq!(f.balance(f.keys.vault(0)).await, f.shard_total(0));

    // Another tree, in which the index is an unlocked leaf, claimed: the bit is set,
    // but the status was proven against the old root.
    let (mut f, index) = vested().await;
    f.claim(index).await.unwrap();
    let a = &mut f.allocations[index as usize];
    (a.unlocked, a.locked) = (77, 0);
    f.tree = MerkleTree::build(&f.allocations).unwrap();
    f.close_and_create_again().await;
    f.claim(index).await.expect("the new leaf");
    stale_then_closed(&mut f, index).await;
    assert_eq!(f.ata_balance(index).await, UNLOCKED + 77);
}

/// The review's attack (SECURITY.md G15). A status left unfinished by a distributor
/// that is then closed and created again at its address with the same root stays
/// unpayable; the claimant claims the same leaf again with every other bump that gives
/// an address, to put a second status beside it so that both would pay. Every such
/// claim is refused; the canonical one is refused while the old status holds the
/// address; once anyone closes the old status, the leaf is claimed and the new shard
/// pays it exactly once.
#[tokio::test]
async fn a_same_root_successor_pays_a_vested_leaf_once() {
    let (mut f, index) = vested().await;
    let claimant = f.claimant(index);
    f.claim(index).await.unwrap();
    f.close_and_create_again().await;
    let addresses = vesting_addresses(&f.keys.address, index);
    let old = addresses[0].0;
    assert!(f.bank.account(&old).await.is_some(), "the old status stays");

    let leaf = f.leaf(index);
    for &(other, bump) in &addresses[1..] {
        let mut claim = f.claim_ix(&leaf).await;
        move_vesting_status(&mut claim, old, (other, bump));
        assert_error(
            f.send(&[claim], &[&claimant]).await,
            FloodgateError::InvalidVestingAccount,
        );
        assert!(f.bank.account(&other).await.is_none(), "bump {bump}");
    }
    assert_error(f.claim(index).await, FloodgateError::VestingAddressInUse);
    // Anyone closes the old status (its bit is clear here), then the claim goes through
    // and the locked part is paid once.
    stale_then_closed(&mut f, index).await;
    assert_eq!(f.balance(f.keys.vault(0)).await, f.shard_total(0));
    f.claim(index).await.expect("the leaf, once");
    withdraw(&mut f, index).await.expect("the locked part");
    // The first distributor paid the unlocked part (its locked part was clawed back).
    assert_eq!(f.ata_balance(index).await, UNLOCKED + UNLOCKED + LOCKED);
    assert_eq!(
        f.balance(f.keys.vault(0)).await,
        f.shard_total(0) - UNLOCKED - LOCKED
    );
    assert_eq!(f.shard(0).await.header.claimed_amount, UNLOCKED + LOCKED);
}

/// A vested claim with a trailing byte after its arguments (which Anchor's decoder
/// ignores) is taken by the lean path like any other, and creates the same status.
/// Until the lean decoder ignored such bytes too, it declined this claim and Anchor's
/// handler took it: on SBF, before the G16 fix, that path failed with
/// `AccountDidNotSerialize`. No valid claim reaches Anchor's claim handler on chain any
/// more; `differential.rs` holds that handler to the lean path natively.
#[tokio::test]
async fn a_vested_claim_with_a_trailing_byte_takes_the_lean_path_and_creates_its_status() {
    let mut f = Fixture::new(Options {
        amounts: vec![(UNLOCKED, LOCKED), (UNLOCKED + 1, LOCKED), (7, 0)],
        ..Options::default()
    })
    .await;
    let payer = f.bank.payer().pubkey();
    let mut rents = Vec::new();
    for (unlocked, trailing) in [(UNLOCKED, false), (UNLOCKED + 1, true)] {
        let index = f.index_where(|a| a.unlocked == unlocked);
        let claimant = f.claimant(index);
        let mut claim = f.claim_ix(&f.leaf(index)).await;
        if trailing {
            claim.data.push(0);
        }
        let sent = f.send(&[claim], &[&claimant]).await.expect("the claim");
        // Anchor's dispatch logs the instruction's name (natively, programs' logs go to
        // stdout, not to the transaction's logs).
        if floodgate_client::local::uses_sbf() {
            let through_anchor = sent.logs.iter().any(|l| l.contains("Instruction: Claim"));
            assert!(!through_anchor, "trailing {trailing}: {:?}", sent.logs);
        }
        assert_eq!(f.ata_balance(index).await, unlocked);
        let (address, bump) = pda::vesting(&f.keys.address, index);
        let account = f.bank.account(&address).await.expect("the status");
        assert_eq!(account.owner, floodgate::ID);
        assert_eq!(account.data.len(), floodgate::state::VestingStatus::SPACE);
        assert_eq!(
            accounts::vesting(&account.data).unwrap(),
            floodgate::state::VestingStatus {
                bump,
                index,
                distributor: f.keys.address,
                root: f.tree.root(),
                claimant: claimant.pubkey(),
                rent_payer: payer,
                locked_total: LOCKED,
                withdrawn: 0,
            }
        );
        rents.push(account.lamports);
    }
    assert_eq!(rents[0], rents[1]);
}

/// A status not withdrawn in full before its shard's clawback can never pay again:
/// anyone closes it and its rent goes back to whoever paid it. Until then it stays.
#[tokio::test]
async fn an_unfinished_status_closes_after_clawback_and_its_rent_goes_back() {
    let (mut f, index) = vested().await;
    let leaf = f.leaf(index);
    let pusher = f.push_as_stranger(&leaf).await.pubkey();
    let status = pda::vesting(&f.keys.address, index).0;
    let close = |f: &Fixture, rent_payer: &Pubkey| ix::close_vesting(&f.keys, index, rent_payer);

    // Payable: it stays, whoever asks.
    f.set_time(START + VESTING_SECS / 4).await;
    assert_error(
        f.send(&[close(&f, &pusher)], &[]).await,
        FloodgateError::VestingStillPayable,
    );
    f.go_to_clawback().await;
    assert_error(
        f.send(&[close(&f, &pusher)], &[]).await,
        FloodgateError::VestingStillPayable,
    );
    f.send(&[ix::clawback(&f.keys, 0)], &[]).await.unwrap();

    // Clawed back: the rent goes to the pusher who paid it, and only to it.
    let stranger = Pubkey::new_unique();
    assert_error(
        f.send(&[close(&f, &stranger)], &[]).await,
        FloodgateError::RentPayerMismatch,
    );
    let mut wrong_shard = close(&f, &pusher);
    swap_account(&mut wrong_shard, f.keys.shard(0), f.keys.shard(1));
    assert_error(
        f.send(&[wrong_shard], &[]).await,
        FloodgateError::WrongShard,
    );
    let rent = f.bank.lamports(&status).await;
    let before = f.bank.lamports(&pusher).await;
    f.send(&[close(&f, &pusher)], &[]).await.expect("close");
    assert_eq!(f.bank.lamports(&pusher).await, before + rent);
    assert!(f.bank.account(&status).await.is_none());
}

/// Once the distributor itself is closed, its statuses close too.
#[tokio::test]
async fn statuses_of_a_closed_distributor_close() {
    let (mut f, index) = vested().await;
    f.claim(index).await.unwrap();
    f.go_to_clawback().await;
    f.send(&[ix::clawback(&f.keys, 0)], &[]).await.unwrap();
    let admin = f.admin.insecure_clone();
    for instruction in [
        ix::close_shard(&f.keys, &admin.pubkey(), 0),
        ix::close_distributor(&f.keys, &admin.pubkey()),
    ] {
        f.send(&[instruction], &[&admin]).await.unwrap();
    }
    let payer = f.bank.payer().pubkey();
    f.send(&[ix::close_vesting(&f.keys, index, &payer)], &[])
        .await
        .expect("close");
    assert!(
        f.bank
            .account(&pda::vesting(&f.keys.address, index).0)
            .await
            .is_none()
    );
}

#[tokio::test]
async fn the_shard_must_hold_the_leaf() {
    let options = Options {
        amounts: vec![(1, 10), (2, 20), (3, 30)],
        shard_bits: 1,
        ..Options::default()
    };
    let mut f = Fixture::new(options).await;
    f.claim(0).await.unwrap();
    f.set_time(START + VESTING_SECS).await;
    let claimant = f.claimant(0);
    let destination = f.ata(&claimant.pubkey()).await;
    let payer = f.bank.payer().pubkey();
    let mut instruction = ix::withdraw_vested(&f.keys, 0, &claimant.pubkey(), &destination, &payer);
    instruction.accounts[2].pubkey = f.keys.shard(1);
    instruction.accounts[3].pubkey = f.keys.vault(1);
    assert_error(
        f.send(&[instruction], &[&claimant]).await,
        FloodgateError::WrongShard,
    );
}

/// A pause stops claims only: while paused, the claimant withdraws what has vested and
/// anyone claws the shard back (SECURITY.md G8).
#[tokio::test]
async fn withdrawals_and_clawback_go_on_while_paused() {
    let (mut f, index) = vested().await;
    f.claim(index).await.expect("claim");
    let admin = f.admin.insecure_clone();
    f.send(&[ix::set_paused(&f.keys, &admin.pubkey(), true)], &[&admin])
        .await
        .expect("pause");
    let plain = 1 - index;
    assert_error(f.claim(plain).await, FloodgateError::ClaimsPaused);

    f.set_time(START + VESTING_SECS / 2).await;
    withdraw(&mut f, index)
        .await
        .expect("withdraw while paused");
    assert_eq!(f.ata_balance(index).await, UNLOCKED + LOCKED / 2);

    f.go_to_clawback().await;
    let vault = f.keys.vault(0);
    let left = f.balance(vault).await;
    assert_eq!(left, LOCKED / 2 + 7);
    f.send(&[ix::clawback(&f.keys, 0)], &[])
        .await
        .expect("clawback while paused");
    let shard = f.shard(0).await.header;
    assert_eq!((shard.clawed_back, shard.clawed_back_amount), (1, left));
    assert_eq!(f.balance(vault).await, 0);
}

/// Lamports sent to a vesting status's address before the claim (to block its
/// creation) do not block it: below the rent they are topped up, above it they are
/// kept (SECURITY.md G13).
#[tokio::test]
async fn lamports_sent_to_the_status_address_first_do_not_block_the_claim() {
    for head_start in [1_000_000u64, 10_000_000] {
        let (mut f, index) = vested().await;
        let vesting = pda::vesting(&f.keys.address, index).0;
        let rent = f
            .bank
            .minimum_balance(floodgate::state::VestingStatus::SPACE)
            .await;
        assert!(1_000_000 < rent && rent < 10_000_000, "rent {rent}");
        f.bank.fund(&vesting, head_start).await.expect("fund");
        f.claim(index).await.expect("claim");
        let account = f.bank.account(&vesting).await.expect("status");
        assert_eq!(account.owner, floodgate::ID);
        assert_eq!(account.lamports, rent.max(head_start));
        let status = accounts::vesting(&account.data).unwrap();
        assert_eq!((status.index, status.locked_total), (index, LOCKED));
        f.set_time(START + VESTING_SECS).await;
        withdraw(&mut f, index).await.expect("withdraw");
        assert_eq!(f.ata_balance(index).await, UNLOCKED + LOCKED);
    }
}

/// A claim of a leaf with a locked part writes its shard, vault, destination and payer,
/// and its own vesting status; the distributor stays read-only and unchanged
/// (SECURITY.md G9).
#[tokio::test]
async fn a_vesting_claim_writes_only_its_shard_vault_destination_payer_and_status() {
    let (mut f, index) = vested().await;
    let leaf = f.leaf(index);
    let instruction = f.claim_ix(&leaf).await;
    let destination = pda::associated_token(&leaf.claimant, &f.mint, &f.options.token_program);
    let payer = f.bank.payer().pubkey();
    let mut expected = vec![
        f.keys.shard(0),
        f.keys.vault(0),
        destination,
        payer,
        pda::vesting(&f.keys.address, index).0,
    ];
    expected.sort();
    assert_eq!(writable_keys(&instruction), expected);
    let distributor = f.bank.account(&f.keys.address).await.unwrap().data;
    f.claim_leaf(&leaf, index).await.expect("claim");
    assert_eq!(
        f.bank.account(&f.keys.address).await.unwrap().data,
        distributor
    );
}
