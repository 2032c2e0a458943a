//! The tree of protocol.md §1: leaf and node hashes and positional proof verification.
//!
//! This module is the one definition of the hashing; the client builds trees with it.

use crate::{
    bytes32,
    constants::{LEAF_PREFIX, NODE_PREFIX},
};
use anchor_lang::prelude::Pubkey;
use solana_sha256_hasher::hashv;

/// A 32-byte SHA-256 digest.
pub type Hash = [u8; 32];

/// `sha256(0x00 || index u32 LE || claimant || unlocked u64 LE || locked u64 LE)`.
#[inline]
pub fn leaf_hash(index: u32, claimant: &Pubkey, unlocked: u64, locked: u64) -> Hash {
    let preimage = LeafPreimage::new(index, claimant, unlocked, locked);
    hashv(&[preimage.bytes()]).to_bytes()
}

/// A leaf's 53-byte preimage, written so that each field is one aligned store (the
/// claimant four): it starts 3 bytes into an 8-byte aligned buffer, which puts the
/// index at 4, the claimant at 8 and the amounts at 40 and 48. Hashed as one slice, it
/// costs the syscall 30 CU less than five.
#[repr(C, align(8))]
struct LeafPreimage {
    _pad: [u8; 3],
    prefix: u8,
    index: u32,
    claimant: [u64; 4],
    unlocked: u64,
    locked: u64,
}

impl LeafPreimage {
    #[inline(always)]
    fn new(index: u32, claimant: &Pubkey, unlocked: u64, locked: u64) -> Self {
        Self {
            _pad: [0; 3],
            prefix: LEAF_PREFIX,
            index: index.to_le(),
            claimant: bytes32::words(claimant.as_array()),
            unlocked: unlocked.to_le(),
            locked: locked.to_le(),
        }
    }

    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        // SAFETY: `repr(C)` without implicit padding (offsets 0, 3, 4, 8, 40, 48; size
        // 56), every byte initialized; bytes 3..56 are in bounds.
        unsafe { std::slice::from_raw_parts((self as *const Self).cast::<u8>().add(3), 53) }
    }
}

const _: () = assert!(std::mem::size_of::<LeafPreimage>() == 56);

/// `sha256(0x01 || left || right)`.
#[inline]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    hashv(&[&[NODE_PREFIX][..], left, right]).to_bytes()
}

/// Folds `proof` (leaf level first) over `leaf` at position `index` and returns the root.
/// At level `k` the running node is the right child when bit `k` of `index` is 1.
#[inline]
pub fn root_from_proof(leaf: Hash, index: u32, proof: &[Hash]) -> Hash {
    *fold(leaf, index, proof).node()
}

/// Whether `proof` leads from `leaf` at `index` to `root`.
#[inline]
pub fn proof_leads_to(root: &Hash, leaf: Hash, index: u32, proof: &[Hash]) -> bool {
    bytes32::eq(fold(leaf, index, proof).node(), root)
}

/// Whether `proof` leads from the leaf `(index, claimant, unlocked, locked)` to `root`:
/// a claim's check. The leaf is hashed straight into the running node of the fold (on
/// SBF the syscall writes it there: no copy).
#[inline(always)]
pub fn leaf_leads_to(
    root: &Hash,
    (index, claimant, unlocked, locked): (u32, &Pubkey, u64, u64),
    proof: &[Hash],
) -> bool {
    let preimage = LeafPreimage::new(index, claimant, unlocked, locked);
    let mut running = PrefixedNode {
        _pad: [0; 7],
        bytes: [NODE_PREFIX; 33],
    };
    let node: &mut Hash = (&mut running.bytes[1..]).try_into().expect("32 bytes");
    hash_into(preimage.bytes(), node);
    hash_up(&mut running.bytes, index, proof);
    bytes32::eq(running.node(), root)
}

/// `*out = sha256(bytes)`: on SBF, one syscall that writes `out`.
#[cfg(target_os = "solana")]
#[inline(always)]
fn hash_into(bytes: &[u8], out: &mut Hash) {
    let vals = [VmSlice(bytes.as_ptr(), bytes.len() as u64)];
    // SAFETY: one readable slice and a writable 32-byte result that does not overlap it.
    unsafe {
        solana_define_syscall::definitions::sol_sha256(vals.as_ptr().cast(), 1, out.as_mut_ptr())
    };
}

#[cfg(not(target_os = "solana"))]
#[inline]
fn hash_into(bytes: &[u8], out: &mut Hash) {
    *out = hashv(&[bytes]).to_bytes();
}

