//! Writing a drop folder: all or nothing. [`write_folder`] builds the whole folder in a
//! hidden staging folder next to the target and renames it into place, so a crash
//! never leaves a partially written drop; [`write_atomic`] replaces one file (the
//! manifest) the same way. Also the encoders of the pages and the page index, which
//! the audit of a published folder compares its files with.

use std::{
    borrow::Cow,
    fs::{File, OpenOptions},
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    sync::{
        Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use anchor_lang::prelude::Pubkey;
use floodgate::{constants::MAX_SHARD_BITS, state::num_shards_for};
use rayon::prelude::*;

use super::{
    DEFAULT_PAGE_BITS, FORMAT_VERSION, INDEX_PATH, LEAVES_FILE, MANIFEST_FILE, Manifest, PageIndex,
    ShardInfo,
    leaves::write_leaves,
    page::{PageHeader, encode_into, page_path},
};
use crate::{
    allocation::{Allocation, canonical, is_canonical, totals},
    error::ClientError,
    tree::MerkleTree,
};

/// Threads that fsync the staged files.
const SYNC_THREADS: usize = 16;

/// What [`DropFolder::write`] needs besides the allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropParams {
    /// The Floodgate program id.
    pub program_id: Pubkey,
    /// The mint distributed.
    pub mint: Pubkey,
    /// The mint's decimals (recorded for display).
    pub decimals: u8,
    /// `log2` of the leaves per shard, `<= MAX_SHARD_BITS`.
    pub shard_bits: u8,
    /// `log2` of the leaves per page, `<= shard_bits` (a page lies in one shard).
    pub page_bits: u8,
    /// Cluster hint recorded in the manifest.
    pub cluster: Option<String>,
}

impl DropParams {
    /// Parameters with the default page size (no larger than a shard) and no cluster
    /// hint.
    pub fn new(program_id: Pubkey, mint: Pubkey, decimals: u8, shard_bits: u8) -> Self {
        Self {
            program_id,
            mint,
            decimals,
            shard_bits,
            page_bits: default_page_bits(shard_bits),
            cluster: None,
        }
    }

    fn validate(&self) -> Result<(), ClientError> {
        if self.shard_bits > MAX_SHARD_BITS {
            return Err(ClientError::InvalidParameter {
                name: "shard_bits",
                value: self.shard_bits.into(),
                reason: "at most 16 (65,536 leaves per shard)",
            });
        }
        if self.page_bits > self.shard_bits {
            return Err(ClientError::InvalidParameter {
                name: "page_bits",
                value: self.page_bits.into(),
                reason: "at most shard_bits: a page proves its leaves up to its shard's root, \
                         so it lies in one shard",
            });
        }
        Ok(())
    }
}

/// [`DEFAULT_PAGE_BITS`], or `shard_bits` when shards are smaller than that.
pub fn default_page_bits(shard_bits: u8) -> u8 {
    DEFAULT_PAGE_BITS.min(shard_bits)
}

/// Writes the drop folder of `allocations` (sorted into canonical order here if they
/// are not) to `dir`, which must not exist or be empty. Returns the manifest
/// (`distributor` unset) and the tree.
///
/// Everything is written into a hidden sibling folder, synced to disk, then renamed to
/// `dir`: after a crash `dir` is either absent (or still empty) or complete. The
/// staging folder is removed on error.
pub fn write_folder(
    dir: &Path,
    allocations: &[Allocation],
    params: DropParams,
) -> Result<(Manifest, MerkleTree), ClientError> {
    params.validate()?;
    check_target(dir)?;
    let sorted: Cow<'_, [Allocation]> = if is_canonical(allocations) {
        Cow::Borrowed(allocations)
    } else {
        Cow::Owned(canonical(allocations.to_vec()))
    };
    let tree = MerkleTree::build(&sorted)?;
    let sums = totals(&sorted)?;
    let n = tree.num_leaves();

    let staging = Staging::create(dir)?;
    let leaves_path = staging.path.join(LEAVES_FILE);
    let leaves_sha256 = write_file(&leaves_path, false, |w| write_leaves(w, &sorted))?;
    let index = write_pages(&staging.path, &sorted, &tree, PageShape::of(&params))?;

    let shard_roots = tree.shard_roots(params.shard_bits);
    let shards = (0..num_shards_for(n, params.shard_bits))
        .map(|s| {
            let first = (s as usize) << params.shard_bits;
            let end = (first + (1usize << params.shard_bits)).min(sorted.len());
            let total = totals(&sorted[first..end])?.total;
            Ok(ShardInfo {
                index: s,
                first_leaf: first as u32,
                leaf_count: (end - first) as u32,
                total,
                root: shard_roots[s as usize],
            })
        })
        .collect::<Result<Vec<_>, ClientError>>()?;
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        program_id: params.program_id,
        cluster: params.cluster,
        mint: params.mint,
        decimals: params.decimals,
        distributor: None,
        root: tree.root(),
        depth: tree.depth(),
        num_leaves: n,
        shard_bits: params.shard_bits,
        shards,
        total_amount: sums.total,
        total_unlocked: sums.unlocked,
        total_locked: sums.locked,
        page_bits: params.page_bits,
        page_count: index.page_count(),
        leaves_file: LEAVES_FILE.to_string(),
        leaves_sha256,
    };
    let json = manifest.to_json()?;
    write_file(&staging.path.join(MANIFEST_FILE), false, |w| {
        w.write_all(json.as_bytes())
    })?;
    staging.sync(index.page_count())?;
    staging.commit(dir)?;
    Ok((manifest, tree))
}

