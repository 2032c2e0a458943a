//! The program's entrypoint: a lean path for the claims, Anchor for everything else.
//!
//! Anchor's entrypoint turns the runtime's input into `AccountInfo`s (an allocation
//! and two `Rc<RefCell>` per account), dispatches, runs the `Accounts` checks and the
//! exit routine: about 3,100 of the 9,000 compute units of a depth-20 claim. Claims
//! are what a surge sends, so `claim` and `claim_for` read the input in place
//! ([`crate::input`]), check their accounts with aligned compares ([`claim`]) and settle
//! with the same code as Anchor's handlers ([`crate::settlement`]).
//!
//! The lean path only ever accepts: whenever anything differs from a well-formed claim
//! (another instruction, a missing signer, a foreign account, a locked part without
//! the vesting accounts, trailing bytes...), it hands the untouched input to Anchor's
//! `entry`, which decides and reports the exact error. It never writes before that
//! decision.
//!
//! Anchor emits its own entrypoint unless the crate has the `no-entrypoint` feature,
//! so `build.rs` turns that cfg on in program builds and sets `floodgate_entrypoint`
//! for this one; builds that ask for `no-entrypoint` (`cpi`, the client) get neither.

pub mod claim;

use crate::input::Input;
use anchor_lang::solana_program::entrypoint::{SUCCESS, deserialize};

/// Runs one instruction from the runtime's serialized input.
///
/// # Safety
/// `input` is the runtime's serialized input (see [`crate::input`]), 8-byte aligned, alive and
/// unborrowed for the whole instruction.
pub unsafe fn process(input: *mut u8) -> u64 {
    crate::checkpoint!("entry");
    // Every other instruction has fewer accounts than a claim: it goes to Anchor
    // without the walk. SAFETY: the input starts with the account count.
    if unsafe { *input.cast::<u64>() } >= claim::ACCOUNTS as u64 {
        // SAFETY: the caller's promise.
        let parsed = unsafe { Input::<{ claim::ACCOUNTS }>::parse(input) };
        crate::checkpoint!("parsed");
        if let Some(result) = claim::run(&parsed) {
            return match result {
                Ok(()) => SUCCESS,
                Err(error) => {
                    error.log();
                    anchor_lang::prelude::ProgramError::from(error).into()
                }
            };
        }
    }
    // SAFETY: the caller's promise; the lean path wrote nothing.
    let (program_id, accounts, data) = unsafe { deserialize(input) };
    crate::checkpoint!("deserialized");
    match crate::entry(program_id, &accounts, data) {
        Ok(()) => SUCCESS,
        Err(error) => error.into(),
    }
}

/// The symbol the runtime calls.
#[cfg(floodgate_entrypoint)]
mod entrypoint {
    use anchor_lang::solana_program::entrypoint as sol;

    /// # Safety
    /// Called by the runtime with its serialized input.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
        // SAFETY: the runtime's input.
        unsafe { super::process(input) }
    }
    sol::custom_heap_default!();
    sol::custom_panic_default!();
}
