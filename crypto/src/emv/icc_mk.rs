//! ICC master key derivation from an issuer master key (EMV 4.4 Book 2 Annex A1.4).

use sha1::{Digest, Sha1};

use super::digits::{check_pan, check_psn, pack_bcd, pan_psn_digits};
use crate::keys::with_odd_parity;
use crate::{Aes, CryptoError, Tdes};

/// Which Annex A1.4 method derives the ICC master key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IccMkDerivation {
    /// Option A (A1.4.1), TDES: Y = rightmost 16 digits of PAN ‖ PSN.
    OptionA,
    /// Option B (A1.4.2), TDES, for PANs longer than 16 digits (shorter PANs use Option A).
    OptionB,
    /// Option C (A1.4.3), AES: Y = PAN ‖ PSN left-padded with zeros to 16 bytes.
    OptionC,
}

/// Z_L ‖ Z_R with odd parity, from the 8-byte Y of Options A and B.
pub(crate) fn tdes_mk_from_y(imk: &Tdes, y: [u8; 8]) -> [u8; 16] {
    let y = u64::from_be_bytes(y);
    let (zl, zr) = imk.encrypt_u64_x2(y, !y);
    let mut mk = [0u8; 16];
    mk[..8].copy_from_slice(&zl.to_be_bytes());
    mk[8..].copy_from_slice(&zr.to_be_bytes());
    with_odd_parity(mk)
}

/// Option A (EMV Book 2 A1.4.1): Y = the rightmost 16 digits of PAN ‖ PSN (left-padded with
/// zeros if shorter), MK = TDES(IMK)\[Y\] ‖ TDES(IMK)\[Y ⊕ FF..FF\], odd parity adjusted.
pub fn derive_icc_mk_option_a(imk: &Tdes, pan: &str, psn: u8) -> Result<[u8; 16], CryptoError> {
    check_pan(pan)?;
    check_psn(psn)?;
    let digits: [u8; 16] = pan_psn_digits(pan, psn);
    let mut y = [0u8; 8];
    pack_bcd(&digits, &mut y);
    Ok(tdes_mk_from_y(imk, y))
}

/// Option B (EMV Book 2 A1.4.2): for a PAN of more than 16 digits, X = PAN ‖ PSN (with a
/// leading zero nibble if odd), Y = 16 decimal digits chosen from SHA-1(X): first its decimal
/// nibbles left to right, then, if fewer than 16, its nibbles A-F decimalised (A→0 ... F→5) left
/// to right; then as Option A. A PAN of 16 digits or fewer uses Option A.
pub fn derive_icc_mk_option_b(imk: &Tdes, pan: &str, psn: u8) -> Result<[u8; 16], CryptoError> {
    check_pan(pan)?;
    check_psn(psn)?;
    if pan.len() <= 16 {
        return derive_icc_mk_option_a(imk, pan, psn);
    }
    Ok(tdes_mk_from_y(imk, option_b_y(pan, psn)))
}

/// The Option B Y block for any PAN length (jPOS applies it to short PANs too for dCVV).
/// `pan` and `psn` must be validated.
pub(crate) fn option_b_y(pan: &str, psn: u8) -> [u8; 8] {
    let n = pan.len() + 2;
    let digits: [u8; 22] = pan_psn_digits(pan, psn); // right-justified: leading zero(s)
    let even = n + (n % 2);
    let mut x = [0u8; 11];
    pack_bcd(&digits[22 - even..], &mut x[..even / 2]);
    let hash = Sha1::digest(&x[..even / 2]);
    let nibbles = hash.iter().flat_map(|b| [b >> 4, b & 0xF]);
    let mut y_digits = [0u8; 16];
    let decimalised = nibbles.clone().filter(|&d| d < 10).chain(nibbles.filter(|&d| d >= 10).map(|d| d - 10));
    for (slot, nib) in y_digits.iter_mut().zip(decimalised) {
        *slot = b'0' + nib;
    }
    let mut y = [0u8; 8];
    pack_bcd(&y_digits, &mut y);
    y
}

/// Option C (EMV Book 2 A1.4.3), AES: Y = PAN ‖ PSN right-justified in 16 bytes (32 digits)
/// with leading zeros; MK = AES(IMK)\[Y\] for AES-128, and the leftmost key-length bytes of
/// AES(IMK)\[Y\] ‖ AES(IMK)\[Y ⊕ FF..FF\] for AES-192/256.
pub fn derive_icc_mk_option_c(imk: &Aes, pan: &str, psn: u8) -> Result<Vec<u8>, CryptoError> {
    check_pan(pan)?;
    check_psn(psn)?;
    let digits: [u8; 32] = pan_psn_digits(pan, psn);
    let mut y = [0u8; 16];
    pack_bcd(&digits, &mut y);
    let zl = imk.encrypt(y);
    if imk.key_len() == 16 {
        return Ok(zl.to_vec());
    }
    let zr = imk.encrypt(y.map(|b| !b));
    let mut mk = [zl, zr].concat();
    mk.truncate(imk.key_len());
    Ok(mk)
}
