//! Decoder fuzzing as property tests (issue "Prove it cannot be robbed", item 3): every
//! decoder that reads bytes from outside takes arbitrary input without panicking.
//!
//! cargo-fuzz needs a nightly toolchain, which CI does not have, so this is a proptest
//! harness. Inputs are random bytes (0 to 2,047 of them) and mutations of valid
//! encodings: bytes flipped or overwritten, truncations, extensions, insertions (random
//! bytes or tokens such as quotes, separators and huge numbers), removed ranges, and
//! `u32` fields overwritten with huge lengths. The decoders:
//!
//! - the program's instruction data: the args of every `floodgate::instruction::X`
//!   (`ClaimArgs` has a hand-written decoder whose `read_proof` caps the proof length),
//!   and the program's own dispatcher `floodgate::entry`;
//! - the client's account decoders (`floodgate_client::accounts`);
//! - the client's parsers: the allocation CSV and amounts, and the drop folder's
//!   manifest JSON, leaves file, proof pages and page index, also all together through
//!   `Lookup` on a tampered in-memory folder.
//!
//! The property: a decoder returns `Err`, or a value that encodes back to the bytes it
//! read (or, for text, that parses back to itself). 2,048 cases per property take about
//! 2 s in a debug build on 2 cores; a longer run sets `PROPTEST_CASES` (50,000 cases per
//! property take about 40 s; `--release` builds with fat LTO, which costs more than it
//! saves here):
//!
//! ```text
//! PROPTEST_CASES=50000 cargo test -p floodgate-tests --test program decoders::
//! ```

use std::{collections::HashMap, sync::OnceLock};

use anchor_lang::{
    AccountSerialize, AnchorDeserialize, AnchorSerialize, Discriminator, InstructionData,
    prelude::Pubkey,
};
use floodgate::{
    constants::MAX_DEPTH,
    instruction as ix,
    instructions::{ClaimArgs, CreateDistributorArgs},
    state::{Distributor, Shard, VestingStatus, bitmap_len},
};
use floodgate_client::{
    ClientError, accounts,
    allocation::{Allocation, format_amount, parse_amount, parse_csv},
    drop::{
        DropFolder, DropParams, INDEX_PATH, LEAVES_FILE, MANIFEST_FILE, Manifest, Page, PageIndex,
        page_path, parse_leaves, write_leaves,
    },
    instructions::DistributorKeys,
    lookup::Lookup,
    tree::MerkleTree,
};
use proptest::{collection::vec, prelude::*, sample::Index, test_runner::Config as ProptestConfig};

/// Cases of each property, unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 2048;
/// Longest random input.
const MAX_LEN: usize = 2048;

/// `PROPTEST_CASES` when set, else [`CASES`]; no regression files are written (a
/// failure is kept as a named `#[test]` instead).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..MAX_LEN)
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/// Tokens that matter to the text formats.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b".",
    b"-",
    b"+",
    b"e",
    b"E9",
    b" ",
    b"\t",
    b"0",
    b"00",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\0",
    b"18446744073709551615",
    b"18446744073709551616",
    b"99999999999999999999999999",
    b"4294967295",
    b"null",
    b"[]",
    b"{}",
    b"\\u0000",
    b"1e999",
    b"\"format_version\": 1",
];

/// One edit of a valid encoding.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(Index, u8),
    /// Overwrite one byte.
    Set(Index, u8),
    /// Keep only a prefix.
    Truncate(Index),
    /// Append bytes.
    Extend(Vec<u8>),
    /// Insert bytes.
    Insert(Index, Vec<u8>),
    /// Insert a token of the text formats.
    Token(Index, &'static [u8]),
    /// Remove up to `len` bytes.
    Remove(Index, usize),
    /// Overwrite a `u32` (a length, a count, an index) with a huge value.
    U32(Index, u32),
    /// The same at offset `4 * slot`, where the binary headers keep their counts.
    HeaderU32(usize, u32),
}

