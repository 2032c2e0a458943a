//! `manifest.json`: what a drop is (program, mint, root, shape) and where its files are.
//!
//! Amounts are JSON strings of decimal base units (a `u64` does not survive a JavaScript
//! number); keys are base58, hashes are lowercase hex. Readers ignore unknown fields.

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use floodgate::{
    constants::MAX_SHARD_BITS,
    merkle::{Hash, depth_for},
    state::num_shards_for,
};
use serde::{Deserialize, Serialize};

use super::{MAX_PAGE_BITS, page_count_for, write_atomic};
use crate::{
    error::{ClientError, Corruption},
    tree::ShardTree,
};

/// The manifest's file name inside a drop folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The format version this crate writes and reads. Version 2 added the shard roots
/// (and pages that prove their leaves up to them); version 1 folders are refused.
pub const FORMAT_VERSION: u32 = 2;

/// The contents of `manifest.json` (see FORMAT.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Drop-folder format version, [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The Floodgate program the distributor lives in.
    #[serde(with = "base58")]
    pub program_id: Pubkey,
    /// Cluster hint for claimants (`mainnet-beta`, `devnet`, a URL, ...).
    #[serde(default)]
    pub cluster: Option<String>,
    /// The mint being distributed.
    #[serde(with = "base58")]
    pub mint: Pubkey,
    /// The mint's decimals, for display.
    pub decimals: u8,
    /// The distributor account, once created on chain.
    #[serde(default, with = "base58_option")]
    pub distributor: Option<Pubkey>,
    /// The Merkle root.
    #[serde(with = "hex32")]
    pub root: Hash,
    /// Tree depth, `depth_for(num_leaves)`.
    pub depth: u8,
    /// Number of leaves.
    pub num_leaves: u32,
    /// `log2` of the leaves per shard.
    pub shard_bits: u8,
    /// One entry per shard, in order.
    pub shards: Vec<ShardInfo>,
    /// Sum of `unlocked + locked` over all leaves.
    #[serde(with = "u64_string")]
    pub total_amount: u64,
    /// Sum of `unlocked`.
    #[serde(with = "u64_string")]
    pub total_unlocked: u64,
    /// Sum of `locked`.
    #[serde(with = "u64_string")]
    pub total_locked: u64,
    /// `log2` of the leaves per page.
    pub page_bits: u8,
    /// Number of files in `pages/` besides `index`.
    pub page_count: u32,
    /// The canonical leaves file, relative to the folder.
    pub leaves_file: String,
    /// SHA-256 of the leaves file's bytes.
    #[serde(with = "hex32")]
    pub leaves_sha256: Hash,
}

/// One shard's range, total (`create_shard`'s `max_total`) and root (its `shard_root`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Shard index.
    pub index: u32,
    /// First leaf index, `index << shard_bits`.
    pub first_leaf: u32,
    /// Leaves in the shard.
    pub leaf_count: u32,
    /// Sum of `unlocked + locked` over the shard's leaves.
    #[serde(with = "u64_string")]
    pub total: u64,
    /// The shard root: node `index` at height `min(shard_bits, depth)` of the tree.
    #[serde(with = "hex32")]
    pub root: Hash,
}

impl Manifest {
    /// Reads and validates `dir/manifest.json`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, ClientError> {
        let path = dir.as_ref().join(MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(|e| ClientError::io(&path, e))?;
        Self::from_json(&bytes)
    }

