//! The program's outgoing calls: vault transfers signed by the distributor PDA, and
//! creation of PDA accounts that tolerates lamports sent to the address beforehand.

use crate::{input::InputAccount, state::Distributor};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{CloseAccount, close_account};

/// Where an account of an outgoing call comes from: Anchor's `AccountInfo`, or the
/// runtime's input read in place by the lean claim path.
#[derive(Clone, Copy)]
pub enum Source<'a, 'info> {
    Info(&'a AccountInfo<'info>),
    Input(InputAccount),
}

impl Source<'_, '_> {
    pub fn key(&self) -> &Pubkey {
        match self {
            Source::Info(info) => info.key,
            Source::Input(account) => account.key(),
        }
    }

    pub fn owner(&self) -> &Pubkey {
        match self {
            Source::Info(info) => info.owner,
            Source::Input(account) => account.owner(),
        }
    }

    pub fn lamports(&self) -> u64 {
        match self {
            Source::Info(info) => info.lamports(),
            // SAFETY: the input's lamports, read while nothing writes them.
            Source::Input(account) => unsafe { *account.lamports_ptr() },
        }
    }

    /// The account's data, writable.
    ///
    /// # Safety
    /// No other borrow of this account's data may be alive (Anchor's `RefCell` checks
    /// this for an `AccountInfo`; nothing does for an input account).
    pub unsafe fn with_data_mut<T>(&self, f: impl FnOnce(&mut [u8]) -> Result<T>) -> Result<T> {
        match self {
            Source::Info(info) => f(&mut info.try_borrow_mut_data()?),
            // SAFETY: the caller's promise.
            Source::Input(account) => f(unsafe { account.data_mut() }),
        }
    }
}

/// An account of an outgoing call (also passed among the account infos) and its
/// privileges in the call.
pub struct CallAccount<'a, 'info> {
    pub source: Source<'a, 'info>,
    pub writable: bool,
    pub signer: bool,
}

impl<'a, 'info> CallAccount<'a, 'info> {
    pub fn writable(source: impl Into<Source<'a, 'info>>) -> Self {
        Self {
            source: source.into(),
            writable: true,
            signer: false,
        }
    }
    pub fn readonly(source: impl Into<Source<'a, 'info>>) -> Self {
        Self {
            source: source.into(),
            writable: false,
            signer: false,
        }
    }
    /// A writable signer: the transaction's payer, or a PDA signed for by the seeds.
    pub fn writable_signer(source: impl Into<Source<'a, 'info>>) -> Self {
        Self {
            source: source.into(),
            writable: true,
            signer: true,
        }
    }
    /// A read-only signer: a PDA of this program signed for by the seeds.
    pub fn signer(source: impl Into<Source<'a, 'info>>) -> Self {
        Self {
            source: source.into(),
            writable: false,
            signer: true,
        }
    }
}

impl<'a, 'info> From<&'a AccountInfo<'info>> for Source<'a, 'info> {
    fn from(info: &'a AccountInfo<'info>) -> Self {
        Source::Info(info)
    }
}

impl From<InputAccount> for Source<'_, '_> {
    fn from(account: InputAccount) -> Self {
        Source::Input(account)
    }
}

/// Calls `program` with `accounts` and `data`, signed by the PDA of `seeds` (by none
/// when `seeds` is empty), without the checks of `invoke_signed` that cost most of a
/// CPI's own compute units here: it compares every account meta with every account
/// info (32-byte compares) to try their `RefCell` borrows, and copies every key into
/// an `Instruction`.
///
/// On SBF the call goes through the C ABI (`sol_invoke_signed_c`) with pointers to
/// the keys, lamports and data where the runtime serialized them, as the Rust ABI's
/// `AccountInfo`s point there too; the runtime checks those addresses and writes the
/// callee's changes back through them. Natively it is `invoke_signed_unchecked`.
///
/// The caller must not hold a borrow of the data or lamports of an account the callee
/// writes (the checks skipped are the ones that would catch it).
#[inline(never)]
pub fn invoke_signed_lean<const N: usize>(
    program: &Pubkey,
    accounts: [CallAccount<'_, '_>; N],
    data: &[u8],
    seeds: &[&[u8]],
) -> Result<()> {
    #[cfg(target_os = "solana")]
    {
        c_abi::invoke_signed(program, &accounts, data, seeds)
    }
    #[cfg(not(target_os = "solana"))]
    {
        use anchor_lang::solana_program::{instruction::Instruction, program};
        let instruction = Instruction {
            program_id: *program,
            accounts: accounts
                .iter()
                .map(|a| AccountMeta {
                    pubkey: *a.source.key(),
                    is_writable: a.writable,
                    is_signer: a.signer,
                })
                .collect(),
            data: data.to_vec(),
        };
        let infos: Vec<AccountInfo> = accounts
            .iter()
            .map(|a| match a.source {
                Source::Info(info) => info.clone(),
                // SAFETY: the input outlives the call and, as the caller promises, no
                // borrow of the account's lamports or data is alive.
                Source::Input(account) => unsafe { native_info(account) },
            })
            .collect();
        let signers: &[&[&[u8]]] = if seeds.is_empty() { &[] } else { &[seeds] };
        program::invoke_signed_unchecked(&instruction, &infos, signers).map_err(Into::into)
    }
}