fn huge_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(u32::MAX),
        Just(u32::MAX - 1),
        Just(1 << 31),
        Just(1 << 16),
        Just(u32::from(MAX_DEPTH) + 1),
        Just(u32::from(MAX_DEPTH)),
        Just(0),
        any::<u32>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        2 => any::<Index>().prop_map(Mutation::Truncate),
        1 => vec(any::<u8>(), 1..64).prop_map(Mutation::Extend),
        1 => (any::<Index>(), vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => (any::<Index>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Mutation::Token(i, t)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
        2 => (any::<Index>(), huge_u32()).prop_map(|(i, v)| Mutation::U32(i, v)),
        1 => (0usize..16, huge_u32()).prop_map(|(slot, v)| Mutation::HeaderU32(slot, v)),
    ]
}

fn apply(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    // `Index::index(n)` needs `n > 0`; positions run over `0..=len` for insertions.
    let at = |i: &Index, len: usize| i.index(len + 1);
    for m in mutations {
        let len = data.len();
        match m {
            Mutation::Flip(i, mask) if len > 0 => data[i.index(len)] ^= mask,
            Mutation::Set(i, b) if len > 0 => data[i.index(len)] = *b,
            Mutation::Truncate(i) => data.truncate(at(i, len)),
            Mutation::Extend(more) => data.extend_from_slice(more),
            Mutation::Insert(i, more) => {
                let p = at(i, len);
                data.splice(p..p, more.iter().copied());
            }
            Mutation::Token(i, token) => {
                let p = at(i, len);
                data.splice(p..p, token.iter().copied());
            }
            Mutation::Remove(i, n) if len > 0 => {
                let p = i.index(len);
                data.drain(p..(p + n).min(len));
            }
            Mutation::U32(i, v) if len >= 4 => {
                let p = i.index(len - 3);
                data[p..p + 4].copy_from_slice(&v.to_le_bytes());
            }
            Mutation::HeaderU32(slot, v) if len >= 4 * slot + 4 => {
                data[4 * slot..4 * slot + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ => {}
        }
    }
    data
}

/// A valid encoding from `valid`, with 1 to 4 mutations.
fn mutated(valid: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (valid, vec(mutation(), 1..=4)).prop_map(|(data, m)| apply(data, &m))
}

/// Arbitrary bytes, a mutated valid encoding or a valid one, a third of the time each.
fn inputs(valid: impl Strategy<Value = Vec<u8>> + Clone) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![bytes(), mutated(valid.clone()), valid]
}

// ---------------------------------------------------------------------------------------
// Instruction data
// ---------------------------------------------------------------------------------------

fn key() -> impl Strategy<Value = Pubkey> {
    any::<[u8; 32]>().prop_map(Pubkey::new_from_array)
}

fn claim_args() -> impl Strategy<Value = ClaimArgs> {
    (
        any::<u32>(),
        any::<u64>(),
        any::<u64>(),
        any::<u8>(),
        vec(any::<[u8; 32]>(), 0..=usize::from(MAX_DEPTH)),
    )
        .prop_map(|(index, unlocked, locked, vesting_bump, proof)| ClaimArgs {
            index,
            unlocked,
            locked,
            vesting_bump,
            proof,
        })
}

fn create_distributor_args() -> impl Strategy<Value = CreateDistributorArgs> {
    (
        (any::<u64>(), any::<[u8; 32]>(), any::<u8>(), any::<u32>()),
        (any::<u8>(), any::<u64>(), [any::<i64>(); 4]),
        (key(), any::<bool>()),
    )
        .prop_map(
            |(
                (seed, root, depth, num_leaves),
                (shard_bits, total_amount, ts),
                (admin, allow_claim_for),
            )| CreateDistributorArgs {
                seed,
                root,
                depth,
                num_leaves,
                shard_bits,
                total_amount,
                claims_start_ts: ts[0],
                vesting_start_ts: ts[1],
                vesting_end_ts: ts[2],
                clawback_start_ts: ts[3],
                admin,
                allow_claim_for,
            },
        )
}

/// The instruction data of any Floodgate instruction with random arguments.
fn instruction_data() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        create_distributor_args().prop_map(|args| ix::CreateDistributor { args }.data()),
        (
            any::<u32>(),
            any::<u64>(),
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<[u8; 32]>(), 0..=32)
        )
            .prop_map(|(shard_index, max_total, shard_root, upper_proof)| {
                ix::CreateShard {
                    shard_index,
                    max_total,
                    shard_root,
                    upper_proof,
                }
                .data()
            }),
        claim_args().prop_map(|args| ix::Claim { args }.data()),
        (claim_args(), any::<u8>())
            .prop_map(|(args, ata_bump)| ix::ClaimFor { args, ata_bump }.data()),
        any::<u32>().prop_map(|index| ix::WithdrawVested { index }.data()),
        any::<u32>().prop_map(|index| ix::CloseVesting { index }.data()),
        any::<u32>().prop_map(|shard_index| ix::Clawback { shard_index }.data()),
        key().prop_map(|new_admin| ix::SetAdmin { new_admin }.data()),
        Just(ix::SetClawbackReceiver {}.data()),
        any::<bool>().prop_map(|paused| ix::SetPaused { paused }.data()),
        any::<u32>().prop_map(|shard_index| ix::CloseShard { shard_index }.data()),
        Just(ix::CloseDistributor {}.data()),
    ]
    .boxed()
}

