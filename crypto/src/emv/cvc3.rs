//! Mastercard CVC3 for contactless mag-stripe (PayPass M/Stripe): IVCVC3 from the track data,
//! then CVC3 from IVCVC3, the unpredictable number and the ATC. Facts as implemented by pyemv
//! (`pyemv/cvv.py`) and jPOS (`JCESecurityModule.calculateCVC3`), whose vectors we pass.

use super::cryptogram::ct_eq;
use crate::mac::mac_alg3_u64;
use crate::{Padding, Tdes};

/// IVCVC3: the rightmost 2 bytes of ISO/IEC 9797-1 MAC algorithm 3 (padding method 2) under the
/// ICC CVC3 key (KD-CVC3) over the track 1 or track 2 data template.
pub fn generate_ivcvc3(kd_cvc3: &Tdes, track_data: &[u8]) -> [u8; 2] {
    let mac = mac_alg3_u64(kd_cvc3, track_data, Padding::Method2);
    [(mac >> 8) as u8, mac as u8]
}

/// CVC3: the rightmost 2 bytes of TDES(KD-CVC3)\[IVCVC3 ‖ UN ‖ ATC\], as a number 0..=65535;
/// the card reports its rightmost 3-5 decimal digits (see [`format_cvc3`]).
#[inline]
pub fn generate_cvc3(kd_cvc3: &Tdes, ivcvc3: [u8; 2], un: [u8; 4], atc: [u8; 2]) -> u16 {
    let block = u64::from_be_bytes([ivcvc3[0], ivcvc3[1], un[0], un[1], un[2], un[3], atc[0], atc[1]]);
    kd_cvc3.encrypt_u64(block) as u16
}

/// The rightmost `digits` (1..=5) decimal digits of a CVC3, zero-padded ("%05d" then suffix).
pub fn format_cvc3(cvc3: u16, digits: usize) -> String {
    let full = format!("{cvc3:05}");
    full[5 - digits.clamp(1, 5)..].to_string()
}

/// Verifies a presented CVC3 of 1..=5 digits against the computed one (constant-time compare of
/// the digits).
pub fn verify_cvc3(kd_cvc3: &Tdes, ivcvc3: [u8; 2], un: [u8; 4], atc: [u8; 2], presented: &str) -> bool {
    if presented.is_empty() || presented.len() > 5 || !presented.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let expected = format_cvc3(generate_cvc3(kd_cvc3, ivcvc3, un, atc), presented.len());
    ct_eq(expected.as_bytes(), presented.as_bytes())
}
