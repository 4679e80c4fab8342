//! Zero-copy BER-TLV objects and the sibling iterator.
//!
//! EMV Book 3 Annex B: "Before, between, or after TLV-coded data objects, '00' bytes without
//! any meaning may occur". The iterator skips such padding, counts it on the object that
//! follows ([`Tlv::padding_before`]) or, after the last object, in
//! [`TlvIter::trailing_padding`], so a validator can flag it and an encoder can restore it.

use nom::IResult;

use super::MAX_TAG_LEN;
use super::TlvError;
use super::length::{Length, ber_length};
use super::tag::{Tag, ber_tag};
use crate::OffsetError;

/// One BER-TLV object, borrowing its value from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, as its raw bytes.
    pub tag: Tag,
    /// The length as it was encoded (value and number of length bytes).
    pub length: Length,
    /// The value bytes (for a constructed object, the encoded children).
    pub value: &'a [u8],
    /// Offset of the first tag byte from the start of the input given to the entry point.
    pub offset: usize,
    /// `00` padding bytes skipped immediately before this object.
    pub padding_before: usize,
}

impl<'a> Tlv<'a> {
    /// True when the tag marks the value as a sequence of TLV objects.
    #[inline]
    pub fn is_constructed(&self) -> bool {
        self.tag.is_constructed()
    }

    /// Bytes of tag and length.
    #[inline]
    pub fn header_len(&self) -> usize {
        self.tag.len() + usize::from(self.length.encoded_len)
    }

    /// Offset of the first value byte.
    #[inline]
    pub fn value_offset(&self) -> usize {
        self.offset + self.header_len()
    }

    /// Bytes the object takes on the wire (tag + length + value, padding not included).
    pub fn encoded_len(&self) -> usize {
        self.header_len() + self.value.len()
    }

    /// The children of a constructed object, lazily. For a primitive object the iterator walks
    /// the value as if it were TLV, which is what a caller asking for it wants to try.
    #[inline]
    pub fn children(&self) -> TlvIter<'a> {
        TlvIter::nested(self.value, self.value_offset(), self.offset)
    }

    /// Appends the object exactly as it was parsed (padding before it not included).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.tag.to_bytes().as_ref());
        self.length.encode_into(out);
        out.extend_from_slice(self.value);
    }
}

/// The BER-TLV object combinator: tag, length, then a value of that many bytes, read in the
/// order ISO/IEC 8825-1 lays them out. No padding is skipped. Errors count bytes left (see
/// [`TlvError::counted_from_start`]); a value past the end is [`TlvError::LengthExceedsInput`] at the tag.
// The walk's hot path is marked #[inline] throughout: its callers live in other crates (CLI,
// conformance, benches), and without LTO nothing crosses the crate boundary otherwise.
#[inline]
pub(crate) fn ber_object(input: &[u8]) -> IResult<&[u8], Tlv<'_>, TlvError> {
    let (rest, tag) = ber_tag(input)?;
    let (rest, length) = ber_length(rest)?;
    if length.value > rest.len() {
        return Err(nom::Err::Error(TlvError::LengthExceedsInput {
            offset: input.len(),
            declared: length.value,
            available: rest.len(),
        }));
    }
    let (value, rest) = rest.split_at(length.value);
    Ok((rest, Tlv { tag, length, value, offset: 0, padding_before: 0 }))
}

/// Parses one BER-TLV object (tag, length, value) and returns the remainder. Leading `00`
/// padding is not skipped here: use [`TlvIter`] or [`super::decode_emv_tlv`] for sequences.
///
/// ```
/// use tapcert_parsers::tlv::{parse_emv_tlv, Tag, TlvError};
/// let (rest, tlv) = parse_emv_tlv(&[0x9F, 0x36, 0x02, 0x00, 0x1C, 0x90]).unwrap();
/// assert_eq!((tlv.tag, tlv.value, rest), (Tag(0x9F36), &[0x00, 0x1C][..], &[0x90][..]));
/// assert_eq!(
///     parse_emv_tlv(&[0x9F, 0x36, 0x04, 0x00]),
///     Err(nom::Err::Error(TlvError::LengthExceedsInput { offset: 0, declared: 4, available: 1 }))
/// );
/// ```
pub fn parse_emv_tlv(input: &[u8]) -> IResult<&[u8], Tlv<'_>, TlvError> {
    ber_object(input).map_err(|e| nom::Err::Error(TlvError::at_entry(e, input.len())))
}

