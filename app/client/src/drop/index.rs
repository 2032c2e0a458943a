//! `pages/index`: each page's first claimant, to find an address's page by binary search.
//!
//! Canonical order sorts leaves by claimant bytes, so the page of address `A` is the last
//! page whose first claimant is `<= A`. Layout (version 1, little-endian):
//!
//! ```text
//! offset  size  field
//!      0     4  magic "FGIX"
//!      4     1  version = 1
//!      5     1  page_bits
//!      6     2  reserved, zero
//!      8     4  page_count (u32)
//!     12     4  num_leaves (u32)
//!     16    32  root of the whole tree
//!     48  32*c  first claimant of each page, in page order
//! ```

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::Hash;

use super::{MAX_PAGE_BITS, page_count_for, read_u32};
use crate::error::Corruption;

/// Path of the page index inside a drop folder.
pub const INDEX_PATH: &str = "pages/index";
/// Magic bytes at the start of the page index.
pub const INDEX_MAGIC: [u8; 4] = *b"FGIX";
/// The index format version this crate writes and reads.
pub const INDEX_VERSION: u8 = 1;
/// Bytes before the first claimant.
pub const INDEX_HEADER_LEN: usize = 48;

/// The decoded page index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageIndex {
    /// `log2` of the leaves per page.
    pub page_bits: u8,
    /// Leaves in the whole tree.
    pub num_leaves: u32,
    /// Root of the whole tree.
    pub root: Hash,
    /// First claimant of each page, strictly ascending.
    pub first_claimants: Vec<Pubkey>,
}

impl PageIndex {
    /// Number of pages.
    pub fn page_count(&self) -> u32 {
        self.first_claimants.len() as u32
    }

    /// The only page that can hold `claimant`: the last page whose first claimant is
    /// `<= claimant`. `None` when `claimant` sorts before every leaf.
    pub fn page_of(&self, claimant: &Pubkey) -> Option<u32> {
        let after = self
            .first_claimants
            .partition_point(|first| first.as_ref() <= claimant.as_ref());
        after.checked_sub(1).map(|p| p as u32)
    }

    /// Encodes the index (version 1).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(INDEX_HEADER_LEN + 32 * self.first_claimants.len());
        out.extend_from_slice(&INDEX_MAGIC);
        out.push(INDEX_VERSION);
        out.push(self.page_bits);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.page_count().to_le_bytes());
        out.extend_from_slice(&self.num_leaves.to_le_bytes());
        out.extend_from_slice(&self.root);
        for claimant in &self.first_claimants {
            out.extend_from_slice(claimant.as_ref());
        }
        out
    }

    /// Decodes and validates an index: magic, version, page count, exact length and
    /// strictly ascending claimants.
    pub fn decode(bytes: &[u8]) -> Result<Self, Corruption> {
        if bytes.len() < INDEX_HEADER_LEN {
            return Err(Corruption::Length {
                expected: INDEX_HEADER_LEN as u64,
                found: bytes.len() as u64,
            });
        }
        if bytes[0..4] != INDEX_MAGIC {
            return Err(Corruption::BadMagic {
                expected: "page index",
            });
        }
        if bytes[4] != INDEX_VERSION {
            return Err(Corruption::UnsupportedVersion {
                found: u32::from(bytes[4]),
                supported: u32::from(INDEX_VERSION),
            });
        }
        let page_bits = bytes[5];
        if page_bits > MAX_PAGE_BITS {
            return Err(mismatch(
                "page_bits",
                format!("<= {MAX_PAGE_BITS}"),
                page_bits,
            ));
        }
        if bytes[6..8] != [0, 0] {
            return Err(mismatch(
                "reserved bytes",
                "0",
                u16::from_le_bytes([bytes[6], bytes[7]]),
            ));
        }
        let page_count = read_u32(bytes, 8);
        let num_leaves = read_u32(bytes, 12);
        if num_leaves == 0 {
            return Err(mismatch("num_leaves", ">= 1", 0));
        }
        let expected_pages = page_count_for(num_leaves, page_bits);
        if page_count != expected_pages {
            return Err(mismatch("page_count", expected_pages, page_count));
        }
        let expected_len = INDEX_HEADER_LEN as u64 + 32 * u64::from(page_count);
        if bytes.len() as u64 != expected_len {
            return Err(Corruption::Length {
                expected: expected_len,
                found: bytes.len() as u64,
            });
        }
        let root: Hash = bytes[16..48].try_into().unwrap_or_default();
        let first_claimants: Vec<Pubkey> = bytes[INDEX_HEADER_LEN..]
            .as_chunks::<32>()
            .0
            .iter()
            .map(|c| Pubkey::new_from_array(*c))
            .collect();
        if let Some(p) = first_claimants
            .windows(2)
            .position(|w| w[0].as_ref() >= w[1].as_ref())
        {
            return Err(mismatch(
                "first claimants order",
                "strictly ascending",
                format!("not ascending at page {}", p + 1),
            ));
        }
        Ok(Self {
            page_bits,
            num_leaves,
            root,
            first_claimants,
        })
    }
}

fn mismatch(field: &'static str, expected: impl ToString, found: impl ToString) -> Corruption {
    Corruption::Mismatch {
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Pubkey {
        Pubkey::new_from_array([b; 32])
    }

    fn sample() -> PageIndex {
        PageIndex {
            page_bits: 2,
            num_leaves: 9,
            root: [7; 32],
            first_claimants: vec![key(10), key(20), key(30)],
        }
    }

    #[test]
    fn round_trip_and_search() {
        let index = sample();
        let bytes = index.encode();
        assert_eq!(bytes.len(), 48 + 96);
        assert_eq!(PageIndex::decode(&bytes).unwrap(), index);
        assert_eq!(index.page_of(&key(9)), None);
        assert_eq!(index.page_of(&key(10)), Some(0));
        assert_eq!(index.page_of(&key(19)), Some(0));
        assert_eq!(index.page_of(&key(20)), Some(1));
        assert_eq!(index.page_of(&key(255)), Some(2));
    }

    #[test]
    fn corrupt_indexes_are_rejected() {
        let good = sample().encode();
        assert_eq!(
            PageIndex::decode(&good[..47]),
            Err(Corruption::Length {
                expected: 48,
                found: 47
            })
        );
        assert_eq!(
            PageIndex::decode(&good[..good.len() - 32]),
            Err(Corruption::Length {
                expected: 144,
                found: 112
            })
        );
        let edit = |at: usize, value: u8| {
            let mut bad = good.clone();
            bad[at] = value;
            PageIndex::decode(&bad)
        };
        assert_eq!(
            edit(3, 0),
            Err(Corruption::BadMagic {
                expected: "page index"
            })
        );
        assert_eq!(
            edit(4, 9),
            Err(Corruption::UnsupportedVersion {
                found: 9,
                supported: 1
            })
        );
        let field = |r: Result<PageIndex, Corruption>| match r {
            Err(Corruption::Mismatch { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(edit(5, 40)), "page_bits");
        assert_eq!(field(edit(6, 1)), "reserved bytes");
        assert_eq!(field(edit(8, 4)), "page_count");
        assert_eq!(field(edit(12, 0)), "num_leaves");
        assert_eq!(field(edit(48 + 32, 5)), "first claimants order");
    }
}
