//! Connection Handover (NFC Forum Connection Handover 1.2+) records and the carrier
//! configuration records they point to, to the level of their headers.
//!
//! - Handover Select `Hs` / Request `Hr`: version byte (major in the high nibble), then an NDEF
//!   message of local records: `ac` (alternative carrier), `cr` (collision resolution, Hr:
//!   2-byte random number), `err` (Hs: reason + data).
//! - `ac`: carrier power state (bits 1-0), carrier data reference (length + the ID of the
//!   carrier configuration record elsewhere in the message), auxiliary data reference count
//!   and references (length + ID each).
//! - Handover Carrier `Hc`: CTF (TNF of the carrier type, bits 2-0), carrier type length and
//!   type, carrier data.
//! - Bluetooth BR/EDR OOB (`application/vnd.bluetooth.ep.oob`): OOB data length (2 bytes,
//!   little-endian, counts the whole OOB block), BD_ADDR (6 bytes, little-endian), then EIR
//!   structures (length counting the type byte, type, data).
//! - Bluetooth LE OOB (`application/vnd.bluetooth.le.oob`): AD structures only.
//! - Wi-Fi Simple Configuration (`application/vnd.wfa.wsc`): WSC attributes (type and length
//!   2 bytes big-endian each, value).

use crate::ndef::error::{NdefError, take};
use crate::ndef::message::{DecodeOptions, NdefMessage, decode_message_at, encode_ndef_message};
use crate::ndef::record::{NdefRecord, Tnf};

/// Handover Select record type.
pub const HANDOVER_SELECT_TYPE: &[u8] = b"Hs";
/// Handover Request record type.
pub const HANDOVER_REQUEST_TYPE: &[u8] = b"Hr";
/// Handover Carrier record type.
pub const HANDOVER_CARRIER_TYPE: &[u8] = b"Hc";
/// Alternative Carrier local record type.
pub const ALTERNATIVE_CARRIER_TYPE: &[u8] = b"ac";
/// Collision Resolution local record type.
pub const COLLISION_RESOLUTION_TYPE: &[u8] = b"cr";
/// Error local record type.
pub const HANDOVER_ERROR_TYPE: &[u8] = b"err";
/// Bluetooth BR/EDR out-of-band data media type.
pub const BLUETOOTH_OOB_TYPE: &[u8] = b"application/vnd.bluetooth.ep.oob";
/// Bluetooth LE out-of-band data media type.
pub const BLUETOOTH_LE_OOB_TYPE: &[u8] = b"application/vnd.bluetooth.le.oob";
/// Wi-Fi Simple Configuration media type.
pub const WIFI_WSC_TYPE: &[u8] = b"application/vnd.wfa.wsc";

/// Carrier Power State of an alternative carrier (2 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CarrierPowerState(pub u8);

impl CarrierPowerState {
    /// 0: inactive.
    pub const INACTIVE: CarrierPowerState = CarrierPowerState(0);
    /// 1: active.
    pub const ACTIVE: CarrierPowerState = CarrierPowerState(1);
    /// 2: activating.
    pub const ACTIVATING: CarrierPowerState = CarrierPowerState(2);
    /// 3: unknown.
    pub const UNKNOWN: CarrierPowerState = CarrierPowerState(3);

    /// The state's name.
    pub fn name(self) -> &'static str {
        ["inactive", "active", "activating", "unknown"][usize::from(self.0 & 3)]
    }
}

/// An `ac` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternativeCarrier<'a> {
    /// Carrier power state.
    pub cps: CarrierPowerState,
    /// ID of the carrier configuration record.
    pub carrier_data_reference: &'a [u8],
    /// IDs of auxiliary data records.
    pub auxiliary_data_references: Vec<&'a [u8]>,
}

