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
