//! `tapcert decode ndef | t4t-cc | t2t-tlv`: NDEF messages and the Type 4 / Type 2 Tag
//! containers that carry them. JSON shapes in docs/ndef.md.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};
use tapcert_parsers::ndef::{
    CcTlv, DEFAULT_MAX_DEPTH, DecodeOptions, KnownRecord, NdefFinding, NdefMessage, NdefRecord, T2tTlvArea, T2tTlvType,
    TextRecord, decode_known_record, decode_ndef_message, decode_t2t_memory, decode_t2t_tlvs, decode_t4t_cc,
    validate_ndef_message, validate_t2t_memory, validate_t2t_tlvs, validate_t4t_cc,
};

use super::{Decoded, Rejected, hex_upper};

/// `tapcert decode ndef`.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, Rejected> {
    let msg = decode_ndef_message(bytes).map_err(|e| Rejected::at(e.offset(), e))?;
    let findings = validate_ndef_message(bytes);
    let mut human = String::new();
    write_records(&msg, 0, &mut human);
    write_findings(&findings, &mut human);
    let json = json!({ "records": records_json(&msg, 0), "findings": findings_json(&findings) });
    Ok(Decoded { human, json, has_findings: !findings.is_empty() })
}

/// `tapcert decode t4t-cc`.
pub(crate) fn decode_t4t_cc_file(bytes: &[u8]) -> Result<Decoded, Rejected> {
    let cc = decode_t4t_cc(bytes).map_err(|e| Rejected::at(e.offset(), e))?;
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
                let _ = writeln!(human, "  TLV {tag:02X}: {}", hex_upper(value));
                tlvs.push(json!({ "tag": format!("{tag:02X}"), "value": hex_upper(value) }));
            }
        }
    }
    write_findings(&findings, &mut human);
    let json = json!({
        "cclen": cc.cclen,
        "mapping_version": version,
        "mle": cc.mle,
        "mlc": cc.mlc,
        "tlvs": tlvs,
        "after_cclen": hex_upper(cc.after_cclen),
        "findings": findings_json(&findings),
    });
    Ok(Decoded { human, json, has_findings: !findings.is_empty() })
}

/// `tapcert decode t2t-tlv`: a memory dump from page 0 (recognised by the CC magic E1 at byte
/// 12) or a bare TLV area.
pub(crate) fn decode_t2t(bytes: &[u8]) -> Result<Decoded, Rejected> {
    let mut human = String::new();
    let mut obj = Map::new();
    let (area, findings) = if bytes.len() >= 16 && bytes[12] == 0xE1 {
        let mem = decode_t2t_memory(bytes).map_err(|e| Rejected::at(e.offset(), e))?;
        let findings = validate_t2t_memory(&mem);
        let _ = writeln!(
            human,
            "UID {}  CC {:02X} version {}.{}  data area {} bytes  access {:02X}",
            hex_upper(&mem.uid),
            mem.cc.magic,
            mem.cc.version >> 4,
            mem.cc.version & 0x0F,
            mem.cc.data_area_size,
            mem.cc.access
        );
        obj.insert("layout".into(), "memory".into());
        obj.insert("uid".into(), hex_upper(&mem.uid).into());
        obj.insert(
            "cc".into(),
            json!({
                "magic": format!("{:02X}", mem.cc.magic),
                "version": format!("{}.{}", mem.cc.version >> 4, mem.cc.version & 0x0F),
                "data_area_size": mem.cc.data_area_size,
                "access": format!("{:02X}", mem.cc.access),
            }),
        );
        (mem.area, findings)
    } else {
        let area = decode_t2t_tlvs(bytes, 0).map_err(|e| Rejected::at(e.offset(), e))?;
        let findings = validate_t2t_tlvs(&area);
        obj.insert("layout".into(), "tlv".into());
        (area, findings)
    };
    obj.insert("tlvs".into(), t2t_tlvs_json(&area, &mut human)?);
    obj.insert("terminated".into(), area.terminated.into());
    write_findings(&findings, &mut human);
    obj.insert("findings".into(), findings_json(&findings));
    Ok(Decoded { human, json: Value::Object(obj), has_findings: !findings.is_empty() })
}

fn t2t_tlvs_json(area: &T2tTlvArea<'_>, human: &mut String) -> Result<Value, Rejected> {
    let mut out = Vec::new();
    for t in &area.tlvs {
        let mut o = Map::new();
        o.insert("type".into(), format!("{:02X}", t.tlv_type.0).into());
        o.insert("name".into(), t.tlv_type.name().into());
        o.insert("offset".into(), t.offset.into());
        let _ = write!(human, "TLV {:02X} {} at {}", t.tlv_type.0, t.tlv_type.name(), t.offset);
        if !matches!(t.tlv_type, T2tTlvType::NULL | T2tTlvType::TERMINATOR) {
            o.insert("length".into(), t.value.len().into());
            o.insert("value".into(), hex_upper(t.value).into());
            let _ = write!(human, " [{}]", t.value.len());
        }
        let _ = writeln!(human);
        if let Some((address, size)) = t.control_area() {
            o.insert("area".into(), json!({ "address": address, "size": size }));
        }
        if let Some(Some(msg)) = t.ndef_message().transpose().map_err(|e| Rejected::at(e.offset(), e))? {
            write_records(&msg, 0, human);
            o.insert("records".into(), records_json(&msg, 0));
        }
        out.push(Value::Object(o));
    }
    Ok(Value::Array(out))
}

