//! BER-TLV lengths as EMV uses them (EMV Book 3 Annex B2, ISO/IEC 8825-1 §8.1.3).
//!
//! ```text
//! 00-7F        short form: the byte is the length
//! 81 xx        long form, 1 subsequent octet
//! 82 xx xx     long form, 2 subsequent octets (up to 84: 4 octets)
//! 80           indefinite form: forbidden in EMV, rejected
//! 85-FF        rejected (FF is reserved by X.690)
//! ```
//!
//! Non-minimal encodings (`81 05`, `82 00 05`) are accepted and remembered so the object
//! re-encodes byte for byte; the validator flags them.

use nom::IResult;
use nom::bytes::complete::take;

use super::TlvError;

/// A parsed length: the value and how many bytes encoded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Length {
    /// The number of value bytes.
    pub value: usize,
    /// Bytes used by the length field on the wire (1 for short form, 2-5 for long form).
    pub encoded_len: u8,
}

impl Length {
    /// The minimal (DER) encoding of `value`.
    pub fn minimal(value: usize) -> Self {
        Length { value, encoded_len: minimal_length_len(value) as u8 }
    }

    /// True when the length used the fewest bytes possible.
    pub fn is_minimal(&self) -> bool {
        usize::from(self.encoded_len) == minimal_length_len(self.value)
    }

    /// Appends the length field, in the form it was parsed in (or built with).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let n = usize::from(self.encoded_len.max(1));
        if n == 1 && self.value < 0x80 {
            out.push(self.value as u8);
            return;
        }
        let subsequent = (n - 1).clamp(minimal_length_len(self.value) - 1, 4).max(1);
        out.push(0x80 | subsequent as u8);
        let be = (self.value as u64).to_be_bytes();
        out.extend_from_slice(&be[8 - subsequent..]);
    }
}

/// Bytes the minimal encoding of a length takes.
pub fn minimal_length_len(value: usize) -> usize {
    match value {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        0x100..=0xFFFF => 3,
        0x1_0000..=0xFF_FFFF => 4,
        _ => 5,
    }
}

/// The BER length combinator: one length field from the start of `input`. Errors count bytes
/// left (see [`TlvError::counted_from_start`]).
#[inline]
pub(crate) fn ber_length(input: &[u8]) -> IResult<&[u8], Length, TlvError> {
    let at = input.len();
    let (&first, rest) = input.split_first().ok_or(nom::Err::Error(TlvError::TruncatedLength {
        offset: at,
        needed: 1,
        available: 0,
    }))?;
    match first {
        0x00..=0x7F => Ok((rest, Length { value: usize::from(first), encoded_len: 1 })),
        0x80 => Err(nom::Err::Error(TlvError::IndefiniteLength { offset: at })),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let (rest, octets) = take::<_, _, ()>(n)(rest)
                .map_err(|_| nom::Err::Error(TlvError::TruncatedLength { offset: at, needed: 1 + n, available: at }))?;
            let value = octets.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            // On 32-bit targets a 4-octet length may not fit; it can never fit the input either.
            let value = usize::try_from(value).unwrap_or(usize::MAX);
            Ok((rest, Length { value, encoded_len: (1 + n) as u8 }))
        }
        _ => Err(nom::Err::Error(TlvError::UnsupportedLengthForm { offset: at, first_byte: first })),
    }
}

/// Parses one BER-TLV length field.
///
/// ```
/// use tapcert_parsers::tlv::{parse_emv_length, Length, TlvError};
/// assert_eq!(parse_emv_length(&[0x81, 0x05]), Ok((&[][..], Length { value: 5, encoded_len: 2 })));
/// assert_eq!(parse_emv_length(&[0x80]), Err(nom::Err::Error(TlvError::IndefiniteLength { offset: 0 })));
/// ```
pub fn parse_emv_length(input: &[u8]) -> IResult<&[u8], Length, TlvError> {
    ber_length(input).map_err(|e| nom::Err::Error(TlvError::at_entry(e, input.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_length_bytes(b: &[u8]) -> Result<Length, TlvError> {
        parse_emv_length(b).map(|(_, l)| l).map_err(|e| match e {
            nom::Err::Error(e) => e,
            other => panic!("{other:?}"),
        })
    }

    fn enc(l: Length) -> Vec<u8> {
        let mut v = Vec::new();
        l.encode_into(&mut v);
        v
    }

    #[test]
    fn forms() {
        assert_eq!(parse_length_bytes(&[0x05]), Ok(Length { value: 5, encoded_len: 1 }));
        assert_eq!(parse_length_bytes(&[0x82, 0x01, 0x2C]), Ok(Length { value: 300, encoded_len: 3 }));
        assert_eq!(parse_length_bytes(&[0x84, 0, 0, 0, 5]), Ok(Length { value: 5, encoded_len: 5 }));
        assert_eq!(
            parse_length_bytes(&[0x85, 0, 0, 0, 0, 5]),
            Err(TlvError::UnsupportedLengthForm { offset: 0, first_byte: 0x85 })
        );
        assert_eq!(
            parse_length_bytes(&[0x82, 0x01]),
            Err(TlvError::TruncatedLength { offset: 0, needed: 3, available: 2 })
        );
        assert!(!Length { value: 5, encoded_len: 2 }.is_minimal());
        assert!(Length::minimal(200).is_minimal());
    }

    #[test]
    fn encodes_as_parsed() {
        for bytes in [&[0x05][..], &[0x81, 0x05], &[0x82, 0x00, 0x05], &[0x81, 0x80], &[0x84, 0, 1, 0, 0]] {
            let l = parse_length_bytes(bytes).unwrap();
            assert_eq!(enc(l), bytes);
        }
        assert_eq!(enc(Length::minimal(0x80)), [0x81, 0x80]);
        assert_eq!(enc(Length::minimal(0x1234)), [0x82, 0x12, 0x34]);
    }
}
