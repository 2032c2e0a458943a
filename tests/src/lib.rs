//! Test fixtures for Floodgate on the in-process bank: a funded distributor with known
//! claimants, helpers to claim, and assertions on exact error codes.

pub mod bench_doc;

use anchor_lang::{error::ERROR_CODE_OFFSET, prelude::Pubkey};
pub use floodgate::instructions::CreateDistributorArgs;
use floodgate::{errors::FloodgateError, state::Distributor};
use floodgate_client::{
    accounts::{self, ShardState},
    allocation::{Allocation, canonical},
    instructions::{self as ix, DistributorKeys, LeafClaim, NewShard},
    local::{LocalBank, Sent, token},
    tree::MerkleTree,
};
use solana_program_test::BanksClientError;
use solana_sdk::{
    instruction::{AccountMeta, Instruction, InstructionError},
    signature::{Keypair, Signer},
    transaction::TransactionError,
};

pub use floodgate_client::local::token::MintExtension;

/// Unix time the fixture's clock starts at; claims open then.
pub const START: i64 = 1_800_000_000;
/// Vesting runs from `START` for this long.
pub const VESTING_SECS: i64 = 1_000;
/// Clawback opens this long after vesting ends.
pub const CLAWBACK_DELAY: i64 = 86_400;

pub const SPL_TOKEN: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

/// What a fixture is made of.
#[derive(Clone, Debug)]
pub struct Options {
    pub token_program: Pubkey,
    pub decimals: u8,
    /// `(unlocked, locked)` per claimant; claimants are fresh keypairs.
    pub amounts: Vec<(u64, u64)>,
    pub shard_bits: u8,
    pub allow_claim_for: bool,
    pub extensions: Vec<MintExtension>,
    /// Create every shard (with `max_total` = its sum) and fund its vault.
    pub create_shards: bool,
    /// Leaves of claimants that are not keypairs (a program's PDA, say); their entry in
    /// [`Fixture::claimants`] is an unrelated keypair that cannot sign for them.
    pub extra_leaves: Vec<Allocation>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            token_program: SPL_TOKEN,
            decimals: 6,
            amounts: (1..=5).map(|i| (i * 100, 0)).collect(),
            shard_bits: 16,
            allow_claim_for: true,
            extensions: vec![],
            create_shards: true,
            extra_leaves: vec![],
        }
    }
}

/// A distributor on a running bank, with everything needed to claim from it.
pub struct Fixture {
    pub bank: LocalBank,
    pub options: Options,
    pub mint: Pubkey,
    pub creator: Keypair,
    pub admin: Keypair,
    /// Keypairs in canonical (leaf index) order.
    pub claimants: Vec<Keypair>,
    pub allocations: Vec<Allocation>,
    pub tree: MerkleTree,
    pub keys: DistributorKeys,
    pub args: CreateDistributorArgs,
}

impl Fixture {
    /// A fixture with default options.
    pub async fn default() -> Self {
        Self::new(Options::default()).await
    }

    /// Starts a bank, creates the mint, the drop, the distributor and (unless disabled)
    /// every shard with a funded vault.
    pub async fn new(options: Options) -> Self {
        Self::new_on(LocalBank::start().await, options).await
    }

    /// [`Fixture::new`] on a bank of the caller's (with an integrator's program, say).
    pub async fn new_on(bank: LocalBank, options: Options) -> Self {
        let mut fixture = Self::prepare_on(bank, options).await;
        fixture
            .create_distributor()
            .await
            .expect("create_distributor");
        if fixture.options.create_shards {
            for shard_index in 0..fixture.num_shards() {
                fixture
                    .create_and_fund_shard(shard_index)
                    .await
                    .expect("create_shard");
            }
        }
        fixture
    }

    /// Everything but the distributor: bank, mint, claimants, tree and arguments.
    pub async fn prepare(options: Options) -> Self {
        Self::prepare_on(LocalBank::start().await, options).await
    }

