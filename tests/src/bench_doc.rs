//! `docs/benchmarks.md`, rendered from its template (`bench/benchmarks.md.in`) and the
//! compute-unit bench's figures (`bench/cu.json`): the bench writes it, and a test checks
//! that the committed page is what they render, so the page is never patched by hand.

use serde_json::Value;

/// The template, relative to the workspace root.
pub const TEMPLATE: &str = "bench/benchmarks.md.in";
/// The page, relative to the workspace root.
pub const PAGE: &str = "docs/benchmarks.md";

/// The page for `template` and the bench file `bench`: `{{claims}}` and
/// `{{operations}}` replaced by their tables, under a notice that it is generated.
pub fn render(template: &str, bench: &Value) -> String {
    format!(
        "<!-- Written by the compute-unit bench (tests/tests/compute_units.rs) from {TEMPLATE}\n     \
         and bench/cu.json: edit the template, not this page. -->\n\n{}",
        template
            .replace("{{claims}}\n", &claim_table(bench))
            .replace("{{operations}}\n", &operations_table(bench))
    )
}

/// `1234567` as `1,234,567`, as the README writes figures.
pub fn grouped(n: &Value) -> String {
    let digits = n.as_u64().expect("a figure").to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The claim table by depth and shard size: SPL Token and Token-2022 side by side, the
/// guarded claim (depth 20, shards of 2^12 leaves) in bold.
pub fn claim_table(bench: &Value) -> String {
    let claims = bench["claim"].as_array().unwrap();
    let on = |program: &str, spl: &Value| {
        claims
            .iter()
            .find(|row| {
                row["token_program"] == program
                    && row["depth"] == spl["depth"]
                    && row["shard_bits"] == spl["shard_bits"]
            })
            .unwrap_or_else(|| panic!("bench/cu.json: no {program} claim like {spl}"))
    };
    let mut table =
        "| depth | shards | proof hashes | SPL Token: total | token program | Floodgate \
                     | Token-2022: total | token program | Floodgate | wallet tx bytes |\n\
                     |---|---|---|---|---|---|---|---|---|---|\n"
            .to_string();
    for spl in claims
        .iter()
        .filter(|row| row["token_program"] == "spl-token")
    {
        let t22 = on("token-2022", spl);
        let guarded = spl["depth"] == 20 && spl["shard_bits"] == 12;
        let bold = |figure: String| match guarded {
            true => format!("**{figure}**"),
            false => figure,
        };
        table += &format!(
            "| {} | 2^{} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            bold(spl["depth"].to_string()),
            spl["shard_bits"],
            spl["proof_hashes"],
            bold(grouped(&spl["total_cu"])),
            grouped(&spl["token_program_cu"]),
            bold(grouped(&spl["program_cu"])),
            bold(grouped(&t22["total_cu"])),
            grouped(&t22["token_program_cu"]),
            bold(grouped(&t22["program_cu"])),
            grouped(&spl["wallet_tx_bytes"]),
        );
    }
    table
}

/// The other instructions, in the README's order and words.
pub fn operations_table(bench: &Value) -> String {
    const LABELS: [(&str, &str); 8] = [
        ("claim_for", "`claim_for` (token account exists)"),
        (
            "claim_for + create ATA",
            "`claim_for` + creating the claimant's token account",
        ),
        (
            "claim (with a locked part)",
            "`claim`, leaf with a locked part (creates the vesting status)",
        ),
        ("withdraw_vested", "`withdraw_vested`"),
        ("clawback", "`clawback`"),
        (
            "create_shard (2^12 leaves)",
            "`create_shard` (2^12 leaves, depth 20: 8 upper hashes)",
        ),
        (
            "create_shard (2^16 leaves)",
            "`create_shard` (2^16 leaves, depth 32: 16 upper hashes)",
        ),
        ("create_distributor", "`create_distributor`"),
    ];
    let operations = bench["operations"].as_array().unwrap();
    assert_eq!(
        operations.len(),
        LABELS.len(),
        "an operation without a label"
    );
    let mut table =
        "| instruction | total | Floodgate | token program | other programs | tx bytes |\n\
                     |---|---|---|---|---|---|\n"
            .to_string();
    for (name, label) in LABELS {
        let row = operations
            .iter()
            .find(|row| row["name"] == name)
            .unwrap_or_else(|| panic!("bench/cu.json: no operation {name}"));
        table += &format!(
            "| {label} | {} | {} | {} | {} | {} |\n",
            grouped(&row["total_cu"]),
            grouped(&row["program_cu"]),
            grouped(&row["token_program_cu"]),
            grouped(&row["other_programs_cu"]),
            grouped(&row["tx_bytes"]),
        );
    }
    table
}
