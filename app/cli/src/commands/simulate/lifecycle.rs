//! The steps of a simulated drop, in order, each counted into the report.

use super::{
    Args,
    claimants::{Participants, participants},
    report::{Check, Rent, Report, Transactions},
    surge,
};
use crate::output::{OutputFormat, progress};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, anyhow, ensure};
use floodgate::instructions::CreateDistributorArgs;
use floodgate_client::surge::Limits;
use floodgate_client::{
    accounts,
    allocation::Allocation,
    drop::{DropFolder, DropParams},
    instructions::{self as ix, DistributorKeys, LeafClaim},
    local::{LocalBank, token},
    pda,
};
use solana_sdk::{
    instruction::Instruction,
    signature::{Keypair, Signer},
};
use std::time::Instant;

/// The bank's clock starts here; claims open at once.
const START: i64 = 1_800_000_000;
const VESTING_SECS: i64 = 30 * 86_400;
const CLAWBACK_DELAY_SECS: i64 = 86_400;
/// SOL given to each claimant that signs its own claim (fees and its token account).
const CLAIMANT_FUNDING: u64 = 10_000_000;
/// Transfers per funding transaction.
const FUNDING_BATCH: usize = 20;

struct Simulation {
    bank: LocalBank,
    format: OutputFormat,
    token_program: Pubkey,
    decimals: u8,
    mint: Pubkey,
    creator: Keypair,
    pusher: Keypair,
    keys: DistributorKeys,
    participants: Participants,
    tx: Transactions,
    rent: Rent,
}

pub async fn simulate(args: &Args, format: OutputFormat) -> anyhow::Result<Report> {
    let participants = participants(args)?;
    let mut bank = LocalBank::start().await;
    bank.set_time(START).await;
    let token_program = if args.token_2022 {
        anchor_spl::token_2022::ID
    } else {
        anchor_spl::token::ID
    };
    let mint = token::create_mint(&mut bank, &token_program, args.decimals, &[])
        .await
        .context("creating the mint")?
        .pubkey();
    let creator = Keypair::new();
    let pusher = Keypair::new();
    bank.fund(&creator.pubkey(), 1_000_000_000_000).await?;
    bank.fund(&pusher.pubkey(), 1_000_000_000_000).await?;

    // The drop folder: the only thing a claimant needs.
    let temp;
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => {
            temp = TempDir::new()?;
            temp.path.join("drop")
        }
    };
    let drop_started = Instant::now();
    let defaults = DropParams::new(floodgate::ID, mint, args.decimals, args.shard_bits);
    let params = DropParams {
        page_bits: args.page_bits.unwrap_or(defaults.page_bits),
        ..defaults
    };
    let (manifest, _tree) = DropFolder::write(&out, &participants.allocations, params)
        .with_context(|| format!("writing the drop folder {}", out.display()))?;
    let drop_seconds = drop_started.elapsed().as_secs_f64();

    let mut sim = Simulation {
        bank,
        format,
        token_program,
        decimals: args.decimals,
        mint,
        keys: DistributorKeys {
            address: Pubkey::default(),
            mint,
            token_program,
            clawback_receiver: Pubkey::default(),
            shard_bits: manifest.shard_bits,
            decimals: args.decimals,
        },
        creator,
        pusher,
        participants,
        tx: Transactions::default(),
        rent: Rent::default(),
    };
    sim.create_distributor(&manifest).await?;
    let mut drop = DropFolder::open(&out)?;
    drop.set_distributor(sim.keys.address)?;
    sim.create_shards(&manifest).await?;

    let claim_started = Instant::now();
    let (claimed, pushed) = sim.claim_all(&drop, args.push_every).await?;
    let claim_seconds = claim_started.elapsed().as_secs_f64();

    sim.bank.set_time(START + VESTING_SECS).await;
    let withdrawn = sim.withdraw_vested().await?;
    sim.bank
        .set_time(START + VESTING_SECS + CLAWBACK_DELAY_SECS)
        .await;
    let shard_states = sim.shard_states(manifest.shards.len() as u32).await?;
    let clawed_back = sim.clawback_and_close(manifest.shards.len() as u32).await?;
    let checks = sim
        .checks(&shard_states, clawed_back, manifest.total_amount)
        .await;

    Ok(Report {
        claimants: manifest.num_leaves,
        token_program: if args.token_2022 {
            "Token-2022"
        } else {
            "SPL Token"
        }
        .into(),
        depth: manifest.depth,
        shards: manifest.shards.len() as u32,
        pages: manifest.page_count,
        drop_folder: args.out.as_ref().map(|p| p.display().to_string()),
        drop_seconds,
        claimed_by_claimant: claimed,
        pushed,
        vested_withdrawals: withdrawn,
        total_amount: manifest.total_amount,
        decimals: args.decimals,
        clawed_back,
        claim_seconds,
        claims_per_second: f64::from(manifest.num_leaves) / claim_seconds.max(f64::EPSILON),
        transactions: sim.tx,
        rent: sim.rent,
        passed: checks.iter().all(|c| c.passed),
        checks,
        surge: surge::model(
            args.surge_claims,
            args.shard_bits,
            args.surge_new_accounts,
            Limits {
                block_cu: args.block_cu,
                account_cu: args.account_cu,
                slot_ms: args.slot_ms,
            },
        )?,
    })
}

