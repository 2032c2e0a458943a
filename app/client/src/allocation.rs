//! The creator's allocation list: CSV in, validated base-unit allocations out.
//!
//! Accepted shapes, one row per claimant, every row with the same number of columns:
//!
//! ```text
//! claimant,amount              # amount is unlocked, locked = 0
//! claimant,unlocked,locked
//! ```
//!
//! An optional header row is recognised when the first row's first field is not a public
//! key and its other fields are words (e.g. `claimant,unlocked,locked`). Fields are
//! trimmed, blank lines are skipped, a UTF-8 byte-order mark is ignored, and a field may
//! be enclosed in double quotes (`""` inside is a quote; a field never spans lines). Amounts are decimal token amounts converted exactly with the mint's
//! decimals ([`parse_amount`]); with `decimals = 0` they are base units. Every problem is
//! reported with its 1-based line number; no input makes the parser panic.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read},
    path::Path,
    str::FromStr,
};

use anchor_lang::prelude::Pubkey;
use floodgate::merkle::{Hash, leaf_hash};
use rayon::slice::ParallelSliceMut;

pub use crate::error::AmountError;
use crate::error::ClientError;

/// One claimant's allocation in the mint's base units (protocol.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Allocation {
    /// Who may claim.
    pub claimant: Pubkey,
    /// Paid out at claim time.
    pub unlocked: u64,
    /// Vests linearly between the distributor's vesting start and end.
    pub locked: u64,
}

impl Allocation {
    /// An allocation.
    pub const fn new(claimant: Pubkey, unlocked: u64, locked: u64) -> Self {
        Self {
            claimant,
            unlocked,
            locked,
        }
    }

    /// `unlocked + locked`, `None` on overflow.
    pub const fn total(&self) -> Option<u64> {
        self.unlocked.checked_add(self.locked)
    }

    /// The leaf hash of this allocation at position `index` (protocol.md §1).
    pub fn leaf_hash(&self, index: u32) -> Hash {
        leaf_hash(index, &self.claimant, self.unlocked, self.locked)
    }
}

/// Sums of a list of allocations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sum of `unlocked`.
    pub unlocked: u64,
    /// Sum of `locked`.
    pub locked: u64,
    /// Sum of `unlocked + locked`.
    pub total: u64,
}

/// Sums `allocations`; [`ClientError::TotalOverflow`] if any sum exceeds `u64`.
pub fn totals(allocations: &[Allocation]) -> Result<Totals, ClientError> {
    let mut t = Totals::default();
    for a in allocations {
        t.unlocked = t
            .unlocked
            .checked_add(a.unlocked)
            .ok_or(ClientError::TotalOverflow)?;
        t.locked = t
            .locked
            .checked_add(a.locked)
            .ok_or(ClientError::TotalOverflow)?;
        let row = a.total().ok_or(ClientError::TotalOverflow)?;
        t.total = t.total.checked_add(row).ok_or(ClientError::TotalOverflow)?;
    }
    Ok(t)
}

/// Sorts allocations into canonical order: claimant bytes ascending (protocol.md §1).
/// Position in the result is the leaf index. Duplicates are kept (the tree rejects them).
pub fn canonical(mut allocations: Vec<Allocation>) -> Vec<Allocation> {
    allocations.par_sort_unstable_by(|a, b| a.claimant.as_ref().cmp(b.claimant.as_ref()));
    allocations
}

/// Whether `allocations` is in canonical order with no duplicate claimant.
pub fn is_canonical(allocations: &[Allocation]) -> bool {
    allocations
        .windows(2)
        .all(|w| w[0].claimant.as_ref() < w[1].claimant.as_ref())
}

/// Converts a decimal token amount to base units, exactly.
///
/// Accepts `digits` or `digits.digits` (surrounding whitespace ignored). Digits past
/// `decimals` must be zeros (`"1.50"` with 1 decimal is 15, `"1.05"` is an error). No sign,
/// exponent, thousands separator or bare `.5`. With `decimals = 0` the text is base units.
pub fn parse_amount(text: &str, decimals: u8) -> Result<u64, AmountError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        let exponent = s.bytes().any(|b| b == b'e' || b == b'E')
            && s.bytes().any(|b| b.is_ascii_digit())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b));
        return Err(if exponent {
            AmountError::Exponent
        } else {
            AmountError::NotANumber
        });
    }
    let frac = frac.unwrap_or("").as_bytes();
    let places = usize::from(decimals);
    let (kept, extra) = frac.split_at(frac.len().min(places));
    if extra.iter().any(|&b| b != b'0') {
        return Err(AmountError::TooManyDecimals { decimals });
    }
    let push = |value: u64, digit: u8| {
        value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .ok_or(AmountError::Overflow)
    };
    let mut value = 0u64;
    for &b in int.as_bytes() {
        value = push(value, b)?;
    }
    for i in 0..places {
        value = push(value, kept.get(i).copied().unwrap_or(b'0'))?;
    }
    Ok(value)
}

