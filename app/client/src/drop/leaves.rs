//! `leaves.csv`: the canonical leaf list, so anyone can rebuild the root.
//!
//! ```text
//! index,claimant,unlocked,locked
//! 0,<base58>,<base units>,<base units>
//! ```
//!
//! One row per leaf in index order, `\n` line ends (the file ends with one), no quoting,
//! no spaces. The bytes are hashed into the manifest's `leaves_sha256`.

use std::{fmt::Write as _, io::Write, str::FromStr};

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::Hash;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::{allocation::Allocation, error::Corruption};

/// Default file name of the leaves list.
pub const LEAVES_FILE: &str = "leaves.csv";
/// The header row.
pub const LEAVES_HEADER: &str = "index,claimant,unlocked,locked";

/// Rows formatted per rayon task.
const ROWS_PER_TASK: usize = 4096;
/// Rows formatted before they are written out (bounds memory).
const ROWS_PER_BATCH: usize = 1 << 16;

/// Writes `allocations` (already canonical) as the leaves CSV and returns the SHA-256 of
/// the bytes written.
pub fn write_leaves(out: &mut impl Write, allocations: &[Allocation]) -> std::io::Result<Hash> {
    let mut sha = Sha256::new();
    let header = format!("{LEAVES_HEADER}\n");
    sha.update(header.as_bytes());
    out.write_all(header.as_bytes())?;
    for (b, batch) in allocations.chunks(ROWS_PER_BATCH).enumerate() {
        let parts: Vec<String> = batch
            .par_chunks(ROWS_PER_TASK)
            .enumerate()
            .map(|(t, rows)| format_rows(b * ROWS_PER_BATCH + t * ROWS_PER_TASK, rows))
            .collect();
        for part in parts {
            sha.update(part.as_bytes());
            out.write_all(part.as_bytes())?;
        }
    }
    Ok(sha.finalize().into())
}

fn format_rows(first_index: usize, rows: &[Allocation]) -> String {
    let mut s = String::with_capacity(rows.len() * 96);
    for (j, a) in rows.iter().enumerate() {
        // Writing to a String cannot fail.
        let _ = writeln!(
            s,
            "{},{},{},{}",
            first_index + j,
            a.claimant,
            a.unlocked,
            a.locked
        );
    }
    s
}

/// Parses a leaves CSV: exact header, one well-formed row per index in order, claimants
/// strictly ascending (canonical). A missing final newline and `\r\n` are tolerated.
pub fn parse_leaves(bytes: &[u8]) -> Result<Vec<Allocation>, Corruption> {
    let mut lines = bytes.split(|&b| b == b'\n');
    let header = lines.next().unwrap_or_default();
    if trim_cr(header) != LEAVES_HEADER.as_bytes() {
        return Err(Corruption::Row {
            line: 1,
            reason: format!("expected the header {LEAVES_HEADER:?}"),
        });
    }
    let mut rows: Vec<&[u8]> = lines.collect();
    if rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    if rows.is_empty() {
        return Err(Corruption::Row {
            line: 2,
            reason: "no leaves".into(),
        });
    }
    if rows.len() > u32::MAX as usize {
        return Err(Corruption::Row {
            line: u32::MAX as usize + 2,
            reason: "more leaves than a u32 index addresses".into(),
        });
    }
    let chunks: Vec<Result<Vec<Allocation>, Corruption>> = rows
        .par_chunks(ROWS_PER_TASK)
        .enumerate()
        .map(|(t, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(j, row)| parse_row(t * ROWS_PER_TASK + j, row))
                .collect()
        })
        .collect();
    let mut allocations = Vec::with_capacity(rows.len());
    for chunk in chunks {
        allocations.extend(chunk?);
    }
    if let Some(i) = allocations
        .windows(2)
        .position(|w| w[0].claimant.as_ref() >= w[1].claimant.as_ref())
    {
        return Err(Corruption::NotCanonical {
            index: i as u32 + 1,
        });
    }
    Ok(allocations)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_row(index: usize, row: &[u8]) -> Result<Allocation, Corruption> {
    let line = index + 2;
    let err = |reason: String| Corruption::Row { line, reason };
    let mut fields = trim_cr(row).split(|&b| b == b',');
    let (Some(i), Some(claimant), Some(unlocked), Some(locked), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(err(format!("expected 4 fields: {LEAVES_HEADER}")));
    };
    if digits(i) != Some(index as u64) {
        return Err(err(format!("index is {:?}, expected {index}", lossy(i))));
    }
    let claimant = std::str::from_utf8(claimant)
        .ok()
        .and_then(|s| Pubkey::from_str(s).ok())
        .ok_or_else(|| err(format!("invalid claimant {:?}", lossy(claimant))))?;
    let amount = |field: &[u8], name: &str| {
        digits(field).ok_or_else(|| err(format!("{name} {:?} is not a u64", lossy(field))))
    };
    Ok(Allocation::new(
        claimant,
        amount(unlocked, "unlocked")?,
        amount(locked, "locked")?,
    ))
}

