//! Integration tests of the client: checked-in fixtures, drop folders, CSV input and
//! properties of the tree.
//!
//! One test binary rather than one per file: each binary links the whole dependency tree
//! (the bank, the token programs), so one per file multiplied the link time and the disk.

mod common;

mod csv;
mod drop_folder;
mod fixtures;
mod properties;
