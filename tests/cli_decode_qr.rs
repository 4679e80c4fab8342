//! `tapcert decode qr`: runs the built binary over the QR vectors and parses its JSON.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn vector(name: &str) -> String {
    let path = format!("{}/vectors/qr/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap().trim_end().to_owned()
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapcert"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json_of(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let out = run(args, stdin);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {:?} stderr {:?}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

#[test]
fn mpm_annex_json_shape() {
    let (code, j) = json_of(&["decode", "qr", "--json", &vector("mpm_emvco_annex")], None);
    assert_eq!(code, 0);
    assert_eq!(j["kind"], "emvco-mpm");
    assert_eq!(j["crc"], serde_json::json!({"stated": "A13A", "computed": "A13A", "ok": true}));
    assert_eq!(j["findings"], serde_json::json!([]));
    let objects = j["objects"].as_array().unwrap();
    let name = objects.iter().find(|o| o["id"] == "59").unwrap();
    assert_eq!(name["value"], "BEST TRANSPORT");
    let lang = objects.iter().find(|o| o["id"] == "64").unwrap();
    assert_eq!(
        lang["objects"][1],
        serde_json::json!({"id": "01", "name": "Merchant Name - Alternate Language", "offset": 131, "value": "最佳运输"})
    );
    // 52 stays primitive: a value, no "objects".
    let mcc = objects.iter().find(|o| o["id"] == "52").unwrap();
    assert!(mcc.get("objects").is_none() && mcc["value"] == "4111");
}

#[test]
fn findings_exit_0_unless_strict() {
    let text = vector("mpm_promptpay_mobile");
    let (code, j) = json_of(&["decode", "qr", "--json"], Some(&format!("{text}\n")));
    assert_eq!(code, 0);
    assert_eq!(j["profiles"], serde_json::json!(["emvco", "promptpay"]));
    let ids: Vec<_> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].clone(), f["severity"].clone(), f["path"].clone()))
        .collect();
    assert_eq!(ids[0], ("QR.EMVCO.MANDATORY".into(), "warning".into(), "52".into()));
    assert_eq!(ids.len(), 3);
    assert_eq!(run(&["decode", "qr", "--strict", &text], None).status.code(), Some(1));
    let wrong = json_of(&["decode", "qr", "--json", &vector("neg_mpm_wrong_crc")], None);
    assert_eq!(wrong.0, 0);
    assert_eq!(wrong.1["crc"]["ok"], false);
    assert_eq!(
        wrong.1["findings"][0],
        serde_json::json!({"rule": "QR.CRC", "severity": "error", "path": "63", "char_offset": 240,
                           "message": "stated \"A13B\", computed A13A over the bytes up to and including \"6304\""})
    );
}

#[test]
fn cpm_json_uses_the_tlv_node_shape() {
    let (code, j) = json_of(&["decode", "qr", "--json", &vector("cpm_emvco_example")], None);
    assert_eq!(code, 0);
    assert_eq!(j["kind"], "emvco-cpm");
    let tags: Vec<_> = j["tlv"].as_array().unwrap().iter().map(|n| n["tag"].as_str().unwrap().to_owned()).collect();
    assert_eq!(tags, ["85", "61", "61", "62"]);
    assert_eq!(j["tlv"][0]["value"], "4350563031");
    // Forcing MPM on CPM text is a rejection.
    assert_eq!(run(&["decode", "qr-mpm", &vector("cpm_emvco_example")], None).status.code(), Some(1));
    let (code, j) = json_of(&["decode", "qr-cpm", "--json", &vector("cpm_unionpay_example")], None);
    assert_eq!((code, j["tlv"][1]["children"][0]["value"].as_str()), (0, Some("A000000333010102")));
}

#[test]
fn upi_link_and_wallet_code() {
    let (code, j) = json_of(&["decode", "qr", "--json", &vector("upi_npci_sample")], None);
    assert_eq!(code, 0);
    assert_eq!(j["kind"], "upi-link");
    let url = j["params"].as_array().unwrap().iter().find(|p| p["key"] == "url").unwrap();
    assert_eq!(url["value"], "https://mystar.com/orderid=9298yw89e8973e87389e78923ue892");
    assert_eq!(
        (j["findings"][0]["rule"].as_str(), j["findings"][0]["path"].as_str()),
        (Some("QR.UPI.AMOUNT-FORMAT"), Some("mam"))
    );
    let (code, j) = json_of(&["decode", "qr", "--json", "120061098828009406"], None);
    assert_eq!((code, j["kind"].as_str(), j["wallet"].as_str()), (0, Some("wallet-code"), Some("wechat-pay")));
    let (code, j) = json_of(&["decode", "qr", "--json", "990061098828009406"], None);
    assert_eq!((code, j["wallet"].is_null()), (0, true));
    assert_eq!(
        (j["findings"][0]["rule"].as_str(), j["findings"][0]["severity"].as_str()),
        (Some("QR.WALLET.UNKNOWN"), Some("info"))
    );
    // An unknown wallet breaks no rule: info, which --strict lets pass.
    assert_eq!(run(&["decode", "qr", "--strict", "990061098828009406"], None).status.code(), Some(0));
}

#[test]
fn undecodable_text_exits_1_with_the_offset() {
    let out = run(&["decode", "qr", &vector("neg_mpm_template_length_crc_valid")], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("offset 28"), "{err}");
    let out = run(&["decode", "qr", &vector("neg_mpm_truncated")], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offset 110"));
    assert_eq!(run(&["decode", "qr", "hello"], None).status.code(), Some(1));
    assert_eq!(run(&["decode", "qr", "upi://pay"], None).status.code(), Some(1));
    assert_eq!(run(&["decode", "qr-cpm", "hQVDUFYw*"], None).status.code(), Some(1));
}

/// The EMVCo CPM example carries PAN 1234567890123458 in `5A`: the human tree masks it like
/// the JSON does.
#[test]
fn cpm_human_output_masks_the_pan() {
    let qr = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tapcert")).args(["decode", "qr", qr]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("1234567890123458"), "{text}");
    assert!(text.contains("123456******3458"), "{text}");
}
