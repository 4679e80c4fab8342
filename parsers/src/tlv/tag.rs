//! BER-TLV tags as EMV uses them (EMV Book 3 Annex B1, ISO/IEC 8825-1 §8.1.2).
//!
//! A tag is kept as its raw bytes packed big-endian into a `u32` (`9F02` is `Tag(0x9F02)`),
//! never normalised to an ASN.1 class/number pair: EMV specifications, kernels and logs all
//! name tags by their bytes.
//!
//! ```text
//! first byte   b8 b7  class (00 universal, 01 application, 10 context, 11 private)
//!              b6     0 primitive, 1 constructed
//!              b5-b1  11111: subsequent bytes follow, each with b8 = 1 if another follows
//! ```

use core::fmt;

use nom::IResult;

use super::TlvError;

/// Longest tag accepted, in bytes. EMV uses up to 3 (kernel tags `DF8101`..); 4 leaves room.
pub const MAX_TAG_LEN: usize = 4;

/// A BER-TLV tag: its raw bytes, big-endian in a `u32`. An open newtype: any tag parses.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

/// The class bits (b8 b7) of a tag's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagClass {
    /// `00`
    Universal,
    /// `01`
    Application,
    /// `10`
    ContextSpecific,
    /// `11`
    Private,
}

impl Tag {
    /// Number of bytes the tag occupies on the wire (1 to 4).
    #[inline]
    pub fn len(self) -> usize {
        match self.0 {
            0..=0xFF => 1,
            0x100..=0xFFFF => 2,
            0x1_0000..=0xFF_FFFF => 3,
            _ => 4,
        }
    }

    /// Always false: a tag has at least one byte. Present for API symmetry with `len`.
    pub fn is_empty(self) -> bool {
        false
    }

    /// The first byte on the wire (class, constructed bit, number or `1F`).
    #[inline]
    pub fn first_byte(self) -> u8 {
        (self.0 >> (8 * (self.len() - 1))) as u8
    }

    /// True when b6 of the first byte is set: the value is itself a sequence of TLV objects.
    #[inline]
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }

    /// The class of the tag.
    pub fn class(self) -> TagClass {
        match self.first_byte() >> 6 {
            0 => TagClass::Universal,
            1 => TagClass::Application,
            2 => TagClass::ContextSpecific,
            _ => TagClass::Private,
        }
    }

    /// The tag's wire bytes.
    pub fn to_bytes(self) -> TagBytes {
        let len = self.len();
        let all = self.0.to_be_bytes();
        let mut bytes = [0u8; MAX_TAG_LEN];
        bytes[..len].copy_from_slice(&all[MAX_TAG_LEN - len..]);
        TagBytes { bytes, len: len as u8 }
    }

    /// True when the tag's bytes follow the BER rules (the first byte announces exactly as many
    /// subsequent bytes as there are). Tags built by hand may not; parsed tags always do.
    pub fn is_well_formed(self) -> bool {
        let b = self.to_bytes();
        matches!(ber_tag(b.as_ref()), Ok((rest, t)) if t == self && rest.is_empty())
    }
}

/// The wire bytes of a [`Tag`], without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagBytes {
    bytes: [u8; MAX_TAG_LEN],
    len: u8,
}

impl AsRef<[u8]> for TagBytes {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Upper-case hex of the wire bytes, written once (every validator finding names a tag
        // path, so this is on the validators' hot path).
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let bytes = self.to_bytes();
        let mut text = [0u8; 2 * MAX_TAG_LEN];
        for (pair, &b) in text.chunks_exact_mut(2).zip(bytes.as_ref()) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0x0F)];
        }
        let text = core::str::from_utf8(&text[..2 * bytes.as_ref().len()]).map_err(|_| fmt::Error)?;
        f.write_str(text)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

/// The BER tag combinator: one tag from the start of `input`. Errors count bytes left (see
/// [`TlvError::counted_from_start`]).
#[inline]
pub(crate) fn ber_tag(input: &[u8]) -> IResult<&[u8], Tag, TlvError> {
    let truncated = || nom::Err::Error(TlvError::TruncatedTag { offset: input.len() });
    let (&first, mut rest) = input.split_first().ok_or_else(truncated)?;
    let mut value = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok((rest, Tag(value)));
    }
    // Subsequent bytes: b8 set means another follows; at most MAX_TAG_LEN bytes in all.
    for _ in 1..MAX_TAG_LEN {
        let (&b, after) = rest.split_first().ok_or_else(truncated)?;
        rest = after;
        value = (value << 8) | u32::from(b);
        if b & 0x80 == 0 {
            return Ok((rest, Tag(value)));
        }
    }
    Err(nom::Err::Error(TlvError::TagTooLong { offset: input.len(), max: MAX_TAG_LEN }))
}

/// Parses one BER-TLV tag.
///
/// ```
/// use tapcert_parsers::tlv::{parse_emv_tag, Tag, TlvError};
/// assert_eq!(parse_emv_tag(&[0x9F, 0x02, 0x06]), Ok((&[0x06][..], Tag(0x9F02))));
/// assert_eq!(parse_emv_tag(&[0x5F]), Err(nom::Err::Error(TlvError::TruncatedTag { offset: 0 })));
/// ```
pub fn parse_emv_tag(input: &[u8]) -> IResult<&[u8], Tag, TlvError> {
    ber_tag(input).map_err(|e| nom::Err::Error(TlvError::at_entry(e, input.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lengths_and_bits() {
        assert_eq!(Tag(0x6F).len(), 1);
        assert!(Tag(0x6F).is_constructed());
        assert_eq!(Tag(0x9F02).len(), 2);
        assert!(!Tag(0x9F02).is_constructed());
        assert_eq!(Tag(0xBF0C).class(), TagClass::ContextSpecific);
        assert!(Tag(0xBF0C).is_constructed());
        assert_eq!(Tag(0xDF8101).len(), 3);
        assert_eq!(Tag(0xDF8101).to_bytes().as_ref(), &[0xDF, 0x81, 0x01]);
        assert_eq!(Tag(0x9F02).to_string(), "9F02");
        assert_eq!(format!("{:?}", Tag(0x5F2A)), "Tag(5F2A)");
    }

    #[test]
    fn tag_parse_errors() {
        let parse = |b: &[u8]| {
            parse_emv_tag(b).map(|(rest, t)| (t, b.len() - rest.len())).map_err(|e| match e {
                nom::Err::Error(e) => e,
                other => panic!("{other:?}"),
            })
        };
        assert_eq!(parse(&[]), Err(TlvError::TruncatedTag { offset: 0 }));
        assert_eq!(parse(&[0x9F, 0x81]), Err(TlvError::TruncatedTag { offset: 0 }));
        assert_eq!(parse(&[0x9F, 0x81, 0x81, 0x81, 0x01]), Err(TlvError::TagTooLong { offset: 0, max: 4 }));
        assert_eq!(parse(&[0xDF, 0x81, 0x01]), Ok((Tag(0xDF8101), 3)));
        assert!(Tag(0xDF8101).is_well_formed());
        assert!(!Tag(0x9F).is_well_formed());
    }
}
