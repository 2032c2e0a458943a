//! Reading a drop folder: from an address to a verified leaf and proof, with no server;
//! the full audit of a published folder ([`Lookup::verify`]); and [`DropFolder`], a
//! folder on this machine.
//!
//! With a drop folder: read `manifest.json` and `pages/index`, binary-search the page of
//! the address, fetch that one page, rebuild its subtree, check that it reaches its
//! shard's root in the manifest (whose shard roots hash up to the manifest root), then
//! search the page. The page is authenticated as a whole, so "no
//! allocation" is an authenticated answer too (when the address sorts after the page's
//! last leaf, the next page is checked as well). Files are fetched through
//! [`PageSource`], so a CLI can add an HTTP source next to [`LocalDir`].
//!
//! With only the canonical leaves file: rebuild the whole tree ([`lookup_in_leaves`]).
//!
//! The roots in [`Claimable`] are the manifest's (or the rebuilt) ones: compare them
//! with the distributor's and the shard's on-chain roots before sending a claim.

use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::{Hash, root_from_proof};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{
    INDEX_PATH, MANIFEST_FILE, Manifest, Page, PageIndex, PageTree,
    leaves::parse_leaves,
    page_path,
    write::{DropParams, PageShape, encode_page, page_index_of},
};
use crate::{
    allocation::{Allocation, totals},
    error::{ClientError, Corruption},
    tree::MerkleTree,
};

/// Where the files of a drop folder come from.
pub trait PageSource {
    /// The bytes of the file at `relative_path` inside the drop folder
    /// (`manifest.json`, `pages/index`, `pages/12.bin`, `leaves.csv`); `/`-separated.
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, ClientError>;
}

impl<T: PageSource + ?Sized> PageSource for &T {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, ClientError> {
        (**self).read(relative_path)
    }
}

impl<T: PageSource + ?Sized> PageSource for Box<T> {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, ClientError> {
        (**self).read(relative_path)
    }
}

/// A drop folder held in memory, by relative path (fetched earlier, or built by a test).
impl PageSource for std::collections::HashMap<String, Vec<u8>> {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, ClientError> {
        self.get(relative_path)
            .cloned()
            .ok_or_else(|| ClientError::Io {
                path: relative_path.into(),
                source: std::io::ErrorKind::NotFound.into(),
            })
    }
}

/// A drop folder on the local file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    /// A source reading from the folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl PageSource for LocalDir {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, ClientError> {
        let path = self.root.join(relative_path);
        std::fs::read(&path).map_err(|e| ClientError::io(path, e))
    }
}

/// Everything a claim needs: the proof leads to `shard_root`, which is the node of
/// `root` at the shard's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimable {
    /// Leaf index (the claim bitmap bit).
    pub index: u32,
    /// The claimant.
    pub claimant: Pubkey,
    /// Paid at claim time.
    pub unlocked: u64,
    /// Vests.
    pub locked: u64,
    /// The claim's proof: exactly `min(shard_bits, depth)` siblings, leaf level first,
    /// up to the root of the leaf's shard.
    pub proof: Vec<Hash>,
    /// The root of the leaf's shard, which the proof leads to.
    pub shard_root: Hash,
    /// The tree's root, which the shard root was verified against.
    pub root: Hash,
}

impl Claimable {
    /// The allocation of this leaf.
    pub fn allocation(&self) -> Allocation {
        Allocation::new(self.claimant, self.unlocked, self.locked)
    }

    /// Re-checks the proof against `shard_root` (e.g. the shard's on-chain root): what
    /// the program checks.
    pub fn verify_against(&self, shard_root: &Hash) -> bool {
        MerkleTree::verify(self.index, &self.allocation(), &self.proof, shard_root)
    }
}

/// A page that reached its shard's root in the manifest, with its rebuilt subtree.
#[derive(Debug, Clone)]
pub struct VerifiedPage {
    page: Page,
    tree: PageTree,
    /// The manifest root, which the page's shard root hashes up to.
    root: Hash,
}

impl VerifiedPage {
    /// The decoded page.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// `Ok(j)` if the page holds `claimant` at position `j`, else where it would sort.
    pub fn position(&self, claimant: &Pubkey) -> Result<usize, usize> {
        self.page
            .leaves
            .binary_search_by(|a| a.claimant.as_ref().cmp(claimant.as_ref()))
    }