/// The hand-tuned object reader of the zero-copy walk ([`TlvIter`], and so the tree decoder):
/// the one place the grammar is not [`ber_object`], because the walk is the hot path of every
/// EMV read and the combinator form measured 1.7x slower there (issue 13). Same grammar, same
/// errors: `tests::walk_equals_combinator` holds the two together on arbitrary bytes. Offsets
/// are relative to `input`, except `parent`, the absolute offset of the enclosing object.
#[inline]
fn walk_object(input: &[u8], parent: Option<usize>) -> Result<(Tlv<'_>, usize), TlvError> {
    walk_object_inlined(input, parent)
}

/// [`walk_object`]'s body, always inlined: what the tree decoder's loop reads objects with.
/// The walk ([`TlvIter`] as an iterator) calls it through [`walk_object`], which the compiler
/// may leave out of line; the two measured best that way round (issue 13: the recursive
/// zero-copy walk 1.3x slower with the body forced into it, the tree decode 1.5x slower
/// without).
#[inline(always)]
fn walk_object_inlined(input: &[u8], parent: Option<usize>) -> Result<(Tlv<'_>, usize), TlvError> {
    let (tag, tag_len) = walk_tag(input)?;
    let length = walk_length(&input[tag_len..]).map_err(|e| e.shifted(tag_len))?;
    let header = tag_len + usize::from(length.encoded_len);
    let available = input.len() - header;
    if length.value > available {
        return Err(match parent {
            None => TlvError::LengthExceedsInput { offset: 0, declared: length.value, available },
            Some(parent_offset) => {
                TlvError::ExceedsParent { offset: 0, declared: length.value, available, parent_offset }
            }
        });
    }
    let end = header + length.value;
    let tlv = Tlv { tag, length, value: &input[header..end], offset: 0, padding_before: 0 };
    Ok((tlv, end))
}

#[inline(always)]
fn walk_tag(input: &[u8]) -> Result<(Tag, usize), TlvError> {
    let Some(&first) = input.first() else {
        return Err(TlvError::TruncatedTag { offset: 0 });
    };
    let mut value = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok((Tag(value), 1));
    }
    let mut i = 1;
    loop {
        if i >= MAX_TAG_LEN {
            return Err(TlvError::TagTooLong { offset: 0, max: MAX_TAG_LEN });
        }
        let Some(&b) = input.get(i) else {
            return Err(TlvError::TruncatedTag { offset: 0 });
        };
        value = (value << 8) | u32::from(b);
        i += 1;
        if b & 0x80 == 0 {
            return Ok((Tag(value), i));
        }
    }
}

#[inline(always)]
fn walk_length(input: &[u8]) -> Result<Length, TlvError> {
    let Some(&first) = input.first() else {
        return Err(TlvError::TruncatedLength { offset: 0, needed: 1, available: 0 });
    };
    match first {
        0x00..=0x7F => Ok(Length { value: usize::from(first), encoded_len: 1 }),
        0x80 => Err(TlvError::IndefiniteLength { offset: 0 }),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let Some(octets) = input.get(1..1 + n) else {
                return Err(TlvError::TruncatedLength { offset: 0, needed: 1 + n, available: input.len() });
            };
            let value = octets.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            // On 32-bit targets a 4-octet length may not fit; it can never fit the input either.
            let value = usize::try_from(value).unwrap_or(usize::MAX);
            Ok(Length { value, encoded_len: (1 + n) as u8 })
        }
        _ => Err(TlvError::UnsupportedLengthForm { offset: 0, first_byte: first }),
    }
}

/// Iterates over a sequence of sibling objects, skipping `00` padding. Yields `Err` once and
/// then stops when the input is malformed.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    input: &'a [u8],
    pos: usize,
    base: usize,
    parent: Option<usize>,
    trailing_padding: usize,
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates over the objects of `input`; offsets are relative to `input`.
    #[inline]
    pub fn new(input: &'a [u8]) -> Self {
        TlvIter { input, pos: 0, base: 0, parent: None, trailing_padding: 0, failed: false }
    }

    /// Iterates over the objects of `input`, reporting offsets as `base + position`.
    pub fn with_base(input: &'a [u8], base: usize) -> Self {
        TlvIter { base, ..TlvIter::new(input) }
    }

    #[inline]
    fn nested(input: &'a [u8], base: usize, parent_offset: usize) -> Self {
        TlvIter { base, parent: Some(parent_offset), ..TlvIter::new(input) }
    }

    /// `00` bytes after the last object (known once the iterator has returned `None`).
    pub fn trailing_padding(&self) -> usize {
        self.trailing_padding
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.step::<false>()
    }
}

