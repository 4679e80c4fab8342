//! The documents of decoded formats, for people and for programs: what `tapcert decode`
//! prints, and what certification reports embed, from one place (feature `serde`).
//!
//! Each `render_*` function decodes its input, runs the format's validators, and returns a
//! [`Rendered`]: an indented tree for people, a JSON document (shapes in `docs/decode-json.md`,
//! `docs/ndef.md`, `docs/qr.md`), and the [`Finding`]s. Every JSON document that has a
//! validator carries them under `"findings"`, in the one JSON shape of [`Finding`]
//! (`{"rule", "severity", "step"?, "path"?, "offset"?, "char_offset"?, "message"}`).
//!
//! PANs, track data and cardholder names are masked (first 6 and last 4 PAN digits kept, the
//! rule of [`crate::tlv::mask_emv_hex`]) unless [`Mask::Shown`] is asked for, in every format
//! that can carry them: BER-TLV, command and response APDUs, CPM QR payloads.
//!
//! ```
//! use tapcert_parsers::render::{Mask, render_tlv};
//! let r = render_tlv(&[0x5A, 0x08, 0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10], Mask::Masked).unwrap();
//! assert_eq!(r.json["tlv"][0]["value"], "541333******0010");
//! assert!(r.human.contains("541333******0010") && r.findings.is_empty());
//! let r = render_tlv(&[0x5A, 0x08, 0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10], Mask::Shown).unwrap();
//! assert_eq!(r.json["tlv"][0]["value"], "5413330089600010");
//! assert!(render_tlv(&[0x5A, 0x09, 0x54], Mask::Masked).is_err());
//! ```

mod apdu;
mod atr;
mod document;
mod ndef;
mod qr;
mod tlv;

use core::fmt;

pub use apdu::{render_capdu, render_rapdu};
pub use atr::render_atr;
pub use document::{Budget, Document, Findings, MAX_FINDINGS_LISTED, Style};
pub use ndef::{render_ndef, render_t2t, render_t4t_cc};
pub use qr::render_qr;
pub use tlv::render_tlv;

use crate::Finding;

/// Whether PANs, track data and cardholder names are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mask {
    /// First 6 and last 4 PAN digits, everything else `*` (the default everywhere).
    #[default]
    Masked,
    /// Everything as received.
    Shown,
}

/// A decoded input: the tree for people, the JSON document, the findings. Both renderings are
/// built; to print one of them without holding either, use a [`Document`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The indented tree a person reads (ends with a newline).
    pub human: String,
    /// The stable JSON document.
    pub json: serde_json::Value,
    /// What the format's validators found (also in `json["findings"]`, when it has a
    /// validator): the first [`MAX_FINDINGS_LISTED`].
    pub findings: Vec<Finding>,
}

impl Rendered {
    /// Whether some finding breaks a rule (warning or error): what `decode --strict` fails on.
    pub fn has_violation(&self) -> bool {
        self.findings.iter().any(Finding::is_violation)
    }
}

/// Input a format rejected: where, and what was wrong, in the format's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// Byte offset (character offset for text formats) of the fault, when there is one.
    pub offset: Option<usize>,
    /// The format's error message.
    pub message: String,
    /// The input is well formed so far but holds more objects than [`Budget::max_objects`].
    pub over_budget: bool,
}

impl RenderError {
    fn at(offset: impl Into<Option<usize>>, message: impl fmt::Display) -> Self {
        RenderError { offset: offset.into(), message: message.to_string(), over_budget: false }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Format errors mostly say where already; add the offset only when the message does not.
        match self.offset {
            Some(offset) if !self.message.contains("offset") => write!(f, "at offset {offset}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for RenderError {}