/// An `AccountInfo` over an input account, for a native call.
///
/// # Safety
/// No borrow of the account's lamports or data is alive while it is.
#[cfg(not(target_os = "solana"))]
unsafe fn native_info<'a>(account: InputAccount) -> AccountInfo<'a> {
    // SAFETY: the caller's promise; the input outlives the call.
    unsafe {
        let key = &*(account.key() as *const Pubkey);
        let owner = &*(account.owner() as *const Pubkey);
        AccountInfo::new(
            key,
            account.is_signer(),
            account.is_writable(),
            &mut *account.lamports_ptr(),
            std::slice::from_raw_parts_mut(account.data_ptr(), account.data_len()),
            owner,
            account.executable(),
        )
    }
}

/// The C ABI of cross-program invocation (`sol_invoke_signed_c`): the structures the
/// runtime reads, built from pointers into its serialized input.
#[cfg(target_os = "solana")]
mod c_abi {
    use super::{CallAccount, Source};
    use anchor_lang::prelude::*;

    #[repr(C)]
    struct SolInstruction {
        program_id: *const Pubkey,
        accounts: *const SolAccountMeta,
        accounts_len: u64,
        data: *const u8,
        data_len: u64,
    }

    #[repr(C)]
    struct SolAccountMeta {
        pubkey: *const Pubkey,
        is_writable: bool,
        is_signer: bool,
    }

    #[repr(C)]
    struct SolAccountInfo {
        key: *const Pubkey,
        lamports: *mut u64,
        data_len: u64,
        data: *mut u8,
        owner: *const Pubkey,
        rent_epoch: u64,
        is_signer: bool,
        is_writable: bool,
        executable: bool,
    }

    /// `(address, length)`: the layout of a `&[u8]` and of a `&[&[u8]]` on SBF, which
    /// the runtime reads for signer seeds in both ABIs.
    #[repr(C)]
    struct SolSignerSeeds {
        addr: *const &'static [u8],
        len: u64,
    }

    fn account_info(source: Source) -> SolAccountInfo {
        match source {
            Source::Info(info) => {
                // SAFETY: the RefCells hold references into the runtime's input; no
                // borrow is taken, only the addresses are read (see
                // `invoke_signed_lean`).
                let (lamports, data): (*mut u64, &mut [u8]) =
                    unsafe { (&mut **info.lamports.as_ptr(), &mut **info.data.as_ptr()) };
                SolAccountInfo {
                    key: info.key,
                    lamports,
                    data_len: data.len() as u64,
                    data: data.as_mut_ptr(),
                    owner: info.owner,
                    rent_epoch: u64::MAX, // not read by the runtime
                    is_signer: info.is_signer,
                    is_writable: info.is_writable,
                    executable: info.executable,
                }
            }
            Source::Input(account) => SolAccountInfo {
                key: account.key(),
                lamports: account.lamports_ptr(),
                data_len: account.data_len() as u64,
                data: account.data_ptr(),
                owner: account.owner(),
                rent_epoch: u64::MAX,
                is_signer: account.is_signer(),
                is_writable: account.is_writable(),
                executable: account.executable(),
            },
        }
    }