impl AlternativeCarrier<'_> {
    /// Encodes the `ac` payload. Panics if a reference is over 255 bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.cps.0 & 3, self.carrier_data_reference.len() as u8];
        out.extend_from_slice(self.carrier_data_reference);
        out.push(self.auxiliary_data_references.len() as u8);
        for r in &self.auxiliary_data_references {
            out.push(u8::try_from(r.len()).expect("auxiliary reference over 255 bytes"));
            out.extend_from_slice(r);
        }
        out
    }
}

/// Decodes an `ac` payload. Offsets are relative to the payload.
///
/// ```
/// use tapcert_parsers::ndef::{parse_ndef_alternative_carrier, CarrierPowerState};
/// let ac = parse_ndef_alternative_carrier(&[0x01, 0x01, b'0', 0x00]).unwrap();
/// assert_eq!((ac.cps, ac.carrier_data_reference), (CarrierPowerState::ACTIVE, &b"0"[..]));
/// assert!(parse_ndef_alternative_carrier(&[0x01, 0x01, b'0']).is_err());
/// ```
pub fn parse_ndef_alternative_carrier(p: &[u8]) -> Result<AlternativeCarrier<'_>, NdefError> {
    let head = take(p, 0, 2, "carrier power state and carrier data reference length")?;
    let cps = CarrierPowerState(head[0] & 3);
    let cdr_len = usize::from(head[1]);
    let carrier_data_reference = take(p, 2, cdr_len, "carrier data reference")?;
    let mut pos = 2 + cdr_len;
    let count = usize::from(take(p, pos, 1, "auxiliary data reference count")?[0]);
    pos += 1;
    let mut auxiliary_data_references = Vec::new();
    for _ in 0..count {
        let len = usize::from(take(p, pos, 1, "auxiliary data reference length")?[0]);
        auxiliary_data_references.push(take(p, pos + 1, len, "auxiliary data reference")?);
        pos += 1 + len;
    }
    if pos < p.len() {
        return Err(NdefError::TrailingData { offset: pos });
    }
    Ok(AlternativeCarrier { cps, carrier_data_reference, auxiliary_data_references })
}

/// A decoded Handover Select or Request payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover<'a> {
    /// Version byte: major in the high nibble, minor in the low one (0x12 = 1.2).
    pub version: u8,
    /// The alternative carriers in order of preference.
    pub alternative_carriers: Vec<AlternativeCarrier<'a>>,
    /// The collision resolution random number (Handover Request).
    pub collision_resolution: Option<u16>,
    /// Error records (Handover Select): reason and data.
    pub errors: Vec<(u8, &'a [u8])>,
    /// The nested message as decoded (empty when the payload is just the version).
    pub message: NdefMessage<'a>,
}

/// Decodes a Handover Select or Request payload with the default limits.
///
/// ```
/// use tapcert_parsers::ndef::parse_ndef_handover;
/// // Version 1.2 with one ac record: active carrier, data reference "0", no aux references.
/// let hs = parse_ndef_handover(&[0x12, 0xD1, 0x02, 0x04, b'a', b'c', 0x01, 0x01, b'0', 0x00]).unwrap();
/// assert_eq!(hs.alternative_carriers[0].carrier_data_reference, b"0");
/// assert!(parse_ndef_handover(&[]).is_err());
/// ```
pub fn parse_ndef_handover(payload: &[u8]) -> Result<Handover<'_>, NdefError> {
    parse_handover_at(payload, 0, &DecodeOptions::default(), 0)
}

