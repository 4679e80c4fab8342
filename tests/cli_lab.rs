//! `tapcert certify` with a lab's files: `--keys` (names and KCVs in the reports, never key
//! bytes), `--dut` (missing applications are not applicable) and `--waivers` (skipped with the
//! reason; an expired one fails the run).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tapcert_conformance::terminal::{TerminalKeys, kcv};

fn tapcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).output().expect("run tapcert")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tapcert-cli-lab-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn certify(dir: &Path, extra: &[&str]) -> (Output, Value) {
    let out_dir = dir.join("run");
    let mut args = vec!["certify", "--out", out_dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = tapcert(&args);
    let report = std::fs::read_to_string(out_dir.join("report.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (out, report)
}

fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["cases"].as_array().unwrap())
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["verdict"].as_str().unwrap().to_string()))
        .collect()
}

/// Secure-messaging and load keys of the lab (test keys of this file only): every role of a
/// keys file is given, so the search for key bytes covers every role.
const LAB_SMI: [u8; 16] = *b"lab-imk-smi-0017";
const LAB_SMC: [u8; 16] = *b"lab-imk-smc-0017";
const LAB_DLK: [u8; 16] = *b"lab-load-key-017";

/// The built-in band's keys as a keys file, with the purse TAC key replaced by `dtk`, plus the
/// lab's SMI, SMC and load keys and the band's cryptogram version and derivation declared.
fn keys_file(dtk: [u8; 16]) -> String {
    let t = TerminalKeys::test_keys();
    let (imk, purse, ca) = (&t.issuer[0], &t.purse[0], &t.ca[0]);
    let ca_kcv = &t.kcvs().iter().find(|k| k.role == "ca-public").unwrap().kcv.clone();
    format!(
        "[[issuer]]\nname = \"lab-imk-ac\"\nimk_ac = \"{}\"\nkcv = \"{}\"\n\
         imk_smi = \"{}\"\nsmi_kcv = \"{}\"\nimk_smc = \"{}\"\nsmc_kcv = \"{}\"\n\
         cvn = \"mastercard-20\"\nderivation = \"option-a\"\n\n\
         [[ca]]\nname = \"lab-ca\"\nrid = \"A000000004\"\nindex = \"F0\"\nmodulus = \"{}\"\nexponent = \"{}\"\nkcv = \"{ca_kcv}\"\n\n\
         [[purse]]\nname = \"lab-purse-1\"\nkey_index = 1\ndpk = \"{}\"\ndpk_kcv = \"{}\"\ndtk = \"{}\"\ndtk_kcv = \"{}\"\n\
         dlk = \"{}\"\ndlk_kcv = \"{}\"\n",
        hex::encode_upper(imk.imk_ac),
        kcv(&imk.imk_ac),
        hex::encode_upper(LAB_SMI),
        kcv(&LAB_SMI),
        hex::encode(LAB_SMC),
        kcv(&LAB_SMC),
        hex::encode_upper(ca.key.modulus()),
        hex::encode_upper(ca.key.exponent()),
        hex::encode(purse.dpk),
        kcv(&purse.dpk),
        hex::encode(dtk),
        kcv(&dtk),
        hex::encode_upper(LAB_DLK),
        kcv(&LAB_DLK),
    )
}