/// Every instruction's discriminator.
const DISCRIMINATORS: [&[u8]; 12] = [
    ix::CreateDistributor::DISCRIMINATOR,
    ix::CreateShard::DISCRIMINATOR,
    ix::Claim::DISCRIMINATOR,
    ix::ClaimFor::DISCRIMINATOR,
    ix::WithdrawVested::DISCRIMINATOR,
    ix::CloseVesting::DISCRIMINATOR,
    ix::Clawback::DISCRIMINATOR,
    ix::SetAdmin::DISCRIMINATOR,
    ix::SetClawbackReceiver::DISCRIMINATOR,
    ix::SetPaused::DISCRIMINATOR,
    ix::CloseShard::DISCRIMINATOR,
    ix::CloseDistributor::DISCRIMINATOR,
];

/// Decodes `args` as `T` the way Anchor's dispatcher does (`deserialize(&mut &data[8..])`,
/// trailing bytes allowed). `Ok(Some(value))` when it decodes, after checking that the
/// value encodes back to exactly the bytes read.
fn decode_args<T: AnchorDeserialize + AnchorSerialize>(
    name: &str,
    args: &[u8],
) -> Result<Option<T>, TestCaseError> {
    let mut rest = args;
    let Ok(value) = T::deserialize(&mut rest) else {
        return Ok(None);
    };
    let read = &args[..args.len() - rest.len()];
    let mut again = Vec::new();
    value
        .serialize(&mut again)
        .map_err(|e| TestCaseError::fail(format!("{name}: re-encoding failed: {e}")))?;
    prop_assert_eq!(again.as_slice(), read, "{} does not re-encode", name);
    Ok(Some(value))
}

/// Runs every args decoder on `args`; checks what only `ClaimArgs` promises.
fn decode_every_args(args: &[u8]) -> Result<(), TestCaseError> {
    decode_args::<ix::CreateDistributor>("CreateDistributor", args)?;
    decode_args::<ix::CreateShard>("CreateShard", args)?;
    if let Some(claim) = decode_args::<ix::Claim>("Claim", args)? {
        prop_assert!(claim.args.proof.len() <= usize::from(MAX_DEPTH));
    }
    if let Some(claim) = decode_args::<ix::ClaimFor>("ClaimFor", args)? {
        prop_assert!(claim.args.proof.len() <= usize::from(MAX_DEPTH));
    }
    decode_args::<ClaimArgs>("ClaimArgs", args)?;
    decode_args::<CreateDistributorArgs>("CreateDistributorArgs", args)?;
    decode_args::<ix::WithdrawVested>("WithdrawVested", args)?;
    decode_args::<ix::CloseVesting>("CloseVesting", args)?;
    decode_args::<ix::Clawback>("Clawback", args)?;
    decode_args::<ix::SetAdmin>("SetAdmin", args)?;
    decode_args::<ix::SetClawbackReceiver>("SetClawbackReceiver", args)?;
    decode_args::<ix::SetPaused>("SetPaused", args)?;
    decode_args::<ix::CloseShard>("CloseShard", args)?;
    decode_args::<ix::CloseDistributor>("CloseDistributor", args)?;
    Ok(())
}

