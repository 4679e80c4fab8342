//! `tapcert decode qr|qr-mpm|qr-cpm TEXT`: EMV QR payment payloads. The input is text, not hex.
//!
//! `qr` detects the kind: a `upi://` link, a numeric wallet payment code (16-24 digits), an
//! EMVCo CPM payload (base64 whose first byte is `85`), otherwise an EMVCo MPM payload.
//! JSON shapes (documented in docs/qr.md):
//!
//! - MPM: `{"kind": "emvco-mpm", "crc": {"stated", "computed", "ok"} | null, "profiles": [..],
//!   "objects": [OBJ], "findings": [FINDING]}`, OBJ = `{"id", "name"?, "offset", "value"}` or
//!   `{"id", "name"?, "offset", "objects": [OBJ]}`.
//! - CPM: `{"kind": "emvco-cpm", "tlv": [NODE], "findings": [FINDING]}`.
//! - UPI link: `{"kind": "upi-link", "verb", "params": [{"key", "value"}], "findings": [FINDING]}`.
//! - Wallet code: `{"kind": "wallet-code", "code", "digits", "wallet", "rule", "findings": [FINDING]}`.
//!
//! FINDING = `{"profile", "rule", "id", "message"}` (`id` null when the rule is about the
//! whole payload).

use std::fmt::Write as _;

use anyhow::Context as _;
use serde_json::{Value, json};
use tapcert_parsers::qr::{
    Finding, MpmId, MpmObject, classify_wallet_code, crc_hex, decode_qr_cpm_base64, decode_qr_mpm, detect_profiles,
    mpm_id_name, parse_qr_cpm, parse_upi_link, validate_qr_cpm, validate_qr_mpm, validate_upi_link,
};

use super::tlv::node_json;
use super::{DecodeArgs, Decoded, Format, Rejected, read_input_text};

/// True for the formats whose input is text.
pub(crate) fn is_qr(format: Format) -> bool {
    matches!(format, Format::Qr | Format::QrMpm | Format::QrCpm)
}

/// The payload text from the argument, standard input or `--bin FILE` (read as UTF-8).
pub(crate) fn read_text(args: &DecodeArgs) -> anyhow::Result<String> {
    match &args.bin {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {} as UTF-8 text", path.display()))
        }
        None => read_input_text(args.input_text().as_deref()),
    }
}

/// Decodes QR text. Surrounding ASCII whitespace (a newline from a pipe) is ignored, and
/// offsets in rejections count characters from the first non-blank one.
pub(crate) fn decode(raw: &str, format: Format) -> Result<Decoded, Rejected> {
    let text = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    match format {
        Format::QrMpm => mpm(text),
        Format::QrCpm => cpm(text),
        _ => auto(text),
    }
}

fn auto(text: &str) -> Result<Decoded, Rejected> {
    if text.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("upi:")) {
        return upi(text);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with("000201") {
        return wallet(text);
    }
    if decode_qr_cpm_base64(text).is_ok_and(|b| b.first() == Some(&0x85)) {
        return cpm(text);
    }
    if !text.as_bytes().get(..2).is_some_and(|b| b.iter().all(u8::is_ascii_digit)) {
        return Err(Rejected::at(
            0,
            "not a QR payment payload: expected EMVCo MPM (digits, starting 000201), EMVCo CPM (base64 of 85 'CPV01'), a upi:// link or a numeric wallet payment code",
        ));
    }
    mpm(text)
}

fn findings_json(findings: &[Finding]) -> Value {
    findings
        .iter()
        .map(|f| json!({"profile": f.profile.as_str(), "rule": f.rule, "id": f.id, "message": f.message}))
        .collect::<Vec<_>>()
        .into()
}

fn write_findings(findings: &[Finding], out: &mut String) {
    if findings.is_empty() {
        out.push_str("findings: none\n");
    }
    for f in findings {
        let _ = writeln!(out, "finding [{}/{}] {}: {}", f.profile, f.rule, f.id.as_deref().unwrap_or("-"), f.message);
    }
}

/// Names are known at the top level and one level into templates.
fn name(parent: Option<MpmId>, depth: usize, id: MpmId) -> Option<&'static str> {
    if depth <= 1 { mpm_id_name(parent, id) } else { None }
}

fn obj_json(o: &MpmObject<'_>, parent: Option<MpmId>, depth: usize) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("id".into(), o.id.to_string().into());
    if let Some(n) = name(parent, depth, o.id) {
        m.insert("name".into(), n.into());
    }
    m.insert("offset".into(), o.offset.into());
    match &o.children {
        Some(children) => {
            let inner = if depth == 0 { Some(o.id) } else { parent };
            m.insert(
                "objects".into(),
                children.iter().map(|c| obj_json(c, inner, depth + 1)).collect::<Vec<_>>().into(),
            );
        }
        None => {
            m.insert("value".into(), o.value.into());
        }
    }
    Value::Object(m)
}

