//! DES constants from FIPS PUB 46-3 (§ "The Algorithm", Figures 1-3 and the Appendix tables),
//! and the lookup tables derived from them at compile time.
//!
//! Bit numbers follow the standard: bit 1 is the most significant bit of the first byte.

/// Initial permutation IP (FIPS 46-3, Figure 1 "IP"): output bit i = input bit `IP[i-1]`.
pub(crate) const IP: [u8; 64] = [
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32,
    24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47,
    39, 31, 23, 15, 7,
];

/// Inverse initial permutation IP⁻¹ (FIPS 46-3, Figure 1).
pub(crate) const FP: [u8; 64] = [
    40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21,
    61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9,
    49, 17, 57, 25,
];

/// E bit-selection table (FIPS 46-3, Figure 2).
pub(crate) const E: [u8; 48] = [
    32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21,
    22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];

/// Permutation P (FIPS 46-3, Figure 2 "P").
pub(crate) const P: [u8; 32] = [
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4,
    25,
];

/// Selection functions S1..S8 (FIPS 46-3, "Primitive functions S1, ..., S8"), row-major 4x16.
pub(crate) const S: [[u8; 64]; 8] = [
    [
        14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4,
        1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
    ],
    [
        15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0,
        14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
    ],
    [
        10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13,
        6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
    ],
    [
        7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10,
        6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
    ],
    [
        2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4,
        2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
    ],
    [
        12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9,
        14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
    ],
    [
        4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1,
        4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
    ],
    [
        13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7,
        11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
    ],
];

