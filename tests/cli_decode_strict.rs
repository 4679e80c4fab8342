//! `tapcert decode --strict` means the same for every format: exit 1 when some finding is a
//! violation (severity warning or error), 0 otherwise (info findings never fail). Findings
//! have one JSON shape everywhere.

use std::process::Command;

use serde_json::Value;

/// Exit code and stdout of `tapcert decode FORMAT INPUT EXTRA...`.
fn decode(format: &str, input: &str, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(["decode", format, input]).args(extra).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

fn findings(format: &str, input: &str) -> Vec<Value> {
    let (code, out) = decode(format, input, &["--json"]);
    assert_eq!(code, 0, "{format} {input}: findings never fail without --strict");
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc["findings"].as_array().unwrap_or_else(|| panic!("{format}: no findings array in {doc}")).clone()
}

/// The one JSON shape of a finding.
fn assert_shape(format: &str, f: &Value) {
    let obj = f.as_object().unwrap();
    for key in obj.keys() {
        assert!(
            ["rule", "severity", "step", "path", "offset", "char_offset", "message"].contains(&key.as_str()),
            "{format}: unexpected key {key} in {f}"
        );
    }
    let rule = f["rule"].as_str().unwrap();
    assert!(tapcert_parsers::is_rule_id(rule), "{format}: {rule}");
    assert!(["info", "warning", "error"].contains(&f["severity"].as_str().unwrap()), "{f}");
    assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
}

/// A violation fails --strict; its first finding is `rule` in the one shape.
fn violation(format: &str, input: &str, rule: &str) {
    let found = findings(format, input);
    assert_eq!(found[0]["rule"], rule, "{format}: {found:?}");
    found.iter().for_each(|f| assert_shape(format, f));
    assert_eq!(decode(format, input, &["--strict"]).0, 1, "{format} {input}");
    assert_eq!(decode(format, input, &["--strict", "--json"]).0, 1, "{format} {input}");
}

/// Input without violations (none, or info only) passes --strict.
fn passes(format: &str, input: &str) {
    findings(format, input).iter().for_each(|f| {
        assert_shape(format, f);
        assert_eq!(f["severity"], "info", "{format}: {f}");
    });
    assert_eq!(decode(format, input, &["--strict"]).0, 0, "{format} {input}");
}

#[test]
fn tlv() {
    violation("tlv", "9A 81 03 26 11 22", "TLV.LENGTH.NON-MINIMAL");
    passes("tlv", "00 9A 03 26 11 22"); // padding: info
    passes("tlv", "9A 03 26 11 22");
}

#[test]
fn ndef() {
    violation("ndef", "500000", "NDEF.MB-FIRST");
    passes("ndef", "D00000");
}

#[test]
fn t4t_cc() {
    violation("t4t-cc", "000F20003B003404 06 E103 0032 0000", "T4T.FILE-ID");
    passes("t4t-cc", "000F20003B003404 06 E104 0032 0000");
}

#[test]
fn t2t_tlv() {
    violation("t2t-tlv", "0303500000FE", "NDEF.MB-FIRST");
    passes("t2t-tlv", "0303D00000FE");
}

#[test]
fn qr() {
    // The EMVCo annex sample with its CRC changed: an error.
    let annex =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/qr/neg_mpm_wrong_crc.txt")).unwrap();
    violation("qr", annex.trim(), "QR.CRC");
    violation("qr", "upi://pay?pa=shop@npci", "QR.UPI.PAYEE-NAME");
    passes("qr", "upi://pay?pa=shop@npci&pn=Shop");
    passes("qr", "990061098828009406"); // unknown wallet: info
}

#[test]
fn atr() {
    // Compact-TLV object 5 declares 5 bytes, none follow.
    violation("atr", "3B 02 80 55", "ATR.HISTORICAL.MALFORMED");
    passes("atr", "3B 02 14 50");
}

/// A lone APDU has no validator (the exchange rules need both halves): no findings, and
/// --strict passes whatever the APDU.
#[test]
fn apdus_have_no_findings() {
    for (format, input) in [("capdu", "00A40400"), ("rapdu", "6F009000")] {
        let (code, out) = decode(format, input, &["--strict", "--json"]);
        assert_eq!(code, 0);
        assert!(serde_json::from_str::<Value>(&out).unwrap().get("findings").is_none(), "{out}");
    }
}