    /// The claim data of the page's `j`-th leaf, `None` past the end of the page.
    pub fn claimable(&self, j: usize) -> Option<Claimable> {
        let a = self.page.leaves.get(j)?;
        Some(Claimable {
            index: self.page.first_index() + j as u32,
            claimant: a.claimant,
            unlocked: a.unlocked,
            locked: a.locked,
            proof: self.tree.proof(&self.page, j),
            shard_root: self.tree.shard_root(),
            root: self.root,
        })
    }
}

/// A drop folder opened through a [`PageSource`]: manifest and page index loaded and
/// cross-checked; pages are fetched on demand.
#[derive(Debug, Clone)]
pub struct Lookup<S> {
    source: S,
    manifest: Manifest,
    index: PageIndex,
}

impl<S: PageSource> Lookup<S> {
    /// Reads and validates `manifest.json` and `pages/index`.
    pub fn open(source: S) -> Result<Self, ClientError> {
        let manifest = Manifest::from_json(&source.read(MANIFEST_FILE)?)?;
        let index = PageIndex::decode(&source.read(INDEX_PATH)?)
            .map_err(|p| ClientError::corrupt(INDEX_PATH, p))?;
        let check = |field, expected: String, found: String| {
            if expected == found {
                Ok(())
            } else {
                Err(ClientError::corrupt(
                    INDEX_PATH,
                    Corruption::Mismatch {
                        field,
                        expected,
                        found,
                    },
                ))
            }
        };
        let m = &manifest;
        check(
            "page_bits",
            m.page_bits.to_string(),
            index.page_bits.to_string(),
        )?;
        check(
            "num_leaves",
            m.num_leaves.to_string(),
            index.num_leaves.to_string(),
        )?;
        check("root", hex::encode(m.root), hex::encode(index.root))?;
        check(
            "page_count",
            m.page_count.to_string(),
            index.page_count().to_string(),
        )?;
        Ok(Self {
            source,
            manifest,
            index,
        })
    }

    /// The page source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The validated manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub(crate) fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// The validated page index.
    pub fn index(&self) -> &PageIndex {
        &self.index
    }

    /// Fetches page `p`, checks its header against the manifest, rebuilds it and checks
    /// that it reaches its shard's root in the manifest, and checks its first leaf
    /// against the index.
    pub fn page(&self, p: u32) -> Result<VerifiedPage, ClientError> {
        let m = &self.manifest;
        if p >= m.page_count {
            return Err(ClientError::InvalidParameter {
                name: "page",
                value: u64::from(p),
                reason: "past the last page of the drop",
            });
        }
        let file = page_path(p);
        let page =
            Page::decode(&self.source.read(&file)?).map_err(|e| ClientError::corrupt(&file, e))?;
        let mismatch = |field, expected: String, found: String| {
            ClientError::corrupt(
                &file,
                Corruption::Mismatch {
                    field,
                    expected,
                    found,
                },
            )
        };
        for (field, expected, found) in [
            ("page index", u64::from(p), u64::from(page.page_index)),
            ("page_bits", m.page_bits.into(), page.page_bits.into()),
            ("shard_bits", m.shard_bits.into(), page.shard_bits.into()),
            ("num_leaves", m.num_leaves.into(), page.num_leaves.into()),
        ] {
            if expected != found {
                return Err(mismatch(field, expected.to_string(), found.to_string()));
            }
        }
        // The manifest's shard roots were checked against its root when it was read.
        let shard_root = m.shards[page.shard_index() as usize].root;
        let tree = page.rebuild();
        if tree.shard_root() != shard_root {
            return Err(ClientError::PageDoesNotVerify {
                file,
                computed: hex::encode(tree.shard_root()),
                expected: hex::encode(shard_root),
            });
        }
        if page.shard_root != shard_root {
            return Err(mismatch(
                "shard root",
                hex::encode(shard_root),
                hex::encode(page.shard_root),
            ));
        }
        if let Some(i) = page
            .leaves
            .windows(2)
            .position(|w| w[0].claimant.as_ref() >= w[1].claimant.as_ref())
        {
            let index = page.first_index() + i as u32 + 1;
            return Err(ClientError::corrupt(
                &file,
                Corruption::NotCanonical { index },
            ));
        }
        let listed = self.index.first_claimants[p as usize];
        if page.leaves[0].claimant != listed {
            return Err(ClientError::corrupt(
                INDEX_PATH,
                Corruption::Mismatch {
                    field: "first claimant of a page",
                    expected: format!("{} (page {p})", page.leaves[0].claimant),
                    found: listed.to_string(),
                },
            ));
        }
        Ok(VerifiedPage {
            page,
            tree,
            root: m.root,
        })
    }

