//! Every `floodgate …` command shown in the README and in `docs/` parses with the CLI's
//! own parser.
//! Placeholders in capitals (`MINT`, `ADDR`, `TOKEN_ACCOUNT`) stand for addresses.

use clap::Parser;
use floodgate_cli::cli::Cli;

/// The README and every Markdown file of `docs/`, with their paths.
fn pages() -> Vec<(String, String)> {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut paths = vec![root.join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), text)
        })
        .collect()
}

#[test]
fn every_command_in_the_readme_and_the_docs_parses() {
    let mut checked = 0;
    for (page, text) in pages() {
        checked += commands_that_parse(&page, &text);
    }
    assert!(
        checked >= 20,
        "only {checked} commands found in the README and docs/"
    );
}

/// Parses every `floodgate …` line of the `sh` blocks of `text`; returns how many.
fn commands_that_parse(page: &str, text: &str) -> usize {
    let mut in_shell_block = false;
    let mut checked = 0;
    for line in text.lines() {
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
            panic!("{page}: a line does not parse: {line}\n{error}");
        }
        checked += 1;
    }
    checked
}
