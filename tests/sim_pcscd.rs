//! End to end through the real PC/SC stack with the built binaries: a `pcscd -f` with the
//! vsmartcard vpcd driver, the `tapcert sim` binary serving the reference band, `tapcert
//! readers --json` seeing and decoding it, a terminal (the `pcsc` crate through tapcert's
//! `Pcsc` transport) reading the EMV application and running GENERATE AC with CDA, then the sim
//! killed and `tapcert readers` seeing the card gone.
//!
//! Needs the `pcsc` feature and root (pcscd's socket). Without pcscd: a SKIP line that shows
//! in the run (`tests/support/external.rs`), or a failure when `CI` is set; without the
//! feature, `pcsc_left_out.rs` says that this test was left out. Serialised with `tapcert-conformance`'s pcscd tests by
//! `tapcert_testkit::PcscdLock` (they use the same vpcd port and reader).
#![cfg(feature = "pcsc")]

#[path = "../conformance/tests/common/mod.rs"]
mod common;
#[path = "support/external.rs"]
mod external;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tapcert_conformance::transport::{Pcsc, PcscOptions, T0};
use tapcert_testkit::{Pcscd, PcscdLock, VPCD_READER, on_path};

fn tapcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).output().expect("run tapcert")
}

/// `tapcert readers --json`, parsed; its exit status must be 0.
fn readers_json() -> Value {
    let out = tapcert(&["readers", "--json"]);
    assert!(out.status.success(), "tapcert readers --json: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("tapcert readers --json prints JSON")
}

/// The vpcd slot 0 entry of a `readers --json` document.
fn our_reader(doc: &Value) -> Value {
    doc["readers"]
        .as_array()
        .expect("readers array")
        .iter()
        .find(|r| r["name"] == VPCD_READER)
        .cloned()
        .unwrap_or_else(|| panic!("{VPCD_READER} not listed: {doc}"))
}

/// Polls `tapcert readers --json` until the reader entry satisfies `want`.
fn wait_reader(what: &str, timeout: Duration, want: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let r = our_reader(&readers_json());
        if want(&r) {
            return r;
        }
        assert!(Instant::now() < deadline, "{what} not seen within {timeout:?}: {r}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `tapcert sim` process, killed when dropped (a failing test must not leave it running).
struct SimProcess(Child);

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn tapcert_sim_readers_emv_cda_and_removal_through_pcscd() {
    let Some(bin) = on_path("pcscd") else {
        return external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
    };
    let _lock = PcscdLock::acquire();
    let pcscd = Pcscd::start(&bin);

    let empty = our_reader(&readers_json());
    assert_eq!(empty["atr"], Value::Null, "no card before the sim runs: {empty}");

    let log = std::env::temp_dir().join(format!("tapcert-sim-pcscd-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let sim = SimProcess(
        Command::new(env!("CARGO_BIN_EXE_tapcert"))
            .args(["sim", "--profile", "reference", "--log"])
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tapcert sim"),
    );

    // The reader sees the band, and `readers` decodes its pseudo-ATR like `decode atr` does.
    let present = wait_reader("the band", Duration::from_secs(15), |r| r["atr"].is_string());
    assert_eq!(present["atr"], "3B80800101");
    assert!(present["state"].as_array().unwrap().iter().any(|s| s == "present"), "{present}");
    let decoded = &present["atr_decoded"];
    assert_eq!(decoded["protocols"], serde_json::json!([0, 1]));
    assert_eq!(decoded["contactless"]["kind"], "iso14443-4");
    assert_eq!(decoded["tck"], "01");
    let by_decode: Value = serde_json::from_slice(&tapcert(&["decode", "atr", "--json", "3B80800101"]).stdout).unwrap();
    assert_eq!(decoded, &by_decode, "readers reuses the decode atr document");
    let human = String::from_utf8(tapcert(&["readers"]).stdout).unwrap();
    let line = human.lines().find(|l| l.starts_with(VPCD_READER)).unwrap_or_else(|| panic!("{human}"));
    let cols: Vec<&str> = line.split('\t').collect();
    assert_eq!(cols.len(), 4, "{line}");
    assert_eq!(cols[2], "3B80800101");
    assert_eq!(cols[3], "T=0,T=1; contactless ISO 14443-4 card with 0 historical byte(s)");

    // A terminal through pcscd: PPSE, SELECT, GPO, every AFL record, GENERATE AC with CDA.
    let mut t =
        T0::new(Pcsc::open(PcscOptions { reader: Some(VPCD_READER.into()), ..PcscOptions::default() }).unwrap());
    let clock = common::terminal_clock();
    let config = tapcert_conformance::terminal::TerminalConfig::default();
    let rng = &mut tapcert_conformance::clock::SeededRng::new(0x5EED);
    let outcome = tapcert_conformance::terminal::read_emv(&mut t, &config, rng, &clock);
    assert!(outcome.is_clean(), "CDA chain and the ARQC inside 9F4B verify: {:?}", outcome.findings);
    assert_eq!((outcome.result.cid, outcome.result.records.len()), (Some(0x80), 5));
    drop(t);

    // The sim's APDU log has the exchanges, PAN masked.
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(text.contains("> 00B2020C00\t< 704B5A08541333******0010"), "{text}");
    assert!(text.contains("> 80AE9000"), "GENERATE AC with CDA logged:\n{text}");
    assert!(!text.contains("5413330089600010"), "PAN leaked into the sim log");

    // The band goes away with its process.
    drop(sim);
    let gone = wait_reader("the card removal", Duration::from_secs(10), |r| r["atr"].is_null());
    assert!(!gone["state"].as_array().unwrap().iter().any(|s| s == "present"), "{gone}");
    assert_eq!(gone["atr_decoded"], Value::Null);
    let human = String::from_utf8(tapcert(&["readers"]).stdout).unwrap();
    let line = human.lines().find(|l| l.starts_with(VPCD_READER)).unwrap_or_else(|| panic!("{human}"));
    assert!(line.ends_with("\t-\t-"), "{line}");
    pcscd.stop();
}

/// A mute band through the real pcscd: `tapcert sim --profile mute-after-bad-gpo` goes mute on
/// a malformed GPO, which vpcd can only carry as the card leaving; the sim keeps the reader
/// empty until pcscd has seen it so (VpcdOptions::removal_hold), and the band comes back,
/// powered again, answering on the next connection.
#[test]
fn a_mute_band_comes_back_through_pcscd_and_answers() {
    use tapcert_conformance::transport::{CardPresence, Transport};
    let Some(bin) = on_path("pcscd") else {
        return external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
    };
    let _lock = PcscdLock::acquire();
    let pcscd = Pcscd::start(&bin);
    let _sim = SimProcess(
        Command::new(env!("CARGO_BIN_EXE_tapcert"))
            .args(["sim", "--profile", "mute-after-bad-gpo"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tapcert sim"),
    );
    let select = hex::decode("00A4040007A000000004101000").unwrap();
    // A connection to the band in the reader, once pcscd powers it.
    let connect = |within: Duration| {
        let deadline = Instant::now() + within;
        loop {
            let options = PcscOptions { reader: Some(VPCD_READER.into()), ..PcscOptions::default() };
            let last = match Pcsc::open(options) {
                Ok(mut p) => match p.wait_for(CardPresence::Present, Duration::from_secs(1)).and_then(|()| p.reset()) {
                    Ok(_) => return T0::new(p),
                    Err(e) => e.to_string(),
                },
                Err(e) => e.to_string(),
            };
            assert!(Instant::now() < deadline, "the band is not back in {VPCD_READER} within {within:?}: {last}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let mut t = connect(Duration::from_secs(15));
    assert!(t.transmit(&select).unwrap().as_bytes().ends_with(&[0x90, 0x00]));
    // PDOL data one byte short: this firmware goes mute.
    let bad_gpo = [0x80, 0xA8, 0x00, 0x00, 0x03, 0x83, 0x01, 0x00, 0x00];
    assert!(t.transmit(&bad_gpo).is_err(), "the mute band gives no answer");
    drop(t);
    // Back, powered, answering: the next connection selects the application again.
    let mut t = connect(Duration::from_secs(15));
    let answer = t.transmit(&select).expect("the band answers after coming back");
    assert!(answer.as_bytes().ends_with(&[0x90, 0x00]), "{}", hex::encode_upper(answer.as_bytes()));
    drop(t);
    pcscd.stop();
}
