//! Numeric wallet payment codes: the one-time codes a phone or band shows as a barcode/QR for
//! the merchant to scan (consumer-presented, not EMVCo). Only the leading digits and the length
//! identify the wallet; each rule below names where it comes from.
//!
//! | wallet | rule | source |
//! |---|---|---|
//! | WeChat Pay | 18 digits, starts 10-15 | WeChat Pay merchant API, micropay `auth_code` field ("用户付款码条形码规则：18位纯数字，以10、11、12、13、14、15开头"), pay.weixin.qq.com/wiki/doc/api/micropay.php |
//! | Alipay | 16-24 digits, starts 25-30 | Alipay+ docs, "Alipay+ payment codes": AlipayCN code 16-24 digits, AlipayHK 17-19, both start with 25-30 (docs.alipayplus.com) |
//! | UnionPay (QuickPass) | 19 digits, starts 62 | ASSUMPTION: stated by public payment-aggregator API docs ("银联二维码：以62开头长度19位数字"); the UnionPay specification is not public |
//!
//! Anything else made of 16-24 digits is recognised as a payment code of an unknown wallet:
//! [`validate_wallet_code`] notes it as `QR.WALLET.UNKNOWN`, an info finding (tapcert does not
//! know the wallet; the code breaks no rule).

use super::WalletCodeError;
use crate::{Finding, Location, Severity};

/// A wallet a payment code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wallet {
    /// WeChat Pay (Weixin Pay).
    WeChatPay,
    /// Alipay (mainland and Hong Kong).
    Alipay,
    /// UnionPay QuickPass (云闪付).
    UnionPay,
}

impl Wallet {
    /// Short name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Wallet::WeChatPay => "wechat-pay",
            Wallet::Alipay => "alipay",
            Wallet::UnionPay => "unionpay",
        }
    }
}

/// A classified payment code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletCode<'a> {
    /// The digits.
    pub code: &'a str,
    /// The wallet, when a rule matched.
    pub wallet: Option<Wallet>,
    /// The rule that matched (or why none did), with its source.
    pub rule: &'static str,
}

/// Classifies a numeric payment code by its length and leading digits.
///
/// ```
/// use tapcert_parsers::qr::{classify_wallet_code, Wallet, WalletCodeError};
/// assert_eq!(classify_wallet_code("134567890123456789").unwrap().wallet, Some(Wallet::WeChatPay));
/// assert_eq!(classify_wallet_code("284567890123456789").unwrap().wallet, Some(Wallet::Alipay));
/// assert_eq!(classify_wallet_code("6234567890123456789").unwrap().wallet, Some(Wallet::UnionPay));
/// assert_eq!(classify_wallet_code("994567890123456789").unwrap().wallet, None);
/// assert_eq!(classify_wallet_code("13456789012345678x"), Err(WalletCodeError::NonDigit { offset: 17 }));
/// ```
pub fn classify_wallet_code(code: &str) -> Result<WalletCode<'_>, WalletCodeError> {
    if let Some(offset) = code.chars().position(|c| !c.is_ascii_digit()) {
        return Err(WalletCodeError::NonDigit { offset });
    }
    let len = code.len();
    if !(16..=24).contains(&len) {
        return Err(WalletCodeError::BadLength { len });
    }
    let prefix: u8 = code[..2].parse().unwrap_or(0);
    let (wallet, rule) = match (prefix, len) {
        (10..=15, 18) => (Some(Wallet::WeChatPay), "WeChat Pay: 18 digits starting 10-15 (micropay auth_code rule)"),
        (25..=30, 16..=24) => {
            (Some(Wallet::Alipay), "Alipay: 16-24 digits starting 25-30 (Alipay+ payment code rules)")
        }
        (62, 19) => {
            (Some(Wallet::UnionPay), "UnionPay: 19 digits starting 62 (assumption from public aggregator docs)")
        }
        _ => (None, "no known wallet uses this prefix and length"),
    };
    Ok(WalletCode { code, wallet, rule })
}

/// The findings on a classified code: `QR.WALLET.UNKNOWN` (info) when no wallet's rule matched.
///
/// ```
/// use tapcert_parsers::qr::{classify_wallet_code, validate_wallet_code};
/// use tapcert_parsers::Severity;
/// assert!(validate_wallet_code(&classify_wallet_code("134567890123456789").unwrap()).is_empty());
/// let f = validate_wallet_code(&classify_wallet_code("994567890123456789").unwrap());
/// assert_eq!((&*f[0].rule, f[0].severity, f[0].is_violation()), ("QR.WALLET.UNKNOWN", Severity::Info, false));
/// ```
pub fn validate_wallet_code(code: &WalletCode<'_>) -> Vec<Finding> {
    match code.wallet {
        Some(_) => Vec::new(),
        None => vec![Finding::new("QR.WALLET.UNKNOWN", Severity::Info, Location::char(0), code.rule)],
    }
}