/// Instruction data through every decoder (after the first 8 bytes, and whole), Anchor's
/// dispatcher and the program's own entrypoint (the lean claim path first), which must
/// both refuse it, with one error: no accounts are passed.
fn check_instruction_data(data: &[u8]) -> Result<(), TestCaseError> {
    decode_every_args(data)?;
    if data.len() >= 8 {
        decode_every_args(&data[8..])?;
    }
    let dispatched = floodgate::entry(&floodgate::ID, &[], data);
    prop_assert!(dispatched.is_err());
    // The program's entrypoint declines to Anchor and returns the same error.
    let mut input = floodgate::input::serialize::input(&[], data, &floodgate::ID);
    // SAFETY: the runtime's layout, 8-byte aligned, owned here.
    let entered = unsafe { floodgate::lean::process(input.as_mut_ptr().cast()) };
    prop_assert_eq!(entered, u64::from(dispatched.unwrap_err()));
    Ok(())
}

/// Offset of the proof's length prefix in `claim` and `claim_for` data: discriminator,
/// index u32, unlocked u64, locked u64, vesting_bump u8.
const PROOF_LEN_AT: usize = 8 + 4 + 8 + 8 + 1;

// ---------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------

/// A distributor account: discriminator and random (any bytes are a valid `Pod`) body.
fn distributor_account() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), size_of::<Distributor>()).prop_map(|body| {
        let mut data = Distributor::DISCRIMINATOR.to_vec();
        data.extend(body);
        data
    })
}

/// A shard account with up to 2,048 leaves and its bitmap.
fn shard_account() -> impl Strategy<Value = Vec<u8>> {
    (vec(any::<u8>(), size_of::<Shard>()), 0u32..=2048)
        .prop_flat_map(|(header, leaf_count)| {
            (
                Just(header),
                Just(leaf_count),
                vec(any::<u8>(), bitmap_len(leaf_count)),
            )
        })
        .prop_map(|(mut header, leaf_count, bitmap)| {
            // `leaf_count` follows bump, vault_bump, clawed_back, padding, shard_index.
            header[8..12].copy_from_slice(&leaf_count.to_le_bytes());
            let mut data = Shard::DISCRIMINATOR.to_vec();
            data.extend(header);
            data.extend(bitmap);
            data
        })
}

/// A vesting status account: discriminator and random fields (every field is an integer,
/// a key or a hash, so any bytes of the right length decode).
fn vesting_account() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), VestingStatus::SPACE - 8).prop_map(|body| {
        let mut data = VestingStatus::DISCRIMINATOR.to_vec();
        data.extend(body);
        data
    })
}

fn account_data() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![distributor_account(), shard_account(), vesting_account()].boxed()
}

