//! The lab end to end through the real PC/SC stack: one `pcscd -f` with vpcd's two slots
//! (`Virtual PCD 00 00` on TCP 35963, `Virtual PCD 00 01` on 35964), two devices at once, and
//! the built `tapcert certify --reader A --reader B --concurrent`:
//!
//! - slot 0: the built-in band personalised with a lab's keys (IMK-AC and TAC key that differ
//!   from its published test keys), given to certify with `--keys`;
//! - slot 1: the same band without the transit application (it answers `6A82` to SELECT of
//!   the e-purse AIDs), and a DUT profile that says so (`--dut 'Virtual PCD 00 01=FILE'`).
//!
//! Checked: the verdicts, the transit cases not applicable on slot 1 only, the reader identity
//! (name, protocol, ATR) in every result, the reader-by-case matrix, and that no output (the
//! run folder's every file, stdout, stderr) holds a key byte string in either hex case.
//!
//! Needs the `pcsc` feature and root (pcscd's socket); serialised with every other pcscd test
//! by `tapcert_testkit::PcscdLock`. Without pcscd: a SKIP line, or a failure when `CI` is set.
#![cfg(feature = "pcsc")]

#[path = "support/external.rs"]
mod external;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tapcert_conformance::card::{Card, CardReply};
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::terminal::{TerminalConfig, TerminalKeys, kcv};
use tapcert_conformance::transport::list_readers;
use tapcert_conformance::transport::vpcd::{VpcdOptions, VpcdServer};
use tapcert_crypto::test_keys::TEST_PURSE_DPK;
use tapcert_testkit::{Pcscd, PcscdLock, VPCD_READER, VPCD_READER_SLOT1, on_path};

const SLOT0: &str = VPCD_READER;
const SLOT1: &str = VPCD_READER_SLOT1;
/// The lab's keys: not the band's defaults (test keys of this file only, never published as
/// any scheme's).
const LAB_IMK_AC: [u8; 16] = *b"lab-imk-ac-00017";
const LAB_DTK: [u8; 16] = *b"lab-tac-key-0017";

/// The band without its transit application: SELECT of an e-purse AID is `6A82`.
struct NoTransit {
    band: Band,
    purse_aids: Vec<Vec<u8>>,
}

impl Card for NoTransit {
    fn power_on(&mut self) -> Vec<u8> {
        self.band.power_on()
    }
    fn process(&mut self, capdu: &[u8]) -> CardReply {
        let select = capdu.len() > 5 && capdu[..2] == [0x00, 0xA4] && capdu[2] == 0x04;
        if select && self.purse_aids.iter().any(|aid| capdu[5..].starts_with(aid)) {
            return CardReply::new(vec![0x6A, 0x82]);
        }
        self.band.process(capdu)
    }
    fn power_off(&mut self) {
        self.band.power_off()
    }
}

/// A card served to one vpcd slot on a thread, stopped when dropped.
struct Served {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve<C: Card + Send + 'static>(card: C, port: u16) -> Served {
    let options =
        VpcdOptions { addr: format!("127.0.0.1:{port}"), poll: Duration::from_millis(20), ..VpcdOptions::default() };
    let mut server = VpcdServer::new(card, options);
    let stop = server.stop_handle();
    let thread = std::thread::spawn(move || {
        let _ = server.run(&mut |_| {});
    });
    Served { stop, thread: Some(thread) }
}

fn lab_band() -> Band {
    let mut profile = find_profile("reference").unwrap();
    profile.faults.ac_imk = LAB_IMK_AC;
    profile.faults.purse_dtk = LAB_DTK;
    Band::new(profile)
}

