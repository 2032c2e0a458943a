//! Proof pages: `pages/<p>.bin`, one small binary file per `2^page_bits` leaves.
//!
//! A page carries its leaves and the sibling hashes between its subtree and its shard's
//! root, so a client rebuilds the in-page path itself and one file serves every
//! claimant in it; the shard roots come from the manifest (and the chain). A page lies
//! in one shard (`page_bits <= shard_bits`).
//! Layout (version 2, little-endian; FORMAT.md is the reference):
//!
//! ```text
//! offset  size  field
//!      0     4  magic "FGPG"
//!      4     1  version = 2
//!      5     1  page_bits
//!      6     1  depth of the whole tree
//!      7     1  shard_bits
//!      8     4  page index p (u32)
//!     12     4  first_index = p << page_bits (u32)
//!     16     4  leaf_count = min(2^page_bits, num_leaves - first_index) (u32)
//!     20     4  num_leaves of the whole tree (u32)
//!     24    32  root of the page's shard
//!     56  48*m  leaves: claimant (32) | unlocked (u64) | locked (u64)
//!  56+48m 32*u  upper siblings, u = min(shard_bits, depth) - min(page_bits, depth),
//!               lowest level (min(page_bits, depth)) first
//! ```

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::{Hash, depth_for, root_from_proof};

use floodgate::constants::MAX_SHARD_BITS;

use super::{MAX_PAGE_BITS, page_count_for, read_u32};
use crate::{
    allocation::Allocation,
    error::Corruption,
    tree::{build_levels, path},
};

/// Magic bytes at the start of a page file.
pub const PAGE_MAGIC: [u8; 4] = *b"FGPG";
/// The page format version this crate writes and reads.
pub const PAGE_VERSION: u8 = 2;
/// Bytes before the first leaf record.
pub const PAGE_HEADER_LEN: usize = 56;
/// Bytes per leaf record: claimant, unlocked, locked.
pub const LEAF_RECORD_LEN: usize = 48;

/// The path of page `p` inside a drop folder: `pages/<p>.bin`, `p` in decimal.
pub fn page_path(page: u32) -> String {
    format!("pages/{page}.bin")
}

/// A decoded page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Page index `p`.
    pub page_index: u32,
    /// `log2` of the leaves per page.
    pub page_bits: u8,
    /// Depth of the whole tree.
    pub depth: u8,
    /// `log2` of the leaves per shard (at least `page_bits`).
    pub shard_bits: u8,
    /// Leaves in the whole tree.
    pub num_leaves: u32,
    /// Root of the page's shard, as the writer saw it.
    pub shard_root: Hash,
    /// The page's leaves; leaf `j` has index `first_index() + j`.
    pub leaves: Vec<Allocation>,
    /// Siblings between the page's subtree and its shard's root, from level
    /// `subtree_height()` up.
    pub upper: Vec<Hash>,
}

impl Page {
    /// Index of the page's first leaf, `page_index << page_bits`.
    pub fn first_index(&self) -> u32 {
        self.page_index << self.page_bits
    }

    /// Height of the subtree a page covers: `min(page_bits, depth)`.
    pub fn subtree_height(&self) -> u8 {
        self.page_bits.min(self.depth)
    }

    /// The shard the page lies in.
    pub fn shard_index(&self) -> u32 {
        self.first_index() >> self.shard_bits
    }

