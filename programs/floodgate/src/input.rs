//! The runtime's serialized input, read in place: the layout the SBF loader writes
//! before it calls the entrypoint, and that `solana_program::entrypoint::deserialize`
//! turns into `AccountInfo`s (an `Rc<RefCell>` pair and an allocation per account).
//!
//! ```text
//! u64 number of accounts
//! per account, either
//!   u8 index of an earlier account it repeats, then 7 bytes of padding, or
//!   u8 0xff, then the 88-byte [`AccountHeader`], the data, 10 KiB of room to grow,
//!   padding to a multiple of 8, u64 rent epoch
//! u64 instruction data length, the data
//! 32 bytes program id
//! ```

use anchor_lang::{prelude::Pubkey, solana_program::entrypoint::MAX_PERMITTED_DATA_INCREASE};

/// The marker of an account that is not a repeat of an earlier one.
pub const NON_DUP_MARKER: u8 = u8::MAX;

/// What precedes an account's data in the input. 8-byte aligned, as is the data.
#[repr(C)]
pub struct AccountHeader {
    pub dup_marker: u8,
    pub is_signer: u8,
    pub is_writable: u8,
    pub executable: u8,
    pub original_data_len: u32,
    pub key: Pubkey,
    pub owner: Pubkey,
    pub lamports: u64,
    pub data_len: u64,
}

/// The size of [`AccountHeader`].
pub const HEADER_LEN: usize = std::mem::size_of::<AccountHeader>();
const _: () = assert!(HEADER_LEN == 88);

/// An account of the input: a pointer to its header, which its data follows.
///
/// Copies of one account (the same address passed twice) point to the same header.
#[derive(Clone, Copy)]
pub struct InputAccount {
    header: *mut AccountHeader,
}

impl InputAccount {
    #[inline(always)]
    fn header(&self) -> &AccountHeader {
        // SAFETY: points to a header of the input, which outlives the instruction.
        unsafe { &*self.header }
    }
    #[inline(always)]
    pub fn key(&self) -> &Pubkey {
        &self.header().key
    }
    #[inline(always)]
    pub fn owner(&self) -> &Pubkey {
        &self.header().owner
    }
    #[inline(always)]
    pub fn is_signer(&self) -> bool {
        self.header().is_signer != 0
    }
    #[inline(always)]
    pub fn is_writable(&self) -> bool {
        self.header().is_writable != 0
    }
    #[inline(always)]
    pub fn executable(&self) -> bool {
        self.header().executable != 0
    }
    #[inline(always)]
    pub fn data_len(&self) -> usize {
        self.header().data_len as usize
    }
    /// The address of the lamports, for a cross-program call.
    #[inline(always)]
    pub fn lamports_ptr(&self) -> *mut u64 {
        // SAFETY: in bounds of the header.
        unsafe { &raw mut (*self.header).lamports }
    }
    /// The address of the data, for a cross-program call.
    #[inline(always)]
    pub fn data_ptr(&self) -> *mut u8 {
        // SAFETY: the data follows the header.
        unsafe { self.header.cast::<u8>().add(HEADER_LEN) }
    }
    /// The data, read-only.
    ///
    /// # Safety
    /// No mutable borrow of this account's data (through any copy) may be alive.
    #[inline(always)]
    pub unsafe fn data(&self) -> &[u8] {
        // SAFETY: `data_len` bytes follow the header; the caller excludes writers.
        unsafe { std::slice::from_raw_parts(self.data_ptr(), self.data_len()) }
    }
    /// The data, writable.
    ///
    /// # Safety
    /// No other borrow of this account's data (through any copy) may be alive.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)] // the input is owned by the runtime, not by `self`
    pub unsafe fn data_mut(&self) -> &mut [u8] {
        // SAFETY: as `data`, and the caller excludes every other borrow.
        unsafe { std::slice::from_raw_parts_mut(self.data_ptr(), self.data_len()) }
    }
}

/// The first `N` accounts of the input (the rest are skipped), the instruction data and
/// the program id.
pub struct Input<'a, const N: usize> {
    accounts: [InputAccount; N],
    /// How many accounts the instruction has (also beyond `N`).
    pub count: usize,
    pub data: &'a [u8],
    pub program_id: &'a Pubkey,
}

