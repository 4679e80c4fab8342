//! DES and Triple DES (FIPS PUB 46-3; NIST SP 800-67 Rev. 2 for TDEA keying options 1 and 2).
//!
//! A table-driven implementation: the eight S-boxes are merged with the P permutation into
//! byte-indexed tables, each half-block is carried in a "V form" (its two E-expansion rotations
//! side by side in one u64) so a round needs no rotation, the rounds carry only the keyed
//! inputs so the next subkey is folded in off the dependency chain, the key schedule is
//! PC-1/PC-2 tables indexed by bytes and 7-bit groups (all sixteen subkeys independent), and
//! IP/IP⁻¹ are five masked swaps each. Every table is computed at compile time from the FIPS
//! 46-3 tables in [`tables`], and the whole cipher is checked against the RustCrypto `des`
//! crate (dev-dependency) on random keys and blocks. Key schedules are computed once per key
//! ([`Des::new`], [`Tdes::new`]). Batches use the bitsliced DES in [`bitslice`].
//!
//! Both types also implement the RustCrypto `cipher` block-cipher traits, so they plug into any
//! generic mode (CBC, CMAC...) that accepts `des::Des` / `des::TdesEde2`.

pub(crate) mod bitslice;
mod sbox_circuits;
pub(crate) mod tables;

use cipher::consts::{U1, U8, U16, U24};
use cipher::{
    AlgorithmName, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut, Key, KeyInit, KeySizeUser, ParBlocksSizeUser,
};
use core::fmt;

use crate::CryptoError;
use tables::{PC1_BYTES, PC2_GROUPS, ROTATION, SPV, vform};

/// One masked bit swap ("delta swap") between two words.
#[inline(always)]
fn swap_bits(a: &mut u32, b: &mut u32, shift: u32, mask: u32) {
    let t = ((*a >> shift) ^ *b) & mask;
    *b ^= t;
    *a ^= t << shift;
}

/// IP as five delta swaps on the two big-endian halves; returns (L0, R0).
#[inline(always)]
pub(crate) fn initial_permutation(block: u64) -> (u32, u32) {
    let mut l = (block >> 32) as u32;
    let mut r = block as u32;
    swap_bits(&mut l, &mut r, 4, 0x0F0F_0F0F);
    swap_bits(&mut l, &mut r, 16, 0x0000_FFFF);
    swap_bits(&mut r, &mut l, 2, 0x3333_3333);
    swap_bits(&mut r, &mut l, 8, 0x00FF_00FF);
    swap_bits(&mut l, &mut r, 1, 0x5555_5555);
    (l, r)
}

/// IP⁻¹: the same swaps in reverse order (each swap is an involution).
#[inline(always)]
pub(crate) fn final_permutation(mut l: u32, mut r: u32) -> u64 {
    swap_bits(&mut l, &mut r, 1, 0x5555_5555);
    swap_bits(&mut r, &mut l, 8, 0x00FF_00FF);
    swap_bits(&mut r, &mut l, 2, 0x3333_3333);
    swap_bits(&mut l, &mut r, 16, 0x0000_FFFF);
    swap_bits(&mut l, &mut r, 4, 0x0F0F_0F0F);
    (u64::from(l) << 32) | u64::from(r)
}

/// IP into the V form the rounds work in ([`tables::vform`] of both halves).
#[inline(always)]
pub(crate) fn ip_v(block: u64) -> (u64, u64) {
    let (l, r) = initial_permutation(block);
    (vform(l), vform(r))
}

/// IP⁻¹ from the V form (the low word of V(x) is x rotated left by one).
#[inline(always)]
pub(crate) fn fp_v((l, r): (u64, u64)) -> u64 {
    final_permutation((l as u32).rotate_right(1), (r as u32).rotate_right(1))
}