fn check_accounts(data: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(d) = accounts::distributor(data) {
        let end = 8 + size_of::<Distributor>();
        prop_assert_eq!(&data[..8], Distributor::DISCRIMINATOR);
        prop_assert_eq!(bytemuck::bytes_of(&d), &data[8..end]);
    }
    if let Ok(s) = accounts::shard(data) {
        prop_assert_eq!(&data[..8], Shard::DISCRIMINATOR);
        prop_assert_eq!(bytemuck::bytes_of(&s.header), &data[8..Shard::HEADER_SPACE]);
        let bitmap_end = Shard::HEADER_SPACE + bitmap_len(s.header.leaf_count);
        prop_assert_eq!(s.bitmap.as_slice(), &data[Shard::HEADER_SPACE..bitmap_end]);
        let claimed = (0..s.header.leaf_count + 16)
            .filter(|&p| s.is_claimed(p))
            .count();
        prop_assert_eq!(
            claimed + s.unclaimed().count(),
            s.header.leaf_count as usize
        );
    }
    if let Ok(v) = accounts::vesting(data) {
        let mut again = Vec::new();
        v.try_serialize(&mut again).expect("serializes");
        prop_assert_eq!(again.as_slice(), &data[..again.len()]);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Allocation CSV
// ---------------------------------------------------------------------------------------

/// A valid allocation CSV in one of the accepted shapes (header or not, 2 or 3 columns,
/// quoted fields, BOM, CRLF, blank lines), and its decimals.
fn csv_file() -> impl Strategy<Value = (Vec<u8>, u8)> {
    (
        vec((key(), any::<u64>(), any::<u64>()), 1..20),
        0u8..=12,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(rows, decimals, three, header, quoted, crlf, bom)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if header {
                text.push_str(if three {
                    "claimant,unlocked,locked"
                } else {
                    "claimant,amount"
                });
                text.push_str(end);
            }
            let field = |s: String| if quoted { format!("\"{s}\"") } else { s };
            for (claimant, unlocked, locked) in rows {
                // At most 19 rows of 2^58 each: the grand total fits in u64.
                let (unlocked, locked) = (unlocked >> 6, locked >> 6);
                text.push_str(&field(claimant.to_string()));
                text.push(',');
                text.push_str(&field(format_amount(unlocked.max(1), decimals)));
                if three {
                    text.push(',');
                    text.push_str(&field(format_amount(locked, decimals)));
                }
                text.push_str(end);
            }
            (text.into_bytes(), decimals)
        })
}

fn check_csv(data: &[u8], decimals: u8) -> Result<(), TestCaseError> {
    let Ok(list) = parse_csv(data, decimals) else {
        return Ok(());
    };
    prop_assert!(!list.is_empty());
    for a in &list {
        prop_assert!(a.total().is_some_and(|t| t > 0), "{:?}", a);
    }
    let grand_total = list
        .iter()
        .try_fold(0u64, |sum, a| sum.checked_add(a.total()?));
    prop_assert!(
        grand_total.is_some(),
        "a grand total over u64::MAX was accepted"
    );
    let mut claimants: Vec<_> = list.iter().map(|a| a.claimant.to_bytes()).collect();
    claimants.sort_unstable();
    claimants.dedup();
    prop_assert_eq!(claimants.len(), list.len(), "duplicate claimant accepted");
    // Written back in the three-column shape, the list parses to itself.
    let text: String = list
        .iter()
        .map(|a| {
            format!(
                "{},{},{}\n",
                a.claimant,
                format_amount(a.unlocked, decimals),
                format_amount(a.locked, decimals)
            )
        })
        .collect();
    let again = parse_csv(text.as_bytes(), decimals);
    prop_assert_eq!(again.ok(), Some(list));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Drop folder
// ---------------------------------------------------------------------------------------

/// The files of a drop folder, by relative path (a `PageSource` of the client).
type Files = HashMap<String, Vec<u8>>;

/// A written drop and the list it was made from.
#[derive(Debug)]
struct Fixture {
    files: Files,
    /// Canonical order.
    allocations: Vec<Allocation>,
    root: [u8; 32],
    page_count: u32,
}

/// Three drops written with the crate's own writer: 1 leaf, 5 leaves in single-leaf
/// pages and shards, 37 leaves in pages of 4 and shards of 8.
fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        [(1, 0, 0), (5, 0, 0), (37, 3, 2)]
            .into_iter()
            .map(|(n, shard_bits, page_bits)| {
                let allocations: Vec<Allocation> = (0..n)
                    .map(|i: u8| {
                        let mut key = [i.wrapping_mul(97).wrapping_add(3); 32];
                        key[31] = i;
                        let locked = if i.is_multiple_of(3) {
                            0
                        } else {
                            u64::MAX >> 8
                        };
                        Allocation::new(Pubkey::new_from_array(key), u64::from(i) + 1, locked)
                    })
                    .collect();
                let scratch = scratch_dir();
                let dir = scratch.join("drop");
                let params = DropParams {
                    page_bits,
                    ..DropParams::new(
                        floodgate::ID,
                        Pubkey::new_from_array([7; 32]),
                        6,
                        shard_bits,
                    )
                };
                let (manifest, _) = DropFolder::write(&dir, &allocations, params).unwrap();
                let mut paths = vec![
                    MANIFEST_FILE.to_string(),
                    LEAVES_FILE.to_string(),
                    INDEX_PATH.to_string(),
                ];
                paths.extend((0..manifest.page_count).map(page_path));
                let files = paths
                    .into_iter()
                    .map(|p| {
                        let bytes = std::fs::read(dir.join(&p)).unwrap();
                        (p, bytes)
                    })
                    .collect();
                std::fs::remove_dir_all(&scratch).unwrap();
                let mut sorted = allocations;
                sorted.sort_by(|a, b| a.claimant.as_ref().cmp(b.claimant.as_ref()));
                Fixture {
                    files,
                    allocations: sorted,
                    root: manifest.root,
                    page_count: manifest.page_count,
                }
            })
            .collect()
    })
}

