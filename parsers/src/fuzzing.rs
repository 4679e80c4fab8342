//! Entry points for the fuzz targets and the stable corpus replay. Not a stable API.
//!
//! Each function runs one target's whole check on arbitrary bytes and panics only when an
//! invariant of the parsers is broken (a round trip that does not hold, an error offset past
//! the input). Parse errors are expected and ignored.

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
            let _ = crate::qr::validate_qr_mpm(&qr);
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
    let _ = crate::qr::validate_qr_cpm(&nodes);
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
            let _ = crate::qr::validate_upi_link(&link);
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
