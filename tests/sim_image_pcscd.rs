//! A card image served through the real PC/SC stack: `tapcert sim --image base --observe OUT`
//! on vpcd, the reference terminal (`read_emv` through tapcert's `Pcsc` transport) reading it
//! as a PC/SC client of `Virtual PCD 00 00` to a verified ARQC, and the observation file
//! holding what the terminal sent, PANs masked.
//!
//! Then malicious-card mode through the same stack: `tapcert sim --hostile SEED --out DIR`,
//! the reference terminal transacting again and again, each transaction meeting a new image,
//! each image written to DIR with what the terminal sent.
//!
//! Needs the `pcsc` feature and pcscd (see `sim_pcscd.rs`); serialised by `PcscdLock`.
#![cfg(feature = "pcsc")]

#[path = "../conformance/tests/common/mod.rs"]
mod common;
#[path = "support/external.rs"]
mod external;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tapcert_conformance::transcript::Transcript;
use tapcert_conformance::transport::{CardPresence, Pcsc, PcscOptions, T0, Transport};
use tapcert_parsers::apdu::{CommandApdu, Ins};
use tapcert_testkit::{Pcscd, PcscdLock, VPCD_READER, on_path};

/// The `tapcert sim` process, killed when dropped.
struct SimProcess(Child);

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn open_reader(timeout: Duration) -> T0<Pcsc> {
    let deadline = Instant::now() + timeout;
    loop {
        let options = PcscOptions { reader: Some(VPCD_READER.into()), ..PcscOptions::default() };
        match Pcsc::open(options) {
            Ok(mut p) => {
                p.wait_for(CardPresence::Present, timeout).expect("the image's card appears in the reader");
                return T0::new(p);
            }
            Err(e) => assert!(Instant::now() < deadline, "no card in {VPCD_READER} within {timeout:?}: {e}"),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn tapcert_sim_image_observes_the_reference_terminal_through_pcscd() {
    let Some(bin) = on_path("pcscd") else {
        return external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
    };
    let _lock = PcscdLock::acquire();
    let pcscd = Pcscd::start(&bin);

    let obs = std::env::temp_dir().join(format!("tapcert-sim-image-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&obs);
    let image = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/images/records-61xx.toml");
    let sim = SimProcess(
        Command::new(env!("CARGO_BIN_EXE_tapcert"))
            .args(["sim", "--image", image, "--observe"])
            .arg(&obs)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tapcert sim"),
    );

    let mut t = open_reader(Duration::from_secs(15));
    let clock = common::terminal_clock();
    let config = tapcert_conformance::terminal::TerminalConfig::default();
    let rng = &mut tapcert_conformance::clock::SeededRng::new(0x5EED);
    let tx = tapcert_conformance::terminal::read_emv(&mut t, &config, rng, &clock);
    assert!(tx.is_clean(), "{:?} {:?}", tx.findings, tx.fault);
    assert_eq!(tx.result.cid, Some(0x80));
    assert!(tx.result.cryptogram_check.clone().unwrap().is_verified());
    drop(t);

    // The observation is rewritten after each exchange: the GENERATE AC shows up.
    let deadline = Instant::now() + Duration::from_secs(10);
    let observed = loop {
        let t = std::fs::read_to_string(&obs).ok().and_then(|text| Transcript::from_json(&text).ok());
        if let Some(t) = t.filter(|t| t.exchanges().any(|(c, _)| c.get(1) == Some(&0xAE))) {
            break t;
        }
        assert!(Instant::now() < deadline, "no GENERATE AC in {}", obs.display());
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&obs).unwrap();
    let _ = std::fs::remove_file(&obs);
    assert!(!text.contains("5413330089600010"), "PAN leaked into the observation");
    let ins: Vec<Ins> =
        observed.exchanges().filter_map(|(c, _)| CommandApdu::from_bytes(c).ok().map(|c| c.ins())).collect();
    let count = |i: Ins| ins.iter().filter(|x| **x == i).count();
    assert!(count(Ins::SELECT) >= 2, "{ins:?}");
    assert_eq!(count(Ins::GET_PROCESSING_OPTIONS), 1, "{ins:?}");
    assert_eq!(count(Ins::READ_RECORD), 2, "{ins:?}");
    assert!(count(Ins::GET_RESPONSE) >= 4, "the 61xx chain went through pcscd: {ins:?}");
    assert_eq!(count(Ins::GENERATE_AC), 1, "{ins:?}");
    // The GPO the terminal sent carries its PDOL data: 83 18 + 24 bytes.
    let gpo = observed.exchanges().find(|(c, _)| c.get(1) == Some(&0xA8)).unwrap().0;
    assert_eq!(&gpo[4..7], [0x1A, 0x83, 0x18]);
    drop(sim);
    pcscd.stop();
}

#[test]
fn tapcert_sim_hostile_serves_a_new_image_per_transaction_through_pcscd() {
    let Some(bin) = on_path("pcscd") else {
        return external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
    };
    let _lock = PcscdLock::acquire();
    let pcscd = Pcscd::start(&bin);
    let out = std::env::temp_dir().join(format!("tapcert-sim-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let sim = SimProcess(
        Command::new(env!("CARGO_BIN_EXE_tapcert"))
            .args(["sim", "--hostile", "11", "--count", "1000", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tapcert sim --hostile"),
    );
    let config = tapcert_conformance::terminal::TerminalConfig::default();
    let clock = common::terminal_clock();
    let started = Instant::now();
    let transactions = 30;
    let mut t = open_reader(Duration::from_secs(15));
    for i in 0..transactions {
        let rng = &mut tapcert_conformance::clock::SeededRng::new(i);
        let tx = tapcert_conformance::terminal::read_emv(&mut t, &config, rng, &clock);
        if tx.fault.is_some() {
            // A mute image: vpcd carries no "no answer", the sim drops the link and the card
            // comes back; open the reader again once it is there.
            drop(t);
            t = open_reader(Duration::from_secs(15));
        }
    }
    let secs = started.elapsed().as_secs_f64();
    drop(t);
    drop(sim);
    let images: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    println!(
        "{transactions} transactions through pcscd on hostile images in {secs:.2} s ({} images written)",
        images.len()
    );
    assert!(images.len() >= 20, "each transaction meets a new image: {} written", images.len());
    for image in &images {
        let reproducer = tapcert_conformance::image::load_image(image).unwrap();
        assert!(reproducer.name.starts_with("base-hostile-11-"), "{}", reproducer.name);
        let obs = Transcript::load(&image.with_extension("observed.json")).unwrap();
        assert!(obs.exchanges().next().is_some(), "{}: the terminal's commands are kept", image.display());
    }
    let _ = std::fs::remove_dir_all(&out);
    pcscd.stop();
}