impl<'a, const N: usize> Input<'a, N> {
    /// Walks the input once: the only reads are each account's marker and data length.
    ///
    /// # Safety
    /// `input` is the runtime's serialized input (the layout above), 8-byte aligned and
    /// alive and otherwise unborrowed for `'a`.
    #[inline(always)]
    pub unsafe fn parse(input: *mut u8) -> Self {
        let placeholder = InputAccount {
            header: std::ptr::null_mut(),
        };
        let mut accounts = [placeholder; N];
        // SAFETY: (the whole body) every offset stays within the layout the caller
        // promises.
        unsafe {
            let count = *input.cast::<u64>() as usize;
            let mut at = input.add(8);
            for i in 0..count {
                let marker = *at;
                if marker == NON_DUP_MARKER {
                    let header = at.cast::<AccountHeader>();
                    if i < N {
                        accounts[i] = InputAccount { header };
                    }
                    let end = at.add(
                        HEADER_LEN + (*header).data_len as usize + MAX_PERMITTED_DATA_INCREASE,
                    );
                    // Up to a multiple of 8, then the rent epoch.
                    at = end.add((end as usize).wrapping_neg() & 7).add(8);
                } else {
                    // A repeat of an earlier account, so of one of the first `N` when
                    // `i < N`.
                    if i < N {
                        accounts[i] = accounts[usize::from(marker)];
                    }
                    at = at.add(8);
                }
            }
            let data_len = *at.cast::<u64>() as usize;
            let data = std::slice::from_raw_parts(at.add(8), data_len);
            let program_id = &*at.add(8 + data_len).cast::<Pubkey>();
            Self {
                accounts,
                count,
                data,
                program_id,
            }
        }
    }

    /// The first `N` accounts, when the instruction has at least `N`.
    #[inline(always)]
    pub fn accounts(&self) -> Option<&[InputAccount; N]> {
        (self.count >= N).then_some(&self.accounts)
    }
}

/// Test support: the runtime's serialization of an instruction's input, for running
/// the lean path natively on accounts the test chooses.
#[cfg(not(target_os = "solana"))]
pub mod serialize {
    use super::*;

    /// An account as the runtime would pass it.
    #[derive(Clone, Debug)]
    pub struct Account {
        pub key: Pubkey,
        pub owner: Pubkey,
        pub lamports: u64,
        pub data: Vec<u8>,
        pub is_signer: bool,
        pub is_writable: bool,
        pub executable: bool,
    }

    /// The serialized input (in `u64`s, for the alignment), repeating an account when
    /// its key was already passed.
    pub fn input(accounts: &[Account], data: &[u8], program_id: &Pubkey) -> Vec<u64> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&(accounts.len() as u64).to_le_bytes());
        for (i, account) in accounts.iter().enumerate() {
            if let Some(first) = first_copy(accounts, i) {
                bytes.push(first as u8);
                bytes.extend_from_slice(&[0; 7]);
                continue;
            }
            bytes.extend_from_slice(&[
                NON_DUP_MARKER,
                account.is_signer.into(),
                account.is_writable.into(),
                account.executable.into(),
            ]);
            bytes.extend_from_slice(&(account.data.len() as u32).to_le_bytes());
            bytes.extend_from_slice(account.key.as_ref());
            bytes.extend_from_slice(account.owner.as_ref());
            bytes.extend_from_slice(&account.lamports.to_le_bytes());
            bytes.extend_from_slice(&(account.data.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&account.data);
            bytes.resize(bytes.len() + MAX_PERMITTED_DATA_INCREASE, 0);
            bytes.resize(bytes.len().next_multiple_of(8), 0);
            bytes.extend_from_slice(&u64::MAX.to_le_bytes()); // rent epoch
        }
        bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(program_id.as_ref());
        bytes.resize(bytes.len().next_multiple_of(8), 0);
        let (words, _) = bytes.as_chunks::<8>();
        words.iter().map(|word| u64::from_le_bytes(*word)).collect()
    }

    /// The accounts as the program left them in `input(accounts, ..)`: owner, lamports
    /// and data (of the length it set, up to the 10 KiB of room). The runtime reads
    /// them back the same way, stepping over each account by its length on entry.
    pub fn read_back(input: &[u64], accounts: &[Account]) -> Vec<Account> {
        let bytes: Vec<u8> = input.iter().flat_map(|word| word.to_le_bytes()).collect();
        let mut at = 8;
        let mut out: Vec<Account> = Vec::with_capacity(accounts.len());
        for (i, account) in accounts.iter().enumerate() {
            if let Some(first) = first_copy(accounts, i) {
                out.push(out[first].clone());
                at += 8;
                continue;
            }
            let word = |offset: usize| {
                u64::from_le_bytes(*bytes[at + offset..].first_chunk().expect("in the input"))
            };
            let owner = Pubkey::new_from_array(*bytes[at + 40..].first_chunk().expect("owner"));
            let data_len = word(80) as usize;
            out.push(Account {
                owner,
                lamports: word(72),
                data: bytes[at + HEADER_LEN..][..data_len].to_vec(),
                ..account.clone()
            });
            at += HEADER_LEN + account.data.len() + MAX_PERMITTED_DATA_INCREASE;
            at = at.next_multiple_of(8) + 8;
        }
        out
    }

    /// The index of the first account with the key of `accounts[i]`, when it is earlier.
    fn first_copy(accounts: &[Account], i: usize) -> Option<usize> {
        accounts[..i].iter().position(|a| a.key == accounts[i].key)
    }
}