fn lossy(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}

/// A non-empty run of ASCII digits that fits in a `u64`.
fn digits(field: &[u8]) -> Option<u64> {
    if field.is_empty() {
        return None;
    }
    field.iter().try_fold(0u64, |v, &b| {
        if b.is_ascii_digit() {
            v.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> Vec<Allocation> {
        (0..n)
            .map(|i| {
                let mut key = [9u8; 32];
                key[..4].copy_from_slice(&(i as u32).to_be_bytes());
                Allocation::new(
                    Pubkey::new_from_array(key),
                    i as u64 * 7,
                    u64::MAX - i as u64,
                )
            })
            .collect()
    }

    fn encode(list: &[Allocation]) -> (Vec<u8>, Hash) {
        let mut out = Vec::new();
        let sha = write_leaves(&mut out, list).unwrap();
        (out, sha)
    }

    #[test]
    fn round_trip_across_batches() {
        let list = list(ROWS_PER_BATCH + ROWS_PER_TASK + 3);
        let (bytes, sha) = encode(&list);
        assert_eq!(sha, <[u8; 32]>::from(Sha256::digest(&bytes)));
        assert_eq!(parse_leaves(&bytes).unwrap(), list);
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(LEAVES_HEADER));
        assert_eq!(
            lines.next().unwrap(),
            format!("0,{},0,{}", list[0].claimant, u64::MAX)
        );
        assert_eq!(lines.count(), list.len() - 1);
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn tolerates_crlf_and_a_missing_final_newline() {
        let list = list(3);
        let (bytes, _) = encode(&list);
        let text = String::from_utf8(bytes).unwrap();
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(parse_leaves(crlf.as_bytes()).unwrap(), list);
        assert_eq!(parse_leaves(text.trim_end().as_bytes()).unwrap(), list);
    }

    #[test]
    fn malformed_files_name_the_line() {
        let list = list(4);
        let (bytes, _) = encode(&list);
        let text = String::from_utf8(bytes).unwrap();
        let line_of = |r: Result<Vec<Allocation>, Corruption>| match r {
            Err(Corruption::Row { line, .. }) => line,
            other => panic!("{other:?}"),
        };
        let replace_line = |n: usize, with: &str| {
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            lines[n - 1] = with.to_string();
            parse_leaves(lines.join("\n").as_bytes())
        };
        assert_eq!(line_of(replace_line(1, "i,c,u,l")), 1);
        assert_eq!(
            line_of(replace_line(3, &format!("2,{},1,1", list[1].claimant))),
            3
        );
        assert_eq!(
            line_of(replace_line(4, &format!("2,{},1", list[2].claimant))),
            4
        );
        assert_eq!(
            line_of(replace_line(4, &format!("2,{},1,1,", list[2].claimant))),
            4
        );
        assert_eq!(line_of(replace_line(5, "3,notakey,1,1")), 5);
        assert_eq!(
            line_of(replace_line(5, &format!("3,{},-1,1", list[3].claimant))),
            5
        );
        assert_eq!(
            line_of(replace_line(
                5,
                &format!("3,{},1,18446744073709551616", list[3].claimant)
            )),
            5
        );
        assert_eq!(line_of(replace_line(2, "")), 2);
        assert_eq!(
            line_of(parse_leaves(format!("{LEAVES_HEADER}\n").as_bytes())),
            2
        );
        assert_eq!(line_of(parse_leaves(b"")), 1);
        assert_eq!(line_of(parse_leaves(b"\xff\xfe")), 1);
        let swapped = replace_line(2, &format!("0,{},0,{}", list[1].claimant, u64::MAX));
        assert_eq!(swapped, Err(Corruption::NotCanonical { index: 1 }));
    }
}