/// One round's f, in V form, XORed into `p`: returns p ⊕ V(f(R, K)) for the keyed V-form input
/// w = V(R) ⊕ K (FIPS 46-3 Figure 2; S-boxes and P by the byte-indexed [`SPV`] tables).
///
/// The caller passes as `p` everything of the next keyed input that is known before this
/// round's table loads (the left half and the next subkey), so only the combining of the eight
/// loads is on the round's dependency chain. The loads' outputs occupy disjoint bits, so `^`,
/// `|` and `+` agree on them; mixing the three keeps the optimiser from re-associating the
/// tree into one long XOR chain. The two loads whose index is a single instruction away (bytes
/// 0 and 7) are folded into `p` first, while the other six are still in flight.
///
/// `black_box` only hides `p`'s origin from the optimiser, which otherwise XORs the subkey in
/// last, after the tree (one more step per round on the chain). It costs a store and a load
/// off the chain: the single-chain MAC went from 358 to 333 ns with it. The interleaved
/// two-block rounds ([`feistel_v2`]) are limited by throughput, not the chain, and skip it.
#[inline(always)]
fn feistel_v(w: u64, p: u64) -> u64 {
    feistel_v2(w, core::hint::black_box(p))
}

/// [`feistel_v`] without the barrier, for the interleaved rounds.
#[inline(always)]
fn feistel_v2(w: u64, p: u64) -> u64 {
    let early = SPV[0][usize::from(w as u8)] | SPV[7][(w >> 56) as usize];
    let z = SPV[5][usize::from((w >> 40) as u8)].wrapping_add(SPV[6][usize::from((w >> 48) as u8)]);
    let x = SPV[1][usize::from((w >> 8) as u8)].wrapping_add(SPV[2][usize::from((w >> 16) as u8)]);
    let y = SPV[3][usize::from((w >> 24) as u8)].wrapping_add(SPV[4][usize::from((w >> 32) as u8)]);
    ((p ^ early) ^ z) ^ (x | y)
}

/// Sixteen rounds, fully unrolled, on V-form halves (V(L0), V(R0)); returns the pre-output
/// (V(R16), V(L16)), which is also the V-form input of a following DES stage.
///
/// The chain carries only the keyed inputs W_i = V(R_i) ⊕ K_i. Since R_{i+1} = L_i ⊕ f_i and
/// L_i = R_{i-1}: W_{i+1} = (W_{i-1} ⊕ K_{i-1} ⊕ K_{i+1}) ⊕ V(f_i), and the bracket is known a
/// whole round early. `$k` maps a round number to its subkey (reversed for decryption).
macro_rules! sixteen_rounds {
    ($k:expr, $vl:expr, $vr:expr) => {{
        let k = $k;
        let w0 = $vr ^ k(0);
        let w1 = feistel_v(w0, $vl ^ k(1));
        let w2 = feistel_v(w1, $vr ^ k(2));
        let w3 = feistel_v(w2, w1 ^ k(1) ^ k(3));
        let w4 = feistel_v(w3, w2 ^ k(2) ^ k(4));
        let w5 = feistel_v(w4, w3 ^ k(3) ^ k(5));
        let w6 = feistel_v(w5, w4 ^ k(4) ^ k(6));
        let w7 = feistel_v(w6, w5 ^ k(5) ^ k(7));
        let w8 = feistel_v(w7, w6 ^ k(6) ^ k(8));
        let w9 = feistel_v(w8, w7 ^ k(7) ^ k(9));
        let w10 = feistel_v(w9, w8 ^ k(8) ^ k(10));
        let w11 = feistel_v(w10, w9 ^ k(9) ^ k(11));
        let w12 = feistel_v(w11, w10 ^ k(10) ^ k(12));
        let w13 = feistel_v(w12, w11 ^ k(11) ^ k(13));
        let w14 = feistel_v(w13, w12 ^ k(12) ^ k(14));
        let w15 = feistel_v(w14, w13 ^ k(13) ^ k(15));
        (feistel_v(w15, w14 ^ k(14)), w15 ^ k(15))
    }};
}

