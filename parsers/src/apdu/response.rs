//! Response APDUs (ISO/IEC 7816-4 §5.1): an optional data field and the trailer SW1 SW2.

use nom::bytes::complete::take;
use nom::number::complete::be_u16;
use nom::{IResult, Parser};

use super::ApduError;
use super::status::StatusWord;

/// A response APDU, borrowing its data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseApdu<'a> {
    /// The response data field (may be empty).
    pub data: &'a [u8],
    /// The trailer.
    pub sw: StatusWord,
}

/// Parses a response APDU: everything but the last two bytes is data. The whole input is
/// consumed (the remainder is always empty); at least 2 bytes are needed.
///
/// ```
/// use tapcert_parsers::apdu::{parse_apdu_response, ApduError, StatusWord};
/// let (rest, r) = parse_apdu_response(&[0x9F, 0x36, 0x02, 0x00, 0x1C, 0x90, 0x00]).unwrap();
/// assert!(rest.is_empty());
/// assert_eq!((r.data.len(), r.sw), (5, StatusWord::OK));
/// assert_eq!(
///     parse_apdu_response(&[0x6A]),
///     Err(nom::Err::Error(ApduError::TruncatedResponse { offset: 1, available: 1 }))
/// );
/// ```
pub fn parse_apdu_response(input: &[u8]) -> nom::IResult<&[u8], ResponseApdu<'_>, ApduError> {
    response(input).map_err(|e| nom::Err::Error(ApduError::at_entry(e, input.len())))
}

/// The response APDU combinator: the data field is what the trailer leaves (a response is framed
/// by its transport), then SW1 SW2 as one big-endian `u16`.
fn response(input: &[u8]) -> IResult<&[u8], ResponseApdu<'_>, ApduError> {
    let truncated = || nom::Err::Error(ApduError::TruncatedResponse { offset: 0, available: input.len() });
    let data_len = input.len().checked_sub(2).ok_or_else(truncated)?;
    let (rest, (data, sw)) = (take::<_, _, ()>(data_len), be_u16).parse_complete(input).map_err(|_| truncated())?;
    Ok((rest, ResponseApdu { data, sw: StatusWord(sw) }))
}

impl<'a> ResponseApdu<'a> {
    /// A response from its parts.
    pub fn new(data: &'a [u8], sw: StatusWord) -> Self {
        ResponseApdu { data, sw }
    }

    /// Parses a whole response APDU.
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, ApduError> {
        response(input).map(|(_, r)| r).map_err(|e| ApduError::at_entry(e, input.len()))
    }

    /// Appends data and trailer.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.data);
        out.extend_from_slice(&self.sw.to_bytes());
    }

    /// The response's bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        self.encode_into(&mut out);
        out
    }
}

/// Encodes a response APDU: data then SW1 SW2.
pub fn encode_apdu_response(data: &[u8], sw: StatusWord) -> Vec<u8> {
    ResponseApdu::new(data, sw).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_only_and_with_data() {
        let r = ResponseApdu::from_bytes(&[0x6A, 0x82]).unwrap();
        assert_eq!((r.data, r.sw), (&[][..], StatusWord::FILE_NOT_FOUND));
        assert_eq!(encode_apdu_response(&[1, 2], StatusWord::OK), [1, 2, 0x90, 0x00]);
        assert_eq!(ResponseApdu::from_bytes(&[]), Err(ApduError::TruncatedResponse { offset: 0, available: 0 }));
    }
}
