//! NDEF messages and the Type 4 / Type 2 Tag containers that carry them (shapes in
//! docs/ndef.md).

use core::fmt;
use core::fmt::Write as _;
use std::borrow::Borrow;

use serde_json::{Map, Value, json};

use super::document::{Budget, Document, Findings, Items};
use super::{RenderError, Rendered};
use crate::ndef::message::check_message_at;
use crate::ndef::t2t::decode_t2t_memory_header;
use crate::ndef::{
    CcTlv, DEFAULT_MAX_DEPTH, DecodeOptions, KnownRecord, NdefError, NdefMessage, NdefRecord, T2tTlv, T2tTlvIter,
    T2tTlvType, TextRecord, decode_known_record, decode_t4t_cc, validate_ndef_message_into, validate_t2t_memory_into,
    validate_t2t_tlvs_into, validate_t4t_cc,
};
use crate::tlv::upper_hex;

/// Decodes and validates an NDEF message: `{"records": [RECORD], "findings": [FINDING]}`.
///
/// ```
/// use tapcert_parsers::render::render_ndef;
/// let r = render_ndef(&[0x50, 0x00, 0x00]).unwrap(); // MB clear
/// assert_eq!(r.json["findings"][0]["rule"], "NDEF.MB-FIRST");
/// assert!(r.has_violation());
/// ```
pub fn render_ndef(bytes: &[u8]) -> Result<Rendered, RenderError> {
    Ok(Document::ndef(bytes, Budget::default())?.into_rendered())
}

/// Decodes and validates a Type 4 Tag CC file.
pub fn render_t4t_cc(bytes: &[u8]) -> Result<Rendered, RenderError> {
    Ok(Document::t4t_cc(bytes)?.into_rendered())
}

/// Decodes and validates Type 2 Tag TLV blocks: a memory dump from page 0 (recognised by the CC
/// magic E1 at byte 12) or a bare TLV area.
pub fn render_t2t(bytes: &[u8]) -> Result<Rendered, RenderError> {
    Ok(Document::t2t(bytes, Budget::default())?.into_rendered())
}

impl<'a> Document<'a> {
    /// [`render_ndef`] as a [`Document`], checked against `budget`.
    pub fn ndef(bytes: &'a [u8], budget: Budget) -> Result<Self, RenderError> {
        // The errors of decode_ndef_message, without keeping the records: they are read again
        // one at a time when the document is written.
        let opts = DecodeOptions::default();
        let (records, end) = check_message_at(bytes, 0, &opts).map_err(|e| RenderError::at(e.offset(), e))?;
        if end < bytes.len() {
            let e = NdefError::TrailingData { offset: end };
            return Err(RenderError::at(e.offset(), e));
        }
        budget.count(&mut 0, records, bytes.len())?;
        let mut findings = Findings::default();
        validate_ndef_message_into(bytes, &opts, &mut |f| findings.push(f));
        let mut doc = Document::built(String::new(), json!({}), None);
        doc.findings = Some(findings);
        doc.json_key = "records";
        doc.items = Items::Ndef(bytes);
        Ok(doc)
    }

    /// [`render_t4t_cc`] as a [`Document`].
    pub fn t4t_cc(bytes: &'a [u8]) -> Result<Self, RenderError> {
        let cc = decode_t4t_cc(bytes).map_err(|e| RenderError::at(e.offset(), e))?;
        let findings = validate_t4t_cc(&cc);
        let mut human = String::new();
        let version = format!("{}.{}", cc.mapping_version >> 4, cc.mapping_version & 0x0F);
        let _ = writeln!(human, "CCLEN {}  mapping version {version}  MLe {}  MLc {}", cc.cclen, cc.mle, cc.mlc);
        let mut tlvs = Vec::new();
        for tlv in &cc.tlvs {
            match tlv {
                CcTlv::FileControl(fc) => {
                    let _ = writeln!(
                        human,
                        "  TLV {:02X}: file {:04X}  max size {}  read {:02X}  write {:02X}",
                        fc.tag, fc.file_id, fc.max_size, fc.read_access, fc.write_access
                    );
                    tlvs.push(json!({
                        "tag": format!("{:02X}", fc.tag),
                        "file_id": format!("{:04X}", fc.file_id),
                        "max_size": fc.max_size,
                        "read_access": format!("{:02X}", fc.read_access),
                        "write_access": format!("{:02X}", fc.write_access),
                    }));
                }
                CcTlv::Other { tag, value } => {
                    let _ = writeln!(human, "  TLV {tag:02X}: {}", upper_hex(value));
                    tlvs.push(json!({ "tag": format!("{tag:02X}"), "value": upper_hex(value) }));
                }
            }
        }
        let json = json!({
            "cclen": cc.cclen,
            "mapping_version": version,
            "mle": cc.mle,
            "mlc": cc.mlc,
            "tlvs": tlvs,
            "after_cclen": upper_hex(cc.after_cclen),
        });
        Ok(Document::built(human, json, Some(findings)))
    }