/// [`sixteen_rounds`] on two independent blocks with two key maps, interleaved round by round
/// so the CPU overlaps the two dependency chains.
macro_rules! sixteen_rounds_x2 {
    ($k:expr, $a:expr, $j:expr, $b:expr) => {{
        let (k, j) = ($k, $j);
        let ((al, ar), (bl, br)) = ($a, $b);
        let (a0, b0) = (ar ^ k(0), br ^ j(0));
        let (a1, b1) = (feistel_v2(a0, al ^ k(1)), feistel_v2(b0, bl ^ j(1)));
        let (a2, b2) = (feistel_v2(a1, ar ^ k(2)), feistel_v2(b1, br ^ j(2)));
        let (a3, b3) = (feistel_v2(a2, a1 ^ k(1) ^ k(3)), feistel_v2(b2, b1 ^ j(1) ^ j(3)));
        let (a4, b4) = (feistel_v2(a3, a2 ^ k(2) ^ k(4)), feistel_v2(b3, b2 ^ j(2) ^ j(4)));
        let (a5, b5) = (feistel_v2(a4, a3 ^ k(3) ^ k(5)), feistel_v2(b4, b3 ^ j(3) ^ j(5)));
        let (a6, b6) = (feistel_v2(a5, a4 ^ k(4) ^ k(6)), feistel_v2(b5, b4 ^ j(4) ^ j(6)));
        let (a7, b7) = (feistel_v2(a6, a5 ^ k(5) ^ k(7)), feistel_v2(b6, b5 ^ j(5) ^ j(7)));
        let (a8, b8) = (feistel_v2(a7, a6 ^ k(6) ^ k(8)), feistel_v2(b7, b6 ^ j(6) ^ j(8)));
        let (a9, b9) = (feistel_v2(a8, a7 ^ k(7) ^ k(9)), feistel_v2(b8, b7 ^ j(7) ^ j(9)));
        let (a10, b10) = (feistel_v2(a9, a8 ^ k(8) ^ k(10)), feistel_v2(b9, b8 ^ j(8) ^ j(10)));
        let (a11, b11) = (feistel_v2(a10, a9 ^ k(9) ^ k(11)), feistel_v2(b10, b9 ^ j(9) ^ j(11)));
        let (a12, b12) = (feistel_v2(a11, a10 ^ k(10) ^ k(12)), feistel_v2(b11, b10 ^ j(10) ^ j(12)));
        let (a13, b13) = (feistel_v2(a12, a11 ^ k(11) ^ k(13)), feistel_v2(b12, b11 ^ j(11) ^ j(13)));
        let (a14, b14) = (feistel_v2(a13, a12 ^ k(12) ^ k(14)), feistel_v2(b13, b12 ^ j(12) ^ j(14)));
        let (a15, b15) = (feistel_v2(a14, a13 ^ k(13) ^ k(15)), feistel_v2(b14, b13 ^ j(13) ^ j(15)));
        ((feistel_v2(a15, a14 ^ k(14)), a15 ^ k(15)), (feistel_v2(b15, b14 ^ j(14)), b15 ^ j(15)))
    }};
}

/// The packed subkey of the round whose C and D are rotated left by `s`, from C and D each
/// written twice (`cc` = C ‖ C): PC-2 by the eight 7-bit groups of [`PC2_GROUPS`].
#[inline(always)]
fn subkey(cc: u64, dd: u64, s: u32) -> u64 {
    let g = |x: u64, shift: u32| (x >> (shift - s)) as usize & 0x7F;
    PC2_GROUPS[0][g(cc, 49)]
        ^ PC2_GROUPS[1][g(cc, 42)]
        ^ PC2_GROUPS[2][g(cc, 35)]
        ^ PC2_GROUPS[3][g(cc, 28)]
        ^ PC2_GROUPS[4][g(dd, 49)]
        ^ PC2_GROUPS[5][g(dd, 42)]
        ^ PC2_GROUPS[6][g(dd, 35)]
        ^ PC2_GROUPS[7][g(dd, 28)]
}

/// Single DES with its 16 subkeys computed once.
#[derive(Clone)]
pub struct Des {
    /// Packed subkeys K1..K16 ([`tables::pack_subkey`]): `ka | kb << 32`.
    k: [u64; 16],
    /// The key itself, for the bitsliced batch path (where a key is 64 slices, not a schedule).
    key: u64,
}

impl Des {
    /// Key schedule (FIPS 46-3 "Key Schedule Calculation"). Parity bits are ignored.
    pub fn new(key: &[u8; 8]) -> Self {
        Des::from_u64(u64::from_be_bytes(*key))
    }

