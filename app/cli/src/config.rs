//! Cluster, signer and commitment, like the Solana CLI: `--url/-u` (a URL or a
//! moniker) and `--keypair/-k` (a keypair file, `stdin`, `prompt://`, `usb://ledger`;
//! see [`crate::signer`]), both defaulting to `~/.config/solana/cli/config.yml`, and
//! `--commitment`.

use crate::signer;
use anyhow::{Context, anyhow, bail};
use floodgate_client::chain::rpc::CommitmentLevel;
use solana_sdk::signature::{Keypair, Signer};
use std::path::{Path, PathBuf};

/// The flags every command shares.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Globals {
    /// JSON-RPC URL or moniker: mainnet-beta (m), devnet (d), testnet (t), localhost (l).
    #[arg(long, short = 'u', global = true, value_name = "URL_OR_MONIKER")]
    pub url: Option<String>,

    /// The signer that signs and pays: a keypair file (JSON array of 64 bytes; also
    /// `file://PATH`), `stdin` or `-` (that JSON on standard input), `prompt://` (a seed
    /// phrase at a terminal; `?key=0/0` for a derivation path), `prompt:` or `ASK` (the
    /// legacy derivation) or `usb://ledger` (`?key=…` likewise) [default: the Solana
    /// CLI config's keypair, else ~/.config/solana/id.json].
    #[arg(long, short = 'k', global = true, value_name = "SIGNER")]
    pub keypair: Option<String>,

    /// The commitment reads and confirmations wait for: processed, confirmed or
    /// finalized.
    #[arg(long, global = true, value_name = "LEVEL", default_value = "confirmed", value_parser = parse_commitment)]
    pub commitment: CommitmentLevel,

    /// Solana CLI configuration file [default: ~/.config/solana/cli/config.yml].
    #[arg(long, short = 'C', global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// What the Solana CLI configuration file says (only the keys used here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub keypair_path: Option<String>,
}

impl SolanaConfig {
    /// Reads the `key: value` lines of the YAML file (flat, as `solana config set`
    /// writes it); quotes are stripped.
    pub fn parse(text: &str) -> Self {
        let mut config = Self::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string();
            match key.trim() {
                "json_rpc_url" if !value.is_empty() => config.json_rpc_url = Some(value),
                "keypair_path" if !value.is_empty() => config.keypair_path = Some(value),
                _ => {}
            }
        }
        config
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

impl Globals {
    fn solana_config(&self) -> anyhow::Result<SolanaConfig> {
        let path = match &self.config {
            Some(p) => p.clone(),
            None => match home() {
                Some(h) => h.join(".config/solana/cli/config.yml"),
                None => return Ok(SolanaConfig::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(SolanaConfig::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && self.config.is_none() => {
                Ok(SolanaConfig::default())
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// The JSON-RPC URL: `--url`, else the config file, else an error (nothing is sent
    /// to a cluster nobody chose).
    pub fn rpc_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.url {
            return resolve_moniker(url);
        }
        match self.solana_config()?.json_rpc_url {
            Some(url) => resolve_moniker(&url),
            None => bail!(
                "no cluster: pass --url (m, d, t, l or a URL) or run `solana config set --url ...`"
            ),
        }
    }

    /// The signer: `--keypair`, else the config file's keypair, else
    /// `~/.config/solana/id.json`.
    pub fn signer(&self) -> anyhow::Result<Box<dyn Signer>> {
        let source = match (&self.keypair, self.solana_config()?.keypair_path) {
            (Some(text), _) => signer::parse(text)?,
            (None, Some(p)) => signer::parse(&expand_home(&p).to_string_lossy())?,
            (None, None) => signer::SignerSource::File(
                home()
                    .map(|h| h.join(".config/solana/id.json"))
                    .ok_or_else(|| anyhow!("no keypair: pass --keypair FILE"))?,
            ),
        };
        signer::signer(&source, "--keypair")
    }
}

/// `processed`, `confirmed` or `finalized`.
pub fn parse_commitment(text: &str) -> Result<CommitmentLevel, String> {
    match text {
        "processed" => Ok(CommitmentLevel::Processed),
        "confirmed" => Ok(CommitmentLevel::Confirmed),
        "finalized" => Ok(CommitmentLevel::Finalized),
        other => Err(format!(
            "{other:?} is not a commitment: processed, confirmed or finalized"
        )),
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), home()) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(path),
    }
}

/// `m`/`mainnet-beta`, `d`/`devnet`, `t`/`testnet`, `l`/`localhost`, or an http(s) URL.
pub fn resolve_moniker(value: &str) -> anyhow::Result<String> {
    Ok(match value {
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com".into(),
        "d" | "devnet" => "https://api.devnet.solana.com".into(),
        "t" | "testnet" => "https://api.testnet.solana.com".into(),
        "l" | "localhost" => "http://localhost:8899".into(),
        url if url.starts_with("http://") || url.starts_with("https://") => url.into(),
        other => bail!("--url {other:?} is neither a moniker (m, d, t, l) nor an http(s) URL"),
    })
}

/// Reads a Solana CLI keypair file: a JSON array of 64 bytes.
pub fn read_keypair(path: &Path) -> anyhow::Result<Keypair> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading keypair {} (create one with `solana-keygen new -o {}`, or pass --keypair)",
            path.display(),
            path.display()
        )
    })?;
    let bytes: Vec<u8> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON array of bytes", path.display()))?;
    Keypair::try_from(bytes.as_slice())
        .map_err(|e| anyhow!("{} is not a keypair: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_and_urls() {
        assert_eq!(
            resolve_moniker("d").unwrap(),
            "https://api.devnet.solana.com"
        );
        assert_eq!(resolve_moniker("l").unwrap(), "http://localhost:8899");
        assert_eq!(resolve_moniker("http://x:1").unwrap(), "http://x:1");
        assert!(resolve_moniker("devnot").is_err());
    }

    #[test]
    fn commitments() {
        assert_eq!(
            parse_commitment("finalized"),
            Ok(CommitmentLevel::Finalized)
        );
        assert_eq!(
            parse_commitment("processed"),
            Ok(CommitmentLevel::Processed)
        );
        assert!(parse_commitment("max").is_err());
    }

    #[test]
    fn config_lines() {
        let c = SolanaConfig::parse(
            "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: \"\"\nkeypair_path: /home/a/id.json\n",
        );
        assert_eq!(
            c.json_rpc_url.as_deref(),
            Some("https://api.devnet.solana.com")
        );
        assert_eq!(c.keypair_path.as_deref(), Some("/home/a/id.json"));
    }
}
