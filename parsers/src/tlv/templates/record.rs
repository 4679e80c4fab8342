//! READ RECORD responses (EMV Book 3 §6.5.11): template `70` holding the application's data
//! objects (track 2, PAN, dates, CDOL1/CDOL2, CVM list, certificates...).

use super::{TemplateError, value_of};
use crate::tlv::dol::{DolEntry, DolError, parse_emv_dol};
use crate::tlv::{Tag, TlvNode, decode_emv_tlv_object};

/// One record of an application elementary file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The `70` template as decoded; its children are the record's data objects.
    pub template: TlvNode<'a>,
}

impl<'a> Record<'a> {
    /// Reads a READ RECORD response body (SW1 SW2 removed).
    ///
    /// ```
    /// use tapcert_parsers::tlv::{Record, Tag, TemplateError};
    /// let r = Record::from_bytes(&[0x70, 0x05, 0x5F, 0x34, 0x01, 0x01, 0x00]).unwrap();
    /// assert_eq!(r.get(Tag::PAN_SEQUENCE_NUMBER), Some(&[0x01][..]));
    /// assert_eq!(Record::from_bytes(&[0x77, 0x00]), Err(TemplateError::UnexpectedTemplate { offset: 0, found: Tag(0x77), expected: "70" }));
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, TemplateError> {
        let template = decode_emv_tlv_object(bytes)?;
        if template.tlv.tag != Tag::RECORD_TEMPLATE {
            return Err(TemplateError::UnexpectedTemplate { offset: 0, found: template.tlv.tag, expected: "70" });
        }
        Ok(Record { template })
    }

    /// The value of the first direct child with `tag`.
    pub fn get(&self, tag: Tag) -> Option<&'a [u8]> {
        value_of(&self.template, tag)
    }

    /// `57` Track 2 Equivalent Data.
    pub fn track2(&self) -> Option<&'a [u8]> {
        self.get(Tag::TRACK2_EQUIVALENT_DATA)
    }

    /// `5A` PAN (cn: trailing `F` padding included).
    pub fn pan(&self) -> Option<&'a [u8]> {
        self.get(Tag::PAN)
    }

    /// `5F24` Application Expiration Date (YYMMDD, BCD).
    pub fn expiration_date(&self) -> Option<&'a [u8]> {
        self.get(Tag::EXPIRATION_DATE)
    }

    /// `8C` CDOL1 entries.
    pub fn cdol1(&self) -> Option<Result<Vec<DolEntry>, DolError>> {
        self.get(Tag::CDOL1).map(parse_emv_dol)
    }

    /// `8D` CDOL2 entries.
    pub fn cdol2(&self) -> Option<Result<Vec<DolEntry>, DolError>> {
        self.get(Tag::CDOL2).map(parse_emv_dol)
    }
}