/// A fresh folder under the system's temporary folder (this crate does not depend on
/// `tempfile`); the caller removes it.
fn scratch_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "floodgate-decoders-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file of a random fixture, among those whose path `pick` accepts.
fn fixture_file(pick: impl Fn(&str) -> bool + Clone + 'static) -> BoxedStrategy<Vec<u8>> {
    (any::<Index>(), any::<Index>())
        .prop_map(move |(f, p)| {
            let fixture = &fixtures()[f.index(fixtures().len())];
            let mut paths: Vec<&String> = fixture.files.keys().filter(|k| pick(k)).collect();
            paths.sort();
            fixture.files[paths[p.index(paths.len())]].clone()
        })
        .boxed()
}

fn check_manifest(data: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(m) = Manifest::from_json(data) {
        let json = m
            .to_json()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(Manifest::from_json(json.as_bytes()).ok(), Some(m));
    }
    Ok(())
}

fn check_leaves(data: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(list) = parse_leaves(data) {
        prop_assert!(!list.is_empty());
        let mut again = Vec::new();
        write_leaves(&mut again, &list).expect("writes to memory");
        prop_assert_eq!(parse_leaves(&again).ok(), Some(list));
    }
    Ok(())
}

fn check_page(data: &[u8], probe: &Pubkey) -> Result<(), TestCaseError> {
    if let Ok(page) = Page::decode(data) {
        let again = page.encode();
        prop_assert_eq!(again.as_slice(), data);
        let tree = page.rebuild();
        for j in 0..page.leaves.len() {
            let proof = tree.proof(&page, j);
            prop_assert_eq!(proof.len(), usize::from(page.shard_bits.min(page.depth)));
        }
    }
    if let Ok(index) = PageIndex::decode(data) {
        let again = index.encode();
        prop_assert_eq!(again.as_slice(), data);
        if let Some(p) = index.page_of(probe) {
            prop_assert!(p < index.page_count());
        }
    }
    Ok(())
}

/// Opens a (tampered) in-memory drop and looks claimants up. Whatever the files say, a
/// leaf that is found comes with exactly `min(shard_bits, depth)` hashes that lead to
/// its shard's root in the manifest, which leads to the manifest root; and while the
/// manifest keeps the true root, only a true leaf is ever found.
fn check_lookup(
    files: Files,
    fixture: &Fixture,
    claimants: &[Pubkey],
) -> Result<(), TestCaseError> {
    let Ok(lookup) = Lookup::open(files) else {
        return Ok(());
    };
    let m = lookup.manifest().clone();
    for p in 0..m.page_count.min(64) {
        let _ = lookup.page(p);
    }
    for claimant in claimants {
        if let Ok(found) = lookup.find(claimant) {
            prop_assert_eq!(&found.claimant, claimant);
            prop_assert_eq!(found.proof.len(), usize::from(m.shard_height()));
            prop_assert!(found.index < m.num_leaves);
            let shard = m.shard_of(found.index);
            let shard_root = m.shards[shard as usize].root;
            prop_assert_eq!(found.shard_root, shard_root);
            prop_assert!(floodgate::merkle::proof_leads_to(
                &shard_root,
                found.allocation().leaf_hash(found.index),
                found.index,
                &found.proof,
            ));
            let upper = m.shard_tree().expect("a read manifest").upper_proof(shard);
            prop_assert!(floodgate::merkle::proof_leads_to(
                &m.root,
                shard_root,
                shard,
                &upper.expect("a shard of the manifest"),
            ));
            if m.root == fixture.root {
                let index = found.index as usize;
                prop_assert_eq!(found.allocation(), fixture.allocations[index]);
            }
        }
    }
    Ok(())
}