    /// Finds `claimant`'s leaf and its verified proof.
    pub fn find(&self, claimant: &Pubkey) -> Result<Claimable, ClientError> {
        let p = self.index.page_of(claimant).unwrap_or(0);
        let page = self.page(p)?;
        match page.position(claimant) {
            Ok(j) => {
                let found = page.claimable(j).ok_or(ClientError::NoAllocation {
                    claimant: *claimant,
                })?;
                let shard_root = self.manifest.shards[page.page.shard_index() as usize].root;
                if found.proof.len() != usize::from(self.manifest.shard_height())
                    || !found.verify_against(&shard_root)
                {
                    return Err(ClientError::PageDoesNotVerify {
                        file: page_path(p),
                        computed: hex::encode(root_from_proof(
                            found.allocation().leaf_hash(found.index),
                            found.index,
                            &found.proof,
                        )),
                        expected: hex::encode(shard_root),
                    });
                }
                Ok(found)
            }
            Err(j) => {
                // Past the page's last leaf: the next page (verified, and checked against
                // the index) must start after the address, else the index is wrong.
                if j == page.page.leaves.len() && p + 1 < self.manifest.page_count {
                    let next = self.page(p + 1)?;
                    let last = page.page.leaves[j - 1].claimant;
                    if next.page.leaves[0].claimant.as_ref() <= last.as_ref() {
                        let index = next.page.first_index();
                        return Err(ClientError::corrupt(
                            page_path(p + 1),
                            Corruption::NotCanonical { index },
                        ));
                    }
                }
                Err(ClientError::NoAllocation {
                    claimant: *claimant,
                })
            }
        }
    }
}

/// Opens the drop folder `dir` and finds `claimant` in it.
pub fn lookup(dir: impl AsRef<Path>, claimant: &Pubkey) -> Result<Claimable, ClientError> {
    Lookup::open(LocalDir::new(dir.as_ref()))?.find(claimant)
}

/// Finds `claimant` using only a canonical leaves file (`leaves.csv`) and the drop's
/// `shard_bits`: parses it, rebuilds the whole tree and returns the leaf with its claim
/// proof, its shard's root and the rebuilt root.
pub fn lookup_in_leaves(
    leaves_file: impl AsRef<Path>,
    shard_bits: u8,
    claimant: &Pubkey,
) -> Result<Claimable, ClientError> {
    let path = leaves_file.as_ref();
    let bytes = std::fs::read(path).map_err(|e| ClientError::io(path, e))?;
    let allocations =
        parse_leaves(&bytes).map_err(|p| ClientError::corrupt(path.display().to_string(), p))?;
    let tree = MerkleTree::build(&allocations)?;
    find_in_list(&allocations, &tree, shard_bits, claimant)
}

/// Finds `claimant` in canonical `allocations` whose tree is `tree`, cut in shards of
/// `2^shard_bits` leaves.
pub fn find_in_list(
    allocations: &[Allocation],
    tree: &MerkleTree,
    shard_bits: u8,
    claimant: &Pubkey,
) -> Result<Claimable, ClientError> {
    let i = allocations
        .binary_search_by(|a| a.claimant.as_ref().cmp(claimant.as_ref()))
        .map_err(|_| ClientError::NoAllocation {
            claimant: *claimant,
        })?;
    let a = allocations[i];
    let index = i as u32;
    Ok(Claimable {
        index,
        claimant: a.claimant,
        unlocked: a.unlocked,
        locked: a.locked,
        proof: tree.claim_proof(index, shard_bits)?,
        shard_root: tree.shard_roots(shard_bits)[(index >> shard_bits) as usize],
        root: tree.root(),
    })
}

