//! The Merkle tree of protocol.md §1, built off chain: root, proofs and verification.
//!
//! Hashing comes from `floodgate::merkle`, the program's own functions. The tree keeps
//! every level but only its real nodes: level `k` holds `ceil(n / 2^k)` hashes, and a
//! missing right sibling is `EMPTY[k]`, the root of an all-empty subtree of height `k`.
//! Padding therefore costs nothing and `2^depth` leaves are never materialised. Leaves
//! and each level are hashed in parallel chunks with rayon.

use std::sync::OnceLock;

use floodgate::merkle::{Hash, depth_for, node_hash, root_from_proof};
use rayon::prelude::*;

use crate::{allocation::Allocation, error::ClientError};

/// Number of entries of [`empty_hashes`]: heights 0 to 32.
pub const EMPTY_HASHES: usize = 33;

/// Nodes per rayon task; smaller levels are hashed on the calling thread.
const PARALLEL_CHUNK: usize = 4096;

/// `EMPTY[k]` for `k` in `0..=32`: `EMPTY[0] = [0; 32]`, `EMPTY[k + 1] = node(EMPTY[k], EMPTY[k])`.
pub fn empty_hashes() -> &'static [Hash; EMPTY_HASHES] {
    static EMPTY: OnceLock<[Hash; EMPTY_HASHES]> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut empty = [[0u8; 32]; EMPTY_HASHES];
        for k in 0..EMPTY_HASHES - 1 {
            empty[k + 1] = node_hash(&empty[k], &empty[k]);
        }
        empty
    })
}

/// A Merkle tree over canonical allocations; leaf `i` is the allocation at position `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    /// `levels[0]` are the leaf hashes, `levels[depth]` is `[root]`.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the tree of `allocations`, which must be in canonical order (sorted by
    /// claimant bytes, no duplicate; see [`crate::allocation::canonical`]) and non-empty.
    pub fn build(allocations: &[Allocation]) -> Result<Self, ClientError> {
        let num_leaves = check_canonical(allocations)?;
        let depth = depth_for(num_leaves).ok_or(ClientError::NoAllocations)?;
        let leaves: Vec<Hash> = allocations
            .par_iter()
            .with_min_len(PARALLEL_CHUNK)
            .enumerate()
            .map(|(i, a)| a.leaf_hash(i as u32))
            .collect();
        Ok(Self {
            levels: build_levels(leaves, depth),
        })
    }

    /// The root.
    pub fn root(&self) -> Hash {
        self.levels[self.levels.len() - 1][0]
    }

    /// The depth: `depth_for(num_leaves)`, 0 for one leaf.
    pub fn depth(&self) -> u8 {
        (self.levels.len() - 1) as u8
    }

    /// The number of real leaves.
    pub fn num_leaves(&self) -> u32 {
        self.levels[0].len() as u32
    }

    /// The leaf hashes, in index order.
    pub fn leaves(&self) -> &[Hash] {
        &self.levels[0]
    }

    /// The proof of leaf `index`: exactly `depth` sibling hashes, leaf level first.
    pub fn proof(&self, index: u32) -> Result<Vec<Hash>, ClientError> {
        self.proof_from_level(index, 0)
    }

    /// The siblings of leaf `index`'s path from `level` up to the root (the last
    /// `depth - level` hashes of its proof); empty when `level >= depth`.
    pub fn proof_from_level(&self, index: u32, level: u8) -> Result<Vec<Hash>, ClientError> {
        if index >= self.num_leaves() {
            return Err(ClientError::IndexOutOfRange {
                index,
                num_leaves: self.num_leaves(),
            });
        }
        Ok(path(&self.levels, index, usize::from(level)))
    }

    /// Height of a shard's subtree in this tree, `min(shard_bits, depth)`: the length
    /// of a claim's proof.
    pub fn shard_height(&self, shard_bits: u8) -> u8 {
        shard_bits.min(self.depth())
    }

    /// The roots of the shards of `2^shard_bits` leaves, in order: the tree's nodes at
    /// height `min(shard_bits, depth)`, what `create_shard` stores.
    pub fn shard_roots(&self, shard_bits: u8) -> &[Hash] {
        &self.levels[usize::from(self.shard_height(shard_bits))]
    }

    /// The tree above the shard roots: the manifest's part of the tree, from which
    /// `create_shard`'s upper proofs come.
    pub fn shard_tree(&self, shard_bits: u8) -> ShardTree {
        let height = self.shard_height(shard_bits);
        ShardTree {
            shard_height: height,
            levels: self.levels[usize::from(height)..].to_vec(),
        }
    }

    /// The proof a claim of leaf `index` sends: its siblings up to its shard's root,
    /// exactly `min(shard_bits, depth)` hashes, leaf level first (the first hashes of
    /// [`MerkleTree::proof`]).
    pub fn claim_proof(&self, index: u32, shard_bits: u8) -> Result<Vec<Hash>, ClientError> {
        let mut proof = self.proof(index)?;
        proof.truncate(usize::from(self.shard_height(shard_bits)));
        Ok(proof)
    }

    /// Whether `proof` proves `allocation` at `index` under `root`
    /// (`floodgate::merkle::root_from_proof`, as the program checks it): a claim proof
    /// under its shard's root, a full proof under the tree's root. The program also
    /// requires the proof's length; check that against the distributor.
    pub fn verify(index: u32, allocation: &Allocation, proof: &[Hash], root: &Hash) -> bool {
        root_from_proof(allocation.leaf_hash(index), index, proof) == *root
    }
}

