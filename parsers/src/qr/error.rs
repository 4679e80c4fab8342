//! Errors of the QR payload parsers, one enum per format. Offsets in [`QrError`] and
//! [`UpiLinkError`] count CHARACTERS from the start of the text (EMVCo MPM lengths count
//! characters, so a byte offset would point into the middle of a Chinese merchant name);
//! offsets in [`CpmError`] count characters of the base64 text or bytes of the decoded TLV, as
//! each variant says.

use nom::error::ErrorKind;
use thiserror::Error;

use crate::compose::{OffsetError, nom_error_traits};

use crate::tlv::TlvError;

/// Why text was rejected as an EMVCo Merchant-Presented Mode payload (grammar only: broken
/// rules that leave the structure readable are validator findings, not errors).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrError {
    /// The text is empty.
    #[error("empty payload: expected an ID, a length and a value")]
    Empty,
    /// Fewer than 4 characters left where a 2-digit ID and a 2-digit length were expected.
    #[error(
        "truncated object header at character {offset}: expected a 2-digit ID and a 2-digit length, {available} character(s) left"
    )]
    TruncatedHeader {
        /// Character offset where the ID should start.
        offset: usize,
        /// Characters left in the payload (or in the enclosing template).
        available: usize,
    },
    /// The ID is not two ASCII digits.
    #[error("ID at character {offset} is {found:?}: expected two digits 00-99")]
    NonDigitId {
        /// Character offset of the ID.
        offset: usize,
        /// The two characters found.
        found: String,
    },
    /// The length is not two ASCII digits.
    #[error("length at character {offset} is {found:?}: expected two digits 00-99")]
    BadLength {
        /// Character offset of the length field.
        offset: usize,
        /// The two characters found.
        found: String,
    },
    /// A top-level value runs past the end of the payload.
    #[error("object at character {offset} declares {declared} character(s) but only {available} remain")]
    Truncated {
        /// Character offset of the object's ID.
        offset: usize,
        /// Declared value length in characters.
        declared: usize,
        /// Characters left after the length field.
        available: usize,
    },
    /// A value inside a template runs past the end of the template.
    #[error(
        "object at character {offset} declares {declared} character(s) but its template (character {template_offset}) has only {available} left"
    )]
    ExceedsTemplate {
        /// Character offset of the object's ID.
        offset: usize,
        /// Declared value length in characters.
        declared: usize,
        /// Characters left in the template after the length field.
        available: usize,
        /// Character offset of the enclosing template's ID.
        template_offset: usize,
    },
    /// One of nom's own combinators failed around [`crate::qr::parse_qr_mpm_object`] (a
    /// composition).
    #[error("nom {kind:?} failed with {remaining} character(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Characters left where it failed.
        remaining: usize,
    },
}

nom_error_traits!(QrError, &'a str, |s: &str| s.chars().count());

impl QrError {
    /// The character offset the error refers to (0 for an empty payload and for `Nom`).
    pub fn offset(&self) -> usize {
        match *self {
            QrError::Empty | QrError::Nom { .. } => 0,
            QrError::TruncatedHeader { offset, .. }
            | QrError::NonDigitId { offset, .. }
            | QrError::BadLength { offset, .. }
            | QrError::Truncated { offset, .. }
            | QrError::ExceedsTemplate { offset, .. } => offset,
        }
    }
}

/// Offsets move by characters (the unit of every [`QrError`] offset).
impl OffsetError for QrError {
    fn shifted(self, by: usize) -> Self {
        match self {
            QrError::TruncatedHeader { offset, available } => {
                QrError::TruncatedHeader { offset: offset + by, available }
            }
            QrError::NonDigitId { offset, found } => QrError::NonDigitId { offset: offset + by, found },
            QrError::BadLength { offset, found } => QrError::BadLength { offset: offset + by, found },
            QrError::Truncated { offset, declared, available } => {
                QrError::Truncated { offset: offset + by, declared, available }
            }
            QrError::ExceedsTemplate { offset, declared, available, template_offset } => QrError::ExceedsTemplate {
                offset: offset + by,
                declared,
                available,
                template_offset: template_offset + by,
            },
            e @ (QrError::Empty | QrError::Nom { .. }) => e,
        }
    }
}

/// Why text was rejected as an EMVCo Consumer-Presented Mode payload.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CpmError {
    /// The text is not standard base64 with padding (RFC 4648 §4).
    #[error("invalid base64 at character {offset}: {reason}")]
    Base64 {
        /// Character offset of the fault in the base64 text.
        offset: usize,
        /// What was wrong.
        reason: String,
    },
    /// The decoded bytes are not BER-TLV (the offset is a byte offset into the decoded bytes).
    #[error("decoded bytes are not BER-TLV: {0}")]
    Tlv(#[from] TlvError),
    /// The decoded bytes are empty.
    #[error("empty payload: expected 85 'CPV01' and application templates")]
    Empty,
    /// One of nom's own combinators failed around [`crate::qr::parse_qr_cpm_base64`] or
    /// [`crate::qr::parse_qr_cpm_payload`] (a composition).
    #[error("nom {kind:?} failed with {remaining} byte(s) or character(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// What was left where it failed: bytes of a decoded payload, characters of base64 text.
        remaining: usize,
    },
}

