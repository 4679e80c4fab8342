//! Typed views of the response templates a contactless flow sees: FCI (PPSE and application
//! SELECT), GET PROCESSING OPTIONS responses (format 1 and 2), READ RECORD records and
//! GENERATE AC responses.
//!
//! Each view borrows the response bytes (without SW1 SW2) and its `from_bytes` names the
//! mandatory tag that is missing or the value of the wrong size. Views are strict about what
//! they need and ignore what they do not know; the validator reports everything else.

use thiserror::Error;

use super::afl::AflError;
use super::{Tag, TlvError, TlvNode};

mod fci;
mod generate_ac;
mod gpo;
mod record;

pub use fci::{DirectoryEntry, Fci};
pub use generate_ac::GenerateAcResponse;
pub use gpo::GpoResponse;
pub use record::Record;

/// Which of the two response formats (EMV Book 3 §6.5.5.4) the card used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseFormat {
    /// Tag `80`: fixed fields concatenated without tags.
    Format1,
    /// Tag `77`: a constructed template of TLV objects.
    Format2,
}

/// Why a response did not fit the template a view expects.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    /// The bytes are not one well-formed BER-TLV object.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// The outer tag is not the template expected.
    #[error("unexpected template {found} at offset {offset}: expected {expected}")]
    UnexpectedTemplate {
        /// Offset of the tag.
        offset: usize,
        /// Tag found.
        found: Tag,
        /// What was expected (e.g. `"6F"`, `"77 or 80"`).
        expected: &'static str,
    },
    /// A mandatory object is absent.
    #[error("template {template} at offset {offset} lacks mandatory tag {tag}")]
    MissingTag {
        /// The missing tag.
        tag: Tag,
        /// The template that should hold it.
        template: Tag,
        /// Offset of that template.
        offset: usize,
    },
    /// A value has a size the view cannot interpret.
    #[error("{tag} at offset {offset}: value of {found} byte(s), expected {expected}")]
    BadValueLength {
        /// The tag.
        tag: Tag,
        /// Offset of the object.
        offset: usize,
        /// What the view needs.
        expected: &'static str,
        /// Size found.
        found: usize,
    },
    /// The AFL inside the response is malformed.
    #[error("AFL at offset {offset}: {source}")]
    Afl {
        /// Offset of the AFL's first byte.
        offset: usize,
        /// The AFL fault (offsets within the AFL).
        source: AflError,
    },
}

impl TemplateError {
    /// The byte offset the error refers to.
    pub fn offset(&self) -> usize {
        match self {
            TemplateError::Tlv(e) => e.offset(),
            TemplateError::UnexpectedTemplate { offset, .. }
            | TemplateError::MissingTag { offset, .. }
            | TemplateError::BadValueLength { offset, .. } => *offset,
            TemplateError::Afl { offset, source } => offset + source.offset(),
        }
    }
}

/// The first direct child of `node` with `tag`.
pub(crate) fn child<'n, 'a>(node: &'n TlvNode<'a>, tag: Tag) -> Option<&'n TlvNode<'a>> {
    node.children.iter().find(|c| c.tlv.tag == tag)
}

pub(crate) fn require<'n, 'a>(node: &'n TlvNode<'a>, tag: Tag) -> Result<&'n TlvNode<'a>, TemplateError> {
    child(node, tag).ok_or(TemplateError::MissingTag { tag, template: node.tlv.tag, offset: node.tlv.offset })
}

pub(crate) fn fixed<const N: usize>(node: &TlvNode<'_>, expected: &'static str) -> Result<[u8; N], TemplateError> {
    node.tlv.value.try_into().map_err(|_| TemplateError::BadValueLength {
        tag: node.tlv.tag,
        offset: node.tlv.offset,
        expected,
        found: node.tlv.value.len(),
    })
}

pub(crate) fn value_of<'a>(node: &TlvNode<'a>, tag: Tag) -> Option<&'a [u8]> {
    child(node, tag).map(|c| c.tlv.value)
}