fn wait_both_present(timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let readers = list_readers().unwrap_or_default();
        let present = |n: &str| readers.iter().any(|r| r.name == n && r.card_present());
        if present(SLOT0) && present(SLOT1) {
            return;
        }
        assert!(Instant::now() < deadline, "both slots not present after {timeout:?}: {readers:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The lab's keys file: its IMK-AC (declared with the band's cryptogram version and derivation,
/// for the band's AID) and TAC key, the band's CA key and purchase key.
fn keys_file() -> String {
    let t = TerminalKeys::test_keys();
    let ca = &t.ca[0];
    let ca_kcv = t.kcvs().iter().find(|k| k.role == "ca-public").unwrap().kcv.clone();
    format!(
        "[[issuer]]\nname = \"lab-imk-ac\"\naid = \"A0000000041010\"\nimk_ac = \"{}\"\nkcv = \"{}\"\n\
         cvn = \"mastercard-20\"\nderivation = \"option-a\"\n\n\
         [[ca]]\nname = \"lab-ca\"\nrid = \"A000000004\"\nindex = \"F0\"\nmodulus = \"{}\"\nexponent = \"{}\"\nkcv = \"{ca_kcv}\"\n\n\
         [[purse]]\nname = \"lab-purse-1\"\nkey_index = 1\ndpk = \"{}\"\ndpk_kcv = \"{}\"\ndtk = \"{}\"\ndtk_kcv = \"{}\"\n",
        hex::encode_upper(LAB_IMK_AC),
        kcv(&LAB_IMK_AC),
        hex::encode_upper(ca.key.modulus()),
        hex::encode_upper(ca.key.exponent()),
        hex::encode(TEST_PURSE_DPK),
        kcv(&TEST_PURSE_DPK),
        hex::encode(LAB_DTK),
        kcv(&LAB_DTK),
    )
}

fn every_file(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            every_file(&p, out);
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn two_devices_in_two_readers_at_once_with_lab_keys_and_dut_profiles() {
    let Some(bin) = on_path("pcscd") else {
        return external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
    };
    let _lock = PcscdLock::acquire();
    let pcscd = Pcscd::start(&bin);
    let purse_aids = TerminalConfig::default().purse_aids;
    let _a = serve(lab_band(), 35963);
    let _b = serve(NoTransit { band: lab_band(), purse_aids }, 35964);
    wait_both_present(Duration::from_secs(15));

    let dir = std::env::temp_dir().join(format!("tapcert-lab-pcscd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let keys = dir.join("keys.toml");
    std::fs::write(&keys, keys_file()).unwrap();
    let dut_a = dir.join("band.toml");
    let personalised = tapcert_conformance::sim::BandConfig::default();
    let dut_a_text = format!(
        "kind = \"band\"\nmodel = \"band-x\"\nfirmware = \"2.0.1\"\napps = [\"emv\", \"transit\", \"ndef\", \"uid\"]\n\n\
         [expected]\nbalance = {}\nndef_message = \"{}\"\n",
        personalised.initial_balance,
        hex::encode_upper(&personalised.ndef_message)
    );
    std::fs::write(&dut_a, dut_a_text).unwrap();
    let dut_b = dir.join("band-no-transit.toml");
    std::fs::write(
        &dut_b,
        "kind = \"band\"\nmodel = \"band-x-lite\"\nfirmware = \"2.0.1\"\napps = [\"emv\", \"ndef\", \"uid\"]\n",
    )
    .unwrap();
    let out_dir = dir.join("run");
    let dut_arg = |reader: &str, file: &Path| format!("{reader}={}", file.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapcert"))
        .args(["certify", "--reader", SLOT0, "--reader", SLOT1, "--concurrent", "--non-interactive"])
        .args(["--suite", "emv-contactless", "--suite", "transit-cn", "--suite", "ndef-t4t", "--suite", "access-uid"])
        .arg("--keys")
        .arg(&keys)
        .arg("--dut")
        .arg(dut_arg(SLOT0, &dut_a))
        .arg("--dut")
        .arg(dut_arg(SLOT1, &dut_b))
        .arg("--out")
        .arg(&out_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tapcert certify");
    // A bound on the whole run: a hang fails the test instead of blocking the suite.
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tapcert certify did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    // The same stack one reader after the other, every reader pcscd lists, one profile for all.
    let seq_dir = dir.join("sequential");
    let seq = Command::new(env!("CARGO_BIN_EXE_tapcert"))
        .args(["certify", "--all-readers", "--non-interactive", "--suite", "access-uid", "--tap-timeout", "10"])
        .arg("--dut")
        .arg(&dut_b)
        .arg("--out")
        .arg(&seq_dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    pcscd.stop();
    let seq_stderr = String::from_utf8_lossy(&seq.stderr);
    assert_eq!(seq.status.code(), Some(0), "{}\n{seq_stderr}", String::from_utf8_lossy(&seq.stdout));
    assert!(seq_stderr.contains(&format!("[{SLOT1}] move the device to {SLOT1}")), "{seq_stderr}");
    let seq_report: Value = serde_json::from_slice(&std::fs::read(seq_dir.join("report.json")).unwrap()).unwrap();
    let seq_readers: Vec<&str> =
        seq_report["readers"].as_array().unwrap().iter().map(|l| l["reader"]["name"].as_str().unwrap()).collect();
    assert_eq!(seq_readers, [SLOT0, SLOT1]);
    assert!(
        seq_report["matrix"].as_array().unwrap().iter().all(|m| m["verdicts"] == serde_json::json!(["pass", "pass"]))
    );
    let report: Value = serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();

    let readers: Vec<&str> =
        report["readers"].as_array().unwrap().iter().map(|l| l["reader"]["name"].as_str().unwrap()).collect();
    assert_eq!(readers, [SLOT0, SLOT1], "{stdout}\n{stderr}");
    assert_eq!(report["readers"][1]["dut"]["model"], "band-x-lite");
    let mut per_reader = [0usize; 2];
    for suite in report["suites"].as_array().unwrap() {
        for c in suite["cases"].as_array().unwrap() {
            let (id, verdict) = (c["id"].as_str().unwrap(), c["verdict"].as_str().unwrap());
            let reader = &c["reader"];
            let name = reader["name"].as_str().unwrap_or_else(|| panic!("{id} has no reader"));
            assert_eq!(reader["kind"], "pcsc");
            assert!(reader["protocol"].is_string() && reader["atr"] == "3B80800101", "{id}: {reader}");
            let on_b = name == SLOT1;
            per_reader[usize::from(on_b)] += 1;
            if suite["id"] == "transit-cn" && on_b {
                assert_eq!(verdict, "not-applicable", "{id} on {name}");
                assert_eq!(c["reason"], "the device has no transit application");
            } else {
                // The lab keys verify the band's cryptograms and TACs; everything else passes.
                assert!(matches!(verdict, "pass" | "not-applicable"), "{id} on {name}: {verdict} {}", c["reason"]);
            }
            if suite["id"] == "transit-cn" && !on_b {
                assert_eq!(verdict, "pass", "{id} on {name}: {}", c["reason"]);
            }
        }
    }
    assert_eq!(per_reader[0], per_reader[1]);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("] pass UID.001 @ Virtual PCD 00 01"), "progress names the reader: {stderr}");
    let matrix = report["matrix"].as_array().unwrap();
    assert_eq!(matrix.len(), per_reader[0]);
    // The DUT profile's expected balance was checked where stated (slot 0) only.
    let bal = matrix.iter().find(|m| m["case"] == "TU.BAL.010").unwrap();
    assert_eq!(bal["verdicts"], serde_json::json!(["pass", "not-applicable"]));
    let msg = matrix.iter().find(|m| m["case"] == "T4T.MSG.002").unwrap();
    assert_eq!(msg["verdicts"], serde_json::json!(["pass", "not-applicable"]));
    let tu = matrix.iter().find(|m| m["case"] == "TU.PUR.003").unwrap();
    assert_eq!(tu["verdicts"], serde_json::json!(["pass", "not-applicable"]));
    assert_eq!(tu["reader_specific"], false, "not applicable is no failure");
    let key_names: Vec<&str> = report["keys"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(key_names, ["lab-imk-ac", "lab-ca", "lab-purse-1", "lab-purse-1"]);

    // No key bytes anywhere: the run folder's every file, stdout, stderr.
    let mut outputs = vec![("stdout".to_string(), out.stdout.clone()), ("stderr".to_string(), out.stderr.clone())];
    every_file(&out_dir, &mut outputs);
    assert!(
        outputs.iter().any(|(n, _)| n.ends_with("junit.xml"))
            && outputs.iter().any(|(n, _)| n.ends_with("report.html"))
    );
    for key in [LAB_IMK_AC, LAB_DTK, TEST_PURSE_DPK] {
        for needle in [hex::encode_upper(key), hex::encode(key)] {
            for (name, bytes) in &outputs {
                let text = String::from_utf8_lossy(bytes);
                assert!(!text.contains(&needle), "key bytes in {name}");
            }
        }
    }
    let html = String::from_utf8_lossy(&std::fs::read(out_dir.join("report.html")).unwrap()).into_owned();
    assert!(html.contains("<table id=\"matrix\">"));
    let junit = String::from_utf8_lossy(&std::fs::read(out_dir.join("junit.xml")).unwrap()).into_owned();
    assert!(junit.contains("transit-cn @ Virtual PCD 00 01 [band-x-lite 2.0.1]"), "one testsuite per reader");
    eprintln!("{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
