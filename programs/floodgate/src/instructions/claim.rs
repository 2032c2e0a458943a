//! `claim`: the claimant proves its leaf and takes its tokens to any token account of
//! the mint it chooses. This is the path CPI integrators use.
//!
//! The accounts and the settlement are shared with `claim_for` ([`ClaimAccounts`]).

use crate::{
    constants::MAX_DEPTH,
    settlement::{ClaimKeys, Leaf, Payout, pay_out, record},
    state::{Distributor, Shard},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

/// A leaf and its proof.
///
/// Borsh on the wire (the IDL's layout). Decoding is written by hand so the proof
/// arrives in one copy instead of one read and one push per hash (see `read_proof`).
#[derive(AnchorSerialize, Clone, Debug, PartialEq, Eq)]
pub struct ClaimArgs {
    /// Leaf index (position in the canonical order).
    pub index: u32,
    /// Amount paid now.
    pub unlocked: u64,
    /// Amount that vests linearly; held in the vault until withdrawn.
    pub locked: u64,
    /// Canonical bump of the vesting status PDA (only read when `locked > 0`; any other
    /// bump is refused with `InvalidVestingAccount`).
    pub vesting_bump: u8,
    /// Sibling hashes from the leaf up to its shard's root, leaf level first: exactly
    /// `min(shard_bits, depth)` of them (at most 16, whatever the depth).
    pub proof: Vec<[u8; 32]>,
}

impl AnchorDeserialize for ClaimArgs {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        crate::checkpoint!("dispatch");
        Ok(Self {
            index: u32::deserialize_reader(reader)?,
            unlocked: u64::deserialize_reader(reader)?,
            locked: u64::deserialize_reader(reader)?,
            vesting_bump: u8::deserialize_reader(reader)?,
            proof: read_proof(reader)?,
        })
    }
}

/// Reads a borsh `Vec<[u8; 32]>` with one allocation and one copy. A proof longer than
/// the deepest possible tree (`MAX_DEPTH` hashes) is refused before anything is
/// allocated, so the length prefix cannot exhaust the program's heap.
fn read_proof<R: std::io::Read>(reader: &mut R) -> std::io::Result<Vec<[u8; 32]>> {
    let len = u32::deserialize_reader(reader)?;
    if len > u32::from(MAX_DEPTH) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "proof longer than the deepest tree",
        ));
    }
    let mut proof = vec![[0u8; 32]; len as usize];
    reader.read_exact(proof.as_flattened_mut())?;
    crate::checkpoint!("args");
    Ok(proof)
}

/// `claim`'s accounts. `claim_for` takes the same list; only its claimant does not sign.
///
/// The relations between them (shard of this distributor, its vault, the distributor's
/// mint and token program) are checked in [`ClaimAccounts::settle`], from one load of
/// the distributor and one borrow of the shard.
#[derive(Accounts)]
pub struct Claim<'info> {
    /// The leaf's claimant: a wallet, or a program signing through CPI.
    pub claimant: Signer<'info>,

    /// The distributor: read-only, so claims never contend on it.
    pub distributor: AccountLoader<'info, Distributor>,

    /// The shard holding the leaf: its bitmap and counters are written.
    #[account(mut)]
    pub shard: AccountLoader<'info, Shard>,

    /// CHECK: must be the shard's vault (checked against the stored address); the token
    /// program checks its mint and that the distributor is its authority.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,

    /// CHECK: must be the distributor's mint (checked against the stored address).
    pub mint: UncheckedAccount<'info>,

    /// CHECK: any token account of the mint; the token program checks the mint.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,

    /// Pays the vesting status's rent when the leaf has a locked part.
    #[account(mut)]
    pub payer: Signer<'info>,

    /// CHECK: the vesting status PDA `["vesting", distributor, index]`; required and
    /// created (address checked) only when `locked > 0`.
    #[account(mut)]
    pub vesting: Option<UncheckedAccount<'info>>,

    /// The distributor's token program (checked against the stored address).
    pub token_program: Interface<'info, TokenInterface>,

    /// Required only when `locked > 0`.
    pub system_program: Option<Program<'info, System>>,
}

impl<'info> Claim<'info> {
    #[inline(never)]
    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        crate::checkpoint!("accounts");
        claim_accounts!(ctx.accounts, pushed: false).settle(&args)
    }
}