/// The page index (`pages/index`) of canonical `allocations` and their tree.
pub fn page_index_of(allocations: &[Allocation], tree: &MerkleTree, page_bits: u8) -> PageIndex {
    PageIndex {
        page_bits,
        num_leaves: tree.num_leaves(),
        root: tree.root(),
        first_claimants: allocations
            .iter()
            .step_by(1 << page_bits)
            .map(|a| a.claimant)
            .collect(),
    }
}

/// How a drop's leaves are cut into pages and shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageShape {
    /// `log2` of the leaves per page.
    pub page_bits: u8,
    /// `log2` of the leaves per shard, `>= page_bits`.
    pub shard_bits: u8,
}

impl PageShape {
    /// The shape [`DropFolder::write`] gives the drop of `params`.
    pub fn of(params: &DropParams) -> Self {
        Self {
            page_bits: params.page_bits,
            shard_bits: params.shard_bits,
        }
    }

    /// The shape of a published drop.
    pub fn of_manifest(manifest: &Manifest) -> Self {
        Self {
            page_bits: manifest.page_bits,
            shard_bits: manifest.shard_bits,
        }
    }
}

/// The bytes of page `p` of canonical `allocations` and their tree (`pages/<p>.bin`),
/// e.g. to upload pages somewhere without writing them locally.
pub fn encode_page(
    allocations: &[Allocation],
    tree: &MerkleTree,
    shape: PageShape,
    p: u32,
) -> Result<Vec<u8>, ClientError> {
    let PageShape {
        page_bits,
        shard_bits,
    } = shape;
    let first = (p as usize) << page_bits;
    let end = (first + (1usize << page_bits)).min(allocations.len());
    let page_height = page_bits.min(tree.depth());
    let mut upper = tree.proof_from_level(first as u32, page_height)?;
    upper.truncate(usize::from(
        tree.shard_height(shard_bits).saturating_sub(page_height),
    ));
    let shard_root = tree
        .shard_roots(shard_bits)
        .get(first >> shard_bits)
        .copied()
        .ok_or(ClientError::InvalidParameter {
            name: "page_bits",
            value: page_bits.into(),
            reason: "at most shard_bits: a page lies in one shard",
        })?;
    let header = PageHeader {
        page_index: p,
        page_bits,
        depth: tree.depth(),
        shard_bits,
        num_leaves: tree.num_leaves(),
        shard_root,
    };
    let mut out = Vec::new();
    encode_into(&mut out, header, &allocations[first..end], &upper);
    Ok(out)
}

/// Writes `dir/pages/<p>.bin` for every page (in parallel) and `dir/pages/index` for
/// canonical `allocations` and their tree; `dir/pages` must not exist. A building block
/// of [`DropFolder::write`], which should be preferred (it writes atomically).
pub fn write_pages(
    dir: &Path,
    allocations: &[Allocation],
    tree: &MerkleTree,
    shape: PageShape,
) -> Result<PageIndex, ClientError> {
    let pages = dir.join("pages");
    std::fs::create_dir(&pages).map_err(|e| ClientError::io(&pages, e))?;
    let index = page_index_of(allocations, tree, shape.page_bits);
    (0..index.page_count()).into_par_iter().try_for_each(|p| {
        let bytes = encode_page(allocations, tree, shape, p)?;
        let path = dir.join(page_path(p));
        std::fs::write(&path, bytes).map_err(|e| ClientError::io(path, e))
    })?;
    let path = dir.join(INDEX_PATH);
    std::fs::write(&path, index.encode()).map_err(|e| ClientError::io(path, e))?;
    Ok(index)
}