impl<'a> TlvIter<'a> {
    /// [`Iterator::next`] with the object reader inlined whole: the tree decoder's loop calls
    /// this, so that its hottest step is never an out-of-line call (perf showed `next` and
    /// then `walk_object` left out of line there, and the tree decode 1.5x slower than the
    /// same walk inlined; issue 13).
    #[inline(always)]
    pub(crate) fn next_inline(&mut self) -> Option<Result<Tlv<'a>, TlvError>> {
        self.step::<true>()
    }

    /// One step of the walk; `INLINED` picks [`walk_object_inlined`] over [`walk_object`].
    #[inline(always)]
    fn step<const INLINED: bool>(&mut self) -> Option<Result<Tlv<'a>, TlvError>> {
        if self.failed {
            return None;
        }
        let rest = &self.input[self.pos..];
        let padding = rest.iter().take_while(|&&b| b == 0).count();
        if padding == rest.len() {
            self.trailing_padding = padding;
            self.pos = self.input.len();
            return None;
        }
        let start = self.pos + padding;
        let at = self.base + start;
        let object = if INLINED {
            walk_object_inlined(&self.input[start..], self.parent)
        } else {
            walk_object(&self.input[start..], self.parent)
        };
        match object {
            Ok((mut tlv, len)) => {
                tlv.offset = at;
                tlv.padding_before = padding;
                self.pos = start + len;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                // The parent's offset was absolute already: only the child's moves.
                Some(Err(match e.shifted(at) {
                    TlvError::ExceedsParent { offset, declared, available, .. } => {
                        let parent_offset = self.parent.unwrap_or_default();
                        TlvError::ExceedsParent { offset, declared, available, parent_offset }
                    }
                    e => e,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iter_skips_and_counts_padding() {
        let bytes = [0x00, 0x00, 0x5A, 0x01, 0x12, 0x00, 0x9F, 0x36, 0x00, 0x00, 0x00];
        let mut it = TlvIter::new(&bytes);
        let a = it.next().unwrap().unwrap();
        assert_eq!((a.tag, a.offset, a.padding_before, a.value), (Tag(0x5A), 2, 2, &[0x12][..]));
        let b = it.next().unwrap().unwrap();
        assert_eq!((b.tag, b.offset, b.padding_before, b.value.len()), (Tag(0x9F36), 6, 1, 0));
        assert!(it.next().is_none());
        assert_eq!(it.trailing_padding(), 2);
    }

    #[test]
    fn child_exceeding_parent_names_both_offsets() {
        // 70 05 { 5A 08 .. } : the child claims 8 bytes, the parent holds 3 after its header.
        let bytes = [0x00, 0x70, 0x05, 0x5A, 0x08, 0x12, 0x34, 0x56];
        let outer = TlvIter::new(&bytes).next().unwrap().unwrap();
        assert_eq!(outer.offset, 1);
        let err = outer.children().next().unwrap().unwrap_err();
        assert_eq!(err, TlvError::ExceedsParent { offset: 3, declared: 8, available: 3, parent_offset: 1 });
    }

    proptest::proptest! {
        #[test]
        fn walk_equals_combinator(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let walked = walk_object(&bytes, None).map(|(t, used)| (t, bytes.len() - used));
            let combined = ber_object(&bytes)
                .map(|(rest, t)| (t, rest.len()))
                .map_err(|e| TlvError::at_entry(e, bytes.len()));
            proptest::prop_assert_eq!(walked, combined);
        }
    }

    #[test]
    fn iter_stops_after_error() {
        let bytes = [0x5A, 0x01, 0x12, 0x9F];
        let mut it = TlvIter::new(&bytes);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(it.next().unwrap(), Err(TlvError::TruncatedTag { offset: 3 }));
        assert!(it.next().is_none());
    }
}
