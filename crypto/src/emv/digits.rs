//! Decimal-digit fields (PAN, PSN) and their BCD packing.

use crate::CryptoError;

/// Checks that `s` is 1..=`max` decimal digits.
pub(crate) fn check_digits(
    field: &'static str,
    s: &str,
    min: usize,
    max: usize,
    expected: &'static str,
) -> Result<(), CryptoError> {
    if let Some((offset, found)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(CryptoError::NotDecimal { field, offset, found });
    }
    if s.len() < min || s.len() > max {
        return Err(CryptoError::FieldLength { field, expected, got: s.len() });
    }
    Ok(())
}

/// Validates a PAN (EMV tag 5A: up to 19 digits; we accept 8..=19).
pub(crate) fn check_pan(pan: &str) -> Result<(), CryptoError> {
    check_digits("PAN", pan, 8, 19, "8 to 19 digits")
}

/// Validates a PAN sequence number (tag 5F34, n2: 0..=99).
pub(crate) fn check_psn(psn: u8) -> Result<(), CryptoError> {
    if psn > 99 {
        return Err(CryptoError::OutOfRange { parameter: "PSN", expected: "0..=99", got: u64::from(psn) });
    }
    Ok(())
}

/// Packs ASCII digits (already validated, even count) into BCD bytes.
pub(crate) fn pack_bcd(digits: &[u8], out: &mut [u8]) {
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *o = ((pair[0] - b'0') << 4) | (pair[1] - b'0');
    }
}

/// PAN ‖ PSN as ASCII digits, right-justified in `N` digits with leading zeros, keeping the
/// rightmost `N` digits when longer.
pub(crate) fn pan_psn_digits<const N: usize>(pan: &str, psn: u8) -> [u8; N] {
    let mut all = [b'0'; 21];
    let n = pan.len() + 2;
    all[..pan.len()].copy_from_slice(pan.as_bytes());
    all[pan.len()] = b'0' + psn / 10;
    all[pan.len() + 1] = b'0' + psn % 10;
    let mut out = [b'0'; N];
    if n >= N {
        out.copy_from_slice(&all[n - N..n]);
    } else {
        out[N - n..].copy_from_slice(&all[..n]);
    }
    out
}
