//! Writes the IDLs of the workspace's programs to `idl/` without the Anchor CLI, through
//! anchor-lang's `idl-build` feature (the same machinery `anchor build` uses).
//!
//!     cargo run -p floodgate-tests --example idl
//!
//! CI runs it and fails when the committed files differ (`git diff --exit-code idl/`).

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
    }
}