/// A fixture with 1 to 3 of its files mutated or replaced by random bytes.
fn tampered_folder() -> impl Strategy<Value = (&'static Fixture, Files, Vec<Pubkey>)> {
    (
        any::<Index>(),
        vec(
            (
                any::<Index>(),
                prop_oneof![
                    3 => vec(mutation(), 1..=3).prop_map(Ok),
                    1 => bytes().prop_map(Err),
                ],
            ),
            1..=3,
        ),
        vec(key(), 2),
    )
        .prop_map(|(f, edits, random_keys)| {
            let fixture = &fixtures()[f.index(fixtures().len())];
            let mut files = fixture.files.clone();
            let mut paths: Vec<String> = files.keys().cloned().collect();
            paths.sort();
            for (which, edit) in edits {
                let path = &paths[which.index(paths.len())];
                let file = files.get_mut(path).expect("listed");
                *file = match edit {
                    Ok(mutations) => apply(std::mem::take(file), &mutations),
                    Err(random) => random,
                };
            }
            let mut claimants: Vec<Pubkey> =
                fixture.allocations.iter().map(|a| a.claimant).collect();
            claimants.extend(random_keys);
            (fixture, files, claimants)
        })
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Every instruction decoder and the dispatcher, on random bytes, on random bytes
    /// behind a real discriminator, and on mutated valid instruction data.
    #[test]
    fn instruction_data_decodes_or_is_refused(
        data in inputs(instruction_data()),
        discriminator in prop::sample::select(DISCRIMINATORS.to_vec()),
        body in vec(any::<u8>(), 0..256),
    ) {
        check_instruction_data(&data)?;
        let mut behind = discriminator.to_vec();
        behind.extend_from_slice(&body);
        check_instruction_data(&behind)?;
    }

    /// `claim` and `claim_for` with the proof's length prefix set to any value, followed
    /// by 0 to 40 hashes' worth of bytes: a length over `MAX_DEPTH` is refused however
    /// many bytes follow, any other decodes exactly when its hashes are all there.
    #[test]
    fn claim_proof_length_is_capped(
        args in claim_args(),
        for_someone in any::<bool>(),
        len in huge_u32(),
        hashes in 0usize..=40,
        tail in 0usize..32,
    ) {
        let mut data = if for_someone {
            ix::ClaimFor { args, ata_bump: 1 }.data()
        } else {
            ix::Claim { args }.data()
        };
        data.truncate(PROOF_LEN_AT);
        data.extend_from_slice(&len.to_le_bytes());
        data.resize(data.len() + 32 * hashes + tail, 0xab);
        let body = &data[8..];
        let decoded = if for_someone {
            ix::ClaimFor::deserialize(&mut &body[..]).map(|c| c.args)
        } else {
            ix::Claim::deserialize(&mut &body[..]).map(|c| c.args)
        };
        let enough = 32 * hashes + tail >= 32 * len as usize + usize::from(for_someone);
        if len > u32::from(MAX_DEPTH) {
            let kind = decoded.map(|_| ()).map_err(|e| e.kind());
            prop_assert_eq!(kind, Err(std::io::ErrorKind::InvalidData), "length {}", len);
        } else {
            prop_assert_eq!(decoded.is_ok(), enough, "length {}, {} hashes, tail {}", len, hashes, tail);
            if let Ok(args) = decoded {
                prop_assert_eq!(args.proof.len(), len as usize);
            }
        }
        check_instruction_data(&data)?;
    }

    /// The account decoders, on random bytes and mutated valid accounts.
    #[test]
    fn accounts_decode_or_are_refused(data in inputs(account_data())) {
        check_accounts(&data)?;
    }

    /// The allocation CSV parser and amounts, on random bytes and mutated valid files.
    #[test]
    fn allocation_csv_parses_or_is_refused(
        (data, decimals) in prop_oneof![
            (bytes(), any::<u8>()),
            csv_file(),
            (csv_file(), vec(mutation(), 1..=4)).prop_map(|((d, dec), m)| (apply(d, &m), dec)),
        ],
        (text, amount_decimals) in prop_oneof![
            ("[0-9.eE+ -]{0,30}", any::<u8>()),
            ("[0-9]{1,21}(\\.[0-9]{0,21})?", 0u8..=21),
            (any::<String>(), any::<u8>()),
            (any::<u64>(), 0u8..=30).prop_map(|(v, d)| (format_amount(v, d), d)),
        ],
    ) {
        check_csv(&data, decimals)?;
        if let Ok(v) = parse_amount(&text, amount_decimals) {
            prop_assert_eq!(parse_amount(&format_amount(v, amount_decimals), amount_decimals), Ok(v));
        }
    }

    /// Each drop-folder decoder (manifest JSON, leaves file, page, page index) on random
    /// bytes and on mutations of every file of the fixtures, fed to all of them.
    #[test]
    fn drop_files_decode_or_are_refused(
        data in prop_oneof![
            bytes(),
            fixture_file(|_| true),
            mutated(fixture_file(|p| p == MANIFEST_FILE)),
            mutated(fixture_file(|p| p == LEAVES_FILE)),
            mutated(fixture_file(|p| p == INDEX_PATH)),
            mutated(fixture_file(|p| p.ends_with(".bin"))),
        ],
        probe in key(),
    ) {
        check_manifest(&data)?;
        check_leaves(&data)?;
        check_page(&data, &probe)?;
    }

    /// A tampered drop folder through `Lookup`: every page and every claimant.
    #[test]
    fn tampered_drop_folder_lookups_never_panic(
        (fixture, files, claimants) in tampered_folder(),
    ) {
        check_lookup(files, fixture, &claimants)?;
    }
}