    /// Encodes the page (version 2).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        encode_into(
            &mut out,
            PageHeader {
                page_index: self.page_index,
                page_bits: self.page_bits,
                depth: self.depth,
                shard_bits: self.shard_bits,
                num_leaves: self.num_leaves,
                shard_root: self.shard_root,
            },
            &self.leaves,
            &self.upper,
        );
        out
    }

    /// Decodes and validates a page: magic, version, header consistency, exact length.
    pub fn decode(bytes: &[u8]) -> Result<Self, Corruption> {
        if bytes.len() < PAGE_HEADER_LEN {
            return Err(Corruption::Length {
                expected: PAGE_HEADER_LEN as u64,
                found: bytes.len() as u64,
            });
        }
        if bytes[0..4] != PAGE_MAGIC {
            return Err(Corruption::BadMagic { expected: "page" });
        }
        if bytes[4] != PAGE_VERSION {
            return Err(Corruption::UnsupportedVersion {
                found: u32::from(bytes[4]),
                supported: u32::from(PAGE_VERSION),
            });
        }
        let (page_bits, depth, shard_bits) = (bytes[5], bytes[6], bytes[7]);
        let page_index = read_u32(bytes, 8);
        let first_index = read_u32(bytes, 12);
        let leaf_count = read_u32(bytes, 16);
        let num_leaves = read_u32(bytes, 20);
        let shard_root: Hash = bytes[24..56].try_into().unwrap_or_default();

        if shard_bits > MAX_SHARD_BITS {
            return Err(mismatch(
                "shard_bits",
                format!("<= {MAX_SHARD_BITS}"),
                shard_bits,
            ));
        }
        if page_bits > MAX_PAGE_BITS.min(shard_bits) {
            return Err(mismatch(
                "page_bits",
                format!("<= shard_bits ({shard_bits})"),
                page_bits,
            ));
        }
        let expected_depth =
            depth_for(num_leaves).ok_or_else(|| mismatch("num_leaves", ">= 1", 0))?;
        check("depth", expected_depth, depth)?;
        let upper_count = shard_bits.min(depth) - page_bits.min(depth);
        let first = u64::from(page_index) << page_bits;
        check("first_index", first, u64::from(first_index))?;
        if first >= u64::from(num_leaves) {
            return Err(mismatch(
                "page index",
                format!("< {}", page_count_for(num_leaves, page_bits)),
                page_index,
            ));
        }
        let expected_count = (u64::from(num_leaves) - first).min(1 << page_bits);
        check("leaf_count", expected_count, u64::from(leaf_count))?;

        let leaves_len = leaf_count as usize * LEAF_RECORD_LEN;
        let expected_len = PAGE_HEADER_LEN + leaves_len + usize::from(upper_count) * 32;
        if bytes.len() != expected_len {
            return Err(Corruption::Length {
                expected: expected_len as u64,
                found: bytes.len() as u64,
            });
        }
        let body = &bytes[PAGE_HEADER_LEN..];
        let leaves = body[..leaves_len]
            .as_chunks::<LEAF_RECORD_LEN>()
            .0
            .iter()
            .map(|r| {
                let claimant: [u8; 32] = r[..32].try_into().unwrap_or_default();
                Allocation::new(
                    Pubkey::new_from_array(claimant),
                    u64::from_le_bytes(r[32..40].try_into().unwrap_or_default()),
                    u64::from_le_bytes(r[40..48].try_into().unwrap_or_default()),
                )
            })
            .collect();
        let upper = body[leaves_len..].as_chunks::<32>().0.to_vec();
        Ok(Self {
            page_index,
            page_bits,
            depth,
            shard_bits,
            num_leaves,
            shard_root,
            leaves,
            upper,
        })
    }

    /// Rebuilds the in-page subtree (padding the right edge with `EMPTY`) and folds the
    /// upper siblings over it. The result is the shard root this page proves; a client
    /// compares it with the manifest's (which hash up to the root) and the chain's.
    pub fn rebuild(&self) -> PageTree {
        let first = self.first_index();
        let hashes = self
            .leaves
            .iter()
            .enumerate()
            .map(|(j, a)| a.leaf_hash(first + j as u32))
            .collect();
        let levels = build_levels(hashes, self.subtree_height());
        let subtree_root = levels[levels.len() - 1][0];
        // Above the subtree, the bits of the leaf index are the bits of the page index.
        let shard_root = root_from_proof(subtree_root, self.page_index, &self.upper);
        PageTree { levels, shard_root }
    }
}

/// A page's rebuilt subtree.
#[derive(Debug, Clone)]
pub struct PageTree {
    levels: Vec<Vec<Hash>>,
    shard_root: Hash,
}

impl PageTree {
    /// The root of the page's shard as proven by the page.
    pub fn shard_root(&self) -> Hash {
        self.shard_root
    }

    /// The claim proof of the page's `j`-th leaf (up to its shard's root): in-page path,
    /// then the upper siblings.
    pub fn proof(&self, page: &Page, j: usize) -> Vec<Hash> {
        let mut proof = path(&self.levels, j as u32, 0);
        proof.extend_from_slice(&page.upper);
        proof
    }
}

/// Header fields of a page, for [`encode_into`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageHeader {
    pub page_index: u32,
    pub page_bits: u8,
    pub depth: u8,
    pub shard_bits: u8,
    pub num_leaves: u32,
    pub shard_root: Hash,
}

/// Appends the encoding of a page to `out`.
pub(crate) fn encode_into(out: &mut Vec<u8>, h: PageHeader, leaves: &[Allocation], upper: &[Hash]) {
    out.reserve(PAGE_HEADER_LEN + leaves.len() * LEAF_RECORD_LEN + upper.len() * 32);
    out.extend_from_slice(&PAGE_MAGIC);
    out.push(PAGE_VERSION);
    out.push(h.page_bits);
    out.push(h.depth);
    out.push(h.shard_bits);
    out.extend_from_slice(&h.page_index.to_le_bytes());
    out.extend_from_slice(&(h.page_index << h.page_bits).to_le_bytes());
    out.extend_from_slice(&(leaves.len() as u32).to_le_bytes());
    out.extend_from_slice(&h.num_leaves.to_le_bytes());
    out.extend_from_slice(&h.shard_root);
    for a in leaves {
        out.extend_from_slice(a.claimant.as_ref());
        out.extend_from_slice(&a.unlocked.to_le_bytes());
        out.extend_from_slice(&a.locked.to_le_bytes());
    }
    for hash in upper {
        out.extend_from_slice(hash);
    }
}

