//! BER-TLV as EMV uses it: `{"tlv": [NODE...], "findings": [FINDING...]}`, NODE =
//! `{"tag", "name"?, "len", "offset", "padding"?, "children" | "value", "masked"?}`. The same
//! NODE shape serves every format that embeds BER-TLV (response data, CPM QR payloads).

use core::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::document::{Budget, Document, Findings, Items};
use super::{Mask, RenderError, Rendered};
use crate::tlv::{
    DEFAULT_MAX_DEPTH, DataFormat, Tag, Tlv, TlvError, TlvIter, emv_dol_data_len, mask_emv_track1_text,
    mask_emv_value_hex, parse_emv_afl, parse_emv_dol, upper_hex, validate_emv_tlv_bytes,
};

/// Decodes and validates a BER-TLV sequence (`00` padding allowed, as EMV allows it).
pub fn render_tlv(bytes: &[u8], mask: Mask) -> Result<Rendered, RenderError> {
    Ok(Document::tlv(bytes, mask, Budget::default())?.into_rendered())
}

impl<'a> Document<'a> {
    /// [`render_tlv`] as a [`Document`]: checked against `budget`, written in one style.
    pub fn tlv(bytes: &'a [u8], mask: Mask, budget: Budget) -> Result<Self, RenderError> {
        let trailing_padding = check_emv_tlv(bytes, budget)?;
        let mut findings = Findings::default();
        validate_emv_tlv_bytes(bytes, &mut |f| findings.push(f));
        let mut doc = Document::built(String::new(), serde_json::json!({}), None);
        doc.json_key = "tlv";
        doc.items = Items::Tlv { bytes: bytes.into(), mask, depth: 0 };
        if trailing_padding > 0 {
            doc.human_tail = format!("({trailing_padding} byte(s) of 00 padding after the last object)\n");
        }
        doc.findings = Some(findings);
        Ok(doc)
    }
}

/// Walks every object of a sequence without building anything: the errors and depth limit of
/// [`crate::tlv::decode_emv_tlv_padded`], and the object budget. Returns the padding after
/// the last object.
pub(super) fn check_emv_tlv(bytes: &[u8], budget: Budget) -> Result<usize, RenderError> {
    fn level(it: &mut TlvIter<'_>, depth: usize, counted: &mut usize, budget: Budget) -> Result<(), RenderError> {
        for item in it {
            let t = item.map_err(reject)?;
            if depth > DEFAULT_MAX_DEPTH {
                return Err(reject(TlvError::DepthLimit { offset: t.offset, limit: DEFAULT_MAX_DEPTH }));
            }
            budget.count(counted, 1, t.offset)?;
            if t.is_constructed() {
                level(&mut t.children(), depth + 1, counted, budget)?;
            }
        }
        Ok(())
    }
    let mut it = TlvIter::new(bytes);
    level(&mut it, 1, &mut 0, budget)?;
    Ok(it.trailing_padding())
}

fn reject(e: TlvError) -> RenderError {
    RenderError::at(e.offset(), e)
}

/// The NODE array of a well-formed sequence, made node by node as it is serialized.
pub(super) struct TlvSeq<'a> {
    bytes: &'a [u8],
    base: usize,
    mask: Mask,
}

impl<'a> TlvSeq<'a> {
    pub(super) fn new(bytes: &'a [u8], base: usize, mask: Mask) -> Self {
        TlvSeq { bytes, base, mask }
    }
}

impl Serialize for TlvSeq<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut seq = ser.serialize_seq(None)?;
        for t in TlvIter::with_base(self.bytes, self.base).map_while(Result::ok) {
            seq.serialize_element(&TlvNodeJson { t, mask: self.mask })?;
        }
        seq.end()
    }
}

struct TlvNodeJson<'a> {
    t: Tlv<'a>,
    mask: Mask,
}

impl Serialize for TlvNodeJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = &self.t;
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("tag", &t.tag.to_string())?;
        if let Some(name) = t.tag.name() {
            m.serialize_entry("name", name)?;
        }
        m.serialize_entry("len", &t.length.value)?;
        m.serialize_entry("offset", &t.offset)?;
        if t.padding_before > 0 {
            m.serialize_entry("padding", &t.padding_before)?;
        }
        if t.is_constructed() {
            m.serialize_entry("children", &TlvSeq::new(t.value, t.value_offset(), self.mask))?;
        } else if let Some(masked) = masked_value(t.tag, t.value, self.mask) {
            m.serialize_entry("value", &masked)?;
            m.serialize_entry("masked", &true)?;
        } else {
            m.serialize_entry("value", &upper_hex(t.value))?;
        }
        m.end()
    }
}

