//! Drop folders end to end: write, open, look up every address, and every way a
//! published file can be tampered with or truncated.

use std::{collections::HashMap, path::Path};

use crate::common::*;
use anchor_lang::prelude::Pubkey;
use floodgate_client::{
    ClientError,
    allocation::{Allocation, canonical},
    drop::{DropFolder, DropParams, MANIFEST_FILE, Manifest},
    error::Corruption,
    lookup::{Lookup, lookup, lookup_in_leaves},
    tree::{MerkleTree, ShardTree},
};

fn params(shard_bits: u8, page_bits: u8) -> DropParams {
    DropParams {
        page_bits,
        ..DropParams::new(floodgate_client::floodgate::ID, key(0xAA), 9, shard_bits)
    }
}

fn write(dir: &Path, list: &[Allocation], shard_bits: u8, page_bits: u8) -> MerkleTree {
    DropFolder::write(dir, list, params(shard_bits, page_bits))
        .unwrap()
        .1
}

#[test]
fn round_trip_every_address_gets_the_tree_proof() {
    let cases = [
        (1, 9, 16),
        (2, 0, 0),
        (3, 1, 1),
        (7, 1, 2),
        (511, 3, 4),
        (512, 9, 9),
        (513, 9, 16),
        (1000, 3, 5),
        (4097, 9, 10),
    ];
    for (n, page_bits, shard_bits) in cases {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("drop");
        let list = pseudo_random_allocations(n, n as u64);
        let (manifest, tree) =
            DropFolder::write(&dir, &list, params(shard_bits, page_bits)).unwrap();
        let sorted = canonical(list.clone());
        assert_eq!(tree, MerkleTree::build(&sorted).unwrap());
        assert_eq!(manifest.root, reference_root(&sorted), "n {n}");
        assert_eq!(manifest.num_leaves, n as u32);
        assert_eq!(manifest.page_count as usize, n.div_ceil(1 << page_bits));
        assert_eq!(manifest.shards.len(), n.div_ceil(1 << shard_bits));
        let total: u64 = list.iter().map(|a| a.unlocked + a.locked).sum();
        assert_eq!(manifest.total_amount, total);
        assert_eq!(manifest.shards.iter().map(|s| s.total).sum::<u64>(), total);

        let folder = DropFolder::open(&dir).unwrap();
        assert_eq!(folder.manifest(), &manifest);
        for (i, a) in sorted.iter().enumerate() {
            let found = folder.lookup(&a.claimant).unwrap();
            assert_eq!(found.index, i as u32);
            assert_eq!(found.allocation(), *a);
            let proof = tree.claim_proof(i as u32, shard_bits).unwrap();
            assert_eq!(found.proof, proof, "n {n} leaf {i}");
            assert_eq!(found.root, tree.root());
            let shard_root = tree.shard_roots(shard_bits)[i >> shard_bits];
            assert_eq!(found.shard_root, shard_root);
            assert_eq!(manifest.shards[i >> shard_bits].root, shard_root);
            assert!(MerkleTree::verify(
                found.index,
                a,
                &found.proof,
                &shard_root
            ));
        }
        let (leaves, rebuilt) = folder.rebuild_tree().unwrap();
        assert_eq!(leaves, sorted);
        assert_eq!(rebuilt.root(), tree.root());
        folder.verify().unwrap();
        let pages = std::fs::read_dir(dir.join("pages")).unwrap().count();
        assert_eq!(pages, manifest.page_count as usize + 1);
    }
}

#[test]
fn absent_addresses_are_reported_with_the_address() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("drop");
    let list = pseudo_random_allocations(300, 1);
    write(&dir, &list, 4, 3);
    let folder = DropFolder::open(&dir).unwrap();
    let sorted = canonical(list);
    // Before every leaf, after every leaf, and between two pages.
    let mut between = sorted[8].claimant.to_bytes();
    between[31] = between[31].wrapping_sub(1);
    for absent in [key(0), key(255), Pubkey::new_from_array(between), key(0x55)] {
        let err = folder.lookup(&absent).unwrap_err();
        assert!(
            matches!(err, ClientError::NoAllocation { claimant } if claimant == absent),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("{absent} has no allocation in this drop")
        );
    }
}

/// Writes a drop of 16-leaf shards and 8-leaf pages (one upper sibling per page) into a
/// fresh folder, then edits it, so each tampering starts clean.
fn tampered(
    list: &[Allocation],
    edit: impl FnOnce(&Path),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("drop");
    write(&dir, list, 4, 3);
    edit(&dir);
    (scratch, dir)
}