nom_error_traits!(CpmError, &'a [u8], |b: &[u8]| b.len());
nom_error_traits!(CpmError, &'a str, |s: &str| s.chars().count());

/// Offsets move by the unit of each variant: characters of the base64 text, bytes of the
/// decoded payload.
impl OffsetError for CpmError {
    fn shifted(self, by: usize) -> Self {
        match self {
            CpmError::Base64 { offset, reason } => CpmError::Base64 { offset: offset + by, reason },
            CpmError::Tlv(e) => CpmError::Tlv(e.shifted(by)),
            e @ (CpmError::Empty | CpmError::Nom { .. }) => e,
        }
    }
}

impl CpmError {
    /// The offset the error refers to: characters of the base64 text for [`CpmError::Base64`],
    /// bytes of the decoded payload for [`CpmError::Tlv`].
    pub fn offset(&self) -> usize {
        match self {
            CpmError::Base64 { offset, .. } => *offset,
            CpmError::Tlv(e) => e.offset(),
            CpmError::Empty | CpmError::Nom { .. } => 0,
        }
    }
}

/// Why text was rejected as a UPI deep link.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpiLinkError {
    /// The text does not start with `upi://`.
    #[error("not a UPI link: expected the scheme upi://")]
    NotUpiLink,
    /// No `?` separates the verb (`pay`) from the parameters.
    #[error("no query at character {offset}: expected upi://VERB?key=value&...")]
    MissingQuery {
        /// Character offset of the end of the text.
        offset: usize,
    },
    /// A parameter without `=`.
    #[error("parameter at character {offset} has no '=': expected key=value")]
    MissingEquals {
        /// Character offset of the parameter.
        offset: usize,
    },
    /// A `%` not followed by two hex digits.
    #[error("bad percent-escape at character {offset}: expected %XX with two hex digits")]
    BadEscape {
        /// Character offset of the `%`.
        offset: usize,
    },
    /// Percent-decoding produced bytes that are not UTF-8.
    #[error("parameter at character {offset} does not decode to UTF-8")]
    NotUtf8 {
        /// Character offset of the parameter.
        offset: usize,
    },
}

impl UpiLinkError {
    /// The character offset the error refers to.
    pub fn offset(&self) -> usize {
        match *self {
            UpiLinkError::NotUpiLink => 0,
            UpiLinkError::MissingQuery { offset }
            | UpiLinkError::MissingEquals { offset }
            | UpiLinkError::BadEscape { offset }
            | UpiLinkError::NotUtf8 { offset } => offset,
        }
    }
}

/// Why text was rejected as a numeric wallet payment code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WalletCodeError {
    /// A character that is not an ASCII digit.
    #[error("character {offset} is not a digit: payment codes are all digits")]
    NonDigit {
        /// Character offset of the first non-digit.
        offset: usize,
    },
    /// Shorter or longer than any known payment code (16 to 24 digits).
    #[error("{len} digit(s): payment codes have 16 to 24")]
    BadLength {
        /// Digits found.
        len: usize,
    },
}

impl WalletCodeError {
    /// The character offset the error refers to.
    pub fn offset(&self) -> usize {
        match *self {
            WalletCodeError::NonDigit { offset } => offset,
            WalletCodeError::BadLength { len } => len,
        }
    }
}

/// Why typed values could not be encoded as a payload.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrEncodeError {
    /// An ID above 99.
    #[error("ID {id} is not two digits")]
    BadId {
        /// The ID given.
        id: u8,
    },
    /// A value (or a template's encoded children) longer than 99 characters.
    #[error("value of ID {id:02} is {chars} characters: at most 99 fit a 2-digit length")]
    ValueTooLong {
        /// The ID whose value is too long.
        id: u8,
        /// Its length in characters.
        chars: usize,
    },
    /// A CRC object (63) that is not the last top-level object.
    #[error("ID 63 (CRC) must be the last object")]
    CrcNotLast,
}
