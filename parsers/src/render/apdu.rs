//! Command and response APDUs (ISO/IEC 7816-4). No validator looks at a lone APDU (the
//! exchange rules need both halves: [`crate::apdu::validate_apdu_exchange`]), so these
//! documents have no findings.
//!
//! - capdu: `{"cla", "ins", "p1", "p2", "case", "nc", "ne", "data", "ins_name", "class", "form"}`
//! - rapdu: `{"data", "sw", "meaning", "category", "tlv"?}`

use core::fmt::Write as _;

use serde_json::{Value, json};

use super::document::{Budget, Document, Items};
use super::{Mask, RenderError, Rendered};
use crate::apdu::{ApduError, ClassKind, CommandApdu, ResponseApdu, SecureMessaging};
use crate::tlv::{TlvIter, mask_command_data_hex, mask_emv_hex, upper_hex};

fn reject(e: ApduError) -> RenderError {
    RenderError::at(e.offset(), e)
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

/// Decodes a command APDU. Its data is masked as [`mask_command_data_hex`] says (PIN blocks,
/// PANs and track data in personalisation), unless `mask` is [`Mask::Shown`].
///
/// ```
/// use tapcert_parsers::render::{Mask, render_capdu};
/// let r = render_capdu(&[0x00, 0xB2, 0x01, 0x0C, 0x00], Mask::Masked).unwrap();
/// assert_eq!((r.json["case"].as_str(), r.json["ne"].as_u64()), (Some("2S"), Some(256)));
/// ```
pub fn render_capdu(bytes: &[u8], mask: Mask) -> Result<Rendered, RenderError> {
    let apdu = CommandApdu::from_bytes(bytes).map_err(reject)?;
    let case = apdu.case();
    let ins_name = apdu.ins().name();
    let data = match mask {
        Mask::Masked => mask_command_data_hex(apdu.ins().0, apdu.data()),
        Mask::Shown => upper_hex(apdu.data()),
    };
    let json = json!({
        "cla": format!("{}", apdu.cla()),
        "ins": format!("{}", apdu.ins()),
        "p1": format!("{:02X}", apdu.p1()),
        "p2": format!("{:02X}", apdu.p2()),
        "case": case.as_str(),
        "nc": if case.has_data() { Some(apdu.nc()) } else { None },
        "ne": apdu.ne(),
        "data": data,
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
    let fields = apdu.fields();
    if !fields.lc.is_empty() {
        let _ = writeln!(human, "  Lc  {}  Nc = {}", upper_hex(&bytes[fields.lc]), apdu.nc());
        // no ASCII rendering of data that holds anything masked
        let hint = if data.contains('*') { String::new() } else { ascii_hint(apdu.data()) };
        let _ = writeln!(human, "  data {data}{hint}");
    }
    if let Some(ne) = apdu.ne() {
        let _ = writeln!(human, "  Le  {}  Ne = {ne} (at most)", upper_hex(&bytes[fields.le]));
    }
    Ok(Rendered { human, json, findings: Vec::new() })
}

/// Decodes a response APDU; data that is BER-TLV is shown as a tree too. PANs and track data
/// in the data are masked unless `mask` is [`Mask::Shown`].
pub fn render_rapdu(bytes: &[u8], mask: Mask) -> Result<Rendered, RenderError> {
    Ok(Document::rapdu(bytes, mask, Budget::default())?.into_rendered())
}

impl<'a> Document<'a> {
    /// [`render_capdu`] as a [`Document`].
    pub fn capdu(bytes: &'a [u8], mask: Mask) -> Result<Self, RenderError> {
        let r = render_capdu(bytes, mask)?;
        Ok(Document::built(r.human, r.json, None))
    }

    /// [`render_rapdu`] as a [`Document`]: the data's tree is written as it is walked.
    pub fn rapdu(bytes: &'a [u8], mask: Mask, budget: Budget) -> Result<Self, RenderError> {
        let r = ResponseApdu::from_bytes(bytes).map_err(reject)?;
        let meaning = r.sw.meaning();
        let category = r.sw.category().as_str();
        let data = match mask {
            Mask::Masked => mask_emv_hex(r.data),
            Mask::Shown => upper_hex(r.data),
        };
        let json = json!({ "data": data, "sw": r.sw.to_string(), "meaning": meaning, "category": category });
        let mut human = String::new();
        let _ = writeln!(human, "R-APDU");
        if r.data.is_empty() {
            let _ = writeln!(human, "  data (none)");
        } else {
            let _ = writeln!(human, "  data ({} bytes) {data}", r.data.len());
        }
        // Catalogue meanings of the ISO tables already open with their category; don't say it twice.
        if meaning.starts_with(category) {
            let _ = writeln!(human, "  SW  {}  {meaning}", r.sw);
        } else {
            let _ = writeln!(human, "  SW  {}  {category}: {meaning}", r.sw);
        }
        // Offsets in the embedded tree count from the first data byte, which is also the first
        // byte of the response. Data that is not BER-TLV (or only padding) gets no "tlv" key.
        let is_tlv = match super::tlv::check_emv_tlv(r.data, budget) {
            Ok(_) => TlvIter::new(r.data).next().is_some(),
            Err(e) if e.over_budget => return Err(e),
            Err(_) => false,
        };
        let mut doc = Document::built(human, json, None);
        if is_tlv {
            doc.human_head.push_str("  data as BER-TLV:\n");
            doc.json_key = "tlv";
            doc.items = Items::Tlv { bytes: r.data.into(), mask, depth: 2 };
        }
        Ok(doc)
    }
}
