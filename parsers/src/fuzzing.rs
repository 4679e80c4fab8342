//! Entry points for the fuzz targets and the stable corpus replay. Not a stable API.
//!
//! Each function runs one target's whole check on arbitrary bytes and panics only when an
//! invariant of the parsers is broken (a round trip that does not hold, an error offset past
//! the input). Parse errors are expected and ignored.

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::atr::{Atr, ContactlessAtr, decode_historical_bytes};

/// Command APDU target: a parsed command re-encodes to the same bytes, and the owned copy
/// encodes to them too and parses back to the same view.
pub fn fuzz_capdu(data: &[u8]) {
    let apdu = match CommandApdu::from_bytes(data) {
        Ok(apdu) => apdu,
        Err(e) => {
            assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}");
            return;
        }
    };
    let bytes = apdu.to_vec();
    assert_eq!(bytes, data, "command APDU did not re-encode byte for byte");
    assert_eq!(bytes.len(), apdu.encoded_len());
    let owned = apdu.to_buf().encode().expect("a parsed command is encodable");
    assert_eq!(owned, data, "owned copy encoded differently");
    assert_eq!(CommandApdu::from_bytes(&owned).expect("re-encoded command parses"), apdu);
}

/// Response APDU target: re-encoding gives the input back, and it parses to the same view.
pub fn fuzz_rapdu(data: &[u8]) {
    match ResponseApdu::from_bytes(data) {
        Ok(r) => {
            let bytes = r.to_vec();
            assert_eq!(bytes, data, "response APDU did not re-encode byte for byte");
            assert_eq!(ResponseApdu::from_bytes(&bytes).expect("re-encoded response parses"), r);
            let _ = r.sw.meaning();
        }
        Err(e) => assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}"),
    }
}

/// ATR target: a parsed ATR re-encodes byte for byte (TCK recomputed) and parses back equal;
/// the interpreters and the historical-byte decoder never panic.
pub fn fuzz_atr(data: &[u8]) {
    match Atr::from_bytes(data) {
        Ok(atr) => {
            let bytes = atr.to_vec().expect("a parsed ATR is encodable");
            assert_eq!(bytes, data, "ATR did not re-encode byte for byte");
            assert_eq!(Atr::from_bytes(&bytes).expect("re-encoded ATR parses"), atr);
            let _ = (atr.protocols(), atr.clock_rate(), atr.specific_mode(), atr.t1_parameters(), atr.global_t15());
            let _ = ContactlessAtr::recognise(&atr).map(|c| c.describe());
            let base = data.len() - atr.historical.len() - usize::from(atr.tck.is_some());
            if let Err(e) = decode_historical_bytes(atr.historical, base) {
                assert!(e.offset().is_some_and(|o| o < data.len()), "historical error offset out of range: {e:?}");
            }
        }
        Err(e) => assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}"),
    }
}

// ---- findings: the one shape every validator keeps ------------------------------------------

/// Every finding of a validator run over `len` bytes (or characters, for text): a rule id in
/// the one style, and a location that points inside the input.
fn assert_findings_within(findings: &[crate::Finding], len: usize) {
    // The rule id's style is checked where every finding is made (`Finding::new`'s debug
    // assertion, on in fuzz builds); checking it again here was 7% of the `tlv` target.
    for f in findings {
        let l = &f.location;
        assert!(
            l.offset.is_none_or(|o| o <= len) && l.char_offset.is_none_or(|o| o <= len),
            "finding past the input ({len}): {f:?}"
        );
    }
}

// ---- BER-TLV / EMV (tlv helper) -------------------------------------------------------------

use crate::tlv::{
    DEFAULT_MAX_DEPTH, Fci, GenerateAcResponse, GpoResponse, Record, Tag, TlvIter, TlvOwned, build_emv_dol_data,
    decode_emv_tlv_owned, decode_emv_tlv_padded, emv_dol_data_len, encode_emv_dol, encode_emv_tlv_owned,
    encode_nodes_into, parse_emv_afl, parse_emv_dol, split_emv_dol_data, validate_emv_tlv,
};

