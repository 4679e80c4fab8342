//! A consumer-presented payment code (EMVCo QRCPS CPM), checked the way an acquirer's host
//! checks it: decoded with `tapcert_parsers::qr`, its application cryptogram recomputed with
//! `tapcert_crypto` under the named issuer key.
//!
//! A displayed code is made before any amount is known, so its cryptogram covers the EMV
//! recommended data set (Book 2 §8.1.1) with the amounts, country, TVR, currency, date and type
//! at zero, the code's own unpredictable number (`9F37`) and ATC (`9F36`), and an AIP of
//! `0000`. The PAN sequence number is `00` (the code carries no `5F34`).

use tapcert_crypto::AcData;
use tapcert_parsers::bcd::decode_bcd_cn;
use tapcert_parsers::qr::{decode_qr_cpm_base64, parse_qr_cpm};
use tapcert_parsers::tlv::{Tag, TlvNode};

use super::emv::{Check, declared_cvn};
use super::keys::TerminalKeys;

/// What the check of one payment code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmCodeCheck {
    /// The code's ATC, when it carries one.
    pub atc: Option<u16>,
    /// The cryptogram check.
    pub cryptogram: Check,
}

fn find<'n>(nodes: &'n [TlvNode<'_>], tag: u32) -> Option<&'n [u8]> {
    nodes.iter().find_map(|n| n.find(Tag(tag))).map(|n| n.tlv.value)
}

/// Recomputes the cryptogram of a CPM code (base64 text).
pub fn verify_cpm_code(text: &str, keys: &TerminalKeys) -> CpmCodeCheck {
    let not = |reason: &str| CpmCodeCheck { atc: None, cryptogram: Check::NotChecked { reason: reason.into() } };
    let Ok(bytes) = decode_qr_cpm_base64(text.trim()) else { return not("not base64 CPM text") };
    let Ok(nodes) = parse_qr_cpm(&bytes) else { return not("not a CPM payload") };
    let atc = find(&nodes, 0x9F36).and_then(|v| <[u8; 2]>::try_from(v).ok());
    let result = |check| CpmCodeCheck { atc: atc.map(u16::from_be_bytes), cryptogram: check };
    let (Some(aid), Some(ac), Some(iad), Some(un), Some(atc)) = (
        find(&nodes, 0x4F),
        find(&nodes, 0x9F26).and_then(|v| <[u8; 8]>::try_from(v).ok()),
        find(&nodes, 0x9F10),
        find(&nodes, 0x9F37).and_then(|v| <[u8; 4]>::try_from(v).ok()),
        atc,
    ) else {
        return result(Check::NotChecked { reason: "the code lacks 4F, 9F26, 9F10, 9F37 or 9F36".into() });
    };
    let Some(key) = keys.issuer_for(aid) else {
        return result(Check::NotChecked { reason: "no issuer key for this AID".into() });
    };
    // the key's declared cryptogram version and derivation, else the IAD's
    let Some(cvn) = key.cvn_for(declared_cvn(aid, iad)) else {
        return result(Check::NotChecked { reason: "the IAD declares an unknown cryptogram version".into() });
    };
    let Some(pan) = find(&nodes, 0x5A).and_then(decode_bcd_cn) else {
        return result(Check::Failed { key: key.name.clone(), reason: "no usable PAN (5A)".into() });
    };
    let data = AcData { un, atc, ..AcData::default() };
    let computed = key.icc_mk_ac(cvn, &pan, 0).and_then(|mk| cvn.generate_ac(&mk, &data, iad));
    result(match computed {
        Ok(c) if c.ac == ac => Check::Verified { key: key.name.clone() },
        Ok(c) => Check::Failed {
            key: key.name.clone(),
            reason: format!("AC {} is not {} (recomputed)", hex::encode_upper(ac), hex::encode_upper(c.ac)),
        },
        Err(e) => Check::Failed { key: key.name.clone(), reason: e.to_string() },
    })
}
