//! # tapcert-parsers
//!
//! Zero-copy parsers and encoders for the bytes and text that contactless payment devices
//! exchange: ISO/IEC 7816-4 APDUs, ISO/IEC 7816-3 ATRs, BER-TLV as EMV uses it, NFC Forum
//! NDEF, and EMVCo QR payment payloads. No I/O happens here.
//!
//! Conventions shared by every module:
//!
//! - `parse_<format>_<thing>(&[u8]) -> IResult<&[u8], T, E>` parses one item and returns the
//!   remainder; a whole-message entry (`decode_<format>_*` or `T::from_bytes`) rejects trailing
//!   data.
//! - Wire values are open newtypes (`Ins(u8)`, `StatusWord(u16)`, `Tag(u32)`): unknown values
//!   parse and round-trip unchanged.
//! - Every length is checked against the input before it is used; every recursion has a depth
//!   limit. Errors are typed, carry the byte offset (character offset for QR text) and say what
//!   was expected.
//! - Parsing is lenient where the field is lenient; validators (`validate_*`) report which rule
//!   was broken, separately from parsing, as the one [`Finding`] type (rule ids such as
//!   `TLV.LENGTH.NON-MINIMAL`, `NDEF.MB-FIRST`, `QR.CRC`, `APDU.DATA-WITHOUT-LE`).
//! - With the `serde` feature, `render` builds the human and JSON documents of every format
//!   (what `tapcert decode` prints).
//!
//! ```
//! use tapcert_parsers::tlv::decode_emv_tlv;
//! // A PPSE FCI: 6F { 84 "1PAY.SYS.DDF01", A5 { 88 02, 5F2D "en" } }
//! let bytes = [
//!     0x6F, 0x1A, 0x84, 0x0E, b'1', b'P', b'A', b'Y', b'.', b'S', b'Y', b'S', b'.', b'D',
//!     b'D', b'F', b'0', b'1', 0xA5, 0x08, 0x88, 0x01, 0x02, 0x5F, 0x2D, 0x02, b'e', b'n',
//! ];
//! let nodes = decode_emv_tlv(&bytes).unwrap();
//! assert_eq!(nodes[0].tlv.tag.to_string(), "6F");
//! assert_eq!(nodes[0].children[1].children[1].tlv.value, b"en");
//! ```
//!
//! ## Inside your own nom parsers
//!
//! The `parse_*` functions are nom parsers built from nom combinators, and every error type
//! implements [`nom::error::ParseError`], so they compose with nom's own combinators and with
//! each other. [`offsets_from`] makes a tapcert parser's error offsets count from the start of
//! your whole input rather than from the field it was given. A made-up band log entry: a
//! one-byte length, that many bytes of BER-TLV objects, then the command APDU that produced
//! them:
//!
//! ```
//! use nom::{IResult, Parser, combinator::{cut, eof, not}, multi::{length_value, many0}, number::complete::be_u8,
//!     sequence::preceded};
//! use tapcert_parsers::{offsets_from, tlv::{parse_emv_tlv, Tag, Tlv, TlvError}};
//!
//! fn log_entry(whole: &[u8]) -> IResult<&[u8], Vec<Tlv<'_>>, TlvError> {
//!     // Once an object has started, a broken one is an error, not the end of the list.
//!     length_value(be_u8, many0(preceded(not(eof), cut(offsets_from(whole, parse_emv_tlv))))).parse_complete(whole)
//! }
//!
//! let entry = [0x05, 0x9F, 0x36, 0x02, 0x00, 0x1C];
//! let (_, tlvs) = log_entry(&entry).unwrap();
//! assert_eq!((tlvs[0].tag, tlvs[0].value), (Tag(0x9F36), &[0x00, 0x1C][..]));
//! // The same entry with the ATC's length 02 changed to 03: the offset counts from the entry.
//! let broken = [0x05, 0x9F, 0x36, 0x03, 0x00, 0x1C];
//! assert_eq!(
//!     log_entry(&broken).unwrap_err(),
//!     nom::Err::Failure(TlvError::LengthExceedsInput { offset: 1, declared: 3, available: 2 })
//! );
//! ```
//!
//! `parsers/tests/compose.rs` does the same with TLVs, an NDEF message and a command APDU in one
//! format and one error type of its own, and puts the smaller grammars inside made-up formats:
//! an ATR in a reader log entry ([`atr::parse_atr`], [`atr::parse_atr_ts`],
//! [`atr::parse_atr_interface_groups`]), a T4T CC file in a file dump ([`ndef::parse_t4t_cc`],
//! [`ndef::parse_t4t_cc_tlv`]), T2T TLV blocks under nom's `many_till`
//! ([`ndef::parse_t2t_tlv`]), an EMVCo MPM payload in a text log line ([`qr::parse_qr_mpm`],
//! [`qr::parse_qr_mpm_object`], with [`text_offsets_from`] counting characters), and an EMVCo
//! CPM payload as base64 text and as bytes in a binary record ([`qr::parse_qr_cpm_base64`],
//! [`qr::parse_qr_cpm_payload`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod apdu;
pub mod atr;
pub mod bcd;
mod compose;
mod finding;

pub mod ndef;
pub mod qr;
#[cfg(feature = "serde")]
pub mod render;
pub mod tlv;
pub mod transit;

pub use compose::{OffsetError, offsets_from, text_offsets_from};
pub use finding::{Finding, Location, Severity, is_rule_id};

#[doc(hidden)]
pub mod fuzzing;
