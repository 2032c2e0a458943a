//! Instructions that set up a mint for a drop (SPL Token or Token-2022, with
//! extensions) and fill it: what a creator, a test or the in-process bank sends before
//! `floodgate new`, on any cluster.

use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, solana_program::program_pack::Pack,
    solana_program::system_instruction,
};
use anchor_spl::token_interface::spl_token_2022::{
    self,
    extension::{
        ExtensionType, default_account_state, interest_bearing_mint, metadata_pointer,
        transfer_fee, transfer_hook,
    },
    state::{AccountState, Mint as MintState},
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

/// The space of a mint with `extensions`.
pub fn mint_space(extensions: &[MintExtension]) -> usize {
    let kinds: Vec<ExtensionType> = extensions.iter().map(MintExtension::kind).collect();
    if kinds.is_empty() {
        MintState::LEN
    } else {
        ExtensionType::try_calculate_account_len::<MintState>(&kinds).expect("known extensions")
    }
}

/// Creates the account of `mint` (`lamports`: rent-exempt for [`mint_space`]), paid by
/// `authority`, then initialises its extensions and the mint itself, with `authority` as
/// mint authority (and as freeze authority when an extension needs one; otherwise the
/// mint has none). `mint` signs too.
pub fn create_mint(
    authority: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    decimals: u8,
    extensions: &[MintExtension],
    lamports: u64,
) -> Vec<Instruction> {
    let mut instructions = vec![system_instruction::create_account(
        authority,
        mint,
        lamports,
        mint_space(extensions) as u64,
        token_program,
    )];
    instructions.extend(
        extensions
            .iter()
            .map(|e| e.instruction(token_program, mint, authority)),
    );
    let freeze_authority = extensions
        .contains(&MintExtension::DefaultAccountStateFrozen)
        .then_some(authority);
    instructions.push(
        spl_token_2022::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            freeze_authority,
            decimals,
        )
        .expect("token program id"),
    );
    instructions
}

/// Mints `amount` base units to token account `to`, signed by the mint `authority`.
pub fn mint_to(
    token_program: &Pubkey,
    mint: &Pubkey,
    to: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Instruction {
    spl_token_2022::instruction::mint_to_checked(
        token_program,
        mint,
        to,
        authority,
        &[],
        amount,
        decimals,
    )
    .expect("token program id")
}
