//! A decoded document that is written in one style, as it is produced: the decode step finds
//! every error, counts the objects against the [`Budget`] and runs the validators; writing
//! then walks the input again and emits either the human tree or the JSON text, never both,
//! and never a whole tree in memory. Memory stays linear in the input with a small constant.
//!
//! ```
//! use tapcert_parsers::render::{Budget, Document, Mask, Style};
//! let doc = Document::tlv(&[0x9F, 0x36, 0x02, 0x00, 0x01], Mask::Masked, Budget::default()).unwrap();
//! let mut json = String::new();
//! doc.write(Style::Json, &mut json).unwrap();
//! assert!(json.contains("\"tag\": \"9F36\""));
//! let few = Budget { max_objects: 1 };
//! assert!(Document::tlv(&[0x9F, 0x36, 0x00, 0x9F, 0x36, 0x00], Mask::Masked, few).unwrap_err().over_budget);
//! ```

use core::fmt;
use std::borrow::Cow;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use super::{Mask, RenderError, Rendered};
use crate::Finding;
use crate::ndef::{DecodeOptions, NdefRecordIter, T2tTlvIter};
use crate::qr::MpmObject;

/// Findings listed in a document; the rest are counted (`"findings_omitted"` in JSON, a line
/// in the human tree) and still decide `--strict`.
pub const MAX_FINDINGS_LISTED: usize = 1000;

/// Limits of one decode. Memory is linear in the input whatever the budget; the budget
/// bounds the work and the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most objects (TLV objects, NDEF records, Type 2 Tag TLVs, QR data objects, UPI
    /// parameters) one input may hold, nested ones included.
    pub max_objects: usize,
}

impl Budget {
    /// The default object budget: real traces hold hundreds of objects; a megabyte dump of
    /// small objects fits.
    pub const DEFAULT_MAX_OBJECTS: usize = 1_000_000;

    /// Counts `n` more objects against the budget.
    pub(super) fn count(&self, counted: &mut usize, n: usize, offset: usize) -> Result<(), RenderError> {
        *counted = counted.saturating_add(n);
        if *counted > self.max_objects {
            return Err(RenderError {
                offset: Some(offset),
                message: format!(
                    "more than {} objects: over the object budget of one input (tapcert decode --max-objects)",
                    self.max_objects
                ),
                over_budget: true,
            });
        }
        Ok(())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_objects: Budget::DEFAULT_MAX_OBJECTS }
    }
}

/// The findings of one document: the first [`MAX_FINDINGS_LISTED`] kept, all counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    listed: Vec<Finding>,
    total: usize,
    violations: usize,
}

impl Findings {
    /// Adds one finding.
    pub fn push(&mut self, f: Finding) {
        self.total += 1;
        if f.is_violation() {
            self.violations += 1;
        }
        if self.listed.len() < MAX_FINDINGS_LISTED {
            self.listed.push(f);
        }
    }

    /// The findings kept, in the order found.
    pub fn listed(&self) -> &[Finding] {
        &self.listed
    }

    /// How many were found.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Whether some finding (listed or not) is a violation.
    pub fn has_violation(&self) -> bool {
        self.violations > 0
    }

    pub(super) fn from_vec(all: Vec<Finding>) -> Self {
        let mut f = Findings::default();
        all.into_iter().for_each(|x| f.push(x));
        f
    }

    fn write_human(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        if self.total == 0 {
            return out.write_str("findings: none\n");
        }
        out.write_str("findings:\n")?;
        for f in &self.listed {
            writeln!(out, "  {f}")?;
        }
        if self.total > self.listed.len() {
            writeln!(
                out,
                "  ... and {} more (only the first {MAX_FINDINGS_LISTED} are listed)",
                self.total - self.listed.len()
            )?;
        }
        Ok(())
    }
}

/// Which rendering to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The indented tree for people.
    Human,
    /// The JSON document (pretty-printed).
    Json,
}

