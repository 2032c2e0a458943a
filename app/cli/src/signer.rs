//! Signers named as the Solana CLI names them: `--keypair` takes a keypair file (also
//! `file://PATH`), `stdin` (or `-`, `stdin://`: the JSON array of a keypair file read
//! from standard input), `prompt://` (a seed phrase and passphrase typed at the
//! terminal, `?key=ACCOUNT/CHANGE` for a derivation path; `prompt:` or `ASK` for the
//! legacy derivation without one), or `usb://ledger` (a Ledger through
//! `solana-remote-wallet`, `?key=…` likewise).

use anyhow::{Context, anyhow, bail};
use solana_derivation_path::DerivationPath;
use solana_keypair::{
    keypair_from_seed_phrase_and_passphrase, seed_derivable::keypair_from_seed_and_derivation_path,
};
use solana_sdk::signature::{Keypair, Signer};
use std::{io::Read, path::PathBuf};
use uriparse::URIReference;

/// Where a signer comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerSource {
    File(PathBuf),
    Stdin,
    /// A seed phrase typed at the terminal; `legacy`: the first 32 bytes of the seed,
    /// as `solana-keygen` did before derivation paths.
    Prompt {
        derivation: Option<DerivationPath>,
        legacy: bool,
    },
    /// A hardware wallet at this `usb://` locator.
    Usb {
        locator: String,
        derivation: Option<DerivationPath>,
    },
}

/// The Solana CLI's signer syntax.
pub fn parse(text: &str) -> anyhow::Result<SignerSource> {
    match text {
        "-" | "stdin" | "stdin://" => return Ok(SignerSource::Stdin),
        "ASK" | "prompt:" => {
            return Ok(SignerSource::Prompt {
                derivation: None,
                legacy: true,
            });
        }
        _ => {}
    }
    let Some((scheme, _)) = text.split_once("://") else {
        return Ok(SignerSource::File(PathBuf::from(text)));
    };
    let uri = URIReference::try_from(text).map_err(|e| anyhow!("signer {text:?}: {e}"))?;
    let derivation = || {
        DerivationPath::from_uri_key_query(&uri)
            .map_err(|e| anyhow!("signer {text:?}: derivation path: {e}"))
    };
    match scheme.to_ascii_lowercase().as_str() {
        "file" => Ok(SignerSource::File(PathBuf::from(uri.path().to_string()))),
        "stdin" => Ok(SignerSource::Stdin),
        "prompt" => Ok(SignerSource::Prompt {
            derivation: derivation()?,
            legacy: false,
        }),
        "usb" => Ok(SignerSource::Usb {
            locator: text.to_string(),
            derivation: derivation()?,
        }),
        other => bail!(
            "signer {text:?}: unknown scheme {other:?} (a keypair file, stdin, prompt://, usb://ledger)"
        ),
    }
}

/// The keypair of a seed phrase and passphrase, derived as the Solana CLI derives it:
/// BIP39's seed, then BIP32 at `derivation` (default `m/44'/501'`), or the seed's first
/// 32 bytes when `legacy`.
pub fn keypair_from_seed_phrase(
    phrase: &str,
    passphrase: &str,
    derivation: Option<DerivationPath>,
    legacy: bool,
) -> anyhow::Result<Keypair> {
    let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
    if legacy {
        return keypair_from_seed_phrase_and_passphrase(&phrase, passphrase)
            .map_err(|e| anyhow!("seed phrase: {e}"));
    }
    let seed =
        solana_seed_phrase::generate_seed_from_seed_phrase_and_passphrase(&phrase, passphrase);
    keypair_from_seed_and_derivation_path(&seed, derivation)
        .map_err(|e| anyhow!("seed phrase: {e}"))
}

/// Reads a keypair file's JSON array of 64 bytes from `reader`.
pub fn read_keypair_json(mut reader: impl Read, what: &str) -> anyhow::Result<Keypair> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .with_context(|| format!("reading {what}"))?;
    let bytes: Vec<u8> = serde_json::from_str(text.trim())
        .with_context(|| format!("{what} is not a JSON array of bytes"))?;
    Keypair::try_from(bytes.as_slice()).map_err(|e| anyhow!("{what} is not a keypair: {e}"))
}

/// The signer `source` names (`name` in prompts and errors).
pub fn signer(source: &SignerSource, name: &str) -> anyhow::Result<Box<dyn Signer>> {
    Ok(match source {
        SignerSource::File(path) => Box::new(crate::config::read_keypair(path)?),
        SignerSource::Stdin => Box::new(read_keypair_json(
            std::io::stdin().lock(),
            "the keypair on stdin",
        )?),
        SignerSource::Prompt { derivation, legacy } => {
            require_terminal(name)?;
            let phrase = dialoguer::Password::new()
                .with_prompt(format!("seed phrase for {name}"))
                .interact()
                .context("reading the seed phrase (prompt:// needs a terminal)")?;
            let passphrase = dialoguer::Password::new()
                .with_prompt("BIP39 passphrase (empty for none)")
                .allow_empty_password(true)
                .interact()
                .context("reading the passphrase")?;
            let keypair =
                keypair_from_seed_phrase(&phrase, &passphrase, derivation.clone(), *legacy)?;
            eprintln!("{name}: {} from the seed phrase", keypair.pubkey());
            Box::new(keypair)
        }
        SignerSource::Usb {
            locator,
            derivation,
        } => Box::new(usb_signer(locator, derivation.clone(), name)?),
    })
}

