//! GENERATE AC responses (EMV Book 3 §6.5.5.4).
//!
//! ```text
//! format 1   80 [CID (1)] [ATC (2)] [AC (8)] [IAD (0-32)]
//! format 2   77 { 9F27 CID, 9F36 ATC, 9F26 AC (or 9F4B SDAD under CDA), 9F10 IAD, ... }
//! ```

use super::{ResponseFormat, TemplateError, child, fixed, require, value_of};
use crate::tlv::{Tag, TlvNode, decode_emv_tlv_object};

/// A GENERATE AC response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateAcResponse<'a> {
    /// Format 1 or 2.
    pub format: ResponseFormat,
    /// Cryptogram Information Data (b8-b7: 00 AAC, 01 TC, 10 ARQC).
    pub cid: u8,
    /// Application Transaction Counter.
    pub atc: [u8; 2],
    /// Application Cryptogram (absent in format 2 under CDA, where 9F4B carries it).
    pub cryptogram: Option<[u8; 8]>,
    /// Issuer Application Data.
    pub iad: Option<&'a [u8]>,
    /// `9F4B` Signed Dynamic Application Data (CDA, format 2).
    pub sdad: Option<&'a [u8]>,
    /// The `77` template as decoded (format 2 only).
    pub template: Option<TlvNode<'a>>,
}

impl<'a> GenerateAcResponse<'a> {
    /// Reads a GENERATE AC response body (SW1 SW2 removed).
    ///
    /// ```
    /// use tapcert_parsers::tlv::{GenerateAcResponse, Tag, TemplateError};
    /// let f1 = [0x80, 0x0B, 0x80, 0x00, 0x1C, 1, 2, 3, 4, 5, 6, 7, 8];
    /// assert_eq!(GenerateAcResponse::from_bytes(&f1).unwrap().atc, [0x00, 0x1C]);
    /// let f2 = [0x77, 0x04, 0x9F, 0x27, 0x01, 0x80];
    /// assert_eq!(GenerateAcResponse::from_bytes(&f2), Err(TemplateError::MissingTag { tag: Tag(0x9F36), template: Tag(0x77), offset: 0 }));
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, TemplateError> {
        let root = decode_emv_tlv_object(bytes)?;
        let t = &root.tlv;
        match t.tag {
            Tag::RESPONSE_FORMAT1 => {
                let v = t.value;
                if !(11..=43).contains(&v.len()) {
                    return Err(TemplateError::BadValueLength {
                        tag: t.tag,
                        offset: t.offset,
                        expected: "11-43 bytes: CID, ATC, AC, optional IAD",
                        found: v.len(),
                    });
                }
                let mut ac = [0u8; 8];
                ac.copy_from_slice(&v[3..11]);
                Ok(GenerateAcResponse {
                    format: ResponseFormat::Format1,
                    cid: v[0],
                    atc: [v[1], v[2]],
                    cryptogram: Some(ac),
                    iad: (v.len() > 11).then(|| &v[11..]),
                    sdad: None,
                    template: None,
                })
            }
            Tag::RESPONSE_FORMAT2 => {
                let cid = fixed::<1>(require(&root, Tag::CID)?, "1 byte")?[0];
                let atc = fixed::<2>(require(&root, Tag::ATC)?, "2 bytes")?;
                let sdad = value_of(&root, Tag::SDAD);
                let cryptogram = match child(&root, Tag::APPLICATION_CRYPTOGRAM) {
                    Some(n) => Some(fixed::<8>(n, "8 bytes")?),
                    // Under CDA the cryptogram travels inside the signature.
                    None if sdad.is_some() => None,
                    None => {
                        return Err(TemplateError::MissingTag {
                            tag: Tag::APPLICATION_CRYPTOGRAM,
                            template: root.tlv.tag,
                            offset: root.tlv.offset,
                        });
                    }
                };
                Ok(GenerateAcResponse {
                    format: ResponseFormat::Format2,
                    cid,
                    atc,
                    cryptogram,
                    iad: value_of(&root, Tag::IAD),
                    sdad,
                    template: Some(root),
                })
            }
            found => Err(TemplateError::UnexpectedTemplate { offset: t.offset, found, expected: "77 or 80" }),
        }
    }
}