    pub(super) fn invoke_signed<const N: usize>(
        program: &Pubkey,
        accounts: &[CallAccount; N],
        data: &[u8],
        seeds: &[&[u8]],
    ) -> Result<()> {
        let metas: [SolAccountMeta; N] = core::array::from_fn(|i| SolAccountMeta {
            pubkey: accounts[i].source.key(),
            is_writable: accounts[i].writable,
            is_signer: accounts[i].signer,
        });
        let infos: [SolAccountInfo; N] = core::array::from_fn(|i| account_info(accounts[i].source));
        let instruction = SolInstruction {
            program_id: program,
            accounts: metas.as_ptr(),
            accounts_len: N as u64,
            data: data.as_ptr(),
            data_len: data.len() as u64,
        };
        let signers = [SolSignerSeeds {
            addr: seeds.as_ptr().cast(),
            len: seeds.len() as u64,
        }];
        // SAFETY: every pointer is valid for the call; see `invoke_signed_lean`.
        let result = unsafe {
            solana_define_syscall::definitions::sol_invoke_signed_c(
                (&raw const instruction).cast(),
                infos.as_ptr().cast(),
                N as u64,
                signers.as_ptr().cast(),
                u64::from(!seeds.is_empty()),
            )
        };
        if result != 0 {
            return Err(ProgramError::from(result).into());
        }
        for (account, info) in accounts.iter().zip(&infos) {
            if let Source::Info(account) = account.source {
                resize_info(account, info);
            }
        }
        Ok(())
    }

    /// After a call that resized an account (the system program's `create_account` or
    /// `allocate`), the runtime has written the new length to the serialized input and
    /// to the `SolAccountInfo` it was given, a temporary of ours. With the Rust ABI it
    /// would have written the `AccountInfo`'s own slice length; here the slice is set to
    /// the new length by hand, or Anchor's later borrow would still see the old one
    /// (and serializing a just-created vesting status would fail).
    fn resize_info(account: &AccountInfo, info: &SolAccountInfo) {
        // SAFETY: no borrow of the data is alive (see `invoke_signed_lean`); the
        // runtime keeps `data_len` bytes, within the room it serialized, at `data`.
        unsafe {
            let data = &mut *account.data.as_ptr();
            if data.len() as u64 != info.data_len {
                *data = core::slice::from_raw_parts_mut(info.data, info.data_len as usize);
            }
        }
    }
}

/// The data of SPL Token's `TransferChecked` (tag 12, amount, decimals), which both
/// token programs take.
pub fn transfer_checked_data(amount: u64, decimals: u8) -> [u8; 10] {
    let mut data = [0u8; 10];
    data[0] = 12;
    data[1..9].copy_from_slice(&amount.to_le_bytes());
    data[9] = decimals;
    data
}

/// `transfer_checked` of `amount` from `vault` to `to`, signed by the distributor
/// (`authority`, whose loaded state gives the signer seeds and the mint's decimals).
pub fn pay<'a, 'info>(
    token_program: &Pubkey,
    [vault, mint, to, authority]: [Source<'a, 'info>; 4],
    distributor: &Distributor,
    amount: u64,
) -> Result<()> {
    invoke_signed_lean(
        token_program,
        [
            CallAccount::writable(vault),
            CallAccount::readonly(mint),
            CallAccount::writable(to),
            CallAccount::signer(authority),
        ],
        &transfer_checked_data(amount, distributor.decimals),
        &distributor.signer_seeds(),
    )
}

/// A shard vault and what it takes to move tokens out of it.
pub struct Vault<'a, 'info> {
    /// The distributor PDA: the vault's authority.
    pub authority: &'a AccountInfo<'info>,
    /// Its loaded state, for the signer seeds and the mint's decimals.
    pub distributor: &'a Distributor,
    pub vault: &'a AccountInfo<'info>,
    pub mint: &'a AccountInfo<'info>,
    pub token_program: &'a AccountInfo<'info>,
}

impl<'info> Vault<'_, 'info> {
    /// `transfer_checked` of `amount` from the vault to `to`, signed by the distributor.
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        pay(
            self.token_program.key,
            [
                self.vault.into(),
                self.mint.into(),
                to.into(),
                self.authority.into(),
            ],
            self.distributor,
            amount,
        )
    }

    /// Closes the (empty) vault, sending its rent to `rent_receiver`.
    pub fn close(&self, rent_receiver: &AccountInfo<'info>) -> Result<()> {
        let seeds = self.distributor.signer_seeds();
        close_account(CpiContext::new_with_signer(
            self.token_program.key(),
            CloseAccount {
                account: self.vault.clone(),
                destination: rent_receiver.clone(),
                authority: self.authority.clone(),
            },
            &[&seeds],
        ))
    }
}

