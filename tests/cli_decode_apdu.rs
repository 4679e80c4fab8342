//! `tapcert decode capdu|rapdu|atr`: runs the built binary and parses its JSON.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn tapcert(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapcert"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tapcert");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = tapcert(args, None);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn capdu_select_ppse() {
    let v = json(&["decode", "capdu", "00 A4 04 00 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00", "--json"]);
    assert_eq!(v["cla"], "00");
    assert_eq!(v["ins"], "A4");
    assert_eq!(v["p1"], "04");
    assert_eq!(v["p2"], "00");
    assert_eq!(v["case"], "4S");
    assert_eq!(v["nc"], 14);
    assert_eq!(v["ne"], 256);
    assert_eq!(v["data"], "325041592E5359532E4444463031");
    assert_eq!(v["ins_name"], "SELECT");
    assert_eq!(v["class"]["kind"], "first interindustry");
    assert_eq!(v["form"], "short");
}

#[test]
fn capdu_cases_and_nulls() {
    let v = json(&["decode", "capdu", "00A40400", "--json"]);
    assert_eq!((v["case"].as_str(), v["nc"].is_null(), v["ne"].is_null()), (Some("1"), true, true));
    assert!(v["form"].is_null());
    let v = json(&["decode", "capdu", "00B00000000000", "--json"]);
    assert_eq!((v["case"].as_str(), v["ne"].as_u64(), v["nc"].is_null()), (Some("2E"), Some(65536), true));
    let v = json(&["decode", "capdu", "002A9E9A000001550000", "--json"]);
    assert_eq!((v["case"].as_str(), v["nc"].as_u64(), v["ne"].as_u64()), (Some("4E"), Some(1), Some(65536)));
    let v = json(&["decode", "capdu", "805C000204", "--json"]);
    assert_eq!(
        (v["class"]["kind"].as_str(), v["ins_name"].as_str()),
        (Some("proprietary"), Some("GET BALANCE (e-purse)"))
    );
}

