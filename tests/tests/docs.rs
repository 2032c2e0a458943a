//! The published interface and its documentation agree: the committed IDL names this
//! program, and the README's error table lists every error of the IDL, code for code.

use serde_json::Value;
use std::path::Path;

fn workspace_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_idl_is_this_programs() {
    let idl: Value = serde_json::from_str(&workspace_file("idl/floodgate.json")).unwrap();
    assert_eq!(idl["address"], floodgate::ID.to_string());
    // Codes are consecutive from Anchor's offset, in declaration order.
    for (i, error) in idl["errors"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            error["code"],
            anchor_lang::error::ERROR_CODE_OFFSET + i as u32
        );
    }
    let claimed = floodgate::errors::FloodgateError::AlreadyClaimed;
    let row = &idl["errors"][claimed as usize];
    assert_eq!(row["name"], "AlreadyClaimed");
}

#[test]
fn the_readme_lists_every_error_code() {
    let idl: Value = serde_json::from_str(&workspace_file("idl/floodgate.json")).unwrap();
    let readme = workspace_file("README.md");
    for error in idl["errors"].as_array().unwrap() {
        let row = format!(
            "| {} | `{}` | {} |",
            error["code"],
            error["name"].as_str().unwrap(),
            error["msg"].as_str().unwrap()
        );
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}
