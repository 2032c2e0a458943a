//! The published interface and its documentation agree: the committed IDL names this
//! program, `docs/errors.md` lists every error of the IDL, code for code,
//! `docs/benchmarks.md` is its template with the tables of `bench/cu.json`, figure for
//! figure, and every Markdown table of the repository has as many cells in each row as
//! in its header.

use floodgate_tests::bench_doc;
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
fn the_error_reference_lists_every_error_code() {
    let idl: Value = serde_json::from_str(&workspace_file("idl/floodgate.json")).unwrap();
    let reference = workspace_file("docs/errors.md");
    let errors = idl["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        floodgate::errors::FloodgateError::InvalidShardRoot as usize + 1
    );
    for error in errors {
        let code = error["code"].as_u64().unwrap();
        let row = format!(
            "| {code} | 0x{code:x} | `{}` | {} |",
            error["name"].as_str().unwrap(),
            error["msg"].as_str().unwrap()
        );
        assert!(
            reference.contains(&row),
            "docs/errors.md lacks the row {row}"
        );
    }
}

#[test]
fn the_benchmarks_page_is_its_template_and_the_bench_file() {
    let bench: Value = serde_json::from_str(&workspace_file("bench/cu.json")).unwrap();
    let expected = bench_doc::render(&workspace_file(bench_doc::TEMPLATE), &bench);
    let page = workspace_file(bench_doc::PAGE);
    assert!(
        page == expected,
        "{} is not what {} and bench/cu.json render: edit the template and run the bench \
         with CU_BENCH_WRITE=1 (or write this):\n{expected}",
        bench_doc::PAGE,
        bench_doc::TEMPLATE
    );
    for table in [
        bench_doc::claim_table(&bench),
        bench_doc::operations_table(&bench),
    ] {
        assert!(page.contains(&table));
    }
}

/// The entrypoint sends every instruction with fewer accounts than a claim straight to
/// Anchor, without walking the input: true of every instruction but the two claims.
#[test]
fn only_the_claims_have_as_many_accounts_as_a_claim() {
    let idl: Value = serde_json::from_str(&workspace_file("idl/floodgate.json")).unwrap();
    for instruction in idl["instructions"].as_array().unwrap() {
        let name = instruction["name"].as_str().unwrap();
        let accounts = instruction["accounts"].as_array().unwrap().len();
        if ["claim", "claim_for"].contains(&name) {
            assert_eq!(accounts, floodgate::lean::claim::ACCOUNTS, "{name}");
        } else {
            assert!(
                accounts < floodgate::lean::claim::ACCOUNTS,
                "{name}: {accounts}"
            );
        }
    }
}

/// The Markdown files of the repository (outside `target/` and `node_modules/`).
fn markdown_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                markdown_files(&path, out);
            }
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
}

/// Cells of a table row: `|` splits them unless escaped as `\|`.
fn cells(row: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in row.trim().chars() {
        if c == '|' && !escaped {
            count += 1;
        }
        escaped = c == '\\';
    }
    count - 1
}

/// A table whose rows have other cell counts than its header renders wrong (a bench
/// rewrite once left a CU row as the Token-2022 table's header).
#[test]
fn every_markdown_table_is_well_formed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    markdown_files(root, &mut files);
    assert!(files.len() >= 3, "{files:?}");
    let mut tables = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut fenced = false;
        let mut header: Option<(usize, usize)> = None;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            if fenced || !line.starts_with('|') {
                header = None;
                continue;
            }
            match header {
                None => {
                    header = Some((cells(line), n + 1));
                    tables += 1;
                }
                Some((expected, at)) => assert_eq!(
                    cells(line),
                    expected,
                    "{}:{}: a row of the table at line {at} has another cell count",
                    file.display(),
                    n + 1
                ),
            }
        }
    }
    assert!(tables > 10, "only {tables} tables found");
}

/// The SBF build carries its `security_txt!` (where to report a vulnerability), and
/// once: the CPI build of `claim-and-stake` links the program without it. Checked in the
/// SBF pass (`SBF_OUT_DIR`); the native pass has no `.so` to read.
#[test]
fn the_sbf_build_names_where_to_report_a_vulnerability() {
    if !floodgate_client::local::uses_sbf() {
        return;
    }
    let dir = std::env::var_os("SBF_OUT_DIR").expect("uses_sbf");
    let read = |name: &str| std::fs::read(Path::new(&dir).join(name)).expect(name);
    let count = |haystack: &[u8], needle: &[u8]| {
        haystack
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count()
    };
    let program = read("floodgate.so");
    assert_eq!(count(&program, b"=======BEGIN SECURITY.TXT V1=======\0"), 1);
    assert_eq!(count(&program, b"=======END SECURITY.TXT V1=======\0"), 1);
    for field in ["name\0Floodgate\0", "contacts\0", "policy\0"] {
        assert_eq!(count(&program, field.as_bytes()), 1, "{field:?}");
    }
    let integrator = read("claim_and_stake.so");
    assert_eq!(count(&integrator, b"BEGIN SECURITY.TXT"), 0);
}
