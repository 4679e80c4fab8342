//! Which kind of QR payment payload a text is, before any decoding: the decision `tapcert decode
//! qr` and a certification report both make.
//!
//! In order: a `upi://` link; a numeric wallet payment code (digits only, not starting with the
//! MPM header `000201`); an EMVCo CPM payload (base64 whose first decoded byte is `85`, the
//! payload format indicator); an EMVCo MPM payload (text starting with two digits, an ID).

use super::cpm::{TAG_PAYLOAD_FORMAT_INDICATOR, decode_qr_cpm_base64};

/// The kinds of QR payment payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrPayloadKind {
    /// EMVCo Merchant-Presented Mode text.
    Mpm,
    /// EMVCo Consumer-Presented Mode (base64 of BER-TLV).
    Cpm,
    /// An NPCI UPI deep link.
    UpiLink,
    /// A numeric wallet payment code.
    WalletCode,
}

impl QrPayloadKind {
    /// The name used in JSON (`"kind"`).
    pub fn as_str(self) -> &'static str {
        match self {
            QrPayloadKind::Mpm => "emvco-mpm",
            QrPayloadKind::Cpm => "emvco-cpm",
            QrPayloadKind::UpiLink => "upi-link",
            QrPayloadKind::WalletCode => "wallet-code",
        }
    }
}

/// Classifies payload text (without surrounding whitespace); `None` when it looks like none
/// of the kinds.
///
/// ```
/// use tapcert_parsers::qr::{classify_qr_payload, QrPayloadKind};
/// assert_eq!(classify_qr_payload("upi://pay?pa=shop@npci"), Some(QrPayloadKind::UpiLink));
/// assert_eq!(classify_qr_payload("134567890123456789"), Some(QrPayloadKind::WalletCode));
/// assert_eq!(classify_qr_payload("hQVDUFYwMQ=="), Some(QrPayloadKind::Cpm));
/// assert_eq!(classify_qr_payload("000201010211"), Some(QrPayloadKind::Mpm));
/// assert_eq!(classify_qr_payload("hello"), None);
/// ```
pub fn classify_qr_payload(text: &str) -> Option<QrPayloadKind> {
    if text.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("upi:")) {
        return Some(QrPayloadKind::UpiLink);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with("000201") {
        return Some(QrPayloadKind::WalletCode);
    }
    if decode_qr_cpm_base64(text).is_ok_and(|b| b.first() == Some(&(TAG_PAYLOAD_FORMAT_INDICATOR.0 as u8))) {
        return Some(QrPayloadKind::Cpm);
    }
    if text.as_bytes().get(..2).is_some_and(|b| b.iter().all(u8::is_ascii_digit)) {
        return Some(QrPayloadKind::Mpm);
    }
    None
}