impl Simulation {
    async fn send(
        &mut self,
        fee_payer: &Keypair,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> anyhow::Result<()> {
        let mut all = vec![fee_payer];
        all.extend_from_slice(signers);
        self.bank
            .send_as(&fee_payer.pubkey(), instructions, &all)
            .await
            .map_err(|e| anyhow!("transaction failed: {e}"))?;
        Ok(())
    }

    async fn create_distributor(
        &mut self,
        manifest: &floodgate_client::drop::Manifest,
    ) -> anyhow::Result<()> {
        let creator = self.creator.insecure_clone();
        let receiver = token::create_token_account(
            &mut self.bank,
            &self.mint,
            &creator.pubkey(),
            &self.token_program,
        )
        .await?;
        let args = CreateDistributorArgs {
            seed: 0,
            root: manifest.root,
            depth: manifest.depth,
            num_leaves: manifest.num_leaves,
            shard_bits: manifest.shard_bits,
            total_amount: manifest.total_amount,
            claims_start_ts: START,
            vesting_start_ts: START,
            vesting_end_ts: START + VESTING_SECS,
            clawback_start_ts: START + VESTING_SECS + CLAWBACK_DELAY_SECS,
            admin: creator.pubkey(),
            allow_claim_for: true,
        };
        let (instruction, address) = ix::create_distributor(
            &creator.pubkey(),
            &self.mint,
            &self.token_program,
            &receiver,
            args,
        );
        self.send(&creator, &[instruction], &[])
            .await
            .context("create_distributor")?;
        self.tx.setup += 1;
        self.keys.address = address;
        self.keys.clawback_receiver = receiver;
        self.rent.creator_paid += self.bank.lamports(&address).await;
        Ok(())
    }

    /// Creates every shard and funds its vault from the creator's token account, one
    /// transaction per shard.
    async fn create_shards(
        &mut self,
        manifest: &floodgate_client::drop::Manifest,
    ) -> anyhow::Result<()> {
        let creator = self.creator.insecure_clone();
        let source = token::create_ata(
            &mut self.bank,
            &self.mint,
            &creator.pubkey(),
            &self.token_program,
        )
        .await?;
        token::mint_to(
            &mut self.bank,
            &self.mint,
            &source,
            &self.token_program,
            manifest.total_amount,
            self.decimals,
        )
        .await?;
        let top = manifest.shard_tree()?;
        let bar = progress(manifest.shards.len() as u64, "shards", self.format);
        for shard in &manifest.shards {
            let new = ix::NewShard::new(&top, shard.index, shard.total)?;
            let instructions = [
                ix::create_shard(&self.keys, &creator.pubkey(), &new),
                ix::fund_vault(
                    &self.keys,
                    shard.index,
                    &source,
                    &creator.pubkey(),
                    shard.total,
                ),
            ];
            self.send(&creator, &instructions, &[])
                .await
                .with_context(|| format!("create_shard {}", shard.index))?;
            self.tx.setup += 1;
            self.rent.creator_paid += self.bank.lamports(&self.keys.shard(shard.index)).await
                + self.bank.lamports(&self.keys.vault(shard.index)).await;
            bar.inc(1);
        }
        bar.finish();
        Ok(())
    }

    /// Claims every leaf: every `push_every`-th (or every leaf without a keypair) is
    /// pushed with `claim_for`, the others are signed and paid by their claimants.
    /// Each claim is found and verified through the drop folder and the on-chain root.
    async fn claim_all(
        &mut self,
        drop: &DropFolder,
        push_every: u32,
    ) -> anyhow::Result<(u32, u32)> {
        let state = accounts::distributor(
            &self
                .bank
                .account(&self.keys.address)
                .await
                .context("distributor")?
                .data,
        )?;
        let allocations = self.participants.allocations.clone();
        self.fund_signing_claimants(&allocations, push_every)
            .await?;
        let bar = progress(allocations.len() as u64, "claims", self.format);
        let (mut claimed, mut pushed) = (0, 0);
        for allocation in &allocations {
            let found = drop.lookup(&allocation.claimant)?;
            let shard_index = found.index >> state.shard_bits;
            let shard = self.bank.account(&self.keys.shard(shard_index)).await;
            let shard_root = accounts::shard(&shard.context("shard")?.data)?.header.root;
            ensure!(
                found.root == state.root && found.verify_against(&shard_root),
                "the proof of {} does not reach its shard's on-chain root",
                allocation.claimant
            );
            let leaf = LeafClaim::from(found);
            let ata = pda::associated_token(&leaf.claimant, &self.mint, &self.token_program);
            match self.signer_of(&leaf, push_every) {
                Some(claimant) => {
                    let instructions = [
                        ix::create_claimant_ata(&self.keys, &claimant.pubkey(), &claimant.pubkey()),
                        ix::claim(&self.keys, &leaf, &ata, &claimant.pubkey()),
                    ];
                    self.send(&claimant, &instructions, &[])
                        .await
                        .with_context(|| format!("claim of leaf {}", leaf.index))?;
                    self.rent.claimants_paid += self.bank.lamports(&ata).await;
                    claimed += 1;
                }
                None => {
                    let pusher = self.pusher.insecure_clone();
                    let instructions = [
                        ix::create_claimant_ata(&self.keys, &leaf.claimant, &pusher.pubkey()),
                        ix::claim_for(&self.keys, &leaf, &pusher.pubkey()),
                    ];
                    self.send(&pusher, &instructions, &[])
                        .await
                        .with_context(|| format!("claim_for of leaf {}", leaf.index))?;
                    self.rent.pushers_paid += self.bank.lamports(&ata).await;
                    pushed += 1;
                }
            }
            if leaf.locked > 0 {
                self.rent.vesting_paid += self
                    .bank
                    .lamports(&pda::vesting(&self.keys.address, leaf.index).0)
                    .await;
            }
            self.tx.claims += 1;
            bar.inc(1);
        }
        bar.finish();
        Ok((claimed, pushed))
    }

    /// The keypair that signs this leaf's claim, or `None` when it is pushed.
    fn signer_of(&self, leaf: &LeafClaim, push_every: u32) -> Option<Keypair> {
        if is_pushed(leaf.index, push_every) {
            return None;
        }
        self.participants
            .keypairs
            .get(&leaf.claimant)
            .map(Keypair::insecure_clone)
    }

    /// Gives SOL to every claimant that will sign a transaction.
    async fn fund_signing_claimants(
        &mut self,
        allocations: &[Allocation],
        push_every: u32,
    ) -> anyhow::Result<()> {
        let signing: Vec<Pubkey> = allocations
            .iter()
            .enumerate()
            .filter(|(i, a)| {
                let signs_claim = !is_pushed(*i as u32, push_every);
                // Pushed claimants with a locked part still sign their withdrawal.
                (signs_claim || a.locked > 0)
                    && self.participants.keypairs.contains_key(&a.claimant)
            })
            .map(|(_, a)| a.claimant)
            .collect();
        let bar = progress(signing.len() as u64, "fund claimants", self.format);
        let payer = self.bank.payer().pubkey();
        for batch in signing.chunks(FUNDING_BATCH) {
            let instructions: Vec<_> = batch
                .iter()
                .map(|to| {
                    anchor_lang::solana_program::system_instruction::transfer(
                        &payer,
                        to,
                        CLAIMANT_FUNDING,
                    )
                })
                .collect();
            self.bank
                .send(&instructions, &[])
                .await
                .map_err(|e| anyhow!("funding claimants: {e}"))?;
            self.tx.setup += 1;
            bar.inc(batch.len() as u64);
        }
        bar.finish();
        Ok(())
    }

    /// After vesting ends: every claimant we hold a key for withdraws its locked part.
    async fn withdraw_vested(&mut self) -> anyhow::Result<u32> {
        let vested: Vec<(u32, Allocation)> = self
            .participants
            .allocations
            .iter()
            .enumerate()
            .filter(|(_, a)| a.locked > 0 && self.participants.keypairs.contains_key(&a.claimant))
            .map(|(i, a)| (i as u32, *a))
            .collect();
        let bar = progress(vested.len() as u64, "vesting", self.format);
        for (index, allocation) in &vested {
            let claimant = self.participants.keypairs[&allocation.claimant].insecure_clone();
            let vesting = pda::vesting(&self.keys.address, *index).0;
            let data = self
                .bank
                .account(&vesting)
                .await
                .context("vesting status")?
                .data;
            let status = accounts::vesting(&data)?;
            let ata = pda::associated_token(&claimant.pubkey(), &self.mint, &self.token_program);
            let instruction = ix::withdraw_vested(
                &self.keys,
                *index,
                &claimant.pubkey(),
                &ata,
                &status.rent_payer,
            );
            let rent = self.bank.lamports(&vesting).await;
            self.send(&claimant, &[instruction], &[])
                .await
                .with_context(|| format!("withdraw_vested of leaf {index}"))?;
            if self.bank.account(&vesting).await.is_none() {
                self.rent.vesting_refunded += rent;
            }
            self.tx.withdrawals += 1;
            bar.inc(1);
        }
        bar.finish();
        Ok(vested.len() as u32)
    }

    async fn shard_states(&mut self, shards: u32) -> anyhow::Result<Vec<accounts::ShardState>> {
        let mut states = Vec::with_capacity(shards as usize);
        for s in 0..shards {
            let data = self
                .bank
                .account(&self.keys.shard(s))
                .await
                .context("shard")?
                .data;
            states.push(accounts::shard(&data)?);
        }
        Ok(states)
    }

    /// Claws back every shard, closes them and the distributor. Returns the amount
    /// clawed back.
    async fn clawback_and_close(&mut self, shards: u32) -> anyhow::Result<u64> {
        let creator = self.creator.insecure_clone();
        let before = token::balance(&mut self.bank, &self.keys.clawback_receiver)
            .await
            .unwrap_or(0);
        let mut rent_held = self.bank.lamports(&self.keys.address).await;
        for s in 0..shards {
            rent_held += self.bank.lamports(&self.keys.shard(s)).await
                + self.bank.lamports(&self.keys.vault(s)).await;
        }
        let bar = progress(u64::from(shards), "clawback + close", self.format);
        for s in 0..shards {
            let instructions = [
                ix::clawback(&self.keys, s),
                ix::close_shard(&self.keys, &creator.pubkey(), s),
            ];
            self.send(&creator, &instructions, &[])
                .await
                .with_context(|| format!("clawback and close of shard {s}"))?;
            self.tx.clawback_and_close += 1;
            bar.inc(1);
        }
        let instruction = ix::close_distributor(&self.keys, &creator.pubkey());
        self.send(&creator, &[instruction], &[])
            .await
            .context("close_distributor")?;
        self.tx.clawback_and_close += 1;
        bar.finish();
        // Every account is checked closed below, so what they held went back to the admin.
        self.rent.creator_refunded = rent_held;
        let after = token::balance(&mut self.bank, &self.keys.clawback_receiver)
            .await
            .unwrap_or(0);
        Ok(after - before)
    }

    /// The final accounting: every claimant holds its allocation (or its unlocked part
    /// when nobody could withdraw for it), every bit is set, every vault and state
    /// account is gone, and claimed + clawed back = funded.
    async fn checks(
        &mut self,
        shards: &[accounts::ShardState],
        clawed_back: u64,
        funded: u64,
    ) -> Vec<Check> {
        let mut checks = vec![];
        let (mut paid, mut wrong) = (0u64, vec![]);
        let mut expected_locked_left = 0u64;
        let allocations = self.participants.allocations.clone();
        for (index, allocation) in allocations.iter().enumerate() {
            let ata = pda::associated_token(&allocation.claimant, &self.mint, &self.token_program);
            let balance = token::balance(&mut self.bank, &ata).await.unwrap_or(0);
            let withdrawable = self
                .participants
                .keypairs
                .contains_key(&allocation.claimant);
            let expected = if withdrawable {
                allocation.unlocked + allocation.locked
            } else {
                allocation.unlocked
            };
            if !withdrawable {
                expected_locked_left += allocation.locked;
            }
            if balance != expected && wrong.len() < 5 {
                wrong.push(format!(
                    "leaf {index}: holds {balance}, expected {expected}"
                ));
            }
            paid += balance;
        }
        checks.push(Check::new(
            "every claimant holds its allocation",
            wrong.is_empty(),
            wrong.join("; "),
        ));
        let all_set = shards.iter().all(|s| {
            s.unclaimed().next().is_none()
                && s.header.claimed_count == s.header.leaf_count
                && s.header.claimed_amount == s.header.max_total
        });
        checks.push(Check::new(
            "every bitmap bit is set and every shard paid its max_total",
            all_set,
            String::new(),
        ));
        checks.push(Check::new(
            "claimed + clawed back = funded",
            paid + clawed_back == funded,
            format!("claimed {paid} + clawed back {clawed_back} vs funded {funded}"),
        ));
        checks.push(Check::new(
            "clawed back exactly the locked parts nobody could withdraw",
            clawed_back == expected_locked_left,
            format!("clawed back {clawed_back}, expected {expected_locked_left}"),
        ));
        let mut left = vec![];
        for s in 0..shards.len() as u32 {
            for address in [self.keys.shard(s), self.keys.vault(s)] {
                if self.bank.account(&address).await.is_some() {
                    left.push(address.to_string());
                }
            }
        }
        if self.bank.account(&self.keys.address).await.is_some() {
            left.push(self.keys.address.to_string());
        }
        for (index, allocation) in allocations.iter().enumerate() {
            if allocation.locked > 0
                && self
                    .participants
                    .keypairs
                    .contains_key(&allocation.claimant)
            {
                let vesting = pda::vesting(&self.keys.address, index as u32).0;
                if self.bank.account(&vesting).await.is_some() {
                    left.push(vesting.to_string());
                }
            }
        }
        checks.push(Check::new(
            "no program account or vault left open",
            left.is_empty(),
            left.join(", "),
        ));
        checks.push(Check::new(
            "the creator got back all the rent it paid",
            self.rent.creator_refunded == self.rent.creator_paid,
            format!(
                "paid {}, refunded {}",
                self.rent.creator_paid, self.rent.creator_refunded
            ),
        ));
        checks
    }
}

/// Whether leaf `index` is pushed with `claim_for` rather than claimed by its owner.
fn is_pushed(index: u32, push_every: u32) -> bool {
    push_every > 0 && index.is_multiple_of(push_every)
}

/// A temporary folder removed on drop (the simulator's default drop folder).
struct TempDir {
    path: std::path::PathBuf,
}

impl TempDir {
    fn new() -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("floodgate-simulate-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
