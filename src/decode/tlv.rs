//! `tapcert decode tlv`: the BER-TLV tree with EMV dictionary names, in JSON
//! `{"tlv": [NODE...], "findings": [FINDING...]}`.
//!
//! PANs, track data and cardholder names are masked in both outputs (first 6 and last 4 PAN
//! digits kept; the rule is `tapcert_parsers::tlv`'s, shared with every conformance log) unless
//! the caller asks for `--unmask`: decoded traces end up in reports and logs.

use serde_json::{Value, json};
use std::fmt::Write as _;
use tapcert_parsers::tlv::{
    DataFormat, Finding, Severity, Tag, TlvNode, decode_emv_tlv_padded, emv_dol_data_len, mask_emv_track1_text,
    mask_emv_value_hex, parse_emv_afl, parse_emv_dol, validate_emv_tlv,
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

/// The indented tree with dictionary names, readable values and PAN/track data masked; shared
/// by every format that embeds BER-TLV.
pub(crate) fn write_tree(nodes: &[TlvNode<'_>], depth: usize, pan: Pan, out: &mut String) {
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

/// The masked form of a value that carries a PAN, track data or a cardholder name (the rule of
/// `tapcert_parsers::tlv::mask_emv_value_hex`); `None` when there is nothing to mask. Track 1 is
/// shown as text.
fn masked_value(tag: Tag, value: &[u8], pan: Pan) -> Option<String> {
    if pan == Pan::Shown {
        return None;
    }
    if tag == Tag::TRACK1_DATA {
        return Some(mask_emv_track1_text(value));
    }
    mask_emv_value_hex(tag, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(tag: Tag, hex: &str) -> Option<String> {
        masked_value(tag, &hex::decode(hex).unwrap(), Pan::Masked)
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
            masked_value(Tag::TRACK1_DATA, b"B5413330089600010^TIP/PAYPASS^2512", Pan::Masked).unwrap(),
            "B541333******0010^****************"
        );
        assert_eq!(masked_value(Tag::PAN, &[0x54, 0x13], Pan::Shown), None);
        // Visa's 9F6B (card CVM limit, n12) has no separator: shown.
        assert_eq!(masked(Tag(0x9F6B), "000000010000"), None);
        assert_eq!(masked(Tag(0x9F1F), "3132").unwrap(), "****");
    }

    /// The CLI used to print the cardholder name (5F20) in clear while every conformance log
    /// hid it; one rule now, and the name is cardholder data (PCI DSS).
    #[test]
    fn cardholder_name_no_longer_leaks() {
        let d = decode_with(&hex::decode("5F200C544150434552542F54455354").unwrap(), Pan::Masked).unwrap();
        assert!(!d.human.contains("TAPCERT"), "{}", d.human);
        assert_eq!(d.json["tlv"][0]["value"], "*".repeat(24));
        assert_eq!(d.json["tlv"][0]["masked"], true);
    }
}
