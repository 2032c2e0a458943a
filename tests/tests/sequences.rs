//! Stateful property test: random sequences of instructions by honest and hostile
//! signers, with the invariants of protocol.md §5 checked against the chain after every step.
//!
//! Each sequence runs on a fresh bank: a distributor of ten leaves (some with a locked
//! part) in three shards, and a second distributor of the same mint and leaves as a
//! source of foreign accounts. Steps are drawn from a seeded generator: claims and pushes
//! of any leaf (claimed or not), vesting withdrawals, closes of vesting statuses, clock
//! jumps, pause and unpause, clawbacks, the distributor closed and created again at its
//! address with the same root (after which its claimant tries every other vesting bump
//! of a leaf, to put a second status beside one left by the first distributor), and
//! hostile claims (a flipped proof byte, an inflated amount, another
//! claimant, the other distributor's shard, the wrong token program, another shard of the
//! same distributor, whose root its proof cannot reach) and admin calls by a stranger.
//! Leaves are proven in two stages: shards of 4 leaves in a tree of depth 4, so each
//! shard's root was proven at its creation by an upper proof of 2 hashes, and a claim
//! proves 2 levels. A model predicts every outcome and, for a refusal, its exact error. After each
//! step:
//!
//! - every claimant holds exactly what the model paid it (each leaf at most once);
//! - every shard's bitmap is exactly the set of paid leaves, its `claimed_amount` their
//!   sum, and `claimed_amount <= max_total`;
//! - vaults, claimants and the clawback receiver together hold exactly what was funded
//!   (once per creation of the distributor), and the second distributor's vaults are
//!   untouched.
//!
//! `SEQUENCES=n STEPS=m cargo test -p floodgate-tests --test program sequences:: -- --nocapture`
//! runs a longer search (the default is what CI runs).

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use floodgate::{errors::FloodgateError, state::vested_amount};
use floodgate_client::{
    instructions::{self as ix, DistributorKeys, LeafClaim},
    pda,
};
use floodgate_tests::*;
use solana_program_test::BanksClientError;
use solana_sdk::{
    instruction::Instruction,
    signature::{Keypair, Signer},
};

const DEFAULT_SEQUENCES: u64 = 12;
const DEFAULT_STEPS: u64 = 30;

/// SplitMix64: a small seeded generator, so a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the chain should hold.
#[derive(Default)]
struct Model {
    now: i64,
    paused: bool,
    claimed: Vec<bool>,
    /// Paid to each claimant's token account so far.
    paid: Vec<u64>,
    /// Withdrawn of each leaf's locked part; `None` until its status exists or once closed.
    withdrawn: Vec<Option<u64>>,
    /// The leaf's status was left by an earlier creation of the distributor.
    stale: Vec<bool>,
    rent_payer: Vec<Pubkey>,
    clawed_back: Vec<bool>,
    /// Per shard: funded minus paid minus clawed back.
    vault: Vec<u64>,
    receiver: u64,
    /// Minted into the vaults, over every creation of the distributor.
    funded: u64,
}

struct Run {
    f: Fixture,
    other: DistributorKeys,
    pusher: Keypair,
    stranger: Keypair,
    m: Model,
    steps: u64,
    hostile_refused: u64,
    /// Honest steps that succeeded: claims and pushes, withdrawals, clawbacks, closes of
    /// vesting statuses, creations of the distributor again.
    succeeded: [u64; 5],
}

fn vec_of_leaves() -> Vec<(u64, u64)> {
    vec![
        (100, 0),
        (7, 900),
        (1, 0),
        (50, 50),
        (u64::from(u32::MAX), 0),
        (0, 640),
        (3, 0),
        (12, 0),
        (5, 5),
        (1_000, 0),
    ]
}

