//! The tree of DESIGN §1: leaf and node hashes and positional proof verification.
//!
//! This module is the one definition of the hashing; the client builds trees with it.

use crate::constants::{LEAF_PREFIX, NODE_PREFIX};
use anchor_lang::prelude::Pubkey;
use solana_sha256_hasher::hashv;

/// A 32-byte SHA-256 digest.
pub type Hash = [u8; 32];

/// `sha256(0x00 || index u32 LE || claimant || unlocked u64 LE || locked u64 LE)`.
#[inline]
pub fn leaf_hash(index: u32, claimant: &Pubkey, unlocked: u64, locked: u64) -> Hash {
    hashv(&[
        &[LEAF_PREFIX][..],
        &index.to_le_bytes(),
        claimant.as_ref(),
        &unlocked.to_le_bytes(),
        &locked.to_le_bytes(),
    ])
    .to_bytes()
}

/// `sha256(0x01 || left || right)`.
#[inline]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    hashv(&[&[NODE_PREFIX][..], left, right]).to_bytes()
}

/// Folds `proof` (leaf level first) over `leaf` at position `index` and returns the root.
/// At level `k` the running node is the right child when bit `k` of `index` is 1.
#[inline]
pub fn root_from_proof(leaf: Hash, index: u32, proof: &[Hash]) -> Hash {
    let mut node = leaf;
    for (level, sibling) in proof.iter().enumerate() {
        node = if (index >> level) & 1 == 1 {
            node_hash(sibling, &node)
        } else {
            node_hash(&node, sibling)
        };
    }
    node
}

/// The depth DESIGN §1 requires for `num_leaves`: the smallest `d` with `2^d >= num_leaves`.
/// `None` for zero leaves.
pub const fn depth_for(num_leaves: u32) -> Option<u8> {
    match num_leaves {
        0 => None,
        1 => Some(0),
        n => Some((32 - (n - 1).leading_zeros()) as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_the_smallest_power_of_two_that_fits() {
        assert_eq!(depth_for(0), None);
        assert_eq!(depth_for(1), Some(0));
        assert_eq!(depth_for(2), Some(1));
        assert_eq!(depth_for(3), Some(2));
        assert_eq!(depth_for(4), Some(2));
        assert_eq!(depth_for(5), Some(3));
        assert_eq!(depth_for(1 << 20), Some(20));
        assert_eq!(depth_for((1 << 20) + 1), Some(21));
        assert_eq!(depth_for(u32::MAX), Some(32));
    }

    #[test]
    fn proof_of_a_two_leaf_tree_is_positional() {
        let a = leaf_hash(0, &Pubkey::new_from_array([1; 32]), 5, 0);
        let b = leaf_hash(1, &Pubkey::new_from_array([2; 32]), 7, 3);
        let root = node_hash(&a, &b);
        assert_eq!(root_from_proof(a, 0, &[b]), root);
        assert_eq!(root_from_proof(b, 1, &[a]), root);
        // The same sibling on the wrong side gives another root.
        assert_ne!(root_from_proof(a, 1, &[b]), root);
    }

    #[test]
    fn leaf_and_node_hashes_are_domain_separated() {
        let claimant = Pubkey::new_from_array([9; 32]);
        let leaf = leaf_hash(0, &claimant, 1, 2);
        let mut preimage = vec![LEAF_PREFIX];
        preimage.extend_from_slice(&0u32.to_le_bytes());
        preimage.extend_from_slice(claimant.as_ref());
        preimage.extend_from_slice(&1u64.to_le_bytes());
        preimage.extend_from_slice(&2u64.to_le_bytes());
        assert_eq!(preimage.len(), 53);
        assert_eq!(leaf, hashv(&[&preimage]).to_bytes());
        assert_ne!(node_hash(&leaf, &leaf), hashv(&[&leaf, &leaf]).to_bytes());
    }
}
