//! Who takes part in a simulation: generated claimants with keypairs, or a CSV list.

use super::Args;
use anyhow::Context;
use floodgate_client::allocation::{Allocation, canonical, parse_csv_file};
use sha2::{Digest, Sha256};
use solana_sdk::signature::{Keypair, Signer};
use std::collections::HashMap;

/// The allocations in canonical order (position = leaf index), and the keypairs of the
/// claimants the simulation can sign for.
pub struct Participants {
    pub allocations: Vec<Allocation>,
    pub keypairs: HashMap<anchor_lang::prelude::Pubkey, Keypair>,
}

pub fn participants(args: &Args) -> anyhow::Result<Participants> {
    if let Some(path) = &args.csv {
        let allocations = parse_csv_file(path, args.decimals)
            .with_context(|| format!("reading the allocation list {}", path.display()))?;
        let allocations = canonical(allocations);
        return Ok(Participants {
            allocations,
            keypairs: HashMap::new(),
        });
    }
    anyhow::ensure!(args.claimants > 0, "--claimants must be at least 1");
    let unit = 10u64.pow(u32::from(args.decimals.min(12)));
    let mut allocations = Vec::with_capacity(args.claimants as usize);
    let mut keypairs = HashMap::with_capacity(args.claimants as usize);
    for i in 0..args.claimants {
        let digest: [u8; 32] = Sha256::new()
            .chain_update(b"floodgate-simulate")
            .chain_update(args.seed.to_le_bytes())
            .chain_update(i.to_le_bytes())
            .finalize()
            .into();
        let keypair = Keypair::new_from_array(digest);
        // 1 to 10,000 tokens, and a locked part for every `locked_every`-th claimant.
        let amount = u64::from(u16::from_le_bytes([digest[0], digest[1]]) % 10_000 + 1);
        let locked = if args.locked_every > 0 && i % args.locked_every == 0 {
            amount * unit * 3
        } else {
            0
        };
        allocations.push(Allocation::new(keypair.pubkey(), amount * unit, locked));
        keypairs.insert(keypair.pubkey(), keypair);
    }
    Ok(Participants {
        allocations: canonical(allocations),
        keypairs,
    })
}