/// The top of a tree, from its shard roots (height `min(shard_bits, depth)`) up to its
/// root: what a drop's manifest carries. A reader rebuilds it to check the shard roots
/// against the root, and `create_shard`'s upper proofs come from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardTree {
    shard_height: u8,
    /// `levels[0]` are the shard roots, `levels[last]` is `[root]`.
    levels: Vec<Vec<Hash>>,
}

impl ShardTree {
    /// The tree over `shard_roots` (nodes at height `shard_height`) up to height `depth`,
    /// padded on the right with `EMPTY`. `None` unless `1 <= shard_roots.len() <=
    /// 2^(depth - shard_height)` and `shard_height <= depth <= 32`.
    pub fn build(shard_roots: Vec<Hash>, shard_height: u8, depth: u8) -> Option<Self> {
        let levels_above = depth.checked_sub(shard_height)?;
        if shard_roots.is_empty() || depth > 32 || shard_roots.len() as u64 > 1u64 << levels_above {
            return None;
        }
        Some(Self {
            shard_height,
            levels: build_levels_from(shard_roots, shard_height, levels_above),
        })
    }

    /// The tree's root.
    pub fn root(&self) -> Hash {
        self.levels[self.levels.len() - 1][0]
    }

    /// The shard roots, in shard order.
    pub fn shard_roots(&self) -> &[Hash] {
        &self.levels[0]
    }

    /// `create_shard`'s `upper_proof` for shard `shard_index`: its root's siblings up to
    /// the tree's root, exactly `depth - min(shard_bits, depth)` hashes, lowest first.
    pub fn upper_proof(&self, shard_index: u32) -> Result<Vec<Hash>, ClientError> {
        let num_shards = self.levels[0].len() as u32;
        if shard_index >= num_shards {
            return Err(ClientError::InvalidParameter {
                name: "shard_index",
                value: shard_index.into(),
                reason: "not below the drop's shard count",
            });
        }
        Ok(path_from(&self.levels, shard_index, 0, self.shard_height))
    }
}

/// Checks canonical order and size; returns the number of leaves.
fn check_canonical(allocations: &[Allocation]) -> Result<u32, ClientError> {
    if allocations.is_empty() {
        return Err(ClientError::NoAllocations);
    }
    let num_leaves = u32::try_from(allocations.len()).map_err(|_| ClientError::TooManyLeaves {
        count: allocations.len(),
        max: u32::MAX,
    })?;
    for (i, w) in allocations.windows(2).enumerate() {
        let index = i as u32 + 1;
        match w[0].claimant.as_ref().cmp(w[1].claimant.as_ref()) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => {
                return Err(ClientError::DuplicateLeaf {
                    claimant: w[1].claimant,
                    index,
                });
            }
            std::cmp::Ordering::Greater => return Err(ClientError::NotCanonical { index }),
        }
    }
    Ok(num_leaves)
}

/// All levels of a tree of height `height` over `leaves` (`1 <= leaves.len() <= 2^height`),
/// padded on the right with `EMPTY[k]`. The last level holds the single root.
pub(crate) fn build_levels(leaves: Vec<Hash>, height: u8) -> Vec<Vec<Hash>> {
    build_levels_from(leaves, 0, height)
}

