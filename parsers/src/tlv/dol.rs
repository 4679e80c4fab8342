//! Data Object Lists (EMV Book 3 §5.4): PDOL `9F38`, CDOL1/2 `8C`/`8D`, DDOL `9F49`, TDOL `97`.
//!
//! ```text
//! DOL              tag length tag length ...      (length: one byte, 00-FF)
//! DOL-related data value value ...                (each exactly `length` bytes, no TLV coding)
//! ```
//!
//! Building the data follows §5.4 per format: `n` right-justified with leading `0` nibbles and
//! truncated on the left; `cn` left-justified with trailing `F` nibbles and truncated on the
//! right; every other format (an, ans, b, unknown tags) left-justified with trailing `00` and
//! truncated on the right; a tag the terminal does not have, or a constructed tag, gives zeros.
//! Duplicate entries are kept: each one consumes its own bytes.
//!
//! ```
//! use tapcert_parsers::tlv::{parse_emv_dol, build_emv_dol_data, Tag, DolError};
//! let dol = parse_emv_dol(&[0x9F, 0x02, 0x06, 0x9A, 0x03]).unwrap();
//! let data = build_emv_dol_data(&dol, |t| (t == Tag(0x9F02)).then_some(&[0x10, 0x00][..]));
//! assert_eq!(data, [0, 0, 0, 0, 0x10, 0x00, 0, 0, 0]);
//! assert_eq!(parse_emv_dol(&[0x9F, 0x02]), Err(DolError::TruncatedLength { offset: 2 }));
//! ```

use nom::combinator::{cut, eof, not};
use nom::error::ErrorKind;
use nom::multi::fold_many0;
use nom::number::complete::be_u8;
use nom::sequence::preceded;
use nom::{IResult, Parser};
use thiserror::Error;

use super::TlvError;
use super::dictionary::{DataFormat, lookup_emv_tag};
use super::tag::{Tag, ber_tag};
use crate::compose::{OffsetError, nom_error_traits};

/// One DOL entry: the tag asked for and how many bytes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DolEntry {
    /// The data element asked for.
    pub tag: Tag,
    /// Bytes it takes in the DOL-related data.
    pub len: u8,
    /// Offset of the entry's tag in the DOL.
    pub offset: usize,
}

/// Why a DOL or DOL-related data was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DolError {
    /// A tag in the DOL was malformed (truncated or too long).
    #[error("DOL tag: {0}")]
    Tag(TlvError),
    /// The DOL ended after a tag, where its length byte was expected.
    #[error("DOL ended at offset {offset}: expected the length byte of the entry")]
    TruncatedLength {
        /// Offset where the length byte should have been.
        offset: usize,
    },
    /// The DOL-related data is shorter than the DOL asks for.
    #[error("DOL data for {tag} at offset {offset} needs {needed} byte(s), {available} available")]
    DataTooShort {
        /// The entry whose value runs off the end.
        tag: Tag,
        /// Offset of that value in the data.
        offset: usize,
        /// Bytes the entry asks for.
        needed: usize,
        /// Bytes left.
        available: usize,
    },
    /// The DOL-related data is longer than the DOL asks for.
    #[error("DOL data has trailing bytes at offset {offset}: the DOL asks for {offset} byte(s)")]
    TrailingData {
        /// Offset of the first byte the DOL does not account for (= the DOL's total length).
        offset: usize,
    },
    /// One of nom's own combinators failed around [`parse_emv_dol_entry`] (a composition).
    #[error("nom {kind:?} failed with {remaining} byte(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Bytes left where it failed.
        remaining: usize,
    },
}

