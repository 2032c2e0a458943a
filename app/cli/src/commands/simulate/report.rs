//! What `floodgate simulate` prints: counts, rent, throughput and the balance checks.

use super::surge::Surge;
use crate::output::{OutputFormat, sol};
use floodgate_client::allocation::format_amount;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Transactions {
    /// Distributor, shards (with vault funding), claimant funding.
    pub setup: u32,
    pub claims: u32,
    pub withdrawals: u32,
    pub clawback_and_close: u32,
}

impl Transactions {
    pub fn total(&self) -> u32 {
        self.setup + self.claims + self.withdrawals + self.clawback_and_close
    }
}

/// Rent in lamports, by who paid it.
#[derive(Debug, Default, Serialize)]
pub struct Rent {
    /// Distributor, shard accounts and vaults.
    pub creator_paid: u64,
    /// Returned to the admin when the shards and the distributor closed.
    pub creator_refunded: u64,
    /// Claimants' own associated token accounts (they keep them).
    pub claimants_paid: u64,
    /// Associated token accounts created for pushed claimants by the pusher.
    pub pushers_paid: u64,
    /// Vesting statuses of leaves with a locked part.
    pub vesting_paid: u64,
    /// Returned by the last withdrawal of each vesting status.
    pub vesting_refunded: u64,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Check {
    pub fn new(name: &str, passed: bool, detail: String) -> Self {
        Self {
            name: name.into(),
            passed,
            detail,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub claimants: u32,
    pub token_program: String,
    pub depth: u8,
    pub shards: u32,
    pub pages: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_folder: Option<String>,
    /// Time to build the tree and write the whole drop folder.
    pub drop_seconds: f64,
    pub claimed_by_claimant: u32,
    pub pushed: u32,
    pub vested_withdrawals: u32,
    pub total_amount: u64,
    pub decimals: u8,
    pub clawed_back: u64,
    /// Wall time of the claim phase on the in-process bank.
    pub claim_seconds: f64,
    pub claims_per_second: f64,
    pub transactions: Transactions,
    pub rent: Rent,
    pub checks: Vec<Check>,
    pub passed: bool,
    pub surge: Surge,
}

impl Report {
    pub fn print(&self, format: OutputFormat) -> anyhow::Result<()> {
        match format {
            OutputFormat::Json => println!("{}", serde_json::to_string_pretty(self)?),
            OutputFormat::Human => self.print_human(),
        }
        Ok(())
    }

    fn print_human(&self) {
        let tokens = |amount| format_amount(amount, self.decimals);
        let per_claimant = |lamports: u64| sol(lamports / u64::from(self.claimants.max(1)));
        println!(
            "Floodgate simulation ({}, in-process bank)",
            self.token_program
        );
        println!(
            "  claimants            {:>12}  (tree depth {}, {} proof pages)",
            self.claimants, self.depth, self.pages
        );
        println!("  shards               {:>12}", self.shards);
        println!(
            "  drop folder built in {:>12.3} s{}",
            self.drop_seconds,
            self.drop_folder
                .as_ref()
                .map(|d| format!("  ({d})"))
                .unwrap_or_default()
        );
        println!(
            "  total distributed    {:>12}  tokens",
            tokens(self.total_amount)
        );
        println!(
            "  claims               {:>12}  ({} signed by claimants, {} pushed with claim_for)",
            self.claimed_by_claimant + self.pushed,
            self.claimed_by_claimant,
            self.pushed
        );
        println!("  vesting withdrawals  {:>12}", self.vested_withdrawals);
        println!(
            "  clawed back          {:>12}  tokens",
            tokens(self.clawed_back)
        );
        println!(
            "  transactions         {:>12}  (setup {}, claims {}, withdrawals {}, clawback and close {})",
            self.transactions.total(),
            self.transactions.setup,
            self.transactions.claims,
            self.transactions.withdrawals,
            self.transactions.clawback_and_close
        );
        println!(
            "  claims per second    {:>12.0}  ({:.2} s for the claim phase, in-process)",
            self.claims_per_second, self.claim_seconds
        );
        println!("Rent");
        println!(
            "  creator paid         {:>12} SOL  ({} SOL per claimant; all refunded at close: {} SOL)",
            sol(self.rent.creator_paid),
            per_claimant(self.rent.creator_paid),
            sol(self.rent.creator_refunded)
        );
        println!(
            "  claimants paid       {:>12} SOL  (their own token accounts, which they keep)",
            sol(self.rent.claimants_paid)
        );
        println!(
            "  pushers paid         {:>12} SOL  (token accounts created for pushed claimants)",
            sol(self.rent.pushers_paid)
        );
        println!(
            "  vesting statuses     {:>12} SOL  (refunded: {} SOL)",
            sol(self.rent.vesting_paid),
            sol(self.rent.vesting_refunded)
        );
        self.surge.print_human();
        println!("Checks");
        for check in &self.checks {
            let mark = if check.passed { "ok  " } else { "FAIL" };
            if check.detail.is_empty() || check.passed {
                println!("  [{mark}] {}", check.name);
            } else {
                println!("  [{mark}] {}: {}", check.name, check.detail);
            }
        }
        println!(
            "{}",
            if self.passed {
                "PASSED: every balance equals its allocation; nothing is unaccounted for."
            } else {
                "FAILED"
            }
        );
    }
}

impl Surge {
    fn print_human(&self) {
        let l = &self.limits;
        println!(
            "Surge model: {} claims at depth {}, {} CU each into an existing token account in shards of 2^{} leaves, {} more to create it (SPL Token, measured on the SBF build)",
            self.claims, self.depth, self.cu_per_claim, self.shard_bits, self.cu_create_account
        );
        println!(
            "  limits: {} CU per block, {} CU per written account per block, {} ms slots",
            l.block_cu, l.account_cu, l.slot_ms
        );
        let mut mix = None;
        for row in &self.rows {
            if mix != Some(row.new_accounts_percent) {
                mix = Some(row.new_accounts_percent);
                println!(
                    "  {} % of the claims create their token account:",
                    row.new_accounts_percent
                );
            }
            let c = &row.clearance;
            let bound = match c.bound {
                floodgate_client::surge::Bound::Block => "block limit",
                floodgate_client::surge::Bound::HotAccount => "per-account limit",
            };
            println!(
                "    {:<56} {:>6} CU {:>6} claims/block {:>6} blocks {:>8.1} s  ({bound})",
                row.design, c.cu_per_claim, c.claims_per_block, c.blocks, c.seconds
            );
        }
    }
}
