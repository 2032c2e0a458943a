//! Checked-in vectors: tree roots and proofs (`fixtures/trees.json`) and a whole drop
//! folder (`fixtures/drop5/`) with page_bits 2. They pin the format so it cannot drift
//! silently, and they are cross-checked against DESIGN §1 written out with `sha2`.
//! Regenerate only on purpose: `FLOODGATE_BLESS=1 cargo test -p floodgate-client --test client fixtures::`.

use std::path::Path;

use crate::common::*;
use anchor_lang::prelude::Pubkey;
use floodgate_client::{
    allocation::Allocation,
    drop::{DropFolder, DropParams, Page, PageIndex},
    tree::MerkleTree,
};
use serde_json::{Value, json};

const SIZES: [usize; 6] = [1, 2, 3, 5, 16, 17];

/// Root of the 5-leaf fixture, also in trees.json; kept inline as a second guard.
const ROOT_5: &str = "b570cf87c2a82e3e849e7e78d80f084deb6bd1af02824680f19d8038e76313c1";

fn trees_json() -> Value {
    let trees: Vec<Value> = SIZES
        .iter()
        .map(|&n| {
            let list = fixture_allocations(n);
            let tree = MerkleTree::build(&list).unwrap();
            let leaves: Vec<Value> = list
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    json!({
                        "index": i,
                        "claimant": a.claimant.to_string(),
                        "unlocked": a.unlocked.to_string(),
                        "locked": a.locked.to_string(),
                        "leaf_hash": hex::encode(a.leaf_hash(i as u32)),
                        "proof": tree.proof(i as u32).unwrap().iter().map(hex::encode).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "num_leaves": n,
                "depth": tree.depth(),
                "root": hex::encode(tree.root()),
                "leaves": leaves,
            })
        })
        .collect();
    json!({
        "description": "Floodgate Merkle tree vectors (DESIGN §1). Leaf i: claimant [i; 32], unlocked 1000*(i+1), locked 500*i when i % 3 == 2. Amounts are decimal strings of base units; hashes are hex; proofs are leaf level first.",
        "trees": trees,
    })
}

#[test]
fn tree_vectors_match_the_checked_in_fixture() {
    let path = fixtures_dir().join("trees.json");
    let computed = trees_json();
    if bless() {
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&computed).unwrap() + "\n",
        )
        .unwrap();
    }
    let stored: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        computed, stored,
        "tree vectors changed: this is a format change"
    );
}

#[test]
fn fixture_roots_and_proofs_match_an_independent_sha256_implementation() {
    let stored: Value =
        serde_json::from_slice(&std::fs::read(fixtures_dir().join("trees.json")).unwrap()).unwrap();
    let trees = stored["trees"].as_array().unwrap();
    assert_eq!(trees.len(), SIZES.len());
    for tree in trees {
        let n = tree["num_leaves"].as_u64().unwrap() as usize;
        let list = fixture_allocations(n);
        assert_eq!(tree["root"], hex::encode(reference_root(&list)), "n = {n}");
        for (i, leaf) in tree["leaves"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                leaf["leaf_hash"],
                hex::encode(reference_leaf(i as u32, &list[i]))
            );
            let proof: Vec<String> = reference_proof(&list, i).iter().map(hex::encode).collect();
            assert_eq!(leaf["proof"], json!(proof), "n = {n}, leaf {i}");
        }
    }
    // The 5-leaf root once more, spelled out: depth 3, leaves 5..8 are zero.
    let list = fixture_allocations(5);
    let l: Vec<[u8; 32]> = (0..5)
        .map(|i| reference_leaf(i, &list[i as usize]))
        .collect();
    let zero = [0u8; 32];
    let root = reference_node(
        &reference_node(&reference_node(&l[0], &l[1]), &reference_node(&l[2], &l[3])),
        &reference_node(&reference_node(&l[4], &zero), &reference_node(&zero, &zero)),
    );
    assert_eq!(hex::encode(root), ROOT_5);
    assert_eq!(MerkleTree::build(&list).unwrap().root(), root);
}

fn drop5_params() -> DropParams {
    DropParams {
        program_id: floodgate_client::floodgate::ID,
        mint: Pubkey::new_from_array([0xAA; 32]),
        decimals: 6,
        shard_bits: 1,
        page_bits: 2,
        cluster: Some("localnet".into()),
    }
}

const DROP5_FILES: [&str; 5] = [
    "manifest.json",
    "leaves.csv",
    "pages/index",
    "pages/0.bin",
    "pages/1.bin",
];

