//! BER-TLV as EMV uses it (EMV Book 3 Annex B; ISO/IEC 7816-4 §5.2; ISO/IEC 8825-1).
//!
//! - Tags are kept as raw bytes ([`Tag`]), 1-4 bytes; lengths in short form or long form with
//!   1-4 subsequent octets, non-minimal forms accepted and remembered; the indefinite form is
//!   rejected ([`TlvError::IndefiniteLength`]).
//! - `00` padding before, between and after objects is accepted and counted.
//! - Constructed objects are walked lazily ([`Tlv::children`]) or decoded into a tree
//!   ([`decode_emv_tlv`]) with a depth limit; children are bounded by their parent; order and
//!   duplicates are preserved.
//!
//! Zero-copy views borrow the input; [`encode_emv_tlv`] and the node encoders build bytes.
//!
//! On top of the grammar: the EMV data dictionary ([`lookup_emv_tag`], [`Tag::name`]), Data
//! Object Lists ([`parse_emv_dol`], [`build_emv_dol_data`]), the AFL ([`parse_emv_afl`]),
//! typed views of the contactless response templates ([`Fci`], [`GpoResponse`], [`Record`],
//! [`GenerateAcResponse`]), an owned model for building ([`TlvOwned`]) and the validator
//! ([`validate_emv_tlv`]) that names the EMV rule an object breaks, and the one masking rule
//! for PANs and track data ([`mask_emv_hex`], [`mask_emv_value_hex`]).

mod afl;
mod dictionary;
mod dol;
mod error;
mod length;
mod mask;
mod object;
mod owned;
mod tag;
mod templates;
mod tree;
mod validate;

pub use afl::{AflEntry, AflError, AflRecord, emv_afl_records, parse_emv_afl};
pub use dictionary::{DataFormat, DataSource, EMV_TAGS, TagInfo, lookup_emv_tag};
pub use dol::{
    DolEntry, DolError, build_emv_dol_data, emv_dol_data_len, encode_emv_dol, fit_emv_dol_value, parse_emv_dol,
    parse_emv_dol_entry, split_emv_dol_data,
};
pub use error::TlvError;
pub use length::{Length, minimal_length_len, parse_emv_length};
#[cfg(feature = "serde")]
pub(crate) use mask::upper_hex;
pub use mask::{
    EMV_SENSITIVE_TAGS, emv_sensitive_buffer_nibbles, emv_sensitive_nibbles, mask_command_data_hex, mask_emv_hex,
    mask_emv_tlv_hex, mask_emv_track1_text, mask_emv_value_hex,
};
pub use object::{Tlv, TlvIter, parse_emv_tlv};
pub use owned::{TlvOwned, TlvValue, decode_emv_tlv_owned, encode_emv_tlv_owned};
pub use tag::{MAX_TAG_LEN, Tag, TagBytes, TagClass, parse_emv_tag};
pub use templates::{DirectoryEntry, Fci, GenerateAcResponse, GpoResponse, Record, ResponseFormat, TemplateError};
pub use tree::{
    DEFAULT_MAX_DEPTH, TlvNode, decode_emv_tlv, decode_emv_tlv_object, decode_emv_tlv_padded,
    decode_emv_tlv_with_depth, encode_nodes_into,
};
pub use validate::{validate_emv_tlv, validate_emv_tlv_bytes};

/// Appends one object with a minimal length encoding.
///
/// ```
/// use tapcert_parsers::tlv::{encode_emv_tlv, Tag};
/// let mut out = Vec::new();
/// encode_emv_tlv(Tag(0x9F36), &[0x00, 0x1C], &mut out);
/// assert_eq!(out, [0x9F, 0x36, 0x02, 0x00, 0x1C]);
/// ```
pub fn encode_emv_tlv(tag: Tag, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(tag.to_bytes().as_ref());
    Length::minimal(value.len()).encode_into(out);
    out.extend_from_slice(value);
}