    /// Key schedule from a big-endian u64 key.
    #[inline]
    pub fn from_u64(key: u64) -> Self {
        let kb = key.to_be_bytes();
        let cd = PC1_BYTES[0][usize::from(kb[0] >> 1)]
            ^ PC1_BYTES[1][usize::from(kb[1] >> 1)]
            ^ PC1_BYTES[2][usize::from(kb[2] >> 1)]
            ^ PC1_BYTES[3][usize::from(kb[3] >> 1)]
            ^ PC1_BYTES[4][usize::from(kb[4] >> 1)]
            ^ PC1_BYTES[5][usize::from(kb[5] >> 1)]
            ^ PC1_BYTES[6][usize::from(kb[6] >> 1)]
            ^ PC1_BYTES[7][usize::from(kb[7] >> 1)];
        // C and D each written twice side by side: a rotation left by s is then one shift,
        // (cc >> (28 - s)) & mask, so all sixteen subkeys are independent of each other.
        let c = cd >> 28;
        let d = cd & 0x0FFF_FFFF;
        let (cc, dd) = (c | c << 28, d | d << 28);
        // written out: `array::from_fn` here measured 10% slower (26.0 against 28.5 ns)
        let k = [
            subkey(cc, dd, ROTATION[0]),
            subkey(cc, dd, ROTATION[1]),
            subkey(cc, dd, ROTATION[2]),
            subkey(cc, dd, ROTATION[3]),
            subkey(cc, dd, ROTATION[4]),
            subkey(cc, dd, ROTATION[5]),
            subkey(cc, dd, ROTATION[6]),
            subkey(cc, dd, ROTATION[7]),
            subkey(cc, dd, ROTATION[8]),
            subkey(cc, dd, ROTATION[9]),
            subkey(cc, dd, ROTATION[10]),
            subkey(cc, dd, ROTATION[11]),
            subkey(cc, dd, ROTATION[12]),
            subkey(cc, dd, ROTATION[13]),
            subkey(cc, dd, ROTATION[14]),
            subkey(cc, dd, ROTATION[15]),
        ];
        Des { k, key }
    }

    /// 16 encryption rounds on V-form IP-domain halves; returns the pre-output halves already
    /// swapped (R16, L16), which is also the input of a following DES stage.
    #[inline(always)]
    pub(crate) fn rounds_encrypt(&self, x: (u64, u64)) -> (u64, u64) {
        sixteen_rounds!(|i: usize| self.k[i], x.0, x.1)
    }

    /// 16 decryption rounds (subkeys in reverse order), same conventions as encryption.
    #[inline(always)]
    pub(crate) fn rounds_decrypt(&self, x: (u64, u64)) -> (u64, u64) {
        sixteen_rounds!(|i: usize| self.k[15 - i], x.0, x.1)
    }

    /// Encryption rounds of block `x` under `a` and block `y` under `b`, interleaved.
    #[inline(always)]
    pub(crate) fn rounds_encrypt_pair(a: &Des, x: (u64, u64), b: &Des, y: (u64, u64)) -> ((u64, u64), (u64, u64)) {
        sixteen_rounds_x2!(|i: usize| a.k[i], x, |i: usize| b.k[i], y)
    }

    /// Decryption rounds of block `x` under `a` and block `y` under `b`, interleaved.
    #[inline(always)]
    pub(crate) fn rounds_decrypt_pair(a: &Des, x: (u64, u64), b: &Des, y: (u64, u64)) -> ((u64, u64), (u64, u64)) {
        sixteen_rounds_x2!(|i: usize| a.k[15 - i], x, |i: usize| b.k[15 - i], y)
    }

    /// The key as a big-endian u64 (parity bits as given).
    pub(crate) fn key_u64(&self) -> u64 {
        self.key
    }

    /// Encrypts one block given as a big-endian u64.
    #[inline]
    pub fn encrypt_u64(&self, block: u64) -> u64 {
        fp_v(self.rounds_encrypt(ip_v(block)))
    }

    /// Decrypts one block given as a big-endian u64.
    #[inline]
    pub fn decrypt_u64(&self, block: u64) -> u64 {
        fp_v(self.rounds_decrypt(ip_v(block)))
    }

    /// Encrypts one 8-byte block (ECB).
    pub fn encrypt(&self, block: [u8; 8]) -> [u8; 8] {
        self.encrypt_u64(u64::from_be_bytes(block)).to_be_bytes()
    }

    /// Decrypts one 8-byte block (ECB).
    pub fn decrypt(&self, block: [u8; 8]) -> [u8; 8] {
        self.decrypt_u64(u64::from_be_bytes(block)).to_be_bytes()
    }
}

impl fmt::Debug for Des {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Des { .. }")
    }
}

/// Triple DES, EDE (NIST SP 800-67): keying option 1 (three keys, 24 bytes) or option 2
/// (two keys, 16 bytes, K3 = K1). Schedules are computed once in [`Tdes::new`].
#[derive(Clone)]
pub struct Tdes {
    k1: Des,
    k2: Des,
    k3: Des,
}