    /// [`render_t2t`] as a [`Document`], checked against `budget` (TLV blocks and the records
    /// of the messages they carry).
    pub fn t2t(bytes: &'a [u8], budget: Budget) -> Result<Self, RenderError> {
        let mut human = String::new();
        let mut obj = Map::new();
        let mut findings = Findings::default();
        let (area, base) = if bytes.len() >= 16 && bytes[12] == 0xE1 {
            let (mem, area) = decode_t2t_memory_header(bytes).map_err(|e| RenderError::at(e.offset(), e))?;
            let _ = writeln!(
                human,
                "UID {}  CC {:02X} version {}.{}  data area {} bytes  access {:02X}",
                upper_hex(&mem.uid),
                mem.cc.magic,
                mem.cc.version >> 4,
                mem.cc.version & 0x0F,
                mem.cc.data_area_size,
                mem.cc.access
            );
            obj.insert("layout".into(), "memory".into());
            obj.insert("uid".into(), upper_hex(&mem.uid).into());
            obj.insert(
                "cc".into(),
                json!({
                    "magic": format!("{:02X}", mem.cc.magic),
                    "version": format!("{}.{}", mem.cc.version >> 4, mem.cc.version & 0x0F),
                    "data_area_size": mem.cc.data_area_size,
                    "access": format!("{:02X}", mem.cc.access),
                }),
            );
            (area, 16)
        } else {
            obj.insert("layout".into(), "tlv".into());
            (bytes, 0)
        };
        // The errors of decode_t2t_tlvs, block by block without keeping the blocks.
        let mut blocks = T2tTlvIter::new(area, base);
        let mut count = 0;
        for t in blocks.by_ref() {
            t.map_err(|e| RenderError::at(e.offset(), e))?;
            count += 1;
        }
        let terminated = blocks.terminated();
        if base == 16 {
            validate_t2t_memory_into(bytes, &mut |f| findings.push(f));
        } else {
            validate_t2t_tlvs_into(area, base, &mut |f| findings.push(f));
        }
        let mut counted = 0;
        budget.count(&mut counted, count, bytes.len())?;
        // Messages that do not decode reject the input before anything is written.
        for t in T2tTlvIter::new(area, base).map_while(Result::ok) {
            if let Some(Some(msg)) = t.ndef_message().transpose().map_err(|e| RenderError::at(e.offset(), e))? {
                budget.count(&mut counted, msg.records.len(), t.offset)?;
            }
        }
        let mut doc = Document::built(human, Value::Object(obj), None);
        doc.findings = Some(findings);
        doc.json_key = "tlvs";
        doc.json_tail.insert("terminated".into(), terminated.into());
        doc.items = Items::T2t { area, base };
        Ok(doc)
    }
}

/// One Type 2 Tag TLV block as JSON (with the records of the message it carries).
pub(super) fn t2t_tlv_json(t: &T2tTlv<'_>) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), format!("{:02X}", t.tlv_type.0).into());
    o.insert("name".into(), t.tlv_type.name().into());
    o.insert("offset".into(), t.offset.into());
    if !matches!(t.tlv_type, T2tTlvType::NULL | T2tTlvType::TERMINATOR) {
        o.insert("length".into(), t.value.len().into());
        o.insert("value".into(), upper_hex(t.value).into());
    }
    if let Some((address, size)) = t.control_area() {
        o.insert("area".into(), json!({ "address": address, "size": size }));
    }
    // Checked when the document was decoded.
    if let Some(Ok(Some(msg))) = t.ndef_message() {
        o.insert("records".into(), records_json(&msg, 0));
    }
    Value::Object(o)
}

