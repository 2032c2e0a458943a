//! Claims through CPI: the `claim-and-stake` example program claims for its user (who
//! signs the outer transaction) and for its own PDA (signing with `invoke_signed`).

// solana-program-test 3.x marks `processor!` for the future `agave-unstable-api` gate.
#![allow(deprecated)]

use anchor_lang::{
    InstructionData, ToAccountMetas, error::ErrorCode as AnchorError, prelude::Pubkey,
    solana_program::instruction::Instruction,
};
use claim_and_stake::{AUTHORITY_SEED, POOL_SEED, STAKE_SEED, Stake};
use floodgate::{errors::FloodgateError, instructions::ClaimArgs};
use floodgate_client::{
    allocation::Allocation,
    instructions::LeafClaim,
    local::{LocalBank, call_anchor_entry},
    pda,
};
use floodgate_tests::*;
use solana_program_test::processor;
use solana_sdk::signature::{Keypair, Signer};

fn process_claim_and_stake(
    program_id: &Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    call_anchor_entry(claim_and_stake::entry, program_id, accounts, data)
}

fn authority() -> Pubkey {
    Pubkey::find_program_address(&[AUTHORITY_SEED], &claim_and_stake::ID).0
}

/// A fixture whose bank also runs claim-and-stake, with the pool of its mint created.
async fn with_integrator(options: Options) -> (Fixture, Pubkey) {
    let bank = LocalBank::start_with(|test| {
        test.add_program(
            "claim_and_stake",
            claim_and_stake::ID,
            processor!(process_claim_and_stake),
        );
    })
    .await;
    let mut f = Fixture::new_on(bank, options).await;
    let pool = Pubkey::find_program_address(&[POOL_SEED, f.mint.as_ref()], &claim_and_stake::ID).0;
    let init = Instruction {
        program_id: claim_and_stake::ID,
        accounts: claim_and_stake::accounts::InitPool {
            payer: f.bank.payer().pubkey(),
            authority: authority(),
            pool,
            mint: f.mint,
            token_program: f.options.token_program,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: claim_and_stake::instruction::InitPool {}.data(),
    };
    f.send(&[init], &[]).await.expect("init_pool");
    (f, pool)
}

fn pool_claim(
    f: &Fixture,
    leaf: &LeafClaim,
    payer: Pubkey,
    pool: Pubkey,
) -> claim_and_stake::accounts::PoolClaim {
    let shard = f.keys.shard_of(leaf.index);
    claim_and_stake::accounts::PoolClaim {
        payer,
        pool,
        distributor: f.keys.address,
        shard,
        vault: pda::vault(&shard).0,
        mint: f.mint,
        vesting: (leaf.locked > 0).then(|| pda::vesting(&f.keys.address, leaf.index).0),
        token_program: f.options.token_program,
        floodgate_program: floodgate::ID,
    }
}

fn claim_args(f: &Fixture, leaf: &LeafClaim) -> ClaimArgs {
    ClaimArgs {
        index: leaf.index,
        unlocked: leaf.unlocked,
        locked: leaf.locked,
        vesting_bump: pda::vesting(&f.keys.address, leaf.index).1,
        proof: leaf.proof.clone(),
    }
}

fn claim_and_stake_ix(f: &Fixture, leaf: &LeafClaim, user: Pubkey, pool: Pubkey) -> Instruction {
    let stake = Pubkey::find_program_address(
        &[STAKE_SEED, f.keys.address.as_ref(), user.as_ref()],
        &claim_and_stake::ID,
    )
    .0;
    Instruction {
        program_id: claim_and_stake::ID,
        accounts: claim_and_stake::accounts::ClaimAndStake {
            user,
            stake,
            claim: pool_claim(f, leaf, user, pool),
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: claim_and_stake::instruction::ClaimAndStake {
            args: claim_args(f, leaf),
        }
        .data(),
    }
}

/// Claims leaf `index` through claim-and-stake, the user paying its own way.
async fn stake(
    f: &mut Fixture,
    index: u32,
    pool: Pubkey,
) -> Result<floodgate_client::local::Sent, solana_program_test::BanksClientError> {
    let user = f.claimant(index);
    f.bank.fund(&user.pubkey(), 100_000_000).await.unwrap();
    let instruction = claim_and_stake_ix(f, &f.leaf(index), user.pubkey(), pool);
    f.bank
        .send_as(&user.pubkey(), &[instruction], &[&user])
        .await
}

#[tokio::test]
async fn claim_and_stake_spl_token_and_token_2022() {
    for token_program in [SPL_TOKEN, TOKEN_2022] {
        let (mut f, pool) = with_integrator(Options {
            token_program,
            ..Options::default()
        })
        .await;
        for index in [0, 3] {
            stake(&mut f, index, pool).await.expect("claim and stake");
            let user = f.allocations[index as usize].claimant;
            let record = Pubkey::find_program_address(
                &[STAKE_SEED, f.keys.address.as_ref(), user.as_ref()],
                &claim_and_stake::ID,
            )
            .0;
            let data = f.bank.account(&record).await.unwrap().data;
            let record =
                <Stake as anchor_lang::AccountDeserialize>::try_deserialize(&mut &data[..])
                    .unwrap();
            assert_eq!(
                (record.owner, record.amount),
                (user, f.allocations[index as usize].unlocked)
            );
            assert!(f.shard(0).await.is_claimed(index));
        }
        let expected = f.allocations[0].unlocked + f.allocations[3].unlocked;
        assert_eq!(f.balance(pool).await, expected);
    }
}

#[tokio::test]
async fn a_cpi_claim_and_a_direct_claim_share_the_bit() {
    let (mut f, pool) = with_integrator(Options::default()).await;
    stake(&mut f, 1, pool).await.expect("CPI claim");
    assert_error(f.claim(1).await, FloodgateError::AlreadyClaimed);
    f.claim(2).await.expect("direct claim");
    assert_error(stake(&mut f, 2, pool).await, FloodgateError::AlreadyClaimed);
}

#[tokio::test]
async fn a_cpi_claim_needs_the_claimants_signature() {
    let (mut f, pool) = with_integrator(Options::default()).await;
    // The claimant does not sign: the bank's payer sends and signs alone.
    let user = f.allocations[0].claimant;
    let mut instruction = claim_and_stake_ix(&f, &f.leaf(0), user, pool);
    for meta in instruction.accounts.iter_mut().filter(|m| m.pubkey == user) {
        meta.is_signer = false; // as user and as payer
    }
    assert_anchor_error(
        f.send(&[instruction], &[]).await,
        AnchorError::AccountNotSigner,
    );
    // Someone else signs for the leaf: Floodgate binds the leaf to the signer.
    let thief = Keypair::new();
    f.bank.fund(&thief.pubkey(), 100_000_000).await.unwrap();
    let instruction = claim_and_stake_ix(&f, &f.leaf(0), thief.pubkey(), pool);
    assert_error(
        f.bank
            .send_as(&thief.pubkey(), &[instruction], &[&thief])
            .await,
        FloodgateError::InvalidProof,
    );
}

#[tokio::test]
async fn a_program_listed_in_the_tree_claims_by_signing_with_its_pda() {
    let options = Options {
        extra_leaves: vec![Allocation::new(authority(), 777, 0)],
        ..Options::default()
    };
    let (mut f, pool) = with_integrator(options).await;
    let index = f.index_where(|a| a.claimant == authority());
    let leaf = f.leaf(index);
    let payer = f.bank.payer().pubkey();
    let instruction = Instruction {
        program_id: claim_and_stake::ID,
        accounts: claim_and_stake::accounts::ClaimAsPool {
            authority: authority(),
            claim: pool_claim(&f, &leaf, payer, pool),
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: claim_and_stake::instruction::ClaimAsPool {
            args: claim_args(&f, &leaf),
        }
        .data(),
    };
    f.send(std::slice::from_ref(&instruction), &[])
        .await
        .expect("PDA claim");
    assert_eq!(f.balance(pool).await, 777);
    assert_error(
        f.send(&[instruction], &[]).await,
        FloodgateError::AlreadyClaimed,
    );
}