/// As [`build_levels`] over `nodes` at height `base` (`base + height <= 32`): level `k`
/// is padded with `EMPTY[base + k]`.
pub(crate) fn build_levels_from(nodes: Vec<Hash>, base: u8, height: u8) -> Vec<Vec<Hash>> {
    let empty = &empty_hashes()[usize::from(base)..];
    let mut levels = Vec::with_capacity(usize::from(height) + 1);
    levels.push(nodes);
    for k in 0..usize::from(height) {
        let below = &levels[k];
        let pad = &empty[k];
        let hash_pair = |pair: &[Hash]| node_hash(&pair[0], pair.get(1).unwrap_or(pad));
        let next: Vec<Hash> = if below.len() >= 2 * PARALLEL_CHUNK {
            below
                .par_chunks(2)
                .with_min_len(PARALLEL_CHUNK)
                .map(hash_pair)
                .collect()
        } else {
            below.chunks(2).map(hash_pair).collect()
        };
        levels.push(next);
    }
    levels
}

/// Siblings of leaf `index` from level `from` to the top of `levels`.
pub(crate) fn path(levels: &[Vec<Hash>], index: u32, from: usize) -> Vec<Hash> {
    path_from(levels, index, from, 0)
}

/// As [`path`] in levels built by [`build_levels_from`] at height `base`.
fn path_from(levels: &[Vec<Hash>], index: u32, from: usize, base: u8) -> Vec<Hash> {
    let empty = &empty_hashes()[usize::from(base)..];
    let height = levels.len() - 1;
    (from.min(height)..height)
        .map(|k| {
            let sibling = ((index >> k) ^ 1) as usize;
            levels[k].get(sibling).copied().unwrap_or(empty[k])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use anchor_lang::prelude::Pubkey;
    use floodgate::merkle::leaf_hash;

    use super::*;

    fn allocations(n: usize) -> Vec<Allocation> {
        (0..n)
            .map(|i| {
                let mut key = [0u8; 32];
                key[..8].copy_from_slice(&(i as u64).to_be_bytes());
                key[31] = 7;
                Allocation::new(Pubkey::new_from_array(key), 1000 + i as u64, (i % 3) as u64)
            })
            .collect()
    }

    /// Reference: materialise all 2^depth leaves and hash level by level.
    fn naive_root(allocations: &[Allocation]) -> Hash {
        let depth = depth_for(allocations.len() as u32).unwrap();
        let mut level: Vec<Hash> = (0..1usize << depth)
            .map(|i| match allocations.get(i) {
                Some(a) => leaf_hash(i as u32, &a.claimant, a.unlocked, a.locked),
                None => [0; 32],
            })
            .collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
        }
        level[0]
    }

    #[test]
    fn empty_hashes_chain() {
        let empty = empty_hashes();
        assert_eq!(empty[0], [0; 32]);
        assert_eq!(empty[1], node_hash(&[0; 32], &[0; 32]));
        for k in 0..32 {
            assert_eq!(empty[k + 1], node_hash(&empty[k], &empty[k]));
        }
    }

    #[test]
    fn root_matches_a_fully_padded_tree_and_every_proof_verifies() {
        for n in (1..=70).chain([127, 128, 129, 1000, 8193]) {
            let list = allocations(n);
            let tree = MerkleTree::build(&list).unwrap();
            assert_eq!(tree.root(), naive_root(&list), "n = {n}");
            assert_eq!(tree.depth(), depth_for(n as u32).unwrap());
            assert_eq!(tree.num_leaves(), n as u32);
            for (i, a) in list.iter().enumerate() {
                let proof = tree.proof(i as u32).unwrap();
                assert_eq!(proof.len(), usize::from(tree.depth()));
                assert!(
                    MerkleTree::verify(i as u32, a, &proof, &tree.root()),
                    "n {n} i {i}"
                );
            }
        }
    }

    #[test]
    fn one_leaf_is_its_own_root() {
        let list = allocations(1);
        let tree = MerkleTree::build(&list).unwrap();
        assert_eq!(tree.depth(), 0);
        assert_eq!(tree.root(), list[0].leaf_hash(0));
        assert_eq!(tree.proof(0).unwrap(), Vec::<Hash>::new());
    }

    #[test]
    fn tampered_proofs_fail() {
        let list = allocations(13);
        let tree = MerkleTree::build(&list).unwrap();
        let root = tree.root();
        let proof = tree.proof(5).unwrap();
        let a = list[5];
        assert!(MerkleTree::verify(5, &a, &proof, &root));
        // Wrong index, amounts, claimant, root.
        assert!(!MerkleTree::verify(4, &a, &proof, &root));
        assert!(!MerkleTree::verify(
            5,
            &Allocation {
                unlocked: a.unlocked + 1,
                ..a
            },
            &proof,
            &root
        ));
        assert!(!MerkleTree::verify(
            5,
            &Allocation {
                locked: a.locked + 1,
                ..a
            },
            &proof,
            &root
        ));
        assert!(!MerkleTree::verify(5, &list[6], &proof, &root));
        assert!(!MerkleTree::verify(5, &a, &proof, &[1; 32]));
        // Any flipped bit, swapped or missing sibling.
        for level in 0..proof.len() {
            let mut bad = proof.clone();
            bad[level][0] ^= 1;
            assert!(!MerkleTree::verify(5, &a, &bad, &root));
        }
        let mut swapped = proof.clone();
        swapped.swap(0, 1);
        assert!(!MerkleTree::verify(5, &a, &swapped, &root));
        assert!(!MerkleTree::verify(5, &a, &proof[..proof.len() - 1], &root));
        let mut longer = proof.clone();
        longer.push(empty_hashes()[4]);
        assert!(!MerkleTree::verify(5, &a, &longer, &root));
    }

    #[test]
    fn proof_from_level_is_a_suffix() {
        let tree = MerkleTree::build(&allocations(100)).unwrap();
        let full = tree.proof(77).unwrap();
        for level in 0..=8u8 {
            let upper = tree.proof_from_level(77, level).unwrap();
            assert_eq!(upper, full[usize::from(level).min(full.len())..]);
        }
    }

    #[test]
    fn claim_proofs_reach_shard_roots_that_the_shard_tree_proves() {
        for n in [1, 2, 5, 8, 13, 100, 257] {
            let list = allocations(n);
            let tree = MerkleTree::build(&list).unwrap();
            for shard_bits in [0, 1, 2, 3, 5, 16] {
                let h = tree.shard_height(shard_bits);
                let roots = tree.shard_roots(shard_bits);
                let num_shards = floodgate::state::num_shards_for(n as u32, shard_bits);
                assert_eq!(roots.len(), num_shards as usize, "n {n} bits {shard_bits}");
                let top = ShardTree::build(roots.to_vec(), h, tree.depth()).unwrap();
                assert_eq!(top, tree.shard_tree(shard_bits));
                assert_eq!(top.root(), tree.root());
                for s in 0..num_shards {
                    let upper = top.upper_proof(s).unwrap();
                    assert_eq!(upper.len(), usize::from(tree.depth() - h));
                    assert_eq!(upper, tree.proof_from_level(s << h, h).unwrap());
                    assert_eq!(root_from_proof(roots[s as usize], s, &upper), tree.root());
                }
                assert!(top.upper_proof(num_shards).is_err());
                for (i, a) in list.iter().enumerate() {
                    let proof = tree.claim_proof(i as u32, shard_bits).unwrap();
                    assert_eq!(proof.len(), usize::from(h));
                    let shard_root = roots[i >> shard_bits];
                    assert!(MerkleTree::verify(i as u32, a, &proof, &shard_root));
                }
            }
        }
    }

    #[test]
    fn a_shard_tree_needs_a_shape_that_holds_its_roots() {
        assert!(ShardTree::build(vec![], 0, 3).is_none());
        assert!(ShardTree::build(vec![[1; 32]; 3], 2, 3).is_none());
        assert!(ShardTree::build(vec![[1; 32]; 2], 4, 3).is_none());
        assert!(ShardTree::build(vec![[1; 32]; 2], 2, 33).is_none());
        let one = ShardTree::build(vec![[1; 32]], 3, 3).unwrap();
        assert_eq!(one.root(), [1; 32]);
        assert_eq!(one.upper_proof(0).unwrap(), Vec::<Hash>::new());
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(matches!(
            MerkleTree::build(&[]),
            Err(ClientError::NoAllocations)
        ));
        let mut list = allocations(5);
        list.swap(2, 3);
        assert!(matches!(
            MerkleTree::build(&list),
            Err(ClientError::NotCanonical { index: 3 })
        ));
        let mut list = allocations(5);
        list[4].claimant = list[3].claimant;
        assert!(matches!(
            MerkleTree::build(&list),
            Err(ClientError::DuplicateLeaf { index: 4, claimant }) if claimant == list[3].claimant
        ));
        let tree = MerkleTree::build(&allocations(5)).unwrap();
        assert!(matches!(
            tree.proof(5),
            Err(ClientError::IndexOutOfRange {
                index: 5,
                num_leaves: 5
            })
        ));
    }

    #[test]
    fn levels_hold_only_real_nodes() {
        let tree = MerkleTree::build(&allocations(5)).unwrap();
        let sizes: Vec<usize> = tree.levels.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![5, 3, 2, 1]);
        // Leaf 4's sibling at level 0 and 1 is padding.
        let proof = tree.proof(4).unwrap();
        assert_eq!(proof[0], empty_hashes()[0]);
        assert_eq!(proof[1], empty_hashes()[1]);
    }
}