    /// [`Fixture::prepare`] on a bank of the caller's.
    pub async fn prepare_on(mut bank: LocalBank, options: Options) -> Self {
        bank.set_time(START).await;
        let mint = token::create_mint(
            &mut bank,
            &options.token_program,
            options.decimals,
            &options.extensions,
        )
        .await
        .expect("create mint")
        .pubkey();
        let creator = Keypair::new();
        let admin = Keypair::new();
        for key in [creator.pubkey(), admin.pubkey()] {
            bank.fund(&key, 10_000_000_000).await.expect("fund");
        }
        let mut keyed: Vec<(Keypair, Allocation)> = options
            .amounts
            .iter()
            .map(|&(unlocked, locked)| {
                let keypair = Keypair::new();
                let allocation = Allocation {
                    claimant: keypair.pubkey(),
                    unlocked,
                    locked,
                };
                (keypair, allocation)
            })
            .collect();
        keyed.extend(options.extra_leaves.iter().map(|a| (Keypair::new(), *a)));
        keyed.sort_by_key(|(_, a)| a.claimant.to_bytes());
        let (claimants, allocations): (Vec<_>, Vec<_>) = keyed.into_iter().unzip();
        assert_eq!(canonical(allocations.clone()), allocations);
        let tree = MerkleTree::build(&allocations).expect("tree");
        let receiver =
            token::create_token_account(&mut bank, &mint, &admin.pubkey(), &options.token_program)
                .await
                .expect("clawback receiver");
        // Saturating, so a fixture may hold deliberately overflowing leaves.
        let total = allocations.iter().fold(0u64, |sum, a| {
            sum.saturating_add(a.unlocked).saturating_add(a.locked)
        });
        let args = CreateDistributorArgs {
            seed: 7,
            root: tree.root(),
            depth: tree.depth(),
            num_leaves: tree.num_leaves(),
            shard_bits: options.shard_bits,
            total_amount: total,
            claims_start_ts: START,
            vesting_start_ts: START,
            vesting_end_ts: START + VESTING_SECS,
            clawback_start_ts: START + VESTING_SECS + CLAWBACK_DELAY,
            admin: admin.pubkey(),
            allow_claim_for: options.allow_claim_for,
        };
        let (_, address) = ix::create_distributor(
            &creator.pubkey(),
            &mint,
            &options.token_program,
            &receiver,
            args.clone(),
        );
        let keys = DistributorKeys {
            address,
            mint,
            token_program: options.token_program,
            clawback_receiver: receiver,
            shard_bits: options.shard_bits,
            decimals: options.decimals,
        };
        Self {
            bank,
            options,
            mint,
            creator,
            admin,
            claimants,
            allocations,
            tree,
            keys,
            args,
        }
    }

    /// A second distributor of the same mint and leaves (another seed), with every
    /// shard created and funded: the source of "accounts from another distributor".
    pub async fn second_distributor(&mut self) -> DistributorKeys {
        let args = CreateDistributorArgs {
            seed: self.args.seed + 1,
            ..self.args.clone()
        };
        self.create_distributor_with(args.clone())
            .await
            .expect("second distributor");
        let address =
            floodgate_client::pda::distributor(&self.creator.pubkey(), &self.mint, args.seed).0;
        let keys = DistributorKeys {
            address,
            ..self.keys
        };
        let first = std::mem::replace(&mut self.keys, keys);
        for shard_index in 0..self.num_shards() {
            self.create_and_fund_shard(shard_index)
                .await
                .expect("second distributor's shard");
        }
        std::mem::replace(&mut self.keys, first)
    }

    /// Sends `create_distributor` with the fixture's arguments.
    pub async fn create_distributor(&mut self) -> Result<Sent, BanksClientError> {
        self.create_distributor_with(self.args.clone()).await
    }

    /// Sends `create_distributor` with other arguments (same creator, mint, receiver).
    pub async fn create_distributor_with(
        &mut self,
        args: CreateDistributorArgs,
    ) -> Result<Sent, BanksClientError> {
        let (instruction, _) = ix::create_distributor(
            &self.creator.pubkey(),
            &self.mint,
            &self.options.token_program,
            &self.keys.clawback_receiver,
            args,
        );
        let creator = self.creator.insecure_clone();
        self.bank.send(&[instruction], &[&creator]).await
    }

    pub fn num_shards(&self) -> u32 {
        floodgate::state::num_shards_for(self.tree.num_leaves(), self.options.shard_bits)
    }

