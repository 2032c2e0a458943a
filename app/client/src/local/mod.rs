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

/// Floodgate's processor for the in-process bank.
pub fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    call_anchor_entry(floodgate::entry, program_id, accounts, data)
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
