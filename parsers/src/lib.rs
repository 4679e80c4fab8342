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

pub use compose::{OffsetError, offsets_from};
pub use finding::{Finding, Location, Severity, is_rule_id};

#[doc(hidden)]
pub mod fuzzing;
