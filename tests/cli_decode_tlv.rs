//! `tapcert decode tlv` run as a binary: JSON parsed, exit codes, masking, findings.

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapcert")).arg("decode").arg("tlv").args(args).output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn vector(name: &str) -> String {
    std::fs::read_to_string(format!("{}/vectors/emv/{name}.hex", env!("CARGO_MANIFEST_DIR"))).unwrap().trim().to_owned()
}

#[test]
fn ppse_tree_with_names_offsets_and_no_findings() {
    let v = json(&[&vector("ppse_visa_debit")]);
    let fci = &v["tlv"][0];
    assert_eq!(fci["tag"], "6F");
    assert_eq!(fci["name"], "File Control Information (FCI) Template");
    assert_eq!(fci["len"], 47);
    let entry = &fci["children"][1]["children"][0]["children"][0];
    assert_eq!(entry["tag"], "61");
    assert_eq!(entry["offset"], 23);
    assert_eq!(entry["children"][0]["value"], "A0000000031010");
    assert_eq!(entry["children"][1]["name"], "Application Label");
    assert_eq!(v["findings"], Value::Array(vec![]));
}

#[test]
fn pan_and_track2_are_masked_unless_unmasked() {
    let rec = vector("mc_record_track2_cdol");
    let v = json(&[&rec]);
    let children = v["tlv"][0]["children"].as_array().unwrap();
    let t2 = children.iter().find(|c| c["tag"] == "57").unwrap();
    assert_eq!(t2["value"], "541333******0010D*****************");
    assert_eq!(t2["masked"], true);
    let pan = children.iter().find(|c| c["tag"] == "5A").unwrap();
    assert_eq!(pan["value"], "541333******0010");
    let human = String::from_utf8(run(&[&rec]).stdout).unwrap();
    assert!(human.contains("541333******0010"), "{human}");
    assert!(!human.contains("5413330089600010"), "PAN leaked: {human}");
    let v = json(&["--unmask", &rec]);
    let pan = v["tlv"][0]["children"].as_array().unwrap().iter().find(|c| c["tag"] == "5A").unwrap().clone();
    assert_eq!(pan["value"], "5413330089600010");
    assert!(pan.get("masked").is_none());
}

#[test]
fn findings_and_strict_exit_code() {
    // 00 padding (info), 5F2A of 3 bytes with a non-BCD byte, 9A with a non-minimal length.
    let input = "00 5F2A 03 09 7A 00 9A 81 03 26 11 22";
    let v = json(&[input]);
    let rules: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["offset"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("TLV.PADDING".to_owned(), 0),
            ("EMV.LENGTH.RANGE".to_owned(), 1),
            ("EMV.FORMAT.N".to_owned(), 5),
            ("TLV.LENGTH.NON-MINIMAL".to_owned(), 8)
        ]
    );
    assert_eq!(v["tlv"][0]["padding"], 1);
    assert_eq!(run(&[input]).status.code(), Some(0));
    assert_eq!(run(&["--strict", input]).status.code(), Some(1));
    // Padding alone is info: --strict still passes.
    assert_eq!(run(&["--strict", "00 9A 03 26 11 22"]).status.code(), Some(0));
}

#[test]
fn rejected_input_names_the_offset() {
    let out = run(&["70 05 5A 08 12 34 56"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tapcert: rejected") && err.contains("at offset 2"), "{err}");
    let out = run(&["77 02 82 80"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("indefinite length"));
    assert_eq!(run(&["7G"]).status.code(), Some(2));
}

#[test]
fn human_output_decodes_dols_and_text() {
    let out = run(&[&vector("select_visa_electron_pdol_9a_twice")]);
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(human.contains("\"VISA CARD\""), "{human}");
    assert!(human.contains("9A:3 9C:1 9F37:4 9A:3 (36 bytes)"), "{human}");
}
