//! What several commands share: reading the distributor and its shards from the chain,
//! timestamps, a claimant's destination, and sending behind a compute budget.

use super::{
    Ctx,
    priority::{self, FeeArgs},
};
use crate::{error::CheckFailed, output::OutputFormat};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, anyhow, bail};
use floodgate::state::Distributor;
use floodgate_client::{
    accounts::{self, ShardState},
    chain::{Chain, token_account_mint, token_balance},
    drop::Manifest,
    instructions::{self as ix, DistributorKeys},
    pda,
};
use solana_sdk::{instruction::Instruction, signature::Signature};

pub use floodgate_client::instructions::{compute_unit_limit, compute_unit_price};

/// Units to request for a transaction that simulated at `simulated`: 20 % and 5,000 more.
pub fn with_margin(simulated: u64) -> u32 {
    u32::try_from(simulated.saturating_mul(6) / 5 + 5_000)
        .unwrap_or(1_400_000)
        .min(1_400_000)
}

/// The on-chain distributor at `address`, decoded.
pub async fn distributor(
    chain: &mut dyn Chain,
    address: &Pubkey,
) -> anyhow::Result<Option<(Distributor, DistributorKeys)>> {
    let Some(account) = chain.account(address).await? else {
        return Ok(None);
    };
    if account.owner != floodgate::ID {
        bail!(
            "{address} is not a Floodgate account (owner {}, expected {})",
            account.owner,
            floodgate::ID
        );
    }
    let state = accounts::distributor(&account.data)?;
    Ok(Some((state, DistributorKeys::from_state(*address, &state))))
}

/// One shard as the chain has it.
#[derive(Debug, Clone)]
pub struct ShardOnChain {
    /// `None` when the shard account does not exist (yet, or any more).
    pub state: Option<ShardState>,
    /// Vault balance in base units, `None` when the vault does not exist.
    pub vault_balance: Option<u64>,
}

/// Every shard `0..num_shards` and its vault, read in batches.
pub async fn shards(
    chain: &mut dyn Chain,
    keys: &DistributorKeys,
    num_shards: u32,
) -> anyhow::Result<Vec<ShardOnChain>> {
    let mut addresses = Vec::with_capacity(2 * num_shards as usize);
    for s in 0..num_shards {
        addresses.push(keys.shard(s));
        addresses.push(keys.vault(s));
    }
    let found = chain.accounts(&addresses).await?;
    found
        .chunks(2)
        .enumerate()
        .map(|(s, pair)| {
            let state = pair[0]
                .as_ref()
                .map(|a| accounts::shard(&a.data))
                .transpose()
                .with_context(|| format!("shard {s}"))?;
            let vault_balance = pair[1]
                .as_ref()
                .map(|a| {
                    token_balance(&a.data)
                        .ok_or_else(|| anyhow!("vault of shard {s} is not a token account"))
                })
                .transpose()?;
            Ok(ShardOnChain {
                state,
                vault_balance,
            })
        })
        .collect()
}

/// A timestamp: unix seconds, or RFC 3339 (`2026-12-01T00:00:00Z`).
pub fn parse_time(text: &str) -> Result<i64, String> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|e| format!("{text:?} is neither unix seconds nor RFC 3339 ({e})"))
}

/// A unix time in RFC 3339, for people.
pub fn show_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| ts.to_string())
}

/// Refuses a drop made for another deployment of the program.
pub fn ensure_this_program(m: &Manifest) -> anyhow::Result<()> {
    if m.program_id != floodgate::ID {
        bail!(
            "the drop is for program {}, this client is for {}",
            m.program_id,
            floodgate::ID
        );
    }
    Ok(())
}

/// What a claimant expects of the distributor it claims from, checked against the
/// chain before anything is sent.
///
/// A drop host chooses the manifest, and roots are public: anyone can create a
/// distributor with the real drop's root, a worthless mint and a funded vault, and serve
/// a manifest that names it. The claimant would pay rent for a token account of that
/// mint and believe it had claimed. A pin from the project's own announcement (the
/// distributor, its creator or its mint) closes that door.
#[derive(clap::Args, Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// The distributor's address, as the project announced it: the drop must name it.
    #[arg(long, value_name = "ADDRESS")]
    pub distributor: Option<Pubkey>,
    /// The distributor's creator: the distributor's address must be this creator's.
    #[arg(long, value_name = "PUBKEY")]
    pub creator: Option<Pubkey>,
    /// The mint being distributed.
    #[arg(long, value_name = "MINT")]
    pub mint: Option<Pubkey>,
}

impl Expected {
    /// Whether anything is pinned.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Refuses a distributor address other than the one pinned (before it is read).
    pub fn check_address(&self, address: &Pubkey) -> Result<(), CheckFailed> {
        self.refuse("distributor", address, self.distributor, *address)
    }

    /// Refuses a distributor (`state`, read at `address`) of another creator or mint.
    /// The creator is checked through the address itself: it must be the creator's
    /// distributor address for the stored mint and seed, whatever the account stores.
    pub fn check_state(&self, address: &Pubkey, state: &Distributor) -> Result<(), CheckFailed> {
        if let Some(creator) = self.creator {
            let seed = u64::from_le_bytes(state.seed);
            if pda::distributor(&creator, &state.mint, seed).0 != *address {
                return self.refuse("creator", address, Some(creator), state.creator);
            }
        }
        self.refuse("mint", address, self.mint, state.mint)
    }

