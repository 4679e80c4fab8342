//! The real PC/SC stack: Debian's pcscd with the vsmartcard vpcd driver, the virtual band
//! served by the `tapcert sim` code path (`VpcdServer`), driven through the `pcsc` crate.
//!
//! Each test starts its own `pcscd -f` (and stops it), so the tests serialise on
//! `tapcert_testkit::PcscdLock` (a mutex and a lock file shared with the root
//! package's `tests/sim_pcscd.rs`).
//! Without pcscd on PATH the tests skip with a line that shows in the run
//! (`tests/support/external.rs`), or fail when `CI` is set. Run as root. Without the `pcsc`
//! feature `pcsc_left_out.rs` says that these tests were left out.
#![cfg(feature = "pcsc")]

mod common;
#[path = "../../tests/support/external.rs"]
mod external;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::*;
use tapcert_conformance::card::{Card, TransportCard};
use tapcert_conformance::clock::{ManualClock, SeededRng, SystemClock};
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::terminal::{
    Check, Mac1, OdaMethod, TerminalConfig, purchase_transit, read_emv, read_ndef, read_transit, read_uid,
};
use tapcert_conformance::transcript::{export_scriptor, import_scriptor};
use tapcert_conformance::transport::vpcd::{VpcdEvent, VpcdOptions, VpcdServer};
use tapcert_conformance::transport::{
    CardPresence, InProcess, Pcsc, PcscOptions, Recorder, Replay, ReplayMode, T0, Transport, TransportError,
    list_readers,
};
use tapcert_testkit::{Pcscd, PcscdLock, VPCD_READER, on_path};

const READER: &str = VPCD_READER;
const VPCD: &str = "127.0.0.1:35963";

/// A card served to vpcd on a thread; `stop` takes it out of the reader and hands it back.
struct Served<C: Card + 'static = Band> {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<(C, usize)>>,
}

impl<C: Card + 'static> Drop for Served<C> {
    /// A failed test must not leave its band connected to the next test's pcscd.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve<C: Card + 'static>(card: C) -> Served<C> {
    let options = VpcdOptions { addr: VPCD.into(), poll: Duration::from_millis(20), ..VpcdOptions::default() };
    let mut server = VpcdServer::new(card, options);
    let stop = server.stop_handle();
    let thread = std::thread::spawn(move || {
        let mut connects = 0;
        server
            .run(&mut |e| {
                if matches!(e, VpcdEvent::Connected(_)) {
                    connects += 1;
                }
            })
            .expect("vpcd server");
        (server.into_card(), connects)
    });
    Served { stop, thread: Some(thread) }
}

impl<C: Card + 'static> Served<C> {
    fn stop(mut self) -> (C, usize) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().expect("running").join().expect("server thread")
    }
}

fn wait_present(timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if list_readers().unwrap().iter().any(|r| r.name == READER && r.card_present()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no card in {READER} after {timeout:?}: {:?}", list_readers());
}

fn open() -> T0<Pcsc> {
    let mut t = T0::new(Pcsc::open(PcscOptions { reader: Some(READER.into()), ..PcscOptions::default() }).unwrap());
    t.reset().unwrap();
    t
}

/// Serialises the tests (with every other pcscd test on the machine) and brings up pcscd;
/// `None` means skipped.
fn stack() -> Option<(PcscdLock, Pcscd)> {
    let Some(bin) = on_path("pcscd") else {
        external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
        return None;
    };
    let lock = PcscdLock::acquire();
    Some((lock, Pcscd::start(&bin)))
}

fn reference() -> Band {
    Band::new(find_profile("reference").unwrap())
}

#[test]
fn emv_read_and_transaction_through_pcscd() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let mut t = open();
    assert_eq!(t.info().name, READER);
    let no_cda = TerminalConfig { request_cda: false, ..TerminalConfig::default() };
    let first = read_emv(&mut t, &no_cda, &mut SeededRng::new(1), &terminal_clock());
    assert!(first.is_clean(), "{:?}", first.findings);
    assert_eq!(first.result.cryptogram_check, Some(Check::Verified { key: "test-imk-ac".into() }));
    assert_eq!((first.result.cid, first.result.records.len()), (Some(0x80), 5));
    // The second one with CDA: certificates and a 128-byte SDAD through the real stack.
    let second = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(2), &terminal_clock());
    assert!(second.is_clean(), "{:?}", second.findings);
    assert!(matches!(second.result.oda, Some((OdaMethod::Cda, Check::Verified { .. }))));
    assert!(second.result.cryptogram_check.as_ref().unwrap().is_verified(), "AC recovered from 9F4B verifies");
    assert_eq!(second.result.atc, first.result.atc.map(|a| a + 1));
    drop(t);
    let (band, _) = served.stop();
    assert_eq!(Some(band.atc()), second.result.atc);
    pcscd.stop();
}