#[cfg(test)]
mod tests {
    use super::{serialize::*, *};

    fn account(k: u8, data_len: usize) -> Account {
        Account {
            key: Pubkey::new_from_array([k; 32]),
            owner: Pubkey::new_from_array([k + 100; 32]),
            lamports: u64::from(k) * 1_000,
            data: (0..data_len).map(|b| b as u8 ^ k).collect(),
            is_signer: k.is_multiple_of(2),
            is_writable: k.is_multiple_of(3),
            executable: k == 5,
        }
    }

    #[test]
    fn reads_accounts_repeats_data_and_program_id() {
        // Data lengths that leave every padding from 0 to 7 bytes.
        let mut accounts: Vec<Account> = (0..8).map(|k| account(k, 13 + usize::from(k))).collect();
        accounts.insert(3, accounts[1].clone()); // a repeat of account 1
        let program_id = Pubkey::new_from_array([42; 32]);
        let data = [9u8, 8, 7, 6, 5];
        let mut buffer = input(&accounts, &data, &program_id);
        // SAFETY: a serialized input, aligned, borrowed by nothing else.
        let parsed = unsafe { Input::<6>::parse(buffer.as_mut_ptr().cast()) };
        assert_eq!(parsed.count, 9);
        assert_eq!(parsed.data, data);
        assert_eq!(parsed.program_id, &program_id);
        let first = parsed.accounts().expect("9 >= 6");
        for (got, want) in first.iter().zip(&accounts) {
            assert_eq!(got.key(), &want.key);
            assert_eq!(got.owner(), &want.owner);
            assert_eq!(got.is_signer(), want.is_signer);
            assert_eq!(got.is_writable(), want.is_writable);
            assert_eq!(got.executable(), want.executable);
            // SAFETY: nothing borrows the data mutably.
            assert_eq!(unsafe { got.data() }, want.data.as_slice());
            // SAFETY: the lamports lie in the serialized input, alive for the test.
            assert_eq!(unsafe { *got.lamports_ptr() }, want.lamports);
        }
        // The repeat is the same account, not a copy.
        assert_eq!(first[3].data_ptr(), first[1].data_ptr());

        // What the program writes is read back, a shorter data length included.
        // SAFETY: no other borrow of account 1's data or lamports.
        unsafe {
            first[1].data_mut()[0] = 0xAB;
            *first[1].lamports_ptr() = 77;
            (*first[1].data_ptr().sub(8).cast::<u64>()) = 2;
        }
        let back = read_back(&buffer, &accounts);
        assert_eq!(back[1].data, [0xAB, accounts[1].data[1]]);
        assert_eq!(back[1].lamports, 77);
        assert_eq!(back[3].data, back[1].data); // the repeat
        for k in [0, 2, 4, 5, 6, 7, 8] {
            assert_eq!(back[k].data, accounts[k].data, "account {k}");
            assert_eq!(back[k].lamports, accounts[k].lamports);
            assert_eq!(back[k].owner, accounts[k].owner);
        }
    }

    #[test]
    fn fewer_accounts_than_asked_gives_none() {
        let accounts: Vec<Account> = (0..3).map(|k| account(k, 0)).collect();
        let mut buffer = input(&accounts, &[], &Pubkey::default());
        // SAFETY: as above.
        let parsed = unsafe { Input::<4>::parse(buffer.as_mut_ptr().cast()) };
        assert_eq!(parsed.count, 3);
        assert!(parsed.accounts().is_none());
        assert!(parsed.data.is_empty());
    }
}
