//! Every `floodgate …` command shown in the README parses with the CLI's own parser.
//! Placeholders in capitals (`MINT`, `ADDR`, `TOKEN_ACCOUNT`) stand for addresses.

use clap::Parser;
use floodgate_cli::cli::Cli;

#[test]
fn every_command_in_the_readme_parses() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let mut in_shell_block = false;
    let mut checked = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_shell_block = line == "```sh";
            continue;
        }
        let Some(command) = line.strip_prefix("floodgate ").filter(|_| in_shell_block) else {
            continue;
        };
        let command = command.split(" #").next().unwrap();
        let placeholder = |a: &str| a.chars().all(|c| c.is_ascii_uppercase() || c == '_');
        let args = std::iter::once("floodgate").chain(command.split_whitespace().map(|a| {
            if placeholder(a) {
                "So11111111111111111111111111111111111111112"
            } else {
                a
            }
        }));
        if let Err(error) = Cli::try_parse_from(args) {
            panic!("README line does not parse: {line}\n{error}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} commands found in the README");
}
