//! What a node checks of a transaction before it runs it, checked here before sending,
//! so that the in-process bank refuses what a cluster would refuse and the CLI can size
//! its batches: the packet size and the account-lock limit. (A message compiled by
//! `Message::new` names each account once, so the lock conflict a node refuses within
//! one transaction, `AccountLoadedTwice`, cannot arise from this client.)

use super::ChainError;
use solana_sdk::{
    instruction::Instruction,
    message::Message,
    pubkey::Pubkey,
    transaction::{Transaction, TransactionError},
};

/// Bytes of a serialized transaction that one packet carries (an IPv6 datagram of 1,280
/// bytes less its 40-byte and 8-byte headers); a node refuses a larger one.
pub const PACKET_DATA_SIZE: usize = 1_280 - 40 - 8;

/// Accounts a transaction may lock; a node refuses a transaction that names more
/// (`TooManyAccountLocks`).
pub const MAX_ACCOUNT_LOCKS: usize = 64;

/// The bytes `count` takes as a compact-u16 (the length prefix of the signatures).
fn compact_u16_len(count: usize) -> usize {
    match count {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        _ => 3,
    }
}

/// The wire size of a signed transaction.
pub fn wire_size(tx: &Transaction) -> usize {
    compact_u16_len(tx.signatures.len()) + 64 * tx.signatures.len() + tx.message.serialize().len()
}

/// The wire size of `message` once signed.
fn signed_size(message: &Message) -> usize {
    let signatures = usize::from(message.header.num_required_signatures);
    compact_u16_len(signatures) + 64 * signatures + message.serialize().len()
}

/// The wire size `instructions` will have once signed, paid by `payer` (no blockhash
/// or signature is needed to know it).
pub fn size_of(instructions: &[Instruction], payer: &Pubkey) -> usize {
    signed_size(&Message::new(instructions, Some(payer)))
}

/// The refusal a node would give `instructions` paid by `payer` before running them:
/// larger than a packet, or more account locks than it allows.
pub fn check(instructions: &[Instruction], payer: &Pubkey) -> Result<(), ChainError> {
    let message = Message::new(instructions, Some(payer));
    // 65 keys alone take 2,080 bytes, so a legacy transaction over the lock limit is also
    // over the packet; the lock limit is checked first to be reported as such.
    if message.account_keys.len() > MAX_ACCOUNT_LOCKS {
        return Err(ChainError::Transaction(
            TransactionError::TooManyAccountLocks,
        ));
    }
    let size = signed_size(&message);
    if size > PACKET_DATA_SIZE {
        return Err(ChainError::TooLarge { size });
    }
    Ok(())
}

/// Whether `instructions`, paid by `payer`, fit one transaction (see [`check`]).
pub fn fits(instructions: &[Instruction], payer: &Pubkey) -> bool {
    check(instructions, payer).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::{
        hash::Hash,
        instruction::AccountMeta,
        signature::{Keypair, Signer},
    };

    fn instruction(data: usize, accounts: usize) -> Instruction {
        Instruction::new_with_bytes(
            Pubkey::new_unique(),
            &vec![7; data],
            (0..accounts)
                .map(|_| AccountMeta::new(Pubkey::new_unique(), false))
                .collect(),
        )
    }

    fn signed(payer: &Keypair, instructions: &[Instruction]) -> Transaction {
        let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        tx.sign(&[payer], Hash::new_unique());
        tx
    }

    #[test]
    fn the_size_before_signing_is_the_size_signed_and_serialized() {
        let payer = Keypair::new();
        for (data, accounts) in [(0, 0), (100, 3), (900, 10)] {
            let ixs = [instruction(data, accounts)];
            let tx = signed(&payer, &ixs);
            let serialized = bincode::serialize(&tx).unwrap().len();
            assert_eq!(size_of(&ixs, &payer.pubkey()), serialized);
            assert_eq!(wire_size(&tx), serialized);
        }
    }

    #[test]
    fn a_packet_holds_1232_bytes_and_no_more() {
        let payer = Keypair::new();
        // Find the data length that makes the transaction exactly one packet.
        let base = size_of(&[instruction(0, 1)], &payer.pubkey());
        let exact = PACKET_DATA_SIZE - base;
        // Data lengths past 127 take a second length byte.
        let exact = exact - 1;
        let ixs = [instruction(exact, 1)];
        assert_eq!(size_of(&ixs, &payer.pubkey()), PACKET_DATA_SIZE);
        assert!(fits(&ixs, &payer.pubkey()));
        assert!(check(&ixs, &payer.pubkey()).is_ok());

        let over = [instruction(exact + 1, 1)];
        assert!(!fits(&over, &payer.pubkey()));
        assert!(matches!(
            check(&over, &payer.pubkey()),
            Err(ChainError::TooLarge { size }) if size == PACKET_DATA_SIZE + 1
        ));
    }

    #[test]
    fn more_than_64_accounts_are_refused_as_such() {
        let payer = Keypair::new();
        // The payer and the program are accounts too. 64 keys are within the lock
        // limit, but not within a packet.
        let at_limit = [instruction(0, MAX_ACCOUNT_LOCKS - 2)];
        assert!(matches!(
            check(&at_limit, &payer.pubkey()),
            Err(ChainError::TooLarge { .. })
        ));
        let over = [instruction(0, MAX_ACCOUNT_LOCKS - 1)];
        assert!(!fits(&over, &payer.pubkey()));
        assert!(matches!(
            check(&over, &payer.pubkey()),
            Err(ChainError::Transaction(
                TransactionError::TooManyAccountLocks
            ))
        ));
    }
}