impl Tdes {
    /// Builds the key schedule from a 16-byte (K1‖K2) or 24-byte (K1‖K2‖K3) key.
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let part = |i: usize| -> [u8; 8] { key[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]) };
        match key.len() {
            16 => {
                let k1 = Des::new(&part(0));
                Ok(Tdes { k2: Des::new(&part(1)), k3: k1.clone(), k1 })
            }
            24 => Ok(Tdes { k1: Des::new(&part(0)), k2: Des::new(&part(1)), k3: Des::new(&part(2)) }),
            got => Err(CryptoError::KeyLength { algorithm: "TDES", expected: "16 or 24", got }),
        }
    }

    /// Builds a two-key (16-byte) TDES key schedule.
    pub fn new_2key(key: &[u8; 16]) -> Self {
        let k1 = Des::new(key[..8].try_into().unwrap_or(&[0; 8]));
        let k2 = Des::new(key[8..].try_into().unwrap_or(&[0; 8]));
        Tdes { k3: k1.clone(), k1, k2 }
    }

    /// The first DES key (used alone in the CBC part of ISO 9797-1 MAC algorithm 3).
    pub fn k1(&self) -> &Des {
        &self.k1
    }

    /// The second DES key.
    pub fn k2(&self) -> &Des {
        &self.k2
    }

    /// The third DES key (equal to K1 for two-key TDES).
    pub fn k3(&self) -> &Des {
        &self.k3
    }

    /// E(K3, D(K2, E(K1, x))) on a big-endian u64; IP and IP⁻¹ are applied once.
    #[inline]
    pub fn encrypt_u64(&self, block: u64) -> u64 {
        fp_v(self.k3.rounds_encrypt(self.k2.rounds_decrypt(self.k1.rounds_encrypt(ip_v(block)))))
    }

    /// Encrypts two independent blocks (interleaved for instruction-level parallelism).
    #[inline]
    pub fn encrypt_u64_x2(&self, a: u64, b: u64) -> (u64, u64) {
        let (a, b) = Des::rounds_encrypt_pair(&self.k1, ip_v(a), &self.k1, ip_v(b));
        let (a, b) = Des::rounds_decrypt_pair(&self.k2, a, &self.k2, b);
        let (a, b) = Des::rounds_encrypt_pair(&self.k3, a, &self.k3, b);
        (fp_v(a), fp_v(b))
    }

    /// Two-key TDES schedule from K1, K2 as big-endian u64s.
    #[inline]
    pub fn from_u64_pair(k1: u64, k2: u64) -> Self {
        let k1 = Des::from_u64(k1);
        Tdes { k2: Des::from_u64(k2), k3: k1.clone(), k1 }
    }

    /// D(K1, E(K2, D(K3, x))) on a big-endian u64.
    #[inline]
    pub fn decrypt_u64(&self, block: u64) -> u64 {
        fp_v(self.k1.rounds_decrypt(self.k2.rounds_encrypt(self.k3.rounds_decrypt(ip_v(block)))))
    }

    /// Encrypts one 8-byte block (ECB).
    pub fn encrypt(&self, block: [u8; 8]) -> [u8; 8] {
        self.encrypt_u64(u64::from_be_bytes(block)).to_be_bytes()
    }

    /// Decrypts one 8-byte block (ECB).
    pub fn decrypt(&self, block: [u8; 8]) -> [u8; 8] {
        self.decrypt_u64(u64::from_be_bytes(block)).to_be_bytes()
    }
}

impl fmt::Debug for Tdes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tdes { .. }")
    }
}

/// Two-key TDES as a RustCrypto block cipher (16-byte key), for generic modes.
#[derive(Clone, Debug)]
pub struct TdesEde2(pub Tdes);

/// Three-key TDES as a RustCrypto block cipher (24-byte key), for generic modes.
#[derive(Clone, Debug)]
pub struct TdesEde3(pub Tdes);

