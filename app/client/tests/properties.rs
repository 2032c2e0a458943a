//! Property tests: random allocation sets cannot be robbed through the tree or the drop
//! folder (issue "Prove it cannot be robbed", item 1).
//!
//! Each case draws 1 to 2,000 leaves (half of the cases 1 to 9 or a power of two ± 1, so
//! depths 0 to 4 and padding edges come up often), claimants that are random or share 31
//! bytes, amounts from 0 to `u64::MAX` with the grand total kept within `u64` (what
//! [`DropFolder::write`] accepts), and every shard and page size the crate allows.
//! Verification always goes through the program's own `floodgate::merkle` functions.
//!
//! - (a) every leaf's proof leads to the root, which matches an independent `sha2` tree;
//! - (b) every tampered proof fails: a flipped bit in any sibling, two siblings swapped,
//!   a hash dropped or added, another index, claimant, amount, proof or root;
//! - (c) a drop folder written with the crate's writer reads back with the same root and
//!   leaves, every leaf comes out of its verified page with the tree's proof, and
//!   claimants find their leaf through `DropFolder::lookup` (all of them when that is
//!   cheap, else the first, the last and 24 at random) while absent addresses find none;
//! - (d) the root does not depend on the order of the input, and unsorted input,
//!   duplicate claimants and a total over `u64::MAX` are refused.
//!
//! Default case counts (128 per property, 32 round trips) keep the file under 10 s in a
//! debug build on 2 cores. The long version sets `PROPTEST_CASES`; the drop-folder round
//! trip, which writes and fsyncs a folder per case, runs a quarter of it (1,000 cases
//! take about 3 minutes in a debug build, most of it in fsync):
//!
//! ```text
//! PROPTEST_CASES=1000 cargo test -p floodgate-client --test client properties::
//! ```

use std::collections::HashSet;

use anchor_lang::prelude::Pubkey;
use floodgate::{
    constants::MAX_SHARD_BITS,
    merkle::{Hash, depth_for, leaf_hash, proof_leads_to, root_from_proof},
    state::num_shards_for,
};
use floodgate_client::{
    ClientError,
    allocation::{Allocation, canonical, totals},
    drop::{DropFolder, DropParams, MAX_PAGE_BITS, Manifest, page_count_for},
    lookup::lookup,
    tree::MerkleTree,
};
use proptest::{collection::vec, prelude::*, sample::Index, test_runner::Config as ProptestConfig};

/// Most leaves in a case.
const MAX_LEAVES: usize = 2_000;
/// Cases of the in-memory properties, unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 128;
/// Cases of the drop-folder round trip (it writes and fsyncs a folder per case).
const FILE_CASES: u32 = 32;
/// Most pages a round-trip case writes: small pages still come up with small sets.
const MAX_PAGES: u32 = 256;
/// Above this many leaf hashes (`leaves * page size`), the round trip looks up a
/// sample of claimants through `DropFolder::lookup` instead of all of them; every
/// leaf is still checked through its verified page.
const FULL_LOOKUP_BUDGET: u64 = 1 << 17;

/// `PROPTEST_CASES` when set, else `default`; no regression files are written (a
/// failure is kept as a named `#[test]` instead).
fn config(default: u32, divisor: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default, |n| (n / divisor).max(1));
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Leaf counts: small sets and power-of-two edges half of the time.
fn leaf_count() -> impl Strategy<Value = usize> {
    let edges: Vec<usize> = (1..=10)
        .flat_map(|k| [(1usize << k) - 1, 1 << k, (1 << k) + 1])
        .filter(|&n| n <= MAX_LEAVES)
        .collect();
    prop_oneof![
        1 => 1usize..=9,
        1 => prop::sample::select(edges),
        2 => 10usize..=MAX_LEAVES,
    ]
}

