//! The drop folder (protocol.md §2): everything a creator publishes, nothing that needs a server.
//!
//! ```text
//! <dir>/manifest.json   what the drop is (manifest.rs)
//! <dir>/leaves.csv      canonical leaf list, so anyone can rebuild the root (leaves.rs)
//! <dir>/pages/<p>.bin   proof pages, 2^page_bits leaves each (page.rs)
//! <dir>/pages/index     first claimant of every page (index.rs)
//! ```
//!
//! The byte layouts are specified in `app/client/FORMAT.md`. Reading (`read.rs`: page
//! sources, lookups, the audit, [`DropFolder`]) and writing (`write.rs`: staging and
//! atomic writes) each build on the formats, and neither on the other's callers.

pub mod index;
pub mod leaves;
pub mod manifest;
pub mod page;
pub mod read;
pub mod write;

pub(crate) use self::write::write_atomic;
pub use self::{
    index::{INDEX_PATH, PageIndex},
    leaves::{LEAVES_FILE, LEAVES_HEADER, parse_leaves, write_leaves},
    manifest::{FORMAT_VERSION, MANIFEST_FILE, Manifest, ShardInfo},
    page::{Page, PageTree, page_path},
    read::DropFolder,
    write::{DropParams, PageShape, default_page_bits, encode_page, page_index_of, write_pages},
};

/// Default `page_bits`: 512 leaves (about 24 KiB) per page.
pub const DEFAULT_PAGE_BITS: u8 = 9;
/// Largest `page_bits`: 65,536 leaves (3 MiB) per page.
pub const MAX_PAGE_BITS: u8 = 16;

/// Number of pages of `num_leaves` leaves with `2^page_bits` leaves each.
pub fn page_count_for(num_leaves: u32, page_bits: u8) -> u32 {
    u64::from(num_leaves).div_ceil(1u64 << page_bits) as u32
}

pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut le = [0u8; 4];
    if let Some(b) = at.checked_add(4).and_then(|end| bytes.get(at..end)) {
        le.copy_from_slice(b);
    }
    u32::from_le_bytes(le)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_counts() {
        assert_eq!(page_count_for(1, 9), 1);
        assert_eq!(page_count_for(512, 9), 1);
        assert_eq!(page_count_for(513, 9), 2);
        assert_eq!(page_count_for(u32::MAX, 0), u32::MAX);
        assert_eq!(page_count_for(u32::MAX, 16), 65_536);
    }

    #[test]
    fn read_u32_never_panics() {
        assert_eq!(read_u32(&[1, 0, 0, 0, 9], 0), 1);
        assert_eq!(read_u32(&[1, 2], 0), 0);
        assert_eq!(read_u32(&[], usize::MAX - 1), 0);
    }
}
