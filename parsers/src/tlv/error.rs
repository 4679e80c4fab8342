//! Errors of the BER-TLV parser. Every variant is a fact with the byte offset (from the start
//! of the input given to the entry point) and what was expected there.
//!
//! Inside the grammar an error is built where it is found, from the input left there: its
//! offsets count the bytes left to the end of the input (as nom's `Offset` does), and the entry
//! point turns them into offsets from the start ([`TlvError::counted_from_start`]), so an error found deep
//! in a nested value needs no bookkeeping on the way up.

use nom::error::ErrorKind;
use thiserror::Error;

use crate::compose::{OffsetError, nom_error_traits};

/// Why BER-TLV input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlvError {
    /// The input ended inside a tag (a first byte announcing more tag bytes, or a subsequent
    /// byte with b8 set, was the last byte).
    #[error("tag truncated at offset {offset}: expected a further tag byte")]
    TruncatedTag {
        /// Offset of the first tag byte.
        offset: usize,
    },
    /// A tag longer than [`crate::tlv::MAX_TAG_LEN`] bytes.
    #[error("tag at offset {offset} is longer than {max} bytes")]
    TagTooLong {
        /// Offset of the first tag byte.
        offset: usize,
        /// The longest tag accepted.
        max: usize,
    },
    /// The input ended where a length (or one of its subsequent octets) was expected.
    #[error("length truncated at offset {offset}: expected {needed} byte(s), {available} available")]
    TruncatedLength {
        /// Offset of the first length byte (or where it should have been).
        offset: usize,
        /// Length octets needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// Length byte `80`: the indefinite form of BER, which EMV forbids.
    #[error("indefinite length (80) at offset {offset}: EMV allows definite lengths only")]
    IndefiniteLength {
        /// Offset of the `80` byte.
        offset: usize,
    },
    /// Length byte `85`..`FF`: more subsequent octets than EMV's 4 (or the reserved `FF`).
    #[error("unsupported length byte {first_byte:02X} at offset {offset}: expected 00-84")]
    UnsupportedLengthForm {
        /// Offset of the length byte.
        offset: usize,
        /// The byte found.
        first_byte: u8,
    },
    /// The value runs past the end of the input (top-level object).
    #[error("value at offset {offset} declares {declared} byte(s) but only {available} remain")]
    LengthExceedsInput {
        /// Offset of the object's tag.
        offset: usize,
        /// Declared value length.
        declared: usize,
        /// Bytes remaining after the length field.
        available: usize,
    },
    /// A child object's value runs past the end of its parent's value.
    #[error(
        "child at offset {offset} declares {declared} byte(s) but its parent (offset {parent_offset}) has only {available} left"
    )]
    ExceedsParent {
        /// Offset of the child's tag.
        offset: usize,
        /// Declared value length.
        declared: usize,
        /// Bytes left in the parent's value after the child's length field.
        available: usize,
        /// Offset of the parent's tag.
        parent_offset: usize,
    },
    /// Constructed objects nested deeper than the limit.
    #[error("nesting deeper than {limit} at offset {offset}")]
    DepthLimit {
        /// Offset of the object that would exceed the limit.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
    /// Bytes after a complete object where the entry point expects exactly one.
    #[error("trailing data at offset {offset}: expected end of input")]
    TrailingData {
        /// Offset of the first byte after the object.
        offset: usize,
    },
    /// One of nom's own combinators failed around a tapcert parser (a composition: `many1`,
    /// `eof`, `verify`, ...). The tapcert parsers never return it themselves.
    #[error("nom {kind:?} failed with {remaining} byte(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Bytes left where it failed (nom does not know where the input began).
        remaining: usize,
    },
}

nom_error_traits!(TlvError, &'a [u8], <[u8]>::len);

impl TlvError {
    /// The byte offset the error refers to (0 for [`TlvError::Nom`], which has none).
    pub fn offset(&self) -> usize {
        match *self {
            TlvError::TruncatedTag { offset }
            | TlvError::TagTooLong { offset, .. }
            | TlvError::TruncatedLength { offset, .. }
            | TlvError::IndefiniteLength { offset }
            | TlvError::UnsupportedLengthForm { offset, .. }
            | TlvError::LengthExceedsInput { offset, .. }
            | TlvError::ExceedsParent { offset, .. }
            | TlvError::DepthLimit { offset, .. }
            | TlvError::TrailingData { offset } => offset,
            TlvError::Nom { .. } => 0,
        }
    }

    /// An error built inside the grammar (offsets counting bytes left) with its offsets counted
    /// from the start of the `total` bytes the entry point was given.
    pub(crate) fn counted_from_start(self, total: usize) -> Self {
        self.map_offsets(|left| total - left)
    }

    /// The error of a failed grammar function, at an entry point given `total` bytes.
    #[inline]
    pub(crate) fn at_entry(e: nom::Err<TlvError>, total: usize) -> Self {
        crate::compose::nom_inner(e, || TlvError::TruncatedTag { offset: 0 }).counted_from_start(total)
    }

    /// The same error with `f` applied to each of its offsets.
    pub(crate) fn map_offsets(self, f: impl Fn(usize) -> usize) -> Self {
        match self {
            TlvError::TruncatedTag { offset } => TlvError::TruncatedTag { offset: f(offset) },
            TlvError::TagTooLong { offset, max } => TlvError::TagTooLong { offset: f(offset), max },
            TlvError::TruncatedLength { offset, needed, available } => {
                TlvError::TruncatedLength { offset: f(offset), needed, available }
            }
            TlvError::IndefiniteLength { offset } => TlvError::IndefiniteLength { offset: f(offset) },
            TlvError::UnsupportedLengthForm { offset, first_byte } => {
                TlvError::UnsupportedLengthForm { offset: f(offset), first_byte }
            }
            TlvError::LengthExceedsInput { offset, declared, available } => {
                TlvError::LengthExceedsInput { offset: f(offset), declared, available }
            }
            TlvError::ExceedsParent { offset, declared, available, parent_offset } => {
                TlvError::ExceedsParent { offset: f(offset), declared, available, parent_offset: f(parent_offset) }
            }
            TlvError::DepthLimit { offset, limit } => TlvError::DepthLimit { offset: f(offset), limit },
            TlvError::TrailingData { offset } => TlvError::TrailingData { offset: f(offset) },
            nom @ TlvError::Nom { .. } => nom,
        }
    }
}

impl OffsetError for TlvError {
    fn shifted(self, by: usize) -> Self {
        self.map_offsets(|o| o + by)
    }
}
