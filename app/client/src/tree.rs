//! The Merkle tree of DESIGN §1, built off chain: root, proofs and verification.
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

    /// Whether `proof` proves `allocation` at `index` under `root`
    /// (`floodgate::merkle::root_from_proof`, as the program checks it). The program
    /// also requires `proof.len() == depth`; check that against the distributor.
    pub fn verify(index: u32, allocation: &Allocation, proof: &[Hash], root: &Hash) -> bool {
        root_from_proof(allocation.leaf_hash(index), index, proof) == *root
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
    let empty = empty_hashes();
    let mut levels = Vec::with_capacity(usize::from(height) + 1);
    levels.push(leaves);
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
    let empty = empty_hashes();
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