/// The repeated part of a document, walked again when it is written.
pub(super) enum Items<'a> {
    /// No array.
    None,
    /// BER-TLV objects of `bytes` (well formed, checked), `depth` levels into the human tree.
    Tlv { bytes: Cow<'a, [u8]>, mask: Mask, depth: usize },
    /// The records of the NDEF message `bytes` (decoded whole, checked), read one at a time.
    Ndef(&'a [u8]),
    /// The Type 2 Tag TLV blocks of a data `area` at `base` in the input (checked), read one
    /// at a time.
    T2t { area: &'a [u8], base: usize },
    /// MPM data objects.
    Mpm(Vec<MpmObject<'a>>),
    /// UPI link parameters.
    Upi(Vec<(String, String)>),
}

/// A decoded input, ready to be written in one [`Style`].
pub struct Document<'a> {
    /// Human lines before the items.
    pub(super) human_head: String,
    /// Human lines after the items (before the findings).
    pub(super) human_tail: String,
    /// JSON keys before the items' array.
    pub(super) json_head: Map<String, Value>,
    /// The JSON key of the items' array.
    pub(super) json_key: &'static str,
    pub(super) items: Items<'a>,
    /// JSON keys after the items' array.
    pub(super) json_tail: Map<String, Value>,
    /// The validators' findings; `None` for formats without a validator.
    pub(super) findings: Option<Findings>,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document").field("json_head", &self.json_head).field("findings", &self.findings).finish()
    }
}

impl<'a> Document<'a> {
    /// A document built whole (single small objects: an ATR, a C-APDU, a CC file).
    pub(super) fn built(human: String, json: Value, findings: Option<Vec<Finding>>) -> Self {
        let json_head = match json {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Document {
            human_head: human,
            human_tail: String::new(),
            json_head,
            json_key: "",
            items: Items::None,
            json_tail: Map::new(),
            findings: findings.map(Findings::from_vec),
        }
    }

    /// Whether some finding breaks a rule: what `decode --strict` fails on.
    pub fn has_violation(&self) -> bool {
        self.findings.as_ref().is_some_and(Findings::has_violation)
    }

    /// The findings, for formats that have a validator.
    pub fn findings(&self) -> Option<&Findings> {
        self.findings.as_ref()
    }

    /// Writes the document in `style`. Stops at the first write error.
    pub fn write(&self, style: Style, out: &mut dyn fmt::Write) -> fmt::Result {
        match style {
            Style::Human => {
                out.write_str(&self.human_head)?;
                self.items.write_human(out)?;
                out.write_str(&self.human_tail)?;
                match &self.findings {
                    Some(f) => f.write_human(out),
                    None => Ok(()),
                }
            }
            Style::Json => {
                let mut w = FmtIo { out, failed: false };
                let mut ser = serde_json::Serializer::pretty(&mut w);
                let result = JsonDoc(self).serialize(&mut ser);
                if result.is_err() || w.failed {
                    return Err(fmt::Error);
                }
                w.out.write_str("\n")
            }
        }
    }

    /// Both renderings in memory, for reports and tests (what [`Rendered`] holds).
    pub fn into_rendered(self) -> Rendered {
        let mut human = String::new();
        let mut json = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(Style::Human, &mut human);
        let _ = self.write(Style::Json, &mut json);
        let json = serde_json::from_str(&json).unwrap_or(Value::Null);
        Rendered { human, json, findings: self.findings.map(|f| f.listed).unwrap_or_default() }
    }
}

struct JsonDoc<'d, 'a>(&'d Document<'a>);

impl Serialize for JsonDoc<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut m = ser.serialize_map(None)?;
        for (k, v) in &d.json_head {
            m.serialize_entry(k, v)?;
        }
        if !matches!(d.items, Items::None) {
            m.serialize_entry(d.json_key, &ItemsJson(&d.items))?;
        }
        for (k, v) in &d.json_tail {
            m.serialize_entry(k, v)?;
        }
        if let Some(f) = &d.findings {
            m.serialize_entry("findings", f.listed())?;
            if f.total() > f.listed().len() {
                m.serialize_entry("findings_omitted", &(f.total() - f.listed().len()))?;
            }
        }
        m.end()
    }
}

struct ItemsJson<'d, 'a>(&'d Items<'a>);

impl Serialize for ItemsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Items::None => ser.serialize_seq(Some(0))?.end(),
            Items::Tlv { bytes, mask, .. } => super::tlv::TlvSeq::new(bytes, 0, *mask).serialize(ser),
            Items::Ndef(bytes) => lazy_seq(ser, ndef_records(bytes).map(|r| super::ndef::record_json(&r, 0))),
            Items::T2t { area, base } => {
                lazy_seq(ser, T2tTlvIter::new(area, *base).map_while(Result::ok).map(|t| super::ndef::t2t_tlv_json(&t)))
            }
            Items::Mpm(objects) => lazy_seq(ser, objects.iter().map(|o| super::qr::obj_json(o, None, 0))),
            Items::Upi(params) => lazy_seq(ser, params.iter().map(|(k, v)| serde_json::json!({"key": k, "value": v}))),
        }
    }
}

impl Items<'_> {
    fn write_human(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Items::None => Ok(()),
            Items::Tlv { bytes, mask, depth } => super::tlv::write_tree(bytes, 0, *depth, *mask, out),
            Items::Ndef(bytes) => super::ndef::write_records(ndef_records(bytes), 0, out),
            Items::T2t { area, base } => {
                T2tTlvIter::new(area, *base).map_while(Result::ok).try_for_each(|t| super::ndef::write_t2t_tlv(&t, out))
            }
            Items::Mpm(objects) => super::qr::write_objects(objects, None, 0, out),
            Items::Upi(params) => params.iter().try_for_each(|(k, v)| writeln!(out, "  {k}: {v:?}")),
        }
    }
}

/// The records of a message that decoded whole, one at a time.
fn ndef_records(bytes: &[u8]) -> impl Iterator<Item = crate::ndef::NdefRecord<'_>> {
    NdefRecordIter::new(bytes, DecodeOptions::default()).map_while(Result::ok)
}

/// A JSON array of values made one at a time: only one element exists at once.
pub(super) fn lazy_seq<S: Serializer, T: Serialize>(ser: S, items: impl Iterator<Item = T>) -> Result<S::Ok, S::Error> {
    let mut seq = ser.serialize_seq(None)?;
    for item in items {
        seq.serialize_element(&item)?;
    }
    seq.end()
}

/// serde_json writes to `io::Write`; this hands its text to a `fmt::Write` (no I/O here).
struct FmtIo<'o> {
    out: &'o mut dyn fmt::Write,
    failed: bool,
}

impl std::io::Write for FmtIo<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // serde_json writes whole UTF-8 sequences (punctuation, escapes, slices of strings).
        let text = core::str::from_utf8(buf).map_err(std::io::Error::other)?;
        if self.out.write_str(text).is_err() {
            self.failed = true;
            return Err(std::io::Error::other("write failed"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