/// The indented tree of a well-formed sequence (at `base` in the input) with dictionary names
/// and readable values, `depth` levels in.
pub(super) fn write_tree(bytes: &[u8], base: usize, depth: usize, mask: Mask, out: &mut dyn fmt::Write) -> fmt::Result {
    for t in TlvIter::with_base(bytes, base).map_while(Result::ok) {
        let indent = "  ".repeat(depth);
        let name = t.tag.name().map(|n| format!(" {n}")).unwrap_or_default();
        if t.is_constructed() {
            writeln!(out, "{indent}{}{name} [{}]", t.tag, t.length.value)?;
            write_tree(t.value, t.value_offset(), depth + 1, mask, out)?;
        } else if let Some(masked) = masked_value(t.tag, t.value, mask) {
            writeln!(out, "{indent}{}{name} [{}] {masked} (masked)", t.tag, t.length.value)?;
        } else {
            let shown = readable(t.tag, t.value).map(|r| format!(" {r}")).unwrap_or_default();
            writeln!(out, "{indent}{}{name} [{}] {}{shown}", t.tag, t.length.value, upper_hex(t.value))?;
        }
    }
    Ok(())
}

/// The value in its obvious reading: text for a/an/ans, digits for cn, DOL and AFL entries.
fn readable(tag: Tag, value: &[u8]) -> Option<String> {
    if matches!(tag, Tag::PDOL | Tag::CDOL1 | Tag::CDOL2 | Tag::DDOL | Tag::TDOL) {
        let entries = parse_emv_dol(value).ok()?;
        let list: Vec<_> = entries.iter().map(|e| format!("{}:{}", e.tag, e.len)).collect();
        return Some(format!("= DOL {} ({} bytes)", list.join(" "), emv_dol_data_len(&entries)));
    }
    if tag == Tag::AFL {
        let entries = parse_emv_afl(value).ok()?;
        let list: Vec<_> = entries
            .iter()
            .map(|e| format!("SFI {} rec {}-{} ODA {}", e.sfi, e.first_record, e.last_record, e.oda_records))
            .collect();
        return Some(format!("= AFL {}", list.join(", ")));
    }
    let info = tag.info()?;
    match info.format {
        DataFormat::A | DataFormat::An | DataFormat::Ans if value.iter().all(|b| (0x20..=0x7E).contains(b)) => {
            Some(format!("{:?}", String::from_utf8_lossy(value)))
        }
        // n is its own hex; cn reads as its digits once the F padding is gone.
        DataFormat::Cn => {
            let digits = upper_hex(value);
            let trimmed = digits.trim_end_matches('F');
            (trimmed.len() < digits.len() && trimmed.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("= {trimmed}"))
        }
        _ => None,
    }
}

/// The masked form of a value that carries a PAN, track data or a cardholder name; `None` when
/// there is nothing to mask or masking is off. Track 1 is shown as text.
fn masked_value(tag: Tag, value: &[u8], mask: Mask) -> Option<String> {
    if mask == Mask::Shown {
        return None;
    }
    if tag == Tag::TRACK1_DATA {
        return Some(mask_emv_track1_text(value));
    }
    mask_emv_value_hex(tag, value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn masked(tag: Tag, hex: &str) -> Option<String> {
        masked_value(tag, &hex::decode(hex).unwrap(), Mask::Masked)
    }

    #[test]
    fn masks_pan_and_tracks() {
        assert_eq!(masked(Tag::PAN, "5413330089600010").unwrap(), "541333******0010");
        assert_eq!(masked(Tag::PAN, "374245001771004F").unwrap(), "374245*****1004F");
        assert_eq!(masked(Tag::PAN, "12345F").unwrap(), "*****F");
        assert_eq!(
            masked(Tag::TRACK2_EQUIVALENT_DATA, "5413330089600010D25122010123409172").unwrap(),
            "541333******0010D*****************"
        );
        assert_eq!(
            masked_value(Tag::TRACK1_DATA, b"B5413330089600010^TIP/PAYPASS^2512", Mask::Masked).unwrap(),
            "B541333******0010^****************"
        );
        assert_eq!(masked_value(Tag::PAN, &[0x54, 0x13], Mask::Shown), None);
        // Visa's 9F6B (card CVM limit, n12) has no separator: shown.
        assert_eq!(masked(Tag(0x9F6B), "000000010000"), None);
        assert_eq!(masked(Tag(0x9F1F), "3132").unwrap(), "****");
    }

    /// The CLI used to print the cardholder name (5F20) in clear while every conformance log
    /// hid it; one rule now, and the name is cardholder data (PCI DSS).
    #[test]
    fn cardholder_name_does_not_leak() {
        let d = render_tlv(&hex::decode("5F200C544150434552542F54455354").unwrap(), Mask::Masked).unwrap();
        assert!(!d.human.contains("TAPCERT"), "{}", d.human);
        assert_eq!(d.json["tlv"][0]["value"], "*".repeat(24));
        assert_eq!(d.json["tlv"][0]["masked"], true);
    }

    #[test]
    fn findings_in_the_one_shape() {
        let d = render_tlv(&[0x9A, 0x81, 0x03, 0x26, 0x11, 0x22], Mask::Masked).unwrap();
        assert_eq!(
            d.json["findings"][0],
            json!({"rule": "TLV.LENGTH.NON-MINIMAL", "severity": "warning", "path": "9A", "offset": 1,
                   "message": "length 3 encoded in 2 bytes; the minimal form takes fewer"})
        );
        assert!(d.has_violation());
        assert!(d.human.contains("warning TLV.LENGTH.NON-MINIMAL at 9A, offset 1"), "{}", d.human);
    }
}
