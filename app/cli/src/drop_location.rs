//! [`DropLocation`]: the one type of every `--drop`, a folder on this machine or the
//! http(s) URL it is published at, and the reads every command makes through it.
//!
//! Reading a URL blocks (`reqwest::blocking`), so the async commands call the `async`
//! methods, which read on a blocking thread.

use crate::{error::CheckFailed, http::HttpSource};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, bail};
use floodgate_client::{
    ClientError,
    drop::{MANIFEST_FILE, Manifest},
    lookup::{Claimable, LocalDir, Lookup, PageSource},
    tree::MerkleTree,
};
use std::{
    fmt,
    path::{Path, PathBuf},
    str::FromStr,
};

/// Where a drop is: a folder, or its URL on a static host (`http://` or `https://`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropLocation {
    Folder(PathBuf),
    Url(String),
}

impl FromStr for DropLocation {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(
            if text.starts_with("http://") || text.starts_with("https://") {
                Self::Url(text.to_string())
            } else {
                Self::Folder(PathBuf::from(text))
            },
        )
    }
}

impl From<PathBuf> for DropLocation {
    fn from(folder: PathBuf) -> Self {
        Self::Folder(folder)
    }
}

impl From<&Path> for DropLocation {
    fn from(folder: &Path) -> Self {
        Self::Folder(folder.to_path_buf())
    }
}

impl From<&str> for DropLocation {
    fn from(text: &str) -> Self {
        match text.parse() {
            Ok(location) => location,
            Err(never) => match never {},
        }
    }
}

impl From<String> for DropLocation {
    fn from(text: String) -> Self {
        Self::from(text.as_str())
    }
}

impl fmt::Display for DropLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Folder(path) => write!(f, "{}", path.display()),
            Self::Url(url) => f.write_str(url),
        }
    }
}

/// A drop's files, wherever they are.
pub type Source = Box<dyn PageSource + Send + Sync>;

impl DropLocation {
    /// The folder, for a command that writes it (`create` records the distributor in
    /// the manifest); a URL is refused, naming the command.
    pub fn folder(&self, command: &str) -> anyhow::Result<&Path> {
        match self {
            Self::Folder(path) => Ok(path),
            Self::Url(url) => {
                bail!("`{command}` needs the drop folder on this machine, not its URL ({url})")
            }
        }
    }

    /// The files claimants download: the folder's, or the host's.
    pub fn source(&self) -> anyhow::Result<Source> {
        Ok(match self {
            Self::Folder(path) => Box::new(LocalDir::new(path)),
            Self::Url(url) => Box::new(HttpSource::new(url)?),
        })
    }

    /// Runs `read` on the drop's files on a blocking thread (a URL is read with blocking
    /// HTTP, which must not run on the async runtime).
    async fn blocking<T: Send + 'static>(
        &self,
        read: impl FnOnce(Source) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        // The HTTP client runs its own runtime: it is made and dropped on the blocking
        // thread too.
        let location = self.clone();
        tokio::task::spawn_blocking(move || read(location.source()?))
            .await
            .context("reading the drop")?
    }

    /// The manifest, validated.
    pub async fn manifest(&self) -> anyhow::Result<Manifest> {
        self.blocking(|source| Ok(Manifest::from_json(&source.read(MANIFEST_FILE)?)?))
            .await
    }

    /// `claimant`'s leaf and its verified proof. A missing leaf and files that do not
    /// verify are [`CheckFailed`]s: refused before anything is sent.
    pub async fn find(&self, claimant: Pubkey) -> anyhow::Result<(Manifest, Claimable)> {
        self.blocking(move |source| {
            let lookup = Lookup::open(source).map_err(refusal)?;
            let found = lookup.find(&claimant).map_err(refusal)?;
            Ok((lookup.manifest().clone(), found))
        })
        .await
    }

    /// The full audit of exactly these files (the folder's, or what the host serves):
    /// the leaves rebuild the manifest's root and shard roots, and every page and the
    /// index are what the leaves give.
    pub async fn verify(&self) -> anyhow::Result<(Manifest, MerkleTree)> {
        self.blocking(|source| {
            let refuse = |e: ClientError| CheckFailed::Drop(e.to_string());
            let lookup = Lookup::open(source).map_err(refuse)?;
            let tree = lookup.verify().map_err(refuse)?;
            Ok((lookup.manifest().clone(), tree))
        })
        .await
    }

    /// The canonical leaves and their tree, checked against the manifest.
    pub async fn leaves(
        &self,
    ) -> anyhow::Result<(
        Manifest,
        Vec<floodgate_client::allocation::Allocation>,
        MerkleTree,
    )> {
        self.blocking(|source| {
            let lookup = Lookup::open(source)?;
            let (allocations, tree) = lookup.rebuild_tree()?;
            Ok((lookup.manifest().clone(), allocations, tree))
        })
        .await
    }
}

/// The client's lookup errors a claimant must not go past.
fn refusal(e: ClientError) -> anyhow::Error {
    match e {
        ClientError::NoAllocation { claimant } => CheckFailed::NoAllocation(claimant).into(),
        e @ (ClientError::PageDoesNotVerify { .. } | ClientError::CorruptFile { .. }) => {
            CheckFailed::PageDoesNotVerify(e.to_string()).into()
        }
        e => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_a_url_and_anything_else_a_folder() {
        let parse = |s: &str| s.parse::<DropLocation>().unwrap();
        assert_eq!(
            parse("https://example.org/drop"),
            DropLocation::Url("https://example.org/drop".into())
        );
        assert_eq!(
            parse("http://127.0.0.1:8000/"),
            DropLocation::Url("http://127.0.0.1:8000/".into())
        );
        assert_eq!(parse("drop/"), DropLocation::Folder("drop/".into()));
        assert_eq!(
            parse("httpdocs/drop"),
            DropLocation::Folder("httpdocs/drop".into())
        );
        assert_eq!(parse("drop/").folder("create").unwrap(), Path::new("drop/"));
        let refused = parse("https://example.org/drop")
            .folder("create")
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("`create` needs the drop folder"),
            "{refused}"
        );
    }
}