/// Offsets are `base +` position in the payload.
pub(crate) fn parse_handover_at<'a>(
    payload: &'a [u8],
    base: usize,
    opts: &DecodeOptions,
    depth: usize,
) -> Result<Handover<'a>, NdefError> {
    if depth >= opts.max_depth {
        return Err(NdefError::DepthLimit { offset: base, limit: opts.max_depth });
    }
    let version = take(payload, 0, 1, "handover version").map_err(|e| e.shifted(base))?[0];
    let (message, end) = decode_message_at(&payload[1..], base + 1, opts)?;
    if end + 1 < payload.len() {
        return Err(NdefError::TrailingData { offset: base + end + 1 });
    }
    let mut hs = Handover {
        version,
        alternative_carriers: Vec::new(),
        collision_resolution: None,
        errors: Vec::new(),
        message: NdefMessage::default(),
    };
    for rec in &message.records {
        let at = rec.payload_offset();
        let std::borrow::Cow::Borrowed(p) = rec.payload else { continue };
        if rec.is_type(Tnf::WELL_KNOWN, ALTERNATIVE_CARRIER_TYPE) {
            hs.alternative_carriers.push(parse_ndef_alternative_carrier(p).map_err(|e| e.shifted(at))?);
        } else if rec.is_type(Tnf::WELL_KNOWN, COLLISION_RESOLUTION_TYPE) {
            let &[a, b] = p else {
                return Err(NdefError::Malformed { offset: at, expected: "a 2-byte random number" });
            };
            hs.collision_resolution = Some(u16::from_be_bytes([a, b]));
        } else if rec.is_type(Tnf::WELL_KNOWN, HANDOVER_ERROR_TYPE) {
            let Some((&reason, data)) = p.split_first() else {
                return Err(NdefError::Malformed { offset: at, expected: "an error reason byte" });
            };
            hs.errors.push((reason, data));
        }
    }
    hs.message = message;
    Ok(hs)
}

/// Encodes a Handover Select/Request payload: the version byte and the local records.
pub fn encode_ndef_handover(version: u8, records: &[NdefRecord<'_>]) -> Vec<u8> {
    let mut out = vec![version];
    out.extend(encode_ndef_message(records));
    out
}

impl NdefRecord<'static> {
    /// A Handover Select record (version 1.2 is `0x12`) listing the given carriers.
    pub fn handover_select(version: u8, carriers: &[AlternativeCarrier<'_>]) -> Self {
        let acs: Vec<NdefRecord<'static>> = carriers
            .iter()
            .map(|ac| NdefRecord::new(Tnf::WELL_KNOWN, ALTERNATIVE_CARRIER_TYPE.to_vec(), Vec::new(), ac.encode()))
            .collect();
        NdefRecord::new(Tnf::WELL_KNOWN, HANDOVER_SELECT_TYPE.to_vec(), Vec::new(), encode_ndef_handover(version, &acs))
    }
}

/// A decoded Handover Carrier (`Hc`) payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverCarrier<'a> {
    /// Carrier Type Format: a TNF telling how to read `carrier_type`.
    pub ctf: Tnf,
    /// The carrier type, e.g. `application/vnd.bluetooth.ep.oob`.
    pub carrier_type: &'a [u8],
    /// Carrier data (opaque).
    pub carrier_data: &'a [u8],
}

/// Decodes an `Hc` payload.
///
/// ```
/// use tapcert_parsers::ndef::{parse_ndef_handover_carrier, Tnf};
/// let hc = parse_ndef_handover_carrier(&[0x02, 0x03, b'a', b'/', b'b', 0x01]).unwrap();
/// assert_eq!((hc.ctf, hc.carrier_type, hc.carrier_data), (Tnf::MIME, &b"a/b"[..], &[0x01][..]));
/// assert!(parse_ndef_handover_carrier(&[0x02, 0x09, b'a']).is_err());
/// ```
pub fn parse_ndef_handover_carrier(p: &[u8]) -> Result<HandoverCarrier<'_>, NdefError> {
    let head = take(p, 0, 2, "CTF and carrier type length")?;
    let carrier_type = take(p, 2, usize::from(head[1]), "carrier type")?;
    Ok(HandoverCarrier { ctf: Tnf(head[0] & 7), carrier_type, carrier_data: &p[2 + carrier_type.len()..] })
}

