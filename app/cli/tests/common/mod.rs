//! A drop on the in-process bank, driven through the CLI's own command functions.

#![allow(dead_code)]

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::ID as TOKEN_PROGRAM;
use floodgate_cli::{
    commands::{Ctx, create, new},
    output::OutputFormat,
};
use floodgate_client::{
    chain::local::LocalChain,
    local::{LocalBank, token},
};
use solana_sdk::signature::{Keypair, Signer};
use std::{
    io::{Read, Write},
    net::TcpListener,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

pub const DECIMALS: u8 = 6;
/// Tokens minted to the creator: more than any test drop needs.
pub const MINTED: u64 = 1_000_000_000_000;

pub struct Fixture {
    pub chain: LocalChain,
    pub creator: Keypair,
    pub mint: Pubkey,
    pub creator_ata: Pubkey,
    pub token_program: Pubkey,
    /// Claimants with their keypairs, in CSV order; amount of claimant i is
    /// `(i + 1)` tokens.
    pub claimants: Vec<Keypair>,
    pub dir: tempfile::TempDir,
    pub drop: PathBuf,
}

impl Fixture {
    /// A bank, a mint, the creator's funded token account, and a drop folder of `n`
    /// claimants with `shard_bits` (pages of 4 leaves).
    pub async fn new(n: usize, shard_bits: u8) -> Self {
        Self::with_mint(n, shard_bits, TOKEN_PROGRAM, &[]).await
    }

    /// [`Fixture::new`] with a mint of `token_program` carrying `extensions`.
    pub async fn with_mint(
        n: usize,
        shard_bits: u8,
        token_program: Pubkey,
        extensions: &[token::MintExtension],
    ) -> Self {
        let mut bank = LocalBank::start().await;
        let creator = bank.payer().insecure_clone();
        let mint = token::create_mint(&mut bank, &token_program, DECIMALS, extensions)
            .await
            .unwrap()
            .pubkey();
        let creator_ata = token::create_ata(&mut bank, &mint, &creator.pubkey(), &token_program)
            .await
            .unwrap();
        token::mint_to(
            &mut bank,
            &mint,
            &creator_ata,
            &token_program,
            MINTED,
            DECIMALS,
        )
        .await
        .unwrap();
        let claimants: Vec<Keypair> = (0..n).map(|_| Keypair::new()).collect();
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("list.csv");
        let text: String = claimants
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{},{}\n", k.pubkey(), i + 1))
            .collect();
        std::fs::write(&csv, text).unwrap();
        let drop = dir.path().join("drop");
        let args = new::Args {
            csv,
            mint,
            decimals: Some(DECIMALS),
            shard_bits,
            page_bits: Some(2.min(shard_bits)),
            cluster: None,
            out: drop.clone(),
        };
        new::run(&args, None).await.unwrap();
        Self {
            chain: LocalChain::new(bank),
            creator,
            mint,
            creator_ata,
            token_program,
            claimants,
            dir,
            drop,
        }
    }

    pub fn create_args(&self) -> create::Args {
        create::Args {
            drop: self.drop.clone().into(),
            start: None,
            vesting_start: None,
            vesting_end: None,
            clawback_at: 4_000_000_000,
            clawback_receiver: None,
            permissionless: true,
            seed: 0,
        }
    }

    pub async fn create(&mut self) -> anyhow::Result<create::CreateReport> {
        let args = self.create_args();
        let creator = self.creator.insecure_clone();
        let mut ctx = Ctx::new(&mut self.chain, &creator, OutputFormat::Json);
        create::run(&args, &mut ctx).await
    }

    /// The created distributor of the drop, as the chain has it, and its keys.
    pub async fn distributor(
        &mut self,
    ) -> (
        floodgate::state::Distributor,
        floodgate_client::instructions::DistributorKeys,
    ) {
        let address = floodgate_client::drop::DropFolder::open(&self.drop)
            .unwrap()
            .manifest()
            .distributor
            .expect("create wrote the distributor into the manifest");
        floodgate_cli::commands::common::distributor(&mut self.chain, &address)
            .await
            .unwrap()
            .expect("the distributor exists")
    }

    /// The token balance of `account` (0 when absent).
    pub async fn balance(&mut self, account: &Pubkey) -> u64 {
        token::balance(&mut self.chain.bank, account)
            .await
            .unwrap_or(0)
    }

    pub fn ata(&self, owner: &Pubkey) -> Pubkey {
        floodgate_client::pda::associated_token(owner, &self.mint, &self.token_program)
    }
}

/// Serves the files under `root` over HTTP/1.0 on 127.0.0.1 from a thread that stops
/// itself after `max_requests` requests or 60 seconds. Returns the base URL.
pub fn serve(root: &Path, max_requests: usize) -> String {
    serve_for(root, max_requests, Duration::from_secs(60))
}

/// [`serve`] for at most `lifetime`.
pub fn serve_for(root: &Path, max_requests: usize, lifetime: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let deadline = Instant::now() + lifetime;
        let mut served = 0;
        while served < max_requests && Instant::now() < deadline {
            let (mut stream, _) = match listener.accept() {
                Ok(s) => s,
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            served += 1;
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let file = (!path.contains(".."))
                .then(|| std::fs::read(root.join(path.trim_start_matches('/'))).ok())
                .flatten();
            let response = match file {
                Some(body) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    url
}
