//! From an address to a verified leaf and proof, with no server: the reading side of
//! the drop folder, [`crate::drop::read`], under its historical path.

pub use crate::drop::read::{
    Claimable, LocalDir, Lookup, PageSource, VerifiedPage, find_in_list, lookup, lookup_in_leaves,
};