/// Encodes an `Hc` payload. Panics if the carrier type is over 255 bytes.
pub fn encode_ndef_handover_carrier(hc: &HandoverCarrier<'_>) -> Vec<u8> {
    let mut out = vec![hc.ctf.0 & 7, u8::try_from(hc.carrier_type.len()).expect("carrier type over 255 bytes")];
    out.extend_from_slice(hc.carrier_type);
    out.extend_from_slice(hc.carrier_data);
    out
}

/// One EIR (or AD) structure: type and data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EirStructure<'a> {
    /// The EIR/AD data type (0x09 complete local name, 0x0D class of device, ...).
    pub eir_type: u8,
    /// The data after the type byte.
    pub data: &'a [u8],
}

/// Parses EIR/AD structures at `base` of `p` until the end or a zero length (padding).
fn parse_eir(p: &[u8], base: usize) -> Result<Vec<EirStructure<'_>>, NdefError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < p.len() {
        let len = usize::from(p[pos]);
        if len == 0 {
            break;
        }
        let body = take(p, pos + 1, len, "EIR type and data").map_err(|e| e.shifted(base))?;
        out.push(EirStructure { eir_type: body[0], data: &body[1..] });
        pos += 1 + len;
    }
    Ok(out)
}

/// A decoded Bluetooth BR/EDR OOB payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BluetoothOob<'a> {
    /// OOB data length as stated (counts the whole block, including these 2 bytes).
    pub oob_length: u16,
    /// BD_ADDR in wire order (little-endian: the last byte is the first of the printed form).
    pub bd_addr: [u8; 6],
    /// The EIR structures.
    pub eir: Vec<EirStructure<'a>>,
}

impl BluetoothOob<'_> {
    /// The address as people print it: `00:0D:18:01:02:03`.
    pub fn address(&self) -> String {
        self.bd_addr.iter().rev().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }
}

/// Decodes a Bluetooth BR/EDR OOB payload.
///
/// ```
/// use tapcert_parsers::ndef::parse_ndef_bluetooth_oob;
/// let oob = parse_ndef_bluetooth_oob(&[0x0C, 0x00, 0x03, 0x02, 0x01, 0x18, 0x0D, 0x00, 0x03, 0x09, b'h', b'i']).unwrap();
/// assert_eq!(oob.address(), "00:0D:18:01:02:03");
/// assert_eq!(oob.eir[0].data, b"hi");
/// assert!(parse_ndef_bluetooth_oob(&[0xFF, 0x00, 1, 2, 3, 4, 5, 6]).is_err());
/// ```
pub fn parse_ndef_bluetooth_oob(p: &[u8]) -> Result<BluetoothOob<'_>, NdefError> {
    let head = take(p, 0, 8, "OOB data length and BD_ADDR")?;
    let oob_length = u16::from_le_bytes([head[0], head[1]]);
    let stated = usize::from(oob_length);
    if stated < 8 {
        return Err(NdefError::Malformed { offset: 0, expected: "an OOB data length of at least 8" });
    }
    if stated > p.len() {
        return Err(NdefError::LengthExceedsInput { offset: 0, declared: stated, available: p.len() });
    }
    let mut bd_addr = [0; 6];
    bd_addr.copy_from_slice(&head[2..8]);
    Ok(BluetoothOob { oob_length, bd_addr, eir: parse_eir(&p[8..stated], 8)? })
}

/// Encodes a Bluetooth BR/EDR OOB payload, computing the OOB data length.
pub fn encode_ndef_bluetooth_oob(bd_addr: [u8; 6], eir: &[EirStructure<'_>]) -> Vec<u8> {
    let mut out = vec![0, 0];
    out.extend_from_slice(&bd_addr);
    for s in eir {
        out.push(u8::try_from(s.data.len() + 1).expect("EIR data over 254 bytes"));
        out.push(s.eir_type);
        out.extend_from_slice(s.data);
    }
    let len = u16::try_from(out.len()).expect("OOB block over 64 KiB").to_le_bytes();
    out[..2].copy_from_slice(&len);
    out
}

/// Decodes a Bluetooth LE OOB payload (AD structures).
pub fn parse_ndef_bluetooth_le_oob(p: &[u8]) -> Result<Vec<EirStructure<'_>>, NdefError> {
    parse_eir(p, 0)
}

