//! File Control Information returned by SELECT (EMV Book 1 §11.3.4, Book B §3.3).
//!
//! ```text
//! 6F FCI Template
//!    84 DF Name                                   mandatory
//!    A5 FCI Proprietary Template                  mandatory
//!       50 Application Label, 87 Priority, 9F38 PDOL, 5F2D Language, 9F11, 9F12, 88 SFI
//!       BF0C FCI Issuer Discretionary Data
//!          61 Directory Entry (PPSE), repeated: 4F ADF Name, 50, 87, 9F2A Kernel ID, 9F0A
//! ```

use super::{TemplateError, child, require, value_of};
use crate::tlv::dol::{DolEntry, DolError, parse_emv_dol};
use crate::tlv::{Tag, TlvNode, decode_emv_tlv_object};

/// One `61` directory entry of a PPSE answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry<'a> {
    /// `4F` ADF Name (AID). Mandatory.
    pub aid: &'a [u8],
    /// `50` Application Label.
    pub label: Option<&'a [u8]>,
    /// `87` Application Priority Indicator.
    pub priority: Option<u8>,
    /// `9F2A` Kernel Identifier.
    pub kernel_id: Option<&'a [u8]>,
    /// `9F0A` Application Selection Registered Proprietary Data.
    pub asrpd: Option<&'a [u8]>,
    /// Offset of the `61` tag.
    pub offset: usize,
}

/// A SELECT response: PPSE/PSE directory or application FCI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fci<'a> {
    /// `84` DF Name (the AID, or `2PAY.SYS.DDF01`).
    pub df_name: &'a [u8],
    /// `50` Application Label.
    pub label: Option<&'a [u8]>,
    /// `87` Application Priority Indicator.
    pub priority: Option<u8>,
    /// `9F38` PDOL value.
    pub pdol: Option<&'a [u8]>,
    /// `5F2D` Language Preference.
    pub language: Option<&'a [u8]>,
    /// `9F11` Issuer Code Table Index.
    pub issuer_code_table_index: Option<u8>,
    /// `9F12` Application Preferred Name.
    pub preferred_name: Option<&'a [u8]>,
    /// `88` SFI of the directory elementary file (contact PSE).
    pub sfi: Option<u8>,
    /// `61` entries inside `BF0C` (PPSE).
    pub directory: Vec<DirectoryEntry<'a>>,
    /// `BF0C` as decoded, when present.
    pub issuer_discretionary: Option<TlvNode<'a>>,
}

impl<'a> Fci<'a> {
    /// Reads an FCI from a SELECT response body (SW1 SW2 removed).
    ///
    /// ```
    /// use tapcert_parsers::tlv::{Fci, Tag, TemplateError};
    /// let ppse = hex::decode("6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000031010500A564953412044454249548701019000").unwrap();
    /// let fci = Fci::from_bytes(&ppse[..ppse.len() - 2]).unwrap();
    /// assert_eq!(fci.directory[0].label, Some(&b"VISA DEBIT"[..]));
    /// assert_eq!(Fci::from_bytes(&[0x6F, 0x02, 0x84, 0x00]), Err(TemplateError::MissingTag { tag: Tag(0xA5), template: Tag(0x6F), offset: 0 }));
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, TemplateError> {
        let root = decode_emv_tlv_object(bytes)?;
        if root.tlv.tag != Tag::FCI_TEMPLATE {
            return Err(TemplateError::UnexpectedTemplate { offset: 0, found: root.tlv.tag, expected: "6F" });
        }
        let df_name = require(&root, Tag::DF_NAME)?.tlv.value;
        let a5 = require(&root, Tag::FCI_PROPRIETARY)?;
        let one_byte = |tag| value_of(a5, tag).and_then(|v: &[u8]| v.first().copied());
        let bf0c = child(a5, Tag::FCI_ISSUER_DISCRETIONARY);
        let mut directory = Vec::new();
        if let Some(bf0c) = bf0c {
            for entry in bf0c.children.iter().filter(|c| c.tlv.tag == Tag::APPLICATION_TEMPLATE) {
                directory.push(DirectoryEntry {
                    aid: require(entry, Tag::AID)?.tlv.value,
                    label: value_of(entry, Tag::APPLICATION_LABEL),
                    priority: value_of(entry, Tag::APPLICATION_PRIORITY).and_then(|v| v.first().copied()),
                    kernel_id: value_of(entry, Tag::KERNEL_IDENTIFIER),
                    asrpd: value_of(entry, Tag::ASRPD),
                    offset: entry.tlv.offset,
                });
            }
        }
        Ok(Fci {
            df_name,
            label: value_of(a5, Tag::APPLICATION_LABEL),
            priority: one_byte(Tag::APPLICATION_PRIORITY),
            pdol: value_of(a5, Tag::PDOL),
            language: value_of(a5, Tag::LANGUAGE_PREFERENCE),
            issuer_code_table_index: one_byte(Tag::ISSUER_CODE_TABLE_INDEX),
            preferred_name: value_of(a5, Tag::APPLICATION_PREFERRED_NAME),
            sfi: one_byte(Tag::SFI),
            directory,
            issuer_discretionary: bf0c.cloned(),
        })
    }

    /// The PDOL's entries, when the FCI has one.
    pub fn pdol_entries(&self) -> Option<Result<Vec<DolEntry>, DolError>> {
        self.pdol.map(parse_emv_dol)
    }
}
