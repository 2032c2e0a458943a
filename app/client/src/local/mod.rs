//! The in-process bank: Floodgate running inside `solana-program-test` with the real
//! SPL Token, Token-2022 and associated-token-account programs, no network and no
//! validator. `floodgate simulate` and the integration tests run on it.
//!
//! The program runs natively (processor mode) unless `SBF_OUT_DIR` holds a
//! `floodgate.so`, in which case that SBF build is loaded instead.

// solana-program-test 3.x marks its whole API for the future `agave-unstable-api` gate.
#![allow(deprecated)]

mod bank;
pub mod token;

pub use bank::{LocalBank, Sent};

use anchor_lang::{prelude::AccountInfo, solana_program::entrypoint::ProgramResult};
use solana_program_test::{ProgramTest, processor};
use solana_sdk::pubkey::Pubkey;

/// An Anchor program's generated `entry`.
pub type AnchorEntry = for<'a> fn(&'a Pubkey, &'a [AccountInfo<'a>], &'a [u8]) -> ProgramResult;

/// Calls an Anchor program's `entry` from a `processor!`. Anchor's `entry` ties the
/// program id, the account slice and the data to one lifetime, which `processor!` cannot
/// promise, so this hands it leaked owned copies (a few hundred bytes per instruction;
/// fine for a test bank).
pub fn call_anchor_entry(
    entry: AnchorEntry,
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    let accounts = Box::leak(accounts.to_vec().into_boxed_slice());
    let program_id = Box::leak(Box::new(*program_id));
    let data = Box::leak(data.to_vec().into_boxed_slice());
    entry(program_id, accounts, data)
}

/// Floodgate's processor for the in-process bank: the program's own entrypoint
/// (`floodgate::lean::process`, the lean claim path in front of Anchor's `entry`) on
/// the runtime's serialization of the accounts, as the deployed program runs. What it
/// changes is written back to the accounts afterwards.
pub fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    use anchor_lang::solana_program::{entrypoint::SUCCESS, program_error::ProgramError};
    use floodgate::input::serialize::{Account, input, read_back};

    let before: Vec<Account> = accounts
        .iter()
        .map(|info| Account {
            key: *info.key,
            owner: *info.owner,
            lamports: info.lamports(),
            data: info.data.borrow().to_vec(),
            is_signer: info.is_signer,
            is_writable: info.is_writable,
            executable: info.executable,
        })
        .collect();
    let mut buffer = input(&before, data, program_id);
    // SAFETY: the runtime's layout, 8-byte aligned, owned here.
    let result = unsafe { floodgate::lean::process(buffer.as_mut_ptr().cast()) };
    if result != SUCCESS {
        return Err(ProgramError::from(result));
    }
    for (info, after) in accounts.iter().zip(read_back(&buffer, &before)) {
        if !info.is_writable {
            continue;
        }
        **info.try_borrow_mut_lamports()? = after.lamports;
        if *info.owner != after.owner {
            info.assign(&after.owner);
        }
        if info.data_len() != after.data.len() {
            info.resize(after.data.len())?;
        }
        info.try_borrow_mut_data()?.copy_from_slice(&after.data);
    }
    Ok(())
}

/// Floodgate's Anchor `entry` alone, without the lean claim path in front of it: what
/// the program would do were every claim handed to Anchor. The differential test
/// (`tests/tests/differential.rs`) holds the deployed entrypoint to it.
pub fn anchor_entry_process(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    call_anchor_entry(floodgate::entry, program_id, accounts, data)
}

/// A `ProgramTest` with Floodgate's Anchor `entry` alone, natively, whatever
/// `SBF_OUT_DIR` says (SPL programs are there by default).
pub fn anchor_only_program_test() -> ProgramTest {
    let mut test = ProgramTest::default();
    test.prefer_bpf(false);
    test.add_program("floodgate", floodgate::ID, processor!(anchor_entry_process));
    test
}

/// Whether the SBF build at `$SBF_OUT_DIR/floodgate.so` is used instead of native code.
pub fn uses_sbf() -> bool {
    std::env::var_os("SBF_OUT_DIR")
        .map(|dir| std::path::Path::new(&dir).join("floodgate.so").is_file())
        .unwrap_or(false)
}

/// A `ProgramTest` with Floodgate registered (SPL programs are there by default).
pub fn program_test() -> ProgramTest {
    let mut test = ProgramTest::default();
    let sbf = uses_sbf();
    test.prefer_bpf(sbf);
    if sbf {
        test.add_program("floodgate", floodgate::ID, None);
    } else {
        test.add_program("floodgate", floodgate::ID, processor!(process_instruction));
    }
    test
}
