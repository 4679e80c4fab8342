//! The real PC/SC stack: Debian's pcscd with the vsmartcard vpcd driver, the virtual band
//! served by the `tapcert sim` code path (`VpcdServer`), driven through the `pcsc` crate.
//!
//! Each test starts its own `pcscd -f` (and stops it), so the tests serialise on
//! `tapcert_conformance::testing::PcscdLock` (a mutex and a lock file shared with the root
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
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::testing::{Pcscd, PcscdLock, VPCD_READER, on_path};
use tapcert_conformance::transport::vpcd::{VpcdEvent, VpcdOptions, VpcdServer};
use tapcert_conformance::transport::{
    Pcsc, PcscOptions, Recorder, Sim, SystemClock, T0, Transport, TransportError, export_scriptor, import_scriptor,
    list_readers,
};

const READER: &str = VPCD_READER;
const VPCD: &str = "127.0.0.1:35963";

/// The band served to vpcd on a thread; `stop` takes it out of the reader and hands it back.
struct Served {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<(Band, usize)>>,
}

impl Drop for Served {
    /// A failed test must not leave its band connected to the next test's pcscd.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(band: Band) -> Served {
    let options = VpcdOptions { addr: VPCD.into(), poll: Duration::from_millis(20), ..VpcdOptions::default() };
    let mut server = VpcdServer::new(band, options);
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

impl Served {
    fn stop(mut self) -> (Band, usize) {
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
    let first = emv_transaction(&mut t, [0xCA, 0xFE, 0x00, 0x01]).unwrap();
    assert!(first.ac_valid, "ARQC verifies under the test IMK");
    assert_eq!((first.cid, first.records), (0x80, 5));
    t.reset().unwrap();
    // The second one with CDA: certificates and a 128-byte SDAD through the real stack.
    let second = emv_transaction_with(&mut t, [0xCA, 0xFE, 0x00, 0x02], true).unwrap();
    assert_eq!(second.cda, Some(Ok(())));
    assert!(second.ac_valid, "AC recovered from 9F4B verifies under the test IMK");
    assert_eq!(second.atc, first.atc + 1);
    drop(t);
    let (band, _) = served.stop();
    assert_eq!(band.atc(), second.atc);
    pcscd.stop();
}

#[test]
fn transit_balance_purchase_ndef_and_uid_through_pcscd() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let mut t = open();
    assert_eq!(transit_balance(&mut t).unwrap(), 10_000);
    let p = transit_purchase(&mut t, 250, true).unwrap();
    assert_eq!((p.debit_sw, p.balance_after), (0x9000, 9_750));
    assert!(p.mac2_valid && p.tac_valid);
    let refused = transit_purchase(&mut t, 250, false).unwrap();
    assert_eq!((refused.debit_sw, refused.balance_after), (0x9302, 9_750));
    let (nlen, msg) = ndef_read(&mut t).unwrap();
    assert_eq!(nlen, msg.len());
    assert_eq!(ok(&mut t, &apdu("FFCA000000")).unwrap(), [0x04, 0x5A, 0x3B, 0x12, 0x9C, 0x61, 0x80]);
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
    let before = emv_transaction(&mut t, [1, 2, 3, 4]).unwrap();
    t.reset().unwrap();
    ok(&mut t, &apdu("00A404000E325041592E5359532E444446303100")).unwrap();
    // The band leaves the field in the middle of the next transaction.
    let (band, _) = served.stop();
    let err = t.transmit(&apdu("00A4040007A000000004101000")).unwrap_err();
    assert!(matches!(err, TransportError::CardRemoved | TransportError::Protocol { .. }), "{err:?}");
    assert!(t.reset().is_err(), "no card to reset");
    // Out of the field for longer than pcscd's 400 ms presence poll: pcscd's event handler
    // only reports transitions it has polled, and a reinsertion inside one poll period leaves
    // the reader "empty" for good (seen with pcsc-lite 1.9.9 + vpcd).
    std::thread::sleep(Duration::from_millis(1200));
    // Back in the field: the same band, its counters intact.
    let served = serve(band);
    let atr = match t.inner_mut().wait_for_card(Duration::from_secs(10)) {
        Ok(a) => a,
        Err(e) => {
            let r = list_readers();
            let (_, connects) = served.stop();
            panic!("{e}: {r:?}, server connections {connects}");
        }
    };
    assert_eq!(atr.as_bytes(), [0x3B, 0x80, 0x80, 0x01, 0x01]);
    let after = emv_transaction(&mut t, [1, 2, 3, 4]).unwrap();
    assert_eq!(after.atc, before.atc + 1, "the interrupted transaction never reached GPO");
    assert!(after.ac_valid);
    drop(t);
    served.stop();
    pcscd.stop();
}

#[test]
fn pcscd_restart_and_the_band_reconnects() {
    let Some((_g, pcscd)) = stack() else { return };
    let served = serve(reference());
    wait_present(Duration::from_secs(10));
    let mut t = open();
    assert_eq!(transit_balance(&mut t).unwrap(), 10_000);
    pcscd.stop();
    let err = t.transmit(&[0x80, 0x5C, 0x00, 0x02, 0x04]).unwrap_err();
    assert!(!matches!(err, TransportError::Timeout(_)), "{err:?}");
    drop(t);
    let pcscd = Pcscd::start(&on_path("pcscd").unwrap());
    wait_present(Duration::from_secs(15));
    let mut t = open();
    assert_eq!(transit_balance(&mut t).unwrap(), 10_000);
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
    ok(&mut t, &apdu("00A4040007A000000004101000")).unwrap();
    let err = t.transmit(&apdu("80A80000020000")).unwrap_err();
    assert!(matches!(err, TransportError::Timeout(_) | TransportError::Protocol { .. }), "{err:?}");
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
    let mut rec = Recorder::new(T0::new(Sim::new(reference())), Arc::new(SystemClock::new()));
    rec.reset().unwrap();
    emv_transaction(&mut rec, [7, 7, 7, 7]).unwrap();
    transit_purchase(&mut rec, 99, true).unwrap();
    ndef_read(&mut rec).unwrap();
    ok(&mut rec, &apdu("FFCA000000")).unwrap();
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
    assert!(matches!(err, TransportError::Protocol { .. }), "{err:?}");
    drop(t);
    let err = Pcsc::open(PcscOptions { reader: Some("No Such Reader".into()), ..PcscOptions::default() }).unwrap_err();
    assert!(matches!(err, TransportError::NoReader { name: Some(_) }), "{err:?}");
    served.stop();
    pcscd.stop();
    // And with the service gone, the error says so.
    assert!(matches!(list_readers(), Err(TransportError::NoService { .. })));
}