/// Formats base units as a decimal token amount, trailing zeros trimmed
/// (`format_amount(1_500_000, 6) == "1.5"`); the inverse of [`parse_amount`].
pub fn format_amount(base_units: u64, decimals: u8) -> String {
    let digits = base_units.to_string();
    let places = usize::from(decimals);
    if places == 0 {
        return digits;
    }
    let padded = if digits.len() <= places {
        format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - places);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// Parses the creator's CSV (see the module docs) into allocations, in file order.
pub fn parse_csv(reader: impl Read, decimals: u8) -> Result<Vec<Allocation>, ClientError> {
    let mut reader = BufReader::new(reader);
    let mut raw = Vec::new();
    let mut allocations = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let mut columns: Option<usize> = None;
    let mut grand_total = 0u64;
    let mut line = 0usize;
    loop {
        raw.clear();
        line += 1;
        match reader.read_until(b'\n', &mut raw) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(ClientError::Csv {
                    line,
                    message: e.to_string(),
                });
            }
        }
        let mut text: &[u8] = &raw;
        if line == 1 {
            text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
        }
        let fields = split_fields(text).map_err(|message| ClientError::Csv {
            line,
            message: message.to_string(),
        })?;
        if fields.iter().all(String::is_empty) {
            continue;
        }
        let expected = match columns {
            Some(expected) => expected,
            None => {
                let found = fields.len();
                if found != 2 && found != 3 {
                    return Err(ClientError::UnsupportedColumns { line, found });
                }
                columns = Some(found);
                if is_header(&fields) {
                    continue;
                }
                found
            }
        };
        if fields.len() != expected {
            return Err(ClientError::ColumnCount {
                line,
                expected,
                found: fields.len(),
            });
        }
        let claimant = Pubkey::from_str(&fields[0]).map_err(|_| ClientError::InvalidAddress {
            line,
            value: fields[0].clone(),
        })?;
        let amount = |i: usize, column: &'static str| {
            parse_amount(&fields[i], decimals).map_err(|reason| ClientError::InvalidAmount {
                line,
                column,
                value: fields[i].clone(),
                reason,
            })
        };
        let (unlocked, locked) = if expected == 2 {
            (amount(1, "amount")?, 0)
        } else {
            (amount(1, "unlocked")?, amount(2, "locked")?)
        };
        let allocation = Allocation::new(claimant, unlocked, locked);
        let total = allocation
            .total()
            .ok_or(ClientError::RowTotalOverflow { line })?;
        if total == 0 {
            return Err(ClientError::ZeroAllocation { line });
        }
        grand_total = grand_total
            .checked_add(total)
            .ok_or(ClientError::GrandTotalOverflow { line })?;
        allocations.push(allocation);
        lines.push(line);
    }
    if allocations.is_empty() {
        return Err(ClientError::NoAllocations);
    }
    check_duplicates(&allocations, &lines)?;
    Ok(allocations)
}

/// Splits one CSV line into trimmed fields. A field may be enclosed in double quotes
/// (`""` is a quote inside); a quoted field cannot span lines. Invalid UTF-8 is replaced
/// (and then fails as an address or amount).
fn split_fields(line: &[u8]) -> Result<Vec<String>, &'static str> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let space = |b: u8| b == b' ' || b == b'\t';
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && space(line[i]) {
            i += 1;
        }
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match (line.get(i), line.get(i + 1)) {
                    (None, _) => return Err("unterminated quoted field"),
                    (Some(b'"'), Some(b'"')) => {
                        field.push(b'"');
                        i += 2;
                    }
                    (Some(b'"'), _) => {
                        i += 1;
                        break;
                    }
                    (Some(&b), _) => {
                        field.push(b);
                        i += 1;
                    }
                }
            }
            while i < line.len() && space(line[i]) {
                i += 1;
            }
            if i < line.len() && line[i] != b',' {
                return Err("text after a closing quote");
            }
        } else {
            while i < line.len() && line[i] != b',' {
                field.push(line[i]);
                i += 1;
            }
        }
        let text = String::from_utf8_lossy(&field);
        fields.push(text.trim_matches(|c| c == ' ' || c == '\t').to_string());
        field.clear();
        if i >= line.len() {
            return Ok(fields);
        }
        i += 1;
    }
}