/// The layout of a `&[u8]` the SBF syscalls read (address, length).
#[cfg(target_os = "solana")]
#[repr(C)]
struct VmSlice(*const u8, u64);

/// The running node of a fold, right after a `NODE_PREFIX` byte and 8-byte aligned.
///
/// On SBF each level is one `sol_sha256` call that reads the sibling where it lies in
/// the instruction data and writes the parent over the running node: no copy and no
/// allocation per level. With the prefix just before the node, a left child hashes as
/// two slices (`prefix || node`, `sibling`), which the syscall charges 10 CU less than
/// three; the alignment makes the final compare with the root four `u64` compares.
#[repr(C, align(8))]
struct PrefixedNode {
    _pad: [u8; 7],
    /// `[NODE_PREFIX, node..]`: starts at offset 7, so the node starts at offset 8.
    bytes: [u8; 33],
}

impl PrefixedNode {
    fn node(&self) -> &Hash {
        self.bytes[1..].try_into().expect("32 bytes")
    }
}

#[inline(always)]
fn fold(leaf: Hash, index: u32, proof: &[Hash]) -> PrefixedNode {
    let mut running = PrefixedNode {
        _pad: [0; 7],
        bytes: [NODE_PREFIX; 33],
    };
    running.bytes[1..].copy_from_slice(&leaf);
    hash_up(&mut running.bytes, index, proof);
    running
}

/// With `node = prefixed_node[1..]`, for each sibling from the leaf level up:
/// `node = node_hash(sibling, node)` when the path bit is 1 (the node is the right
/// child), else `node_hash(node, sibling)`.
///
/// The syscall's two argument lists are built once: a level only stores its sibling's
/// address in the list it uses.
#[cfg(target_os = "solana")]
#[inline(always)]
fn hash_up(prefixed_node: &mut [u8; 33], index: u32, proof: &[Hash]) {
    let prefix = prefixed_node.as_mut_ptr();
    // SAFETY: in bounds of the 33-byte array.
    let node = unsafe { prefix.add(1) };
    let mut right = [
        VmSlice(prefix.cast_const(), 1),
        VmSlice(core::ptr::null(), 32),
        VmSlice(node.cast_const(), 32),
    ];
    let mut left = [
        VmSlice(prefix.cast_const(), 33),
        VmSlice(core::ptr::null(), 32),
    ];
    let mut path = index;
    for sibling in proof {
        let (vals, count) = if path & 1 == 1 {
            right[1].0 = sibling.as_ptr();
            (right.as_ptr(), 3)
        } else {
            left[1].0 = sibling.as_ptr();
            (left.as_ptr(), 2)
        };
        // SAFETY: `count` readable slices and a writable 32-byte result. The runtime
        // hashes every input before it writes the result, so the result may overlap an
        // input; no Rust reference to the node is alive during the call.
        unsafe { solana_define_syscall::definitions::sol_sha256(vals.cast(), count, node) };
        path >>= 1;
    }
}

#[cfg(not(target_os = "solana"))]
#[inline]
fn hash_up(prefixed_node: &mut [u8; 33], index: u32, proof: &[Hash]) {
    let node: &mut Hash = (&mut prefixed_node[1..]).try_into().expect("32 bytes");
    let mut path = index;
    for sibling in proof {
        *node = if path & 1 == 1 {
            node_hash(sibling, node)
        } else {
            node_hash(node, sibling)
        };
        path >>= 1;
    }
}

/// The depth protocol.md §1 requires for `num_leaves`: the smallest `d` with `2^d >= num_leaves`.
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
        assert!(proof_leads_to(&root, a, 0, &[b]));
        assert!(proof_leads_to(&root, b, 1, &[a]));
        assert!(!proof_leads_to(&root, a, 1, &[b]));
        assert!(!proof_leads_to(&root, a, 0, &[a]));
    }

    #[test]
    fn a_leaf_leads_to_the_root_its_hash_and_proof_fold_to() {
        let claimant = Pubkey::new_from_array([3; 32]);
        let proof = [[7u8; 32], [8u8; 32], [9u8; 32]];
        for index in [0u32, 5, 6] {
            let root = root_from_proof(leaf_hash(index, &claimant, 10, 20), index, &proof);
            assert!(leaf_leads_to(&root, (index, &claimant, 10, 20), &proof));
            assert!(!leaf_leads_to(&root, (index, &claimant, 11, 20), &proof));
            assert!(!leaf_leads_to(
                &root,
                (index ^ 1, &claimant, 10, 20),
                &proof
            ));
            assert!(!leaf_leads_to(
                &root,
                (index, &claimant, 10, 20),
                &proof[..2]
            ));
        }
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