/// A drop folder may be written where nothing is, or into an empty folder.
pub(crate) fn check_target(dir: &Path) -> Result<(), ClientError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(ClientError::DropFolderExists { path: dir.into() }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(ClientError::DropFolderExists { path: dir.into() }),
        Err(e) => Err(ClientError::io(dir, e)),
    }
}

/// A hidden sibling folder the drop is written into; removed unless committed.
struct Staging {
    path: PathBuf,
    committed: bool,
}

impl Staging {
    fn create(target: &Path) -> Result<Self, ClientError> {
        let name = target
            .file_name()
            .ok_or_else(|| ClientError::io(target, std::io::Error::other("not a folder name")))?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| ClientError::io(&parent, e))?;
        let path = parent.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            unique_suffix()
        ));
        std::fs::create_dir(&path).map_err(|e| ClientError::io(&path, e))?;
        Ok(Self {
            path,
            committed: false,
        })
    }

    /// Flushes every file of the staged drop (`page_count` pages) and its folders to disk
    /// before the rename publishes them, so a power loss cannot leave a renamed folder
    /// with empty files. fsync waits on the disk, not the CPU, so it runs on more threads
    /// than there are cores (ext4 and most file systems batch concurrent syncs).
    fn sync(&self, page_count: u32) -> Result<(), ClientError> {
        let mut files = vec![
            self.path.join(LEAVES_FILE),
            self.path.join(MANIFEST_FILE),
            self.path.join(INDEX_PATH),
        ];
        files.extend((0..page_count).map(|p| self.path.join(page_path(p))));
        let next = AtomicUsize::new(0);
        let failure = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..SYNC_THREADS.min(files.len()) {
                scope.spawn(|| {
                    while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let synced = OpenOptions::new()
                            .write(true)
                            .open(path)
                            .and_then(|f| f.sync_all());
                        if let Err(e) = synced {
                            let mut failure = failure.lock().unwrap_or_else(|p| p.into_inner());
                            failure.get_or_insert_with(|| ClientError::io(path, e));
                            next.store(files.len(), Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        sync_dir(&self.path.join("pages"));
        sync_dir(&self.path);
        Ok(())
    }

    /// Moves the staged folder to `target` (replacing an empty folder).
    fn commit(mut self, target: &Path) -> Result<(), ClientError> {
        check_target(target)?;
        if target.is_dir() {
            std::fs::remove_dir(target).map_err(|e| ClientError::io(target, e))?;
        }
        std::fs::rename(&self.path, target).map_err(|e| ClientError::io(target, e))?;
        self.committed = true;
        match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => sync_dir(parent),
            _ => sync_dir(Path::new(".")),
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos}-{n}", std::process::id())
}

/// Creates `path`, lets `fill` write it through a buffer, flushes it and, with `sync`,
/// syncs it to disk.
fn write_file<T>(
    path: &Path,
    sync: bool,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<T>,
) -> Result<T, ClientError> {
    let io = |e| ClientError::io(path, e);
    let file = File::create(path).map_err(io)?;
    let mut writer = BufWriter::with_capacity(1 << 16, file);
    let value = fill(&mut writer).map_err(io)?;
    let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
    if sync {
        file.sync_all().map_err(io)?;
    }
    Ok(value)
}

/// Writes `path` atomically: a temporary file in the same folder, synced, then renamed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        name.unwrap_or_default(),
        unique_suffix()
    ));
    let result = write_file(&tmp, true, |w| w.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| ClientError::io(path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    if let Some(parent) = path.parent() {
        sync_dir(parent);
    }
    result
}

/// Best-effort fsync of a folder, so renames inside it survive a power loss.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = dir.path().join("no/such/folder/file");
        assert!(matches!(
            write_atomic(&missing, b"x"),
            Err(ClientError::Io { .. })
        ));
    }

    #[test]
    fn targets_must_be_absent_or_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_target(&dir.path().join("new")).is_ok());
        assert!(check_target(dir.path()).is_ok());
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        assert!(matches!(
            check_target(dir.path()),
            Err(ClientError::DropFolderExists { .. })
        ));
        assert!(matches!(
            check_target(&dir.path().join("file")),
            Err(ClientError::DropFolderExists { .. })
        ));
    }
}
