//! A builder for every instruction, made from the program's own generated
//! `floodgate::accounts::X` (account order) and `floodgate::instruction::X` (data and
//! discriminator).

#[cfg(doc)]
use crate::{drop::Manifest, tree::MerkleTree};
use crate::{error::ClientError, pda, tree::ShardTree};
use anchor_lang::{
    InstructionData, ToAccountMetas,
    prelude::Pubkey,
    solana_program::{
        instruction::{AccountMeta, Instruction},
        system_program,
    },
};
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use floodgate::{
    ID as PROGRAM_ID, accounts as acc, instruction as ix,
    instructions::{ClaimArgs, CreateDistributorArgs},
    state::Distributor,
};

/// What every builder needs to know about a distributor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistributorKeys {
    pub address: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub clawback_receiver: Pubkey,
    pub shard_bits: u8,
    /// The mint's decimals (for `transfer_checked`).
    pub decimals: u8,
}

impl DistributorKeys {
    /// From the decoded on-chain account.
    pub fn from_state(address: Pubkey, state: &Distributor) -> Self {
        Self {
            address,
            mint: state.mint,
            token_program: state.token_program,
            clawback_receiver: state.clawback_receiver,
            shard_bits: state.shard_bits,
            decimals: state.decimals,
        }
    }

    /// Shard PDA holding leaf `index`.
    pub fn shard_of(&self, index: u32) -> Pubkey {
        self.shard(index >> self.shard_bits)
    }

    pub fn shard(&self, shard_index: u32) -> Pubkey {
        pda::shard(&self.address, shard_index).0
    }

    pub fn vault(&self, shard_index: u32) -> Pubkey {
        pda::vault(&self.shard(shard_index)).0
    }
}

/// A leaf with its proof: what a claimant proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafClaim {
    pub index: u32,
    pub claimant: Pubkey,
    pub unlocked: u64,
    pub locked: u64,
    pub proof: Vec<[u8; 32]>,
}

impl From<crate::lookup::Claimable> for LeafClaim {
    /// A leaf found (and verified) in a drop folder, ready for [`claim`] or [`claim_for`].
    fn from(found: crate::lookup::Claimable) -> Self {
        Self {
            index: found.index,
            claimant: found.claimant,
            unlocked: found.unlocked,
            locked: found.locked,
            proof: found.proof,
        }
    }
}

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `create_distributor`; returns the instruction and the distributor's address.
pub fn create_distributor(
    creator: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    clawback_receiver: &Pubkey,
    args: CreateDistributorArgs,
) -> (Instruction, Pubkey) {
    let (distributor, _) = pda::distributor(creator, mint, args.seed);
    let instruction = build(
        acc::CreateDistributor {
            creator: *creator,
            distributor,
            mint: *mint,
            clawback_receiver: *clawback_receiver,
            token_program: *token_program,
            system_program: system_program::ID,
        },
        ix::CreateDistributor { args },
    );
    (instruction, distributor)
}

/// A shard as `create_shard` states it: its total and its root with the root's proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewShard {
    pub index: u32,
    /// The sum of its leaves: the most it can pay.
    pub max_total: u64,
    /// Its root: node `index` at height `min(shard_bits, depth)`.
    pub root: [u8; 32],
    /// The root's siblings up to the distributor's root, lowest first.
    pub upper_proof: Vec<[u8; 32]>,
}

impl NewShard {
    /// Shard `index` of the tree whose top is `top` ([`Manifest::shard_tree`],
    /// [`MerkleTree::shard_tree`]), paying at most `max_total`.
    pub fn new(top: &ShardTree, index: u32, max_total: u64) -> Result<Self, ClientError> {
        let upper_proof = top.upper_proof(index)?;
        Ok(Self {
            index,
            max_total,
            root: top.shard_roots()[index as usize],
            upper_proof,
        })
    }
}