#[test]
fn keys_that_differ_from_the_band_fail_their_cases_and_never_reach_a_report() {
    let dir = scratch("keys");
    let lab_dtk = *b"lab-tac-key-0001";
    let keys = dir.join("keys.toml");
    std::fs::write(&keys, keys_file(lab_dtk)).unwrap();
    let (out, report) =
        certify(&dir, &["--suite", "transit-cn", "--suite", "emv-contactless", "--keys", keys.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let failed: Vec<String> = verdicts(&report).into_iter().filter(|(_, v)| v == "fail").map(|(id, _)| id).collect();
    assert!(failed.contains(&"TU.PUR.003".to_string()), "the TAC case fails: {failed:?}");
    assert!(failed.iter().all(|id| id.starts_with("TU.PUR.")), "only purchases use the TAC key: {failed:?}");
    assert!(verdicts(&report).iter().filter(|(id, _)| id.starts_with("EMV.")).all(|(_, v)| v == "pass"));
    let listed: Vec<String> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| format!("{}/{}/{}", k["name"], k["role"], k["kcv"]))
        .collect();
    assert!(listed.contains(&format!("\"lab-purse-1\"/\"purse-dtk\"/\"{}\"", kcv(&lab_dtk))), "{listed:?}");
    for (name, role, key) in
        [("lab-imk-ac", "imk-smi", LAB_SMI), ("lab-imk-ac", "imk-smc", LAB_SMC), ("lab-purse-1", "purse-dlk", LAB_DLK)]
    {
        assert!(listed.contains(&format!("\"{name}\"/\"{role}\"/\"{}\"", kcv(&key))), "{listed:?}");
    }
    let html = std::fs::read_to_string(dir.join("run/report.html")).unwrap();
    assert!(html.contains("lab-purse-1") && html.contains(&kcv(&lab_dtk)));

    // Every secret key, in both cases of hex, in no file the run wrote.
    let t = TerminalKeys::test_keys();
    let secrets = [t.issuer[0].imk_ac, t.purse[0].dpk, t.purse[0].dtk, lab_dtk, LAB_SMI, LAB_SMC, LAB_DLK];
    let mut files = vec![];
    for entry in std::fs::read_dir(dir.join("run")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.push(path);
        }
    }
    assert!(files.len() >= 4, "{files:?}");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    for key in secrets {
        for needle in [hex::encode_upper(key), hex::encode(key)] {
            assert!(!stdout.contains(&needle));
            for f in &files {
                let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
                assert!(!text.contains(&needle), "{} holds a key", f.display());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_kcv_that_does_not_match_is_a_usage_error_naming_the_key() {
    let dir = scratch("kcv");
    let keys = dir.join("keys.toml");
    let text = keys_file(*b"lab-tac-key-0001").replace(&kcv(b"lab-tac-key-0001"), "123456");
    std::fs::write(&keys, text).unwrap();
    let (out, _) = certify(&dir, &["--suite", "transit-cn", "--keys", keys.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("keys.toml:21: key \"lab-purse-1\": dtk: the key check value is"), "{err}");
    assert!(!err.to_ascii_uppercase().contains(&hex::encode_upper(b"lab-tac-key-0001")), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dut_without_transit_makes_the_transit_cases_not_applicable() {
    let dir = scratch("dut");
    let dut = dir.join("dut.toml");
    std::fs::write(
        &dut,
        "kind = \"band\"\nmodel = \"band-y\"\nfirmware = \"2.0.1\"\napps = [\"emv\", \"ndef\", \"uid\", \"qr\"]\n\
         candidate_aids = [\"A0000000041010\"]\nexchange_budget_ms = 400\n[expected]\nbalance = 1000\n",
    )
    .unwrap();
    let (out, report) = certify(&dir, &["--dut", dut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    for (id, verdict) in verdicts(&report) {
        let want = if id.starts_with("TU.") || id.starts_with("QR.IN.") { "not-applicable" } else { "pass" };
        assert_eq!(verdict, want, "{id}");
    }
    assert_eq!(report["dut"]["model"], "band-y");
    assert_eq!(report["dut"]["kind"], "band");
    assert_eq!(report["dut"]["apps"], serde_json::json!(["emv", "ndef", "uid", "qr"]));
    assert_eq!(std::fs::read_to_string(dir.join("run/dut.toml")).unwrap(), std::fs::read_to_string(&dut).unwrap());
    std::fs::write(&dut, "kind = \"watch\"\nmodel = \"m\"\nfirmware = \"1\"\napps = []\n").unwrap();
    let (out, _) = certify(&dir, &["--dut", dut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn waived_cases_are_skipped_and_an_expired_waiver_fails_the_run() {
    let dir = scratch("waivers");
    let waivers = dir.join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\ncase = \"TU.PUR.*\"\nreason = \"purchase key not on EVT units\"\nexpires = \"2999-12-31\"\n",
    )
    .unwrap();
    let (out, report) = certify(&dir, &["--suite", "transit-cn", "--waivers", waivers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let cases = report["suites"][0]["cases"].as_array().unwrap();
    for c in cases {
        if c["id"].as_str().unwrap().starts_with("TU.PUR.") {
            assert_eq!(c["verdict"], "skipped");
            assert_eq!(c["reason"], "waived (TU.PUR.*): purchase key not on EVT units");
            assert!(c["runs"].as_array().unwrap().is_empty(), "a waived case is not run");
        } else {
            assert_eq!(c["verdict"], "pass", "{}", c["id"]);
        }
    }
    assert_eq!(report["summary"]["skipped"], 12);

    std::fs::write(
        &waivers,
        "[[waiver]]\ncase = \"TU.PUR.003\"\nreason = \"TAC key pending\"\nexpires = \"2020-01-31\"\n",
    )
    .unwrap();
    let (out, report) = certify(&dir, &["--suite", "transit-cn", "--waivers", waivers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("fail transit-cn TU.PUR.003: waiver expired: TU.PUR.003 (expired 2020-01-31): TAC key pending"),
        "{stdout}"
    );
    let failed: Vec<_> = verdicts(&report).into_iter().filter(|(_, v)| v != "pass").collect();
    assert_eq!(failed, [("TU.PUR.003".to_string(), "fail".to_string())]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_signed_bundle_verifies_and_one_changed_byte_in_any_file_is_named() {
    let dir = scratch("bundle");
    let (dut, waivers, key) = (dir.join("dut.toml"), dir.join("waivers.toml"), dir.join("signing.key"));
    std::fs::write(&dut, "kind = \"card\"\nmodel = \"c\"\nfirmware = \"9\"\napps = [\"uid\"]\n").unwrap();
    std::fs::write(&waivers, "[[waiver]]\ncase = \"AC.UID.002\"\nreason = \"r\"\n").unwrap();
    std::fs::write(&key, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n").unwrap();
    let (out, _) = certify(
        &dir,
        &["--suite", "access-uid", "--dut", dut.to_str().unwrap(), "--waivers", waivers.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let bundle = dir.join("run.bundle");
    let run = dir.join("run");
    let out = tapcert(&[
        "report",
        "bundle",
        run.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
        "--sign",
        key.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // RFC 8032 test 1: this secret key's public key.
    let pubkey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let verify = |path: &Path, pubkey: Option<&str>| {
        let mut args = vec!["report", "verify", path.to_str().unwrap()];
        if let Some(k) = pubkey {
            args.extend(["--pubkey", k]);
        }
        tapcert(&args)
    };
    let ok = verify(&bundle, Some(pubkey));
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains(&format!("signed by {}", pubkey.to_ascii_uppercase())));

    let bytes = std::fs::read(&bundle).unwrap();
    let files = tapcert_conformance::certify::decode_bundle(&bytes).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for want in [
        "report.json",
        "junit.xml",
        "report.html",
        "transcript.txt",
        "suites/access-uid.toml",
        "dut.toml",
        "waivers.toml",
        "keys.json",
        "VERSION",
        "SIGNER.pub",
        "MANIFEST.sha256",
        "MANIFEST.sha256.sig",
    ] {
        assert!(paths.contains(&want), "{want} in {paths:?}");
    }
    assert_eq!(files.iter().find(|f| f.path == "dut.toml").unwrap().bytes, std::fs::read(&dut).unwrap());
    // One changed byte in each file: verify fails (exit 1) and names that file.
    let tampered = dir.join("tampered.bundle");
    let mut offset = "tapcert-bundle 1\n".len();
    for f in &files {
        offset += format!("file {} {}\n", f.bytes.len(), f.path).len();
        if !f.bytes.is_empty() {
            let mut copy = bytes.clone();
            let at = offset + f.bytes.len() / 2;
            // Another hex digit for a hex character, so the change is not a format error.
            copy[at] = if copy[at] == b'0' {
                b'1'
            } else if copy[at].is_ascii_hexdigit() {
                b'0'
            } else {
                copy[at] ^ 0x01
            };
            std::fs::write(&tampered, &copy).unwrap();
            for key in [Some(pubkey), None] {
                let out = verify(&tampered, key);
                let err = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(1), "{} changed: {err}", f.path);
                assert!(
                    err.contains(&format!(": {}: ", f.path))
                        || (f.path == "MANIFEST.sha256"
                            && err.contains("MANIFEST.sha256.sig: the signature over MANIFEST.sha256")),
                    "{} changed: {err}",
                    f.path
                );
            }
        }
        offset += f.bytes.len() + 1;
    }
    let other = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    assert_eq!(verify(&bundle, Some(other)).status.code(), Some(1));
    assert_eq!(verify(&dir.join("dut.toml"), None).status.code(), Some(1), "not a bundle");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merging_two_shards_equals_one_run_of_both() {
    let dir = scratch("merge");
    let run = |name: &str, suites: &[&str]| {
        let out_dir = dir.join(name);
        let mut args = vec!["certify", "--out", out_dir.to_str().unwrap()];
        for s in suites {
            args.extend(["--suite", s]);
        }
        assert_eq!(tapcert(&args).status.code(), Some(0));
        out_dir
    };
    let emv = run("emv", &["emv-contactless"]);
    let transit = run("transit", &["transit-cn"]);
    let both = run("both", &["emv-contactless", "transit-cn"]);
    let merged = dir.join("merged");
    let out = tapcert(&[
        "report",
        "merge",
        emv.to_str().unwrap(),
        transit.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let read =
        |d: &Path| -> Value { serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).unwrap()).unwrap() };
    let (m, b) = (read(&merged), read(&both));
    assert_eq!(verdicts(&m), verdicts(&b));
    assert_eq!(m["summary"], b["summary"]);
    let suite_ids = |r: &Value| r["suites"].as_array().unwrap().iter().map(|s| s["sha256"].clone()).collect::<Vec<_>>();
    assert_eq!(suite_ids(&m), suite_ids(&b));
    assert!(merged.join("junit.xml").is_file() && merged.join("report.html").is_file());
    // The diff works on the merged result: nothing regressed against the one run.
    let diff = tapcert(&["report", "diff", both.to_str().unwrap(), merged.to_str().unwrap()]);
    // (its exit status also counts latency, which a loaded machine changes: no test fails on timing)
    let text = String::from_utf8_lossy(&diff.stdout);
    for line in ["regressed: 0", "other verdict changes: 0", "new cases: 0", "removed cases: 0"] {
        assert!(text.contains(line), "{text}");
    }
    // A shard merged twice repeats its cases: refused.
    let twice = tapcert(&[
        "report",
        "merge",
        emv.to_str().unwrap(),
        emv.to_str().unwrap(),
        "--out",
        dir.join("x").to_str().unwrap(),
    ]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("is in two reports"));
    let _ = std::fs::remove_dir_all(&dir);
}
