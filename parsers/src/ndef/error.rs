//! Errors of the NDEF, Type 4 Tag and Type 2 Tag parsers. Every variant is a fact with the byte
//! offset (from the start of the input given to the entry point) and what was expected there.

use nom::error::ErrorKind;
use thiserror::Error;

use crate::compose::{OffsetError, nom_error_traits};

/// Why NDEF (or tag container) input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NdefError {
    /// The input ended inside a fixed-size field (record header, length field, CC field, ...).
    #[error("truncated at offset {offset}: expected {expected} ({needed} byte(s)), {available} available")]
    Truncated {
        /// Offset where the field starts.
        offset: usize,
        /// The field that was expected.
        expected: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that remained.
        available: usize,
    },
    /// A declared length (TYPE, ID, PAYLOAD, NLEN, TLV length, ...) runs past the end of the
    /// input. Raised before anything is copied or allocated.
    #[error("length at offset {offset} declares {declared} byte(s) but only {available} remain")]
    LengthExceedsInput {
        /// Offset of the record (or TLV / file) whose length is too large.
        offset: usize,
        /// The declared length (for a record: type + id + payload).
        declared: usize,
        /// Bytes available after the length fields.
        available: usize,
    },
    /// Bytes after the record that has ME set (or after a container's end).
    #[error("trailing data at offset {offset}: expected end of input after the last record")]
    TrailingData {
        /// Offset of the first byte after the message.
        offset: usize,
    },
    /// A chunked record (CF set) whose series is not terminated before the message ends
    /// (NDEF 1.0 §2.3.3: the last chunk has CF clear; ME may not be set on a chunk with CF).
    #[error("chunked record starting at offset {offset} is not terminated (chunk without CF missing)")]
    UnterminatedChunk {
        /// Offset of the first chunk of the series.
        offset: usize,
    },
    /// A logical record (after chunk reassembly) larger than the configured limit.
    #[error("record at offset {offset} reassembles to {size} byte(s), more than the limit of {limit}")]
    ReassemblyLimit {
        /// Offset of the first chunk.
        offset: usize,
        /// Total payload size of the chunks.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// NDEF messages nested (Smart Poster, Handover) deeper than the limit.
    #[error("nesting deeper than {limit} at offset {offset}")]
    DepthLimit {
        /// Offset of the payload that would exceed the limit.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A field holds a value its grammar does not allow (text status byte, UTF-8, CC TLV, ...).
    #[error("malformed at offset {offset}: expected {expected}")]
    Malformed {
        /// Offset of the offending field.
        offset: usize,
        /// What the grammar requires there.
        expected: &'static str,
    },
    /// One of nom's own combinators failed around an NDEF parser (a composition).
    #[error("nom {kind:?} failed with {remaining} byte(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Bytes left where it failed.
        remaining: usize,
    },
}

nom_error_traits!(NdefError, &'a [u8], <[u8]>::len);

impl OffsetError for NdefError {
    fn shifted(self, by: usize) -> Self {
        self.map_offsets(|o| o + by)
    }
}

impl NdefError {
    /// The byte offset the error refers to (0 for [`NdefError::Nom`], which has none).
    pub fn offset(&self) -> usize {
        match *self {
            NdefError::Truncated { offset, .. }
            | NdefError::LengthExceedsInput { offset, .. }
            | NdefError::TrailingData { offset }
            | NdefError::UnterminatedChunk { offset }
            | NdefError::ReassemblyLimit { offset, .. }
            | NdefError::DepthLimit { offset, .. }
            | NdefError::Malformed { offset, .. } => offset,
            NdefError::Nom { .. } => 0,
        }
    }

    /// The same error with its offset moved by `base` (for errors found in a sub-slice).
    pub fn shifted(self, base: usize) -> Self {
        OffsetError::shifted(self, base)
    }

    /// An error of the grammar (offsets counting bytes left) at an entry point given `total`
    /// bytes: offsets from the start.
    pub(crate) fn at_entry(e: nom::Err<NdefError>, total: usize) -> Self {
        let e = crate::compose::nom_inner(e, || NdefError::TrailingData { offset: 0 });
        e.map_offsets(|left| total - left)
    }

    /// The same error with `f` applied to its offset.
    pub(crate) fn map_offsets(self, f: impl Fn(usize) -> usize) -> Self {
        match self {
            NdefError::Truncated { offset, expected, needed, available } => {
                NdefError::Truncated { offset: f(offset), expected, needed, available }
            }
            NdefError::LengthExceedsInput { offset, declared, available } => {
                NdefError::LengthExceedsInput { offset: f(offset), declared, available }
            }
            NdefError::TrailingData { offset } => NdefError::TrailingData { offset: f(offset) },
            NdefError::UnterminatedChunk { offset } => NdefError::UnterminatedChunk { offset: f(offset) },
            NdefError::ReassemblyLimit { offset, size, limit } => {
                NdefError::ReassemblyLimit { offset: f(offset), size, limit }
            }
            NdefError::DepthLimit { offset, limit } => NdefError::DepthLimit { offset: f(offset), limit },
            NdefError::Malformed { offset, expected } => NdefError::Malformed { offset: f(offset), expected },
            nom @ NdefError::Nom { .. } => nom,
        }
    }
}

/// Reads `needed` bytes at `at` of `input` or fails with [`NdefError::Truncated`].
pub(crate) fn take<'a>(
    input: &'a [u8],
    at: usize,
    needed: usize,
    expected: &'static str,
) -> Result<&'a [u8], NdefError> {
    let available = input.len().saturating_sub(at);
    if available < needed {
        return Err(NdefError::Truncated { offset: at, expected, needed, available });
    }
    Ok(&input[at..at + needed])
}
