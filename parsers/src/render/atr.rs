//! ISO/IEC 7816-3 answers to reset and PC/SC contactless pseudo-ATRs (shape in
//! docs/decode-json.md, "atr"). Byte offsets (of the historical bytes, of compact-TLV objects)
//! come from the parser: [`Atr::historical_offset`].

use core::fmt::Write as _;

use serde_json::{Value, json};

use super::document::Document;
use super::{RenderError, Rendered};
use crate::atr::{
    Atr, ContactlessAtr, ErrorDetection, HistoricalBytes, StatusIndicator, decode_historical_bytes, storage_card_name,
    storage_standard_name,
};
use crate::tlv::upper_hex;
use crate::{Finding, Location, Severity};

fn hex_opt(b: Option<u8>) -> Value {
    b.map_or(Value::Null, |b| format!("{b:02X}").into())
}

fn status_json(s: &StatusIndicator) -> Value {
    json!({ "lcs": hex_opt(s.lcs), "sw": s.sw.map(|sw| sw.to_string()) })
}

fn historical_json(atr: &Atr<'_>, base: usize, contactless: Option<&ContactlessAtr<'_>>) -> (Value, Option<Finding>) {
    let bytes = upper_hex(atr.historical);
    if let Some(ContactlessAtr::Storage { .. }) = contactless {
        return (json!({ "bytes": bytes, "category": "80", "kind": "pcsc-storage" }), None);
    }
    let objects = |objs: &[crate::atr::CompactTlv<'_>]| -> Value {
        objs.iter()
            .map(|o| json!({ "tag": format!("{:X}", o.tag), "name": o.name(), "value": upper_hex(o.value), "offset": o.offset }))
            .collect::<Vec<_>>()
            .into()
    };
    match decode_historical_bytes(atr.historical, base) {
        Ok(HistoricalBytes::Empty) => (json!({ "bytes": bytes, "category": null, "kind": "empty" }), None),
        Ok(HistoricalBytes::CompactTlvWithStatus { objects: o, status }) => (
            json!({ "bytes": bytes, "category": "00", "kind": "compact-tlv+status", "objects": objects(&o),
                    "status": status_json(&status) }),
            None,
        ),
        Ok(HistoricalBytes::DirDataReference { reference }) => (
            json!({ "bytes": bytes, "category": "10", "kind": "dir-reference", "reference": upper_hex(reference) }),
            None,
        ),
        Ok(HistoricalBytes::CompactTlv { objects: o, status }) => (
            json!({ "bytes": bytes, "category": "80", "kind": "compact-tlv", "objects": objects(&o),
                    "status": status.as_ref().map(status_json) }),
            None,
        ),
        Ok(HistoricalBytes::Reserved { category, .. }) => {
            (json!({ "bytes": bytes, "category": format!("{category:02X}"), "kind": "reserved" }), None)
        }
        Ok(HistoricalBytes::Proprietary { category, .. }) => {
            (json!({ "bytes": bytes, "category": format!("{category:02X}"), "kind": "proprietary" }), None)
        }
        Err(e) => {
            let category = atr.historical.first().map(|c| format!("{c:02X}"));
            let finding = Finding::new(
                "ATR.HISTORICAL.MALFORMED",
                Severity::Warning,
                Location::byte(e.offset().unwrap_or(base)),
                e.to_string(),
            );
            (
                json!({ "bytes": bytes, "category": category, "kind": "malformed", "error": e.to_string() }),
                Some(finding),
            )
        }
    }
}

fn contactless_json(c: &ContactlessAtr<'_>) -> Value {
    match *c {
        ContactlessAtr::Storage { standard, card_name, rfu } => json!({
            "kind": "storage",
            "rid": "A000000306",
            "standard": format!("{standard:02X}"),
            "standard_name": storage_standard_name(standard),
            "card_name": format!("{card_name:04X}"),
            "card": storage_card_name(card_name),
            "rfu": upper_hex(&rfu),
            "description": c.describe(),
        }),
        ContactlessAtr::Iso14443_4 { historical } => json!({
            "kind": "iso14443-4",
            "historical": upper_hex(historical),
            "description": c.describe(),
        }),
    }
}