    /// Validates and writes `dir/manifest.json` atomically (temporary file, then rename).
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), ClientError> {
        let json = self.to_json()?;
        write_atomic(&dir.as_ref().join(MANIFEST_FILE), json.as_bytes())
    }

    /// Parses and validates manifest JSON (from a file or any other source). The version
    /// is read first, so that a folder of another format version is refused as such.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ClientError> {
        let json = |e: serde_json::Error| {
            ClientError::corrupt(MANIFEST_FILE, Corruption::Json(e.to_string()))
        };
        #[derive(Deserialize)]
        struct Versioned {
            format_version: u32,
        }
        let Versioned { format_version } = serde_json::from_slice(bytes).map_err(json)?;
        check_version(format_version).map_err(|p| ClientError::corrupt(MANIFEST_FILE, p))?;
        let manifest: Self = serde_json::from_slice(bytes).map_err(json)?;
        manifest
            .validate()
            .map_err(|p| ClientError::corrupt(MANIFEST_FILE, p))?;
        Ok(manifest)
    }

    /// Validates and renders the manifest as pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<String, ClientError> {
        self.validate()
            .map_err(|p| ClientError::corrupt(MANIFEST_FILE, p))?;
        let mut json = serde_json::to_string_pretty(self)
            .map_err(|e| ClientError::corrupt(MANIFEST_FILE, Corruption::Json(e.to_string())))?;
        json.push('\n');
        Ok(json)
    }

    /// Records the distributor address (after the CLI's create step); call
    /// [`Manifest::save`] to persist it.
    pub fn set_distributor(&mut self, distributor: Pubkey) {
        self.distributor = Some(distributor);
    }

    /// The shard holding leaf `index`.
    pub fn shard_of(&self, index: u32) -> u32 {
        index >> self.shard_bits
    }

    /// Height of a shard's subtree, `min(shard_bits, depth)`: a claim proof's length.
    pub fn shard_height(&self) -> u8 {
        self.shard_bits.min(self.depth)
    }

    /// The tree above the shard roots, whose root is the manifest's: where
    /// `create_shard`'s upper proofs come from.
    pub fn shard_tree(&self) -> Result<ShardTree, Corruption> {
        let roots = self.shards.iter().map(|s| s.root).collect();
        let tree = ShardTree::build(roots, self.shard_height(), self.depth)
            .ok_or_else(|| mismatch("number of shards", "a count the tree can hold", "more"))?;
        if tree.root() != self.root {
            return Err(mismatch(
                "shard roots (hashed up to the root)",
                hex::encode(self.root),
                hex::encode(tree.root()),
            ));
        }
        Ok(tree)
    }

    /// Checks the version, that every derived field agrees with `num_leaves`,
    /// `shard_bits` and `page_bits`, and that the shard roots hash up to the root.
    pub fn validate(&self) -> Result<(), Corruption> {
        check_version(self.format_version)?;
        let n = self.num_leaves;
        let depth = depth_for(n).ok_or_else(|| mismatch("num_leaves", ">= 1", n))?;
        expect("depth", depth, self.depth)?;
        if self.shard_bits > MAX_SHARD_BITS {
            return Err(mismatch(
                "shard_bits",
                format!("<= {MAX_SHARD_BITS}"),
                self.shard_bits,
            ));
        }
        if self.page_bits > MAX_PAGE_BITS.min(self.shard_bits) {
            return Err(mismatch(
                "page_bits",
                format!(
                    "<= shard_bits ({}): a page lies in one shard",
                    self.shard_bits
                ),
                self.page_bits,
            ));
        }
        expect(
            "page_count",
            page_count_for(n, self.page_bits),
            self.page_count,
        )?;
        let num_shards = num_shards_for(n, self.shard_bits);
        expect("number of shards", num_shards as usize, self.shards.len())?;
        let mut sum = 0u64;
        for (i, shard) in self.shards.iter().enumerate() {
            let first = (i as u64) << self.shard_bits;
            expect("shard index", i as u64, u64::from(shard.index))?;
            expect("shard first_leaf", first, u64::from(shard.first_leaf))?;
            let count = (u64::from(n) - first).min(1 << self.shard_bits);
            expect("shard leaf_count", count, u64::from(shard.leaf_count))?;
            sum = sum
                .checked_add(shard.total)
                .ok_or_else(|| mismatch("sum of shard totals", "<= u64::MAX", "more"))?;
        }
        expect("total_amount (sum of shard totals)", sum, self.total_amount)?;
        let parts = self.total_unlocked.checked_add(self.total_locked);
        expect(
            "total_unlocked + total_locked",
            Some(self.total_amount),
            parts,
        )?;
        let name = self.leaves_file.as_str();
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
            return Err(mismatch(
                "leaves_file",
                "a plain file name",
                format!("{name:?}"),
            ));
        }
        self.shard_tree().map(drop)
    }
}

/// Refuses every format version but [`FORMAT_VERSION`], naming what to do about it.
fn check_version(found: u32) -> Result<(), Corruption> {
    match found {
        FORMAT_VERSION => Ok(()),
        1 => Err(Corruption::OldFormat {
            found,
            supported: FORMAT_VERSION,
            advice: "version 1 folders predate shard roots on chain; write the drop again \
                     with `floodgate new` and create its distributor with this version",
        }),
        _ => Err(Corruption::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
        }),
    }
}

fn mismatch(field: &'static str, expected: impl ToString, found: impl ToString) -> Corruption {
    Corruption::Mismatch {
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

fn expect<T: PartialEq + std::fmt::Debug>(
    field: &'static str,
    expected: T,
    found: T,
) -> Result<(), Corruption> {
    if expected == found {
        Ok(())
    } else {
        Err(mismatch(
            field,
            format!("{expected:?}"),
            format!("{found:?}"),
        ))
    }
}

mod base58 {
    use std::str::FromStr;

    use anchor_lang::prelude::Pubkey;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(key: &Pubkey, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(key)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pubkey, D::Error> {
        let text = String::deserialize(d)?;
        Pubkey::from_str(&text).map_err(|_| D::Error::custom(format!("invalid address {text:?}")))
    }
}

mod base58_option {
    use anchor_lang::prelude::Pubkey;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(key: &Option<Pubkey>, s: S) -> Result<S::Ok, S::Error> {
        match key {
            Some(key) => s.collect_str(key),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Pubkey>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::base58")] Pubkey);
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(key)| key))
    }
}

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(hash))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&text, &mut out)
            .map_err(|_| D::Error::custom(format!("expected 64 hex digits, got {text:?}")))?;
        Ok(out)
    }
}