#[test]
fn transit_balance_purchase_ndef_and_uid_through_pcscd() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let mut t = open();
    let config = TerminalConfig::default();
    assert_eq!(read_transit(&mut t, &config, &terminal_clock()).result.balance, Some(10_000));
    let p = purchase_transit(&mut t, &config, 250, Mac1::Valid, &terminal_clock());
    assert!(p.is_clean(), "{:?}", p.findings);
    assert_eq!(p.result.balance_after, Some(9_750));
    let refused = purchase_transit(&mut t, &config, 250, Mac1::Corrupted, &terminal_clock());
    assert!(refused.is_clean(), "{:?}", refused.findings);
    assert_eq!((refused.result.debit_sw.map(|s| s.0), refused.result.balance_after), (Some(0x9302), Some(9_750)));
    let n = read_ndef(&mut t, &terminal_clock());
    assert!(n.is_clean(), "{:?}", n.findings);
    let uid = read_uid(&mut t, &terminal_clock()).result.uid;
    assert_eq!(uid.as_deref(), Some(&[0x04, 0x5A, 0x3B, 0x12, 0x9C, 0x61, 0x80][..]));
    drop(t);
    served.stop();
    pcscd.stop();
}

#[test]
fn card_removal_mid_sequence_and_reinsertion() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let mut t = open();
    let config = TerminalConfig::default();
    let before = read_emv(&mut t, &config, &mut SeededRng::new(1), &terminal_clock()).result;
    t.reset().unwrap();
    assert_eq!(t.transmit(&apdu("00A404000E325041592E5359532E444446303100")).unwrap().sw(), Some(0x9000));
    // The band leaves the field in the middle of the next transaction.
    let (band, _) = served.stop();
    let err = t.transmit(&apdu("00A4040007A000000004101000")).unwrap_err();
    assert!(matches!(err, TransportError::CardRemoved | TransportError::Pcsc { .. }), "{err:?}");
    assert!(t.reset().is_err(), "no card to reset");
    t.wait_for(CardPresence::Absent, Duration::from_secs(5)).unwrap();
    assert_eq!(t.presence().unwrap(), CardPresence::Absent);
    // Out of the field for longer than pcscd's 400 ms presence poll: pcscd's event handler
    // only reports transitions it has polled, and a reinsertion inside one poll period leaves
    // the reader "empty" for good (seen with pcsc-lite 1.9.9 + vpcd).
    std::thread::sleep(Duration::from_millis(1200));
    // Back in the field: the same band, its counters intact.
    let served = serve(band);
    let waited = t.wait_for(CardPresence::Present, Duration::from_secs(10));
    let atr = match waited.and_then(|()| t.reset()) {
        Ok(a) => a,
        Err(e) => {
            let r = list_readers();
            let (_, connects) = served.stop();
            panic!("{e}: {r:?}, server connections {connects}");
        }
    };
    assert_eq!(atr.as_bytes(), [0x3B, 0x80, 0x80, 0x01, 0x01]);
    let after = read_emv(&mut t, &config, &mut SeededRng::new(1), &terminal_clock());
    assert!(after.is_clean(), "{:?}", after.findings);
    assert_eq!(after.result.atc, before.atc.map(|a| a + 1), "the interrupted transaction never reached GPO");
    drop(t);
    served.stop();
    pcscd.stop();
}

