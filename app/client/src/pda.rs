//! Program-derived addresses, from the seeds the program itself defines.

use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use floodgate::{
    ID as PROGRAM_ID,
    constants::VAULT_SEED,
    state::{Distributor, shard_seeds, vesting_seeds},
};

/// `["distributor", creator, mint, seed u64 LE]`.
pub fn distributor(creator: &Pubkey, mint: &Pubkey, seed: u64) -> (Pubkey, u8) {
    let seed = seed.to_le_bytes();
    Pubkey::find_program_address(&Distributor::seeds(creator, mint, &seed), &PROGRAM_ID)
}

/// `["shard", distributor, shard_index u32 LE]`.
pub fn shard(distributor: &Pubkey, shard_index: u32) -> (Pubkey, u8) {
    let index = shard_index.to_le_bytes();
    Pubkey::find_program_address(&shard_seeds(distributor, &index), &PROGRAM_ID)
}

/// `["vault", shard]`: the shard's token account, owned by the distributor.
pub fn vault(shard: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, shard.as_ref()], &PROGRAM_ID)
}

/// `["vesting", distributor, index u32 LE]`.
pub fn vesting(distributor: &Pubkey, index: u32) -> (Pubkey, u8) {
    let index = index.to_le_bytes();
    Pubkey::find_program_address(&vesting_seeds(distributor, &index), &PROGRAM_ID)
}

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    get_associated_token_address_with_program_id(owner, mint, token_program)
}

/// The associated token account and its bump (what `claim_for` takes).
pub fn associated_token_with_bump(
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[owner.as_ref(), token_program.as_ref(), mint.as_ref()],
        &anchor_spl::associated_token::ID,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn associated_token_with_bump_matches_the_ata_program() {
        let owner = Pubkey::new_from_array([7; 32]);
        let mint = Pubkey::new_from_array([8; 32]);
        for program in [anchor_spl::token::ID, anchor_spl::token_2022::ID] {
            let (address, bump) = associated_token_with_bump(&owner, &mint, &program);
            assert_eq!(address, associated_token(&owner, &mint, &program));
            let again = Pubkey::create_program_address(
                &[owner.as_ref(), program.as_ref(), mint.as_ref(), &[bump]],
                &anchor_spl::associated_token::ID,
            )
            .unwrap();
            assert_eq!(again, address);
        }
    }

    #[test]
    fn seeds_differ_by_every_component() {
        let (a, _) = distributor(
            &Pubkey::new_from_array([1; 32]),
            &Pubkey::new_from_array([2; 32]),
            0,
        );
        let (b, _) = distributor(
            &Pubkey::new_from_array([1; 32]),
            &Pubkey::new_from_array([2; 32]),
            1,
        );
        assert_ne!(a, b);
        assert_ne!(shard(&a, 0).0, shard(&a, 1).0);
        assert_ne!(shard(&a, 0).0, shard(&b, 0).0);
        assert_ne!(vesting(&a, 0).0, vesting(&a, 1).0);
    }
}