    fn refuse(
        &self,
        what: &'static str,
        distributor: &Pubkey,
        expected: Option<Pubkey>,
        found: Pubkey,
    ) -> Result<(), CheckFailed> {
        match expected {
            Some(expected) if expected != found => Err(CheckFailed::NotExpected {
                distributor: *distributor,
                what,
                expected,
                found,
            }),
            _ => Ok(()),
        }
    }
}

/// The distributor a drop's manifest names, read from the chain and checked before
/// anything is sent (by `claim`, `withdraw-vested` and `push`): the manifest is for this
/// program and names a distributor, that distributor exists, is the one `expected`, and
/// holds the manifest's root, mint and decimals.
pub async fn drop_distributor(
    chain: &mut dyn Chain,
    m: &Manifest,
    expected: &Expected,
) -> anyhow::Result<(Distributor, DistributorKeys)> {
    ensure_this_program(m)?;
    let address = m.distributor.ok_or_else(|| {
        anyhow!("the drop has no distributor yet: `floodgate create` has not been run on it")
    })?;
    expected.check_address(&address)?;
    let (d, keys) = distributor(chain, &address)
        .await?
        .ok_or(CheckFailed::MissingDistributor(address))?;
    expected.check_state(&address, &d)?;
    if d.root != m.root {
        return Err(CheckFailed::RootMismatch {
            distributor: address,
            manifest: hex::encode(m.root),
            chain: hex::encode(d.root),
        }
        .into());
    }
    let mut differ = Vec::new();
    if d.mint != m.mint {
        differ.push(format!("mint {} (manifest) vs {} (chain)", m.mint, d.mint));
    }
    if d.decimals != m.decimals {
        differ.push(format!(
            "decimals {} (manifest) vs {} (chain)",
            m.decimals, d.decimals
        ));
    }
    if !differ.is_empty() {
        return Err(CheckFailed::ChainMismatch {
            distributor: address,
            fields: differ.join(", "),
        }
        .into());
    }
    Ok((d, keys))
}

/// Tells, on stderr and before anything is sent, which distributor, creator and mint a
/// claimant's transaction goes to, and how to pin them when nothing was pinned.
pub fn announce(
    format: OutputFormat,
    what: &str,
    address: &Pubkey,
    d: &Distributor,
    expected: &Expected,
) {
    if format != OutputFormat::Human {
        return;
    }
    eprintln!(
        "{what} from distributor {address}\n  creator {}\n  mint    {} ({} decimals)",
        d.creator, d.mint, d.decimals
    );
    if expected.is_empty() {
        eprintln!(
            "  (the drop host chose this distributor: compare it with the project's announcement, or pin it with --distributor, --creator or --mint)"
        );
    }
}

/// The token account a claimant's tokens go to: `to` when given (it must be a token
/// account of the mint), else the claimant's associated token account, whose creation
/// is pushed onto `instructions` when it does not exist yet.
pub async fn destination(
    chain: &mut dyn Chain,
    keys: &DistributorKeys,
    claimant: &Pubkey,
    to: Option<Pubkey>,
    instructions: &mut Vec<Instruction>,
) -> anyhow::Result<Pubkey> {
    if let Some(to) = to {
        let account = chain
            .account(&to)
            .await?
            .ok_or_else(|| anyhow!("--to {to} does not exist"))?;
        if token_account_mint(&account.data) != Some(keys.mint) {
            bail!("--to {to} is not a token account of mint {}", keys.mint);
        }
        return Ok(to);
    }
    let ata = pda::associated_token(claimant, &keys.mint, &keys.token_program);
    if chain.account(&ata).await?.is_none() {
        instructions.push(ix::create_claimant_ata(keys, claimant, claimant));
    }
    Ok(ata)
}

/// What [`send_budgeted`] sent.
#[derive(Debug, Clone, Copy)]
pub struct Budgeted {
    pub signature: Signature,
    /// The compute-unit limit set (none when the node reported no units).
    pub compute_unit_limit: Option<u32>,
    /// The compute-unit price set, in micro-lamports (0: none set).
    pub priority_fee: u64,
}

/// Sends `instructions` behind a compute-unit limit set from a simulation (with
/// [`with_margin`]) and the price `fee` gives for the accounts they write. `what` names
/// the transaction in errors ("the claim").
pub async fn send_budgeted(
    ctx: &mut Ctx<'_>,
    instructions: Vec<Instruction>,
    fee: &FeeArgs,
    what: &str,
) -> anyhow::Result<Budgeted> {
    let units = ctx
        .chain
        .simulate(ctx.payer, &instructions, &[])
        .await
        .with_context(|| format!("simulating {what}"))?;
    let limit = units.filter(|u| *u > 0).map(with_margin);
    let price = fee
        .price(ctx.chain, &priority::writable(&instructions))
        .await
        .context("reading recent priority fees")?;
    let mut budget = Vec::with_capacity(instructions.len() + 2);
    budget.extend(limit.map(compute_unit_limit));
    if price > 0 {
        budget.push(compute_unit_price(price));
    }
    budget.extend(instructions);
    let signature = ctx
        .send(&budget)
        .await
        .with_context(|| format!("sending {what}"))?;
    Ok(Budgeted {
        signature,
        compute_unit_limit: limit,
        priority_fee: price,
    })
}