#[test]
fn capdu_rejections_name_the_offset() {
    let out = tapcert(&["decode", "capdu", "00D600000000015500"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("offset 8") && err.contains("2-byte extended Le"), "{err}");
    let out = tapcert(&["decode", "capdu", "00A4040007A00000000310100000"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offset 13"));
    let out = tapcert(&["decode", "capdu", "00A4Z"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn capdu_from_stdin_human_tree() {
    let out = tapcert(&["decode", "capdu"], Some("00 B2 01 0C 00\n"));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("C-APDU case 2S"), "{text}");
    assert!(text.contains("READ RECORD") && text.contains("Ne = 256"), "{text}");
}

#[test]
fn rapdu_ppse_with_tlv() {
    let hex = "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000031010500A564953412044454249548701019000";
    let v = json(&["decode", "rapdu", hex, "--json"]);
    assert_eq!(v["sw"], "9000");
    assert_eq!(v["category"], "normal");
    assert!(v["meaning"].as_str().unwrap().contains("normal processing"));
    assert_eq!(v["data"].as_str().unwrap().len(), 98);
    let tlv = v["tlv"].as_array().unwrap();
    assert_eq!(tlv[0]["tag"], "6F");
    assert_eq!(tlv[0]["len"], 47);
    let app = &tlv[0]["children"][1]["children"][0]["children"][0];
    assert_eq!(app["tag"], "61");
    assert_eq!(app["children"][0]["value"], "A0000000031010");
}

#[test]
fn rapdu_status_only_and_non_tlv_data() {
    let v = json(&["decode", "rapdu", "63C2", "--json"]);
    assert_eq!(v["data"], "");
    assert_eq!(v["category"], "warning");
    assert!(v["meaning"].as_str().unwrap().contains("2 retries"));
    assert!(v.get("tlv").is_none());
    let v = json(&["decode", "rapdu", "000003E89000", "--json"]);
    assert!(v.get("tlv").is_none(), "balance bytes are not TLV: {v}");
    let out = tapcert(&["decode", "rapdu", "90"], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn atr_mifare_classic_pseudo_atr() {
    let v = json(&["decode", "atr", "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A", "--json"]);
    assert_eq!(v["ts"], "3B");
    assert_eq!(v["convention"], "direct");
    assert_eq!(v["protocols"], serde_json::json!([0, 1]));
    assert_eq!(v["tck"], "6A");
    assert_eq!(v["tck_required"], true);
    assert_eq!(v["interface_bytes"][0]["td"], "80");
    assert_eq!(v["interface_bytes"][1]["td"], "01");
    assert_eq!(v["historical"]["kind"], "pcsc-storage");
    assert_eq!(v["contactless"]["kind"], "storage");
    assert_eq!(v["contactless"]["card"], "MIFARE Classic 1K");
    assert_eq!(v["contactless"]["standard_name"], "ISO 14443 A, part 3");
}

#[test]
fn atr_contact_emv_and_t1() {
    let v = json(&["decode", "atr", "3B6F00FF0031C173C8211064414D3348079000", "--json"]);
    assert!(v["tck"].is_null());
    assert_eq!(v["tck_required"], false);
    assert!(v["contactless"].is_null());
    assert_eq!(v["parameters"]["extra_guard_time"], 255);
    assert_eq!(v["historical"]["kind"], "compact-tlv+status");
    assert_eq!(v["historical"]["status"]["sw"], "9000");
    assert_eq!(v["historical"]["card_capabilities"]["extended_length"], false);
    assert_eq!(v["historical"]["card_capabilities"]["command_chaining"], false);
    let v = json(&["decode", "atr", "3B90958011FE6A", "--json"]);
    assert_eq!(v["parameters"]["t1"]["ifsc"], 254);
    assert_eq!(v["parameters"]["ta1"]["fi"], 512);
    assert_eq!(v["parameters"]["ta1"]["di"], 16);
}

#[test]
fn atr_bad_tck_is_rejected_with_offset() {
    let out = tapcert(&["decode", "atr", "3B8F8001804F0CA000000306030001000000006B"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("offset 19") && err.contains("6B") && err.contains("6A"), "{err}");
}

#[test]
fn atr_malformed_historical_is_a_finding_not_a_rejection() {
    // ABC UnionPay QuickPass (smartcard_list.txt): category 00 with a compact-TLV that overruns
    let args = ["decode", "atr", "3B8D80010004D0842186640000000000009F", "--json"];
    let v = json(&args);
    assert_eq!(v["historical"]["kind"], "malformed");
    assert!(v["historical"]["error"].as_str().unwrap().contains("offset 10"));
    let strict = tapcert(&["decode", "atr", "3B8D80010004D0842186640000000000009F", "--strict"], None);
    assert_eq!(strict.status.code(), Some(1));
}

/// A READ RECORD response carrying a PAN (the Mastercard test PAN 5413330089600010): neither the
/// raw data line, the tree nor the JSON may show it whole.
#[test]
fn rapdu_masks_the_pan_in_every_output() {
    let input = "70 0A 5A 08 54 13 33 00 89 60 00 10 90 00";
    let human = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(["decode", "rapdu", input]).output().unwrap();
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(!text.contains("5413330089600010"), "{text}");
    assert!(text.contains("541333******0010"), "{text}");
    let json = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(["decode", "rapdu", "--json", input]).output().unwrap();
    let text = String::from_utf8(json.stdout).unwrap();
    assert!(!text.contains("5413330089600010"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["data"].as_str().unwrap().contains("541333******0010"), "{v}");
}

#[test]
fn capdu_data_masks_pan_and_track2() {
    // a personalisation PUT DATA carrying the Visa test PAN (5A) and its track 2 (57)
    let cmd = "80 DA 00 00 1C 5A 08 47 61 73 10 00 00 00 27 57 10 47 61 73 10 00 00 00 27 D3 11 22 01 19 05 81 01";
    let v = json(&["decode", "capdu", cmd, "--json"]);
    let data = v["data"].as_str().unwrap();
    assert_eq!(data.len(), 2 * 0x1C);
    assert!(data.contains('*'), "{data}");
    assert!(!data.contains("47617310000000"), "PAN digits leak: {data}");
    assert!(data.starts_with("5A08476173"), "tags, lengths and the BIN stay readable: {data}");
    // the human rendering hides the same digits
    let out = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(["decode", "capdu", cmd]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(data), "{text}");
    assert!(!text.contains("47617310000000"), "{text}");
}

#[test]
fn capdu_verify_hides_the_pin_block() {
    let v = json(&["decode", "capdu", "00 20 00 80 08 24 12 34 FF FF FF FF FF", "--json"]);
    assert_eq!(v["ins_name"], "VERIFY");
    assert_eq!(v["data"], "*".repeat(16));
    let out = Command::new(env!("CARGO_BIN_EXE_tapcert"))
        .args(["decode", "capdu", "0020008008241234FFFFFFFFFF"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("241234"));
}

#[test]
fn capdu_terminal_data_is_not_byte_scanned() {
    // GENERATE AC with CDOL data that happens to contain 5A 02 12 34: not a PAN, shown as is
    let data = "000000001000000000000000084000000000000840231122005A021234";
    let v = json(&["decode", "capdu", &format!("80AE80001D{data}00"), "--json"]);
    assert_eq!(v["data"], data);
}