/// One Type 2 Tag TLV block as human lines (with the records of the message it carries).
pub(super) fn write_t2t_tlv(t: &T2tTlv<'_>, out: &mut dyn fmt::Write) -> fmt::Result {
    write!(out, "TLV {:02X} {} at {}", t.tlv_type.0, t.tlv_type.name(), t.offset)?;
    if !matches!(t.tlv_type, T2tTlvType::NULL | T2tTlvType::TERMINATOR) {
        write!(out, " [{}]", t.value.len())?;
    }
    writeln!(out)?;
    if let Some(Ok(Some(msg))) = t.ndef_message() {
        write_records(msg.records.iter(), 0, out)?;
    }
    Ok(())
}

/// The `{"records": [...]}` array; shared by every format that carries NDEF.
fn records_json(msg: &NdefMessage<'_>, depth: usize) -> Value {
    Value::Array(msg.records.iter().map(|r| record_json(r, depth)).collect())
}

/// Limits for decoding a record found `depth` messages deep: nested messages count against
/// the same depth limit as the parser's own.
fn options_at(depth: usize) -> DecodeOptions {
    DecodeOptions { max_depth: DEFAULT_MAX_DEPTH.saturating_sub(depth), ..DecodeOptions::default() }
}

pub(super) fn record_json(rec: &NdefRecord<'_>, depth: usize) -> Value {
    let mut o = Map::new();
    o.insert("tnf".into(), rec.tnf.0.into());
    o.insert("type".into(), upper_hex(&rec.record_type).into());
    o.insert("id".into(), upper_hex(&rec.id).into());
    o.insert("payload".into(), upper_hex(&rec.payload).into());
    o.insert("chunks".into(), rec.chunks.into());
    o.insert("offset".into(), rec.offset.into());
    let f = rec.flags;
    o.insert("flags".into(), json!({ "mb": f.mb, "me": f.me, "cf": f.cf, "sr": f.sr, "il": f.il }));
    if let Some(Ok(known)) = decode_known_record(rec, &options_at(depth)) {
        o.insert("decoded".into(), known_json(&known, depth));
    }
    Value::Object(o)
}

