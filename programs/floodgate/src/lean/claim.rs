//! `claim` and `claim_for` on the runtime's input.
//!
//! [`run`] accepts exactly what Anchor's `Claim`/`ClaimFor` accept, or declines
//! (`None`) before writing anything and lets Anchor's `entry` decide. Its checks,
//! field by field, against the Anchor types they stand for:
//!
//! | account | Anchor | here |
//! |---|---|---|
//! | claimant | `Signer` (`claim`) | signer (`claim`) |
//! | distributor | `AccountLoader<Distributor>` | owner, discriminator, size |
//! | shard | `AccountLoader<Shard>`, `mut` | owner, discriminator, size, writable |
//! | vault, destination | `mut` | writable |
//! | payer | `Signer`, `mut` | signer, writable |
//! | vesting | `Option<..>`, `mut` | the program id (none), or writable; present for a locked part |
//! | token_program | `Interface<TokenInterface>` | the distributor's (one of the two), executable |
//! | system_program | `Option<Program<System>>` | the program id (none), or the system program, executable; present for a locked part |
//!
//! `claim_for` also needs the destination to be the claimant's associated token
//! account (`ClaimFor::validate`). Then the claim is recorded by the same
//! [`record`] and paid out by the same [`pay_out`] as Anchor's handlers.

use crate::{
    bytes32::{PROGRAM_ID, SYSTEM_PROGRAM_ID, le_u32, le_u64, le_u64_at4, same_key},
    constants::MAX_DEPTH,
    input::{Input, InputAccount},
    merkle::Hash,
    settlement::{ClaimKeys, Leaf, Payout, pay_out, record},
    state::{Distributor, Shard},
};
use anchor_lang::{Discriminator, prelude::*};
use anchor_spl::associated_token;

/// The accounts of `claim` and `claim_for` (more are allowed and ignored).
pub const ACCOUNTS: usize = 10;

const CLAIM: u64 = discriminator(crate::instruction::Claim::DISCRIMINATOR);
const CLAIM_FOR: u64 = discriminator(crate::instruction::ClaimFor::DISCRIMINATOR);
const DISTRIBUTOR: u64 = discriminator(Distributor::DISCRIMINATOR);
const SHARD: u64 = discriminator(Shard::DISCRIMINATOR);

/// An 8-byte discriminator as [`le_u64`] reads it.
const fn discriminator(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(*bytes.first_chunk().expect("8 bytes"))
}

/// `index u32, unlocked u64, locked u64, vesting_bump u8, proof length u32`.
const FIXED_ARGS: usize = 4 + 8 + 8 + 1 + 4;

/// The claim in `input`, settled, or `None` when Anchor's `entry` must take the
/// instruction (see the module's documentation).
#[inline(always)]
pub fn run<const N: usize>(input: &Input<N>) -> Option<Result<()>> {
    let pushed = match le_u64(input.data.first_chunk()?) {
        CLAIM => false,
        CLAIM_FOR => true,
        _ => return None,
    };
    // After the discriminator: the program id follows the instruction data, so it is
    // rarely aligned, and this compare goes byte by byte.
    if N < ACCOUNTS || !same_key(input.program_id, &PROGRAM_ID.0) {
        return None;
    }
    let (leaf, ata_bump) = decode(&input.data[8..], pushed)?;
    crate::checkpoint!("args");
    let [
        claimant,
        distributor,
        shard,
        vault,
        mint,
        destination,
        payer,
        vesting,
        token_program,
        system_program,
    ] = *input.accounts()?.first_chunk::<ACCOUNTS>()?;

    // The optional accounts are absent when they hold the program id (Anchor's rule).
    // A locked part needs both (else Anchor reports `VestingAccountMissing`).
    let absent = |account: InputAccount| same_key(account.key(), &PROGRAM_ID.0);
    if leaf.locked > 0 && (absent(vesting) || absent(system_program)) {
        return None;
    }
    let signers_and_writes = (pushed || claimant.is_signer())
        && shard.is_writable()
        && vault.is_writable()
        && destination.is_writable()
        && payer.is_signer()
        && payer.is_writable()
        && (absent(vesting) || vesting.is_writable())
        && (absent(system_program)
            || (same_key(system_program.key(), &SYSTEM_PROGRAM_ID.0)
                && system_program.executable()));
    if !signers_and_writes || !is_ours(&shard, SHARD, Shard::HEADER_SPACE) {
        return None;
    }
    let state = load_distributor(&distributor)?;
    // The distributor's token program is one of the two `Interface` accepts.
    if !same_key(token_program.key(), &state.token_program) || !token_program.executable() {
        return None;
    }
    if let Some(bump) = ata_bump {
        let ata = Pubkey::create_program_address(
            &[
                claimant.key().as_ref(),
                token_program.key().as_ref(),
                mint.key().as_ref(),
                &[bump],
            ],
            &associated_token::ID,
        );
        if !ata.is_ok_and(|ata| same_key(&ata, destination.key())) {
            return None;
        }
    }
    crate::checkpoint!("accounts");

    let keys = ClaimKeys {
        distributor: distributor.key(),
        claimant: claimant.key(),
        vault: vault.key(),
        destination: destination.key(),
        mint: mint.key(),
        token_program: token_program.key(),
    };
    let payout = Payout {
        distributor: distributor.into(),
        vault: vault.into(),
        mint: mint.into(),
        destination: destination.into(),
        payer: payer.into(),
        // Declined above: a locked part without it and the system program.
        vesting: Some(vesting.into()),
    };
    Some(settle(&keys, state, shard, &leaf, pushed, payout))
}

