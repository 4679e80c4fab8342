//! Errors of the APDU parsers, encoders and chaining helpers. Parse errors carry the byte
//! offset (from the start of the APDU) and what was expected there.

use nom::error::ErrorKind;
use thiserror::Error;

use super::command::Case;
use crate::compose::{OffsetError, nom_error_traits};

/// Why an APDU was rejected, could not be encoded, or a chain could not be built or joined.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApduError {
    /// Fewer than the 4 header bytes CLA INS P1 P2.
    #[error("command header truncated at offset {offset}: expected 4 bytes (CLA INS P1 P2), {available} available")]
    TruncatedHeader {
        /// Offset where the missing byte should be (the input length).
        offset: usize,
        /// Bytes available.
        available: usize,
    },
    /// A body of exactly `00 xx`: a short Lc of `00` is not allowed (ISO/IEC 7816-4 §5.1: Nc is
    /// 1 to 255 in short form) and `00` starts an extended length field, which needs 3 bytes.
    #[error(
        "byte 00 at offset {offset} followed by one byte: a short Lc cannot be 00 and an extended length needs 3 bytes"
    )]
    ShortLcZero {
        /// Offset of the `00` byte (always 4).
        offset: usize,
    },
    /// An extended Lc field of `00 00 00` followed by more bytes: Nc must be 1 to 65535.
    #[error("extended Lc of 0000 at offset {offset}: an extended Lc must be 0001-FFFF")]
    ExtendedLcZero {
        /// Offset of the extended length field (always 4).
        offset: usize,
    },
    /// Lc announces more data bytes than the input holds.
    #[error("data field at offset {offset}: Lc declares {declared} byte(s) but only {available} remain")]
    DataTruncated {
        /// Offset of the first data byte.
        offset: usize,
        /// Nc, as declared by Lc.
        declared: usize,
        /// Bytes remaining after the Lc field.
        available: usize,
    },
    /// One byte after the data of an extended-Lc command: with an extended Lc, Le must be
    /// extended too (2 bytes).
    #[error("one Le byte at offset {offset} after an extended Lc: expected a 2-byte extended Le")]
    ExtendedLcWithShortLe {
        /// Offset of the lone Le byte.
        offset: usize,
    },
    /// Bytes after a complete APDU where the entry point expects the end of the input.
    #[error("trailing data at offset {offset}: expected the end of the APDU after a case {case} body")]
    TrailingData {
        /// Offset of the first extra byte.
        offset: usize,
        /// The case the bytes before it form.
        case: Case,
    },
    /// A response APDU needs at least SW1 SW2.
    #[error("response truncated at offset {offset}: expected at least 2 bytes (SW1 SW2), {available} available")]
    TruncatedResponse {
        /// Offset where the missing byte should be (the input length).
        offset: usize,
        /// Bytes available.
        available: usize,
    },
    /// Nc above 65535 cannot be encoded.
    #[error("command data of {nc} bytes cannot be encoded: at most 65535")]
    DataTooLong {
        /// The data length.
        nc: usize,
    },
    /// Ne of 0 (say `None` for no Le field) or above 65536 cannot be encoded.
    #[error("Ne = {ne} cannot be encoded: expected 1 to 65536 (or no Le field)")]
    NeOutOfRange {
        /// The value given.
        ne: u32,
    },
    /// A chunk size outside 1..=255 for short chained commands.
    #[error("chain chunk size {size} out of range: expected 1 to 255")]
    ChunkSizeOutOfRange {
        /// The size given.
        size: usize,
    },
    /// The class byte has no chaining bit (RFU classes 2X/3X, or the invalid FF).
    #[error("class byte {cla:02X} has no command chaining bit")]
    ChainingNotSupported {
        /// The class byte.
        cla: u8,
    },
    /// The command to split already has its chaining bit set.
    #[error("class byte {cla:02X} already has the chaining bit set")]
    ChainingBitAlreadySet {
        /// The class byte.
        cla: u8,
    },
    /// A chain of short APDUs cannot ask for more than 256 bytes in its last command.
    #[error("Ne = {ne} does not fit the short Le of the last chained command (at most 256)")]
    ChainNeTooLarge {
        /// The value given.
        ne: u32,
    },
    /// Joining an empty list of commands.
    #[error("empty command chain")]
    EmptyChain,
    /// A chained command differs from the first in a header byte other than the chaining bit.
    #[error("chained command {index}: {field} is {found:02X}, expected {expected:02X} as in the first command")]
    ChainFieldMismatch {
        /// Index of the command in the chain.
        index: usize,
        /// `CLA`, `INS`, `P1` or `P2`.
        field: &'static str,
        /// Value in the first command (CLA without its chaining bit).
        expected: u8,
        /// Value found (CLA without its chaining bit).
        found: u8,
    },
    /// A command other than the last lacks the chaining bit.
    #[error("chained command {index} is not the last one but has no chaining bit")]
    ChainBitMissing {
        /// Index of the command.
        index: usize,
    },
    /// The last command still has its chaining bit set: the chain is not finished.
    #[error("last command ({index}) has the chaining bit set: the chain is unterminated")]
    ChainUnterminated {
        /// Index of the last command.
        index: usize,
    },
    /// A command other than the last has an Le field.
    #[error("chained command {index} has an Le field; only the last command of a chain may")]
    ChainLeBeforeLast {
        /// Index of the command.
        index: usize,
    },
    /// One of nom's own combinators failed around an APDU parser (a composition).
    #[error("nom {kind:?} failed with {remaining} byte(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Bytes left where it failed.
        remaining: usize,
    },
}

nom_error_traits!(ApduError, &'a [u8], <[u8]>::len);

impl OffsetError for ApduError {
    fn shifted(self, by: usize) -> Self {
        self.map_offsets(|o| o + by)
    }
}

impl ApduError {
    /// The byte offset a parse error refers to; `None` for encoding and chaining errors.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            ApduError::TruncatedHeader { offset, .. }
            | ApduError::ShortLcZero { offset }
            | ApduError::ExtendedLcZero { offset }
            | ApduError::DataTruncated { offset, .. }
            | ApduError::ExtendedLcWithShortLe { offset }
            | ApduError::TrailingData { offset, .. }
            | ApduError::TruncatedResponse { offset, .. } => Some(offset),
            _ => None,
        }
    }

    /// An error of the grammar (offsets counting bytes left) at an entry point given `total`
    /// bytes: offsets from the start.
    pub(crate) fn at_entry(e: nom::Err<ApduError>, total: usize) -> Self {
        let e = crate::compose::nom_inner(e, || ApduError::TruncatedHeader { offset: 0, available: total });
        e.map_offsets(|left| total - left)
    }

    fn map_offsets(self, f: impl Fn(usize) -> usize) -> Self {
        match self {
            ApduError::TruncatedHeader { offset, available } => {
                ApduError::TruncatedHeader { offset: f(offset), available }
            }
            ApduError::ShortLcZero { offset } => ApduError::ShortLcZero { offset: f(offset) },
            ApduError::ExtendedLcZero { offset } => ApduError::ExtendedLcZero { offset: f(offset) },
            ApduError::DataTruncated { offset, declared, available } => {
                ApduError::DataTruncated { offset: f(offset), declared, available }
            }
            ApduError::ExtendedLcWithShortLe { offset } => ApduError::ExtendedLcWithShortLe { offset: f(offset) },
            ApduError::TrailingData { offset, case } => ApduError::TrailingData { offset: f(offset), case },
            ApduError::TruncatedResponse { offset, available } => {
                ApduError::TruncatedResponse { offset: f(offset), available }
            }
            other => other,
        }
    }
}
