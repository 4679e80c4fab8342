//! ISO/IEC 9797-1:2011 MAC algorithm 1 (CBC-MAC) and MAC algorithm 3 (the "retail MAC", ANSI
//! X9.19), with padding methods 1 and 2 (§6.3.1, §6.3.2), over DES-family ciphers.

use crate::des::{Des, Tdes, fp_v, ip_v};

/// ISO/IEC 9797-1 padding method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Padding {
    /// Method 1 (§6.3.1): append zero bytes up to a block multiple; empty data becomes one
    /// zero block; data already a multiple of the block length is not padded.
    Method1,
    /// Method 2 (§6.3.2): append `80`, then zero bytes up to a block multiple (always adds).
    Method2,
}

/// Pads `data` to a multiple of `block_len` bytes with the given ISO/IEC 9797-1 method.
pub fn pad_iso9797(data: &[u8], padding: Padding, block_len: usize) -> Vec<u8> {
    let mut out = data.to_vec();
    match padding {
        Padding::Method1 => {
            if out.is_empty() || out.len() % block_len != 0 {
                out.resize(out.len().div_ceil(block_len).max(1) * block_len, 0);
            }
        }
        Padding::Method2 => {
            out.push(0x80);
            out.resize(out.len().div_ceil(block_len) * block_len, 0);
        }
    }
    out
}

/// A 64-bit block cipher usable in ISO/IEC 9797-1 MAC algorithm 1: single DES or TDES.
pub trait Cipher64 {
    /// Encrypts one big-endian 64-bit block.
    fn encrypt_u64(&self, block: u64) -> u64;
}

impl Cipher64 for Des {
    fn encrypt_u64(&self, block: u64) -> u64 {
        Des::encrypt_u64(self, block)
    }
}

impl Cipher64 for Tdes {
    fn encrypt_u64(&self, block: u64) -> u64 {
        Tdes::encrypt_u64(self, block)
    }
}

/// The last, partial block of `rest` (fewer than 8 bytes) as a big-endian u64, with the `80`
/// byte of padding method 2 after it when `mark` is set. Byte by byte rather than through a
/// copy into a buffer: a variable-length copy is a `memcpy` call on the MAC's hot path.
#[inline(always)]
fn tail_block(rest: &[u8], mark: bool) -> u64 {
    let mut v = 0u64;
    let mut shift = 56u32;
    for &b in rest.iter().take(7) {
        v |= u64::from(b) << shift;
        shift = shift.saturating_sub(8);
    }
    if mark { v | 0x80 << shift } else { v }
}

/// Calls `f` on every 8-byte block of `data` padded with `padding`, without allocating.
#[inline(always)]
fn for_each_padded_block(data: &[u8], padding: Padding, mut f: impl FnMut(u64)) {
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        f(u64::from_be_bytes(c.try_into().unwrap_or([0; 8])));
    }
    let rest = chunks.remainder();
    match padding {
        Padding::Method1 => {
            if !rest.is_empty() || data.is_empty() {
                f(tail_block(rest, false));
            }
        }
        Padding::Method2 => f(tail_block(rest, true)),
    }
}

/// ISO/IEC 9797-1 MAC algorithm 1 (§7.2.1): CBC-MAC with a zero IV, final output transformation
/// 1 (none); returns the whole last block (truncate as the application requires).
pub fn iso9797_mac_alg1<C: Cipher64>(cipher: &C, data: &[u8], padding: Padding) -> [u8; 8] {
    let mut h = 0u64;
    for_each_padded_block(data, padding, |m| h = cipher.encrypt_u64(h ^ m));
    h.to_be_bytes()
}

/// ISO/IEC 9797-1 MAC algorithm 3 (§7.2.3, the retail MAC of ANSI X9.19): single-DES CBC-MAC
/// under K1 over every block, then output transformation 3: decrypt under K2 and encrypt under
/// K3 (= K1 for two-key TDES). The CBC chain runs in the IP domain: IP/IP⁻¹ are linear, so
/// IP(c ⊕ m) = IP(c) ⊕ IP(m) and only the message blocks need IP.
pub fn iso9797_mac_alg3(key: &Tdes, data: &[u8], padding: Padding) -> [u8; 8] {
    mac_alg3_u64(key, data, padding).to_be_bytes()
}