fn write_objects(objects: &[MpmObject<'_>], parent: Option<MpmId>, depth: usize, out: &mut String) {
    for o in objects {
        let pad = "  ".repeat(depth + 1);
        let label = name(parent, depth, o.id).map(|n| format!(" {n}")).unwrap_or_default();
        match &o.children {
            Some(children) => {
                let _ = writeln!(out, "{pad}{} [{}]{label}", o.id, o.value_chars());
                write_objects(children, if depth == 0 { Some(o.id) } else { parent }, depth + 1, out);
            }
            None => {
                let _ = writeln!(out, "{pad}{} [{}]{label}: {:?}", o.id, o.value_chars(), o.value);
            }
        }
    }
}

fn mpm(text: &str) -> Result<Decoded, Rejected> {
    let qr = decode_qr_mpm(text).map_err(|e| Rejected::at(e.offset(), e))?;
    let findings = validate_qr_mpm(&qr);
    let profiles: Vec<&str> = detect_profiles(&qr).iter().map(|p| p.as_str()).collect();
    let crc = qr.crc.map(|c| json!({"stated": c.stated, "computed": crc_hex(c.computed), "ok": c.ok()}));
    let json = json!({
        "kind": "emvco-mpm",
        "crc": crc,
        "profiles": profiles,
        "objects": qr.objects.iter().map(|o| obj_json(o, None, 0)).collect::<Vec<_>>(),
        "findings": findings_json(&findings),
    });
    let mut human = format!("EMVCo MPM, profiles: {}\n", profiles.join(", "));
    write_objects(&qr.objects, None, 0, &mut human);
    match qr.crc {
        Some(c) => {
            let verdict = if c.ok() { "ok" } else { "MISMATCH" };
            let _ = writeln!(human, "CRC stated {} computed {} {verdict}", c.stated, crc_hex(c.computed));
        }
        None => human.push_str("CRC not found (the last object is not 63 with length 04)\n"),
    }
    write_findings(&findings, &mut human);
    Ok(Decoded { human, json, has_findings: !findings.is_empty() })
}

fn cpm(text: &str) -> Result<Decoded, Rejected> {
    let bytes = decode_qr_cpm_base64(text).map_err(|e| Rejected::at(e.offset(), e))?;
    let nodes = parse_qr_cpm(&bytes)
        .map_err(|e| Rejected::at(e.offset(), format!("{e} (offset in bytes of the decoded payload)")))?;
    let findings = validate_qr_cpm(&nodes);
    let json = json!({
        "kind": "emvco-cpm",
        "tlv": nodes.iter().map(node_json).collect::<Vec<_>>(),
        "findings": findings_json(&findings),
    });
    let mut human = format!("EMVCo CPM, {} bytes\n", bytes.len());
    // The same tree as `decode tlv`: names, readable values, PAN and track data masked.
    super::tlv::write_tree(&nodes, 1, super::tlv::Pan::Masked, &mut human);
    write_findings(&findings, &mut human);
    Ok(Decoded { human, json, has_findings: !findings.is_empty() })
}

fn upi(text: &str) -> Result<Decoded, Rejected> {
    let link = parse_upi_link(text).map_err(|e| Rejected::at(e.offset(), e))?;
    let findings = validate_upi_link(&link);
    let json = json!({
        "kind": "upi-link",
        "verb": link.verb,
        "params": link.params.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
        "findings": findings_json(&findings),
    });
    let mut human = format!("UPI link, verb {}\n", link.verb);
    for (k, v) in &link.params {
        let _ = writeln!(human, "  {k}: {v:?}");
    }
    write_findings(&findings, &mut human);
    Ok(Decoded { human, json, has_findings: !findings.is_empty() })
}

fn wallet(text: &str) -> Result<Decoded, Rejected> {
    let code = classify_wallet_code(text).map_err(|e| Rejected::at(e.offset(), e))?;
    let wallet = code.wallet.map(|w| w.as_str());
    let findings: Vec<Value> = if wallet.is_none() {
        vec![json!({"profile": "wallet-code", "rule": "unknown-wallet", "id": null, "message": code.rule})]
    } else {
        Vec::new()
    };
    let json = json!({
        "kind": "wallet-code",
        "code": code.code,
        "digits": code.code.len(),
        "wallet": wallet,
        "rule": code.rule,
        "findings": findings,
    });
    let human = format!(
        "wallet payment code, {} digits: {}\n  rule: {}\n",
        code.code.len(),
        wallet.unwrap_or("unknown wallet"),
        code.rule
    );
    Ok(Decoded { human, json, has_findings: wallet.is_none() })
}
