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

/// A whole command APDU as upper-case hex, header and length fields in clear and the data field
/// masked by the instruction's rule ([`tapcert_parsers::tlv::mask_command_data_hex`]: PIN
/// blocks hidden whole, PANs and track data in write commands). A command that does not parse
/// is masked as a buffer ([`masked_hex`]).
///
/// ```
/// use tapcert_conformance::mask::masked_command_hex;
/// // VERIFY with a plaintext PIN block
/// assert_eq!(masked_command_hex(&[0x00, 0x20, 0x00, 0x80, 0x02, 0x24, 0x12]), "0020008002****");
/// ```
pub fn masked_command_hex(capdu: &[u8]) -> String {
    let Ok(cmd) = tapcert_parsers::apdu::CommandApdu::from_bytes(capdu) else { return masked_hex(capdu) };
    let (data, case) = (cmd.data(), cmd.case());
    // the data field's place: after the header and Lc (1 byte, or 3 in the extended form)
    let start = match (case.has_data(), case.is_extended()) {
        (false, _) => 4,
        (true, false) => 5,
        (true, true) => 7,
    };
    let (head, rest) = capdu.split_at(start.min(capdu.len()));
    let tail = rest.get(data.len()..).unwrap_or(&[]);
    format!(
        "{}{}{}",
        hex::encode_upper(head),
        tapcert_parsers::tlv::mask_command_data_hex(cmd.ins().0, data),
        hex::encode_upper(tail)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_keep_header_and_lengths_and_mask_by_instruction() {
        // extended VERIFY: header, 00 Lc(2) in clear, the PIN block hidden, Le in clear
        let verify = hex::decode("00200080000008241234FFFFFFFFFF0000").unwrap();
        assert_eq!(masked_command_hex(&verify), format!("00200080000008{}0000", "*".repeat(16)));
        // PUT DATA carrying a PAN: masked like a record
        let put = hex::decode("80DA00000A5A085413330089600010").unwrap();
        assert_eq!(masked_command_hex(&put), "80DA00000A5A08541333******0010");
        // GENERATE AC: terminal data (not TLV) in clear, even with a stray 5A 02 in it
        let genac = hex::decode("80AE80001D000000001000000000000000084000000000000840231122005A02123400").unwrap();
        assert_eq!(
            masked_command_hex(&genac),
            "80AE80001D000000001000000000000000084000000000000840231122005A02123400"
        );
        // case 1 and unparsable bytes
        assert_eq!(masked_command_hex(&[0x00, 0xA4, 0x04, 0x00]), "00A40400");
        assert_eq!(masked_command_hex(&[0x00, 0x20]), "0020");
    }

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