/// Decodes, validates and views arbitrary bytes as EMV BER-TLV; every error offset must lie
/// inside the input and every finding must point into it.
pub fn fuzz_tlv(data: &[u8]) {
    match decode_emv_tlv_padded(data) {
        Ok((nodes, pad)) => {
            assert_findings_within(&validate_emv_tlv(&nodes, pad), data.len());
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past the input: {e:?}"),
    }
    if let Err(e) = Fci::from_bytes(data) {
        assert!(e.offset() <= data.len(), "{e:?}");
    }
    if let Err(e) = GpoResponse::from_bytes(data) {
        assert!(e.offset() <= data.len(), "{e:?}");
    }
    if let Err(e) = GenerateAcResponse::from_bytes(data) {
        assert!(e.offset() <= data.len(), "{e:?}");
    }
    let _ = Record::from_bytes(data);
    let _ = parse_emv_afl(data);
}

/// Decode, re-encode as parsed (original length forms and padding), compare bytes; decode the
/// re-encoding and compare trees.
pub fn fuzz_tlv_roundtrip(data: &[u8]) {
    let Ok((nodes, pad)) = decode_emv_tlv_padded(data) else { return };
    let mut out = Vec::with_capacity(data.len());
    encode_nodes_into(&nodes, pad, &mut out);
    assert_eq!(out, data, "re-encoding as parsed changed the bytes");
    let (again, pad2) = decode_emv_tlv_padded(&out).expect("re-encoded bytes must decode");
    assert_eq!((&again, pad2), (&nodes, pad));
    // The owned model re-encodes minimally; that encoding must decode to the same owned tree.
    // (The owned model of `data` is that of its tree: `decode_emv_tlv_owned` would decode it a
    // fourth time.)
    let owned: Vec<TlvOwned> = nodes.iter().map(TlvOwned::from).collect();
    let minimal = encode_emv_tlv_owned(&owned);
    assert!(minimal.len() <= data.len());
    assert_eq!(decode_emv_tlv_owned(&minimal).expect("minimal encoding must decode"), owned);
}

/// Parses arbitrary bytes as a DOL; a parsed DOL re-encodes to the input, and data built for it
/// splits back into values of the lengths asked for.
pub fn fuzz_dol(data: &[u8]) {
    let Ok(dol) = parse_emv_dol(data) else { return };
    let mut enc = Vec::new();
    encode_emv_dol(&dol, &mut enc);
    assert_eq!(enc, data);
    // Feed the DOL's own bytes as values: exercises padding and truncation for every format.
    let built = build_emv_dol_data(&dol, |_| Some(data));
    assert_eq!(built.len(), emv_dol_data_len(&dol));
    let split = split_emv_dol_data(&dol, &built).expect("data built for a DOL must split by it");
    assert!(split.iter().all(|(e, v)| v.len() == usize::from(e.len)));
}

/// The zero-copy walk (TlvIter recursion) and the owned model must see the same objects.
pub fn fuzz_tlv_differential(data: &[u8]) {
    let walked = walk_zero_copy(data);
    let owned = decode_emv_tlv_owned(data);
    match (walked, owned) {
        (Ok(w), Ok(o)) => {
            let mut flat = Vec::new();
            flatten_owned(&o, 0, &mut flat);
            assert_eq!(w, flat, "zero-copy walk and owned model disagree");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "the two decoders reject at different places"),
        (w, o) => panic!("one decoder accepted, the other did not: {w:?} / {o:?}"),
    }
}

type Flat = Vec<(usize, Tag, Option<Vec<u8>>)>;

fn walk_zero_copy(data: &[u8]) -> Result<Flat, crate::tlv::TlvError> {
    fn level(it: TlvIter<'_>, depth: usize, out: &mut Flat) -> Result<(), crate::tlv::TlvError> {
        for item in it {
            let t = item?;
            if depth > DEFAULT_MAX_DEPTH {
                return Err(crate::tlv::TlvError::DepthLimit { offset: t.offset, limit: DEFAULT_MAX_DEPTH });
            }
            if t.is_constructed() {
                out.push((depth, t.tag, None));
                level(t.children(), depth + 1, out)?;
            } else {
                out.push((depth, t.tag, Some(t.value.to_vec())));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    level(TlvIter::new(data), 1, &mut out)?;
    Ok(out)
}

fn flatten_owned(nodes: &[TlvOwned], depth: usize, out: &mut Flat) {
    for n in nodes {
        out.push((depth + 1, n.tag, n.bytes().map(<[u8]>::to_vec)));
        flatten_owned(n.children(), depth + 1, out);
    }
}

// ---- ndef -------------------------------------------------------------------------------

use crate::ndef::{
    DecodeOptions, RawRecordIter, decode_known_record, decode_ndef_message, decode_t2t_memory, decode_t2t_tlvs,
    decode_t4t_cc, decode_t4t_ndef_file, encode_ndef_message, encode_t4t_cc, validate_ndef_message,
    validate_t2t_memory, validate_t2t_tlvs, validate_t4t_cc,
};

/// Decodes an NDEF message, its known payloads, and validates it. Invariants: error and
/// finding offsets lie within the input; a decoded message's wire records re-encode to the
/// input byte for byte.
pub fn fuzz_ndef(data: &[u8]) {
    assert_findings_within(&validate_ndef_message(data), data.len());
    match decode_ndef_message(data) {
        Ok(msg) => {
            let mut wire = Vec::with_capacity(data.len());
            for raw in RawRecordIter::new(data) {
                raw.expect("a decoded message walks as wire records").encode_into(&mut wire);
            }
            assert_eq!(wire, data, "wire records do not re-encode to the input");
            for rec in &msg.records {
                if let Some(Err(e)) = decode_known_record(rec, &DecodeOptions::default()) {
                    assert!(e.offset() <= data.len(), "payload error offset past input: {e:?}");
                }
            }
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past input: {e:?}"),
    }
    if let Err(e) = decode_t4t_ndef_file(data) {
        assert!(e.offset() <= data.len(), "NDEF file error offset past input: {e:?}");
    }
}

/// Canonical re-encoding: for any input that decodes, `decode(encode(decode(b))) ==
/// decode(b)` on the logical records, and encoding is stable.
pub fn fuzz_ndef_roundtrip(data: &[u8]) {
    let Ok(msg) = decode_ndef_message(data) else { return };
    if !msg.records.iter().all(|r| r.is_encodable()) {
        return;
    }
    let encoded = encode_ndef_message(&msg.records);
    let again = decode_ndef_message(&encoded).expect("canonical encoding decodes");
    assert_eq!(again.records.len(), msg.records.len());
    for (a, b) in again.records.iter().zip(&msg.records) {
        assert_eq!((a.tnf, &a.record_type, &a.id, &a.payload), (b.tnf, &b.record_type, &b.id, &b.payload));
    }
    assert_eq!(encode_ndef_message(&again.records), encoded, "canonical encoding is not stable");
}

/// Decodes and validates a Type 4 Tag CC file; a CC file re-encodes to a CC that decodes to
/// the same fields.
pub fn fuzz_t4t_cc(data: &[u8]) {
    match decode_t4t_cc(data) {
        Ok(cc) => {
            assert_findings_within(&validate_t4t_cc(&cc), data.len());
            let bytes = encode_t4t_cc(&cc);
            let again = decode_t4t_cc(&bytes).expect("encoded CC decodes");
            assert_eq!(
                (again.mapping_version, again.mle, again.mlc, &again.tlvs),
                (cc.mapping_version, cc.mle, cc.mlc, &cc.tlvs)
            );
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past input: {e:?}"),
    }
}

/// Decodes Type 2 Tag TLV blocks (as an area and as a memory dump); an area re-encodes to
/// the input.
pub fn fuzz_t2t_tlv(data: &[u8]) {
    match decode_t2t_tlvs(data, 0) {
        Ok(area) => {
            assert_eq!(area.encode(), data, "TLV area does not re-encode to the input");
            assert_findings_within(&validate_t2t_tlvs(&area), data.len());
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past input: {e:?}"),
    }
    match decode_t2t_memory(data) {
        Ok(mem) => {
            assert_findings_within(&validate_t2t_memory(&mem), data.len());
            for m in mem.area.ndef_messages() {
                if let Err(e) = m {
                    assert!(e.offset() <= data.len());
                }
            }
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past input: {e:?}"),
    }
}

#[cfg(test)]
mod ndef_tests {
    use super::*;

    #[test]
    fn ndef_targets_on_samples_and_junk() {
        let samples: [&[u8]; 5] = [
            &[0xD1, 0x01, 0x02, b'U', 0x04, b'x'],
            &[0xB2, 0x03, 0x01, b'a', b'/', b'b', 0x01, 0x56, 0x00, 0x01, 0x02],
            &[0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x04, 0x00, 0x32, 0x00, 0x00],
            &[0x03, 0x03, 0xD0, 0x00, 0x00, 0xFE],
            &[0xC1, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0x01, 0x02, 0x03],
        ];
        for s in samples {
            for end in 0..=s.len() {
                fuzz_ndef(&s[..end]);
                fuzz_ndef_roundtrip(&s[..end]);
                fuzz_t4t_cc(&s[..end]);
                fuzz_t2t_tlv(&s[..end]);
            }
        }
    }
}

// ---- qr: EMVCo MPM/CPM, UPI links (keep these together) ----

/// MPM grammar and validators on arbitrary text: errors point inside the text, a located CRC
/// is the last object, validation never panics.
pub fn fuzz_qr_mpm(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else { return };
    match crate::qr::decode_qr_mpm(text) {
        Ok(qr) => {
            if qr.crc.is_some() {
                assert_eq!(qr.objects.last().map(|o| o.id), Some(crate::qr::MpmId::CRC));
            }
            assert_findings_within(&crate::qr::validate_qr_mpm(&qr), text.chars().count());
        }
        Err(e) => assert!(e.offset() <= text.chars().count(), "{e:?} past the end of {text:?}"),
    }
}

/// MPM round trips: any text the grammar accepts re-encodes to itself; when its CRC is right,
/// rebuilding it with a fresh CRC gives the same text too (when 63 appears only once).
pub fn fuzz_qr_mpm_roundtrip(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let Ok(qr) = crate::qr::decode_qr_mpm(text) else { return };
    let nodes = qr.to_nodes();
    assert_eq!(crate::qr::encode_qr_mpm_raw(&nodes).as_deref(), Ok(text));
    let single_crc = qr.objects.iter().filter(|o| o.id == crate::qr::MpmId::CRC).count() == 1;
    if single_crc && qr.crc.is_some_and(|c| c.ok() && c.stated == crate::qr::crc_hex(c.computed)) {
        assert_eq!(crate::qr::encode_qr_mpm(&nodes).as_deref(), Ok(text));
    }
}

/// CPM: the bytes as base64 text and as decoded TLV; a payload of the typed shape re-encodes
/// to a payload that decodes to the same typed value.
pub fn fuzz_qr_cpm(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data)
        && let Err(e) = crate::qr::decode_qr_cpm_base64(text)
    {
        assert!(e.offset() <= text.chars().count());
    }
    let Ok(nodes) = crate::qr::parse_qr_cpm(data) else { return };
    assert_findings_within(&crate::qr::validate_qr_cpm(&nodes), data.len());
    if let Some(payload) = crate::qr::CpmPayload::from_nodes(&nodes) {
        let bytes = crate::qr::encode_qr_cpm_bytes(&payload);
        let again = crate::qr::parse_qr_cpm(&bytes).expect("encoder output decodes");
        assert_eq!(crate::qr::CpmPayload::from_nodes(&again).as_ref(), Some(&payload));
    }
}

/// UPI links: errors point inside the text; validation never panics.
pub fn fuzz_upi_link(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else { return };
    match crate::qr::parse_upi_link(text) {
        Ok(link) => {
            assert_findings_within(&crate::qr::validate_upi_link(&link), text.chars().count());
        }
        Err(e) => assert!(e.offset() <= text.chars().count()),
    }
}

#[cfg(test)]
mod qr_tests {
    use super::*;

    #[test]
    fn qr_fuzz_entries_accept_samples_and_junk() {
        let annex = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
        for data in [annex.as_bytes(), b"", b"\xFF\xFE", b"0002", b"upi://pay?pa=%", b"\x85\x05CPV01\x61\x00"] {
            fuzz_qr_mpm(data);
            fuzz_qr_mpm_roundtrip(data);
            fuzz_qr_cpm(data);
            fuzz_upi_link(data);
        }
    }
}