/// Claimant bytes: random, or sharing 31 bytes with many others so that neighbours in
/// canonical order differ in the last byte only.
fn claimant() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![
        3 => any::<[u8; 32]>(),
        1 => (0u8..3, any::<u8>()).prop_map(|(fill, last)| {
            let mut key = [fill; 32];
            key[31] = last;
            key
        }),
    ]
}

/// Raw amounts, extremes included; [`fit`] keeps the grand total within `u64`.
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), Just(u64::MAX), 1u64..=1_000_000_000, any::<u64>(),]
}

/// Distinct claimants with amounts whose grand total fits in `u64` and with every leaf
/// worth at least one base unit, in a random (not canonical) order.
fn allocations() -> impl Strategy<Value = Vec<Allocation>> {
    leaf_count()
        .prop_flat_map(|n| vec((claimant(), amount(), amount()), n))
        .prop_map(fit)
}

/// Drops repeated claimants and caps amounts in order: each leaf takes what it asked for
/// from what is left of `u64::MAX`, keeping one unit for every leaf after it.
fn fit(raw: Vec<([u8; 32], u64, u64)>) -> Vec<Allocation> {
    let mut seen = HashSet::new();
    let raw: Vec<_> = raw.into_iter().filter(|r| seen.insert(r.0)).collect();
    let mut remaining = u64::MAX;
    let n = raw.len() as u64;
    raw.into_iter()
        .enumerate()
        .map(|(i, (key, unlocked, locked))| {
            let available = remaining - (n - 1 - i as u64);
            let unlocked = unlocked.min(available);
            let locked = locked.min(available - unlocked);
            let unlocked = if unlocked == 0 && locked == 0 {
                1
            } else {
                unlocked
            };
            remaining -= unlocked + locked;
            Allocation::new(Pubkey::new_from_array(key), unlocked, locked)
        })
        .collect()
}

/// Allocations in canonical order and their tree.
fn build(list: Vec<Allocation>) -> (Vec<Allocation>, MerkleTree) {
    let sorted = canonical(list);
    let tree = MerkleTree::build(&sorted).expect("canonical allocations build a tree");
    (sorted, tree)
}

/// The program's check: the leaf is hashed from the claimed index and amounts.
fn accepted(root: &Hash, index: u32, a: &Allocation, proof: &[Hash]) -> bool {
    proof_leads_to(
        root,
        leaf_hash(index, &a.claimant, a.unlocked, a.locked),
        index,
        proof,
    )
}

