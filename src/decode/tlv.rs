//! `tapcert decode tlv`: the BER-TLV tree with EMV dictionary names, in JSON
//! `{"tlv": [NODE...], "findings": [FINDING...]}`.
//!
//! PANs and track data are masked in both outputs (first 6 and last 4 PAN digits kept) unless
//! the caller asks for `--unmask`: decoded traces end up in reports and logs.

use serde_json::{Value, json};
use std::fmt::Write as _;
use tapcert_parsers::tlv::{
    DataFormat, Finding, Severity, Tag, TlvNode, decode_emv_tlv_padded, emv_dol_data_len, parse_emv_afl, parse_emv_dol,
    validate_emv_tlv,
};

use super::{Decoded, Rejected, hex_upper};

/// Whether PANs and track data are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pan {
    /// First 6 and last 4 PAN digits, everything else `*` (the default everywhere).
    Masked,
    /// Everything as received (`--unmask`).
    Shown,
}

/// Decodes with PANs masked (the contract every format follows).
#[allow(dead_code)]
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, Rejected> {
    decode_with(bytes, Pan::Masked)
}

/// Decodes, choosing whether PANs and track data are masked.
pub(crate) fn decode_with(bytes: &[u8], pan: Pan) -> Result<Decoded, Rejected> {
    let (nodes, trailing_padding) = decode_emv_tlv_padded(bytes).map_err(|e| Rejected::at(e.offset(), e))?;
    let findings = validate_emv_tlv(&nodes, trailing_padding);
    let mut human = String::new();
    write_tree(&nodes, 0, pan, &mut human);
    if trailing_padding > 0 {
        let _ = writeln!(human, "({trailing_padding} byte(s) of 00 padding after the last object)");
    }
    if !findings.is_empty() {
        let _ = writeln!(human, "findings:");
        for f in &findings {
            let _ = writeln!(human, "  {f}");
        }
    }
    let json = json!({
        "tlv": nodes.iter().map(|n| node_json_with(n, pan)).collect::<Vec<_>>(),
        "findings": findings.iter().map(finding_json).collect::<Vec<_>>(),
    });
    let has_findings = findings.iter().any(|f| f.severity >= Severity::Warning);
    Ok(Decoded { human, json, has_findings })
}

/// The JSON shape of one node, shared with every format that embeds BER-TLV (PANs masked).
#[allow(dead_code)]
pub(crate) fn node_json(node: &TlvNode<'_>) -> Value {
    node_json_with(node, Pan::Masked)
}

/// [`node_json`] with the masking chosen by the caller.
pub(crate) fn node_json_with(node: &TlvNode<'_>, pan: Pan) -> Value {
    let t = &node.tlv;
    let mut obj = serde_json::Map::new();
    obj.insert("tag".into(), t.tag.to_string().into());
    if let Some(name) = t.tag.name() {
        obj.insert("name".into(), name.into());
    }
    obj.insert("len".into(), t.length.value.into());
    obj.insert("offset".into(), t.offset.into());
    if t.padding_before > 0 {
        obj.insert("padding".into(), t.padding_before.into());
    }
    if t.is_constructed() {
        obj.insert("children".into(), node.children.iter().map(|c| node_json_with(c, pan)).collect::<Vec<_>>().into());
    } else if let Some(masked) = masked_value(t.tag, t.value, pan) {
        obj.insert("value".into(), masked.into());
        obj.insert("masked".into(), true.into());
    } else {
        obj.insert("value".into(), hex_upper(t.value).into());
    }
    Value::Object(obj)
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "offset": f.offset,
        "tag": f.tag.map(|t| t.to_string()),
        "message": f.message,
    })
}

