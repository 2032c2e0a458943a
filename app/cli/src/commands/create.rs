//! `floodgate create`: the distributor, every shard and every funded vault, from a drop
//! folder. Resumable: it reads the chain first and only does what is missing, so a run
//! after a crash finishes the job without repeating any of it.
//!
//! Each missing shard is created and funded in one transaction (create + transfer are
//! atomic); a shard that exists with an underfunded vault gets only the difference.

use super::{Ctx, common};
use crate::drop_location::DropLocation;
use crate::{
    commands::verify,
    output::{Report, progress, tokens},
};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, anyhow, bail, ensure};
use floodgate::instructions::CreateDistributorArgs;
use floodgate_client::{
    chain::{gross_for_net, limits, mint_decimals, token_balance},
    drop::DropFolder,
    instructions::{self as ix, NewShard},
    pda,
};
use serde::Serialize;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The drop folder (written by `floodgate new`; the distributor's address is
    /// recorded in its manifest, so a URL is refused).
    #[arg(long, value_name = "DIR")]
    pub drop: DropLocation,
    /// Claims open at this time (unix seconds or RFC 3339) [default: now].
    #[arg(long, value_name = "T", value_parser = common::parse_time)]
    pub start: Option<i64>,
    /// Locked amounts start vesting at this time [default: --start].
    #[arg(long, value_name = "T", value_parser = common::parse_time, requires = "vesting_end")]
    pub vesting_start: Option<i64>,
    /// Locked amounts are fully vested at this time [default: the vesting start].
    #[arg(long, value_name = "T", value_parser = common::parse_time)]
    pub vesting_end: Option<i64>,
    /// Anyone may claw back what is left from this time on (at least a day after
    /// vesting ends).
    #[arg(long, value_name = "T", value_parser = common::parse_time)]
    pub clawback_at: i64,
    /// Token account of the mint that receives clawed-back tokens [default: the
    /// keypair's associated token account].
    #[arg(long, value_name = "TOKEN_ACCOUNT")]
    pub clawback_receiver: Option<Pubkey>,
    /// Let anyone push claims to claimants' associated token accounts (`claim_for`).
    #[arg(long)]
    pub permissionless: bool,
    /// Seed of the distributor address (one creator, several drops of one mint).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct CreateReport {
    pub distributor: String,
    pub distributor_created: bool,
    pub shards_created: u32,
    pub shards_already_there: u32,
    pub vaults_topped_up: u32,
    /// Tokens transferred into vaults by this run, in token units.
    pub funded: String,
    pub transactions: usize,
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<CreateReport> {
    let mut drop = DropFolder::open(args.drop.folder("create")?)?;
    let m = drop.manifest().clone();
    let creator = ctx.payer.pubkey();
    let (address, _) = pda::distributor(&creator, &m.mint, args.seed);
    if let Some(named) = m.distributor {
        ensure!(
            named == address,
            "the manifest names distributor {named}, but this keypair and --seed {} give {address}: use the keypair and seed that created it",
            args.seed
        );
    }

    // 1. The mint: token program and decimals.
    let mint = ctx.chain.account(&m.mint).await?.ok_or_else(|| {
        anyhow!(
            "mint {} does not exist on this cluster (check --url)",
            m.mint
        )
    })?;
    let token_program = mint.owner;
    let decimals = mint_decimals(&mint.data).ok_or_else(|| anyhow!("{} is not a mint", m.mint))?;
    ensure!(
        decimals == m.decimals,
        "the mint has {decimals} decimals but the manifest says {}",
        m.decimals
    );
    let source = pda::associated_token(&creator, &m.mint, &token_program);

    // 2. The distributor.
    let mut report = CreateReport {
        distributor: address.to_string(),
        ..Default::default()
    };
    let keys = match common::distributor(ctx.chain, &address).await? {
        Some((state, keys)) => {
            let diff = verify::compare(&m, &state);
            ensure!(
                diff.is_empty(),
                "distributor {address} exists with other parameters: {}",
                diff.join(", ")
            );
            keys
        }
        None => {
            let start = match args.start {
                Some(t) => t,
                None => ctx.chain.now().await?,
            };
            let vesting_start = args.vesting_start.unwrap_or(start);
            let vesting_end = args.vesting_end.unwrap_or(vesting_start);
            ensure!(
                m.total_locked == 0 || vesting_end > vesting_start,
                "the list has locked amounts: give --vesting-end (and --vesting-start, if vesting does not start with the claims)"
            );
            let receiver = args.clawback_receiver.unwrap_or(source);
            let create_args = CreateDistributorArgs {
                seed: args.seed,
                root: m.root,
                depth: m.depth,
                num_leaves: m.num_leaves,
                shard_bits: m.shard_bits,
                total_amount: m.total_amount,
                claims_start_ts: start,
                vesting_start_ts: vesting_start,
                vesting_end_ts: vesting_end,
                clawback_start_ts: args.clawback_at,
                admin: creator,
                allow_claim_for: args.permissionless,
            };
            let (instruction, _) =
                ix::create_distributor(&creator, &m.mint, &token_program, &receiver, create_args);
            ctx.send(&[instruction])
                .await
                .context("create_distributor")?;
            report.distributor_created = true;
            common::distributor(ctx.chain, &address)
                .await?
                .ok_or_else(|| anyhow!("distributor {address} not visible after creation"))?
                .1
        }
    };
    if m.distributor.is_none() {
        drop.set_distributor(address)?;
    }

    // 3. Shards and vaults: the to-do list comes from the chain.
    let on_chain = common::shards(ctx.chain, &keys, m.shards.len() as u32).await?;
    let mut todo = Vec::new();
    for (info, shard) in m.shards.iter().zip(&on_chain) {
        match &shard.state {
            None => todo.push((info.index, true, info.total)),
            Some(s) => {
                report.shards_already_there += 1;
                if s.header.is_clawed_back() {
                    continue;
                }
                let have = shard
                    .vault_balance
                    .unwrap_or(0)
                    .saturating_add(s.header.claimed_amount);
                if have < info.total {
                    todo.push((info.index, false, info.total - have));
                }
            }
        }
    }
    // What to send for each vault to receive its amount: a transfer fee is on top.
    let todo: Vec<(u32, bool, u64, u64)> = todo
        .into_iter()
        .map(|(index, create, amount)| {
            let gross = gross_for_net(&mint.data, amount).ok_or_else(|| {
                anyhow!("the mint's transfer fee leaves no amount that delivers {amount}")
            })?;
            Ok((index, create, amount, gross))
        })
        .collect::<anyhow::Result<_>>()?;
    let needed: u64 = todo.iter().map(|t| t.3).sum();
    if needed > 0 {
        let balance = ctx
            .chain
            .account(&source)
            .await?
            .and_then(|a| token_balance(&a.data))
            .unwrap_or(0);
        if balance < needed {
            bail!(
                "the vaults need {} more tokens but {source} (the keypair's token account) holds {}: fund it and run create again",
                tokens(needed, decimals),
                tokens(balance, decimals)
            );
        }
    }
    let top = m.shard_tree().context("the manifest's shard roots")?;
    let bar = progress(todo.len() as u64, "shards", ctx.format);
    let mut funded = 0u64;
    for (index, create, amount, gross) in todo {
        let fund = ix::fund_vault(&keys, index, &source, &creator, gross);
        let resume = || format!("shard {index}: run create again to resume");
        if create {
            let max_total = m.shards[index as usize].total;
            let new = ix::create_shard(&keys, &creator, &NewShard::new(&top, index, max_total)?);
            // With a long upper proof (a deep tree cut in small shards) the two do not
            // fit one packet: the shard first, then its funding.
            let both = [new.clone(), fund.clone()];
            if limits::fits(&both, &creator) {
                ctx.send(&both).await.with_context(resume)?;
            } else {
                ctx.send(&[new]).await.with_context(resume)?;
                ctx.send(&[fund]).await.with_context(resume)?;
            }
        } else {
            ctx.send(&[fund]).await.with_context(resume)?;
        }
        if create {
            report.shards_created += 1;
        } else {
            report.vaults_topped_up += 1;
        }
        funded += amount;
        bar.inc(1);
    }
    bar.finish_and_clear();
    report.funded = tokens(funded, decimals);
    report.transactions = ctx.sent;
    Ok(report)
}

impl Report for CreateReport {
    fn human(&self) -> String {
        format!(
            "distributor {}{}\nshards: {} created, {} already there, {} vaults topped up; {} tokens funded in {} transactions",
            self.distributor,
            if self.distributor_created {
                " (created)"
            } else {
                " (already there)"
            },
            self.shards_created,
            self.shards_already_there,
            self.vaults_topped_up,
            self.funded,
            self.transactions
        )
    }
}