fn mismatch(field: &'static str, expected: impl ToString, found: impl ToString) -> Corruption {
    Corruption::Mismatch {
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

fn check<T: PartialEq + ToString>(
    field: &'static str,
    expected: T,
    found: T,
) -> Result<(), Corruption> {
    if expected == found {
        Ok(())
    } else {
        Err(mismatch(field, expected, found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MerkleTree;

    fn list(n: usize) -> Vec<Allocation> {
        (0..n)
            .map(|i| Allocation::new(Pubkey::new_from_array([i as u8 + 1; 32]), i as u64 + 1, 2))
            .collect()
    }

    fn pages_of(list: &[Allocation], page_bits: u8, shard_bits: u8) -> (MerkleTree, Vec<Page>) {
        let tree = MerkleTree::build(list).unwrap();
        let h = page_bits.min(tree.depth());
        let shard_roots = tree.shard_roots(shard_bits);
        let pages = list
            .chunks(1 << page_bits)
            .enumerate()
            .map(|(p, leaves)| {
                let first = (p << page_bits) as u32;
                let mut upper = tree.proof_from_level(first, h).unwrap();
                upper.truncate(usize::from(tree.shard_height(shard_bits) - h));
                Page {
                    page_index: p as u32,
                    page_bits,
                    depth: tree.depth(),
                    shard_bits,
                    num_leaves: list.len() as u32,
                    shard_root: shard_roots[(first >> shard_bits) as usize],
                    leaves: leaves.to_vec(),
                    upper,
                }
            })
            .collect();
        (tree, pages)
    }

    #[test]
    fn pages_rebuild_every_claim_proof() {
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 100] {
            for (page_bits, shard_bits) in [(0, 0), (0, 2), (1, 1), (2, 3), (3, 9), (9, 9)] {
                let (tree, pages) = pages_of(&list(n), page_bits, shard_bits);
                for page in &pages {
                    let bytes = page.encode();
                    let decoded = Page::decode(&bytes).unwrap();
                    assert_eq!(&decoded, page);
                    let rebuilt = decoded.rebuild();
                    let shard_root = tree.shard_roots(shard_bits)[page.shard_index() as usize];
                    assert_eq!(rebuilt.shard_root(), shard_root, "n {n} bits {page_bits}");
                    for j in 0..page.leaves.len() {
                        let index = page.first_index() + j as u32;
                        let proof = tree.claim_proof(index, shard_bits).unwrap();
                        assert_eq!(rebuilt.proof(page, j), proof);
                    }
                }
            }
        }
    }

    #[test]
    fn corrupt_pages_are_rejected() {
        let (_, pages) = pages_of(&list(5), 1, 2);
        let good = pages[2].encode();
        assert_eq!(good.len(), PAGE_HEADER_LEN + LEAF_RECORD_LEN + 32);
        assert_eq!(
            Page::decode(&good[..10]),
            Err(Corruption::Length {
                expected: 56,
                found: 10
            })
        );
        assert_eq!(
            Page::decode(&good[..good.len() - 1]),
            Err(Corruption::Length {
                expected: good.len() as u64,
                found: good.len() as u64 - 1
            })
        );
        let mut longer = good.clone();
        longer.push(0);
        assert!(matches!(
            Page::decode(&longer),
            Err(Corruption::Length { .. })
        ));
        let edit = |at: usize, value: u8| {
            let mut bad = good.clone();
            bad[at] = value;
            Page::decode(&bad)
        };
        assert_eq!(
            edit(0, b'X'),
            Err(Corruption::BadMagic { expected: "page" })
        );
        assert_eq!(
            edit(4, 1),
            Err(Corruption::UnsupportedVersion {
                found: 1,
                supported: 2
            })
        );
        let field = |r: Result<Page, Corruption>| match r {
            Err(Corruption::Mismatch { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(edit(5, 17)), "page_bits");
        assert_eq!(field(edit(5, 3)), "page_bits"); // above shard_bits
        assert_eq!(field(edit(6, 4)), "depth");
        assert_eq!(field(edit(7, 17)), "shard_bits");
        assert_eq!(field(edit(7, 0)), "page_bits");
        // One more shard bit: one more upper sibling than the file holds.
        assert!(matches!(edit(7, 3), Err(Corruption::Length { .. })));
        assert_eq!(field(edit(8, 0)), "first_index");
        assert_eq!(field(edit(16, 2)), "leaf_count");
        assert_eq!(field(edit(20, 0)), "num_leaves");
        let mut far = good.clone();
        far[8..12].copy_from_slice(&3u32.to_le_bytes());
        far[12..16].copy_from_slice(&6u32.to_le_bytes());
        assert_eq!(field(Page::decode(&far)), "page index");
        assert!(Page::decode(&[]).is_err());
    }
}