/// Presence as a runner sees it through pcscd: present once the vpcd card connects, absent
/// after it disconnects, and a wait for a card that does not come gives up on time.
#[test]
fn presence_follows_the_vpcd_card() {
    let Some((_g, pcscd)) = stack() else { return };
    let mut t = Pcsc::open(PcscOptions { reader: Some(READER.into()), ..PcscOptions::default() }).unwrap();
    assert_eq!(t.presence().unwrap(), CardPresence::Absent, "no card served yet");
    let err = t.wait_for(CardPresence::Present, Duration::from_millis(300)).unwrap_err();
    assert!(
        matches!(err, TransportError::PresenceTimeout { want: CardPresence::Present, waited }
            if waited >= Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(err.is_card_gone());

    let served = serve(reference());
    t.wait_for(CardPresence::Present, Duration::from_secs(10)).unwrap();
    assert_eq!(t.presence().unwrap(), CardPresence::Present);
    assert_eq!(t.reset().unwrap().as_bytes(), [0x3B, 0x80, 0x80, 0x01, 0x01]);
    let read = read_transit(&mut T0::new(&mut t), &TerminalConfig::default(), &terminal_clock());
    assert_eq!(read.result.balance, Some(10_000));

    served.stop();
    t.wait_for(CardPresence::Absent, Duration::from_secs(10)).unwrap();
    assert_eq!(t.presence().unwrap(), CardPresence::Absent);
    let err = t.transmit(&[0x80, 0x5C, 0x00, 0x02, 0x04]).unwrap_err();
    assert!(err.is_card_gone(), "{err:?}");
    drop(t);
    pcscd.stop();
}

#[test]
fn pcscd_restart_and_the_band_reconnects() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let mut t = open();
    assert_eq!(read_transit(&mut t, &TerminalConfig::default(), &terminal_clock()).result.balance, Some(10_000));
    pcscd.stop();
    let err = t.transmit(&[0x80, 0x5C, 0x00, 0x02, 0x04]).unwrap_err();
    assert!(!matches!(err, TransportError::Timeout { .. } | TransportError::Unresponsive), "{err:?}");
    drop(t);
    let pcscd = Pcscd::start(&on_path("pcscd").unwrap());
    wait_present(Duration::from_secs(15));
    let mut t = open();
    assert_eq!(read_transit(&mut t, &TerminalConfig::default(), &terminal_clock()).result.balance, Some(10_000));
    drop(t);
    let (_, connects) = served.stop();
    assert!(connects >= 2, "the server reconnected ({connects} connections)");
    pcscd.stop();
}

#[test]
fn mute_band_is_a_transport_error_not_a_hang() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(Band::new(find_profile("mute-after-bad-gpo").unwrap()));
    wait_present(Duration::from_secs(10));
    let mut t = open();
    assert_eq!(t.transmit(&apdu("00A4040007A000000004101000")).unwrap().sw(), Some(0x9000));
    let err = t.transmit(&apdu("80A80000020000")).unwrap_err();
    assert!(matches!(err, TransportError::Unresponsive | TransportError::Pcsc { .. }), "{err:?}");
    drop(t);
    served.stop();
    pcscd.stop();
}

/// pcsc-tools' scriptor (Perl, Chipcard::PCSC) runs the script that tapcert exported from an
/// in-process recording; its log, imported back, holds the same exchanges.
#[test]
fn scriptor_interop() {
    let Some((_g, pcscd)) = stack() else { return };
    let Some(scriptor) = on_path("scriptor") else {
        return external::skip_or_fail("scriptor not on PATH; install pcsc-tools with .ci/pcscd-setup.sh (sudo)");
    };
    let mut rec = Recorder::new(T0::new(InProcess::new(reference())), Arc::new(SystemClock::new()));
    let config = TerminalConfig::default();
    assert!(read_emv(&mut rec, &config, &mut SeededRng::new(7), &terminal_clock()).is_clean());
    assert!(purchase_transit(&mut rec, &config, 99, Mac1::Valid, &terminal_clock()).is_clean());
    assert!(read_ndef(&mut rec, &terminal_clock()).is_clean());
    assert!(read_uid(&mut rec, &terminal_clock()).is_clean());
    let (_, recorded) = rec.into_parts();
    let script = export_scriptor(&recorded);
    let path = std::env::temp_dir().join(format!("tapcert-scriptor-{}.txt", std::process::id()));
    std::fs::write(&path, &script).unwrap();

    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let out = Command::new(scriptor).arg("-r").arg(READER).arg(&path).output().expect("run scriptor");
    let _ = std::fs::remove_file(&path);
    served.stop();
    pcscd.stop();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "scriptor failed: {}\n{log}", String::from_utf8_lossy(&out.stderr));
    assert!(log.contains("< 6F "), "PPSE FCI in scriptor's log:\n{log}");
    assert!(log.contains(": Normal processing."), "{log}");
    let imported = import_scriptor(&log).unwrap();
    let want: Vec<_> = recorded.exchanges().collect();
    let got: Vec<_> = imported.exchanges().collect();
    assert_eq!(got, want, "scriptor's log:\n{log}");
}