fn edit_file(path: &Path, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    f(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_tampered_page_does_not_verify() {
    let list = canonical(pseudo_random_allocations(40, 2));
    // Page 1 holds leaves 8..16; leaf 9's unlocked amount starts at 56 + 48 + 32.
    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/1.bin"), |b| b[56 + 48 + 32] ^= 1)
    });
    let folder = DropFolder::open(&dir).unwrap();
    for a in &list[8..16] {
        let err = folder.lookup(&a.claimant).unwrap_err();
        assert!(
            matches!(&err, ClientError::PageDoesNotVerify { file, expected, .. }
                if file == "pages/1.bin" && *expected == hex::encode(folder.manifest().shards[0].root)),
            "{err:?}"
        );
    }
    // Other pages are fine; the full audit catches it.
    assert_eq!(folder.lookup(&list[0].claimant).unwrap().index, 0);
    assert!(matches!(
        folder.verify(),
        Err(ClientError::PageDoesNotVerify { .. })
    ));

    // An upper sibling flipped: same.
    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/2.bin"), |b| {
            let last = b.len() - 1;
            b[last] ^= 0x80;
        })
    });
    let err = lookup(&dir, &list[17].claimant).unwrap_err();
    assert!(
        matches!(err, ClientError::PageDoesNotVerify { ref file, .. } if file == "pages/2.bin")
    );
}

#[test]
fn truncated_swapped_or_relabelled_pages_are_corrupt() {
    let list = canonical(pseudo_random_allocations(40, 3));
    let corrupt = |dir: &Path, who: &Pubkey| match lookup(dir, who) {
        Err(ClientError::CorruptFile { file, problem }) => (file, problem),
        other => panic!("{other:?}"),
    };

    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/0.bin"), |b| b.truncate(100))
    });
    let (file, problem) = corrupt(&dir, &list[3].claimant);
    assert_eq!(file, "pages/0.bin");
    assert_eq!(
        problem,
        Corruption::Length {
            expected: 56 + 8 * 48 + 32,
            found: 100
        }
    );

    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/0.bin"), |b| b[0] = b'X')
    });
    assert_eq!(
        corrupt(&dir, &list[3].claimant).1,
        Corruption::BadMagic { expected: "page" }
    );

    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/0.bin"), |b| b[4] = 1)
    });
    assert_eq!(
        corrupt(&dir, &list[3].claimant).1,
        Corruption::UnsupportedVersion {
            found: 1,
            supported: 2
        }
    );

    // Pages 1 and 2 swapped: each is a valid page, but not the one asked for.
    let (_s, dir) = tampered(&list, |dir| {
        let p = dir.join("pages");
        std::fs::rename(p.join("1.bin"), p.join("tmp")).unwrap();
        std::fs::rename(p.join("2.bin"), p.join("1.bin")).unwrap();
        std::fs::rename(p.join("tmp"), p.join("2.bin")).unwrap();
    });
    let (file, problem) = corrupt(&dir, &list[9].claimant);
    assert_eq!(file, "pages/1.bin");
    assert!(
        matches!(
            problem,
            Corruption::Mismatch {
                field: "page index",
                ..
            }
        ),
        "{problem:?}"
    );

    // Only the header's shard root changed: the contents verify, the header does not.
    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/0.bin"), |b| b[30] ^= 1)
    });
    let (_, problem) = corrupt(&dir, &list[3].claimant);
    assert!(
        matches!(
            problem,
            Corruption::Mismatch {
                field: "shard root",
                ..
            }
        ),
        "{problem:?}"
    );

    // A page that says its shards are as small as its pages: no upper sibling then, so
    // the file is one hash longer than that header allows.
    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/0.bin"), |b| b[7] = 3)
    });
    assert_eq!(
        corrupt(&dir, &list[3].claimant).1,
        Corruption::Length {
            expected: 56 + 8 * 48,
            found: 56 + 8 * 48 + 32
        }
    );

    // A missing page is an I/O error naming the path.
    let (_s, dir) = tampered(&list, |dir| {
        std::fs::remove_file(dir.join("pages/4.bin")).unwrap()
    });
    let err = lookup(&dir, &list[39].claimant).unwrap_err();
    assert!(matches!(err, ClientError::Io { ref path, .. } if path.ends_with("pages/4.bin")));
}