macro_rules! impl_block_cipher {
    ($ty:ty, $key_size:ty, $name:literal, $new:expr, $enc:expr, $dec:expr) => {
        impl KeySizeUser for $ty {
            type KeySize = $key_size;
        }
        impl KeyInit for $ty {
            fn new(key: &Key<Self>) -> Self {
                #[allow(clippy::redundant_closure_call)]
                ($new)(key.as_slice())
            }
        }
        impl BlockSizeUser for $ty {
            type BlockSize = U8;
        }
        impl ParBlocksSizeUser for $ty {
            type ParBlocksSize = U1;
        }
        impl BlockCipherEncrypt for $ty {
            fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>) {
                f.call(self)
            }
        }
        impl BlockCipherEncBackend for $ty {
            #[inline]
            fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
                let x = u64::from_be_bytes(block.clone_in().into());
                #[allow(clippy::redundant_closure_call)]
                let y: u64 = ($enc)(self, x);
                block.get_out().copy_from_slice(&y.to_be_bytes());
            }
        }
        impl BlockCipherDecrypt for $ty {
            fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = Self::BlockSize>) {
                f.call(self)
            }
        }
        impl BlockCipherDecBackend for $ty {
            #[inline]
            fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
                let x = u64::from_be_bytes(block.clone_in().into());
                #[allow(clippy::redundant_closure_call)]
                let y: u64 = ($dec)(self, x);
                block.get_out().copy_from_slice(&y.to_be_bytes());
            }
        }
        impl AlgorithmName for $ty {
            fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($name)
            }
        }
    };
}

impl_block_cipher!(
    Des,
    U8,
    "Des",
    |k: &[u8]| Des::new(k.try_into().unwrap_or(&[0; 8])),
    |c: &Des, x| c.encrypt_u64(x),
    |c: &Des, x| c.decrypt_u64(x)
);
impl_block_cipher!(
    TdesEde2,
    U16,
    "TdesEde2",
    |k: &[u8]| TdesEde2(Tdes::new_2key(k.try_into().unwrap_or(&[0; 16]))),
    |c: &TdesEde2, x| c.0.encrypt_u64(x),
    |c: &TdesEde2, x| c.0.decrypt_u64(x)
);
impl_block_cipher!(
    TdesEde3,
    U24,
    "TdesEde3",
    |k: &[u8]| TdesEde3(Tdes::new(k).unwrap_or_else(|_| Tdes::new_2key(&[0; 16]))),
    |c: &TdesEde3, x| c.0.encrypt_u64(x),
    |c: &TdesEde3, x| c.0.decrypt_u64(x)
);

#[cfg(test)]
mod tests {
    use super::tables::{E, FP, IP, pack_subkey, permute};
    use super::*;

    #[test]
    fn delta_swaps_equal_fips_ip_and_fp() {
        let mut x = 0x0123_4567_89AB_CDEFu64;
        for _ in 0..1000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let (l, r) = initial_permutation(x);
            assert_eq!((u64::from(l) << 32) | u64::from(r), permute(x, 64, &IP), "IP of {x:016X}");
            let lr = permute(x, 64, &FP);
            assert_eq!(final_permutation((x >> 32) as u32, x as u32), lr, "FP of {x:016X}");
        }
    }

    /// The rotations in `feistel` select exactly the E table's bits, in the packed layout.
    #[test]
    fn rotations_equal_fips_e_expansion() {
        let mut x = 0x89AB_CDEFu32;
        for _ in 0..1000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let packed = pack_subkey(permute(u64::from(x), 32, &E));
            assert_eq!(x.rotate_left(1) & 0x3F3F_3F3F, packed as u32);
            assert_eq!(x.rotate_right(3) & 0x3F3F_3F3F, (packed >> 32) as u32);
        }
    }

    /// FIPS 81 / FIPS 113 example key with the "Now is the time for all " plaintext block.
    #[test]
    fn known_answer_fips81() {
        let des = Des::new(&[0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]);
        let ct = des.encrypt(*b"Now is t");
        assert_eq!(ct, [0x3F, 0xA4, 0x0E, 0x8A, 0x98, 0x4D, 0x48, 0x15]);
        assert_eq!(des.decrypt(ct), *b"Now is t");
    }

    #[test]
    fn tdes_with_equal_keys_is_single_des() {
        let k = [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF];
        let mut k2 = [0u8; 16];
        k2[..8].copy_from_slice(&k);
        k2[8..].copy_from_slice(&k);
        let t = Tdes::new(&k2).unwrap();
        assert_eq!(t.encrypt(*b"Now is t"), Des::new(&k).encrypt(*b"Now is t"));
        assert!(matches!(Tdes::new(&[0; 8]), Err(CryptoError::KeyLength { got: 8, .. })));
    }
}
