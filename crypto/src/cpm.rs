//! EMVCo Consumer-Presented Mode QR tokens (EMV QR Code Specification for Payment Systems,
//! Consumer-Presented Mode, v1.x §5-§7): a BER-TLV payload — payload format indicator `85`
//! "CPV01", application templates `61` (with optional application-specific transparent
//! templates `63`), a common data template `62` (with an optional common data transparent
//! template `64`) — base64-encoded for the QR code.
//!
//! [`encode_cpm_payload`] is the single place that turns the model into bytes (through
//! `tapcert_parsers::tlv::encode_emv_tlv`), so it can later be redirected to `parsers::qr`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tapcert_parsers::tlv::{Tag, encode_emv_tlv};

use crate::{AcData, CryptoError, Cvn};

/// An ordered list of primitive data objects.
pub type TlvList = Vec<(Tag, Vec<u8>)>;

/// One application template (`61`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpmApplication {
    /// Objects directly in `61` (4F ADF name, 50 label, 57 track 2, 5F34 PSN ...).
    pub data: TlvList,
    /// Objects of the application-specific transparent template `63` (omitted if empty).
    pub transparent: TlvList,
}

/// A CPM payload: applications and optional common data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpmPayload {
    /// Application templates in order.
    pub applications: Vec<CpmApplication>,
    /// Objects of the common data template `62` (5A, 5F20, 5F2D ...); the template is omitted
    /// when this and `common_transparent` are empty.
    pub common: TlvList,
    /// Objects of the common data transparent template `64` inside `62` (omitted if empty).
    pub common_transparent: TlvList,
}

/// Payload format indicator value (EMV QRCPS CPM: "CPV01").
pub const CPM_PAYLOAD_FORMAT: &[u8] = b"CPV01";

fn list_bytes(list: &TlvList) -> Vec<u8> {
    let mut out = Vec::new();
    for (tag, value) in list {
        encode_emv_tlv(*tag, value, &mut out);
    }
    out
}

/// Encodes a CPM payload to its BER-TLV bytes.
pub fn encode_cpm_payload(payload: &CpmPayload) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    encode_emv_tlv(Tag(0x85), CPM_PAYLOAD_FORMAT, &mut out);
    for app in &payload.applications {
        let mut inner = list_bytes(&app.data);
        if !app.transparent.is_empty() {
            encode_emv_tlv(Tag(0x63), &list_bytes(&app.transparent), &mut inner);
        }
        encode_emv_tlv(Tag(0x61), &inner, &mut out);
    }
    if !payload.common.is_empty() || !payload.common_transparent.is_empty() {
        let mut inner = list_bytes(&payload.common);
        if !payload.common_transparent.is_empty() {
            encode_emv_tlv(Tag(0x64), &list_bytes(&payload.common_transparent), &mut inner);
        }
        encode_emv_tlv(Tag(0x62), &inner, &mut out);
    }
    out
}

/// Base64 (RFC 4648 §4, with padding) of the encoded payload: the QR code text.
pub fn encode_cpm_qr(payload: &CpmPayload) -> String {
    BASE64.encode(encode_cpm_payload(payload))
}

/// PAN as tag 5A: BCD, padded with a trailing F nibble if odd.
pub fn pan_to_5a(pan: &str) -> Result<Vec<u8>, CryptoError> {
    crate::emv::check_pan(pan)?;
    let mut digits: Vec<u8> = pan.bytes().map(|b| b - b'0').collect();
    if digits.len() % 2 == 1 {
        digits.push(0xF);
    }
    Ok(digits.chunks_exact(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// The card-side inputs of a CPM token besides the transaction data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmCard {
    /// Application identifier (4F).
    pub aid: Vec<u8>,
    /// Application label (50).
    pub label: String,
    /// PAN (5A).
    pub pan: String,
    /// Cardholder name (5F20), if shown.
    pub cardholder_name: Option<String>,
    /// Language preference (5F2D), if any.
    pub language_preference: Option<String>,
    /// ICC AC master key (TDES).
    pub icc_mk: [u8; 16],
    /// Cryptogram version.
    pub cvn: Cvn,
    /// Issuer application data (9F10) to carry and to feed the cryptogram.
    pub iad: Vec<u8>,
}

/// A generated CPM token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmToken {
    /// The payload model.
    pub payload: CpmPayload,
    /// The application cryptogram it carries (9F26).
    pub cryptogram: [u8; 8],
    /// The QR text (base64).
    pub qr: String,
}

/// Generates a CPM QR token: a fresh application cryptogram for `data` (ATC and UN included)
/// under the card's CVN, carried with 9F10, 9F26, 9F36 and 9F37 in the common data transparent
/// template `64`, the application in `61` and PAN/name in `62`, as the EMVCo example does.
pub fn generate_cpm_token(card: &CpmCard, data: &AcData) -> Result<CpmToken, CryptoError> {
    let ac = card.cvn.generate_ac(&card.icc_mk, data, &card.iad)?.ac;
    let mut common = vec![(Tag(0x5A), pan_to_5a(&card.pan)?)];
    if let Some(name) = &card.cardholder_name {
        common.push((Tag(0x5F20), name.as_bytes().to_vec()));
    }
    if let Some(lang) = &card.language_preference {
        common.push((Tag(0x5F2D), lang.as_bytes().to_vec()));
    }
    let payload = CpmPayload {
        applications: vec![CpmApplication {
            data: vec![(Tag(0x4F), card.aid.clone()), (Tag(0x50), card.label.as_bytes().to_vec())],
            transparent: Vec::new(),
        }],
        common,
        common_transparent: vec![
            (Tag(0x9F10), card.iad.clone()),
            (Tag(0x9F26), ac.to_vec()),
            (Tag(0x9F36), data.atc.to_vec()),
            (Tag(0x9F37), data.un.to_vec()),
        ],
    };
    let qr = encode_cpm_qr(&payload);
    Ok(CpmToken { payload, cryptogram: ac, qr })
}
