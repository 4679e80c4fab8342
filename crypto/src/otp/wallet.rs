//! The numeric payment code a band shows for an offline wallet payment: 18 digits, a 2-digit
//! wallet prefix then a 16-digit body derived from a TOTP counter.
//!
//! **Prefixes (source, not re-checked here)**: the public merchant API documentation of the
//! wallets describes the customer's barcode (`auth_code`): WeChat Pay's micropay API says 18
//! digits starting 10-15; Alipay's `alipay.trade.pay` API says digits starting 25-30 (16-24
//! digits long; we produce the common 18-digit form).
//!
//! **Body (assumption)**: the wallets' real body algorithms are proprietary. tapcert models the
//! body as a TOTP-style value: HMAC(secret, T) with T = floor((time - T0)/X) as in RFC 6238 §4,
//! its first 8 bytes read big-endian, top bit cleared, reduced mod 10^16 (an RFC 4226-style
//! truncation widened to 16 digits). This is enough to exercise a device's display, refresh
//! timing and a verifier with a window; it does not reproduce any wallet's codes.

use super::Totp;
use crate::emv::ct_eq;
use crate::{CryptoError, HmacAlgorithm};

/// A wallet and its prefix range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wallet {
    /// Alipay: prefixes 25-30.
    Alipay,
    /// WeChat Pay: prefixes 10-15.
    WeChatPay,
}

impl Wallet {
    /// The accepted 2-digit prefixes.
    pub fn prefixes(self) -> core::ops::RangeInclusive<u8> {
        match self {
            Wallet::Alipay => 25..=30,
            Wallet::WeChatPay => 10..=15,
        }
    }

    /// The wallet a code's 2-digit prefix belongs to.
    pub fn from_prefix(prefix: u8) -> Option<Wallet> {
        [Wallet::Alipay, Wallet::WeChatPay].into_iter().find(|w| w.prefixes().contains(&prefix))
    }
}

/// Generator and verifier of 18-digit wallet payment codes.
#[derive(Debug, Clone)]
pub struct WalletCode {
    wallet: Wallet,
    prefix: u8,
    totp: Totp,
}

impl WalletCode {
    /// Total code length.
    pub const LEN: usize = 18;

    /// A code generator for `wallet` with one of its prefixes, HMAC-SHA-256 over the TOTP counter
    /// with time step `step` seconds and start `t0`.
    pub fn new(wallet: Wallet, prefix: u8, secret: &[u8], step: u64, t0: u64) -> Result<Self, CryptoError> {
        if !wallet.prefixes().contains(&prefix) {
            return Err(CryptoError::OutOfRange {
                parameter: "wallet prefix",
                expected: match wallet {
                    Wallet::Alipay => "25..=30 for Alipay",
                    Wallet::WeChatPay => "10..=15 for WeChat Pay",
                },
                got: u64::from(prefix),
            });
        }
        Ok(WalletCode { wallet, prefix, totp: Totp::new(HmacAlgorithm::Sha256, secret, 6, step, t0)? })
    }

    /// The wallet.
    pub fn wallet(&self) -> Wallet {
        self.wallet
    }

    fn body_at_counter(&self, t: u64) -> u64 {
        let mut mac = [0u8; 64];
        self.totp.key().mac_into(&t.to_be_bytes(), &mut mac);
        let v = u64::from_be_bytes([mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mac[6], mac[7]]);
        (v & 0x7FFF_FFFF_FFFF_FFFF) % 10_000_000_000_000_000
    }

    /// The code at counter value `t`.
    pub fn generate_at_counter(&self, t: u64) -> String {
        format!("{:02}{:016}", self.prefix, self.body_at_counter(t))
    }

    /// The code at `unix_time`.
    pub fn generate(&self, unix_time: u64) -> String {
        self.generate_at_counter(self.totp.counter_at(unix_time))
    }

    /// Verifies a presented code at `unix_time` within ±`window` steps: it must be 18 digits with
    /// this generator's prefix. Returns the matching step offset.
    pub fn verify(&self, code: &str, unix_time: u64, window: u32) -> Option<i64> {
        if code.len() != Self::LEN || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let t = self.totp.counter_at(unix_time);
        let w = i64::from(window);
        let mut found = None;
        for d in -w..=w {
            let Some(c) = t.checked_add_signed(d) else { continue };
            if ct_eq(self.generate_at_counter(c).as_bytes(), code.as_bytes())
                && found.is_none_or(|f: i64| d.abs() < f.abs())
            {
                found = Some(d);
            }
        }
        found
    }
}