impl Run {
    async fn start() -> Self {
        let mut f = Fixture::new(Options {
            amounts: vec_of_leaves(),
            shard_bits: 2,
            ..Options::default()
        })
        .await;
        let other = f.second_distributor().await;
        let (pusher, stranger) = (Keypair::new(), Keypair::new());
        for k in [&pusher, &stranger] {
            f.bank.fund(&k.pubkey(), 10_000_000_000).await.unwrap();
        }
        let n = f.allocations.len();
        let vault = (0..f.num_shards()).map(|s| f.shard_total(s)).collect();
        let m = Model {
            now: START,
            claimed: vec![false; n],
            paid: vec![0; n],
            withdrawn: vec![None; n],
            stale: vec![false; n],
            funded: f.args.total_amount,
            rent_payer: vec![Pubkey::default(); n],
            clawed_back: vec![false; f.num_shards() as usize],
            vault,
            ..Model::default()
        };
        Self {
            f,
            other,
            pusher,
            stranger,
            m,
            steps: 0,
            hostile_refused: 0,
            succeeded: [0; 5],
        }
    }

    fn shard_of(&self, i: usize) -> usize {
        i >> self.f.options.shard_bits
    }

    /// Why a valid claim of leaf `i` is refused now, in the program's order of checks;
    /// `None` when it pays.
    fn claim_refusal(&self, i: usize) -> Option<FloodgateError> {
        if self.m.paused {
            Some(FloodgateError::ClaimsPaused)
        } else if self.m.clawed_back[self.shard_of(i)] {
            Some(FloodgateError::ShardClawedBack)
        } else if self.m.claimed[i] {
            Some(FloodgateError::AlreadyClaimed)
        } else if self.m.stale[i] {
            // Only a leaf with a locked part has a status.
            Some(FloodgateError::VestingAddressInUse)
        } else {
            None
        }
    }

    /// Books a successful claim or push of leaf `i`, paid for by `payer`.
    fn book_claim(&mut self, i: usize, payer: Pubkey) {
        let a = self.f.allocations[i];
        self.succeeded[0] += 1;
        self.m.claimed[i] = true;
        self.m.paid[i] += a.unlocked;
        let s = self.shard_of(i);
        self.m.vault[s] -= a.unlocked;
        if a.locked > 0 {
            self.m.withdrawn[i] = Some(0);
            self.m.rent_payer[i] = payer;
        }
    }

    async fn honest_claim(&mut self, i: usize) {
        let refusal = self.claim_refusal(i);
        let result = self.f.claim(i as u32).await;
        if expect(result, refusal.map(Refusal::Floodgate)) {
            let payer = self.f.bank.payer().pubkey();
            self.book_claim(i, payer);
        }
    }

    async fn honest_push(&mut self, i: usize) {
        let refusal = self.claim_refusal(i);
        let leaf = self.f.leaf(i as u32);
        let pusher = self.pusher.pubkey();
        let instructions = [
            ix::create_claimant_ata(&self.f.keys, &leaf.claimant, &pusher),
            ix::claim_for(&self.f.keys, &leaf, &pusher),
        ];
        let result = self
            .f
            .bank
            .send_as(&pusher, &instructions, &[&self.pusher])
            .await;
        if expect(result, refusal.map(Refusal::Floodgate)) {
            self.book_claim(i, pusher);
        }
    }

    async fn withdraw(&mut self, i: usize) {
        let a = self.f.allocations[i];
        let d = &self.f.args;
        let withdrawable = match self.m.withdrawn[i] {
            Some(done) if !self.m.clawed_back[self.shard_of(i)] && !self.m.stale[i] => {
                vested_amount(a.locked, d.vesting_start_ts, d.vesting_end_ts, self.m.now).unwrap()
                    - done
            }
            _ => 0,
        };
        let claimant = self.f.claimant(i as u32);
        let destination =
            pda::associated_token(&a.claimant, &self.f.mint, &self.f.options.token_program);
        let rent_payer = match self.m.withdrawn[i] {
            Some(_) => self.m.rent_payer[i],
            None => self.f.bank.payer().pubkey(),
        };
        let instruction = ix::withdraw_vested(
            &self.f.keys,
            i as u32,
            &a.claimant,
            &destination,
            &rent_payer,
        );
        let result = self.f.send(&[instruction], &[&claimant]).await;
        let refusal = match self.m.withdrawn[i] {
            None => Some(Refusal::Anchor(AnchorError::AccountNotInitialized)),
            Some(_) if self.m.clawed_back[self.shard_of(i)] => {
                Some(Refusal::Floodgate(FloodgateError::ShardClawedBack))
            }
            Some(_) if self.m.stale[i] => {
                Some(Refusal::Floodgate(FloodgateError::StaleVestingStatus))
            }
            Some(_) if withdrawable == 0 => {
                Some(Refusal::Floodgate(FloodgateError::NothingToWithdraw))
            }
            Some(_) => None,
        };
        if expect(result, refusal) {
            self.succeeded[1] += 1;
            let total = self.m.withdrawn[i].unwrap() + withdrawable;
            self.m.withdrawn[i] = (total < a.locked).then_some(total);
            self.m.paid[i] += withdrawable;
            let s = self.shard_of(i);
            self.m.vault[s] -= withdrawable;
        }
    }