/// An opened drop folder on this machine: manifest and page index loaded and
/// cross-checked; written by [`DropFolder::write`].
#[derive(Debug, Clone)]
pub struct DropFolder {
    lookup: Lookup<LocalDir>,
}

impl DropFolder {
    /// Writes the drop folder of `allocations` (sorted into canonical order here if they
    /// are not) to `dir`, which must not exist or be empty. Returns the manifest
    /// (`distributor` unset) and the tree. See [`super::write::write_folder`]: all or nothing.
    pub fn write(
        dir: impl AsRef<Path>,
        allocations: &[Allocation],
        params: DropParams,
    ) -> Result<(Manifest, MerkleTree), ClientError> {
        super::write::write_folder(dir.as_ref(), allocations, params)
    }

    /// Opens the drop folder `dir`: reads and cross-checks the manifest and page index.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, ClientError> {
        Ok(Self {
            lookup: Lookup::open(LocalDir::new(dir.as_ref()))?,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        self.lookup.source().root()
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        self.lookup.manifest()
    }

    /// The page index.
    pub fn index(&self) -> &PageIndex {
        self.lookup.index()
    }

    /// The folder as a [`Lookup`] (for callers generic over [`PageSource`]).
    pub fn as_lookup(&self) -> &Lookup<LocalDir> {
        &self.lookup
    }

    /// Page `p`, verified against the manifest root.
    pub fn page(&self, p: u32) -> Result<VerifiedPage, ClientError> {
        self.lookup.page(p)
    }

    /// `claimant`'s leaf and verified proof.
    pub fn lookup(&self, claimant: &Pubkey) -> Result<Claimable, ClientError> {
        self.lookup.find(claimant)
    }

    /// Records the distributor address in the manifest and saves it atomically.
    pub fn set_distributor(&mut self, distributor: Pubkey) -> Result<(), ClientError> {
        let mut manifest = self.manifest().clone();
        manifest.set_distributor(distributor);
        manifest.save(self.dir())?;
        *self.lookup.manifest_mut() = manifest;
        Ok(())
    }

    /// Reads the leaves file, checks its SHA-256 against the manifest and parses it.
    pub fn read_leaves(&self) -> Result<Vec<Allocation>, ClientError> {
        self.lookup.read_leaves()
    }

    /// Rebuilds the tree from the leaves file and checks the root, the shard roots and
    /// every total of the manifest against it.
    pub fn rebuild_tree(&self) -> Result<(Vec<Allocation>, MerkleTree), ClientError> {
        self.lookup.rebuild_tree()
    }

    /// Full audit (see [`Lookup::verify`]).
    pub fn verify(&self) -> Result<MerkleTree, ClientError> {
        self.lookup.verify()
    }
}

/// The audit of a published drop, through any [`PageSource`]: a local folder, or the
/// files claimants download from its host.
impl<S: PageSource + Sync> Lookup<S> {
    /// Reads the leaves file, checks its SHA-256 against the manifest and parses it.
    pub fn read_leaves(&self) -> Result<Vec<Allocation>, ClientError> {
        let m = self.manifest();
        let bytes = self.source().read(&m.leaves_file)?;
        let corrupt = |p| ClientError::corrupt(&m.leaves_file, p);
        let sha: [u8; 32] = Sha256::digest(&bytes).into();
        if sha != m.leaves_sha256 {
            return Err(corrupt(Corruption::Mismatch {
                field: "sha256",
                expected: hex::encode(m.leaves_sha256),
                found: hex::encode(sha),
            }));
        }
        let allocations = parse_leaves(&bytes).map_err(corrupt)?;
        if allocations.len() != m.num_leaves as usize {
            return Err(corrupt(Corruption::Mismatch {
                field: "number of leaves",
                expected: m.num_leaves.to_string(),
                found: allocations.len().to_string(),
            }));
        }
        Ok(allocations)
    }

