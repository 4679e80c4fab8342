//! Masking of PANs and track data before bytes reach a log or a report.
//!
//! The rule (which tags, which digits) lives in one place, `tapcert_parsers::tlv` (see
//! [`tapcert_parsers::tlv::mask_emv_hex`]): `tapcert decode tlv` and every conformance log use
//! the same function. In short: first six and last four digits of a PAN longer than ten
//! digits; track 2 keeps only those and the separator; track 1 keeps the format code, those
//! and the first `^`; discretionary data and cardholder names are hidden whole. A buffer that
//! does not parse as BER-TLV (a faulty band) is scanned byte by byte for the same tags.

/// Upper-case hex of `bytes` with sensitive nibbles replaced by `*`.
///
/// ```
/// use tapcert_conformance::mask::masked_hex;
/// let record = [0x70, 0x0A, 0x5A, 0x08, 0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10, 0x90, 0x00];
/// assert_eq!(masked_hex(&record), "700A5A08541333******00109000");
/// ```
pub fn masked_hex(bytes: &[u8]) -> String {
    tapcert_parsers::tlv::mask_emv_hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track2_keeps_bin_last4_and_separator_only() {
        // 57 13 5413330089600010 D 2512 201 0000000000000F
        let t2 = hex::decode("57135413330089600010D25122010000000000000F").unwrap();
        assert_eq!(masked_hex(&t2), format!("5713541333******0010D{}", "*".repeat(21)));
    }

    #[test]
    fn malformed_tlv_is_still_masked() {
        // Record length off by one: 70 0B but only 10 bytes follow.
        let rec = hex::decode("700B5A0854133300896000109000").unwrap();
        assert!(masked_hex(&rec).contains("541333******0010"), "{}", masked_hex(&rec));
    }

    #[test]
    fn uid_bytes_are_not_taken_for_a_pan() {
        let uid = hex::decode("045A3B129C61809000").unwrap();
        assert_eq!(masked_hex(&uid), "045A3B129C61809000");
    }

    #[test]
    fn name_is_hidden_and_other_tags_untouched() {
        let b = hex::decode("5F20034142439F360200019000").unwrap();
        assert_eq!(masked_hex(&b), "5F2003******9F360200019000");
    }

    /// The masker this replaced showed the whole of a 10-digit PAN (6 + 4 of 10) and the
    /// track 1/2 discretionary data (9F1F, 9F20) in clear.
    #[test]
    fn short_pan_and_discretionary_data_do_not_leak() {
        let b = hex::decode("5A0554133300899F1F0331323390009F200212349000").unwrap();
        let m = masked_hex(&b);
        assert_eq!(m, "5A05**********9F1F03******90009F2002****9000");
    }
}