mod u64_string {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(value: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(D::Error::custom(format!(
                "expected a string of decimal digits, got {text:?}"
            )));
        }
        text.parse()
            .map_err(|_| D::Error::custom(format!("{text} does not fit in u64")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            format_version: 2,
            program_id: floodgate::ID,
            cluster: Some("devnet".into()),
            mint: Pubkey::new_from_array([3; 32]),
            decimals: 6,
            distributor: None,
            root: floodgate::merkle::node_hash(&[0xab; 32], &[0xcd; 32]),
            depth: 3,
            num_leaves: 5,
            shard_bits: 2,
            shards: vec![
                ShardInfo {
                    index: 0,
                    first_leaf: 0,
                    leaf_count: 4,
                    total: 10,
                    root: [0xab; 32],
                },
                ShardInfo {
                    index: 1,
                    first_leaf: 4,
                    leaf_count: 1,
                    total: u64::MAX - 10,
                    root: [0xcd; 32],
                },
            ],
            total_amount: u64::MAX,
            total_unlocked: u64::MAX - 1,
            total_locked: 1,
            page_bits: 1,
            page_count: 3,
            leaves_file: "leaves.csv".into(),
            leaves_sha256: [0x01; 32],
        }
    }

    #[test]
    fn json_round_trip_with_string_amounts() {
        let mut m = sample();
        let json = m.to_json().unwrap();
        assert!(
            json.contains("\"total_amount\": \"18446744073709551615\""),
            "{json}"
        );
        assert!(json.contains("\"distributor\": null"));
        assert!(json.contains(&format!("\"root\": \"{}\"", "cd".repeat(32))));
        assert_eq!(Manifest::from_json(json.as_bytes()).unwrap(), m);
        m.set_distributor(Pubkey::new_from_array([9; 32]));
        let json = m.to_json().unwrap();
        assert!(json.contains(&format!(
            "\"distributor\": \"{}\"",
            Pubkey::new_from_array([9; 32])
        )));
        assert_eq!(Manifest::from_json(json.as_bytes()).unwrap(), m);
    }

    #[test]
    fn inconsistent_manifests_are_rejected() {
        let check = |edit: fn(&mut Manifest), field: &str| {
            let mut m = sample();
            edit(&mut m);
            match m.validate() {
                Err(Corruption::Mismatch { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        };
        check(|m| m.depth = 4, "depth");
        check(|m| m.page_count = 2, "page_count");
        check(|m| m.shards.truncate(1), "number of shards");
        check(|m| m.shards[1].first_leaf = 3, "shard first_leaf");
        check(|m| m.shards[1].leaf_count = 2, "shard leaf_count");
        check(|m| m.shards[0].total = 11, "sum of shard totals");
        check(|m| m.total_locked = 2, "total_unlocked + total_locked");
        check(|m| m.leaves_file = "../secret".into(), "leaves_file");
        check(|m| m.shard_bits = 17, "shard_bits");
        check(|m| m.num_leaves = 0, "num_leaves");
        check(|m| m.page_bits = 3, "page_bits");
        check(
            |m| m.shards[1].root[0] ^= 1,
            "shard roots (hashed up to the root)",
        );
        check(|m| m.root[31] ^= 1, "shard roots (hashed up to the root)");
        let mut m = sample();
        m.format_version = 3;
        assert_eq!(
            m.validate(),
            Err(Corruption::UnsupportedVersion {
                found: 3,
                supported: 2
            })
        );
    }

    #[test]
    fn a_version_1_manifest_is_refused_as_such_before_its_fields_are_read() {
        // Version 1 had no shard roots: the version, not a missing field, is the error.
        let json = sample()
            .to_json()
            .unwrap()
            .replace("\"format_version\": 2", "\"format_version\": 1");
        let mut v1: serde_json::Value = serde_json::from_str(&json).unwrap();
        for shard in v1["shards"].as_array_mut().unwrap() {
            shard.as_object_mut().unwrap().remove("root");
        }
        let err = Manifest::from_json(v1.to_string().as_bytes()).unwrap_err();
        assert!(matches!(
            &err,
            ClientError::CorruptFile {
                problem: Corruption::OldFormat {
                    found: 1,
                    supported: 2,
                    ..
                },
                ..
            }
        ));
        assert!(err.to_string().contains("floodgate new"), "{err}");
    }

    #[test]
    fn bad_json_is_a_corrupt_manifest() {
        for bad in [&b"{"[..], b"\xff", b"{\"format_version\": 2}", b"[]"] {
            assert!(matches!(
                Manifest::from_json(bad),
                Err(ClientError::CorruptFile { file, problem: Corruption::Json(_) }) if file == MANIFEST_FILE
            ));
        }
        let json = sample().to_json().unwrap().replace("\"10\"", "10");
        assert!(matches!(
            Manifest::from_json(json.as_bytes()),
            Err(ClientError::CorruptFile {
                problem: Corruption::Json(_),
                ..
            })
        ));
    }
}
