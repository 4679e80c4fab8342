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
    assert_eq!(sw_of(&send(&mut b, "80A8000002830000")), sw::CONDITIONS, "GPO before SELECT");
    assert_eq!(sw_of(&send(&mut b, "00B2010C00")), sw::CONDITIONS, "READ RECORD before SELECT");
    assert_eq!(sw_of(&send(&mut b, "0012000000")), sw::INS_NOT_SUPPORTED);
    assert_eq!(sw_of(&send(&mut b, "40A4040000")), sw::CLA_NOT_SUPPORTED);
    assert_eq!(sw_of(&send(&mut b, "00A404")), sw::WRONG_LENGTH);
    assert_eq!(sw_of(&send(&mut b, "00A4040006A000000099")), sw::WRONG_LENGTH, "Lc says 6, 5 follow");
    assert_eq!(sw_of(&send(&mut b, "00A4040005A00000009900")), sw::NOT_FOUND);
    assert_eq!(sw_of(&send(&mut b, "00A4040007A000000004101000")), sw::OK);
    assert_eq!(sw_of(&send(&mut b, &format!("80AE80001D{}00", "00".repeat(29)))), sw::CONDITIONS, "AC before GPO");
    assert_eq!(sw_of(&send(&mut b, "80A80000028300")), sw::WRONG_LENGTH, "empty PDOL data");
    assert_eq!(sw_of(&send(&mut b, "80A800000400000000")), sw::WRONG_DATA, "no tag 83");
    assert_eq!(sw_of(&send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)))), sw::OK);
    assert_eq!(sw_of(&send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)))), sw::CONDITIONS, "second GPO");
    assert_eq!(sw_of(&send(&mut b, "00B2010B00")), sw::WRONG_P1P2);
    assert_eq!(sw_of(&send(&mut b, "00B2050C00")), sw::RECORD_NOT_FOUND);
    assert_eq!(sw_of(&send(&mut b, "80CA9F1700")), sw::DATA_NOT_FOUND);
    assert_eq!(sw_of(&send(&mut b, &format!("80AEC0001D{}00", "00".repeat(29)))), sw::WRONG_P1P2);
    assert_eq!(sw_of(&send(&mut b, "80AE8000040000000000")), sw::WRONG_LENGTH, "CDOL1 data too short");
    assert_eq!(sw_of(&send(&mut b, &format!("80AE80001D{}00", "00".repeat(29)))), sw::OK);
    assert_eq!(sw_of(&send(&mut b, &format!("80AE40001D{}00", "00".repeat(29)))), sw::CONDITIONS, "second AC");
}

#[test]
fn atc_persists_across_power_cycles_and_session_does_not() {
    let mut b = band("reference");
    let atc0 = b.atc();
    for _ in 0..3 {
        b.power_on();
        send(&mut b, "00A4040007A000000004101000");
        assert_eq!(sw_of(&send(&mut b, &format!("80A800001A8318{}00", "00".repeat(24)))), sw::OK);
        b.power_off();
    }
    assert_eq!(b.atc(), atc0 + 3);
    b.power_on();
    assert_eq!(sw_of(&send(&mut b, "00B2010C00")), sw::CONDITIONS, "selection lost with the field");
}

#[test]
fn uid_and_its_le_rules() {
    let mut b = band("reference");
    assert_eq!(send(&mut b, "FFCA000000"), [0x04, 0x5A, 0x3B, 0x12, 0x9C, 0x61, 0x80, 0x90, 0x00]);
    assert_eq!(sw_of(&send(&mut b, "FFCA000004")), 0x6C07);
    assert_eq!(sw_of(&send(&mut b, "FFCA010000")), sw::WRONG_P1P2);
    assert_eq!(sw_of(&send(&mut b, "FF00000000")), sw::INS_NOT_SUPPORTED);
}

#[test]
fn transit_and_ndef_state_rules() {
    let mut b = band("reference");
    send(&mut b, "00A4040008A000000632010105");
    assert_eq!(sw_of(&send(&mut b, "805C000204")), sw::OK);
    assert_eq!(sw_of(&send(&mut b, "805C0002")), sw::WRONG_LENGTH);
    assert_eq!(sw_of(&send(&mut b, "805C000104")), sw::WRONG_P1P2);
    assert_eq!(
        sw_of(&send(&mut b, "80540100 0F 00000001 20260101 120000 00000000 08")),
        sw::CONDITIONS,
        "DEBIT before INIT"
    );
    assert_eq!(sw_of(&send(&mut b, "805001020B 02 00000064 112233445566 0F")), sw::KEY_NOT_FOUND);
    assert_eq!(sw_of(&send(&mut b, "805001020B 01 FFFFFFFF 112233445566 0F")), sw::INSUFFICIENT_FUNDS);
    assert_eq!(sw_of(&send(&mut b, "00B2011C00")), sw::NOT_FOUND, "SFI 3 has no records");
    assert_eq!(sw_of(&send(&mut b, "00B201C400")), sw::RECORD_NOT_FOUND, "empty log");
    assert_eq!(send(&mut b, "00B0950000").len(), 32);
    assert_eq!(sw_of(&send(&mut b, "00B0952000")), sw::WRONG_OFFSET);
    let city = send(&mut b, "00A4040009A0000000038698070100");
    assert_eq!((city[4..13].to_vec(), sw_of(&city)), (hex::decode("A00000000386980701").unwrap(), sw::OK));
    assert_eq!(send(&mut b, "805C000204"), [0x00, 0x00, 0x27, 0x10, 0x90, 0x00], "one purse behind both AIDs");
    send(&mut b, "00A4040007D276000085010100");
    assert_eq!(sw_of(&send(&mut b, "00B000000F")), sw::NO_CURRENT_EF);
    assert_eq!(sw_of(&send(&mut b, "00A4000C02E105")), sw::NOT_FOUND);
    assert_eq!(sw_of(&send(&mut b, "00A4000C02E103")), sw::OK);
    assert_eq!(send(&mut b, "00B000000F")[..4], [0x00, 0x0F, 0x20, 0x00]);
    assert_eq!(sw_of(&send(&mut b, "00D6000001 00")), sw::SECURITY);
}

#[test]
fn mute_after_bad_gpo_lasts_until_the_field_goes_off() {
    let mut b = band("mute-after-bad-gpo");
    send(&mut b, "00A4040007A000000004101000");
    assert!(b.process(&hex::decode("80A800000400000000").unwrap()).is_mute());
    assert!(b.process(&hex::decode("00A4040007A000000004101000").unwrap()).is_mute());
    b.power_off();
    b.power_on();
    assert_eq!(sw_of(&send(&mut b, "00A4040007A000000004101000")), sw::OK);
}

#[test]
fn oda_records_fit_a_short_response_and_cda_signs_only_tc_or_arqc() {
    let mut b = band("reference");
    send(&mut b, "00A4040007A000000004101000");
    assert_eq!(sw_of(&send(&mut b, &format!("80A800001A 8318{} 00", "00".repeat(24)))), sw::OK);
    for rec in ["00B2021400", "00B2031400"] {
        let r = send(&mut b, rec);
        assert_eq!(sw_of(&r), sw::OK);
        assert!(r.len() - 2 <= 256, "{rec}: {} bytes", r.len() - 2);
        assert_eq!(r[..2], [0x70, 0x81]);
    }
    // AAC asked with the CDA bit: declined, no signature, the AC in 9F26 (Book 2 §6.6.1).
    let r = send(&mut b, &format!("80AE10001D{}00", "00".repeat(29)));
    assert_eq!(sw_of(&r), sw::OK);
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
