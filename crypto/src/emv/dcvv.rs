//! Visa dCVV (dynamic CVV for contactless mag-stripe) as jPOS implements it
//! (`JCESecurityModule.calculatedCVV`): the Visa CVV algorithm under the ICC master key, with
//! the ATC replacing the first four PAN digits.

use super::cryptogram::ct_eq;
use super::derive_icc_mk_option_a;
use super::digits::{check_digits, check_pan};
use super::icc_mk::{IccMkDerivation, option_b_y, tdes_mk_from_y};
use crate::{CryptoError, Tdes};

/// Visa decimalisation: the decimal nibbles of `block` left to right, then its nibbles A-F
/// mapped to 0-5, left to right. Returns up to 16 digits (ASCII).
fn decimalise_visa(block: [u8; 8]) -> [u8; 16] {
    let nibbles = block.iter().flat_map(|b| [b >> 4, b & 0xF]);
    let mut out = [0u8; 16];
    for (o, d) in
        out.iter_mut().zip(nibbles.clone().filter(|&d| d < 10).chain(nibbles.filter(|&d| d >= 10).map(|d| d - 10)))
    {
        *o = b'0' + d;
    }
    out
}

/// The Visa CVV algorithm (Visa PIN and CVV procedures; as in jPOS `calculateCVD`): the
/// hex-digit string `data` (account digits ‖ expiry ‖ service code) right-padded with zeros to
/// 32 digits; B1, B2 its halves; result = TDES(K)[DES(K_L)\[B1\] ⊕ B2], Visa-decimalised, first
/// three digits.
pub fn generate_visa_cvv(cvk: &Tdes, data: &str) -> Result<String, CryptoError> {
    if let Some((offset, found)) = data.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(CryptoError::NotDecimal { field: "CVV data", offset, found });
    }
    if data.len() > 32 {
        return Err(CryptoError::FieldLength { field: "CVV data", expected: "at most 32 digits", got: data.len() });
    }
    let mut digits = [b'0'; 32];
    digits[..data.len()].copy_from_slice(data.as_bytes());
    let mut block = [0u8; 16];
    for (o, pair) in block.iter_mut().zip(digits.chunks_exact(2)) {
        let nib = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        *o = (nib(pair[0]) << 4) | nib(pair[1]);
    }
    let b1 = u64::from_be_bytes(block[..8].try_into().unwrap_or([0; 8]));
    let b2 = u64::from_be_bytes(block[8..].try_into().unwrap_or([0; 8]));
    let x = cvk.k1().encrypt_u64(b1) ^ b2;
    let y = cvk.encrypt_u64(x).to_be_bytes();
    let dec = decimalise_visa(y);
    Ok(String::from_utf8_lossy(&dec[..3]).into_owned())
}

/// Visa dCVV (jPOS algorithm): ICC MK = Option A or B of (PAN, PSN 00) under IMK-AC (Option B is
/// applied even to PANs of 16 digits or fewer, as jPOS does); data = hex(ATC) ‖ PAN without its
/// first 4 digits ‖ expiry (YYMM) ‖ service code; then [`generate_visa_cvv`] under the ICC MK.
pub fn generate_dcvv(
    imk_ac: &Tdes,
    pan: &str,
    expiry_yymm: &str,
    service_code: &str,
    atc: [u8; 2],
    derivation: IccMkDerivation,
) -> Result<String, CryptoError> {
    check_pan(pan)?;
    check_digits("expiry", expiry_yymm, 4, 4, "4 digits (YYMM)")?;
    check_digits("service code", service_code, 3, 3, "3 digits")?;
    let mk = match derivation {
        IccMkDerivation::OptionA => derive_icc_mk_option_a(imk_ac, pan, 0)?,
        IccMkDerivation::OptionB => tdes_mk_from_y(imk_ac, option_b_y(pan, 0)),
        IccMkDerivation::OptionC => {
            return Err(CryptoError::Unsupported { operation: "dCVV", algorithm: "AES (Option C)" });
        }
    };
    let data = format!("{:02X}{:02X}{}{}{}", atc[0], atc[1], &pan[4..], expiry_yymm, service_code);
    generate_visa_cvv(&Tdes::new_2key(&mk), &data)
}

/// Verifies a presented dCVV (constant-time comparison).
pub fn verify_dcvv(
    imk_ac: &Tdes,
    pan: &str,
    expiry_yymm: &str,
    service_code: &str,
    atc: [u8; 2],
    derivation: IccMkDerivation,
    presented: &str,
) -> Result<bool, CryptoError> {
    let expected = generate_dcvv(imk_ac, pan, expiry_yymm, service_code, atc, derivation)?;
    Ok(ct_eq(expected.as_bytes(), presented.as_bytes()))
}
