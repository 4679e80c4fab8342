//! One-time payment codes: HOTP (RFC 4226), TOTP (RFC 6238) and the numeric wallet payment
//! code a band shows on its display ([`WalletCode`]).

mod wallet;

pub use wallet::{Wallet, WalletCode};

use crate::emv::ct_eq;
use crate::{CryptoError, HmacAlgorithm, HmacKey};

const POW10: [u64; 11] =
    [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000];

fn check_otp_digits(digits: u32) -> Result<(), CryptoError> {
    if !(6..=10).contains(&digits) {
        return Err(CryptoError::OutOfRange { parameter: "digits", expected: "6..=10", got: u64::from(digits) });
    }
    Ok(())
}

/// RFC 4226 §5.3 dynamic truncation: the 31-bit value at the offset given by the low nibble of
/// the last MAC byte.
#[inline]
fn dynamic_truncation(mac: &[u8]) -> u32 {
    let off = usize::from(mac[mac.len() - 1] & 0x0F);
    u32::from_be_bytes([mac[off], mac[off + 1], mac[off + 2], mac[off + 3]]) & 0x7FFF_FFFF
}

/// The HOTP value (RFC 4226 §5.3) as a number: truncate(HMAC(K, C)) mod 10^digits. With 10
/// digits the 31-bit value is used whole, as the RFC 6238 reference code does.
#[inline]
pub fn hotp_value(key: &HmacKey, counter: u64, digits: u32) -> u64 {
    let mut mac = [0u8; 64];
    let n = key.mac_into(&counter.to_be_bytes(), &mut mac);
    u64::from(dynamic_truncation(&mac[..n])) % POW10[digits.clamp(1, 10) as usize]
}

/// HOTP (RFC 4226 §5.3): the zero-padded decimal code for `counter`, 6 to 10 digits.
pub fn hotp(key: &HmacKey, counter: u64, digits: u32) -> Result<String, CryptoError> {
    check_otp_digits(digits)?;
    Ok(format!("{:0width$}", hotp_value(key, counter, digits), width = digits as usize))
}

/// TOTP parameters (RFC 6238 §4): HMAC key and hash, digits, time step X and start time T0.
#[derive(Debug, Clone)]
pub struct Totp {
    key: HmacKey,
    digits: u32,
    step: u64,
    t0: u64,
}

impl Totp {
    /// Builds a TOTP generator; `digits` in 6..=10, `step` (seconds) at least 1.
    pub fn new(algorithm: HmacAlgorithm, secret: &[u8], digits: u32, step: u64, t0: u64) -> Result<Self, CryptoError> {
        check_otp_digits(digits)?;
        if step == 0 {
            return Err(CryptoError::OutOfRange { parameter: "step", expected: ">= 1 second", got: 0 });
        }
        Ok(Totp { key: HmacKey::new(algorithm, secret), digits, step, t0 })
    }

    /// The RFC 6238 defaults: 30-second step, T0 = 0.
    pub fn rfc6238(algorithm: HmacAlgorithm, secret: &[u8], digits: u32) -> Result<Self, CryptoError> {
        Totp::new(algorithm, secret, digits, 30, 0)
    }

    /// The time counter T = floor((time - T0) / X) (0 before T0).
    pub fn counter_at(&self, unix_time: u64) -> u64 {
        unix_time.saturating_sub(self.t0) / self.step
    }

    /// Number of digits.
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// The HMAC key (for callers that derive more from the same counter).
    pub(crate) fn key(&self) -> &HmacKey {
        &self.key
    }

    /// The code at counter value `t`, as a number below 10^digits.
    #[inline]
    pub fn value_at_counter(&self, t: u64) -> u64 {
        hotp_value(&self.key, t, self.digits)
    }

    /// The code at counter value `t`.
    #[inline]
    pub fn generate_at_counter(&self, t: u64) -> String {
        format!("{:0width$}", hotp_value(&self.key, t, self.digits), width = self.digits as usize)
    }

    /// The code at `unix_time` (seconds).
    pub fn generate(&self, unix_time: u64) -> String {
        self.generate_at_counter(self.counter_at(unix_time))
    }

    /// Verifies `code` at `unix_time`, accepting counters within ±`window` steps (RFC 6238 §5.2
    /// resynchronisation). Returns the step offset that matched (0 = current), or None.
    pub fn verify(&self, code: &str, unix_time: u64, window: u32) -> Option<i64> {
        if code.len() != self.digits as usize {
            return None;
        }
        let t = self.counter_at(unix_time);
        let w = i64::from(window);
        // every step in the window is computed (no early exit), the nearest match wins
        let mut found: Option<i64> = None;
        for d in -w..=w {
            let Some(c) = t.checked_add_signed(d) else { continue };
            if ct_eq(self.generate_at_counter(c).as_bytes(), code.as_bytes()) && found.is_none_or(|f| d.abs() < f.abs())
            {
                found = Some(d);
            }
        }
        found
    }
}