/// [`parse_csv`] on a file.
pub fn parse_csv_file(
    path: impl AsRef<Path>,
    decimals: u8,
) -> Result<Vec<Allocation>, ClientError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| ClientError::io(path, e))?;
    parse_csv(file, decimals)
}

/// A header row: its first field is not an address and every other field is a word.
fn is_header(fields: &[String]) -> bool {
    let word = |f: &str| {
        f.bytes().any(|b| b.is_ascii_alphabetic())
            && !f
                .bytes()
                .all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b))
    };
    Pubkey::from_str(&fields[0]).is_err() && fields.iter().all(|f| word(f))
}

/// Reports the duplicate whose second occurrence comes first in the file.
fn check_duplicates(allocations: &[Allocation], lines: &[usize]) -> Result<(), ClientError> {
    let mut order: Vec<(&[u8], usize)> = allocations
        .iter()
        .zip(lines)
        .map(|(a, &line)| (a.claimant.as_ref(), line))
        .collect();
    order.par_sort_unstable();
    let first_duplicate = order
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .min_by_key(|w| w[1].1);
    match first_duplicate {
        Some(w) => Err(ClientError::DuplicateClaimant {
            claimant: Pubkey::try_from(w[0].0).unwrap_or_default(),
            first_line: w[0].1,
            line: w[1].1,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Pubkey {
        Pubkey::new_from_array([b; 32])
    }

    fn parse(text: &str, decimals: u8) -> Result<Vec<Allocation>, ClientError> {
        parse_csv(text.as_bytes(), decimals)
    }

    #[test]
    fn amounts_convert_exactly() {
        assert_eq!(parse_amount("1.5", 6), Ok(1_500_000));
        assert_eq!(parse_amount("1", 6), Ok(1_000_000));
        assert_eq!(parse_amount("0.000001", 6), Ok(1));
        assert_eq!(parse_amount(" 42 ", 0), Ok(42));
        assert_eq!(parse_amount("1.500000000", 6), Ok(1_500_000));
        assert_eq!(parse_amount("007.25", 2), Ok(725));
        assert_eq!(parse_amount("0", 9), Ok(0));
        assert_eq!(parse_amount("18446744073709551615", 0), Ok(u64::MAX));
        assert_eq!(parse_amount("18446744073.709551615", 9), Ok(u64::MAX));
    }

    #[test]
    fn amounts_that_do_not_convert_are_rejected() {
        use AmountError::*;
        assert_eq!(
            parse_amount("1.0000001", 6),
            Err(TooManyDecimals { decimals: 6 })
        );
        assert_eq!(parse_amount("0.5", 0), Err(TooManyDecimals { decimals: 0 }));
        assert_eq!(parse_amount("", 6), Err(Empty));
        assert_eq!(parse_amount("  ", 6), Err(Empty));
        assert_eq!(parse_amount("-1", 6), Err(Negative));
        assert_eq!(parse_amount("1e6", 0), Err(Exponent));
        assert_eq!(parse_amount("1.5E+3", 6), Err(Exponent));
        assert_eq!(parse_amount("abc", 6), Err(NotANumber));
        assert_eq!(parse_amount("e", 6), Err(NotANumber));
        assert_eq!(parse_amount("+1", 6), Err(NotANumber));
        assert_eq!(parse_amount(".5", 6), Err(NotANumber));
        assert_eq!(parse_amount("5.", 6), Err(NotANumber));
        assert_eq!(parse_amount("1.2.3", 6), Err(NotANumber));
        assert_eq!(parse_amount("1 000", 6), Err(NotANumber));
        assert_eq!(parse_amount("١", 6), Err(NotANumber));
        assert_eq!(parse_amount("18446744073709551616", 0), Err(Overflow));
        assert_eq!(parse_amount("18446744074", 9), Err(Overflow));
        assert_eq!(parse_amount("1", 20), Err(Overflow));
        assert_eq!(parse_amount("0.00000000000000000001", 20), Ok(1));
        assert_eq!(parse_amount("0", 255), Ok(0));
    }

    #[test]
    fn format_is_the_inverse_of_parse() {
        assert_eq!(format_amount(1_500_000, 6), "1.5");
        assert_eq!(format_amount(1_000_000, 6), "1");
        assert_eq!(format_amount(1, 6), "0.000001");
        assert_eq!(format_amount(0, 6), "0");
        assert_eq!(format_amount(0, 0), "0");
        assert_eq!(format_amount(123, 0), "123");
        assert_eq!(format_amount(u64::MAX, 9), "18446744073.709551615");
        assert_eq!(format_amount(1, 25), "0.0000000000000000000000001");
        for (v, d) in [
            (1u64, 0u8),
            (10, 1),
            (123_456_789, 4),
            (u64::MAX, 19),
            (7, 19),
        ] {
            assert_eq!(parse_amount(&format_amount(v, d), d), Ok(v), "{v} {d}");
        }
    }

    #[test]
    fn two_and_three_column_shapes_with_optional_header() {
        let (a, b) = (key(1), key(2));
        let two = format!("{a},1.5\n{b},2\n");
        assert_eq!(
            parse(&two, 6).unwrap(),
            vec![
                Allocation::new(a, 1_500_000, 0),
                Allocation::new(b, 2_000_000, 0)
            ]
        );
        let three =
            format!("\u{feff}Claimant , Unlocked, Locked\r\n\r\n {a} , 1 , 2 \r\n\n{b},0,3\n");
        assert_eq!(
            parse(&three, 0).unwrap(),
            vec![Allocation::new(a, 1, 2), Allocation::new(b, 0, 3)]
        );
        let quoted = format!("\"wallet\",\"amount\"\n\"{a}\",\"10\"\n");
        assert_eq!(parse(&quoted, 0).unwrap(), vec![Allocation::new(a, 10, 0)]);
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(split_fields(b"a,b\r\n").unwrap(), ["a", "b"]);
        assert_eq!(
            split_fields(b" \"x, \"\"y\"\"\" , z ,\n").unwrap(),
            ["x, \"y\"", "z", ""]
        );
        assert_eq!(split_fields(b"").unwrap(), [""]);
        assert_eq!(split_fields(b"\"open,1"), Err("unterminated quoted field"));
        assert_eq!(split_fields(b"\"a\"b,1"), Err("text after a closing quote"));
        let a = key(1);
        assert!(matches!(
            parse(&format!("{a},1\n\"{a},2\n"), 0),
            Err(ClientError::Csv { line: 2, .. })
        ));
        // A quoted thousands separator is one field, and not a number.
        assert!(matches!(
            parse(&format!("{a},\"1,000\"\n"), 0),
            Err(ClientError::InvalidAmount {
                line: 1,
                reason: AmountError::NotANumber,
                ..
            })
        ));
    }

    #[test]
    fn errors_name_the_line() {
        let (a, b) = (key(1), key(2));
        let bad_address = format!("claimant,amount\n{a},1\nnot-a-key,2\n");
        assert!(matches!(
            parse(&bad_address, 0),
            Err(ClientError::InvalidAddress { line: 3, value }) if value == "not-a-key"
        ));
        // A typo in the first row is not mistaken for a header.
        assert!(matches!(
            parse("7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgA0,5\n", 0),
            Err(ClientError::InvalidAddress { line: 1, .. })
        ));
        let dup = format!("{a},1\n{b},2\n\n{a},3\n{b},4\n");
        assert!(matches!(
            parse(&dup, 0),
            Err(ClientError::DuplicateClaimant { first_line: 1, line: 4, claimant }) if claimant == a
        ));
        let columns = format!("{a},1,0\n{b},2\n");
        assert!(matches!(
            parse(&columns, 0),
            Err(ClientError::ColumnCount {
                line: 2,
                expected: 3,
                found: 2
            })
        ));
        assert!(matches!(
            parse(&format!("{a}\n"), 0),
            Err(ClientError::UnsupportedColumns { line: 1, found: 1 })
        ));
        assert!(matches!(
            parse(&format!("{a},1,2,3\n"), 0),
            Err(ClientError::UnsupportedColumns { line: 1, found: 4 })
        ));
        let zero = format!("{a},0,0\n");
        assert!(matches!(
            parse(&zero, 0),
            Err(ClientError::ZeroAllocation { line: 1 })
        ));
        let negative = format!("{a},5\n{b},-5\n");
        assert!(matches!(
            parse(&negative, 0),
            Err(ClientError::InvalidAmount {
                line: 2,
                column: "amount",
                reason: AmountError::Negative,
                ..
            })
        ));
        let decimals = format!("{a},1.0000001\n");
        assert!(matches!(
            parse(&decimals, 6),
            Err(ClientError::InvalidAmount {
                line: 1,
                reason: AmountError::TooManyDecimals { decimals: 6 },
                ..
            })
        ));
        let locked = format!("{a},1,x\n");
        assert!(matches!(
            parse(&locked, 0),
            Err(ClientError::InvalidAmount {
                line: 1,
                column: "locked",
                reason: AmountError::NotANumber,
                ..
            })
        ));
        let row = format!("{a},{},1\n", u64::MAX);
        assert!(matches!(
            parse(&row, 0),
            Err(ClientError::RowTotalOverflow { line: 1 })
        ));
        let grand = format!("{a},{}\n{b},1\n", u64::MAX);
        assert!(matches!(
            parse(&grand, 0),
            Err(ClientError::GrandTotalOverflow { line: 2 })
        ));
        assert!(matches!(parse("", 0), Err(ClientError::NoAllocations)));
        assert!(matches!(parse("\n \n", 0), Err(ClientError::NoAllocations)));
        assert!(matches!(
            parse("claimant,amount\n", 0),
            Err(ClientError::NoAllocations)
        ));
    }

    #[test]
    fn error_messages_are_readable() {
        let dup = format!("{},1\n{},2\n", key(1), key(1));
        assert_eq!(
            parse(&dup, 0).unwrap_err().to_string(),
            format!("line 2: duplicate claimant {} (already on line 1)", key(1))
        );
        assert_eq!(
            parse(&format!("{},1.23\n", key(1)), 1)
                .unwrap_err()
                .to_string(),
            "line 1: amount \"1.23\": more than 1 decimal places"
        );
    }

    #[test]
    fn never_panics_on_garbage() {
        let inputs: [&[u8]; 8] = [
            b"\xff\xfe\x00\x01",
            b"\"unterminated",
            b",,,\n,,\n",
            b"\xf0\x28\x8c\x28,1\n",
            b"claimant,amount\n\xff,1\n",
            b"\n\n\n\r\n",
            b"a,b\nc\n",
            b"\x00\x00\x00,\x00",
        ];
        for input in inputs {
            assert!(parse_csv(input, 6).is_err(), "{input:?}");
        }
        // Deterministic pseudo-random bytes.
        let mut x = 0x1234_5678_u32;
        for _ in 0..500 {
            let bytes: Vec<u8> = (0..64)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    let alphabet = b",\n0.9e-\xffAb1\"";
                    alphabet[x as usize % alphabet.len()]
                })
                .collect();
            let _ = parse_csv(&bytes[..], 3);
        }
    }

    #[test]
    fn canonical_order_is_claimant_bytes_ascending() {
        let mut hi = [0u8; 32];
        hi[0] = 1;
        let mut lo = [255u8; 32];
        lo[0] = 0;
        let allocations = vec![
            Allocation::new(Pubkey::new_from_array(hi), 1, 0),
            Allocation::new(Pubkey::new_from_array(lo), 2, 0),
            Allocation::new(key(0), 3, 0),
        ];
        let sorted = canonical(allocations);
        let bytes: Vec<[u8; 32]> = sorted.iter().map(|a| a.claimant.to_bytes()).collect();
        assert_eq!(bytes, vec![[0; 32], lo, hi]);
        assert!(is_canonical(&sorted));
        assert!(!is_canonical(&[sorted[0], sorted[0]]));
    }

    #[test]
    fn totals_are_checked() {
        let list = [Allocation::new(key(1), 5, 7), Allocation::new(key(2), 1, 0)];
        assert_eq!(
            totals(&list).unwrap(),
            Totals {
                unlocked: 6,
                locked: 7,
                total: 13
            }
        );
        let over = [
            Allocation::new(key(1), u64::MAX, 0),
            Allocation::new(key(2), 0, 1),
        ];
        assert!(matches!(totals(&over), Err(ClientError::TotalOverflow)));
    }
}
