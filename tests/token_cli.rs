//! `tapcert token` and `tapcert bench tokens` through the built binary, against the vectors in
//! vectors/crypto/ (crypto-vectors.md).
use std::process::Command;

use serde_json::Value;

fn tapcert(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).output().expect("run tapcert");
    assert!(out.status.success(), "tapcert {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn fails(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).output().expect("run tapcert");
    assert!(!out.status.success(), "tapcert {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const IMK: &str = "0123456789ABCDEFFEDCBA9876543210";
const CDOL33: &str = "0000000040000000000000000124800004800001241911050152BF45851800001C";

#[test]
fn arqc_tdes_emv_csk_vector_5c() {
    let v = tapcert(&[
        "token",
        "arqc",
        "--imk",
        IMK,
        "--pan",
        "1234567890123456",
        "--psn",
        "00",
        "--atc",
        "001C",
        "--data",
        CDOL33,
        "--json",
    ]);
    assert_eq!(v["icc_master_key"], "154F349D8585CB7F6B0798E9839B10C1"); // K10
    assert_eq!(v["session_key"], "436B942AD637E08564B532B0EC97CB26"); // S5
    assert_eq!(v["arqc"], "73024BD8950ADE28");
    assert_eq!(v.as_object().unwrap().len(), 3);
}

#[test]
fn arqc_mastercard_cvn16_skd() {
    // crypto-vectors.md §5b MC CVN 16: MC data ‖ CVR, SKD with UN ABCDEF12
    let data = concat!(
        "000000009999",
        "000000000000",
        "0124",
        "8000000000",
        "0124",
        "209906",
        "00",
        "ABCDEF12",
        "1800",
        "001C",
        "A00003220000"
    );
    let v = tapcert(&[
        "token",
        "arqc",
        "--imk",
        IMK,
        "--pan",
        "1234567890123456",
        "--psn",
        "0",
        "--atc",
        "001C",
        "--data",
        data,
        "--session",
        "mastercard-skd",
        "--un",
        "ABCDEF12",
        "--mk-derivation",
        "option-a",
        "--json",
    ]);
    assert_eq!(v["session_key"], "5D8F37BCD9E5DA68048CDFA2EA255D9E"); // S6
    assert_eq!(v["arqc"], "24CCF3DEE3158C70");
}

#[test]
fn arqc_aes_cmac_self_vector() {
    let v = tapcert(&[
        "token",
        "arqc",
        "--imk",
        "000102030405060708090A0B0C0D0E0F",
        "--pan",
        "5413330089600010",
        "--psn",
        "01",
        "--atc",
        "001C",
        "--data",
        CDOL33,
        "--mac",
        "cmac",
        "--json",
    ]);
    assert_eq!(v["icc_master_key"], "8E49BA842F0379C92E571DB7CA1AED90"); // K11
    assert_eq!(v["session_key"], "4904348A1DF96352E2343D27133CE8D7"); // S9
    assert_eq!(v["arqc"], "D73515F3AC0F0E03");
}

#[test]
fn totp_rfc6238() {
    let sha1 = hex::encode(b"12345678901234567890");
    let sha256 = hex::encode(b"12345678901234567890123456789012");
    let sha512 = hex::encode(&b"1234567890".repeat(7)[..64]);
    for (algo, secret, code) in
        [("sha1", &sha1, "89005924"), ("sha256", &sha256, "91819424"), ("sha512", &sha512, "93441116")]
    {
        let v = tapcert(&[
            "token",
            "totp",
            "--secret",
            secret,
            "--time",
            "1234567890",
            "--digits",
            "8",
            "--algo",
            algo,
            "--json",
        ]);
        assert_eq!(v, serde_json::json!({ "code": code }), "{algo}");
    }
}

#[test]
fn other_kinds() {
    let v = tapcert(&["token", "hotp", "--secret", &hex::encode(b"12345678901234567890"), "--counter", "9", "--json"]);
    assert_eq!(v["code"], "520489");
    let v = tapcert(&[
        "token",
        "arpc",
        "--key",
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB",
        "--arqc",
        "1234567890ABCDEF",
        "--arc",
        "0000",
        "--json",
    ]);
    assert_eq!(v["arpc"], "F5E6F44147E2F1B0"); // A6 method 1
    let v = tapcert(&[
        "token",
        "arpc",
        "--key",
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB",
        "--arqc",
        "1234567890ABCDEF",
        "--method",
        "2",
        "--csu",
        "00000000",
        "--json",
    ]);
    assert_eq!(v["arpc"], "9308BEBC"); // A6 method 2
    let v = tapcert(&[
        "token",
        "arpc",
        "--key",
        "4904348A1DF96352E2343D27133CE8D7",
        "--arqc",
        "D73515F3AC0F0E03",
        "--arc",
        "3030",
        "--mac",
        "cmac",
        "--json",
    ]);
    assert_eq!(v["arpc"], "2533BA93B1CB686F"); // vectors/crypto/emv.json arpc_aes R1: method 1, AES
    let v = tapcert(&[
        "token",
        "cvc3",
        "--imk",
        "01234567899876543210012345678998",
        "--pan",
        "5123456789012345",
        "--track2",
        "5123456789012345D35121010000000000000F",
        "--atc",
        "005E",
        "--un",
        "00000899",
        "--json",
    ]);
    assert_eq!(v["cvc3"], "29488"); // C1
    assert_eq!(v["kd_cvc3"], "6D6425FB9401C21AA1F80451AB85DA3B");
    let v = tapcert(&[
        "token",
        "dcvv",
        "--imk",
        "12345678123456781234567812345678",
        "--pan",
        "1234567890123456789",
        "--expiry",
        "1310",
        "--service-code",
        "226",
        "--atc",
        "3210",
        "--mk-derivation",
        "option-b",
        "--json",
    ]);
    assert_eq!(v["dcvv"], "562");
    let v = tapcert(&["token", "session-key", "--mk", IMK, "--atc", "001C", "--method", "visa-sm", "--json"]);
    assert_eq!(v["session_key"], "0123456789ABCDF2FEDCBA987654CDF2"); // S7
    let v = tapcert(&["token", "session-key", "--mk", IMK, "--r", "001C000000000000", "--json"]);
    assert_eq!(v["session_key"], "E9FB384AF807B940FEDCEA613461B0C4"); // S1
    let v = tapcert(&["token", "session-key", "--mk", IMK, "--atc", "001C", "--method", "emv2000-tree", "--json"]);
    assert_eq!(v["session_key"], "E5BF6D1067F194B0A89B7F5D83BC64A2"); // S8b, H = 8, b = 4, IV = 0
    let v = tapcert(&[
        "token",
        "icc-mk",
        "--imk",
        IMK,
        "--pan",
        "000000000000000005",
        "--psn",
        "23",
        "--method",
        "option-b",
        "--json",
    ]);
    assert_eq!(v["icc_master_key"], "2608BAA2378C92DAE0948A97E0CD230B"); // K9
    assert!(v["kcv"].as_str().unwrap().starts_with("DD73"));
    let v = tapcert(&["token", "kcv", "--key", IMK, "--len", "2", "--json"]);
    assert_eq!(v["kcv"], "08D7");
    let v = tapcert(&[
        "token",
        "kcv",
        "--key",
        "2B7E151628AED2A6ABF7158809CF4F3C",
        "--alg",
        "aes",
        "--method",
        "cmac",
        "--json",
    ]);
    assert_eq!(v["kcv"].as_str().unwrap().len(), 10);
}

#[test]
fn cpm_qr_token_decodes_with_the_cvn10_cryptogram() {
    use base64::Engine as _;
    let v = tapcert(&[
        "token",
        "cpm-qr",
        "--imk",
        IMK,
        "--pan",
        "1234567890123456",
        "--cvn",
        "visa10",
        "--data",
        CDOL33,
        "--iad",
        "06010A03A06010",
        "--json",
    ]);
    assert_eq!(v["arqc"], "29CCA15AE665FA2E"); // §5b Visa CVN 10
    let bytes = base64::engine::general_purpose::STANDARD.decode(v["qr"].as_str().unwrap()).unwrap();
    let nodes = tapcert_parsers::tlv::decode_emv_tlv(&bytes).unwrap();
    assert_eq!(nodes[0].tlv.value, b"CPV01");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let e = fails(&[
        "token",
        "arqc",
        "--imk",
        "0123",
        "--pan",
        "1234567890123456",
        "--psn",
        "0",
        "--atc",
        "001C",
        "--data",
        "00",
    ]);
    assert!(e.contains("TDES key must be 16 or 24 bytes"), "{e}");
    let e = fails(&["token", "totp", "--secret", "zz", "--time", "1"]);
    assert!(e.contains("--secret: not hex: unexpected 'z' at character 0"), "{e}");
    // The offset counts from the start of the argument as typed (blanks and 0x included).
    let e = fails(&["token", "hotp", "--secret", " 0x3132:3Z", "--counter", "0"]);
    assert!(e.contains("--secret: not hex: unexpected 'Z' at character 9"), "{e}");
    let e = fails(&[
        "token",
        "cvc3",
        "--imk",
        IMK,
        "--pan",
        "5413330089600010",
        "--psn",
        "0",
        "--track2",
        "5413 3G",
        "--un",
        "00000000",
        "--atc",
        "0001",
    ]);
    assert!(e.contains("--track2: not hex: unexpected 'G' at character 6"), "{e}");
    let e = fails(&["token", "totp", "--secret", "00", "--time", "1", "--digits", "11"]);
    assert!(e.contains("digits"), "{e}");
}

#[test]
fn bench_tokens_takes_typed_kinds() {
    let v = tapcert(&["bench", "tokens", "cvc3", "totp-sha1", "--seconds", "0.02", "--json"]);
    let kinds: std::collections::BTreeSet<_> =
        v["results"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["cvc3".to_owned(), "totp-sha1".to_owned()].into());
    let out = Command::new(env!("CARGO_BIN_EXE_tapcert")).args(["bench", "tokens", "arqc-des"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown kind is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("arqc-des"));
}

#[test]
fn bench_tokens_json_shape() {
    let v = tapcert(&["bench", "tokens", "--seconds", "0.02", "--json"]);
    let results = v["results"].as_array().unwrap();
    for kind in ["arqc-tdes", "arqc-aes", "cvc3", "totp-sha1", "cpm-qr"] {
        let rows: Vec<&Value> = results.iter().filter(|r| r["kind"] == kind).collect();
        assert!(!rows.is_empty(), "{kind}");
        assert!(rows.iter().any(|r| r["threads"] == 1));
        for r in rows {
            assert!(r["ops_per_sec"].as_f64().unwrap() > 0.0);
        }
    }
}