    /// Sum of the leaves of shard `shard_index`.
    pub fn shard_total(&self, shard_index: u32) -> u64 {
        self.shard_leaves(shard_index).fold(0u64, |sum, i| {
            let a = &self.allocations[i as usize];
            sum.saturating_add(a.unlocked).saturating_add(a.locked)
        })
    }

    /// Leaf indices of shard `shard_index`.
    pub fn shard_leaves(&self, shard_index: u32) -> std::ops::Range<u32> {
        let first = shard_index << self.options.shard_bits;
        let end = (u64::from(shard_index + 1) << self.options.shard_bits)
            .min(u64::from(self.tree.num_leaves()));
        first..end as u32
    }

    /// Creates shard `shard_index` with `max_total` = its sum and mints that into its vault.
    pub async fn create_and_fund_shard(
        &mut self,
        shard_index: u32,
    ) -> Result<Sent, BanksClientError> {
        let total = self.shard_total(shard_index);
        let sent = self.create_shard(shard_index, total).await?;
        let vault = self.keys.vault(shard_index);
        token::mint_to(
            &mut self.bank,
            &self.mint,
            &vault,
            &self.options.token_program,
            total,
            self.options.decimals,
        )
        .await?;
        Ok(sent)
    }

    /// Creates shard `shard_index` with its root and upper proof from the fixture's tree.
    pub async fn create_shard(
        &mut self,
        shard_index: u32,
        max_total: u64,
    ) -> Result<Sent, BanksClientError> {
        let new = self.new_shard(shard_index, max_total);
        self.create_shard_as(&new).await
    }

    /// `create_shard`'s arguments for shard `shard_index` of the fixture's tree (an
    /// index past the last shard gets the last shard's root and proof).
    pub fn new_shard(&self, shard_index: u32, max_total: u64) -> NewShard {
        let top = self.tree.shard_tree(self.options.shard_bits);
        let last = top.shard_roots().len() as u32 - 1;
        NewShard {
            index: shard_index,
            ..NewShard::new(&top, shard_index.min(last), max_total).expect("a shard")
        }
    }

    /// Sends `create_shard` with the arguments given, as the admin.
    pub async fn create_shard_as(&mut self, new: &NewShard) -> Result<Sent, BanksClientError> {
        let admin = self.admin.insecure_clone();
        let instruction = ix::create_shard(&self.keys, &admin.pubkey(), new);
        self.bank.send(&[instruction], &[&admin]).await
    }

    /// The index of the first leaf whose allocation satisfies `which`.
    pub fn index_where(&self, which: impl Fn(&Allocation) -> bool) -> u32 {
        let index = self.allocations.iter().position(which);
        index.expect("a leaf the fixture was built with") as u32
    }

    /// The valid claim of leaf `index`.
    pub fn leaf(&self, index: u32) -> LeafClaim {
        let allocation = &self.allocations[index as usize];
        LeafClaim {
            index,
            claimant: allocation.claimant,
            unlocked: allocation.unlocked,
            locked: allocation.locked,
            proof: self
                .tree
                .claim_proof(index, self.options.shard_bits)
                .expect("proof"),
        }
    }

    pub fn claimant(&self, index: u32) -> Keypair {
        self.claimants[index as usize].insecure_clone()
    }

    /// The claimant's associated token account, created if missing.
    pub async fn ata(&mut self, owner: &Pubkey) -> Pubkey {
        token::create_ata(
            &mut self.bank,
            &self.mint,
            owner,
            &self.options.token_program,
        )
        .await
        .expect("create ata")
    }

    /// The claim instruction of leaf `index` to the claimant's ATA, payer = bank payer.
    pub async fn claim_ix(&mut self, leaf: &LeafClaim) -> Instruction {
        let destination = self.ata(&leaf.claimant).await;
        let payer = self.bank.payer().pubkey();
        ix::claim(&self.keys, leaf, &destination, &payer)
    }

    /// Claims leaf `index` as its claimant, into its ATA.
    pub async fn claim(&mut self, index: u32) -> Result<Sent, BanksClientError> {
        let leaf = self.leaf(index);
        self.claim_leaf(&leaf, index).await
    }