    /// `close_vesting` of leaf `i`'s status, by anyone: it closes only when it can
    /// never pay again.
    async fn close_vesting(&mut self, i: usize) {
        let rent_payer = match self.m.withdrawn[i] {
            Some(_) => self.m.rent_payer[i],
            None => self.f.bank.payer().pubkey(),
        };
        let instruction = ix::close_vesting(&self.f.keys, i as u32, &rent_payer);
        let result = self
            .f
            .bank
            .send_as(&self.stranger.pubkey(), &[instruction], &[&self.stranger])
            .await;
        let refusal = match self.m.withdrawn[i] {
            None => Some(Refusal::Anchor(AnchorError::AccountNotInitialized)),
            Some(_) if self.m.stale[i] || self.m.clawed_back[self.shard_of(i)] => None,
            Some(_) => Some(Refusal::Floodgate(FloodgateError::VestingStillPayable)),
        };
        if expect(result, refusal) {
            self.succeeded[3] += 1;
            self.m.withdrawn[i] = None;
            self.m.stale[i] = false;
        }
    }

    /// The distributor ends (clawback of every shard left, shards and distributor
    /// closed) and is created again at its address with the same root and funded afresh.
    /// Then the hostile part: leaf `i`'s claimant (or the first of a leaf with a locked
    /// part) claims with every bump but the canonical one, each refused.
    async fn recreate(&mut self, i: usize) {
        for s in 0..self.m.vault.len() {
            if !self.m.clawed_back[s] {
                self.m.receiver += std::mem::take(&mut self.m.vault[s]);
            }
        }
        self.f.close_and_create_again().await;
        self.succeeded[4] += 1;
        let m = &mut self.m;
        m.now = self.f.args.claims_start_ts;
        m.paused = false;
        m.claimed.fill(false);
        m.clawed_back.fill(false);
        m.vault = (0..self.f.num_shards())
            .map(|s| self.f.shard_total(s))
            .collect();
        m.funded += self.f.args.total_amount;
        for (stale, status) in m.stale.iter_mut().zip(&m.withdrawn) {
            *stale = status.is_some();
        }

        let allocations = &self.f.allocations;
        let i = if allocations[i].locked > 0 {
            i
        } else {
            allocations
                .iter()
                .position(|a| a.locked > 0)
                .expect("a vested leaf")
        };
        let leaf = self.f.leaf(i as u32);
        let claimant = self.f.claimant(i as u32);
        let addresses = vesting_addresses(&self.f.keys.address, i as u32);
        let canonical = addresses[0].0;
        for &(other, bump) in &addresses[1..] {
            let mut claim = self.f.claim_ix(&leaf).await;
            move_vesting_status(&mut claim, canonical, (other, bump));
            let result = self.f.send(&[claim], &[&claimant]).await;
            assert_error(result, FloodgateError::InvalidVestingAccount);
            self.hostile_refused += 1;
        }
    }

    async fn jump(&mut self, rng: &mut Rng) {
        let d = &self.f.args;
        self.m.now = match rng.below(8) {
            0 => d.clawback_start_ts + rng.below(100) as i64,
            1 => d.vesting_end_ts,
            _ => self.m.now + rng.below(VESTING_SECS as u64 / 3) as i64,
        }
        .max(self.m.now);
        self.f.set_time(self.m.now).await;
    }

    async fn set_paused(&mut self, paused: bool) {
        let admin = self.f.admin.insecure_clone();
        let instruction = ix::set_paused(&self.f.keys, &admin.pubkey(), paused);
        self.f
            .send(&[instruction], &[&admin])
            .await
            .expect("the admin pauses");
        self.m.paused = paused;
    }