proptest! {
    #![proptest_config(config(CASES, 1))]

    /// (a) Every leaf's proof has `depth` hashes and leads to the root; the root is
    /// the one an independent `sha2` implementation of protocol.md §1 computes.
    #[test]
    fn every_leaf_proof_verifies(list in allocations()) {
        let (sorted, tree) = build(list);
        let n = sorted.len() as u32;
        let root = tree.root();
        prop_assert_eq!(tree.num_leaves(), n);
        prop_assert_eq!(Some(tree.depth()), depth_for(n));
        prop_assert_eq!(root, crate::common::reference_root(&sorted));
        for (i, a) in sorted.iter().enumerate() {
            let index = i as u32;
            let leaf = leaf_hash(index, &a.claimant, a.unlocked, a.locked);
            let proof = tree.proof(index).unwrap();
            prop_assert_eq!(tree.leaves()[i], leaf);
            prop_assert_eq!(proof.len(), usize::from(tree.depth()));
            prop_assert!(proof_leads_to(&root, leaf, index, &proof), "leaf {}", i);
            prop_assert_eq!(root_from_proof(leaf, index, &proof), root);
            prop_assert!(MerkleTree::verify(index, a, &proof, &root));
        }
        let past_the_end = tree.proof(n);
        prop_assert!(
            matches!(past_the_end, Err(ClientError::IndexOutOfRange { .. })),
            "proof({}) = {:?}", n, past_the_end
        );
    }

    /// (a') The two-stage proof: for every shard size, each shard's root is the tree's
    /// node at its position and its upper proof leads to the root; each leaf's claim
    /// proof (its first `min(shard_bits, depth)` siblings) leads to its own shard's root,
    /// is accepted in two stages, and is refused in any other shard: under another
    /// shard's root, or with its root and upper proof at another position. A shard root
    /// from another tree (the same leaves at other amounts) is refused under this root.
    #[test]
    fn claims_are_proven_in_two_stages_and_only_in_their_shard(
        list in allocations(),
        shard_bits in 0..=MAX_SHARD_BITS,
        targets in vec(any::<Index>(), 1..=8),
        other in any::<Index>(),
    ) {
        let (sorted, tree) = build(list);
        let n = sorted.len();
        let root = tree.root();
        let top = tree.shard_tree(shard_bits);
        let roots = top.shard_roots();
        let h = tree.shard_height(shard_bits);
        prop_assert_eq!(roots.len() as u32, num_shards_for(n as u32, shard_bits));
        for (s, shard_root) in roots.iter().enumerate() {
            let upper = top.upper_proof(s as u32).unwrap();
            prop_assert_eq!(upper.len(), usize::from(tree.depth() - h));
            prop_assert!(proof_leads_to(&root, *shard_root, s as u32, &upper));
        }
        // Another tree: every amount one more. Its shard roots are refused here.
        let (_, moved) = build(sorted.iter().map(|a| Allocation { unlocked: a.unlocked.wrapping_add(1), ..*a }).collect());
        let moved_top = moved.shard_tree(shard_bits);
        for (s, foreign) in moved_top.shard_roots().iter().enumerate() {
            let upper = moved_top.upper_proof(s as u32).unwrap();
            prop_assert!(!proof_leads_to(&root, *foreign, s as u32, &upper));
            let ours = top.upper_proof(s as u32).unwrap();
            prop_assert!(!proof_leads_to(&root, *foreign, s as u32, &ours));
        }
        for target in &targets {
            let i = target.index(n);
            let index = i as u32;
            let a = sorted[i];
            let proof = tree.claim_proof(index, shard_bits).unwrap();
            prop_assert_eq!(&proof[..], &tree.proof(index).unwrap()[..usize::from(h)]);
            let shard = index >> shard_bits;
            let upper = top.upper_proof(shard).unwrap();
            let mut full = proof.clone();
            full.extend_from_slice(&upper);
            prop_assert_eq!(&full, &tree.proof(index).unwrap());
            prop_assert!(accepted_in_shard(&root, (shard, &roots[shard as usize], &upper), shard_bits, (index, &a, &proof)));
            // Any other shard: its own root and upper proof, or this shard's root and
            // upper proof presented at its position.
            let s = other.index(roots.len()) as u32;
            if s != shard {
                let theirs = top.upper_proof(s).unwrap();
                prop_assert!(!accepted_in_shard(&root, (s, &roots[s as usize], &theirs), shard_bits, (index, &a, &proof)));
                prop_assert!(!accepted(&roots[s as usize], index, &a, &proof));
                prop_assert!(!proof_leads_to(&root, roots[shard as usize], s, &upper));
            }
        }
    }

    /// (b) No proof but the exact path of the exact leaf is accepted. For up to 8 leaves
    /// of each tree: one random bit flipped in each sibling (all 256 bits of one of them),
    /// every pair of siblings swapped, each sibling dropped, a hash added at either end,
    /// the index changed in each of its 32 bits, the claimant or an amount changed, the
    /// proof of another leaf, a root one bit off.
    #[test]
    fn every_tampered_proof_fails(
        list in allocations(),
        targets in vec(any::<Index>(), 1..=8),
        flips in vec((any::<u8>(), 0u8..8), 32),
        extra in any::<[u8; 32]>(),
        other in any::<Index>(),
        bit in 0u32..64,
    ) {
        let (sorted, tree) = build(list);
        let n = sorted.len();
        let root = tree.root();
        let depth = usize::from(tree.depth());
        for target in &targets {
            let i = target.index(n);
            let index = i as u32;
            let a = sorted[i];
            let proof = tree.proof(index).unwrap();
            prop_assert!(accepted(&root, index, &a, &proof));

            // A flipped bit in any sibling.
            for (k, &(byte, bit)) in flips.iter().enumerate().take(depth) {
                let mut bad = proof.clone();
                bad[k][usize::from(byte) % 32] ^= 1 << bit;
                prop_assert!(!accepted(&root, index, &a, &bad), "leaf {} level {}", i, k);
            }
            if depth > 0 {
                let k = other.index(depth);
                for b in 0..256 {
                    let mut bad = proof.clone();
                    bad[k][b / 8] ^= 1 << (b % 8);
                    prop_assert!(!accepted(&root, index, &a, &bad), "level {} bit {}", k, b);
                }
            }
            // Two siblings swapped.
            for x in 0..depth {
                for y in (x + 1..depth).filter(|&y| proof[x] != proof[y]) {
                    let mut bad = proof.clone();
                    bad.swap(x, y);
                    prop_assert!(!accepted(&root, index, &a, &bad), "swap {} {}", x, y);
                }
            }
            // A hash dropped or added.
            for x in 0..depth {
                let mut bad = proof.clone();
                bad.remove(x);
                prop_assert!(!accepted(&root, index, &a, &bad), "dropped {}", x);
            }
            for added in [extra, root, [0; 32]] {
                let mut longer = proof.clone();
                longer.push(added);
                prop_assert!(!accepted(&root, index, &a, &longer));
                let mut longer = proof.clone();
                longer.insert(0, added);
                prop_assert!(!accepted(&root, index, &a, &longer));
            }
            // Another index: the leaf hash binds it, so even bits above the depth (which
            // the positional fold never reads) make the proof fail.
            for k in 0..32 {
                prop_assert!(!accepted(&root, index ^ (1 << k), &a, &proof), "index bit {}", k);
            }
            // Another claimant or amount.
            let mut key = a.claimant.to_bytes();
            key[usize::from(flips[0].0) % 32] ^= 1 << flips[0].1;
            let changed = [
                Allocation { claimant: Pubkey::new_from_array(key), ..a },
                Allocation { claimant: sorted[(i + 1) % n].claimant, ..a },
                Allocation { unlocked: a.unlocked ^ (1 << bit), ..a },
                Allocation { unlocked: a.unlocked.wrapping_add(1), ..a },
                Allocation { unlocked: a.unlocked.wrapping_sub(1), ..a },
                Allocation { locked: a.locked ^ (1 << bit), ..a },
                Allocation { locked: a.locked.wrapping_add(1), ..a },
                Allocation { locked: a.locked.wrapping_sub(1), ..a },
                Allocation { unlocked: a.locked, locked: a.unlocked, ..a },
                Allocation { unlocked: a.unlocked.wrapping_add(a.locked), locked: 0, ..a },
            ];
            for (c, changed) in changed.iter().enumerate() {
                if *changed != a {
                    prop_assert!(!accepted(&root, index, changed, &proof), "change {}", c);
                }
            }
            // Another leaf's proof; a root one bit off.
            if n > 1 {
                let j = (i + 1 + other.index(n - 1)) % n;
                let theirs = tree.proof(j as u32).unwrap();
                prop_assert!(!accepted(&root, index, &a, &theirs), "proof of leaf {}", j);
            }
            let mut wrong_root = root;
            wrong_root[usize::from(flips[1].0) % 32] ^= 1 << flips[1].1;
            prop_assert!(!accepted(&wrong_root, index, &a, &proof));
        }
    }

    /// (d) The tree is a function of the set of allocations: any input order gives the
    /// same tree. The builders refuse what is not a valid set: unsorted input, a
    /// duplicate claimant, a grand total over `u64::MAX`.
    #[test]
    fn root_does_not_depend_on_input_order(
        (list, shuffled) in allocations()
            .prop_flat_map(|list| (Just(list.clone()), Just(list).prop_shuffle())),
        pick in any::<Index>(),
    ) {
        let (sorted, tree) = build(list.clone());
        let (resorted, retree) = build(shuffled.clone());
        prop_assert_eq!(&resorted, &sorted);
        prop_assert_eq!(retree.root(), tree.root());
        prop_assert_eq!(&retree, &tree);
        if shuffled != sorted {
            let unsorted = MerkleTree::build(&shuffled);
            prop_assert!(matches!(unsorted, Err(ClientError::NotCanonical { .. })), "{:?}", unsorted);
        }

        // The same claimant twice, with other amounts.
        let twin = list[pick.index(list.len())];
        let mut twice = list.clone();
        twice.push(Allocation { unlocked: twin.unlocked ^ 1, ..twin });
        let duplicate = MerkleTree::build(&canonical(twice));
        prop_assert!(
            matches!(duplicate, Err(ClientError::DuplicateLeaf { claimant, .. }) if claimant == twin.claimant),
            "{:?}", duplicate
        );

        // One more leaf that takes the grand total past u64::MAX: refused before any
        // file is written.
        let total = totals(&list).unwrap().total;
        let mut key = [0xff; 32];
        key[0] = 0xfe;
        let extra = Pubkey::new_from_array(key);
        if list.iter().all(|a| a.claimant != extra) {
            let mut over = list.clone();
            over.push(Allocation::new(extra, u64::MAX - total, 1));
            let scratch = tempfile::tempdir().unwrap();
            let dir = scratch.path().join("drop");
            let params = DropParams::new(floodgate::ID, Pubkey::new_unique(), 6, 4);
            let refused = DropFolder::write(&dir, &over, params);
            prop_assert!(matches!(refused, Err(ClientError::TotalOverflow)), "{:?}", refused.map(|r| r.0));
            prop_assert!(!dir.exists());
            prop_assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
        }
    }
}

