//! Integration tests of the `floodgate` CLI: one module per command, on the in-process bank.
//!
//! One test binary rather than one per file: each binary links the whole dependency tree
//! (the bank, the token programs), so one per file multiplied the link time and the disk.

mod common;

mod admin;
mod claim;
mod create;
mod e2e;
mod push;
mod readme;
mod simulate;
mod withdraw_vested;
