//! Token fixtures on the in-process bank: mints (SPL Token or Token-2022, with
//! extensions), token accounts, minting and balances.

use super::LocalBank;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::{
    associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent,
    token_interface::spl_token_2022::{
        self,
        extension::{
            BaseStateWithExtensions, ExtensionType, StateWithExtensions, default_account_state,
            interest_bearing_mint, metadata_pointer, transfer_fee, transfer_hook,
        },
        state::{Account as TokenAccountState, AccountState, Mint as MintState},
    },
};
use solana_program_test::BanksClientError;
use solana_sdk::{
    instruction::Instruction,
    program_pack::Pack,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

/// A Token-2022 mint extension to initialise before the mint itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintExtension {
    NonTransferable,
    /// A transfer hook pointing at `program` (any id will do; it is never called).
    TransferHook {
        program: Pubkey,
    },
    TransferFee {
        basis_points: u16,
        maximum_fee: u64,
    },
    MintCloseAuthority,
    PermanentDelegate {
        delegate: Pubkey,
    },
    /// Interest accrues on the UI amount at `rate` basis points a year; raw amounts
    /// never change. The rate authority is the mint authority.
    InterestBearing {
        rate: i16,
    },
    /// Every new token account of the mint starts frozen. The mint then gets a freeze
    /// authority (the mint authority), which Token-2022 requires for this state.
    DefaultAccountStateFrozen,
    /// A metadata pointer at the mint itself (no metadata is written).
    MetadataPointer,
}

impl MintExtension {
    fn kind(&self) -> ExtensionType {
        match self {
            Self::NonTransferable => ExtensionType::NonTransferable,
            Self::TransferHook { .. } => ExtensionType::TransferHook,
            Self::TransferFee { .. } => ExtensionType::TransferFeeConfig,
            Self::MintCloseAuthority => ExtensionType::MintCloseAuthority,
            Self::PermanentDelegate { .. } => ExtensionType::PermanentDelegate,
            Self::InterestBearing { .. } => ExtensionType::InterestBearingConfig,
            Self::DefaultAccountStateFrozen => ExtensionType::DefaultAccountState,
            Self::MetadataPointer => ExtensionType::MetadataPointer,
        }
    }

    fn instruction(
        &self,
        token_program: &Pubkey,
        mint: &Pubkey,
        authority: &Pubkey,
    ) -> Instruction {
        let built = match *self {
            Self::NonTransferable => {
                spl_token_2022::instruction::initialize_non_transferable_mint(token_program, mint)
            }
            Self::TransferHook { program } => transfer_hook::instruction::initialize(
                token_program,
                mint,
                Some(*authority),
                Some(program),
            ),
            Self::TransferFee {
                basis_points,
                maximum_fee,
            } => transfer_fee::instruction::initialize_transfer_fee_config(
                token_program,
                mint,
                Some(authority),
                Some(authority),
                basis_points,
                maximum_fee,
            ),
            Self::MintCloseAuthority => {
                spl_token_2022::instruction::initialize_mint_close_authority(
                    token_program,
                    mint,
                    Some(authority),
                )
            }
            Self::PermanentDelegate { delegate } => {
                spl_token_2022::instruction::initialize_permanent_delegate(
                    token_program,
                    mint,
                    &delegate,
                )
            }
            Self::InterestBearing { rate } => interest_bearing_mint::instruction::initialize(
                token_program,
                mint,
                Some(*authority),
                rate,
            ),
            Self::DefaultAccountStateFrozen => {
                default_account_state::instruction::initialize_default_account_state(
                    token_program,
                    mint,
                    &AccountState::Frozen,
                )
            }
            Self::MetadataPointer => metadata_pointer::instruction::initialize(
                token_program,
                mint,
                Some(*authority),
                Some(*mint),
            ),
        };
        built.expect("extension instructions accept Token-2022")
    }
}

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
    let kinds: Vec<ExtensionType> = extensions.iter().map(MintExtension::kind).collect();
    let space = if kinds.is_empty() {
        MintState::LEN
    } else {
        ExtensionType::try_calculate_account_len::<MintState>(&kinds).expect("known extensions")
    };
    let lamports = bank.minimum_balance(space).await;
    let mut instructions = vec![system_instruction::create_account(
        &authority,
        &mint.pubkey(),
        lamports,
        space as u64,
        token_program,
    )];
    instructions.extend(
        extensions
            .iter()
            .map(|e| e.instruction(token_program, &mint.pubkey(), &authority)),
    );
    let freeze_authority = extensions
        .contains(&MintExtension::DefaultAccountStateFrozen)
        .then_some(&authority);
    instructions.push(
        spl_token_2022::instruction::initialize_mint2(
            token_program,
            &mint.pubkey(),
            &authority,
            freeze_authority,
            decimals,
        )
        .expect("token program id"),
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
    let ix = spl_token_2022::instruction::mint_to_checked(
        token_program,
        mint,
        to,
        &authority,
        &[],
        amount,
        decimals,
    )
    .expect("token program id");
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