fn write_tree(nodes: &[TlvNode<'_>], depth: usize, pan: Pan, out: &mut String) {
    for node in nodes {
        let t = &node.tlv;
        let indent = "  ".repeat(depth);
        let name = t.tag.name().map(|n| format!(" {n}")).unwrap_or_default();
        if t.is_constructed() {
            let _ = writeln!(out, "{indent}{}{name} [{}]", t.tag, t.length.value);
            write_tree(&node.children, depth + 1, pan, out);
        } else if let Some(masked) = masked_value(t.tag, t.value, pan) {
            let _ = writeln!(out, "{indent}{}{name} [{}] {masked} (masked)", t.tag, t.length.value);
        } else {
            let shown = readable(t.tag, t.value).map(|r| format!(" {r}")).unwrap_or_default();
            let _ = writeln!(out, "{indent}{}{name} [{}] {}{shown}", t.tag, t.length.value, hex_upper(t.value));
        }
    }
}

/// The value in its obvious reading: text for a/an/ans, digits for n and cn.
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
            let digits = hex_upper(value);
            let trimmed = digits.trim_end_matches('F');
            (trimmed.len() < digits.len() && trimmed.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("= {trimmed}"))
        }
        _ => None,
    }
}

/// Masks a PAN's digits: first 6 and last 4 kept when it is long enough, else all hidden.
fn mask_pan(digits: &str) -> String {
    let n = digits.chars().count();
    if n <= 10 {
        return "*".repeat(n);
    }
    let head: String = digits.chars().take(6).collect();
    let tail: String = digits.chars().skip(n - 4).collect();
    format!("{head}{}{tail}", "*".repeat(n - 10))
}

/// The masked form of a value that carries a PAN or track data; `None` when nothing to mask.
fn masked_value(tag: Tag, value: &[u8], pan: Pan) -> Option<String> {
    if pan == Pan::Shown {
        return None;
    }
    match tag {
        Tag::PAN => {
            let digits = hex_upper(value);
            let pan_digits = digits.trim_end_matches('F');
            Some(format!("{}{}", mask_pan(pan_digits), "F".repeat(digits.len() - pan_digits.len())))
        }
        Tag::TRACK2_EQUIVALENT_DATA => Some(mask_track2(&hex_upper(value))),
        // Mastercard's 9F6B is track 2; Visa's is a 6-byte amount, left as is.
        Tag::TRACK2_DATA if hex_upper(value).contains('D') => Some(mask_track2(&hex_upper(value))),
        Tag::TRACK1_DATA => Some(mask_track1(value)),
        Tag(0x9F1F) | Tag(0x9F20) => Some("*".repeat(value.len() * 2)),
        _ => None,
    }
}

/// `PAN D YYMM SSS discretionary F`: the PAN masked, everything after the separator hidden.
fn mask_track2(nibbles: &str) -> String {
    match nibbles.split_once('D') {
        Some((pan, rest)) => format!("{}D{}", mask_pan(pan), "*".repeat(rest.len())),
        None => "*".repeat(nibbles.len()),
    }
}

/// `B PAN ^ NAME ^ YYMM SSS discretionary`: format code kept, PAN masked, the rest hidden.
fn mask_track1(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut chars = text.chars();
    let Some(code) = chars.next() else { return String::new() };
    let rest: String = chars.collect();
    match rest.split_once('^') {
        Some((pan, after)) => format!("{code}{}^{}", mask_pan(pan), "*".repeat(after.chars().count())),
        None => format!("{code}{}", "*".repeat(rest.chars().count())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_pan_and_tracks() {
        assert_eq!(mask_pan("5413330089600010"), "541333******0010");
        assert_eq!(mask_pan("374245001771004"), "374245*****1004");
        assert_eq!(mask_pan("12345"), "*****");
        assert_eq!(
            masked_value(Tag::PAN, &[0x37, 0x42, 0x45, 0x00, 0x17, 0x71, 0x00, 0x4F], Pan::Masked).unwrap(),
            "374245*****1004F"
        );
        assert_eq!(mask_track2("5413330089600010D25122010123409172"), "541333******0010D*****************");
        assert_eq!(mask_track1(b"B5413330089600010^TIP/PAYPASS^2512"), "B541333******0010^****************");
        assert_eq!(masked_value(Tag::PAN, &[0x54, 0x13], Pan::Shown), None);
        // Visa's 9F6B (card CVM limit, n12) has no separator: shown.
        assert_eq!(masked_value(Tag(0x9F6B), &[0, 0, 0, 0x01, 0x00, 0x00], Pan::Masked), None);
    }
}
