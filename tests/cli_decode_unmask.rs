//! `tapcert decode … --unmask` shows PANs and track data in full for every format that can carry
//! them (tlv, capdu, rapdu, qr); without it they are masked (first 6 and last 4 PAN digits), in
//! the JSON and in the human tree alike.

use std::process::Command;

use tapcert_parsers::qr::{CpmApplication, CpmDataObject, CpmPayload, encode_qr_cpm};

/// The test PAN and a track 2 equivalent carrying it.
const PAN: &str = "5413330089600010";
const TRACK2: &str = "5413330089600010D25122010000000000000F";
const PAN_MASKED: &str = "541333******0010";

/// The CPM structure vector of crypto-vectors.md §10 (PAN 1234567890123458 in 62.5A).
const CPM_VECTOR: &str = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";

/// `70 { 57 track 2, 5A PAN }` as hex.
fn record() -> String {
    format!("701F5713{TRACK2}5A08{PAN}")
}

/// stdout of `tapcert decode ARGS` (which must succeed), human and JSON.
fn outputs(args: &[&str]) -> [String; 2] {
    let run = |extra: Option<&str>| {
        let out = Command::new(env!("CARGO_BIN_EXE_tapcert")).arg("decode").args(args).args(extra).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    [run(None), run(Some("--json"))]
}

/// Masked by default, everything with --unmask: both outputs, `full` each time.
fn check(format: &str, input: &str, full: &[&str], masked: &str) {
    for out in outputs(&[format, input]) {
        for f in full {
            assert!(!out.contains(f), "{format}: {f} leaked without --unmask: {out}");
        }
        assert!(out.contains(masked), "{format}: no {masked} in {out}");
    }
    for out in outputs(&[format, "--unmask", input]) {
        for f in full {
            assert!(out.contains(f), "{format} --unmask: no {f} in {out}");
        }
    }
}

#[test]
fn tlv() {
    check("tlv", &record(), &[PAN, TRACK2], PAN_MASKED);
}

#[test]
fn capdu() {
    // UPDATE RECORD 1 of SFI 1 writing the record (personalisation): its data is scanned.
    check("capdu", &format!("00DC010C21{}", record()), &[PAN, TRACK2], PAN_MASKED);
}

#[test]
fn rapdu() {
    // READ RECORD answer: the record and 90 00.
    check("rapdu", &format!("{}9000", record()), &[PAN, TRACK2], PAN_MASKED);
}

#[test]
fn qr_cpm_vector() {
    check("qr", CPM_VECTOR, &["1234567890123458"], "123456******3458");
    check("qr-cpm", CPM_VECTOR, &["1234567890123458"], "123456******3458");
}

#[test]
fn qr_cpm_track2() {
    let track2 = hex::decode(TRACK2).unwrap();
    let payload = CpmPayload {
        applications: vec![CpmApplication {
            aid: vec![0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10],
            data: vec![CpmDataObject::new(0x57, track2)],
            transparent: vec![CpmDataObject::new(0x9F26, [0x11; 8]), CpmDataObject::new(0x9F36, [0x00, 0x01])],
        }],
        common: None,
    };
    check("qr", &encode_qr_cpm(&payload), &[TRACK2], PAN_MASKED);
}