#[test]
fn a_tampered_index_or_manifest_is_caught() {
    let list = canonical(pseudo_random_allocations(40, 4));
    // Index entry of page 2 (leaves 16..24) moved up to leaf 17: leaf 16 would be missed.
    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/index"), |b| {
            b[48 + 2 * 32..48 + 3 * 32].copy_from_slice(&list[17].claimant.to_bytes())
        })
    });
    let err = lookup(&dir, &list[16].claimant).unwrap_err();
    assert!(
        matches!(&err, ClientError::CorruptFile { file, problem: Corruption::Mismatch { field: "first claimant of a page", .. } } if file == "pages/index"),
        "{err:?}"
    );

    let (_s, dir) = tampered(&list, |dir| {
        edit_file(&dir.join("pages/index"), |b| b.truncate(50))
    });
    assert!(matches!(
        DropFolder::open(&dir),
        Err(ClientError::CorruptFile { ref file, problem: Corruption::Length { expected: 208, found: 50 } }) if file == "pages/index"
    ));

    // The manifest's root replaced: its shard roots no longer hash up to it.
    let other = [7u8; 32];
    let (_s, dir) = tampered(&list, |dir| {
        let m = Manifest::load(dir).unwrap();
        let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap();
        let text = text.replace(&hex::encode(m.root), &hex::encode(other));
        std::fs::write(dir.join(MANIFEST_FILE), text).unwrap();
    });
    assert!(matches!(
        DropFolder::open(&dir),
        Err(ClientError::CorruptFile { ref file, problem: Corruption::Mismatch { field: "shard roots (hashed up to the root)", .. } }) if file == MANIFEST_FILE
    ));
    // Manifest (shard roots and root) and index all replaced consistently, as a hostile
    // host would: no page verifies against the shard roots.
    let (_s, dir) = tampered(&list, |dir| {
        let mut m = Manifest::load(dir).unwrap();
        for shard in &mut m.shards {
            shard.root = [shard.index as u8 + 1; 32];
        }
        let roots = m.shards.iter().map(|s| s.root).collect();
        m.root = ShardTree::build(roots, m.shard_height(), m.depth)
            .unwrap()
            .root();
        m.save(dir).unwrap();
        edit_file(&dir.join("pages/index"), |b| {
            b[16..48].copy_from_slice(&m.root)
        });
    });
    let folder = DropFolder::open(&dir).unwrap();
    let err = folder.lookup(&list[0].claimant).unwrap_err();
    assert!(
        matches!(err, ClientError::PageDoesNotVerify { ref expected, .. } if *expected == hex::encode([1u8; 32])),
        "{err:?}"
    );

    // A manifest from the future.
    let set_version = |version: &'static str| {
        move |dir: &Path| {
            let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap();
            let text = text.replace("\"format_version\": 2", version);
            std::fs::write(dir.join(MANIFEST_FILE), text).unwrap();
        }
    };
    let (_s, dir) = tampered(&list, set_version("\"format_version\": 3"));
    assert!(matches!(
        DropFolder::open(&dir),
        Err(ClientError::CorruptFile {
            problem: Corruption::UnsupportedVersion {
                found: 3,
                supported: 2
            },
            ..
        })
    ));
    // And one from before shard roots: refused with what to do.
    let (_s, dir) = tampered(&list, set_version("\"format_version\": 1"));
    let err = DropFolder::open(&dir).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::CorruptFile {
                problem: Corruption::OldFormat { found: 1, .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("floodgate new"), "{err}");
}

#[test]
fn leaves_file_is_checked_against_the_manifest() {
    let list = canonical(pseudo_random_allocations(20, 5));
    let (_s, dir) = tampered(&list, |dir| {
        let text = std::fs::read_to_string(dir.join("leaves.csv")).unwrap();
        let changed = text.replacen(
            &format!(",{},", list[3].unlocked),
            &format!(",{},", list[3].unlocked + 1),
            1,
        );
        assert_ne!(text, changed);
        std::fs::write(dir.join("leaves.csv"), changed).unwrap();
    });
    let folder = DropFolder::open(&dir).unwrap();
    assert!(matches!(
        folder.read_leaves(),
        Err(ClientError::CorruptFile { ref file, problem: Corruption::Mismatch { field: "sha256", .. } }) if file == "leaves.csv"
    ));
    // Pages are still good: a claimant does not need the leaves file.
    assert_eq!(
        folder.lookup(&list[3].claimant).unwrap().unlocked,
        list[3].unlocked
    );
    // Rebuilding from the tampered file gives another root.
    let rebuilt = lookup_in_leaves(dir.join("leaves.csv"), 4, &list[3].claimant).unwrap();
    assert_ne!(rebuilt.root, folder.manifest().root);
}