/// Page sizes that keep a case at `MAX_PAGES` pages or fewer, and shards no smaller
/// than a page.
fn drop_case() -> impl Strategy<Value = (Vec<Allocation>, u8, u8)> {
    allocations().prop_flat_map(|list| {
        let n = list.len() as u32;
        let min_page_bits = (0..=MAX_PAGE_BITS)
            .find(|&b| page_count_for(n, b) <= MAX_PAGES)
            .unwrap_or(MAX_PAGE_BITS);
        (Just(list), min_page_bits..=MAX_SHARD_BITS).prop_flat_map(move |(list, shard_bits)| {
            (Just(list), Just(shard_bits), min_page_bits..=shard_bits)
        })
    })
}

/// What the program checks of a claim in two stages: `create_shard` proved the shard's
/// root at its position under `root` with `upper`, and the claim proves its leaf up to
/// that shard root with `proof`, in the shard of its index.
fn accepted_in_shard(
    root: &Hash,
    (shard_index, shard_root, upper): (u32, &Hash, &[Hash]),
    shard_bits: u8,
    (index, a, proof): (u32, &Allocation, &[Hash]),
) -> bool {
    proof_leads_to(root, *shard_root, shard_index, upper)
        && index >> shard_bits == shard_index
        && accepted(shard_root, index, a, proof)
}

