//! Composing tapcert's parsers inside your own nom parsers.
//!
//! Every `parse_*` function is a nom parser (`Fn(&[u8]) -> IResult<&[u8], T, E>`), and every
//! error type `E` implements [`nom::error::ParseError`], [`nom::error::ContextError`] and
//! [`nom::error::FromExternalError`], so `many1(parse_emv_tlv)`,
//! `length_value(be_u16, parse_ndef_message)` or `(parse_apdu_command, eof)` type-check as they
//! are. When one of nom's own combinators fails around a tapcert parser, the error is the
//! format's `Nom { kind, remaining }` variant: nom knows the combinator and the bytes left, not
//! where the input began.
//!
//! A tapcert parser counts the offsets of its errors from the start of the input it was given.
//! Inside a larger format that is the start of one field; [`offsets_from`] moves them to count
//! from the start of the whole input instead (it works out where the field starts with nom's
//! [`nom::Offset`], so it is right inside length-prefixed sub-slices too).

use nom::{Offset, Parser};

/// A tapcert parse error whose offsets can be moved (every format's error type).
pub trait OffsetError: Sized {
    /// The same error with every offset counted `by` bytes further from the start (for an
    /// error found in a part of a larger input). `Nom { remaining }` does not move.
    fn shifted(self, by: usize) -> Self;
}

/// Runs `parser` on a part of `whole` and reports its errors' offsets from the start of
/// `whole`. The input the parser is given must be a sub-slice of `whole`.
///
/// ```
/// use nom::{Parser, number::complete::be_u8};
/// use tapcert_parsers::{offsets_from, tlv::{parse_emv_tlv, TlvError}};
/// // One version byte, then a TLV whose value runs past the end.
/// let whole = [0x01, 0x9F, 0x36, 0x04, 0x00];
/// let mut versioned = (be_u8, offsets_from(&whole, parse_emv_tlv));
/// let err = versioned.parse(&whole[..]).unwrap_err();
/// assert_eq!(err, nom::Err::Error(TlvError::LengthExceedsInput { offset: 1, declared: 4, available: 1 }));
/// ```
pub fn offsets_from<'a, P>(
    whole: &'a [u8],
    mut parser: P,
) -> impl Parser<&'a [u8], Output = P::Output, Error = P::Error>
where
    P: Parser<&'a [u8]>,
    P::Error: OffsetError + nom::error::ParseError<&'a [u8]>,
{
    move |input: &'a [u8]| {
        let start = whole.offset(input);
        parser.parse(input).map_err(|e| e.map(|e| e.shifted(start)))
    }
}

/// [`offsets_from`] for text: runs `parser` on a part of `whole` and reports its errors' offsets
/// from the start of `whole`, in characters (the unit of the QR parsers' offsets). The input the
/// parser is given must be a sub-slice of `whole`; the characters before it are counted only
/// when there is an error.
///
/// ```
/// use nom::{Parser, bytes::complete::tag, sequence::preceded};
/// use tapcert_parsers::{text_offsets_from, qr::{parse_qr_mpm, QrError}};
/// // A label with a Chinese name, then the payload: offsets count characters of the line.
/// let line = "北京站 000201530398";
/// let err = preceded(tag("北京站 "), text_offsets_from(line, parse_qr_mpm)).parse(line).unwrap_err();
/// assert_eq!(err, nom::Err::Error(QrError::Truncated { offset: 10, declared: 3, available: 2 }));
/// ```
pub fn text_offsets_from<'a, P>(
    whole: &'a str,
    mut parser: P,
) -> impl Parser<&'a str, Output = P::Output, Error = P::Error>
where
    P: Parser<&'a str>,
    P::Error: OffsetError + nom::error::ParseError<&'a str>,
{
    move |input: &'a str| {
        parser.parse(input).map_err(|e| {
            e.map(|e| {
                // A sub-slice starts on a character boundary of `whole`.
                let start = whole.get(..whole.offset(input)).map_or(0, |before| before.chars().count());
                e.shifted(start)
            })
        })
    }
}

/// Unwraps a nom error from the crate's own grammar: every grammar function works on complete
/// input, so `Incomplete` cannot happen; `cut` failures and errors are the same fact here.
pub(crate) fn nom_inner<E>(e: nom::Err<E>, incomplete: impl FnOnce() -> E) -> E {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(_) => incomplete(),
    }
}

/// `ParseError` (a `Nom { kind, remaining }` variant from nom's own combinators, inner errors
/// kept by `append`), `ContextError` (the error as it is: the variants already say what was
/// expected) and `FromExternalError` (for `map_res` around a tapcert parser) for one format's
/// error type. `$len` counts what is left of the input: bytes, or characters for QR text.
macro_rules! nom_error_traits {
    ($error:ident, $input:ty, $len:expr) => {
        impl<'a> nom::error::ParseError<$input> for $error {
            fn from_error_kind(input: $input, kind: nom::error::ErrorKind) -> Self {
                $error::Nom { kind, remaining: $len(input) }
            }

            fn append(_input: $input, _kind: nom::error::ErrorKind, other: Self) -> Self {
                other
            }
        }

        impl<'a> nom::error::ContextError<$input> for $error {}

        impl<'a, X> nom::error::FromExternalError<$input, X> for $error {
            fn from_external_error(input: $input, kind: nom::error::ErrorKind, _e: X) -> Self {
                <$error as nom::error::ParseError<$input>>::from_error_kind(input, kind)
            }
        }
    };
}
pub(crate) use nom_error_traits;