fn text_json(t: &TextRecord<'_>) -> Value {
    json!({ "text": t.text, "lang": t.lang, "encoding": t.encoding.name() })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn known_json(k: &KnownRecord<'_>, depth: usize) -> Value {
    match k {
        KnownRecord::Text(t) => text_json(t),
        KnownRecord::Uri(u) => json!({ "uri": u.uri() }),
        KnownRecord::SmartPoster(sp) => {
            let mut o = Map::new();
            if let Some(u) = &sp.uri {
                o.insert("uri".into(), u.uri().into());
            }
            o.insert("titles".into(), sp.titles.iter().map(text_json).collect::<Vec<_>>().into());
            if let Some(a) = sp.action {
                o.insert("action".into(), a.name().into());
            }
            if let Some(s) = sp.size {
                o.insert("size".into(), s.into());
            }
            if let Some(t) = sp.target_type {
                o.insert("type".into(), t.into());
            }
            let icons: Vec<Value> = sp.icons.iter().map(|(m, d)| json!({ "mime": m, "length": d.len() })).collect();
            o.insert("icons".into(), icons.into());
            o.insert("records".into(), records_json(&sp.message, depth + 1));
            json!({ "smart_poster": o })
        }
        KnownRecord::HandoverSelect(h) | KnownRecord::HandoverRequest(h) => {
            let key = if matches!(k, KnownRecord::HandoverSelect(_)) { "handover_select" } else { "handover_request" };
            let carriers: Vec<Value> = h
                .alternative_carriers
                .iter()
                .map(|ac| {
                    json!({
                        "cps": ac.cps.name(),
                        "carrier_data_reference": upper_hex(ac.carrier_data_reference),
                        "auxiliary_data_references": ac.auxiliary_data_references.iter().map(|r| upper_hex(r)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let mut o = Map::new();
            o.insert("version".into(), format!("{}.{}", h.version >> 4, h.version & 0x0F).into());
            o.insert("carriers".into(), carriers.into());
            if let Some(cr) = h.collision_resolution {
                o.insert("collision_resolution".into(), cr.into());
            }
            let errors: Vec<Value> =
                h.errors.iter().map(|(r, d)| json!({ "reason": r, "data": upper_hex(d) })).collect();
            o.insert("errors".into(), errors.into());
            o.insert("records".into(), records_json(&h.message, depth + 1));
            json!({ key: o })
        }
        KnownRecord::HandoverCarrier(hc) => json!({ "handover_carrier": {
            "ctf": hc.ctf.0, "carrier_type": lossy(hc.carrier_type), "carrier_data": upper_hex(hc.carrier_data) } }),
        KnownRecord::Signature(s) => {
            let chain = s.certificate_chain.as_ref().map(|c| {
                json!({
                    "uri_present": c.uri_present,
                    "format": c.format,
                    "certificate_lengths": c.certificates.iter().map(|c| c.len()).collect::<Vec<_>>(),
                    "uri": c.uri.map(lossy),
                })
            });
            json!({ "signature": {
                "version": s.version, "uri_present": s.signature_uri_present, "signature_type": s.signature_type,
                "hash_type": s.hash_type, "signature": upper_hex(s.signature), "certificate_chain": chain } })
        }
        KnownRecord::Aar(a) => json!({ "aar": a.package }),
        KnownRecord::External(e) => json!({ "external": { "domain": e.domain, "type": e.name } }),
        KnownRecord::BluetoothOob(b) => json!({ "bluetooth_oob": {
            "oob_length": b.oob_length, "address": b.address(),
            "eir": b.eir.iter().map(|s| json!({ "type": s.eir_type, "data": upper_hex(s.data) })).collect::<Vec<_>>() } }),
        KnownRecord::BluetoothLeOob(ad) => json!({ "bluetooth_le_oob": {
            "ad": ad.iter().map(|s| json!({ "type": s.eir_type, "data": upper_hex(s.data) })).collect::<Vec<_>>() } }),
        KnownRecord::WifiWsc(attrs) => json!({ "wifi_wsc": {
            "attributes": attrs.iter().map(|a| json!({ "type": format!("{:04X}", a.attr_type), "length": a.value.len() })).collect::<Vec<_>>() } }),
        KnownRecord::Mime(m) => json!({ "mime": m.essence() }),
        KnownRecord::AbsoluteUri(u) => json!({ "absolute_uri": u }),
    }
}

pub(super) fn write_records<'r, R: Borrow<NdefRecord<'r>>>(
    records: impl Iterator<Item = R>,
    depth: usize,
    out: &mut dyn fmt::Write,
) -> fmt::Result {
    let indent = "  ".repeat(depth);
    for (i, rec) in records.enumerate() {
        let rec = rec.borrow();
        let f = rec.flags;
        let flags: Vec<&str> = [(f.mb, "MB"), (f.me, "ME"), (f.cf, "CF"), (f.sr, "SR"), (f.il, "IL")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        write!(
            out,
            "{indent}record {i} at {}: TNF {} ({}) type {:?} payload [{}]",
            rec.offset,
            rec.tnf.0,
            rec.tnf.name(),
            lossy(&rec.record_type),
            rec.payload.len()
        )?;
        if !rec.id.is_empty() {
            write!(out, " id {:?}", lossy(&rec.id))?;
        }
        if rec.chunks > 1 {
            write!(out, " in {} chunks", rec.chunks)?;
        }
        writeln!(out, " [{}]", flags.join(" "))?;
        match decode_known_record(rec, &options_at(depth)) {
            Some(Ok(known)) => writeln!(out, "{indent}  {}", known_json(&known, depth))?,
            Some(Err(e)) => writeln!(out, "{indent}  payload does not decode: {e}")?,
            None => writeln!(out, "{indent}  payload {}", upper_hex(&rec.payload))?,
        }
    }
    Ok(())
}