/// Creates `target` (a PDA of this program signed for by `signer_seeds`) with `space`
/// bytes, funded to rent exemption by `payer` (a signer of the transaction). Lamports
/// already at the address (sent there to block the creation) are kept and only topped
/// up. The system program's instructions are built by hand and sent through
/// [`invoke_signed_lean`].
pub fn create_pda_account<'a, 'info>(
    payer: Source<'a, 'info>,
    target: Source<'a, 'info>,
    space: usize,
    signer_seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let system = &anchor_lang::system_program::ID;
    let space = space as u64;
    let current = target.lamports();
    if current == 0 {
        return invoke_signed_lean(
            system,
            [
                CallAccount::writable_signer(payer),
                CallAccount::writable_signer(target),
            ],
            &system_data::create_account(rent, space, &crate::ID),
            signer_seeds,
        );
    }
    if current < rent {
        invoke_signed_lean(
            system,
            [
                CallAccount::writable_signer(payer),
                CallAccount::writable(target),
            ],
            &system_data::transfer(rent - current),
            &[],
        )?;
    }
    invoke_signed_lean(
        system,
        [CallAccount::writable_signer(target)],
        &system_data::allocate(space),
        signer_seeds,
    )?;
    invoke_signed_lean(
        system,
        [CallAccount::writable_signer(target)],
        &system_data::assign(&crate::ID),
        signer_seeds,
    )
}

/// The system program's instruction data: bincode, a `u32` tag and then the fields.
mod system_data {
    use anchor_lang::prelude::Pubkey;

    fn tagged<const N: usize>(tag: u8, fields: &[&[u8]]) -> [u8; N] {
        let mut data = [0u8; N];
        data[0] = tag;
        let mut at = 4;
        for field in fields {
            data[at..at + field.len()].copy_from_slice(field);
            at += field.len();
        }
        data
    }

    pub fn create_account(lamports: u64, space: u64, owner: &Pubkey) -> [u8; 52] {
        tagged(
            0,
            &[
                &lamports.to_le_bytes(),
                &space.to_le_bytes(),
                owner.as_ref(),
            ],
        )
    }

    pub fn assign(owner: &Pubkey) -> [u8; 36] {
        tagged(1, &[owner.as_ref()])
    }

    pub fn transfer(lamports: u64) -> [u8; 12] {
        tagged(2, &[&lamports.to_le_bytes()])
    }

    pub fn allocate(space: u64) -> [u8; 12] {
        tagged(8, &[&space.to_le_bytes()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_spl::token_interface::spl_token_2022::instruction::TokenInstruction;

    /// The system instructions `create_pda_account` builds by hand are the system
    /// program's own encoding of them.
    #[test]
    fn system_instruction_data_is_the_system_programs() {
        use anchor_lang::solana_program::system_instruction as system;
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        for (lamports, space) in [(0, 0), (890_880, 165), (u64::MAX, u64::MAX)] {
            assert_eq!(
                system_data::create_account(lamports, space, &crate::ID).to_vec(),
                system::create_account(&a, &b, lamports, space, &crate::ID).data
            );
            assert_eq!(
                system_data::transfer(lamports).to_vec(),
                system::transfer(&a, &b, lamports).data
            );
            assert_eq!(
                system_data::allocate(space).to_vec(),
                system::allocate(&a, space).data
            );
        }
        assert_eq!(
            system_data::assign(&b).to_vec(),
            system::assign(&a, &b).data
        );
    }

    #[test]
    fn transfer_checked_data_is_what_the_token_programs_decode() {
        for (amount, decimals) in [(0, 0), (1, 6), (u64::MAX, 9), (0x0102_0304_0506_0708, 255)] {
            let data = transfer_checked_data(amount, decimals);
            let packed = TokenInstruction::TransferChecked { amount, decimals }.pack();
            assert_eq!(data.to_vec(), packed);
            assert_eq!(
                TokenInstruction::unpack(&data).unwrap(),
                TokenInstruction::TransferChecked { amount, decimals }
            );
        }
    }
}
