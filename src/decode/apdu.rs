//! `tapcert decode capdu` and `tapcert decode rapdu`.
//!
//! JSON (docs/decode-json.md): capdu `{"cla","ins","p1","p2","case","nc","ne","data",
//! "ins_name","class","form"}`; rapdu `{"data","sw","meaning","category","tlv"?}`.

use std::fmt::Write as _;

use serde_json::{Value, json};
use tapcert_parsers::apdu::{ClassKind, CommandApdu, ResponseApdu, SecureMessaging};
use tapcert_parsers::tlv::{decode_emv_tlv, mask_command_data_hex, mask_emv_hex};

use super::tlv::node_json;
use super::{Decoded, Rejected, hex_upper};

fn reject(e: tapcert_parsers::apdu::ApduError) -> Rejected {
    match e.offset() {
        Some(offset) => Rejected::at(offset, &e),
        None => Rejected { offset: None, message: e.to_string() },
    }
}

fn secure_messaging_str(sm: SecureMessaging) -> &'static str {
    match sm {
        SecureMessaging::None => "none",
        SecureMessaging::Proprietary => "proprietary",
        SecureMessaging::IsoHeaderNotAuthenticated => "iso, header not authenticated",
        SecureMessaging::IsoHeaderAuthenticated => "iso, header authenticated",
    }
}

fn class_json(kind: ClassKind) -> Value {
    match kind {
        ClassKind::FirstInterindustry { channel, secure_messaging, chaining } => json!({
            "kind": "first interindustry", "channel": channel,
            "secure_messaging": secure_messaging_str(secure_messaging), "chaining": chaining,
        }),
        ClassKind::FurtherInterindustry { channel, secure_messaging, chaining } => json!({
            "kind": "further interindustry", "channel": channel,
            "secure_messaging": secure_messaging_str(secure_messaging), "chaining": chaining,
        }),
        ClassKind::Reserved => json!({ "kind": "reserved" }),
        ClassKind::Proprietary => json!({ "kind": "proprietary" }),
        ClassKind::Invalid => json!({ "kind": "invalid" }),
    }
}

fn class_text(kind: ClassKind) -> String {
    match kind {
        ClassKind::FirstInterindustry { channel, secure_messaging, chaining }
        | ClassKind::FurtherInterindustry { channel, secure_messaging, chaining } => {
            let range = if matches!(kind, ClassKind::FirstInterindustry { .. }) { "first" } else { "further" };
            format!(
                "{range} interindustry, logical channel {channel}, secure messaging: {}, {}",
                secure_messaging_str(secure_messaging),
                if chaining { "chained (more commands follow)" } else { "last or only command" }
            )
        }
        ClassKind::Reserved => "reserved for future use".into(),
        ClassKind::Proprietary => "proprietary".into(),
        ClassKind::Invalid => "invalid as a class (PPS; PC/SC reader pseudo-APDU)".into(),
    }
}

/// Printable ASCII rendering of data that is entirely printable, for the human tree.
fn ascii_hint(data: &[u8]) -> String {
    if !data.is_empty() && data.iter().all(|b| (0x20..0x7F).contains(b)) {
        format!("  \"{}\"", String::from_utf8_lossy(data))
    } else {
        String::new()
    }
}

pub(crate) fn decode_command(bytes: &[u8]) -> Result<Decoded, Rejected> {
    let apdu = CommandApdu::from_bytes(bytes).map_err(reject)?;
    let case = apdu.case();
    let ins_name = apdu.ins().name();
    let json = json!({
        "cla": format!("{}", apdu.cla()),
        "ins": format!("{}", apdu.ins()),
        "p1": format!("{:02X}", apdu.p1()),
        "p2": format!("{:02X}", apdu.p2()),
        "case": case.as_str(),
        "nc": if case.has_data() { Some(apdu.nc()) } else { None },
        "ne": apdu.ne(),
        // Commands carry PANs, track data (personalisation) and PIN blocks: see
        // mask_command_data_hex.
        "data": mask_command_data_hex(apdu.ins().0, apdu.data()),
        "ins_name": ins_name,
        "class": class_json(apdu.cla().kind()),
        "form": match case.form() { None => Value::Null, Some(f) => format!("{f:?}").to_lowercase().into() },
    });

    let mut human = String::new();
    let form = match case.form() {
        None => "no body".to_owned(),
        Some(f) => format!("{f:?} length form").to_lowercase(),
    };
    let _ = writeln!(human, "C-APDU case {case} ({form})");
    let _ = writeln!(human, "  CLA {}  {}", apdu.cla(), class_text(apdu.cla().kind()));
    let _ = writeln!(human, "  INS {}  {}", apdu.ins(), ins_name.unwrap_or("(not a known instruction)"));
    let _ = writeln!(human, "  P1  {:02X}", apdu.p1());
    let _ = writeln!(human, "  P2  {:02X}", apdu.p2());
    let body = &bytes[4..];
    let lc_len = match case.form() {
        Some(_) if case.has_data() => {
            if case.is_extended() {
                3
            } else {
                1
            }
        }
        _ => 0,
    };
    if lc_len > 0 {
        let _ = writeln!(human, "  Lc  {}  Nc = {}", hex_upper(&body[..lc_len]), apdu.nc());
        let masked = mask_command_data_hex(apdu.ins().0, apdu.data());
        // no ASCII rendering of data that holds anything masked
        let hint = if masked.contains('*') { String::new() } else { ascii_hint(apdu.data()) };
        let _ = writeln!(human, "  data {masked}{hint}");
    }
    if let Some(ne) = apdu.ne() {
        let le = &body[lc_len + apdu.nc()..];
        let _ = writeln!(human, "  Le  {}  Ne = {ne} (at most)", hex_upper(le));
    }
    Ok(Decoded { human, json, has_findings: false })
}

pub(crate) fn decode_response(bytes: &[u8]) -> Result<Decoded, Rejected> {
    let r = ResponseApdu::from_bytes(bytes).map_err(reject)?;
    let meaning = r.sw.meaning();
    let category = r.sw.category().as_str();
    let mut json = json!({
        // Responses carry PANs and track data (READ RECORD, GPO format 2): masked as everywhere.
        "data": mask_emv_hex(r.data),
        "sw": r.sw.to_string(),
        "meaning": meaning,
        "category": category,
    });
    let mut human = String::new();
    let _ = writeln!(human, "R-APDU");
    if r.data.is_empty() {
        let _ = writeln!(human, "  data (none)");
    } else {
        let _ = writeln!(human, "  data ({} bytes) {}", r.data.len(), mask_emv_hex(r.data));
    }
    // Catalogue meanings of the ISO tables already open with their category; don't say it twice.
    if meaning.starts_with(category) {
        let _ = writeln!(human, "  SW  {}  {meaning}", r.sw);
    } else {
        let _ = writeln!(human, "  SW  {}  {category}: {meaning}", r.sw);
    }
    // Offsets in the embedded tree count from the first data byte, which is also the first
    // byte of the response. Data that is not BER-TLV (or only padding) gets no "tlv" key.
    match decode_emv_tlv(r.data) {
        Ok(nodes) if !nodes.is_empty() => {
            json["tlv"] = nodes.iter().map(node_json).collect::<Vec<_>>().into();
            let _ = writeln!(human, "  data as BER-TLV:");
            super::tlv::write_tree(&nodes, 2, super::tlv::Pan::Masked, &mut human);
        }
        _ => {}
    }
    Ok(Decoded { human, json, has_findings: false })
}
