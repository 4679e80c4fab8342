//! Bench-only baseline: the hand-written BER-TLV walk as it was before the grammar became nom
//! combinators (issue 13), kept so `benches/parse.rs` can time both in one run. Not a second
//! implementation of anything: nothing outside the benches uses it, and it goes once the
//! figures are recorded.
#![allow(dead_code, missing_docs, clippy::all)]

use tapcert_parsers::tlv::{DEFAULT_MAX_DEPTH, Length, MAX_TAG_LEN, Tag, Tlv, TlvError, TlvNode};

fn shifted(e: TlvError, base: usize) -> TlvError {
    match e {
        TlvError::TruncatedTag { offset } => TlvError::TruncatedTag { offset: offset + base },
        other => other,
    }
}

#[inline]
pub fn parse_tag_bytes(input: &[u8]) -> Result<(Tag, usize), TlvError> {
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

/// Reads a length from the start of `input`. Offsets in errors are relative to `input`.
#[inline]
pub fn parse_length_bytes(input: &[u8]) -> Result<Length, TlvError> {
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

/// Parses one object at the start of `input` (no padding skipped). Offsets are relative to
/// `input`, except `parent`, the absolute offset of the enclosing object if there is one.
// The walk's hot path is marked #[inline] throughout: its callers live in other crates (CLI,
// conformance, benches), and without LTO nothing crosses the crate boundary otherwise.
#[inline]
pub fn parse_object(input: &[u8], parent: Option<usize>) -> Result<(Tlv<'_>, usize), TlvError> {
    let (tag, tag_len) = parse_tag_bytes(input)?;
    let length = parse_length_bytes(&input[tag_len..]).map_err(|e| shifted(e, tag_len))?;
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
    pub fn nested(input: &'a [u8], base: usize, parent_offset: usize) -> Self {
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
        match parse_object(&self.input[start..], self.parent) {
            Ok((mut tlv, len)) => {
                tlv.offset = at;
                tlv.padding_before = padding;
                self.pos = start + len;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(shifted(e, at)))
            }
        }
    }
}

pub fn decode_emv_tlv(input: &[u8]) -> Result<Vec<TlvNode<'_>>, TlvError> {
    let mut it = TlvIter::new(input);
    decode_level(&mut it, 1, DEFAULT_MAX_DEPTH)
}

fn decode_level<'a>(it: &mut TlvIter<'a>, depth: usize, max_depth: usize) -> Result<Vec<TlvNode<'a>>, TlvError> {
    let mut nodes = Vec::new();
    for item in it.by_ref() {
        nodes.push(build_node(item?, depth, max_depth)?);
    }
    Ok(nodes)
}

fn build_node(tlv: Tlv<'_>, depth: usize, max_depth: usize) -> Result<TlvNode<'_>, TlvError> {
    if depth > max_depth {
        return Err(TlvError::DepthLimit { offset: tlv.offset, limit: max_depth });
    }
    if !tlv.is_constructed() {
        return Ok(TlvNode { tlv, children: Vec::new(), trailing_padding: 0 });
    }
    let mut it = TlvIter::nested(tlv.value, tlv.value_offset(), tlv.offset);
    let children = decode_level(&mut it, depth + 1, max_depth)?;
    Ok(TlvNode { tlv, children, trailing_padding: it.trailing_padding() })
}