    /// Sends `leaf` (possibly altered) signed by the claimant keypair of `signer_index`.
    pub async fn claim_leaf(
        &mut self,
        leaf: &LeafClaim,
        signer_index: u32,
    ) -> Result<Sent, BanksClientError> {
        let instruction = self.claim_ix(leaf).await;
        let signer = self.claimant(signer_index);
        self.bank.send(&[instruction], &[&signer]).await
    }

    /// A funded stranger pushes `leaf` with `claim_for`, creating the claimant's ATA in the
    /// same transaction; returns the stranger (who paid any vesting status's rent).
    pub async fn push_as_stranger(&mut self, leaf: &LeafClaim) -> Keypair {
        let pusher = Keypair::new();
        self.bank
            .fund(&pusher.pubkey(), 1_000_000_000)
            .await
            .expect("fund the pusher");
        let instructions = [
            ix::create_claimant_ata(&self.keys, &leaf.claimant, &pusher.pubkey()),
            ix::claim_for(&self.keys, leaf, &pusher.pubkey()),
        ];
        self.bank
            .send_as(&pusher.pubkey(), &instructions, &[&pusher])
            .await
            .expect("push");
        pusher
    }

    /// The `claim_for` instruction of `leaf` paid by the bank payer, the claimant's ATA
    /// created beforehand.
    pub async fn claim_for_ix(&mut self, leaf: &LeafClaim) -> Instruction {
        self.ata(&leaf.claimant).await;
        let payer = self.bank.payer().pubkey();
        ix::claim_for(&self.keys, leaf, &payer)
    }

    /// Sends `instructions` signed by the bank payer and `signers`.
    pub async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, BanksClientError> {
        self.bank.send(instructions, signers).await
    }

    pub async fn balance(&mut self, account: Pubkey) -> u64 {
        token::balance(&mut self.bank, &account).await.unwrap_or(0)
    }

    /// Token balance of the claimant's ATA (0 when it does not exist).
    pub async fn ata_balance(&mut self, index: u32) -> u64 {
        let owner = self.allocations[index as usize].claimant;
        let ata = floodgate_client::pda::associated_token(
            &owner,
            &self.mint,
            &self.options.token_program,
        );
        self.balance(ata).await
    }

    pub async fn distributor(&mut self) -> Distributor {
        let data = self
            .bank
            .account(&self.keys.address)
            .await
            .expect("distributor exists")
            .data;
        accounts::distributor(&data).expect("distributor decodes")
    }

    pub async fn shard(&mut self, shard_index: u32) -> ShardState {
        let address = self.keys.shard(shard_index);
        let data = self
            .bank
            .account(&address)
            .await
            .expect("shard exists")
            .data;
        accounts::shard(&data).expect("shard decodes")
    }

    pub async fn set_time(&mut self, unix_timestamp: i64) {
        self.bank.set_time(unix_timestamp).await;
    }

    /// Moves the clock to when clawback opens.
    pub async fn go_to_clawback(&mut self) {
        self.set_time(self.args.clawback_start_ts).await;
    }

    /// Ends the fixture's distributor (every shard not yet clawed back is clawed back,
    /// then shards and distributor closed) and creates it again at the same address
    /// (same creator, mint and seed) a week after clawback, with the fixture's
    /// (possibly changed) tree and every shard funded afresh. The schedule moves by the
    /// same span.
    pub async fn close_and_create_again(&mut self) {
        let clawback = self.bank.now().await.max(self.args.clawback_start_ts);
        self.set_time(clawback).await;
        let admin = self.admin.insecure_clone();
        for s in 0..self.num_shards() {
            if !self.shard(s).await.header.is_clawed_back() {
                self.send(&[ix::clawback(&self.keys, s)], &[])
                    .await
                    .expect("clawback");
            }
            let close = ix::close_shard(&self.keys, &admin.pubkey(), s);
            self.send(&[close], &[&admin]).await.expect("close_shard");
        }
        let close = ix::close_distributor(&self.keys, &admin.pubkey());
        self.send(&[close], &[&admin])
            .await
            .expect("close_distributor");
        let later = clawback + 7 * 86_400;
        let shift = later - self.args.claims_start_ts;
        self.args.claims_start_ts += shift;
        self.args.vesting_start_ts += shift;
        self.args.vesting_end_ts += shift;
        self.args.clawback_start_ts += shift;
        self.args.root = self.tree.root();
        self.args.total_amount = self.allocations.iter().map(|a| a.unlocked + a.locked).sum();
        self.set_time(later).await;
        self.create_distributor().await.expect("created again");
        for s in 0..self.num_shards() {
            self.create_and_fund_shard(s).await.expect("funded again");
        }
    }
}

