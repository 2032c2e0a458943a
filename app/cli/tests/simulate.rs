//! `floodgate simulate` end to end, as a user runs it.

use assert_cmd::Command;
use serde_json::Value;

fn simulate(args: &[&str]) -> (Value, i32) {
    let output = Command::cargo_bin("floodgate")
        .unwrap()
        .arg("simulate")
        .args(args)
        .args(["--output", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (report, output.status.code().unwrap())
}

#[test]
fn a_generated_drop_passes_every_check() {
    let (report, code) = simulate(&[
        "--claimants",
        "120",
        "--shard-bits",
        "5",
        "--page-bits",
        "4",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["passed"], true);
    assert_eq!(report["claimants"], 120);
    assert_eq!(report["shards"], 4);
    assert_eq!(
        report["claimed_by_claimant"].as_u64().unwrap() + report["pushed"].as_u64().unwrap(),
        120
    );
    assert_eq!(report["vested_withdrawals"], 30); // every 4th claimant
    assert_eq!(report["clawed_back"], 0);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["passed"] == true)
    );
    let rent = &report["rent"];
    assert_eq!(rent["creator_paid"], rent["creator_refunded"]);
    assert_eq!(rent["vesting_paid"], rent["vesting_refunded"]);
}

#[test]
fn the_report_models_a_surge_with_the_given_limits() {
    let (report, code) = simulate(&[
        "--claimants",
        "8",
        "--shard-bits",
        "10",
        "--surge-claims",
        "100000",
        "--account-cu",
        "1500000",
        "--slot-ms",
        "500",
    ]);
    assert_eq!(code, 0, "{report:#}");
    let surge = &report["surge"];
    assert_eq!(surge["claims"], 100_000);
    assert_eq!(surge["depth"], 17);
    assert_eq!(surge["limits"]["account_cu"], 1_500_000);
    let all = surge["rows"].as_array().unwrap();
    // Rows for 0, 50 (the default mix) and 100 % of new token accounts.
    let mixes: Vec<u64> = all
        .iter()
        .map(|r| r["new_accounts_percent"].as_u64().unwrap())
        .collect();
    assert_eq!(mixes, [0, 0, 0, 50, 50, 50, 100, 100, 100]);
    let rows = &all[..3];
    let hot: Vec<u64> = rows
        .iter()
        .map(|r| r["hot_accounts"].as_u64().unwrap())
        .collect();
    assert_eq!(hot, [1, 2, 98]); // shared; 2^16-leaf shards; 2^10-leaf shards
    let blocks = |r: &Value| r["blocks"].as_u64().unwrap();
    // One shared account: 1.5M CU per block of claims at the measured cost.
    let cu = surge["cu_per_claim"].as_u64().unwrap();
    assert_eq!(blocks(&rows[0]), 100_000u64.div_ceil(1_500_000 / cu));
    assert_eq!(rows[0]["bound"], "hot_account");
    assert!(blocks(&rows[2]) < blocks(&rows[1]) && blocks(&rows[1]) < blocks(&rows[0]));
    assert_eq!(rows[2]["seconds"], blocks(&rows[2]) as f64 * 0.5);
    // Every claim creating its account: each costs the creation more, and clears slower.
    let create = surge["cu_create_account"].as_u64().unwrap();
    assert_eq!(all[6]["cu_per_claim"].as_u64().unwrap(), cu + create);
    assert!(blocks(&all[8]) > blocks(&rows[2]));
}

#[test]
fn a_csv_drop_on_token_2022_pushes_every_leaf_and_claws_back_the_locked_parts() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("list.csv");
    let lines = [
        "claimant,unlocked,locked",
        "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM,1.5,2",
        "BPFLoaderUpgradeab1e11111111111111111111111,3,0",
        "So11111111111111111111111111111111111111112,0.000001,0",
    ];
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let out = dir.path().join("drop");
    let (report, code) = simulate(&[
        "--csv",
        csv.to_str().unwrap(),
        "--token-2022",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["token_program"], "Token-2022");
    assert_eq!(report["pushed"], 3);
    assert_eq!(report["total_amount"], 6_500_001);
    assert_eq!(report["clawed_back"], 2_000_000);
    assert!(out.join("manifest.json").is_file());
    assert!(out.join("pages/index").is_file());
}

#[test]
fn a_bad_csv_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("list.csv");
    std::fs::write(&csv, "claimant,amount\nnot-an-address,5\n").unwrap();
    let output = Command::cargo_bin("floodgate")
        .unwrap()
        .args(["simulate", "--csv", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("line 2: invalid address"), "{stderr}");
}

/// `prompt://` without a terminal is refused at once: the seed-phrase prompt would read
/// nothing, refuse the empty phrase and ask again forever.
#[test]
fn a_seed_phrase_prompt_without_a_terminal_is_refused_at_once() {
    let output = Command::cargo_bin("floodgate")
        .unwrap()
        .args(["--url", "http://127.0.0.1:9", "--keypair", "prompt://"])
        .args(["claim", "--drop", "drop/"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("standard input or error is not one"),
        "{stderr}"
    );
}
