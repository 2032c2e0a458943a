//! Compares and reads of 32-byte values (addresses, hashes) and of 8-byte
//! discriminators on the claim path.
//!
//! `a == b` on two `[u8; 32]` is a `bcmp` call, and reading a `[u8; 8]` as a `u64`
//! takes eight loads: on SBF both go one byte at a time when the compiler cannot
//! assume alignment (about 190 CU per address compare with this repository's
//! toolchain). Account keys and the address fields of the zero-copy accounts are 8-byte
//! aligned in the runtime's input, so these helpers check the alignment and then work
//! on `u64` words, falling back to the plain operation otherwise.

use crate::errors::FloodgateError;
use anchor_lang::prelude::*;

/// Both addresses are multiples of 8.
#[inline(always)]
fn aligned(a: *const u8, b: *const u8) -> bool {
    (a as usize | b as usize) & 7 == 0
}

// The unaligned fallbacks are separate functions that are never inlined: inlined, the
// optimizer merges the two branches into one and keeps the weaker alignment, so the
// aligned case too would load byte by byte.

/// `a == b`.
#[inline(always)]
pub fn eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    if !aligned(pa, pb) {
        return eq_unaligned(a, b);
    }
    // SAFETY: both point to 32 readable bytes and are 8-byte aligned.
    let (a, b) = unsafe { (&*pa.cast::<[u64; 4]>(), &*pb.cast::<[u64; 4]>()) };
    // One branch for the four words (a chain of `&&` would be merged back into bcmp).
    ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0
}

/// Through the `sol_memcmp_` syscall on SBF (about 10 CU): the compiler would expand
/// `a == b` into 64 byte loads.
#[cold]
#[inline(never)]
fn eq_unaligned(a: &[u8; 32], b: &[u8; 32]) -> bool {
    // SAFETY: both slices hold the 32 bytes compared.
    unsafe { anchor_lang::solana_program::program_memory::sol_memcmp(a, b, 32) == 0 }
}

/// The 32 bytes as four `u64` in memory order (`words(a)` stored back is `a`): four
/// loads when `a` is 8-byte aligned.
#[inline(always)]
pub fn words(a: &[u8; 32]) -> [u64; 4] {
    let p = a.as_ptr();
    if p as usize & 7 != 0 {
        return words_unaligned(a);
    }
    // SAFETY: 32 readable bytes, 8-byte aligned.
    unsafe { *p.cast::<[u64; 4]>() }
}

#[cold]
#[inline(never)]
fn words_unaligned(a: &[u8; 32]) -> [u64; 4] {
    let (chunks, _) = a.as_chunks::<8>();
    std::array::from_fn(|k| u64::from_ne_bytes(chunks[k]))
}

/// `u64::from_le_bytes(*bytes)` (a discriminator, say): one load when `bytes` is 8-byte
/// aligned, as the data of accounts and instructions are in the runtime's input.
#[inline(always)]
pub fn le_u64(bytes: &[u8; 8]) -> u64 {
    let p = bytes.as_ptr();
    if p as usize & 7 != 0 {
        return le_u64_unaligned(bytes);
    }
    // SAFETY: 8 readable bytes, 8-byte aligned.
    u64::from_le(unsafe { *p.cast::<u64>() })
}

#[cold]
#[inline(never)]
fn le_u64_unaligned(bytes: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*bytes)
}

/// `u32::from_le_bytes(*bytes)`: one load when `bytes` is 4-byte aligned (the first
/// argument after a discriminator in the runtime's 8-byte aligned instruction data).
#[inline(always)]
pub fn le_u32(bytes: &[u8; 4]) -> u32 {
    let p = bytes.as_ptr();
    if p as usize & 3 != 0 {
        return le_u32_unaligned(bytes);
    }
    // SAFETY: 4 readable bytes, 4-byte aligned.
    u32::from_le(unsafe { *p.cast::<u32>() })
}

#[cold]
#[inline(never)]
fn le_u32_unaligned(bytes: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*bytes)
}

/// `u64::from_le_bytes(*bytes)` for bytes that are 4-byte aligned (an amount after a
/// `u32` argument): two loads instead of eight.
#[inline(always)]
pub fn le_u64_at4(bytes: &[u8; 8]) -> u64 {
    let p = bytes.as_ptr();
    if p as usize & 3 != 0 {
        return le_u64_unaligned(bytes);
    }
    // SAFETY: 8 readable bytes, 4-byte aligned.
    let [low, high] = unsafe { *p.cast::<[u32; 2]>() };
    u64::from(u32::from_le(low)) | (u64::from(u32::from_le(high)) << 32)
}