/// Every bump that gives leaf `index` of `distributor` a vesting status address, with
/// the address, from the highest: the first is the canonical one.
pub fn vesting_addresses(distributor: &Pubkey, index: u32) -> Vec<(Pubkey, u8)> {
    (0..=u8::MAX)
        .rev()
        .filter_map(|bump| {
            let seeds: [&[u8]; 4] = [
                floodgate::constants::VESTING_SEED,
                distributor.as_ref(),
                &index.to_le_bytes(),
                &[bump],
            ];
            Pubkey::create_program_address(&seeds, &floodgate::ID)
                .ok()
                .map(|address| (address, bump))
        })
        .collect()
}

/// Points a `claim` or `claim_for` at another vesting status address, `to`, and its
/// bump, in place of `from` (the canonical one the builder put there).
pub fn move_vesting_status(instruction: &mut Instruction, from: Pubkey, (to, bump): (Pubkey, u8)) {
    // `vesting_bump` follows the discriminator, the index and the two amounts.
    const VESTING_BUMP_AT: usize = 8 + 4 + 8 + 8;
    swap_account(instruction, from, to);
    instruction.data[VESTING_BUMP_AT] = bump;
}

/// The accounts `instruction` marks writable, sorted.
pub fn writable_keys(instruction: &Instruction) -> Vec<Pubkey> {
    let mut keys: Vec<Pubkey> = instruction
        .accounts
        .iter()
        .filter(|m| m.is_writable)
        .map(|m| m.pubkey)
        .collect();
    keys.sort();
    keys
}

/// Points the account meta of `instruction` that names `from` at `to` and returns it:
/// how a test builds "the same instruction with one wrong account".
#[track_caller]
pub fn swap_account(instruction: &mut Instruction, from: Pubkey, to: Pubkey) -> &mut AccountMeta {
    let meta = instruction
        .accounts
        .iter_mut()
        .find(|m| m.pubkey == from)
        .unwrap_or_else(|| panic!("{from} is not an account of the instruction"));
    meta.pubkey = to;
    meta
}

/// The custom error code inside a failed transaction, if any.
pub fn custom_code(error: &BanksClientError) -> Option<u32> {
    let tx_error = match error {
        BanksClientError::TransactionError(e) => e,
        BanksClientError::SimulationError { err, .. } => err,
        _ => return None,
    };
    match tx_error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

/// Asserts that `result` failed with exactly `expected`.
#[track_caller]
pub fn assert_error<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: FloodgateError,
) {
    let code = ERROR_CODE_OFFSET + expected as u32;
    assert_code(result, code, &format!("FloodgateError::{expected:?}"));
}

/// Asserts that `result` failed with exactly Anchor's framework error `expected`.
#[track_caller]
pub fn assert_anchor_error<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: anchor_lang::error::ErrorCode,
) {
    assert_code(
        result,
        expected as u32,
        &format!("anchor ErrorCode::{expected:?}"),
    );
}

#[track_caller]
fn assert_code<T: std::fmt::Debug>(result: Result<T, BanksClientError>, code: u32, name: &str) {
    match result {
        Ok(value) => panic!("expected {name} ({code}), but the transaction succeeded: {value:?}"),
        Err(error) => assert_eq!(
            custom_code(&error),
            Some(code),
            "expected {name} ({code}), got {error:?}"
        ),
    }
}

/// Asserts a failure with a given runtime instruction error (not a custom code).
#[track_caller]
pub fn assert_instruction_error<T: std::fmt::Debug>(
    result: Result<T, BanksClientError>,
    expected: InstructionError,
) {
    match result {
        Ok(value) => panic!("expected {expected:?}, but the transaction succeeded: {value:?}"),
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(_, e))) => {
            assert_eq!(e, expected)
        }
        Err(other) => panic!("expected {expected:?}, got {other:?}"),
    }
}
