//! Checked-in vectors: tree roots, proofs, shard roots and the two-stage proofs of
//! shards of 2 leaves (`fixtures/trees.json`) and a whole drop folder
//! (`fixtures/drop5/`) with shard_bits 2 and page_bits 1. They pin the format so it cannot drift
//! silently, and they are cross-checked against protocol.md §1 written out with `sha2`.
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
/// The shard size of the two-stage vectors in trees.json.
const SHARD_BITS: u8 = 1;

/// Root of the 5-leaf fixture, also in trees.json; kept inline as a second guard.
const ROOT_5: &str = "b570cf87c2a82e3e849e7e78d80f084deb6bd1af02824680f19d8038e76313c1";

fn trees_json() -> Value {
    let trees: Vec<Value> = SIZES
        .iter()
        .map(|&n| {
            let list = fixture_allocations(n);
            let tree = MerkleTree::build(&list).unwrap();
            let top = tree.shard_tree(SHARD_BITS);
            let shards: Vec<Value> = top
                .shard_roots()
                .iter()
                .enumerate()
                .map(|(s, root)| {
                    json!({
                        "index": s,
                        "root": hex::encode(root),
                        "upper_proof": top.upper_proof(s as u32).unwrap().iter().map(hex::encode).collect::<Vec<_>>(),
                    })
                })
                .collect();
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
                        "claim_proof": tree.claim_proof(i as u32, SHARD_BITS).unwrap().iter().map(hex::encode).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "num_leaves": n,
                "depth": tree.depth(),
                "root": hex::encode(tree.root()),
                "shard_bits": SHARD_BITS,
                "shards": shards,
                "leaves": leaves,
            })
        })
        .collect();
    json!({
        "description": "Floodgate Merkle tree vectors (docs/protocol.md §1). Leaf i: claimant [i; 32], unlocked 1000*(i+1), locked 500*i when i % 3 == 2. Amounts are decimal strings of base units; hashes are hex; proofs are leaf level first. With shards of 2^shard_bits leaves: a shard's root is the node at height min(shard_bits, depth) at its position, its upper_proof (create_shard's) leads from it to the root, and a leaf's claim_proof (the first min(shard_bits, depth) hashes of its proof) leads to its shard's root.",
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
            let full = reference_proof(&list, i);
            let proof: Vec<String> = full.iter().map(hex::encode).collect();
            assert_eq!(leaf["proof"], json!(proof), "n = {n}, leaf {i}");
            let h = usize::from(SHARD_BITS).min(full.len());
            assert_eq!(leaf["claim_proof"], json!(proof[..h]), "n = {n}, leaf {i}");
        }
        // A shard's root is the reference node at height h; its upper proof is the rest
        // of the proof of its first leaf.
        let levels = reference_levels(&list);
        let h = usize::from(SHARD_BITS).min(levels.len() - 1);
        let shards = tree["shards"].as_array().unwrap();
        assert_eq!(shards.len(), n.div_ceil(1 << SHARD_BITS));
        for (s, shard) in shards.iter().enumerate() {
            assert_eq!(
                shard["root"],
                hex::encode(levels[h][s]),
                "n = {n}, shard {s}"
            );
            let upper: Vec<String> = reference_proof(&list, s << SHARD_BITS)[h..]
                .iter()
                .map(hex::encode)
                .collect();
            assert_eq!(shard["upper_proof"], json!(upper), "n = {n}, shard {s}");
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
        shard_bits: 2,
        page_bits: 1,
        cluster: Some("localnet".into()),
    }
}

