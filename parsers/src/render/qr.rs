//! EMV QR payment payloads (shapes in docs/qr.md); the input is text, not bytes.
//!
//! - MPM: `{"kind": "emvco-mpm", "crc": {"stated", "computed", "ok"} | null, "profiles": [..],
//!   "objects": [OBJ], "findings": [FINDING]}`, OBJ = `{"id", "name"?, "offset", "value"}` or
//!   `{"id", "name"?, "offset", "objects": [OBJ]}`.
//! - CPM: `{"kind": "emvco-cpm", "tlv": [NODE], "findings": [FINDING]}` (NODE as for BER-TLV;
//!   PAN and track 2 masked unless [`Mask::Shown`]).
//! - UPI link: `{"kind": "upi-link", "verb", "params": [{"key", "value"}], "findings": [FINDING]}`.
//! - Wallet code: `{"kind": "wallet-code", "code", "digits", "wallet", "rule", "findings": [FINDING]}`.

use core::fmt;

use serde_json::{Map, Value, json};

use super::document::{Budget, Document, Findings, Items};
use super::{Mask, RenderError, Rendered};
use crate::qr::{
    CpmError, MpmId, MpmObject, QrPayloadKind, classify_qr_payload, classify_wallet_code, crc_hex,
    decode_qr_cpm_base64, decode_qr_mpm, detect_profiles, mpm_id_name, parse_qr_cpm, parse_upi_link,
    validate_qr_cpm_into, validate_qr_mpm_into, validate_upi_link, validate_wallet_code,
};

/// Decodes and validates QR payload text as `kind`, or as what [`classify_qr_payload`] says
/// when `kind` is `None`. Surrounding ASCII whitespace (a newline from a pipe) is ignored, and
/// offsets count characters from the first non-blank one.
///
/// ```
/// use tapcert_parsers::render::{Mask, render_qr};
/// let r = render_qr("upi://pay?pa=shop@npci&pn=Shop\n", None, Mask::Masked).unwrap();
/// assert_eq!((r.json["kind"].as_str(), r.findings.len()), (Some("upi-link"), 0));
/// assert_eq!(render_qr("hello", None, Mask::Masked).unwrap_err().offset, Some(0));
/// ```
pub fn render_qr(raw: &str, kind: Option<QrPayloadKind>, mask: Mask) -> Result<Rendered, RenderError> {
    Ok(Document::qr(raw, kind, mask, Budget::default())?.into_rendered())
}

impl<'a> Document<'a> {
    /// [`render_qr`] as a [`Document`], checked against `budget`.
    pub fn qr(raw: &'a str, kind: Option<QrPayloadKind>, mask: Mask, budget: Budget) -> Result<Self, RenderError> {
        let text = raw.trim_matches(|c: char| c.is_ascii_whitespace());
        let kind = kind.or_else(|| classify_qr_payload(text)).ok_or_else(|| {
            RenderError::at(
                0,
                "not a QR payment payload: expected EMVCo MPM (digits, starting 000201), EMVCo CPM (base64 of 85 'CPV01'), a upi:// link or a numeric wallet payment code",
            )
        })?;
        match kind {
            QrPayloadKind::Mpm => mpm(text, budget),
            QrPayloadKind::Cpm => cpm(text, mask, budget),
            QrPayloadKind::UpiLink => upi(text, budget),
            QrPayloadKind::WalletCode => wallet(text),
        }
    }
}

/// Names are known at the top level and one level into templates.
fn name(parent: Option<MpmId>, depth: usize, id: MpmId) -> Option<&'static str> {
    if depth <= 1 { mpm_id_name(parent, id) } else { None }
}

