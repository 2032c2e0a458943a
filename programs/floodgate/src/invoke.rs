//! The program's outgoing calls: vault transfers signed by the distributor PDA, and
//! creation of PDA accounts that tolerates lamports sent to the address beforehand.

use crate::state::Distributor;
use anchor_lang::solana_program::{
    instruction::{AccountMeta, Instruction},
    program::invoke_signed_unchecked,
};
use anchor_lang::{
    prelude::*,
    system_program::{
        Allocate, Assign, CreateAccount, Transfer, allocate, assign, create_account, transfer,
    },
};
use anchor_spl::token_interface::{
    CloseAccount, close_account, spl_token_2022::instruction::TokenInstruction,
};

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
    ///
    /// Built by hand and sent with `invoke_signed_unchecked`: the checked `invoke_signed`
    /// compares every account meta with every account info to try their `RefCell`
    /// borrows (ten 32-byte key compares here, most of the CPI's own cost). Sound
    /// because no account of this instruction is borrowed by the program during the
    /// call: the distributor (read by the caller) is read-only in it.
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        let seeds = self.distributor.signer_seeds();
        let instruction = Instruction {
            program_id: *self.token_program.key,
            accounts: vec![
                AccountMeta::new(*self.vault.key, false),
                AccountMeta::new_readonly(*self.mint.key, false),
                AccountMeta::new(*to.key, false),
                AccountMeta::new_readonly(*self.authority.key, true),
            ],
            data: TokenInstruction::TransferChecked {
                amount,
                decimals: self.distributor.decimals,
            }
            .pack(),
        };
        let infos = [
            self.vault.clone(),
            self.mint.clone(),
            to.clone(),
            self.authority.clone(),
        ];
        invoke_signed_unchecked(&instruction, &infos, &[&seeds]).map_err(Into::into)
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
/// bytes, funded to rent exemption by `payer`. Lamports already at the address (sent
/// there to block the creation) are kept and only topped up.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    space: usize,
    signer_seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer = &[signer_seeds];
    let system = anchor_lang::system_program::ID;
    let current = target.lamports();
    if current == 0 {
        return create_account(
            CpiContext::new_with_signer(
                system,
                CreateAccount {
                    from: payer.clone(),
                    to: target.clone(),
                },
                signer,
            ),
            rent,
            space as u64,
            &crate::ID,
        );
    }
    if current < rent {
        transfer(
            CpiContext::new(
                system,
                Transfer {
                    from: payer.clone(),
                    to: target.clone(),
                },
            ),
            rent - current,
        )?;
    }
    allocate(
        CpiContext::new_with_signer(
            system,
            Allocate {
                account_to_allocate: target.clone(),
            },
            signer,
        ),
        space as u64,
    )?;
    assign(
        CpiContext::new_with_signer(
            system,
            Assign {
                account_to_assign: target.clone(),
            },
            signer,
        ),
        &crate::ID,
    )
}