/// Permuted choice 1 (FIPS 46-3, Appendix "PC-1"): 56 of the 64 key bits (parity bits dropped).
pub(crate) const PC1: [u8; 56] = [
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55,
    47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

/// Permuted choice 2 (FIPS 46-3, Appendix "PC-2"): 48 of the 56 bits of C‖D.
pub(crate) const PC2: [u8; 48] = [
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30,
    40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

/// Left shifts of C and D per iteration (FIPS 46-3, key schedule table).
const SHIFTS: [u8; 16] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/// Total left rotation of C and D before each round (running sums of [`SHIFTS`]).
pub(crate) const ROTATION: [u32; 16] = {
    let mut r = [0u32; 16];
    let mut sum = 0u32;
    let mut i = 0;
    while i < 16 {
        sum += SHIFTS[i] as u32;
        r[i] = sum;
        i += 1;
    }
    r
};

/// Applies a standard-numbered bit selection: output bit i (of `out_bits`, 1 = MSB) is input
/// bit `table[i-1]` (of `in_bits`, 1 = MSB). The reference for every derived table below.
pub(crate) const fn permute(input: u64, in_bits: u32, table: &[u8]) -> u64 {
    let out_bits = table.len() as u32;
    let mut out = 0u64;
    let mut i = 0;
    while i < table.len() {
        let src = table[i] as u32;
        let bit = (input >> (in_bits - src)) & 1;
        out |= bit << (out_bits - 1 - i as u32);
        i += 1;
    }
    out
}

/// A half-block in the form the rounds carry it: V(x) = rotl(x, 1) | rotr(x, 3) << 32. XORed
/// with a packed subkey ([`pack_subkey`]), its eight bytes hold the eight 6-bit S-box inputs in
/// their low bits (the E expansion is the two rotations). V is linear, so V(x ^ y) = V(x) ^ V(y).
pub(crate) const fn vform(x: u32) -> u64 {
    (x.rotate_left(1) as u64) | ((x.rotate_right(3) as u64) << 32)
}

/// The S-box (0-based) whose input sits in byte j of a keyed V-form word (see [`pack_subkey`]).
const SBOX_OF_BYTE: [usize; 8] = [7, 5, 3, 1, 6, 4, 2, 0];

/// Combined S-box + P tables for the V-form rounds, indexed by a whole byte:
/// `SPV[j][x]` = V(P(S_k(x & 63))) with k = [`SBOX_OF_BYTE`]\[j\], the S-box output placed at
/// f-output bits 4k+1..4k+4 before P. The two top bits of each byte are don't-care, so the
/// round indexes with a byte extract and no mask; the result is already in V form, so the next
/// round needs no rotation. The eight tables' outputs occupy disjoint bits.
pub(crate) static SPV: [[u64; 256]; 8] = build_spv();

const fn build_spv() -> [[u64; 256]; 8] {
    let sp = build_sp();
    let mut t = [[0u64; 256]; 8];
    let mut j = 0;
    while j < 8 {
        let mut x = 0;
        while x < 256 {
            t[j][x] = vform(sp[SBOX_OF_BYTE[j]][x & 63]);
            x += 1;
        }
        j += 1;
    }
    t
}

/// `SP[i][x]` = P(S_{i+1}(x)) for the 64 S-box inputs x (first input bit as MSB), placed at
/// f-output bits 4i+1..4i+4 before P.
const fn build_sp() -> [[u32; 64]; 8] {
    let mut t = [[0u32; 64]; 8];
    let mut i = 0;
    while i < 8 {
        let mut x = 0usize;
        while x < 64 {
            let row = ((x >> 4) & 2) | (x & 1);
            let col = (x >> 1) & 0xF;
            let s = S[i][row * 16 + col] as u64;
            t[i][x] = permute(s << (28 - 4 * i), 32, &P) as u32;
            x += 1;
        }
        i += 1;
    }
    t
}

/// Packs a 48-bit subkey (chunk j = bits 6j+1..6j+6, the input of S_{j+1}) into the two words
/// the round function XORs: `ka` = chunks 8,6,4,2 in bytes 0..3, `kb` = chunks 7,5,3,1 (1-based
/// S-box numbers), each 6-bit chunk in the low bits of its byte. Returned as `ka | kb << 32`.
pub(crate) const fn pack_subkey(k48: u64) -> u64 {
    let mut ka = 0u32;
    let mut kb = 0u32;
    let mut j = 0;
    while j < 8 {
        let chunk = ((k48 >> (42 - 6 * j)) & 0x3F) as u32;
        // odd 0-based chunks (S2,S4,S6,S8) go to ka; byte = (7 - j) / 2
        if j % 2 == 1 {
            ka |= chunk << (8 * ((7 - j) / 2));
        } else {
            kb |= chunk << (8 * ((6 - j) / 2));
        }
        j += 1;
    }
    ka as u64 | (kb as u64) << 32
}

/// PC-1 split by key byte: `PC1_BYTES[b][v >> 1]` = PC-1 applied to a key whose byte b is v and
/// whose other bytes are zero (the parity bit, the LSB of each byte, is never selected).
pub(crate) static PC1_BYTES: [[u64; 128]; 8] = build_pc1_bytes();

const fn build_pc1_bytes() -> [[u64; 128]; 8] {
    let mut t = [[0u64; 128]; 8];
    let mut b = 0;
    while b < 8 {
        let mut v = 0;
        while v < 128 {
            let key = ((v as u64) << 1) << (56 - 8 * b);
            t[b][v] = permute(key, 64, &PC1);
            v += 1;
        }
        b += 1;
    }
    t
}

/// PC-2 followed by [`pack_subkey`], split into eight 7-bit groups of C‖D:
/// `PC2_GROUPS[g][v]` = packed subkey of a C‖D whose bits 7g+1..7g+7 are v, others zero.
pub(crate) static PC2_GROUPS: [[u64; 128]; 8] = build_pc2_groups();

const fn build_pc2_groups() -> [[u64; 128]; 8] {
    let mut t = [[0u64; 128]; 8];
    let mut g = 0;
    while g < 8 {
        let mut v = 0;
        while v < 128 {
            let cd = (v as u64) << (49 - 7 * g);
            t[g][v] = pack_subkey(permute(cd, 56, &PC2));
            v += 1;
        }
        g += 1;
    }
    t
}