    /// Rebuilds the tree from the leaves file and checks the root and every total of the
    /// manifest against it.
    pub fn rebuild_tree(&self) -> Result<(Vec<Allocation>, MerkleTree), ClientError> {
        let m = self.manifest();
        let allocations = self.read_leaves()?;
        let tree = MerkleTree::build(&allocations)?;
        let corrupt = |field, expected: String, found: String| {
            ClientError::corrupt(
                MANIFEST_FILE,
                Corruption::Mismatch {
                    field,
                    expected,
                    found,
                },
            )
        };
        if tree.root() != m.root {
            return Err(corrupt(
                "root (rebuilt from the leaves file)",
                hex::encode(tree.root()),
                hex::encode(m.root),
            ));
        }
        let sums = totals(&allocations)?;
        for (field, expected, found) in [
            ("total_amount", sums.total, m.total_amount),
            ("total_unlocked", sums.unlocked, m.total_unlocked),
            ("total_locked", sums.locked, m.total_locked),
        ] {
            if expected != found {
                return Err(corrupt(field, expected.to_string(), found.to_string()));
            }
        }
        for (shard, root) in m.shards.iter().zip(tree.shard_roots(m.shard_bits)) {
            if *root != shard.root {
                return Err(corrupt(
                    "shard root (rebuilt from the leaves file)",
                    hex::encode(root),
                    hex::encode(shard.root),
                ));
            }
            let first = shard.first_leaf as usize;
            let total = totals(&allocations[first..first + shard.leaf_count as usize])?.total;
            if total != shard.total {
                return Err(corrupt(
                    "shard total",
                    total.to_string(),
                    shard.total.to_string(),
                ));
            }
        }
        Ok((allocations, tree))
    }

    /// Full audit: rebuilds the tree from the leaves file ([`Lookup::rebuild_tree`])
    /// and checks that every page and the index are byte for byte what this crate writes.
    pub fn verify(&self) -> Result<MerkleTree, ClientError> {
        let (allocations, tree) = self.rebuild_tree()?;
        let shape = PageShape::of_manifest(self.manifest());
        let expected_index = page_index_of(&allocations, &tree, shape.page_bits);
        if self.source().read(INDEX_PATH)? != expected_index.encode() {
            return Err(ClientError::corrupt(
                INDEX_PATH,
                Corruption::Mismatch {
                    field: "contents",
                    expected: "the index of the leaves file".into(),
                    found: "other bytes".into(),
                },
            ));
        }
        (0..self.manifest().page_count)
            .into_par_iter()
            .try_for_each(|p| {
                let file = page_path(p);
                let found = self.source().read(&file)?;
                if found != encode_page(&allocations, &tree, shape, p)? {
                    self.page(p)?;
                    return Err(ClientError::corrupt(
                        file,
                        Corruption::Mismatch {
                            field: "contents",
                            expected: "the page of the leaves file".into(),
                            found: "other bytes".into(),
                        },
                    ));
                }
                Ok(())
            })?;
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: u8) -> Vec<Allocation> {
        (1..=n)
            .map(|i| Allocation::new(Pubkey::new_from_array([i; 32]), u64::from(i), 0))
            .collect()
    }

    #[test]
    fn find_in_list_returns_the_claim_proof() {
        let list = list(6);
        let tree = MerkleTree::build(&list).unwrap();
        let found = find_in_list(&list, &tree, 1, &list[4].claimant).unwrap();
        assert_eq!(found.index, 4);
        assert_eq!(found.allocation(), list[4]);
        assert_eq!(found.proof, tree.proof(4).unwrap()[..1]);
        assert_eq!(found.shard_root, tree.shard_roots(1)[2]);
        assert_eq!(found.root, tree.root());
        assert!(found.verify_against(&found.shard_root));
        assert!(!found.verify_against(&tree.root()));
        let mut wrong = found.clone();
        wrong.unlocked += 1;
        assert!(!wrong.verify_against(&found.shard_root));
        let absent = Pubkey::new_from_array([0; 32]);
        assert!(matches!(
            find_in_list(&list, &tree, 1, &absent),
            Err(ClientError::NoAllocation { claimant }) if claimant == absent
        ));
    }

    #[test]
    fn local_dir_errors_name_the_path() {
        let source = LocalDir::new("/nonexistent-floodgate-drop");
        match source.read("pages/3.bin") {
            Err(ClientError::Io { path, source }) => {
                assert_eq!(path, Path::new("/nonexistent-floodgate-drop/pages/3.bin"));
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Lookup::open(&source),
            Err(ClientError::Io { path, .. }) if path.ends_with(MANIFEST_FILE)
        ));
    }
}
