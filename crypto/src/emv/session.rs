//! Session key derivation: EMV Common Session Key (EMV 4.4 Book 2 Annex A1.3), the Mastercard
//! SKD diversification value, and the Visa secure-messaging key (MK ⊕ ATC).

use crate::keys::with_odd_parity;
use crate::{Aes, CryptoError, Tdes};

/// The 8-byte diversification value R of the EMV CSK for cryptograms: ATC ‖ 00..00
/// (EMV Book 2 A1.3.1 with R = ATC padded; Visa CVN 18/22, Mastercard CVN 20/21).
pub fn emv_csk_r(atc: [u8; 2]) -> [u8; 8] {
    [atc[0], atc[1], 0, 0, 0, 0, 0, 0]
}

/// The Mastercard SKD diversification value R = ATC ‖ 00 00 ‖ UN (M/Chip 4 session key
/// derivation, Mastercard CVN 16/17), used with the EMV CSK function.
pub fn mastercard_skd_r(atc: [u8; 2], un: [u8; 4]) -> [u8; 8] {
    [atc[0], atc[1], 0, 0, un[0], un[1], un[2], un[3]]
}

/// EMV Common Session Key derivation for TDES (EMV Book 2 A1.3.1): F1 = R0 R1 F0 R3..R7,
/// F2 = R0 R1 0F R3..R7, SK = TDES(MK)\[F1\] ‖ TDES(MK)\[F2\], odd parity adjusted.
#[inline]
pub fn derive_session_key_emv_csk(mk: &Tdes, r: [u8; 8]) -> [u8; 16] {
    let r = u64::from_be_bytes(r) & !0x0000_FF00_0000_0000;
    let f1 = r | 0x0000_F000_0000_0000;
    let f2 = r | 0x0000_0F00_0000_0000;
    let (zl, zr) = mk.encrypt_u64_x2(f1, f2);
    let mut sk = [0u8; 16];
    sk[..8].copy_from_slice(&zl.to_be_bytes());
    sk[8..].copy_from_slice(&zr.to_be_bytes());
    with_odd_parity(sk)
}

/// [`derive_session_key_emv_csk`] straight to a key schedule, skipping the parity adjustment
/// (DES ignores parity bits, so the schedule is the same).
#[inline]
pub(crate) fn emv_csk_schedule(mk: &Tdes, r: [u8; 8]) -> Tdes {
    let r = u64::from_be_bytes(r) & !0x0000_FF00_0000_0000;
    let (zl, zr) = mk.encrypt_u64_x2(r | 0x0000_F000_0000_0000, r | 0x0000_0F00_0000_0000);
    Tdes::from_u64_pair(zl, zr)
}

/// The 16-byte R of the AES EMV CSK for cryptograms: ATC ‖ 00 (14 bytes).
pub fn emv_csk_r_aes(atc: [u8; 2]) -> [u8; 16] {
    let mut r = [0u8; 16];
    r[..2].copy_from_slice(&atc);
    r
}

/// EMV Common Session Key derivation for AES (EMV Book 2 A1.3.1): AES-128: SK = AES(MK)\[R\];
/// AES-192/256: F1 = R0 R1 F0 R3..R15, F2 = R0 R1 0F R3..R15, SK = the leftmost key-length
/// bytes of AES(MK)\[F1\] ‖ AES(MK)\[F2\].
pub fn derive_session_key_emv_csk_aes(mk: &Aes, r: [u8; 16]) -> Vec<u8> {
    if mk.key_len() == 16 {
        return mk.encrypt(r).to_vec();
    }
    let mut f1 = r;
    f1[2] = 0xF0;
    let mut f2 = r;
    f2[2] = 0x0F;
    let mut sk = [mk.encrypt(f1), mk.encrypt(f2)].concat();
    sk.truncate(mk.key_len());
    sk
}

/// Visa secure-messaging session key (Visa CVN 10/18): the ATC XORed into the rightmost two
/// bytes of the left half of the ICC MK and the complemented ATC into those of the right half,
/// odd parity adjusted.
pub fn derive_session_key_visa_sm(mk: &[u8; 16], atc: [u8; 2]) -> [u8; 16] {
    let mut sk = *mk;
    sk[6] ^= atc[0];
    sk[7] ^= atc[1];
    sk[14] ^= !atc[0];
    sk[15] ^= !atc[1];
    with_odd_parity(sk)
}

/// The EMV2000 tree's mapping F(X, Y, j) = DES3(X)\[Y_L ⊕ (j mod b)\] ‖ DES3(X)\[Y_R ⊕ (j mod b) ⊕ 'F0'\]
/// (EMV 4.1 Book 2 Annex A1.3.1), on 16-byte keys held as two big-endian u64 halves.
fn tree_f(x: (u64, u64), y: (u64, u64), j_mod_b: u64) -> (u64, u64) {
    let key = Tdes::from_u64_pair(x.0, x.1);
    key.encrypt_u64_x2(y.0 ^ j_mod_b, y.1 ^ j_mod_b ^ 0xF0)
}

/// Legacy EMV2000 tree session key derivation (EMV 4.1 Book 2 Annex A1.3; replaced by the
/// common session key derivation in 2005, EMVCo bulletin SU-46, and still met on old cards).
///
/// Intermediate keys form a tree of height `height` and branching factor `branch_factor` with
/// the ICC MK at the root and `iv` above it: IK(h, j) = F(IK(h-1, j div b), IK(h-2, j div b²), j).
/// The session key for the ATC is F(IK(H-1, ATC div b), IK(H-2, ATC div b²), ATC) ⊕ IK(H-2, ATC
/// div b²), odd parity adjusted. The specification recommends H = 8, b = 4 (or H = 16, b = 2);
/// b^H must cover every ATC (at least 65535).
pub fn derive_session_key_emv2000_tree(
    mk: &[u8; 16],
    atc: [u8; 2],
    height: u32,
    branch_factor: u32,
    iv: &[u8; 16],
) -> Result<[u8; 16], CryptoError> {
    if !(2..=16).contains(&branch_factor) {
        return Err(CryptoError::OutOfRange {
            parameter: "branch factor",
            expected: "2..=16",
            got: u64::from(branch_factor),
        });
    }
    if !(1..=32).contains(&height) || u64::from(branch_factor).saturating_pow(height) < 65_535 {
        return Err(CryptoError::OutOfRange {
            parameter: "tree height",
            expected: "1..=32 with branch_factor^height >= 65535",
            got: u64::from(height),
        });
    }
    let halves = |k: &[u8; 16]| {
        let (l, r) = k.split_at(8);
        (u64::from_be_bytes(l.try_into().unwrap_or([0; 8])), u64::from_be_bytes(r.try_into().unwrap_or([0; 8])))
    };
    let (b, atc) = (u64::from(branch_factor), u64::from(u16::from_be_bytes(atc)));
    // node index at level h is ATC div b^(H-h); walk down from the root
    let index = |h: u32| atc / b.saturating_pow(height - h);
    let (mut grandparent, mut parent) = (halves(iv), halves(mk));
    for h in 1..height {
        let ik = tree_f(parent, grandparent, index(h) % b);
        (grandparent, parent) = (parent, ik);
    }
    let (l, r) = tree_f(parent, grandparent, atc % b);
    let mut sk = [0u8; 16];
    sk[..8].copy_from_slice(&(l ^ grandparent.0).to_be_bytes());
    sk[8..].copy_from_slice(&(r ^ grandparent.1).to_be_bytes());
    Ok(with_odd_parity(sk))
}