pub(super) fn obj_json(o: &MpmObject<'_>, parent: Option<MpmId>, depth: usize) -> Value {
    let mut m = Map::new();
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

pub(super) fn write_objects(
    objects: &[MpmObject<'_>],
    parent: Option<MpmId>,
    depth: usize,
    out: &mut dyn fmt::Write,
) -> fmt::Result {
    for o in objects {
        let pad = "  ".repeat(depth + 1);
        let label = name(parent, depth, o.id).map(|n| format!(" {n}")).unwrap_or_default();
        match &o.children {
            Some(children) => {
                writeln!(out, "{pad}{} [{}]{label}", o.id, o.value_chars())?;
                write_objects(children, if depth == 0 { Some(o.id) } else { parent }, depth + 1, out)?;
            }
            None => writeln!(out, "{pad}{} [{}]{label}: {:?}", o.id, o.value_chars(), o.value)?,
        }
    }
    Ok(())
}

fn mpm(text: &str, budget: Budget) -> Result<Document<'_>, RenderError> {
    let qr = decode_qr_mpm(text).map_err(|e| RenderError::at(e.offset(), e))?;
    let nested: usize = qr.objects.iter().map(|o| o.children.as_ref().map_or(0, Vec::len)).sum();
    budget.count(&mut 0, qr.objects.len() + nested, 0)?;
    let mut findings = Findings::default();
    validate_qr_mpm_into(&qr, &mut |f| findings.push(f));
    let profiles: Vec<&str> = detect_profiles(&qr).iter().map(|p| p.as_str()).collect();
    let crc = qr.crc.map(|c| json!({"stated": c.stated, "computed": crc_hex(c.computed), "ok": c.ok()}));
    let json = json!({ "kind": QrPayloadKind::Mpm.as_str(), "crc": crc, "profiles": profiles });
    let human = format!("EMVCo MPM, profiles: {}\n", profiles.join(", "));
    let mut doc = Document::built(human, json, None);
    doc.findings = Some(findings);
    doc.human_tail = match qr.crc {
        Some(c) => {
            let verdict = if c.ok() { "ok" } else { "MISMATCH" };
            format!("CRC stated {} computed {} {verdict}\n", c.stated, crc_hex(c.computed))
        }
        None => "CRC not found (the last object is not 63 with length 04)\n".into(),
    };
    doc.json_key = "objects";
    doc.items = Items::Mpm(qr.objects);
    Ok(doc)
}

fn cpm(text: &str, mask: Mask, budget: Budget) -> Result<Document<'static>, RenderError> {
    let bytes = decode_qr_cpm_base64(text).map_err(|e| RenderError::at(e.offset(), e))?;
    // The budget first; then the CPM grammar's own errors, which say more than ours. The walk
    // accepts exactly what parse_qr_cpm accepts (the same iterator and depth limit), so a
    // payload that passes is validated object by object, never built into a tree.
    match super::tlv::check_emv_tlv(&bytes, budget) {
        Err(e) if e.over_budget => return Err(e),
        Ok(_) if !bytes.is_empty() => {}
        _ => {
            let e = parse_qr_cpm(&bytes).err().unwrap_or(CpmError::Empty);
            return Err(RenderError::at(e.offset(), format!("{e} (offset in bytes of the decoded payload)")));
        }
    }
    let mut findings = Findings::default();
    validate_qr_cpm_into(&bytes, &mut |f| findings.push(f));
    let json = json!({ "kind": QrPayloadKind::Cpm.as_str() });
    // The same tree as BER-TLV: names, readable values, PAN and track data masked.
    let mut doc = Document::built(format!("EMVCo CPM, {} bytes\n", bytes.len()), json, None);
    doc.findings = Some(findings);
    doc.json_key = "tlv";
    doc.items = Items::Tlv { bytes: bytes.into(), mask, depth: 1 };
    Ok(doc)
}

fn upi(text: &str, budget: Budget) -> Result<Document<'static>, RenderError> {
    let link = parse_upi_link(text).map_err(|e| RenderError::at(e.offset(), e))?;
    budget.count(&mut 0, link.params.len(), 0)?;
    let findings = validate_upi_link(&link);
    let json = json!({ "kind": QrPayloadKind::UpiLink.as_str(), "verb": link.verb });
    let mut doc = Document::built(format!("UPI link, verb {}\n", link.verb), json, Some(findings));
    doc.json_key = "params";
    doc.items = Items::Upi(link.params);
    Ok(doc)
}

fn wallet(text: &str) -> Result<Document<'static>, RenderError> {
    let code = classify_wallet_code(text).map_err(|e| RenderError::at(e.offset(), e))?;
    let findings = validate_wallet_code(&code);
    let wallet = code.wallet.map(|w| w.as_str());
    let json = json!({
        "kind": QrPayloadKind::WalletCode.as_str(),
        "code": code.code,
        "digits": code.code.len(),
        "wallet": wallet,
        "rule": code.rule,
    });
    let human = format!(
        "wallet payment code, {} digits: {}\n  rule: {}\n",
        code.code.len(),
        wallet.unwrap_or("unknown wallet"),
        code.rule
    );
    Ok(Document::built(human, json, Some(findings)))
}