/// Records and pays out an accepted claim: the part that may fail with the program's
/// own errors, after which nothing is handed to Anchor.
#[inline(always)]
fn settle(
    keys: &ClaimKeys,
    state: &Distributor,
    shard: InputAccount,
    leaf: &Leaf,
    pushed: bool,
    payout: Payout,
) -> Result<()> {
    // SAFETY: the only borrow of the shard's data (the distributor, the other account
    // read, has another discriminator, so is another account), dropped before the call.
    record(keys, state, unsafe { shard.data_mut() }, leaf, pushed)?;
    crate::checkpoint!("bitmap");
    pay_out(keys, state, leaf, payout)
}

/// `ClaimArgs` (and `ata_bump` for `claim_for`) read in place, the proof left in the
/// instruction data. `None` when the data is shorter. Bytes after the arguments are
/// ignored, as Anchor's decoder ignores them for every instruction: both entries to
/// the claim path accept the same data (`differential.rs`).
#[inline(always)]
fn decode(args: &[u8], pushed: bool) -> Option<(Leaf<'_>, Option<u8>)> {
    let fixed: &[u8; FIXED_ARGS] = args.first_chunk()?;
    // In the runtime's input the data is 8-byte aligned: the index lies 8 bytes in and
    // the amounts at 12 and 20, so each reads in aligned `u32`s (`bytes32`).
    let word = |at: usize| le_u64_at4(fixed[at..].first_chunk().expect("in bounds"));
    let proof_len = u32::from_le_bytes(*fixed[21..].first_chunk().expect("in bounds")) as usize;
    // Longer than the deepest tree: Anchor's decoder refuses it (`read_proof`), so it
    // decides.
    if proof_len > usize::from(MAX_DEPTH) {
        return None;
    }
    let rest = &args[FIXED_ARGS..];
    let proof_bytes = proof_len * 32;
    let expected = proof_bytes + usize::from(pushed);
    if rest.len() < expected {
        return None;
    }
    // SAFETY: `proof_len` hashes of 32 bytes (alignment 1) lie at the start of `rest`.
    let proof: &[Hash] =
        unsafe { std::slice::from_raw_parts(rest.as_ptr().cast::<Hash>(), proof_len) };
    let leaf = Leaf {
        index: le_u32(fixed.first_chunk().expect("in bounds")),
        unlocked: word(4),
        locked: word(12),
        vesting_bump: fixed[20],
        proof,
    };
    Some((leaf, pushed.then(|| rest[proof_bytes])))
}

/// Whether `account` is this program's, holds `discriminator` and at least `space`
/// bytes (all `AccountLoader::try_from` and `load` check).
#[inline(always)]
fn is_ours(account: &InputAccount, discriminator: u64, space: usize) -> bool {
    // SAFETY: nothing borrows the data mutably during the check.
    let data = unsafe { account.data() };
    same_key(account.owner(), &PROGRAM_ID.0)
        && data.len() >= space
        && data
            .first_chunk()
            .is_some_and(|d| le_u64(d) == discriminator)
}