nom_error_traits!(DolError, &'a [u8], <[u8]>::len);

impl DolError {
    fn map_offsets(self, f: impl Fn(usize) -> usize) -> Self {
        match self {
            DolError::Tag(e) => DolError::Tag(e.map_offsets(&f)),
            DolError::TruncatedLength { offset } => DolError::TruncatedLength { offset: f(offset) },
            DolError::DataTooShort { tag, offset, needed, available } => {
                DolError::DataTooShort { tag, offset: f(offset), needed, available }
            }
            DolError::TrailingData { offset } => DolError::TrailingData { offset: f(offset) },
            nom @ DolError::Nom { .. } => nom,
        }
    }
}

impl OffsetError for DolError {
    fn shifted(self, by: usize) -> Self {
        self.map_offsets(|o| o + by)
    }
}

/// One DOL entry: a BER tag, then (`cut`: a tag without its length is no entry) one length
/// byte. Errors and the entry's offset count bytes left until the entry point translates them.
fn dol_entry(input: &[u8]) -> IResult<&[u8], DolEntry, DolError> {
    let (rest, tag) = ber_tag(input).map_err(|e| e.map(DolError::Tag))?;
    let (rest, len) = cut(dol_length).parse_complete(rest)?;
    Ok((rest, DolEntry { tag, len, offset: input.len() }))
}

fn dol_length(input: &[u8]) -> IResult<&[u8], u8, DolError> {
    be_u8::<_, ()>(input).map_err(|_| nom::Err::Error(DolError::TruncatedLength { offset: input.len() }))
}

/// Parses one DOL entry (tag and length byte) and returns the remainder: a nom parser, for DOLs
/// inside other layouts.
///
/// ```
/// use tapcert_parsers::tlv::{parse_emv_dol_entry, DolError, Tag};
/// let (rest, e) = parse_emv_dol_entry(&[0x9F, 0x02, 0x06, 0x9A]).unwrap();
/// assert_eq!((e.tag, e.len, e.offset, rest), (Tag(0x9F02), 6, 0, &[0x9A][..]));
/// assert_eq!(parse_emv_dol_entry(&[0x9A]), Err(nom::Err::Failure(DolError::TruncatedLength { offset: 1 })));
/// ```
pub fn parse_emv_dol_entry(input: &[u8]) -> IResult<&[u8], DolEntry, DolError> {
    let total = input.len();
    match dol_entry(input) {
        Ok((rest, e)) => Ok((rest, DolEntry { offset: total - e.offset, ..e })),
        Err(e) => Err(e.map(|e| e.map_offsets(|left| total - left))),
    }
}

/// Parses a DOL value into its entries, in order, duplicates kept.
pub fn parse_emv_dol(dol: &[u8]) -> Result<Vec<DolEntry>, DolError> {
    let total = dol.len();
    // Each entry takes at least 2 bytes: the vector never outgrows the input.
    let mut entries = fold_many0(
        preceded(not(eof), cut(dol_entry)),
        || Vec::with_capacity(total / 2),
        |mut v, e: DolEntry| {
            v.push(DolEntry { offset: total - e.offset, ..e });
            v
        },
    );
    match entries.parse_complete(dol) {
        Ok((_, entries)) => Ok(entries),
        Err(e) => {
            Err(crate::compose::nom_inner(e, || DolError::TruncatedLength { offset: 0 })
                .map_offsets(|left| total - left))
        }
    }
}

/// Total bytes of DOL-related data the entries ask for (duplicates counted each time).
pub fn emv_dol_data_len(entries: &[DolEntry]) -> usize {
    entries.iter().map(|e| usize::from(e.len)).sum()
}

/// Appends one value fitted to `len` bytes by the §5.4 rules for `format`.
pub fn fit_emv_dol_value(value: &[u8], len: usize, format: DataFormat, out: &mut Vec<u8>) {
    match format {
        DataFormat::N => {
            if value.len() >= len {
                out.extend_from_slice(&value[value.len() - len..]);
            } else {
                out.resize(out.len() + (len - value.len()), 0x00);
                out.extend_from_slice(value);
            }
        }
        DataFormat::Cn => fit_left(value, len, 0xFF, out),
        _ => fit_left(value, len, 0x00, out),
    }
}

fn fit_left(value: &[u8], len: usize, pad: u8, out: &mut Vec<u8>) {
    let take = value.len().min(len);
    out.extend_from_slice(&value[..take]);
    out.resize(out.len() + (len - take), pad);
}

/// Builds the DOL-related data: for each entry, the value `lookup` gives for its tag fitted by
/// the §5.4 rules (format from the dictionary, `b` for unknown tags), or zeros when `lookup`
/// has none or the tag is constructed.
pub fn build_emv_dol_data<'v>(entries: &[DolEntry], mut lookup: impl FnMut(Tag) -> Option<&'v [u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(emv_dol_data_len(entries));
    for e in entries {
        let len = usize::from(e.len);
        let value = if e.tag.is_constructed() { None } else { lookup(e.tag) };
        match value {
            Some(v) => {
                let format = lookup_emv_tag(e.tag).map_or(DataFormat::B, |i| i.format);
                fit_emv_dol_value(v, len, format, &mut out);
            }
            None => out.resize(out.len() + len, 0),
        }
    }
    out
}

/// Splits received DOL-related data back into one value per entry, in DOL order.
///
/// ```
/// use tapcert_parsers::tlv::{parse_emv_dol, split_emv_dol_data, DolError, Tag};
/// let dol = parse_emv_dol(&[0x9A, 0x03, 0x9C, 0x01]).unwrap();
/// let split = split_emv_dol_data(&dol, &[0x26, 0x11, 0x22, 0x00]).unwrap();
/// assert_eq!((split[1].0.tag, split[1].1), (Tag(0x9C), &[0x00][..]));
/// assert_eq!(split_emv_dol_data(&dol, &[0x26]), Err(DolError::DataTooShort { tag: Tag(0x9A), offset: 0, needed: 3, available: 1 }));
/// ```
pub fn split_emv_dol_data<'d>(entries: &[DolEntry], data: &'d [u8]) -> Result<Vec<(DolEntry, &'d [u8])>, DolError> {
    let mut out = Vec::with_capacity(entries.len().min(data.len() + 1));
    let mut pos = 0;
    for e in entries {
        let needed = usize::from(e.len);
        let available = data.len() - pos;
        if needed > available {
            return Err(DolError::DataTooShort { tag: e.tag, offset: pos, needed, available });
        }
        out.push((*e, &data[pos..pos + needed]));
        pos += needed;
    }
    if pos != data.len() {
        return Err(DolError::TrailingData { offset: pos });
    }
    Ok(out)
}

