//! The creator's CSV, from checked-in files: accepted shapes and one file per error,
//! each asserting the exact variant and line.

use crate::common::*;
use floodgate_client::{
    ClientError,
    allocation::{Allocation, AmountError, canonical, format_amount, parse_csv_file},
};

fn parse(name: &str, decimals: u8) -> Result<Vec<Allocation>, ClientError> {
    parse_csv_file(fixtures_dir().join("csv").join(name), decimals)
}

#[test]
fn accepted_shapes() {
    assert_eq!(
        parse("two_columns.csv", 6).unwrap(),
        vec![
            Allocation::new(key(3), 1_500_000, 0),
            Allocation::new(key(1), 2_000_000, 0),
            Allocation::new(key(2), 1, 0),
        ]
    );
    let excel = parse("three_columns_excel.csv", 2).unwrap();
    assert_eq!(
        excel,
        vec![
            Allocation::new(key(2), 1000, 25),
            Allocation::new(key(1), 0, 700)
        ]
    );
    let sorted = canonical(excel);
    assert_eq!(sorted[0].claimant, key(1));
    assert_eq!(format_amount(sorted[1].unlocked, 2), "10");
}

#[test]
fn each_error_names_its_line() {
    let err = |name: &str, decimals: u8| parse(name, decimals).unwrap_err();
    assert!(matches!(
        err("bad_address.csv", 0),
        ClientError::InvalidAddress { line: 4, value } if value == "CktRuQ2mttgRGkXJtyksdKHjUdc2C4TgDzyB98oEzy0"
    ));
    assert!(matches!(
        err("comment_line.csv", 0),
        ClientError::ColumnCount {
            line: 3,
            expected: 2,
            found: 1
        }
    ));
    assert!(matches!(
        err("duplicate2.csv", 0),
        ClientError::DuplicateClaimant { first_line: 2, line: 5, claimant } if claimant == key(1)
    ));
    assert!(matches!(
        err("too_many_decimals.csv", 6),
        ClientError::InvalidAmount {
            line: 2,
            column: "amount",
            reason: AmountError::TooManyDecimals { decimals: 6 },
            ..
        }
    ));
    assert!(matches!(
        err("negative.csv", 0),
        ClientError::InvalidAmount {
            line: 2,
            column: "locked",
            reason: AmountError::Negative,
            ..
        }
    ));
    assert!(matches!(
        err("zero.csv", 0),
        ClientError::ZeroAllocation { line: 2 }
    ));
    assert!(matches!(
        err("exponent.csv", 0),
        ClientError::InvalidAmount {
            line: 1,
            reason: AmountError::Exponent,
            ..
        }
    ));
    assert!(matches!(
        err("ragged.csv", 0),
        ClientError::ColumnCount {
            line: 2,
            expected: 3,
            found: 2
        }
    ));
    assert!(matches!(
        err("header_only.csv", 0),
        ClientError::NoAllocations
    ));
    assert!(matches!(
        err("grand_total_overflow.csv", 6),
        ClientError::GrandTotalOverflow { line: 2 }
    ));
    assert!(matches!(
        err("not_utf8.csv", 0),
        ClientError::InvalidAddress { line: 2, .. }
    ));
    assert!(matches!(err("missing.csv", 0), ClientError::Io { .. }));
}

#[test]
fn messages_read_well() {
    assert_eq!(
        parse("too_many_decimals.csv", 6).unwrap_err().to_string(),
        "line 2: amount \"1.0000001\": more than 6 decimal places"
    );
    assert_eq!(
        parse("duplicate2.csv", 0).unwrap_err().to_string(),
        format!("line 5: duplicate claimant {} (already on line 2)", key(1))
    );
    assert_eq!(
        parse("zero.csv", 0).unwrap_err().to_string(),
        "line 2: the allocation is zero"
    );
}