#[test]
fn lookup_from_the_leaves_file_alone() {
    let list = pseudo_random_allocations(600, 6);
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("drop");
    let tree = write(&dir, &list, 16, 9);
    for a in list.iter().step_by(37) {
        let from_pages = lookup(&dir, &a.claimant).unwrap();
        let from_leaves = lookup_in_leaves(dir.join("leaves.csv"), 16, &a.claimant).unwrap();
        assert_eq!(from_pages, from_leaves);
        assert_eq!(from_leaves.root, tree.root());
    }
    assert!(matches!(
        lookup_in_leaves(dir.join("leaves.csv"), 16, &key(3)),
        Err(ClientError::NoAllocation { .. })
    ));
}

#[test]
fn lookup_works_over_any_page_source() {
    let list = canonical(pseudo_random_allocations(50, 7));
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("drop");
    let tree = write(&dir, &list, 5, 4);
    let mut files = HashMap::new();
    for name in [
        "manifest.json",
        "pages/index",
        "pages/0.bin",
        "pages/1.bin",
        "pages/2.bin",
        "pages/3.bin",
    ] {
        files.insert(name.to_string(), std::fs::read(dir.join(name)).unwrap());
    }
    // A source that is not a directory (what an HTTP one looks like to `Lookup`).
    let lookup = Lookup::open(&files).unwrap();
    for (i, a) in list.iter().enumerate() {
        let found = lookup.find(&a.claimant).unwrap();
        assert_eq!(found.proof, tree.claim_proof(i as u32, 5).unwrap());
        assert!(found.verify_against(&tree.shard_roots(5)[i >> 5]));
        assert!(!found.verify_against(&[0; 32]));
    }
}

#[test]
fn writing_is_all_or_nothing_and_never_overwrites() {
    let scratch = tempfile::tempdir().unwrap();
    let list = pseudo_random_allocations(10, 8);
    let leftovers = || -> Vec<String> {
        std::fs::read_dir(scratch.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    };

    // Into an existing empty folder: fine.
    let dir = scratch.path().join("empty");
    std::fs::create_dir(&dir).unwrap();
    write(&dir, &list, 2, 2);
    DropFolder::open(&dir).unwrap();

    // Over a non-empty folder: refused, untouched.
    let before = std::fs::read(dir.join(MANIFEST_FILE)).unwrap();
    let err = DropFolder::write(&dir, &list[..3], params(2, 2)).unwrap_err();
    assert!(matches!(err, ClientError::DropFolderExists { ref path } if path == &dir));
    assert_eq!(std::fs::read(dir.join(MANIFEST_FILE)).unwrap(), before);

    // Bad input: nothing is created, no staging folder is left behind.
    let missing = scratch.path().join("never");
    let mut dup = list.clone();
    dup.push(list[4]);
    assert!(matches!(
        DropFolder::write(&missing, &dup, params(2, 2)),
        Err(ClientError::DuplicateLeaf { claimant, .. }) if claimant == list[4].claimant
    ));
    assert!(matches!(
        DropFolder::write(&missing, &[], params(2, 2)),
        Err(ClientError::NoAllocations)
    ));
    assert!(matches!(
        DropFolder::write(&missing, &list, params(17, 2)),
        Err(ClientError::InvalidParameter {
            name: "shard_bits",
            value: 17,
            ..
        })
    ));
    assert!(matches!(
        DropFolder::write(&missing, &list, params(2, 17)),
        Err(ClientError::InvalidParameter {
            name: "page_bits",
            value: 17,
            ..
        })
    ));
    let over = [
        Allocation::new(key(1), u64::MAX, 0),
        Allocation::new(key(2), 1, 0),
    ];
    assert!(matches!(
        DropFolder::write(&missing, &over, params(2, 2)),
        Err(ClientError::TotalOverflow)
    ));
    assert!(!missing.exists());
    assert_eq!(leftovers(), Vec::<String>::new());
}

#[test]
fn the_distributor_is_recorded_atomically() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("drop");
    let list = pseudo_random_allocations(10, 9);
    write(&dir, &list, 2, 2);
    let mut folder = DropFolder::open(&dir).unwrap();
    assert_eq!(folder.manifest().distributor, None);
    let distributor = key(0x42);
    folder.set_distributor(distributor).unwrap();
    assert_eq!(folder.manifest().distributor, Some(distributor));
    assert_eq!(
        DropFolder::open(&dir).unwrap().manifest().distributor,
        Some(distributor)
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "no temporary file left: {names:?}");
    folder.verify().unwrap();
}