/// The `{"records": [...]}` array; shared by every format that carries NDEF.
pub(crate) fn records_json(msg: &NdefMessage<'_>, depth: usize) -> Value {
    Value::Array(msg.records.iter().map(|r| record_json(r, depth)).collect())
}

/// Limits for decoding a record found `depth` messages deep: nested messages count against
/// the same depth limit as the parser's own.
fn options_at(depth: usize) -> DecodeOptions {
    DecodeOptions { max_depth: DEFAULT_MAX_DEPTH.saturating_sub(depth), ..DecodeOptions::default() }
}

fn record_json(rec: &NdefRecord<'_>, depth: usize) -> Value {
    let mut o = Map::new();
    o.insert("tnf".into(), rec.tnf.0.into());
    o.insert("type".into(), hex_upper(&rec.record_type).into());
    o.insert("id".into(), hex_upper(&rec.id).into());
    o.insert("payload".into(), hex_upper(&rec.payload).into());
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
                        "carrier_data_reference": hex_upper(ac.carrier_data_reference),
                        "auxiliary_data_references": ac.auxiliary_data_references.iter().map(|r| hex_upper(r)).collect::<Vec<_>>(),
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
                h.errors.iter().map(|(r, d)| json!({ "reason": r, "data": hex_upper(d) })).collect();
            o.insert("errors".into(), errors.into());
            o.insert("records".into(), records_json(&h.message, depth + 1));
            json!({ key: o })
        }
        KnownRecord::HandoverCarrier(hc) => json!({ "handover_carrier": {
            "ctf": hc.ctf.0, "carrier_type": lossy(hc.carrier_type), "carrier_data": hex_upper(hc.carrier_data) } }),
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
                "hash_type": s.hash_type, "signature": hex_upper(s.signature), "certificate_chain": chain } })
        }
        KnownRecord::Aar(a) => json!({ "aar": a.package }),
        KnownRecord::External(e) => json!({ "external": { "domain": e.domain, "type": e.name } }),
        KnownRecord::BluetoothOob(b) => json!({ "bluetooth_oob": {
            "oob_length": b.oob_length, "address": b.address(),
            "eir": b.eir.iter().map(|s| json!({ "type": s.eir_type, "data": hex_upper(s.data) })).collect::<Vec<_>>() } }),
        KnownRecord::BluetoothLeOob(ad) => json!({ "bluetooth_le_oob": {
            "ad": ad.iter().map(|s| json!({ "type": s.eir_type, "data": hex_upper(s.data) })).collect::<Vec<_>>() } }),
        KnownRecord::WifiWsc(attrs) => json!({ "wifi_wsc": {
            "attributes": attrs.iter().map(|a| json!({ "type": format!("{:04X}", a.attr_type), "length": a.value.len() })).collect::<Vec<_>>() } }),
        KnownRecord::Mime(m) => json!({ "mime": m.essence() }),
        KnownRecord::AbsoluteUri(u) => json!({ "absolute_uri": u }),
    }
}

fn findings_json(findings: &[NdefFinding]) -> Value {
    findings
        .iter()
        .map(|f| json!({ "rule": f.rule, "offset": f.offset, "detail": f.detail }))
        .collect::<Vec<_>>()
        .into()
}

fn write_findings(findings: &[NdefFinding], out: &mut String) {
    for f in findings {
        let _ = writeln!(out, "finding {} at offset {}: {}", f.rule, f.offset, f.detail);
    }
}

fn write_records(msg: &NdefMessage<'_>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for (i, rec) in msg.records.iter().enumerate() {
        let f = rec.flags;
        let flags: Vec<&str> = [(f.mb, "MB"), (f.me, "ME"), (f.cf, "CF"), (f.sr, "SR"), (f.il, "IL")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        let _ = write!(
            out,
            "{indent}record {i} at {}: TNF {} ({}) type {:?} payload [{}]",
            rec.offset,
            rec.tnf.0,
            rec.tnf.name(),
            lossy(&rec.record_type),
            rec.payload.len()
        );
        if !rec.id.is_empty() {
            let _ = write!(out, " id {:?}", lossy(&rec.id));
        }
        if rec.chunks > 1 {
            let _ = write!(out, " in {} chunks", rec.chunks);
        }
        let _ = writeln!(out, " [{}]", flags.join(" "));
        match decode_known_record(rec, &options_at(depth)) {
            Some(Ok(known)) => {
                let _ = writeln!(out, "{indent}  {}", known_json(&known, depth));
            }
            Some(Err(e)) => {
                let _ = writeln!(out, "{indent}  payload does not decode: {e}");
            }
            None => {
                let _ = writeln!(out, "{indent}  payload {}", hex_upper(&rec.payload));
            }
        }
    }
}