/// A recorded band session, relayed as a card through the real vpcd + pcscd, answers an
/// application that talks PC/SC with the recorded bytes.
#[test]
fn a_replayed_session_served_through_pcscd_answers_the_recorded_bytes() {
    let Some((_g, pcscd)) = stack() else { return };
    let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
    let mut rec = Recorder::new(T0::new(InProcess::new(reference())), Arc::new(clock.clone()));
    emv_and_balance(&mut rec);
    let (_, recorded) = rec.into_parts();

    let served = serve(TransportCard::new(Replay::new(&recorded, ReplayMode::Order, Arc::new(clock.clone()))));
    wait_present(Duration::from_secs(10));
    let mut rec = Recorder::new(open(), Arc::new(clock));
    let (verified, balance) = emv_and_balance(&mut rec);
    assert!(verified, "the recorded ARQC, relayed, still verifies");
    assert_eq!(balance, Some(10_000));
    let (t, relayed) = rec.into_parts();
    drop(t);
    let (card, _) = served.stop();
    assert_eq!(relayed.exchanges().collect::<Vec<_>>(), recorded.exchanges().collect::<Vec<_>>());
    assert!(card.last_error().is_none(), "{:?}", card.last_error());
    pcscd.stop();
}

#[test]
fn protocol_choice_exclusive_mode_and_reader_listing() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let listed = list_readers().unwrap();
    let slot0 = listed.iter().find(|r| r.name == READER).unwrap();
    assert_eq!((slot0.card_present(), slot0.atr.as_deref()), (true, Some(&[0x3B, 0x80, 0x80, 0x01, 0x01][..])));
    let slot1 = listed.iter().find(|r| r.name == "Virtual PCD 00 01").unwrap();
    assert_eq!((slot1.card_present(), slot1.atr.as_ref()), (false, None));

    let exclusive = PcscOptions {
        reader: Some(READER.into()),
        protocol: tapcert_conformance::transport::PcscProtocol::T1,
        exclusive: true,
    };
    let mut t = Pcsc::open(exclusive.clone()).unwrap();
    assert_eq!(t.info().protocol.as_deref(), Some("T=1"));
    assert_eq!(t.transmit(&apdu("FFCA000000")).unwrap().sw(), Some(0x9000));
    // A second application cannot get in while the first holds the card exclusively.
    let err = Pcsc::open(exclusive).unwrap_err();
    assert!(
        matches!(err, TransportError::Pcsc { code } if code == tapcert_conformance::transport::PcscCode::SHARING_VIOLATION),
        "{err:?}"
    );
    drop(t);
    let err = Pcsc::open(PcscOptions { reader: Some("No Such Reader".into()), ..PcscOptions::default() }).unwrap_err();
    assert!(matches!(err, TransportError::NoReader { name: Some(_) }), "{err:?}");
    served.stop();
    pcscd.stop();
    // And with the service gone, the error says so.
    assert!(matches!(list_readers(), Err(TransportError::NoService { .. })));
}

/// The bundled suites give the same verdicts through the real pcscd + vpcd stack as in-process,
/// case by case (the reference band, and a faulty one).
#[test]
fn bundled_suites_give_the_same_verdicts_through_pcscd() {
    use std::sync::atomic::AtomicBool;
    use tapcert_conformance::certify::{RunOptions, RunReport, Verdict, bundled_suites, run_suites};
    use tapcert_conformance::sim::{BandConfig, CodeDisplay};

    let Some((_g, pcscd)) = stack() else { return };
    let suites = bundled_suites().unwrap();
    let verdicts = |r: &RunReport| r.cases().map(|(_, c)| (c.id.clone(), c.verdict)).collect::<Vec<_>>();
    let options = |name: &str| {
        let mut o = RunOptions::new(name);
        o.display = Some(CodeDisplay::new(BandConfig::default()));
        o
    };
    for profile in ["reference", "atc-stuck"] {
        let clock = SystemClock::new();
        let mut local = InProcess::with_clock(Band::new(find_profile(profile).unwrap()), Arc::new(clock.clone()));
        let stop = AtomicBool::new(false);
        let in_process = run_suites(&mut local, &suites, &mut options(profile), &clock, &stop, &mut |_| {});

        let served = serve(Band::new(find_profile(profile).unwrap()));
        wait_present(Duration::from_secs(10));
        let mut t = Pcsc::open(PcscOptions { reader: Some(READER.into()), ..PcscOptions::default() }).unwrap();
        let through = run_suites(&mut t, &suites, &mut options(profile), &clock, &stop, &mut |_| {});
        drop(t);
        served.stop();
        assert_eq!(verdicts(&through), verdicts(&in_process), "{profile}");
        assert_eq!(through.reader.name, READER);
        assert_eq!(through.reader.atr.as_deref(), Some("3B80800101"));
        if profile == "reference" {
            assert!(through.cases().all(|(_, c)| matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable)));
        }
        eprintln!(
            "{profile}: {} cases, {} APDUs in {} ms through pcscd; in-process {} ms",
            through.summary.cases, through.summary.apdus, through.duration_ms, in_process.duration_ms
        );
    }
    pcscd.stop();
}