/// The distributor's state, when the account is one.
#[inline(always)]
fn load_distributor(account: &InputAccount) -> Option<&Distributor> {
    if !is_ours(account, DISTRIBUTOR, Distributor::SPACE) {
        return None;
    }
    // SAFETY: nothing writes the distributor's data during a claim (the only data
    // borrowed mutably is the shard's, which has another discriminator).
    let data = unsafe { account.data() };
    bytemuck::try_from_bytes(&data[8..Distributor::SPACE]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        input::serialize::{Account, input},
        instructions::claim::ClaimArgs,
    };
    use anchor_lang::{InstructionData, system_program};
    use anchor_spl::token::ID as SPL_TOKEN;

    fn key(k: u8) -> Pubkey {
        Pubkey::new_from_array([k; 32])
    }

    fn zeroed_distributor() -> Distributor {
        bytemuck::Zeroable::zeroed()
    }

    fn account(key: Pubkey, owner: Pubkey, data: Vec<u8>) -> Account {
        Account {
            key,
            owner,
            lamports: 1,
            data,
            is_signer: false,
            is_writable: false,
            executable: false,
        }
    }

    /// A claim (or, `pushed`, a claim_for to the claimant's ATA) the lean path takes.
    fn well_formed(pushed: bool) -> (Vec<Account>, Vec<u8>) {
        let mut state = zeroed_distributor();
        state.token_program = SPL_TOKEN;
        state.mint = key(5);
        let mut distributor_data = Distributor::DISCRIMINATOR.to_vec();
        distributor_data.extend_from_slice(bytemuck::bytes_of(&state));
        let mut shard_data = Shard::DISCRIMINATOR.to_vec();
        shard_data.resize(Shard::HEADER_SPACE + 1, 0);
        let claimant = key(1);
        let (ata, ata_bump) = Pubkey::find_program_address(
            &[claimant.as_ref(), SPL_TOKEN.as_ref(), key(5).as_ref()],
            &associated_token::ID,
        );
        let mut accounts = vec![
            account(claimant, system_program::ID, vec![]),
            account(key(2), crate::ID, distributor_data),
            account(key(3), crate::ID, shard_data),
            account(key(4), SPL_TOKEN, vec![]),
            account(key(5), SPL_TOKEN, vec![]),
            account(ata, SPL_TOKEN, vec![]),
            account(key(7), system_program::ID, vec![]),
            account(crate::ID, crate::ID, vec![]),
            account(SPL_TOKEN, crate::ID, vec![]),
            account(crate::ID, crate::ID, vec![]),
        ];
        accounts[0].is_signer = !pushed;
        for k in [2, 3, 5, 6] {
            accounts[k].is_writable = true;
        }
        accounts[6].is_signer = true;
        accounts[8].executable = true;
        let args = ClaimArgs {
            index: 0,
            unlocked: 10,
            locked: 0,
            vesting_bump: 0,
            proof: vec![[9; 32]; 3],
        };
        let data = if pushed {
            crate::instruction::ClaimFor { args, ata_bump }.data()
        } else {
            crate::instruction::Claim { args }.data()
        };
        (accounts, data)
    }

    /// Whether the lean path takes the instruction (it then fails natively at the
    /// clock, outside a bank, which is still taking it).
    fn taken(accounts: &[Account], data: &[u8], program_id: &Pubkey) -> bool {
        let mut buffer = input(accounts, data, program_id);
        // SAFETY: a serialized input, aligned, borrowed by nothing else.
        let parsed = unsafe { Input::<ACCOUNTS>::parse(buffer.as_mut_ptr().cast()) };
        run(&parsed).is_some()
    }

    type Break = (&'static str, fn(&mut Vec<Account>, &mut Vec<u8>));

    /// Every deviation the lean path must leave to Anchor.
    const BREAKS: [Break; 22] = [
        ("an account missing", |a, _| {
            a.pop();
        }),
        ("distributor of another owner", |a, _| a[1].owner = key(99)),
        ("distributor too short", |a, _| {
            a[1].data.truncate(Distributor::SPACE - 1)
        }),
        ("distributor's discriminator", |a, _| a[1].data[0] ^= 1),
        ("shard given as distributor", |a, _| a[1] = a[2].clone()),
        ("shard of another owner", |a, _| a[2].owner = key(99)),
        ("shard too short", |a, _| {
            a[2].data.truncate(Shard::HEADER_SPACE - 1)
        }),
        ("shard's discriminator", |a, _| a[2].data[7] ^= 1),
        ("shard read-only", |a, _| a[2].is_writable = false),
        ("vault read-only", |a, _| a[3].is_writable = false),
        ("destination read-only", |a, _| a[5].is_writable = false),
        ("payer not signing", |a, _| a[6].is_signer = false),
        ("payer read-only", |a, _| a[6].is_writable = false),
        ("a vesting account read-only", |a, _| a[7].key = key(8)),
        ("token program not the distributor's", |a, _| {
            a[8].key = anchor_spl::token_2022::ID
        }),
        ("token program not executable", |a, _| {
            a[8].executable = false
        }),
        ("system program of another id", |a, _| {
            a[9].key = key(10);
            a[9].executable = true;
        }),
        ("system program not executable", |a, _| {
            a[9].key = system_program::ID
        }),
        ("a locked part without the vesting accounts", |_, d| {
            d[8 + 12] = 1
        }),
        ("a truncated proof", |_, d| {
            d.pop();
        }),
        ("a proof longer than the deepest tree", |_, d| {
            // 33 hashes, all present: Anchor's decoder refuses the length.
            let at = 8 + FIXED_ARGS - 4;
            let trailing_bump = d.len() - (at + 4 + 3 * 32);
            let tail = d.split_off(d.len() - trailing_bump);
            d[at..at + 4].copy_from_slice(&33u32.to_le_bytes());
            d.extend(std::iter::repeat_n(9u8, 30 * 32));
            d.extend(tail);
        }),
        ("another instruction", |_, d| d[0] ^= 1),
    ];

    #[test]
    fn takes_well_formed_claims_and_leaves_every_deviation_to_anchor() {
        for pushed in [false, true] {
            let (accounts, data) = well_formed(pushed);
            assert!(taken(&accounts, &data, &crate::ID), "pushed {pushed}");
            assert!(!taken(&accounts, &data, &key(42)), "another program id");
            for (name, break_it) in BREAKS {
                let (mut accounts, mut data) = well_formed(pushed);
                break_it(&mut accounts, &mut data);
                assert!(
                    !taken(&accounts, &data, &crate::ID),
                    "{name} (pushed {pushed})"
                );
            }
        }
    }

    #[test]
    fn claim_needs_the_claimant_to_sign_and_claim_for_its_ata() {
        let (mut accounts, data) = well_formed(false);
        accounts[0].is_signer = false;
        assert!(!taken(&accounts, &data, &crate::ID));
        let (mut accounts, data) = well_formed(true);
        assert!(taken(&accounts, &data, &crate::ID));
        accounts[5].key = key(6);
        assert!(!taken(&accounts, &data, &crate::ID));
        let (accounts, mut data) = well_formed(true);
        *data.last_mut().unwrap() ^= 1; // another ata bump
        assert!(!taken(&accounts, &data, &crate::ID));
    }

    #[test]
    fn a_locked_part_needs_the_vesting_account_and_the_system_program() {
        for pushed in [false, true] {
            let (mut accounts, mut data) = well_formed(pushed);
            data[8 + 12] = 1; // locked: 1
            accounts[7].key = key(8);
            accounts[7].is_writable = true;
            assert!(!taken(&accounts, &data, &crate::ID), "no system program");
            accounts[9].key = system_program::ID;
            accounts[9].executable = true;
            assert!(taken(&accounts, &data, &crate::ID), "pushed {pushed}");
            accounts[7].key = crate::ID;
            assert!(!taken(&accounts, &data, &crate::ID), "no vesting account");
        }
    }

    #[test]
    fn bytes_after_the_arguments_are_ignored_as_anchor_ignores_them() {
        for pushed in [false, true] {
            let (accounts, mut data) = well_formed(pushed);
            let exact = decode(&data[8..], pushed).map(|(l, b)| (l.index, l.proof.len(), b));
            data.extend_from_slice(&[7, 7, 7]);
            assert!(taken(&accounts, &data, &crate::ID), "pushed {pushed}");
            let (leaf, bump) = decode(&data[8..], pushed).unwrap();
            assert_eq!(Some((leaf.index, leaf.proof.len(), bump)), exact);
        }
    }

    #[test]
    fn decodes_the_proof_in_place() {
        let (_, data) = well_formed(true);
        let (leaf, bump) = decode(&data[8..], true).unwrap();
        assert_eq!(leaf.vesting_bump, 0);
        assert_eq!((leaf.index, leaf.unlocked, leaf.locked), (0, 10, 0));
        assert_eq!(leaf.proof, &[[9; 32]; 3]);
        assert_eq!(
            leaf.proof.as_ptr().cast::<u8>(),
            data[8 + FIXED_ARGS..].as_ptr()
        );
        assert_eq!(bump, Some(*data.last().unwrap()));
        // A length prefix past the data is refused, not read.
        let mut huge = data.clone();
        huge[8 + 21..8 + 25].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge[8..], true).is_none());
    }
}
