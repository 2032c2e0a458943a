//! Equality of 32-byte values (addresses, hashes) on the claim path.
//!
//! `a == b` on two `[u8; 32]` is a `bcmp` call, which on SBF compares byte by byte
//! when the compiler cannot assume alignment: about 190 CU per address compare with
//! this repository's toolchain. Account keys and the address fields of the zero-copy
//! accounts are 8-byte aligned in the runtime's input, so they compare as four `u64`.

use crate::errors::FloodgateError;
use anchor_lang::prelude::*;

/// `a == b`, as four aligned `u64` compares when both are 8-byte aligned.
#[inline(always)]
pub fn same_bytes(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    if (pa as usize | pb as usize) & 7 != 0 {
        return a == b;
    }
    // SAFETY: both point to 32 readable bytes and are 8-byte aligned.
    let (a, b) = unsafe { (&*pa.cast::<[u64; 4]>(), &*pb.cast::<[u64; 4]>()) };
    // One branch for the four words (a chain of `&&` would be merged back into bcmp).
    ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0
}

/// `a == b` for addresses; see [`same_bytes`].
#[inline(always)]
pub fn same_key(a: &Pubkey, b: &Pubkey) -> bool {
    same_bytes(a.as_array(), b.as_array())
}

/// `Ok` when `actual` is `expected`; otherwise fails with `error`, logging both (as
/// `require_keys_eq!` does).
#[inline(always)]
pub fn require_same_key(actual: &Pubkey, expected: &Pubkey, error: FloodgateError) -> Result<()> {
    if same_key(actual, expected) {
        Ok(())
    } else {
        Err(error!(error).with_pubkeys((*actual, *expected)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 40 bytes, 8-aligned, so that `[k..k + 32]` covers every alignment.
    #[repr(C, align(8))]
    struct Buf([u8; 40]);

    #[test]
    fn agrees_with_eq_at_every_alignment_and_differing_byte() {
        let base: [u8; 32] = std::array::from_fn(|i| i as u8 * 7 + 1);
        for (ka, kb) in [(0, 0), (0, 3), (5, 0), (1, 7), (8, 8)] {
            let mut x = Buf([0; 40]);
            let mut y = Buf([0; 40]);
            x.0[ka..ka + 32].copy_from_slice(&base);
            y.0[kb..kb + 32].copy_from_slice(&base);
            let a: &[u8; 32] = x.0[ka..ka + 32].try_into().unwrap();
            assert!(same_bytes(a, (&y.0[kb..kb + 32]).try_into().unwrap()));
            for byte in 0..32 {
                let mut z = Buf([0; 40]);
                z.0[kb..kb + 32].copy_from_slice(&base);
                z.0[kb + byte] ^= 0x80;
                let b: &[u8; 32] = z.0[kb..kb + 32].try_into().unwrap();
                assert!(!same_bytes(a, b), "offsets {ka}/{kb}, byte {byte}");
            }
        }
    }

    #[test]
    fn compares_addresses() {
        let a = Pubkey::new_from_array([3; 32]);
        assert!(same_key(&a, &Pubkey::new_from_array([3; 32])));
        assert!(!same_key(&a, &Pubkey::new_from_array([4; 32])));
    }
}
