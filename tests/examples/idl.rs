//! Writes the IDLs of the workspace's programs to `idl/` without the Anchor CLI, through
//! anchor-lang's `idl-build` feature (the same machinery `anchor build` uses), and
//! Floodgate's error reference, `docs/errors.md`, from its IDL.
//!
//!     cargo run -p floodgate-tests --example idl
//!
//! CI runs it and fails when the committed files differ
//! (`git diff --exit-code idl/ docs/errors.md`).

use anchor_lang_idl::build::IdlBuilder;
use std::{fs, path::Path};

const PROGRAMS: [(&str, &str); 2] = [
    ("programs/floodgate", "idl/floodgate.json"),
    ("programs/claim-and-stake", "idl/claim_and_stake.json"),
];

fn main() {
    // rustup exports RUSTUP_TOOLCHAIN to the processes cargo runs, and anchor-lang-idl
    // 0.1.4 then calls `cargo +{toolchain}` (literally) after trying to install it.
    // SAFETY: first statement of a single-threaded main; no other thread reads the env.
    unsafe { std::env::remove_var("RUSTUP_TOOLCHAIN") };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root");
    for (program, out) in PROGRAMS {
        let idl = IdlBuilder::new()
            .program_path(root.join(program))
            .build()
            .unwrap_or_else(|e| panic!("building the IDL of {program}: {e:#}"));
        let json = serde_json::to_string_pretty(&idl).expect("an IDL serializes") + "\n";
        let path = root.join(out);
        fs::create_dir_all(path.parent().expect("idl/")).expect("create idl/");
        fs::write(&path, json).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        println!("wrote {out}");
        if program == "programs/floodgate" {
            let errors = errors_md(&serde_json::to_value(&idl).expect("an IDL serializes"));
            fs::write(root.join(ERRORS_MD), errors).expect("writing docs/errors.md");
            println!("wrote {ERRORS_MD}");
        }
    }
}

const ERRORS_MD: &str = "docs/errors.md";

/// The error reference: every error of the IDL, code for code.
fn errors_md(idl: &serde_json::Value) -> String {
    let mut out = String::from(
        "# Floodgate's errors\n\n\
         Written by `cargo run -p floodgate-tests --example idl` from `idl/floodgate.json`; do\n\
         not edit by hand. A failed instruction reports `custom program error: 0x…`: the\n\
         code in hex. Codes are public API: new errors are appended, none is renumbered.\n\
         Where each check is made and which test breaks it: `SECURITY.md`, section 3.\n\
         Codes below 6000 are Anchor's own (account constraints, deserialization).\n\n\
         | code | hex | name | message |\n|---|---|---|---|\n",
    );
    for error in idl["errors"].as_array().expect("the IDL lists errors") {
        let code = error["code"].as_u64().expect("a code");
        out += &format!(
            "| {code} | 0x{code:x} | `{}` | {} |\n",
            error["name"].as_str().expect("a name"),
            error["msg"].as_str().unwrap_or("").replace('|', "\\|"),
        );
    }
    out
}