/// `create_shard` by `admin` (who pays).
pub fn create_shard(d: &DistributorKeys, admin: &Pubkey, new: &NewShard) -> Instruction {
    let shard_index = new.index;
    let shard = d.shard(shard_index);
    build(
        acc::CreateShard {
            admin: *admin,
            distributor: d.address,
            shard,
            vault: pda::vault(&shard).0,
            mint: d.mint,
            token_program: d.token_program,
            system_program: system_program::ID,
        },
        ix::CreateShard {
            shard_index,
            max_total: new.max_total,
            shard_root: new.root,
            upper_proof: new.upper_proof.clone(),
        },
    )
}

/// `claim`'s accounts for `leaf`, and the vesting status's bump (0 without a locked part).
fn claim_accounts(
    d: &DistributorKeys,
    leaf: &LeafClaim,
    destination: &Pubkey,
    payer: &Pubkey,
) -> (acc::Claim, u8) {
    let shard_index = leaf.index >> d.shard_bits;
    let shard = d.shard(shard_index);
    let (vesting, vesting_bump, system) = if leaf.locked > 0 {
        let (vesting, bump) = pda::vesting(&d.address, leaf.index);
        (Some(vesting), bump, Some(system_program::ID))
    } else {
        (None, 0, None)
    };
    let accounts = acc::Claim {
        claimant: leaf.claimant,
        distributor: d.address,
        shard,
        vault: pda::vault(&shard).0,
        mint: d.mint,
        destination: *destination,
        payer: *payer,
        vesting,
        token_program: d.token_program,
        system_program: system,
    };
    (accounts, vesting_bump)
}

fn claim_args(leaf: &LeafClaim, vesting_bump: u8) -> ClaimArgs {
    ClaimArgs {
        index: leaf.index,
        unlocked: leaf.unlocked,
        locked: leaf.locked,
        vesting_bump,
        proof: leaf.proof.clone(),
    }
}

/// `claim`: the claimant signs; tokens go to `destination` (any token account of the
/// mint). `payer` pays the vesting status's rent when the leaf has a locked part (the
/// claimant itself in a wallet).
pub fn claim(
    d: &DistributorKeys,
    leaf: &LeafClaim,
    destination: &Pubkey,
    payer: &Pubkey,
) -> Instruction {
    let (accounts, vesting_bump) = claim_accounts(d, leaf, destination, payer);
    build(
        accounts,
        ix::Claim {
            args: claim_args(leaf, vesting_bump),
        },
    )
}

/// `claim_for`: `payer` signs and pushes the leaf to the claimant's associated token
/// account. Pair it with [`create_claimant_ata`] when that account may not exist.
pub fn claim_for(d: &DistributorKeys, leaf: &LeafClaim, payer: &Pubkey) -> Instruction {
    let (destination, ata_bump) =
        pda::associated_token_with_bump(&leaf.claimant, &d.mint, &d.token_program);
    // The same accounts as `claim`'s; the claimant does not sign.
    let (accounts, vesting_bump) = claim_accounts(d, leaf, &destination, payer);
    let acc::Claim {
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
    } = accounts;
    build(
        acc::ClaimFor {
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
        },
        ix::ClaimFor {
            args: claim_args(leaf, vesting_bump),
            ata_bump,
        },
    )
}