const DROP5_FILES: [&str; 6] = [
    "manifest.json",
    "leaves.csv",
    "pages/index",
    "pages/0.bin",
    "pages/1.bin",
    "pages/2.bin",
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

/// The page and index bytes, assembled by hand from FORMAT.md with reference hashes:
/// depth 3, shards of 4 leaves (roots at height 2), pages of 2 leaves (one upper
/// sibling, at height 1, between a page and its shard's root).
#[test]
fn fixture_pages_follow_format_md() {
    let fixture = fixtures_dir().join("drop5");
    let list = fixture_allocations(5);
    let levels = reference_levels(&list);
    let root = levels[3][0];
    let page = |p: u32, leaves: &[Allocation], shard_root: &[u8; 32], upper: &[u8; 32]| {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"FGPG");
        bytes.extend_from_slice(&[2, 1, 3, 2]); // version, page_bits, depth, shard_bits
        bytes.extend_from_slice(&p.to_le_bytes()); // page index
        bytes.extend_from_slice(&(2 * p).to_le_bytes()); // first_index
        bytes.extend_from_slice(&(leaves.len() as u32).to_le_bytes()); // leaf_count
        bytes.extend_from_slice(&5u32.to_le_bytes()); // num_leaves
        bytes.extend_from_slice(shard_root);
        for a in leaves {
            bytes.extend_from_slice(&a.claimant.to_bytes());
            bytes.extend_from_slice(&a.unlocked.to_le_bytes());
            bytes.extend_from_slice(&a.locked.to_le_bytes());
        }
        bytes.extend_from_slice(upper);
        bytes
    };
    let pages = [
        page(0, &list[0..2], &levels[2][0], &levels[1][1]),
        page(1, &list[2..4], &levels[2][0], &levels[1][0]),
        // Leaf 4 alone; its shard's other half (leaves 6 and 7) is padding.
        page(2, &list[4..5], &levels[2][1], &levels[1][3]),
    ];
    assert_eq!(pages[2].len(), 56 + 48 + 32);
    for (p, expected) in pages.iter().enumerate() {
        let file = format!("pages/{p}.bin");
        assert_eq!(
            &std::fs::read(fixture.join(&file)).unwrap(),
            expected,
            "{file}"
        );
    }

    let mut index = Vec::new();
    index.extend_from_slice(b"FGIX");
    index.extend_from_slice(&[1, 1, 0, 0]); // version, page_bits, reserved
    index.extend_from_slice(&3u32.to_le_bytes()); // page_count
    index.extend_from_slice(&5u32.to_le_bytes()); // num_leaves
    index.extend_from_slice(&root);
    for first in [0u8, 2, 4] {
        index.extend_from_slice(&[first; 32]);
    }
    assert_eq!(std::fs::read(fixture.join("pages/index")).unwrap(), index);

    let decoded = Page::decode(&pages[2]).unwrap();
    assert_eq!(decoded.leaves, vec![Allocation::new(key(4), 5000, 0)]);
    assert_eq!(PageIndex::decode(&index).unwrap().page_of(&key(3)), Some(1));

    // The manifest's shard roots are the reference nodes at height 2.
    let m = DropFolder::open(&fixture).unwrap().manifest().clone();
    let roots: Vec<[u8; 32]> = m.shards.iter().map(|s| s.root).collect();
    assert_eq!(roots, levels[2]);
}

#[test]
fn fixture_drop_folder_opens_and_serves_every_claimant() {
    let folder = DropFolder::open(fixtures_dir().join("drop5")).unwrap();
    let m = folder.manifest();
    assert_eq!(hex::encode(m.root), ROOT_5);
    assert_eq!(
        (m.depth, m.num_leaves, m.page_count, m.shards.len()),
        (3, 5, 3, 2)
    );
    assert_eq!(m.total_amount, 1000 + 2000 + 3000 + 1000 + 4000 + 5000);
    assert_eq!(m.total_locked, 1000);
    assert_eq!(m.shards[0].total, 1000 + 2000 + 3000 + 1000 + 4000);
    assert_eq!(m.shards[1].total, 5000);
    let list = fixture_allocations(5);
    for (i, a) in list.iter().enumerate() {
        let found = folder.lookup(&a.claimant).unwrap();
        assert_eq!(found.index, i as u32);
        assert_eq!(found.allocation(), *a);
        assert_eq!(found.proof, reference_proof(&list, i)[..2]);
        assert_eq!(found.shard_root, m.shards[i >> 2].root);
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
