//! The integration suite of the programs on the in-process bank (and, with `SBF_OUT_DIR`, on
//! their SBF builds): one module per instruction or concern.
//!
//! One test binary rather than one per file: each binary links the whole dependency tree
//! (the bank, the token programs), so one per file multiplied the link time and the disk.

mod admin;
mod claim;
mod claim_for;
mod clawback;
mod close;
mod compute_units;
mod cpi;
mod create_distributor;
mod decoders;
mod differential;
mod docs;
mod relations;
mod sequences;
mod shards;
mod token_2022;
mod vesting;