    async fn clawback(&mut self, s: usize) {
        let refusal = if self.m.now < self.f.args.clawback_start_ts {
            Some(FloodgateError::ClawbackTooEarly)
        } else if self.m.clawed_back[s] {
            Some(FloodgateError::AlreadyClawedBack)
        } else {
            None
        };
        let result = self
            .f
            .send(&[ix::clawback(&self.f.keys, s as u32)], &[])
            .await;
        if expect(result, refusal.map(Refusal::Floodgate)) {
            self.succeeded[2] += 1;
            self.m.clawed_back[s] = true;
            self.m.receiver += std::mem::take(&mut self.m.vault[s]);
        }
    }

    /// A claim instruction for leaf `i` by its claimant, altered by `kind`.
    async fn hostile(&mut self, i: usize, kind: u64) {
        let mut leaf: LeafClaim = self.f.leaf(i as u32);
        let signer = self.f.claimant(i as u32);
        let mut signers = vec![signer];
        let mut instruction: Instruction;
        // A forged leaf fails its proof, unless claims are paused or its shard was
        // clawed back (both checked first).
        let bad_leaf = if self.m.paused {
            FloodgateError::ClaimsPaused
        } else if self.m.clawed_back[self.shard_of(i)] {
            FloodgateError::ShardClawedBack
        } else {
            FloodgateError::InvalidProof
        };
        let refusal = match kind {
            0 if !leaf.proof.is_empty() => {
                let k = i % leaf.proof.len();
                leaf.proof[k][i % 32] ^= 0x40;
                instruction = self.f.claim_ix(&leaf).await;
                bad_leaf
            }
            1 => {
                leaf.unlocked = leaf.unlocked.saturating_add(1);
                instruction = self.f.claim_ix(&leaf).await;
                bad_leaf
            }
            2 => {
                // Another claimant presents this leaf's amounts and proof as its own.
                let j = (i + 1) % self.f.allocations.len();
                leaf.claimant = self.f.allocations[j].claimant;
                signers = vec![self.f.claimant(j as u32)];
                instruction = self.f.claim_ix(&leaf).await;
                bad_leaf
            }
            3 => {
                // The other distributor's shard and vault for this leaf.
                instruction = self.f.claim_ix(&leaf).await;
                let s = (i >> self.f.options.shard_bits) as u32;
                swap_account(&mut instruction, self.f.keys.shard(s), self.other.shard(s));
                swap_account(&mut instruction, self.f.keys.vault(s), self.other.vault(s));
                FloodgateError::DistributorMismatch
            }
            4 => {
                instruction = self.f.claim_ix(&leaf).await;
                swap_account(&mut instruction, SPL_TOKEN, TOKEN_2022);
                FloodgateError::TokenProgramMismatch
            }
            5 if i.is_multiple_of(2) => {
                // The next shard of this distributor, with its own vault: the leaf is
                // not in its range (and its proof does not reach that shard's root).
                instruction = self.f.claim_ix(&leaf).await;
                let s = self.shard_of(i) as u32;
                let t = (s + 1) % self.f.num_shards();
                swap_account(&mut instruction, self.f.keys.shard(s), self.f.keys.shard(t));
                swap_account(&mut instruction, self.f.keys.vault(s), self.f.keys.vault(t));
                if self.m.paused {
                    FloodgateError::ClaimsPaused
                } else {
                    FloodgateError::WrongShard
                }
            }
            _ => {
                // A stranger acts as the admin.
                let stranger = self.stranger.pubkey();
                instruction = match i % 3 {
                    0 => ix::set_paused(&self.f.keys, &stranger, !self.m.paused),
                    1 => ix::set_admin(&self.f.keys, &stranger, &stranger),
                    _ => ix::close_shard(&self.f.keys, &stranger, 0),
                };
                signers = vec![self.stranger.insecure_clone()];
                FloodgateError::Unauthorized
            }
        };
        let signers: Vec<&Keypair> = signers.iter().collect();
        let result = self.f.send(&[instruction], &signers).await;
        assert_error(result, refusal);
        self.hostile_refused += 1;
    }