proptest! {
    #![proptest_config(config(FILE_CASES, 4))]

    /// (c) The drop folder round-trips: written from unsorted input with the crate's
    /// writer, it opens with the same manifest and root, its leaves file gives back the
    /// canonical leaves, the full audit passes, every page verifies and gives every leaf
    /// with the tree's proof, and claimants find their leaf (all of them, or when that
    /// is too slow a sample with the first and last) while absent ones find nothing.
    #[test]
    fn drop_folder_round_trips(
        (list, shard_bits, page_bits) in drop_case(),
        sample in vec(any::<Index>(), 24),
    ) {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("drop");
        let params = DropParams {
            page_bits,
            ..DropParams::new(floodgate::ID, Pubkey::new_unique(), 9, shard_bits)
        };
        let (manifest, tree) = DropFolder::write(&dir, &list, params).unwrap();
        let (sorted, expected) = build(list);
        let n = sorted.len() as u32;
        let root = expected.root();
        prop_assert_eq!(&tree, &expected);
        prop_assert_eq!(manifest.root, root);
        prop_assert_eq!(manifest.num_leaves, n);
        prop_assert_eq!(manifest.page_count, page_count_for(n, page_bits));
        prop_assert_eq!(manifest.shards.len() as u32, num_shards_for(n, shard_bits));
        let sums = totals(&sorted).unwrap();
        prop_assert_eq!(manifest.total_amount, sums.total);
        prop_assert_eq!(manifest.shards.iter().map(|s| s.total).sum::<u64>(), sums.total);

        let folder = DropFolder::open(&dir).unwrap();
        prop_assert_eq!(folder.manifest(), &manifest);
        prop_assert_eq!(&Manifest::load(&dir).unwrap(), &manifest);
        prop_assert_eq!(folder.read_leaves().unwrap(), sorted.clone());
        let (_, rebuilt) = folder.rebuild_tree().unwrap();
        prop_assert_eq!(rebuilt.root(), root);
        folder.verify().unwrap();

        // Every leaf through its verified page, accepted in two stages as on chain.
        let top = manifest.shard_tree().unwrap();
        prop_assert_eq!(top.root(), root);
        let mut seen = 0u32;
        for p in 0..manifest.page_count {
            let page = folder.page(p).unwrap();
            prop_assert_eq!(folder.index().first_claimants[p as usize], page.page().leaves[0].claimant);
            for j in 0.. {
                let Some(found) = page.claimable(j) else { break };
                let index = found.index;
                prop_assert_eq!(index, seen);
                prop_assert_eq!(found.allocation(), sorted[index as usize]);
                prop_assert_eq!(&found.proof, &tree.claim_proof(index, shard_bits).unwrap());
                let shard = index >> shard_bits;
                let shard_root = manifest.shards[shard as usize].root;
                let upper = top.upper_proof(shard).unwrap();
                prop_assert!(accepted_in_shard(
                    &root,
                    (shard, &shard_root, &upper),
                    shard_bits,
                    (index, &found.allocation(), &found.proof),
                ));
                seen += 1;
            }
        }
        prop_assert_eq!(seen, n);

        // Claimants through `DropFolder::lookup`.
        let page_size = u64::from(n.min(1 << page_bits));
        let probes: Vec<usize> = if u64::from(n) * page_size <= FULL_LOOKUP_BUDGET {
            (0..sorted.len()).collect()
        } else {
            [0, sorted.len() - 1]
                .into_iter()
                .chain(sample.iter().map(|s| s.index(sorted.len())))
                .collect()
        };
        for i in probes {
            let a = sorted[i];
            let found = folder.lookup(&a.claimant).unwrap();
            prop_assert_eq!(found.index, i as u32);
            prop_assert_eq!(found.allocation(), a);
            prop_assert_eq!(found.root, root);
            prop_assert_eq!(found.proof.len(), usize::from(manifest.shard_height()));
            prop_assert!(accepted(&found.shard_root, found.index, &a, &found.proof));
        }
        let last = sorted[sorted.len() - 1];
        prop_assert_eq!(lookup(&dir, &last.claimant).unwrap().allocation(), last);

        // Addresses without a leaf: before the first, after the last, next to a leaf.
        let mut next_to = sorted[sample[0].index(sorted.len())].claimant.to_bytes();
        next_to[31] ^= 1;
        for absent in [[0u8; 32], [0xff; 32], next_to].map(Pubkey::new_from_array) {
            if sorted.binary_search_by(|a| a.claimant.as_ref().cmp(absent.as_ref())).is_err() {
                let missing = folder.lookup(&absent);
                prop_assert!(
                    matches!(missing, Err(ClientError::NoAllocation { claimant }) if claimant == absent),
                    "{:?}", missing
                );
            }
        }
    }
}
