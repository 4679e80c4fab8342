//! State machine and status word checks of the band (whole flows: `tests/band.rs`).

use super::*;

fn band(profile: &str) -> Band {
    let mut b = Band::new(find_profile(profile).unwrap());
    b.power_on();
    b
}

fn send(b: &mut Band, apdu: &str) -> Vec<u8> {
    b.process(&hex::decode(apdu.replace(' ', "")).unwrap()).rapdu
}

fn sw_of(r: &[u8]) -> u16 {
    u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]])
}

#[test]
fn out_of_order_and_malformed_commands_get_iso_status_words() {
    let mut b = band("reference");
    assert_eq!(sw_of(&send(&mut b, "80A8000002830000")), StatusWord::CONDITIONS_NOT_SATISFIED.0, "GPO before SELECT");
    assert_eq!(sw_of(&send(&mut b, "00B2010C00")), StatusWord::CONDITIONS_NOT_SATISFIED.0, "READ RECORD before SELECT");
    assert_eq!(sw_of(&send(&mut b, "0012000000")), StatusWord::INS_NOT_SUPPORTED.0);
    assert_eq!(sw_of(&send(&mut b, "40A4040000")), StatusWord::CLA_NOT_SUPPORTED.0);
    assert_eq!(sw_of(&send(&mut b, "00A404")), StatusWord::WRONG_LENGTH.0);
    assert_eq!(sw_of(&send(&mut b, "00A4040006A000000099")), StatusWord::WRONG_LENGTH.0, "Lc says 6, 5 follow");
    assert_eq!(sw_of(&send(&mut b, "00A4040005A00000009900")), StatusWord::FILE_NOT_FOUND.0);
    assert_eq!(sw_of(&send(&mut b, "00A4040007A000000004101000")), StatusWord::OK.0);
    assert_eq!(
        sw_of(&send(&mut b, &format!("80AE80001D{}00", "00".repeat(29)))),
        StatusWord::CONDITIONS_NOT_SATISFIED.0,
        "AC before GPO"
    );
    assert_eq!(sw_of(&send(&mut b, "80A80000028300")), StatusWord::WRONG_LENGTH.0, "empty PDOL data");
    assert_eq!(sw_of(&send(&mut b, "80A800000400000000")), StatusWord::INCORRECT_DATA.0, "no tag 83");
    assert_eq!(sw_of(&send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)))), StatusWord::OK.0);
    assert_eq!(
        sw_of(&send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)))),
        StatusWord::CONDITIONS_NOT_SATISFIED.0,
        "second GPO"
    );
    assert_eq!(sw_of(&send(&mut b, "00B2010B00")), StatusWord::INCORRECT_P1_P2.0);
    assert_eq!(sw_of(&send(&mut b, "00B2050C00")), StatusWord::RECORD_NOT_FOUND.0);
    assert_eq!(sw_of(&send(&mut b, "80CA9F1700")), StatusWord::REFERENCED_DATA_NOT_FOUND.0);
    assert_eq!(sw_of(&send(&mut b, &format!("80AEC0001D{}00", "00".repeat(29)))), StatusWord::INCORRECT_P1_P2.0);
    assert_eq!(sw_of(&send(&mut b, "80AE8000040000000000")), StatusWord::WRONG_LENGTH.0, "CDOL1 data too short");
    assert_eq!(sw_of(&send(&mut b, &format!("80AE80001D{}00", "00".repeat(29)))), StatusWord::OK.0);
    assert_eq!(
        sw_of(&send(&mut b, &format!("80AE40001D{}00", "00".repeat(29)))),
        StatusWord::CONDITIONS_NOT_SATISFIED.0,
        "second AC"
    );
}

#[test]
fn atc_persists_across_power_cycles_and_session_does_not() {
    let mut b = band("reference");
    let atc0 = b.atc();
    for _ in 0..3 {
        b.power_on();
        send(&mut b, "00A4040007A000000004101000");
        assert_eq!(sw_of(&send(&mut b, &format!("80A800001A8318{}00", "00".repeat(24)))), StatusWord::OK.0);
        b.power_off();
    }
    assert_eq!(b.atc(), atc0 + 3);
    b.power_on();
    assert_eq!(
        sw_of(&send(&mut b, "00B2010C00")),
        StatusWord::CONDITIONS_NOT_SATISFIED.0,
        "selection lost with the field"
    );
}

#[test]
fn uid_and_its_le_rules() {
    let mut b = band("reference");
    assert_eq!(send(&mut b, "FFCA000000"), [0x04, 0x5A, 0x3B, 0x12, 0x9C, 0x61, 0x80, 0x90, 0x00]);
    assert_eq!(sw_of(&send(&mut b, "FFCA000004")), 0x6C07);
    assert_eq!(sw_of(&send(&mut b, "FFCA010000")), StatusWord::INCORRECT_P1_P2.0);
    assert_eq!(sw_of(&send(&mut b, "FF00000000")), StatusWord::INS_NOT_SUPPORTED.0);
}