/// The typed decoders above cover every instruction of the committed IDL: a new
/// instruction fails this test until it is added to [`DISCRIMINATORS`],
/// [`instruction_data`] and [`decode_every_args`].
#[test]
fn every_instruction_of_the_idl_is_fuzzed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl/floodgate.json");
    let idl: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut in_idl: Vec<Vec<u8>> = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let bytes = i["discriminator"].as_array().unwrap();
            bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect()
        })
        .collect();
    let mut fuzzed: Vec<Vec<u8>> = DISCRIMINATORS.iter().map(|d| d.to_vec()).collect();
    in_idl.sort();
    fuzzed.sort();
    assert_eq!(fuzzed, in_idl);
}

/// The fixtures themselves decode, look up every claimant, and re-encode byte for byte,
/// so the mutations above start from valid encodings.
#[test]
fn fixtures_are_valid() {
    for fixture in fixtures() {
        let files = &fixture.files;
        let manifest = Manifest::from_json(&files[MANIFEST_FILE]).unwrap();
        assert_eq!(manifest.page_count, fixture.page_count);
        assert_eq!(
            parse_leaves(&files[LEAVES_FILE]).unwrap(),
            fixture.allocations
        );
        let index = PageIndex::decode(&files[INDEX_PATH]).unwrap();
        assert_eq!(index.encode(), files[INDEX_PATH]);
        for p in 0..fixture.page_count {
            let bytes = &files[&page_path(p)];
            assert_eq!(&Page::decode(bytes).unwrap().encode(), bytes);
        }
        let tree = MerkleTree::build(&fixture.allocations).unwrap();
        assert_eq!(manifest.root, tree.root());
        let lookup = Lookup::open(fixture.files.clone()).unwrap();
        for (i, a) in fixture.allocations.iter().enumerate() {
            let found = lookup.find(&a.claimant).unwrap();
            assert_eq!(found.index, i as u32);
            let proof = tree.claim_proof(i as u32, manifest.shard_bits).unwrap();
            assert_eq!(found.proof, proof);
        }
    }
}

/// Found by `accounts_decode_or_are_refused`: a distributor body the program never writes
/// (shard bits of 32 or 64, more shards than the leaves need) decoded, and then
/// `shard_of` / `shard_leaf_count` overflowed in the CLI's `status` and `push`. The
/// decoder now refuses such shapes; a real one still decodes and its helpers work.
#[test]
fn decoded_distributors_of_impossible_shapes_are_refused() {
    let encode = |state: &Distributor| {
        let mut data = Distributor::DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(state));
        data
    };
    for (shard_bits, num_leaves, num_shards) in
        [(32, 1, 1), (64, 1, 1), (0, 1, 5), (17, 1, 1), (4, 0, 0)]
    {
        let mut state: Distributor = bytemuck::Zeroable::zeroed();
        state.shard_bits = shard_bits;
        state.num_leaves = num_leaves;
        state.num_shards = num_shards;
        let decoded = accounts::distributor(&encode(&state));
        assert!(
            matches!(decoded, Err(ClientError::AccountData { .. })),
            "shard_bits {shard_bits}, num_leaves {num_leaves}, num_shards {num_shards}: {decoded:?}"
        );
    }
    let mut state: Distributor = bytemuck::Zeroable::zeroed();
    (
        state.shard_bits,
        state.num_leaves,
        state.num_shards,
        state.depth,
    ) = (16, 65_537, 2, 17);
    let d = accounts::distributor(&encode(&state)).expect("a real shape");
    assert_eq!((d.shard_of(65_536), d.shard_leaf_count(1)), (1, Some(1)));
    let keys = DistributorKeys::from_state(Pubkey::default(), &d);
    assert_eq!(keys.shard_of(65_536), keys.shard(1));
}