    async fn step(&mut self, rng: &mut Rng) {
        let n = self.f.allocations.len() as u64;
        let i = rng.below(n) as usize;
        match rng.below(22) {
            0..=3 => self.honest_claim(i).await,
            4..=6 => self.honest_push(i).await,
            7..=9 => self.withdraw(i).await,
            10..=11 => self.jump(rng).await,
            12 => self.set_paused(!self.m.paused).await,
            13 => {
                self.clawback(rng.below(self.m.vault.len() as u64) as usize)
                    .await
            }
            kind @ 14..=19 => self.hostile(i, kind - 14).await,
            20 => self.close_vesting(i).await,
            _ => self.recreate(i).await,
        }
        self.steps += 1;
        self.check().await;
    }

    /// The invariants, against the chain.
    async fn check(&mut self) {
        let f = &mut self.f;
        for (i, a) in f.allocations.clone().iter().enumerate() {
            let ata = pda::associated_token(&a.claimant, &f.mint, &f.options.token_program);
            assert_eq!(f.balance(ata).await, self.m.paid[i], "claimant {i}");
        }
        for s in 0..f.num_shards() {
            let shard = f.shard(s).await;
            let leaves = f.shard_leaves(s);
            let mut sum = 0u64;
            for (position, i) in leaves.enumerate() {
                let i = i as usize;
                assert_eq!(
                    shard.is_claimed(position as u32),
                    self.m.claimed[i],
                    "bit {i}"
                );
                if self.m.claimed[i] {
                    sum += f.allocations[i].unlocked + f.allocations[i].locked;
                }
            }
            assert_eq!(
                shard.header.claimed_amount, sum,
                "claimed_amount of shard {s}"
            );
            assert!(shard.header.claimed_amount <= shard.header.max_total);
            assert_eq!(
                f.balance(f.keys.vault(s)).await,
                self.m.vault[s as usize],
                "vault {s}"
            );
            assert_eq!(
                f.balance(self.other.vault(s)).await,
                f.shard_total(s),
                "other vault {s}"
            );
        }
        assert_eq!(f.balance(f.keys.clawback_receiver).await, self.m.receiver);
        let held =
            self.m.paid.iter().sum::<u64>() + self.m.vault.iter().sum::<u64>() + self.m.receiver;
        assert_eq!(held, self.m.funded, "tokens appeared or vanished");
    }
}

/// An expected refusal: one of Floodgate's errors or one of Anchor's.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    Floodgate(FloodgateError),
    Anchor(AnchorError),
}

/// Asserts `result` succeeded when `refusal` is `None`, else that it failed with
/// exactly that error; returns whether it succeeded.
#[track_caller]
fn expect<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    refusal: Option<Refusal>,
) -> bool {
    match refusal {
        None => {
            result.expect("the model expects success");
            true
        }
        Some(Refusal::Floodgate(error)) => {
            assert_error(result, error);
            false
        }
        Some(Refusal::Anchor(error)) => {
            assert_anchor_error(result, error);
            false
        }
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn no_sequence_pays_more_than_the_tree() {
    let (sequences, steps) = (
        env_or("SEQUENCES", DEFAULT_SEQUENCES),
        env_or("STEPS", DEFAULT_STEPS),
    );
    let (mut total_steps, mut refused, mut succeeded) = (0, 0, [0; 5]);
    for seed in 0..sequences {
        let mut rng = Rng(seed);
        let mut run = Run::start().await;
        for _ in 0..steps {
            run.step(&mut rng).await;
        }
        total_steps += run.steps;
        refused += run.hostile_refused;
        for (total, n) in succeeded.iter_mut().zip(run.succeeded) {
            *total += n;
        }
    }
    let [claims, withdrawals, clawbacks, closes, recreations] = succeeded;
    println!(
        "{sequences} sequences, {total_steps} steps: {claims} claims and pushes, \
         {withdrawals} withdrawals, {clawbacks} clawbacks, {closes} statuses closed, \
         {recreations} distributors created again; {refused} hostile steps refused"
    );
    // The search must reach the interesting states, not only refusals. (Withdrawals
    // depend on where the random claimant keys put the vested leaves, so a short run
    // may have none; they are counted above.)
    assert!(
        claims > 0 && clawbacks > 0 && recreations > 0,
        "{succeeded:?}"
    );
}
