//! `--priority-fee auto|MICROLAMPORTS` and `--max-priority-fee`: the compute-unit price
//! of a transaction. `auto` reads the fees recent slots asked of transactions writing the
//! same accounts (`getRecentPrioritizationFees`), so a claim pays what its own shard's
//! fee market asks, not what the busiest account of the cluster asks.

use floodgate_client::chain::{Chain, ChainError};
use solana_sdk::{instruction::Instruction, pubkey::Pubkey};

/// The default cap of `--priority-fee auto`, in micro-lamports per compute unit: a
/// 40,000-unit claim at this price pays 40,000 lamports (0.00004 SOL) on top of its
/// base fee.
pub const DEFAULT_MAX: u64 = 1_000_000;

/// What `--priority-fee` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriorityFee {
    /// From the recent fees of the accounts the transaction writes, capped.
    Auto,
    /// This many micro-lamports per compute unit.
    Fixed(u64),
}

/// `auto` or a number of micro-lamports per compute unit.
pub fn parse(text: &str) -> Result<PriorityFee, String> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(PriorityFee::Auto);
    }
    text.parse()
        .map(PriorityFee::Fixed)
        .map_err(|_| format!("{text:?} is neither `auto` nor micro-lamports per compute unit"))
}

#[derive(clap::Args, Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeArgs {
    /// Compute-unit price in micro-lamports, or `auto`: the 75th percentile of what
    /// recent slots asked of transactions writing the same accounts, at most
    /// --max-priority-fee.
    #[arg(long, value_name = "auto|MICROLAMPORTS", default_value = "auto", value_parser = parse)]
    pub priority_fee: PriorityFee,
    /// The highest price `--priority-fee auto` may pick, in micro-lamports per compute
    /// unit.
    #[arg(long, value_name = "MICROLAMPORTS", default_value_t = DEFAULT_MAX)]
    pub max_priority_fee: u64,
}

impl Default for FeeArgs {
    fn default() -> Self {
        Self {
            priority_fee: PriorityFee::Auto,
            max_priority_fee: DEFAULT_MAX,
        }
    }
}

impl FeeArgs {
    /// A fixed price of `micro_lamports`.
    pub fn fixed(micro_lamports: u64) -> Self {
        Self {
            priority_fee: PriorityFee::Fixed(micro_lamports),
            ..Self::default()
        }
    }

    /// The price for a transaction that writes `writable` (0: no price instruction). A
    /// node that refuses `getRecentPrioritizationFees` gives `auto` no price; one that
    /// does not answer fails the command.
    pub async fn price(&self, chain: &mut dyn Chain, writable: &[Pubkey]) -> anyhow::Result<u64> {
        match self.priority_fee {
            PriorityFee::Fixed(price) => Ok(price),
            PriorityFee::Auto => match chain.recent_priority_fees(writable).await {
                Ok(recent) => Ok(percentile_75(recent).min(self.max_priority_fee)),
                // A node that does not serve the method: no fee market to read, no price.
                Err(ChainError::Refused(_)) => Ok(0),
                Err(e) => Err(e.into()),
            },
        }
    }
}

/// The 75th percentile (nearest rank) of `fees`, 0 when there are none. Slots that asked
/// nothing count: a quiet market gives a low price.
pub fn percentile_75(mut fees: Vec<u64>) -> u64 {
    if fees.is_empty() {
        return 0;
    }
    fees.sort_unstable();
    let rank = (fees.len() * 3).div_ceil(4);
    fees[rank - 1]
}

/// The accounts `instructions` write, each once, in order of first appearance.
pub fn writable(instructions: &[Instruction]) -> Vec<Pubkey> {
    let mut out: Vec<Pubkey> = Vec::new();
    for meta in instructions.iter().flat_map(|i| &i.accounts) {
        if meta.is_writable && !out.contains(&meta.pubkey) {
            out.push(meta.pubkey);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::instruction::AccountMeta;

    #[test]
    fn auto_or_a_number() {
        assert_eq!(parse("auto"), Ok(PriorityFee::Auto));
        assert_eq!(parse("AUTO"), Ok(PriorityFee::Auto));
        assert_eq!(parse("0"), Ok(PriorityFee::Fixed(0)));
        assert_eq!(parse("10000"), Ok(PriorityFee::Fixed(10_000)));
        for bad in ["", "-1", "1.5", "automatic", "18446744073709551616"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_75th_percentile_by_nearest_rank() {
        assert_eq!(percentile_75(vec![]), 0);
        assert_eq!(percentile_75(vec![7]), 7);
        assert_eq!(percentile_75(vec![0, 0, 0, 100]), 0);
        assert_eq!(percentile_75(vec![100, 0, 0, 0, 100]), 100);
        assert_eq!(percentile_75((1..=100).rev().collect()), 75);
    }

    #[test]
    fn writable_accounts_once_in_order() {
        let (a, b, c) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let program = Pubkey::new_unique();
        let ixs = [
            Instruction::new_with_bytes(
                program,
                &[],
                vec![
                    AccountMeta::new(a, false),
                    AccountMeta::new_readonly(b, false),
                ],
            ),
            Instruction::new_with_bytes(
                program,
                &[],
                vec![AccountMeta::new(c, true), AccountMeta::new(a, false)],
            ),
        ];
        assert_eq!(writable(&ixs), vec![a, c]);
    }
}
