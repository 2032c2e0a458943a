//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use floodgate_client::allocation::Allocation;
use sha2::{Digest, Sha256};

/// Set `FLOODGATE_BLESS=1` to rewrite the checked-in fixtures from the current code
/// (then review the diff: a changed fixture is a format change).
pub fn bless() -> bool {
    std::env::var_os("FLOODGATE_BLESS").is_some_and(|v| v == "1")
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn key(byte: u8) -> Pubkey {
    Pubkey::new_from_array([byte; 32])
}

/// The fixture allocation sets: leaf `i` is claimant `[i; 32]`, unlocked `1000 * (i + 1)`,
/// locked `500 * i` when `i % 3 == 2`. Already in canonical order.
pub fn fixture_allocations(n: usize) -> Vec<Allocation> {
    (0..n)
        .map(|i| {
            let locked = if i % 3 == 2 { 500 * i as u64 } else { 0 };
            Allocation::new(key(i as u8), 1000 * (i as u64 + 1), locked)
        })
        .collect()
}

/// Deterministic pseudo-random allocations (not sorted): claimant `sha256(seed || i)`.
pub fn pseudo_random_allocations(n: usize, seed: u64) -> Vec<Allocation> {
    (0..n as u64)
        .map(|i| {
            let mut h = Sha256::new();
            h.update(seed.to_le_bytes());
            h.update(i.to_le_bytes());
            let key: [u8; 32] = h.finalize().into();
            let unlocked = u64::from_le_bytes(key[..8].try_into().unwrap()) % 1_000_000_000;
            let locked = if key[8].is_multiple_of(4) {
                u64::from(key[9]) * 1000
            } else {
                0
            };
            Allocation::new(Pubkey::new_from_array(key), unlocked + 1, locked)
        })
        .collect()
}

/// protocol.md §1 hashing written out with `sha2` directly, independent of the crate.
pub fn reference_leaf(index: u32, a: &Allocation) -> [u8; 32] {
    let mut bytes = Vec::with_capacity(53);
    bytes.push(0x00);
    bytes.extend_from_slice(&index.to_le_bytes());
    bytes.extend_from_slice(&a.claimant.to_bytes());
    bytes.extend_from_slice(&a.unlocked.to_le_bytes());
    bytes.extend_from_slice(&a.locked.to_le_bytes());
    assert_eq!(bytes.len(), 53);
    Sha256::digest(&bytes).into()
}

pub fn reference_node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// All levels of the fully padded tree (2^depth leaves, zero-filled), leaves first.
pub fn reference_levels(allocations: &[Allocation]) -> Vec<Vec<[u8; 32]>> {
    let n = allocations.len();
    let depth = (0..=32).find(|d| 1usize << d >= n).unwrap();
    let mut level: Vec<[u8; 32]> = (0..1usize << depth)
        .map(|i| match allocations.get(i) {
            Some(a) => reference_leaf(i as u32, a),
            None => [0u8; 32],
        })
        .collect();
    let mut levels = vec![level.clone()];
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| reference_node(&p[0], &p[1]))
            .collect();
        levels.push(level.clone());
    }
    levels
}

pub fn reference_root(allocations: &[Allocation]) -> [u8; 32] {
    reference_levels(allocations).last().unwrap()[0]
}

/// The reference proof of leaf `index`: sibling at each level of the padded tree.
pub fn reference_proof(allocations: &[Allocation], index: usize) -> Vec<[u8; 32]> {
    let levels = reference_levels(allocations);
    levels[..levels.len() - 1]
        .iter()
        .enumerate()
        .map(|(k, level)| level[(index >> k) ^ 1])
        .collect()
}