/// A seed phrase is typed at a terminal: without one on standard input and error, the
/// prompt would read nothing, refuse the empty phrase and ask again forever.
fn require_terminal(name: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return Ok(());
    }
    bail!(
        "{name}: prompt:// asks for a seed phrase at a terminal, and standard input or error is not one; use a keypair file, stdin or usb://ledger"
    )
}

/// A hardware wallet's signer through `solana-remote-wallet`.
// solana-remote-wallet 3.x marks its API for the future `agave-unstable-api` gate.
#[allow(deprecated)]
fn usb_signer(
    locator: &str,
    derivation: Option<DerivationPath>,
    name: &str,
) -> anyhow::Result<solana_remote_wallet::remote_keypair::RemoteKeypair> {
    use solana_remote_wallet::{
        locator::Locator, remote_keypair::generate_remote_keypair,
        remote_wallet::maybe_wallet_manager,
    };
    let parsed = Locator::new_from_path(locator).map_err(|e| anyhow!("{locator}: {e}"))?;
    let manager = maybe_wallet_manager()
        .map_err(|e| anyhow!("{locator}: {e}"))?
        .ok_or_else(|| {
            anyhow!(
                "{locator}: no hardware wallet found (plugged in, unlocked, the Solana app open?)"
            )
        })?;
    generate_remote_keypair(
        parsed,
        derivation.unwrap_or_default(),
        &manager,
        false,
        name,
    )
    .map_err(|e| anyhow!("{locator}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_solana_cli_signer_syntax() {
        assert_eq!(
            parse("id.json").unwrap(),
            SignerSource::File("id.json".into())
        );
        assert_eq!(
            parse("/a/b c.json").unwrap(),
            SignerSource::File("/a/b c.json".into())
        );
        assert_eq!(
            parse("file:///a/id.json").unwrap(),
            SignerSource::File("/a/id.json".into())
        );
        for stdin in ["-", "stdin", "stdin://"] {
            assert_eq!(parse(stdin).unwrap(), SignerSource::Stdin);
        }
        let legacy = SignerSource::Prompt {
            derivation: None,
            legacy: true,
        };
        assert_eq!(parse("ASK").unwrap(), legacy);
        assert_eq!(parse("prompt:").unwrap(), legacy);
        assert_eq!(
            parse("prompt://").unwrap(),
            SignerSource::Prompt {
                derivation: None,
                legacy: false
            }
        );
        assert_eq!(
            parse("prompt://?key=1/2").unwrap(),
            SignerSource::Prompt {
                derivation: Some(DerivationPath::new_bip44(Some(1), Some(2))),
                legacy: false
            }
        );
        assert_eq!(
            parse("usb://ledger?key=0").unwrap(),
            SignerSource::Usb {
                locator: "usb://ledger?key=0".into(),
                derivation: Some(DerivationPath::new_bip44(Some(0), None)),
            }
        );
        assert!(parse("usb://ledger?key=x/y").is_err());
        assert!(parse("ftp://x").is_err());
    }

    #[test]
    fn a_seed_phrase_gives_the_bip39_seed_then_the_solana_path() {
        let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        // BIP39's published test vector (passphrase "TREZOR").
        let seed =
            solana_seed_phrase::generate_seed_from_seed_phrase_and_passphrase(phrase, "TREZOR");
        assert_eq!(
            hex::encode(&seed),
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
        );
        // Extra spaces and line breaks do not change the key; a path or the passphrase
        // does; the legacy derivation is the seed's first half.
        let key = |p: &str, pass: &str, d, legacy| {
            keypair_from_seed_phrase(p, pass, d, legacy)
                .unwrap()
                .pubkey()
        };
        let default = key(phrase, "", None, false);
        assert_eq!(
            key(
                &format!("  {}\n", phrase.replace(' ', "  ")),
                "",
                None,
                false
            ),
            default
        );
        assert_eq!(
            key(phrase, "", Some(DerivationPath::default()), false),
            default
        );
        assert_ne!(
            key(
                phrase,
                "",
                Some(DerivationPath::new_bip44(Some(0), Some(0))),
                false
            ),
            default
        );
        assert_ne!(key(phrase, "TREZOR", None, false), default);
        let legacy = key(phrase, "TREZOR", None, true);
        assert_eq!(
            legacy,
            solana_keypair::keypair_from_seed(&seed[..32])
                .unwrap()
                .pubkey()
        );
    }

    #[test]
    fn a_keypair_from_stdin_is_the_keypair_file_format() {
        let keypair = Keypair::new();
        let json = serde_json::to_string(&keypair.to_bytes().to_vec()).unwrap();
        let read = read_keypair_json(format!("{json}\n").as_bytes(), "stdin").unwrap();
        assert_eq!(read.pubkey(), keypair.pubkey());
        assert!(read_keypair_json("[1, 2, 3]".as_bytes(), "stdin").is_err());
        assert!(read_keypair_json("not json".as_bytes(), "stdin").is_err());
    }
}
