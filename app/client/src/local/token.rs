//! Token fixtures on the in-process bank: mints (SPL Token or Token-2022, with
//! extensions; the instructions are [`crate::mint`]'s), token accounts, minting and
//! balances.

use super::LocalBank;
pub use crate::mint::MintExtension;
use crate::mint::mint_space;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::{
    associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent,
    token_interface::spl_token_2022::{
        self,
        extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
        state::{Account as TokenAccountState, Mint as MintState},
    },
};
use solana_program_test::BanksClientError;
use solana_sdk::{
    instruction::Instruction,
    program_pack::Pack,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

/// Creates a mint owned by `token_program` with the bank's payer as mint authority (and
/// as freeze authority when an extension needs one; otherwise the mint has none).
pub async fn create_mint(
    bank: &mut LocalBank,
    token_program: &Pubkey,
    decimals: u8,
    extensions: &[MintExtension],
) -> Result<Keypair, BanksClientError> {
    let mint = Keypair::new();
    create_mint_at(bank, &mint, token_program, decimals, extensions).await?;
    Ok(mint)
}

/// [`create_mint`] at the address of `mint` (to create a mint again where one was
/// closed, say).
pub async fn create_mint_at(
    bank: &mut LocalBank,
    mint: &Keypair,
    token_program: &Pubkey,
    decimals: u8,
    extensions: &[MintExtension],
) -> Result<(), BanksClientError> {
    let authority = bank.payer().pubkey();
    let lamports = bank.minimum_balance(mint_space(extensions)).await;
    let instructions = crate::mint::create_mint(
        &authority,
        &mint.pubkey(),
        token_program,
        decimals,
        extensions,
        lamports,
    );
    bank.send(&instructions, &[mint]).await.map(|_| ())
}

/// Creates (idempotently) `owner`'s associated token account and returns its address.
pub async fn create_ata(
    bank: &mut LocalBank,
    mint: &Pubkey,
    owner: &Pubkey,
    token_program: &Pubkey,
) -> Result<Pubkey, BanksClientError> {
    let payer = bank.payer().pubkey();
    let ix = create_associated_token_account_idempotent(&payer, owner, mint, token_program);
    bank.send(&[ix], &[]).await?;
    Ok(crate::pda::associated_token(owner, mint, token_program))
}

/// Creates a token account at a fresh keypair address (not an ATA) owned by `owner`.
pub async fn create_token_account(
    bank: &mut LocalBank,
    mint: &Pubkey,
    owner: &Pubkey,
    token_program: &Pubkey,
) -> Result<Pubkey, BanksClientError> {
    let account = Keypair::new();
    let space = token_account_space(bank, mint, token_program).await;
    let lamports = bank.minimum_balance(space).await;
    let payer = bank.payer().pubkey();
    let instructions = [
        system_instruction::create_account(
            &payer,
            &account.pubkey(),
            lamports,
            space as u64,
            token_program,
        ),
        spl_token_2022::instruction::initialize_account3(
            token_program,
            &account.pubkey(),
            mint,
            owner,
        )
        .expect("token program id"),
    ];
    bank.send(&instructions, &[&account]).await?;
    Ok(account.pubkey())
}

async fn token_account_space(bank: &mut LocalBank, mint: &Pubkey, token_program: &Pubkey) -> usize {
    if *token_program != spl_token_2022::ID {
        return TokenAccountState::LEN;
    }
    let data = bank.account(mint).await.expect("mint exists").data;
    let state = StateWithExtensions::<MintState>::unpack(&data).expect("a mint");
    let required = ExtensionType::get_required_init_account_extensions(
        &state.get_extension_types().expect("extensions"),
    );
    ExtensionType::try_calculate_account_len::<TokenAccountState>(&required)
        .expect("known extensions")
}

/// Mints `amount` base units to token account `to` (the bank's payer is the authority).
pub async fn mint_to(
    bank: &mut LocalBank,
    mint: &Pubkey,
    to: &Pubkey,
    token_program: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Result<(), BanksClientError> {
    let authority = bank.payer().pubkey();
    let ix = crate::mint::mint_to(token_program, mint, to, &authority, amount, decimals);
    bank.send(&[ix], &[]).await.map(|_| ())
}

/// Thaws token account `account` (the bank's payer is the freeze authority of mints
/// made with [`MintExtension::DefaultAccountStateFrozen`]).
pub async fn thaw(
    bank: &mut LocalBank,
    account: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Result<(), BanksClientError> {
    let authority = bank.payer().pubkey();
    let ix =
        spl_token_2022::instruction::thaw_account(token_program, account, mint, &authority, &[])
            .expect("token program id");
    bank.send(&[ix], &[]).await.map(|_| ())
}

/// `transfer_checked` of `amount` from `from` (owned by `owner`) to `to`.
pub fn transfer_instruction(
    token_program: &Pubkey,
    from: &Pubkey,
    mint: &Pubkey,
    to: &Pubkey,
    owner: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Instruction {
    spl_token_2022::instruction::transfer_checked(
        token_program,
        from,
        mint,
        to,
        owner,
        &[],
        amount,
        decimals,
    )
    .expect("token program id")
}

/// Balance of a token account in base units (`None` when it does not exist).
pub async fn balance(bank: &mut LocalBank, account: &Pubkey) -> Option<u64> {
    let data = bank.account(account).await?.data;
    StateWithExtensions::<TokenAccountState>::unpack(&data)
        .ok()
        .map(|s| s.base.amount)
}