/// One Wi-Fi Simple Configuration attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WscAttribute<'a> {
    /// Attribute type (0x104A version, 0x100E credential, 0x1045 SSID, ...).
    pub attr_type: u16,
    /// Attribute value.
    pub value: &'a [u8],
}

/// Decodes a Wi-Fi Simple Configuration payload into its top-level attributes.
///
/// ```
/// use tapcert_parsers::ndef::parse_ndef_wifi_wsc;
/// let attrs = parse_ndef_wifi_wsc(&[0x10, 0x4A, 0x00, 0x01, 0x10]).unwrap();
/// assert_eq!((attrs[0].attr_type, attrs[0].value), (0x104A, &[0x10][..]));
/// assert!(parse_ndef_wifi_wsc(&[0x10, 0x4A, 0x00, 0x02, 0x10]).is_err());
/// ```
pub fn parse_ndef_wifi_wsc(p: &[u8]) -> Result<Vec<WscAttribute<'_>>, NdefError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < p.len() {
        let head = take(p, pos, 4, "WSC attribute type and length")?;
        let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
        if len > p.len() - pos - 4 {
            return Err(NdefError::LengthExceedsInput { offset: pos, declared: len, available: p.len() - pos - 4 });
        }
        out.push(WscAttribute { attr_type: u16::from_be_bytes([head[0], head[1]]), value: &p[pos + 4..pos + 4 + len] });
        pos += 4 + len;
    }
    Ok(out)
}

/// Encodes Wi-Fi Simple Configuration attributes. Panics if a value is over 64 KiB.
pub fn encode_ndef_wifi_wsc(attrs: &[WscAttribute<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in attrs {
        out.extend_from_slice(&a.attr_type.to_be_bytes());
        out.extend_from_slice(&u16::try_from(a.value.len()).expect("WSC value over 64 KiB").to_be_bytes());
        out.extend_from_slice(a.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ac_round_trip() {
        let ac = AlternativeCarrier {
            cps: CarrierPowerState::ACTIVATING,
            carrier_data_reference: b"bt",
            auxiliary_data_references: vec![b"a1", b"x"],
        };
        assert_eq!(parse_ndef_alternative_carrier(&ac.encode()).unwrap(), ac);
        assert!(matches!(parse_ndef_alternative_carrier(&[1, 5, b'a']), Err(NdefError::Truncated { offset: 2, .. })));
    }

    #[test]
    fn hr_collision_resolution() {
        let cr = NdefRecord::new(Tnf::WELL_KNOWN, b"cr".to_vec(), Vec::new(), vec![0x12, 0x34]);
        let bytes = encode_ndef_handover(0x12, &[cr]);
        let hr = parse_ndef_handover(&bytes).unwrap();
        assert_eq!((hr.version, hr.collision_resolution), (0x12, Some(0x1234)));
    }

    #[test]
    fn bluetooth_round_trip() {
        let eir = [
            EirStructure { eir_type: 0x09, data: b"Speaker" },
            EirStructure { eir_type: 0x0D, data: &[0x14, 0x04, 0x20] },
        ];
        let bytes = encode_ndef_bluetooth_oob([1, 2, 3, 4, 5, 6], &eir);
        let oob = parse_ndef_bluetooth_oob(&bytes).unwrap();
        assert_eq!((oob.oob_length as usize, oob.eir.as_slice()), (bytes.len(), &eir[..]));
    }

    #[test]
    fn carrier_round_trip() {
        let hc = HandoverCarrier { ctf: Tnf::MIME, carrier_type: WIFI_WSC_TYPE, carrier_data: &[1, 2] };
        assert_eq!(parse_ndef_handover_carrier(&encode_ndef_handover_carrier(&hc)).unwrap(), hc);
    }
}