#[test]
fn transit_and_ndef_state_rules() {
    let mut b = band("reference");
    send(&mut b, "00A4040008A000000632010105");
    assert_eq!(sw_of(&send(&mut b, "805C000204")), StatusWord::OK.0);
    assert_eq!(sw_of(&send(&mut b, "805C0002")), StatusWord::WRONG_LENGTH.0);
    assert_eq!(sw_of(&send(&mut b, "805C000104")), StatusWord::INCORRECT_P1_P2.0);
    assert_eq!(
        sw_of(&send(&mut b, "80540100 0F 00000001 20260101 120000 00000000 08")),
        StatusWord::CONDITIONS_NOT_SATISFIED.0,
        "DEBIT before INIT"
    );
    assert_eq!(
        sw_of(&send(&mut b, "805001020B 02 00000064 112233445566 0F")),
        StatusWord::EPURSE_KEY_INDEX_NOT_SUPPORTED.0
    );
    assert_eq!(
        sw_of(&send(&mut b, "805001020B 01 FFFFFFFF 112233445566 0F")),
        StatusWord::EPURSE_INSUFFICIENT_BALANCE.0
    );
    assert_eq!(sw_of(&send(&mut b, "00B2011C00")), StatusWord::FILE_NOT_FOUND.0, "SFI 3 has no records");
    assert_eq!(sw_of(&send(&mut b, "00B201C400")), StatusWord::RECORD_NOT_FOUND.0, "empty log");
    assert_eq!(send(&mut b, "00B0950000").len(), 32);
    assert_eq!(sw_of(&send(&mut b, "00B0952000")), StatusWord::WRONG_P1_P2.0);
    let city = send(&mut b, "00A4040009A0000000038698070100");
    assert_eq!((city[4..13].to_vec(), sw_of(&city)), (hex::decode("A00000000386980701").unwrap(), StatusWord::OK.0));
    assert_eq!(send(&mut b, "805C000204"), [0x00, 0x00, 0x27, 0x10, 0x90, 0x00], "one purse behind both AIDs");
    send(&mut b, "00A4040007D276000085010100");
    assert_eq!(sw_of(&send(&mut b, "00B000000F")), StatusWord::NO_CURRENT_EF.0);
    assert_eq!(sw_of(&send(&mut b, "00A4000C02E105")), StatusWord::FILE_NOT_FOUND.0);
    assert_eq!(sw_of(&send(&mut b, "00A4000C02E103")), StatusWord::OK.0);
    assert_eq!(send(&mut b, "00B000000F")[..4], [0x00, 0x0F, 0x20, 0x00]);
    assert_eq!(sw_of(&send(&mut b, "00D6000001 00")), StatusWord::SECURITY_STATUS_NOT_SATISFIED.0);
}

#[test]
fn mute_after_bad_gpo_lasts_until_the_field_goes_off() {
    let mut b = band("mute-after-bad-gpo");
    send(&mut b, "00A4040007A000000004101000");
    assert!(b.process(&hex::decode("80A800000400000000").unwrap()).is_mute());
    assert!(b.process(&hex::decode("00A4040007A000000004101000").unwrap()).is_mute());
    b.power_off();
    b.power_on();
    assert_eq!(sw_of(&send(&mut b, "00A4040007A000000004101000")), StatusWord::OK.0);
}

#[test]
fn oda_records_fit_a_short_response_and_cda_signs_only_tc_or_arqc() {
    let mut b = band("reference");
    send(&mut b, "00A4040007A000000004101000");
    assert_eq!(sw_of(&send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)))), StatusWord::OK.0);
    for rec in ["00B2021400", "00B2031400"] {
        let r = send(&mut b, rec);
        assert_eq!(sw_of(&r), StatusWord::OK.0);
        assert!(r.len() - 2 <= 256, "{rec}: {} bytes", r.len() - 2);
        assert_eq!(r[..2], [0x70, 0x81]);
    }
    // AAC asked with the CDA bit: declined, no signature, the AC in 9F26 (Book 2 §6.6.1).
    let r = send(&mut b, &format!("80AE10001D{}00", "00".repeat(29)));
    assert_eq!(sw_of(&r), StatusWord::OK.0);
    let nodes = tapcert_parsers::tlv::decode_emv_tlv(&r[..r.len() - 2]).unwrap();
    let tags: Vec<u32> = nodes[0].children.iter().map(|n| n.tlv.tag.0).collect();
    assert_eq!(tags, [0x9F27, 0x9F36, 0x9F26, 0x9F10]);
    // ARQC with CDA on a new transaction: 9F4B of the ICC modulus length replaces 9F26.
    b.power_off();
    b.power_on();
    send(&mut b, "00A4040007A000000004101000");
    send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)));
    let r = send(&mut b, &format!("80AE90001D{}00", "00".repeat(29)));
    let nodes = tapcert_parsers::tlv::decode_emv_tlv(&r[..r.len() - 2]).unwrap();
    let tags: Vec<u32> = nodes[0].children.iter().map(|n| n.tlv.tag.0).collect();
    assert_eq!(tags, [0x9F27, 0x9F36, 0x9F4B, 0x9F10]);
    assert_eq!(nodes[0].children[2].tlv.value.len(), 128);
}
