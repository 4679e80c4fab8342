//! GET PROCESSING OPTIONS responses (EMV Book 3 §6.5.8.4; Book C-3 for qVSDC).
//!
//! ```text
//! format 1   80 [AIP (2)] [AFL (4n)]
//! format 2   77 { 82 AIP (mandatory), 94 AFL, and for qVSDC/fDDA also 9F36, 9F26, 9F27, 9F10,
//!                 57, 5F34, 9F4B, 9F6C, 9F6E ... }
//! ```

use super::{ResponseFormat, TemplateError, child, fixed, require, value_of};
use crate::tlv::afl::{AflEntry, parse_emv_afl};
use crate::tlv::{Tag, TlvNode, decode_emv_tlv_object};

/// A GET PROCESSING OPTIONS response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpoResponse<'a> {
    /// Format 1 or 2.
    pub format: ResponseFormat,
    /// Application Interchange Profile.
    pub aip: [u8; 2],
    /// The AFL's raw bytes (absent in some qVSDC format 2 answers).
    pub afl_raw: Option<&'a [u8]>,
    /// The AFL's entries.
    pub afl: Vec<AflEntry>,
    /// `9F36` ATC (format 2, qVSDC).
    pub atc: Option<[u8; 2]>,
    /// `9F26` Application Cryptogram (format 2, qVSDC).
    pub cryptogram: Option<&'a [u8]>,
    /// `9F27` CID (format 2).
    pub cid: Option<u8>,
    /// `9F10` Issuer Application Data (format 2).
    pub iad: Option<&'a [u8]>,
    /// `57` Track 2 Equivalent Data (format 2, qVSDC).
    pub track2: Option<&'a [u8]>,
    /// `5F34` PAN Sequence Number (format 2).
    pub pan_sequence: Option<u8>,
    /// `9F4B` Signed Dynamic Application Data (format 2, fDDA/CDA).
    pub sdad: Option<&'a [u8]>,
    /// The `77` template as decoded (format 2 only).
    pub template: Option<TlvNode<'a>>,
}

impl<'a> GpoResponse<'a> {
    /// Reads a GPO response body (SW1 SW2 removed).
    ///
    /// ```
    /// use tapcert_parsers::tlv::{GpoResponse, ResponseFormat, Tag, TemplateError};
    /// let r = GpoResponse::from_bytes(&[0x80, 0x06, 0x19, 0x80, 0x08, 0x01, 0x01, 0x00]).unwrap();
    /// assert_eq!((r.format, r.aip, r.afl.len()), (ResponseFormat::Format1, [0x19, 0x80], 1));
    /// assert_eq!(GpoResponse::from_bytes(&[0x77, 0x00]), Err(TemplateError::MissingTag { tag: Tag(0x82), template: Tag(0x77), offset: 0 }));
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, TemplateError> {
        let root = decode_emv_tlv_object(bytes)?;
        let t = &root.tlv;
        match t.tag {
            Tag::RESPONSE_FORMAT1 => {
                if t.value.len() < 2 {
                    return Err(TemplateError::BadValueLength {
                        tag: t.tag,
                        offset: t.offset,
                        expected: "2-byte AIP followed by the AFL",
                        found: t.value.len(),
                    });
                }
                let afl_raw = &t.value[2..];
                let afl_offset = t.value_offset() + 2;
                let afl = parse_emv_afl(afl_raw).map_err(|source| TemplateError::Afl { offset: afl_offset, source })?;
                Ok(GpoResponse {
                    format: ResponseFormat::Format1,
                    aip: [t.value[0], t.value[1]],
                    afl_raw: Some(afl_raw),
                    afl,
                    atc: None,
                    cryptogram: None,
                    cid: None,
                    iad: None,
                    track2: None,
                    pan_sequence: None,
                    sdad: None,
                    template: None,
                })
            }
            Tag::RESPONSE_FORMAT2 => {
                let aip = fixed::<2>(require(&root, Tag::AIP)?, "2 bytes")?;
                let afl_node = child(&root, Tag::AFL);
                let afl = match afl_node {
                    Some(n) => parse_emv_afl(n.tlv.value)
                        .map_err(|source| TemplateError::Afl { offset: n.tlv.value_offset(), source })?,
                    None => Vec::new(),
                };
                let atc = child(&root, Tag::ATC).map(|n| fixed::<2>(n, "2 bytes")).transpose()?;
                let cid = child(&root, Tag::CID).map(|n| fixed::<1>(n, "1 byte")).transpose()?.map(|b| b[0]);
                Ok(GpoResponse {
                    format: ResponseFormat::Format2,
                    aip,
                    afl_raw: afl_node.map(|n| n.tlv.value),
                    afl,
                    atc,
                    cryptogram: value_of(&root, Tag::APPLICATION_CRYPTOGRAM),
                    cid,
                    iad: value_of(&root, Tag::IAD),
                    track2: value_of(&root, Tag::TRACK2_EQUIVALENT_DATA),
                    pan_sequence: value_of(&root, Tag::PAN_SEQUENCE_NUMBER).and_then(|v| v.first().copied()),
                    sdad: value_of(&root, Tag::SDAD),
                    template: Some(root),
                })
            }
            found => Err(TemplateError::UnexpectedTemplate { offset: t.offset, found, expected: "77 or 80" }),
        }
    }
}