/// Decodes an ATR (or a PC/SC contactless pseudo-ATR). Historical bytes that do not decode
/// are the one finding, `ATR.HISTORICAL.MALFORMED` (a warning at the byte offset of the fault).
///
/// ```
/// use tapcert_parsers::render::render_atr;
/// let r = render_atr(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
/// assert_eq!((r.json["protocols"][0].as_u64(), r.json["historical"]["bytes"].as_str()), (Some(0), Some("1450")));
/// ```
pub fn render_atr(bytes: &[u8]) -> Result<Rendered, RenderError> {
    Ok(Document::atr(bytes)?.into_rendered())
}

impl Document<'static> {
    /// [`render_atr`] as a [`Document`].
    pub fn atr(bytes: &[u8]) -> Result<Self, RenderError> {
        atr_document(bytes)
    }
}

fn atr_document(bytes: &[u8]) -> Result<Document<'static>, RenderError> {
    let atr = Atr::from_bytes(bytes).map_err(|e| RenderError::at(e.offset(), e))?;
    let base = atr.historical_offset();
    let contactless = ContactlessAtr::recognise(&atr);
    let (mut historical, finding) = historical_json(&atr, base, contactless.as_ref());
    let caps = decode_historical_bytes(atr.historical, base).ok().and_then(|h| h.card_capabilities());
    if let Some(c) = caps {
        historical["card_capabilities"] = json!({
            "selection_methods": format!("{:02X}", c.selection_methods),
            "data_coding": hex_opt(c.data_coding),
            "command_chaining": c.command_chaining,
            "extended_length": c.extended_length,
            "max_logical_channels": c.max_logical_channels,
        });
    }

    let interface: Vec<Value> = atr
        .groups
        .iter()
        .enumerate()
        .map(|(j, g)| {
            json!({ "i": j + 1, "ta": hex_opt(g.ta), "tb": hex_opt(g.tb), "tc": hex_opt(g.tc),
                    "td": hex_opt(atr.td_byte(j + 1)), "td_protocol": g.td })
        })
        .collect();
    let t1 = atr.t1_parameters().map(|p| {
        json!({ "ifsc": p.ifsc, "bwi": p.bwi, "cwi": p.cwi,
                "error_detection": p.error_detection.map(|e| match e { ErrorDetection::Lrc => "LRC", ErrorDetection::Crc => "CRC" }) })
    });
    let parameters = json!({
        "ta1": atr.clock_rate().map(|r| json!({ "fi": r.fi, "f_max_khz": r.f_max_khz, "di": r.di })),
        "extra_guard_time": atr.extra_guard_time(),
        "specific_mode": atr.specific_mode().map(|m| json!({ "protocol": m.protocol, "can_change": m.can_change,
                                                               "implicit_parameters": m.implicit_parameters })),
        "t0_wi": atr.t0_waiting_integer(),
        "t1": t1,
        "t15": atr.global_t15().map(|g| json!({ "clock_stop": g.clock_stop, "classes": g.classes, "spu": hex_opt(g.spu) })),
    });
    let json = json!({
        "atr": upper_hex(bytes),
        "ts": format!("{:02X}", atr.convention.ts()),
        "convention": format!("{:?}", atr.convention).to_lowercase(),
        "t0": format!("{:02X}", atr.t0()),
        "historical_count": atr.historical.len(),
        "interface_bytes": interface,
        "protocols": atr.protocols(),
        "global_t15": atr.has_global_t15(),
        "parameters": parameters,
        "historical": historical,
        "tck": hex_opt(atr.tck),
        "tck_required": atr.tck_required(),
        "contactless": contactless.as_ref().map(contactless_json),
    });

    let mut h = String::new();
    let _ = writeln!(h, "ATR {}", upper_hex(bytes));
    let _ = writeln!(h, "  TS  {:02X}  {:?} convention", atr.convention.ts(), atr.convention);
    let _ = writeln!(h, "  T0  {:02X}  {} historical byte(s)", atr.t0(), atr.historical.len());
    for (j, g) in atr.groups.iter().enumerate() {
        let i = j + 1;
        for (name, b) in [("TA", g.ta), ("TB", g.tb), ("TC", g.tc)] {
            if let Some(b) = b {
                let _ = writeln!(h, "  {name}{i} {b:02X}");
            }
        }
        if let (Some(td), Some(t)) = (atr.td_byte(i), g.td) {
            let _ = writeln!(h, "  TD{i} {td:02X}  T={t}{}", if t == 15 { " (global bytes follow)" } else { "" });
        }
    }
    let protocols: Vec<String> = atr.protocols().iter().map(|t| format!("T={t}")).collect();
    let _ = writeln!(h, "  protocols offered: {}", protocols.join(", "));
    if let Some(r) = atr.clock_rate() {
        let fi = r.fi.map_or("RFU".to_owned(), |f| f.to_string());
        let di = r.di.map_or("RFU".to_owned(), |d| d.to_string());
        let _ = writeln!(h, "  TA1: Fi = {fi}, Di = {di}");
    }
    if let Some(n) = atr.extra_guard_time() {
        let _ = writeln!(h, "  TC1: extra guard time N = {n}");
    }
    if let Some(m) = atr.specific_mode() {
        let _ =
            writeln!(h, "  TA2: specific mode T={}{}", m.protocol, if m.can_change { "" } else { " (cannot change)" });
    }
    if let Some(p) = atr.t1_parameters() {
        let or_default = |v: Option<u8>, d: &str| v.map_or(format!("{d} (default)"), |v| v.to_string());
        let edc = match p.error_detection {
            Some(ErrorDetection::Crc) => "CRC",
            Some(ErrorDetection::Lrc) => "LRC",
            None => "LRC (default)",
        };
        let _ = writeln!(
            h,
            "  T=1: IFSC {}, BWI {}, CWI {}, {edc}",
            or_default(p.ifsc, "32"),
            or_default(p.bwi, "4"),
            or_default(p.cwi, "13")
        );
    }
    if atr.historical.is_empty() {
        let _ = writeln!(h, "  historical (none)");
    } else {
        let _ = writeln!(h, "  historical {}", upper_hex(atr.historical));
    }
    if let Some(kind) = historical.get("kind").and_then(Value::as_str) {
        let _ = writeln!(h, "    kind: {kind}");
    }
    if let Some(objs) = historical.get("objects").and_then(Value::as_array) {
        for o in objs {
            let _ = writeln!(
                h,
                "    {} {}: {}",
                o["tag"].as_str().unwrap_or(""),
                o["name"].as_str().unwrap_or(""),
                o["value"].as_str().unwrap_or("")
            );
        }
    }
    if let Some(st) = historical.get("status").filter(|v| !v.is_null()) {
        let lcs = st["lcs"].as_str().unwrap_or("--");
        let sw = st["sw"].as_str().unwrap_or("----");
        let _ = writeln!(h, "    status indicator: LCS {lcs}, SW {sw}");
    }
    if let Some(c) = caps {
        let yes_no = |b: Option<bool>| b.map_or("not stated", |b| if b { "yes" } else { "no" });
        let _ = writeln!(
            h,
            "    card capabilities: command chaining {}, extended Lc/Le {}",
            yes_no(c.command_chaining),
            yes_no(c.extended_length)
        );
    }
    match atr.tck {
        Some(t) => {
            let _ = writeln!(h, "  TCK {t:02X} (checked)");
        }
        None => {
            let _ = writeln!(h, "  TCK absent (only T=0 offered)");
        }
    }
    if let Some(c) = &contactless {
        let _ = writeln!(h, "  {}", c.describe());
    }
    Ok(Document::built(h, json, Some(finding.into_iter().collect())))
}