#[test]
fn drop_folder_matches_the_checked_in_fixture_byte_for_byte() {
    let fixture = fixtures_dir().join("drop5");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("drop5");
    DropFolder::write(&out, &fixture_allocations(5), drop5_params()).unwrap();
    if bless() {
        let _ = std::fs::remove_dir_all(&fixture);
        std::fs::rename(&out, &fixture).unwrap_or_else(|_| copy_dir(&out, &fixture));
        return;
    }
    for file in DROP5_FILES {
        let expected = std::fs::read(fixture.join(file)).unwrap();
        let found = std::fs::read(out.join(file)).unwrap();
        assert!(expected == found, "{file} differs from the fixture");
    }
    let mut written: Vec<String> = walk(&out);
    written.sort();
    let mut expected: Vec<String> = DROP5_FILES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(written, expected, "the folder holds exactly these files");
}

/// The page and index bytes, assembled by hand from FORMAT.md with reference hashes.
#[test]
fn fixture_pages_follow_format_md() {
    let fixture = fixtures_dir().join("drop5");
    let list = fixture_allocations(5);
    let levels = reference_levels(&list);
    let root = levels[3][0];

    let mut page1 = Vec::new();
    page1.extend_from_slice(b"FGPG");
    page1.extend_from_slice(&[1, 2, 3, 1]); // version, page_bits, depth, upper_count
    page1.extend_from_slice(&1u32.to_le_bytes()); // page index
    page1.extend_from_slice(&4u32.to_le_bytes()); // first_index
    page1.extend_from_slice(&1u32.to_le_bytes()); // leaf_count
    page1.extend_from_slice(&5u32.to_le_bytes()); // num_leaves
    page1.extend_from_slice(&root);
    page1.extend_from_slice(&[4u8; 32]);
    page1.extend_from_slice(&5000u64.to_le_bytes());
    page1.extend_from_slice(&0u64.to_le_bytes());
    page1.extend_from_slice(&levels[2][0]); // sibling of the page's subtree at level 2
    assert_eq!(page1.len(), 56 + 48 + 32);
    assert_eq!(std::fs::read(fixture.join("pages/1.bin")).unwrap(), page1);

    let mut page0 = Vec::new();
    page0.extend_from_slice(b"FGPG");
    page0.extend_from_slice(&[1, 2, 3, 1]);
    page0.extend_from_slice(&0u32.to_le_bytes());
    page0.extend_from_slice(&0u32.to_le_bytes());
    page0.extend_from_slice(&4u32.to_le_bytes());
    page0.extend_from_slice(&5u32.to_le_bytes());
    page0.extend_from_slice(&root);
    for a in &list[..4] {
        page0.extend_from_slice(&a.claimant.to_bytes());
        page0.extend_from_slice(&a.unlocked.to_le_bytes());
        page0.extend_from_slice(&a.locked.to_le_bytes());
    }
    page0.extend_from_slice(&levels[2][1]);
    assert_eq!(std::fs::read(fixture.join("pages/0.bin")).unwrap(), page0);

    let mut index = Vec::new();
    index.extend_from_slice(b"FGIX");
    index.extend_from_slice(&[1, 2, 0, 0]); // version, page_bits, reserved
    index.extend_from_slice(&2u32.to_le_bytes()); // page_count
    index.extend_from_slice(&5u32.to_le_bytes()); // num_leaves
    index.extend_from_slice(&root);
    index.extend_from_slice(&[0u8; 32]);
    index.extend_from_slice(&[4u8; 32]);
    assert_eq!(std::fs::read(fixture.join("pages/index")).unwrap(), index);

    let decoded = Page::decode(&page1).unwrap();
    assert_eq!(decoded.leaves, vec![Allocation::new(key(4), 5000, 0)]);
    assert_eq!(PageIndex::decode(&index).unwrap().page_of(&key(3)), Some(0));
}

#[test]
fn fixture_drop_folder_opens_and_serves_every_claimant() {
    let folder = DropFolder::open(fixtures_dir().join("drop5")).unwrap();
    let m = folder.manifest();
    assert_eq!(hex::encode(m.root), ROOT_5);
    assert_eq!(
        (m.depth, m.num_leaves, m.page_count, m.shards.len()),
        (3, 5, 2, 3)
    );
    assert_eq!(m.total_amount, 1000 + 2000 + 3000 + 1000 + 4000 + 5000);
    assert_eq!(m.total_locked, 1000);
    assert_eq!(m.shards[1].total, 3000 + 1000 + 4000);
    let list = fixture_allocations(5);
    for (i, a) in list.iter().enumerate() {
        let found = folder.lookup(&a.claimant).unwrap();
        assert_eq!(found.index, i as u32);
        assert_eq!(found.allocation(), *a);
        assert_eq!(found.proof, reference_proof(&list, i));
    }
    folder.verify().unwrap();
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.extend(walk(&path).into_iter().map(|f| format!("{name}/{f}")));
        } else {
            out.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
