//! `tapcert decode ndef | t4t-cc | t2t-tlv` through the built binary; JSON output is parsed.

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).output().expect("run tapcert")
}

fn vector(name: &str) -> String {
    std::fs::read_to_string(format!("{}/vectors/ndef/{name}.hex", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .trim()
        .to_owned()
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn uri_record_shape() {
    let v = json(&["decode", "ndef", "--json", &vector("uri_nfc_forum")]);
    let rec = &v["records"][0];
    assert_eq!(rec["tnf"], 1);
    assert_eq!(rec["type"], "55");
    assert_eq!(rec["id"], "");
    assert_eq!(rec["payload"], "016E66632D666F72756D2E6F7267");
    assert_eq!(rec["chunks"], 1);
    assert_eq!(rec["flags"], serde_json::json!({"mb": true, "me": true, "cf": false, "sr": true, "il": false}));
    assert_eq!(rec["decoded"], serde_json::json!({"uri": "http://www.nfc-forum.org"}));
    assert_eq!(v["findings"], serde_json::json!([]));
}

#[test]
fn text_and_chunks() {
    let v = json(&["decode", "ndef", "--json", &vector("text_en_utf16")]);
    assert_eq!(v["records"][0]["decoded"], serde_json::json!({"text": "Hi", "lang": "en", "encoding": "utf-16le"}));
    let v = json(&["decode", "ndef", "--json", &vector("chunked_3_chunks")]);
    let rec = &v["records"][0];
    assert_eq!((rec["chunks"].as_u64(), rec["payload"].as_str()), (Some(3), Some("616263646566")));
    assert_eq!(rec["flags"]["cf"], true);
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
}

#[test]
fn handover_and_smart_poster() {
    let v = json(&["decode", "ndef", "--json", &vector("handover_select_bt")]);
    assert_eq!(v["records"][0]["decoded"]["handover_select"]["carriers"][0]["carrier_data_reference"], "30");
    assert_eq!(v["records"][1]["decoded"]["bluetooth_oob"]["address"], "01:02:03:04:05:06");
    let v = json(&["decode", "ndef", "--json", &vector("smartposter")]);
    let sp = &v["records"][0]["decoded"]["smart_poster"];
    assert_eq!(sp["uri"], "https://nfc-forum.org");
    assert_eq!(sp["titles"][0]["text"], "NFC Forum");
    assert_eq!(sp["records"][1]["offset"], 23);
}

#[test]
fn rejected_input_exits_1_with_offset() {
    let out = run(&["decode", "ndef", "D1010B55016E66632D666F72756D2E6F7267"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offset 15"));
    let out = run(&["decode", "ndef", "C1 01 FF FF FF FF 55 01 02 03"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4294967296"));
    let out = run(&["decode", "ndef", "D1Z"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("INPUT: not hex: unexpected 'Z' at character 2"));
}

#[test]
fn findings_and_strict() {
    let v = json(&["decode", "ndef", "--json", "500000"]);
    assert_eq!(
        v["findings"][0],
        serde_json::json!({"rule": "NDEF.MB-FIRST", "severity": "warning", "offset": 0, "message": "MB clear on the first record"})
    );
    assert_eq!(run(&["decode", "ndef", "--strict", "500000"]).status.code(), Some(1));
    assert_eq!(run(&["decode", "ndef", "--strict", "D00000"]).status.code(), Some(0));
}

#[test]
fn t4t_cc() {
    let v = json(&["decode", "t4t-cc", "--json", &vector("t4t_cc")]);
    assert_eq!((v["cclen"].as_u64(), v["mapping_version"].as_str()), (Some(15), Some("2.0")));
    assert_eq!(v["tlvs"][0]["file_id"], "E104");
    assert_eq!(v["tlvs"][0]["max_size"], 50);
    assert_eq!(run(&["decode", "t4t-cc", "000F20"]).status.code(), Some(1));
}

#[test]
fn t2t_dump_and_area() {
    let v = json(&["decode", "t2t-tlv", "--json", &vector("t2t_ntag213")]);
    assert_eq!((v["layout"].as_str(), v["uid"].as_str()), (Some("memory"), Some("046FD5AA325C80")));
    let ndef = &v["tlvs"][0];
    assert_eq!((ndef["type"].as_str(), ndef["offset"].as_u64()), (Some("03"), Some(16)));
    assert_eq!(ndef["records"][0]["decoded"]["uri"], "https://example.com");
    assert_eq!(ndef["records"][0]["offset"], 18);
    assert_eq!(v["terminated"], true);
    let v = json(&["decode", "t2t-tlv", "--json", "0303D00000FE"]);
    assert_eq!(v["layout"], "tlv");
    assert_eq!(v["tlvs"][1]["name"], "terminator");
    assert_eq!(run(&["decode", "t2t-tlv", "03FF0100D0"]).status.code(), Some(1));
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    use tapcert_parsers::ndef::{NdefRecord, Tnf, encode_ndef_message};
    let mut rec = NdefRecord::uri("https://example.com");
    for _ in 0..2000 {
        rec = NdefRecord::new(Tnf::WELL_KNOWN, b"Sp".to_vec(), Vec::new(), encode_ndef_message(&[rec]));
    }
    let hex = hex::encode_upper(encode_ndef_message(&[rec]));
    let v = json(&["decode", "ndef", "--json", &hex]);
    // Decoded down to the depth limit (4 levels of messages: the outer one and 3 nested), then
    // left as payload.
    let mut node = &v["records"][0];
    let mut levels = 0;
    while let Some(inner) = node["decoded"]["smart_poster"]["records"].get(0) {
        node = inner;
        levels += 1;
    }
    assert_eq!(levels, 3);
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "NDEF.SP.PAYLOAD"));
}