#[inline]
pub(crate) fn mac_alg3_u64(key: &Tdes, data: &[u8], padding: Padding) -> u64 {
    let k1 = key.k1();
    let mut s = (0u64, 0u64);
    for_each_padded_block(data, padding, |m| {
        let (ml, mr) = ip_v(m);
        s = k1.rounds_encrypt((s.0 ^ ml, s.1 ^ mr));
    });
    fp_v(key.k3().rounds_encrypt(key.k2().rounds_decrypt(s)))
}

/// Number of 8-byte blocks of `data` after padding.
#[inline(always)]
pub(crate) fn padded_blocks(data: &[u8], padding: Padding) -> usize {
    match padding {
        Padding::Method1 => data.len().div_ceil(8).max(1),
        Padding::Method2 => data.len() / 8 + 1,
    }
}

/// Block `i` of `data` padded with `padding` (i < [`padded_blocks`]).
#[inline(always)]
pub(crate) fn padded_block(data: &[u8], padding: Padding, i: usize) -> u64 {
    let start = 8 * i;
    if let Some(b) = data.get(start..start + 8) {
        return u64::from_be_bytes(b.try_into().unwrap_or([0; 8]));
    }
    tail_block(data.get(start..).unwrap_or(&[]), padding == Padding::Method2)
}

/// Two MAC algorithm 3 computations (different keys and data) interleaved block by block, so
/// one core runs both dependency chains at once. Same results as two [`mac_alg3_u64`] calls,
/// which is also what it does when the padded lengths differ.
pub(crate) fn mac_alg3_pair(ka: &Tdes, da: &[u8], kb: &Tdes, db: &[u8], padding: Padding) -> (u64, u64) {
    let n = padded_blocks(da, padding);
    if n != padded_blocks(db, padding) {
        return (mac_alg3_u64(ka, da, padding), mac_alg3_u64(kb, db, padding));
    }
    let (mut x, mut y) = ((0u64, 0u64), (0u64, 0u64));
    for i in 0..n {
        let (al, ar) = ip_v(padded_block(da, padding, i));
        let (bl, br) = ip_v(padded_block(db, padding, i));
        (x, y) = Des::rounds_encrypt_pair(ka.k1(), (x.0 ^ al, x.1 ^ ar), kb.k1(), (y.0 ^ bl, y.1 ^ br));
    }
    let (x, y) = Des::rounds_decrypt_pair(ka.k2(), x, kb.k2(), y);
    let (x, y) = Des::rounds_encrypt_pair(ka.k3(), x, kb.k3(), y);
    (fp_v(x), fp_v(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_edges() {
        // pyemv tests/test_mac.py facts: method 1 on empty data gives one zero block; block
        // multiples are not padded; method 2 always appends 80.
        assert_eq!(pad_iso9797(b"", Padding::Method1, 8), [0; 8]);
        assert_eq!(pad_iso9797(&[1; 8], Padding::Method1, 8), [1; 8]);
        assert_eq!(pad_iso9797(&[1; 3], Padding::Method1, 8), [1, 1, 1, 0, 0, 0, 0, 0]);
        assert_eq!(pad_iso9797(&[1; 8], Padding::Method2, 8).len(), 16);
        assert_eq!(pad_iso9797(&[1; 8], Padding::Method2, 8)[8], 0x80);
        assert_eq!(pad_iso9797(b"", Padding::Method2, 8), [0x80, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(pad_iso9797(&[1; 7], Padding::Method2, 8), [1, 1, 1, 1, 1, 1, 1, 0x80]);
    }

    #[test]
    fn alg3_equals_alg1_over_k1_then_tdes_transform() {
        // Definition check: alg 3 = CBC under K1, then D(K2), E(K1) of the last block.
        let key = Tdes::new(&[
            0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
        ])
        .unwrap();
        let data = b"Now is the time for it";
        let h = u64::from_be_bytes(iso9797_mac_alg1(key.k1(), data, Padding::Method2));
        let expected = key.k1().encrypt_u64(key.k2().decrypt_u64(h));
        assert_eq!(iso9797_mac_alg3(&key, data, Padding::Method2), expected.to_be_bytes());
    }
}