/// An address stored 8-byte aligned: a `Pubkey` constant is a byte array of alignment
/// 1, so comparing an account's key with `&crate::ID` takes the byte-by-byte path.
#[repr(C, align(8))]
pub struct AlignedKey(pub Pubkey);

/// This program's id, for [`same_key`].
pub static PROGRAM_ID: AlignedKey = AlignedKey(crate::ID);
/// The system program's id, for [`same_key`].
pub static SYSTEM_PROGRAM_ID: AlignedKey = AlignedKey(anchor_lang::system_program::ID);

/// `a == b` for addresses.
#[inline(always)]
pub fn same_key(a: &Pubkey, b: &Pubkey) -> bool {
    eq(a.as_array(), b.as_array())
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
    fn little_endian_reads_agree_at_every_alignment() {
        let buf = Buf(std::array::from_fn(|k| (k as u8).wrapping_mul(29) ^ 0x5A));
        for k in 0..16 {
            let four: &[u8; 4] = buf.0[k..k + 4].try_into().unwrap();
            assert_eq!(le_u32(four), u32::from_le_bytes(*four), "at {k}");
            let eight: &[u8; 8] = buf.0[k..k + 8].try_into().unwrap();
            assert_eq!(le_u64_at4(eight), u64::from_le_bytes(*eight), "at {k}");
            assert_eq!(le_u64(eight), u64::from_le_bytes(*eight), "at {k}");
        }
    }

    fn at(buf: &Buf, k: usize) -> &[u8; 32] {
        buf.0[k..k + 32].try_into().unwrap()
    }

    const OFFSETS: [(usize, usize); 5] = [(0, 0), (0, 3), (5, 0), (1, 7), (8, 8)];

    #[test]
    fn eq_agrees_with_eq_at_every_alignment_and_differing_byte() {
        let base: [u8; 32] = std::array::from_fn(|i| i as u8 * 7 + 1);
        for (ka, kb) in OFFSETS {
            let mut x = Buf([0; 40]);
            let mut y = Buf([0; 40]);
            x.0[ka..ka + 32].copy_from_slice(&base);
            y.0[kb..kb + 32].copy_from_slice(&base);
            assert!(eq(at(&x, ka), at(&y, kb)));
            for byte in 0..32 {
                let mut z = Buf([0; 40]);
                z.0[kb..kb + 32].copy_from_slice(&base);
                z.0[kb + byte] ^= 0x80;
                assert!(
                    !eq(at(&x, ka), at(&z, kb)),
                    "offsets {ka}/{kb}, byte {byte}"
                );
            }
        }
    }

    #[test]
    fn le_u64_reads_little_endian_at_every_alignment() {
        let mut buf = Buf([0; 40]);
        for (i, b) in buf.0.iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        for k in 0..9 {
            let bytes: &[u8; 8] = buf.0[k..k + 8].try_into().unwrap();
            assert_eq!(le_u64(bytes), u64::from_le_bytes(*bytes), "offset {k}");
        }
    }

    #[test]
    fn words_keep_the_bytes_at_every_alignment() {
        let base: [u8; 32] = std::array::from_fn(|i| i as u8 * 3 + 2);
        for (k, _) in OFFSETS {
            let mut buf = Buf([0; 40]);
            buf.0[k..k + 32].copy_from_slice(&base);
            let words = words(at(&buf, k));
            let back: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
            assert_eq!(back, base, "offset {k}");
        }
    }

    #[test]
    fn compares_addresses() {
        let a = Pubkey::new_from_array([3; 32]);
        assert!(same_key(&a, &Pubkey::new_from_array([3; 32])));
        assert!(!same_key(&a, &Pubkey::new_from_array([4; 32])));
        assert!(require_same_key(&a, &a, FloodgateError::VaultMismatch).is_ok());
        let err = require_same_key(&a, &Pubkey::default(), FloodgateError::VaultMismatch);
        assert_eq!(err.unwrap_err(), error!(FloodgateError::VaultMismatch));
    }
}