/// Encodes entries back into a DOL value.
pub fn encode_emv_dol(entries: &[DolEntry], out: &mut Vec<u8>) {
    for e in entries {
        out.extend_from_slice(e.tag.to_bytes().as_ref());
        out.push(e.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PDOL of the Visa Electron SELECT response in samples.md (9A twice).
    const PDOL_9A_TWICE: [u8; 26] = [
        0x9F, 0x66, 0x04, 0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A, 0x02, 0x9A,
        0x03, 0x9C, 0x01, 0x9F, 0x37, 0x04, 0x9A, 0x03,
    ];

    #[test]
    fn duplicate_entries_are_kept_and_counted() {
        let dol = parse_emv_dol(&PDOL_9A_TWICE).unwrap();
        assert_eq!(dol.len(), 10);
        assert_eq!(emv_dol_data_len(&dol), 36);
        assert_eq!(dol.iter().filter(|e| e.tag == Tag(0x9A)).count(), 2);
        assert_eq!(dol[9], DolEntry { tag: Tag(0x9A), len: 3, offset: 24 });
        let data = build_emv_dol_data(&dol, |t| (t == Tag(0x9A)).then_some(&[0x26, 0x11, 0x22][..]));
        assert_eq!(data.len(), 36);
        let split = split_emv_dol_data(&dol, &data).unwrap();
        assert_eq!(split[6].1, [0x26, 0x11, 0x22]);
        assert_eq!(split[9].1, [0x26, 0x11, 0x22]);
    }

    #[test]
    fn section_5_4_padding_and_truncation() {
        let mut out = Vec::new();
        // n: right-justified, leading zeros; truncated on the left.
        fit_emv_dol_value(&[0x12, 0x34], 4, DataFormat::N, &mut out);
        assert_eq!(out, [0, 0, 0x12, 0x34]);
        out.clear();
        fit_emv_dol_value(&[0x00, 0x00, 0x00, 0x00, 0x10, 0x00], 2, DataFormat::N, &mut out);
        assert_eq!(out, [0x10, 0x00]);
        out.clear();
        // cn: left-justified, trailing F; truncated on the right.
        fit_emv_dol_value(&[0x47, 0x61, 0x73], 5, DataFormat::Cn, &mut out);
        assert_eq!(out, [0x47, 0x61, 0x73, 0xFF, 0xFF]);
        out.clear();
        fit_emv_dol_value(&[0x47, 0x61, 0x73], 2, DataFormat::Cn, &mut out);
        assert_eq!(out, [0x47, 0x61]);
        out.clear();
        // an/ans/b: left-justified, trailing 00; truncated on the right.
        fit_emv_dol_value(b"AB", 4, DataFormat::An, &mut out);
        assert_eq!(out, [b'A', b'B', 0, 0]);
        out.clear();
        fit_emv_dol_value(&[1, 2, 3], 2, DataFormat::B, &mut out);
        assert_eq!(out, [1, 2]);
    }

    #[test]
    fn missing_and_constructed_tags_give_zeros() {
        // 9F02 06 (n), 5A 04 (cn), 70 02 (constructed), 9F37 04 (absent)
        let dol = parse_emv_dol(&[0x9F, 0x02, 0x06, 0x5A, 0x04, 0x70, 0x02, 0x9F, 0x37, 0x04]).unwrap();
        let data = build_emv_dol_data(&dol, |t| match t.0 {
            0x9F02 => Some(&[0x01, 0x00][..]),
            0x5A => Some(&[0x54, 0x13][..]),
            0x70 => Some(&[0xAA, 0xBB][..]),
            _ => None,
        });
        assert_eq!(data, [0, 0, 0, 0, 0x01, 0x00, 0x54, 0x13, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn errors_name_the_offset() {
        assert_eq!(parse_emv_dol(&[0x9F, 0x02, 0x06, 0x9F]), Err(DolError::Tag(TlvError::TruncatedTag { offset: 3 })));
        assert_eq!(parse_emv_dol(&[0x9A, 0x03, 0x9C]), Err(DolError::TruncatedLength { offset: 3 }));
        assert_eq!(parse_emv_dol(&[]), Ok(vec![]));
        let dol = parse_emv_dol(&[0x9A, 0x03]).unwrap();
        assert_eq!(split_emv_dol_data(&dol, &[1, 2, 3, 4]), Err(DolError::TrailingData { offset: 3 }));
    }
}