/// [`ClaimAccounts`] borrowed from a [`Claim`] or a
/// [`ClaimFor`](crate::instructions::ClaimFor): they have the same fields.
macro_rules! claim_accounts {
    ($accounts:expr, pushed: $pushed:expr) => {{
        let a = &$accounts;
        $crate::instructions::claim::ClaimAccounts {
            claimant: a.claimant.key,
            distributor: &a.distributor,
            shard: a.shard.as_ref(),
            vault: a.vault.as_ref(),
            mint: a.mint.as_ref(),
            destination: a.destination.as_ref(),
            payer: a.payer.as_ref(),
            vesting: a.vesting.as_ref().map(AsRef::as_ref),
            token_program: a.token_program.as_ref(),
            system_program: a.system_program.is_some(),
            pushed: $pushed,
        }
    }};
}
pub(crate) use claim_accounts;

/// The accounts of one claim, whoever signs it: borrowed from [`Claim`] or
/// [`ClaimFor`](crate::instructions::ClaimFor).
pub(crate) struct ClaimAccounts<'a, 'info> {
    pub claimant: &'a Pubkey,
    pub distributor: &'a AccountLoader<'info, Distributor>,
    pub shard: &'a AccountInfo<'info>,
    pub vault: &'a AccountInfo<'info>,
    pub mint: &'a AccountInfo<'info>,
    pub destination: &'a AccountInfo<'info>,
    pub payer: &'a AccountInfo<'info>,
    pub vesting: Option<&'a AccountInfo<'info>>,
    pub token_program: &'a AccountInfo<'info>,
    /// Whether the system program was passed (needed only to create a vesting status).
    pub system_program: bool,
    /// Whether this is `claim_for`: the distributor must allow it.
    pub pushed: bool,
}

impl<'info> ClaimAccounts<'_, 'info> {
    /// [`record`] the claim, then pay `unlocked`, create the vesting status for
    /// `locked`, and emit `Claimed`.
    #[inline(never)]
    pub(crate) fn settle(&self, args: &ClaimArgs) -> Result<()> {
        let distributor = self.distributor.load()?;
        let leaf = args.leaf();
        let distributor_info: &AccountInfo = self.distributor.as_ref();
        let keys = ClaimKeys {
            distributor: distributor_info.key,
            claimant: self.claimant,
            vault: self.vault.key,
            destination: self.destination.key,
            mint: self.mint.key,
            token_program: self.token_program.key,
        };
        record(
            &keys,
            &distributor,
            &mut self.shard.try_borrow_mut_data()?,
            &leaf,
            self.pushed,
        )?;
        crate::checkpoint!("bitmap");

        pay_out(
            &keys,
            &distributor,
            &leaf,
            Payout {
                distributor: distributor_info.into(),
                vault: self.vault.into(),
                mint: self.mint.into(),
                destination: self.destination.into(),
                payer: self.payer.into(),
                vesting: self.vesting.filter(|_| self.system_program).map(Into::into),
            },
        )
    }
}

impl ClaimArgs {
    pub(crate) fn leaf(&self) -> Leaf<'_> {
        Leaf {
            index: self.index,
            unlocked: self.unlocked,
            locked: self.locked,
            vesting_bump: self.vesting_bump,
            proof: &self.proof,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the derived borsh decoder of the same struct reads.
    #[derive(AnchorSerialize, AnchorDeserialize, Debug, PartialEq)]
    struct Derived {
        index: u32,
        unlocked: u64,
        locked: u64,
        vesting_bump: u8,
        proof: Vec<[u8; 32]>,
    }

    fn args(depth: u8) -> ClaimArgs {
        ClaimArgs {
            index: 0x0102_0304,
            unlocked: u64::MAX,
            locked: 7,
            vesting_bump: 254,
            proof: (0..depth).map(|k| [k; 32]).collect(),
        }
    }

    #[test]
    fn decodes_what_borsh_encodes_at_every_depth() {
        for depth in 0..=MAX_DEPTH {
            let a = args(depth);
            let bytes = borsh::to_vec(&a).unwrap();
            assert_eq!(ClaimArgs::try_from_slice(&bytes).unwrap(), a);
            let derived = Derived::try_from_slice(&bytes).unwrap();
            assert_eq!(derived.proof, a.proof);
            assert_eq!(derived.index, a.index);
        }
    }

    #[test]
    fn refuses_a_proof_longer_than_the_deepest_tree() {
        let mut bytes = borsh::to_vec(&args(MAX_DEPTH)).unwrap();
        let len_at = 4 + 8 + 8 + 1;
        bytes[len_at..len_at + 4].copy_from_slice(&(u32::from(MAX_DEPTH) + 1).to_le_bytes());
        bytes.extend_from_slice(&[0; 32]);
        let err = ClaimArgs::try_from_slice(&bytes).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        // A huge length prefix is refused the same way, without allocating.
        bytes[len_at..len_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            ClaimArgs::try_from_slice(&bytes).unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn refuses_a_truncated_proof() {
        let bytes = borsh::to_vec(&args(3)).unwrap();
        let err = ClaimArgs::try_from_slice(&bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
