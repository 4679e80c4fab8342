//! Entry points for the fuzz targets and the stable corpus replay. Not a stable API.
//!
//! Each function runs one target's whole check on arbitrary bytes and panics only when an
//! invariant of the parsers is broken (a round trip that does not hold, an error offset past
//! the input). Parse errors are expected and ignored.

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
    for f in validate_ndef_message(data) {
        assert!(f.offset <= data.len(), "finding offset {} past input {}", f.offset, data.len());
    }
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
            let _ = validate_t4t_cc(&cc);
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
            for f in validate_t2t_tlvs(&area) {
                assert!(f.offset <= data.len());
            }
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past input: {e:?}"),
    }
    match decode_t2t_memory(data) {
        Ok(mem) => {
            for f in validate_t2t_memory(&mem) {
                assert!(f.offset <= data.len());
            }
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
