//! Errors of the ATR parser and encoder. Offsets count from TS (offset 0).

use core::fmt;

use nom::error::ErrorKind;
use thiserror::Error;

use crate::compose::{OffsetError, nom_error_traits};

/// A byte of the ATR, as ISO/IEC 7816-3 §8.2 names it (`TA2`, `TCK`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtrByte {
    /// The initial character.
    Ts,
    /// The format byte.
    T0,
    /// TAi (i from 1).
    Ta(usize),
    /// TBi.
    Tb(usize),
    /// TCi.
    Tc(usize),
    /// TDi.
    Td(usize),
    /// The check byte.
    Tck,
}

impl fmt::Display for AtrByte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtrByte::Ts => f.write_str("TS"),
            AtrByte::T0 => f.write_str("T0"),
            AtrByte::Ta(i) => write!(f, "TA{i}"),
            AtrByte::Tb(i) => write!(f, "TB{i}"),
            AtrByte::Tc(i) => write!(f, "TC{i}"),
            AtrByte::Td(i) => write!(f, "TD{i}"),
            AtrByte::Tck => f.write_str("TCK"),
        }
    }
}

/// Why an ATR (or its historical bytes) was rejected, or could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AtrError {
    /// The input ended where a byte announced by T0 or a TDi (or TCK) was expected.
    #[error("ATR truncated at offset {offset}: expected {expected}")]
    Truncated {
        /// Offset where the byte should be.
        offset: usize,
        /// Which byte.
        expected: AtrByte,
    },
    /// TS is neither `3B` (direct convention) nor `3F` (inverse convention).
    #[error("TS at offset {offset} is {found:02X}: expected 3B (direct) or 3F (inverse convention)")]
    BadTs {
        /// Always 0.
        offset: usize,
        /// The byte found.
        found: u8,
    },
    /// Fewer historical bytes than K (low nibble of T0) announces.
    #[error("historical bytes at offset {offset}: T0 announces {declared}, only {available} remain")]
    HistoricalTruncated {
        /// Offset of the first historical byte.
        offset: usize,
        /// K.
        declared: usize,
        /// Bytes available.
        available: usize,
    },
    /// The XOR of T0..TCK is not zero.
    #[error("TCK at offset {offset} is {stated:02X} but T0..historical bytes XOR to {computed:02X}")]
    BadTck {
        /// Offset of TCK.
        offset: usize,
        /// TCK as received.
        stated: u8,
        /// The value that makes the XOR of T0..TCK zero.
        computed: u8,
    },
    /// Bytes after the ATR (after the historical bytes when TCK is not required).
    #[error("trailing data at offset {offset}: expected the end of the ATR")]
    TrailingData {
        /// Offset of the first extra byte.
        offset: usize,
    },
    /// A compact-TLV object in the historical bytes runs past their end.
    #[error("compact-TLV object at offset {offset} declares {declared} byte(s) but only {available} remain")]
    CompactTlvTruncated {
        /// Offset of the object's tag-length byte.
        offset: usize,
        /// Declared length.
        declared: usize,
        /// Bytes available.
        available: usize,
    },
    /// Category indicator `00` requires a 3-byte status indicator at the end.
    #[error(
        "historical bytes at offset {offset} with category 00 need a 3-byte status indicator, {available} byte(s) follow the indicator"
    )]
    StatusIndicatorMissing {
        /// Offset of the category indicator.
        offset: usize,
        /// Bytes after the category indicator.
        available: usize,
    },
    /// More than 15 historical bytes cannot be announced by T0.
    #[error("{len} historical bytes cannot be encoded: at most 15")]
    HistoricalTooLong {
        /// Number of historical bytes.
        len: usize,
    },
    /// Interface groups must carry a TD protocol on every group but the last, and none on it.
    #[error("interface group {index}: TD{index} must be present exactly when another group follows, with T 0-15")]
    GroupChain {
        /// The 1-based group number i.
        index: usize,
    },
    /// One of nom's own combinators failed around [`crate::atr::parse_atr`] (a composition).
    #[error("nom {kind:?} failed with {remaining} byte(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Bytes left where it failed.
        remaining: usize,
    },
}

nom_error_traits!(AtrError, &'a [u8], <[u8]>::len);

impl OffsetError for AtrError {
    fn shifted(self, by: usize) -> Self {
        self.map_offsets(|o| o + by)
    }
}

impl AtrError {
    /// The byte offset a parse error refers to; `None` for encoding errors.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            AtrError::Truncated { offset, .. }
            | AtrError::BadTs { offset, .. }
            | AtrError::HistoricalTruncated { offset, .. }
            | AtrError::BadTck { offset, .. }
            | AtrError::TrailingData { offset }
            | AtrError::CompactTlvTruncated { offset, .. }
            | AtrError::StatusIndicatorMissing { offset, .. } => Some(offset),
            AtrError::HistoricalTooLong { .. } | AtrError::GroupChain { .. } | AtrError::Nom { .. } => None,
        }
    }

    /// An error of the grammar (offsets counting bytes left) at an entry point given `total`
    /// bytes: offsets from the start.
    pub(crate) fn at_entry(e: nom::Err<AtrError>, total: usize) -> Self {
        let e = crate::compose::nom_inner(e, || AtrError::Truncated { offset: 0, expected: AtrByte::Ts });
        e.map_offsets(|left| total - left)
    }

    fn map_offsets(self, f: impl Fn(usize) -> usize) -> Self {
        match self {
            AtrError::Truncated { offset, expected } => AtrError::Truncated { offset: f(offset), expected },
            AtrError::BadTs { offset, found } => AtrError::BadTs { offset: f(offset), found },
            AtrError::HistoricalTruncated { offset, declared, available } => {
                AtrError::HistoricalTruncated { offset: f(offset), declared, available }
            }
            AtrError::BadTck { offset, stated, computed } => AtrError::BadTck { offset: f(offset), stated, computed },
            AtrError::TrailingData { offset } => AtrError::TrailingData { offset: f(offset) },
            AtrError::CompactTlvTruncated { offset, declared, available } => {
                AtrError::CompactTlvTruncated { offset: f(offset), declared, available }
            }
            AtrError::StatusIndicatorMissing { offset, available } => {
                AtrError::StatusIndicatorMissing { offset: f(offset), available }
            }
            other @ (AtrError::HistoricalTooLong { .. } | AtrError::GroupChain { .. } | AtrError::Nom { .. }) => other,
        }
    }
}