/// Funds shard `shard_index`'s vault with `amount` from token account `source` owned by
/// `owner`: a plain `transfer_checked` (SPL Token and Token-2022).
pub fn fund_vault(
    d: &DistributorKeys,
    shard_index: u32,
    source: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Instruction {
    anchor_spl::token_interface::spl_token_2022::instruction::transfer_checked(
        &d.token_program,
        source,
        &d.mint,
        &d.vault(shard_index),
        owner,
        &[],
        amount,
        d.decimals,
    )
    .expect("the distributor's token program is SPL Token or Token-2022")
}

/// Idempotent creation of `owner`'s associated token account, paid by `payer`.
pub fn create_claimant_ata(d: &DistributorKeys, owner: &Pubkey, payer: &Pubkey) -> Instruction {
    create_associated_token_account_idempotent(payer, owner, &d.mint, &d.token_program)
}

/// `withdraw_vested` of leaf `index`: the claimant signs, tokens go to `destination`,
/// and `rent_payer` (who paid the vesting status) gets the rent back at the end.
pub fn withdraw_vested(
    d: &DistributorKeys,
    index: u32,
    claimant: &Pubkey,
    destination: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    let shard = d.shard_of(index);
    build(
        acc::WithdrawVested {
            claimant: *claimant,
            distributor: d.address,
            shard,
            vault: pda::vault(&shard).0,
            mint: d.mint,
            destination: *destination,
            vesting: pda::vesting(&d.address, index).0,
            rent_payer: *rent_payer,
            token_program: d.token_program,
        },
        ix::WithdrawVested { index },
    )
}

/// `close_vesting`: closes leaf `index`'s vesting status once it can never pay again
/// (anyone may send it); the rent goes to `rent_payer`, who paid it.
pub fn close_vesting(d: &DistributorKeys, index: u32, rent_payer: &Pubkey) -> Instruction {
    build(
        acc::CloseVesting {
            vesting: pda::vesting(&d.address, index).0,
            rent_payer: *rent_payer,
            distributor: d.address,
            shard: d.shard_of(index),
        },
        ix::CloseVesting { index },
    )
}

/// `clawback` of one shard (anyone may send it once clawback has opened).
pub fn clawback(d: &DistributorKeys, shard_index: u32) -> Instruction {
    let shard = d.shard(shard_index);
    build(
        acc::Clawback {
            distributor: d.address,
            shard,
            vault: pda::vault(&shard).0,
            mint: d.mint,
            clawback_receiver: d.clawback_receiver,
            token_program: d.token_program,
        },
        ix::Clawback { shard_index },
    )
}

/// `set_admin`.
pub fn set_admin(d: &DistributorKeys, admin: &Pubkey, new_admin: &Pubkey) -> Instruction {
    build(
        acc::AdminOnly {
            admin: *admin,
            distributor: d.address,
        },
        ix::SetAdmin {
            new_admin: *new_admin,
        },
    )
}

/// `set_paused`.
pub fn set_paused(d: &DistributorKeys, admin: &Pubkey, paused: bool) -> Instruction {
    build(
        acc::AdminOnly {
            admin: *admin,
            distributor: d.address,
        },
        ix::SetPaused { paused },
    )
}

/// `set_clawback_receiver`.
pub fn set_clawback_receiver(
    d: &DistributorKeys,
    admin: &Pubkey,
    new_receiver: &Pubkey,
) -> Instruction {
    build(
        acc::SetClawbackReceiver {
            admin: *admin,
            distributor: d.address,
            new_receiver: *new_receiver,
        },
        ix::SetClawbackReceiver {},
    )
}

/// `close_shard` (after clawback); rent goes to `admin`.
pub fn close_shard(d: &DistributorKeys, admin: &Pubkey, shard_index: u32) -> Instruction {
    let shard = d.shard(shard_index);
    build(
        acc::CloseShard {
            admin: *admin,
            distributor: d.address,
            shard,
            vault: pda::vault(&shard).0,
            mint: d.mint,
            clawback_receiver: d.clawback_receiver,
            token_program: d.token_program,
        },
        ix::CloseShard { shard_index },
    )
}

/// `close_distributor` (every shard closed); rent goes to `admin`.
pub fn close_distributor(d: &DistributorKeys, admin: &Pubkey) -> Instruction {
    build(
        acc::CloseDistributor {
            admin: *admin,
            distributor: d.address,
        },
        ix::CloseDistributor {},
    )
}

/// The compute-budget program (`ComputeBudget111111111111111111111111111111`).
pub const COMPUTE_BUDGET_ID: Pubkey =
    Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// `SetComputeUnitLimit(units)`.
pub fn compute_unit_limit(units: u32) -> Instruction {
    let mut data = vec![2];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction::new_with_bytes(COMPUTE_BUDGET_ID, &data, Vec::<AccountMeta>::new())
}

/// `SetComputeUnitPrice(micro_lamports)`.
pub fn compute_unit_price(micro_lamports: u64) -> Instruction {
    let mut data = vec![3];
    data.extend_from_slice(&micro_lamports.to_le_bytes());
    Instruction::new_with_bytes(COMPUTE_BUDGET_ID, &data, Vec::<AccountMeta>::new())
}
