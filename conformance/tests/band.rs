//! The reference band and each planted fault, driven in-process through the terminal engine,
//! plus record → export (scriptor) → import → replay.

mod common;
#[path = "../../tests/support/external.rs"]
mod external;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tapcert_conformance::card::{Card, CardReply, TransportCard};
use tapcert_conformance::clock::{Clock, ManualClock, SeededRng};
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::terminal::{
    Check, Mac1, OdaMethod, TerminalConfig, check_atc_increases, purchase_transit, read_emv, read_ndef, read_transit,
    read_uid,
};
use tapcert_conformance::transcript::{Transcript, export_scriptor, import_scriptor};
use tapcert_conformance::transport::{
    CardPresence, InProcess, Recorder, Replay, ReplayMode, T0, Transport, TransportError, TransportErrorKind,
};

/// The band on the terminal's clock: its processing delays advance the clock instead of sleeping.
fn sim_on(profile: &str, clock: ManualClock) -> T0<InProcess<Band>> {
    T0::new(InProcess::with_clock(Band::new(find_profile(profile).unwrap()), Arc::new(clock)))
}

fn sim(profile: &str) -> T0<InProcess<Band>> {
    sim_on(profile, terminal_clock())
}

#[test]
fn reference_emv_transaction_is_clean_verified_and_counts() {
    let mut t = sim("reference");
    let config = TerminalConfig::default();
    let first = read_emv(&mut t, &config, &mut SeededRng::new(1), &terminal_clock());
    assert!(first.is_clean(), "{:?}", first.findings);
    let tx = &first.result;
    assert_eq!(tx.pan().as_deref(), Some("5413330089600010"));
    assert_eq!((tx.cid, tx.records.len()), (Some(0x80), 5));
    assert_eq!(tx.oda, Some((OdaMethod::Cda, Check::Verified { key: "test-only-ca-a000000004-f0".into() })));
    assert_eq!(tx.cryptogram_check, Some(Check::Verified { key: "test-imk-ac".into() }));
    t.field_off(Duration::from_millis(10)).unwrap();
    let second = read_emv(&mut t, &config, &mut SeededRng::new(1), &terminal_clock());
    assert!(second.is_clean(), "{:?}", second.findings);
    assert_eq!(second.result.atc, tx.atc.map(|a| a + 1));
    assert_ne!(second.result.cryptogram, tx.cryptogram, "new ATC, new session key");
    assert_eq!(check_atc_increases(tx, &second.result), None);
}

/// The terminal rejects the band whose SDAD is made under a key the ICC certificate does not
/// vouch for, at the SDAD (the certificates still verify); without CDA the ARQC verifies: only
/// ODA catches this fault.
#[test]
fn bad_cda_signature_is_rejected_by_the_terminal() {
    let mut t = sim("bad-cda-signature");
    let o = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(7), &terminal_clock());
    let f = o.findings.iter().find(|f| f.matches("EMV.ODA.VERIFY")).unwrap();
    assert!(f.message.contains("SDAD"), "{f}");
    let no_cda = TerminalConfig { request_cda: false, ..TerminalConfig::default() };
    let o = read_emv(&mut t, &no_cda, &mut SeededRng::new(7), &terminal_clock());
    assert!(o.is_clean(), "{:?}", o.findings);
}

/// A terminal that sees a tampered certificate record rejects the chain at the step it breaks.
#[test]
fn tampered_issuer_certificate_is_rejected() {
    /// The reference band with one bit of the issuer certificate (record SFI 2 #2) flipped.
    #[derive(Debug)]
    struct Tamper(Band);
    impl Card for Tamper {
        fn power_on(&mut self) -> Vec<u8> {
            self.0.power_on()
        }
        fn power_off(&mut self) {
            self.0.power_off()
        }
        fn process(&mut self, capdu: &[u8]) -> CardReply {
            let mut r = self.0.process(capdu);
            if capdu[..4] == [0x00, 0xB2, 0x02, 0x14] {
                r.rapdu[20] ^= 0x01;
            }
            r
        }
    }
    let mut t = InProcess::new(Tamper(Band::new(find_profile("reference").unwrap())));
    let o = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(1), &terminal_clock());
    let f = o.findings.iter().find(|f| f.matches("EMV.ODA.VERIFY")).unwrap();
    assert!(f.message.contains("issuer certificate"), "{f}");
}

#[test]
fn reference_transit_purchase_and_refused_debit() {
    let mut t = sim("reference");
    let config = TerminalConfig::default();
    let p = purchase_transit(&mut t, &config, 150, Mac1::Valid, &terminal_clock());
    assert!(p.is_clean(), "{:?}", p.findings);
    let r = &p.result;
    assert_eq!((r.balance_before, r.balance_after), (Some(10_000), Some(9_850)));
    assert!(r.mac2.as_ref().unwrap().is_verified() && r.tac.as_ref().unwrap().is_verified());
    assert_eq!(r.log_after[0].amount, 150);
    let bad = purchase_transit(&mut t, &config, 150, Mac1::Corrupted, &terminal_clock());
    assert!(bad.is_clean(), "a refused wrong MAC1 is conformant: {:?}", bad.findings);
    assert_eq!((bad.result.debit_sw.map(|s| s.0), bad.result.balance_after), (Some(0x9302), Some(9_850)));
    let read = read_transit(&mut t, &config, &terminal_clock());
    assert!(read.is_clean(), "{:?}", read.findings);
    assert_eq!(read.result.log.len(), 1, "one purchase, one log record");
}

/// MAC2 and TAC are checked with `tapcert_crypto::purse` under the terminal's keys, not with the
/// band's code: a band signing its TAC with another key is caught, and so is a MAC2 altered on
/// the way, while the purchase itself goes through.
#[test]
fn purse_signed_with_the_wrong_key_is_caught() {
    let config = TerminalConfig::default();
    let p = purchase_transit(&mut sim("tac-wrong-key"), &config, 150, Mac1::Valid, &terminal_clock());
    let rules: Vec<_> = p.violations().map(|f| &*f.rule).collect();
    assert_eq!(rules, ["TRANSIT.TAC.VERIFY"], "{:?}", p.findings);
    assert!(p.result.mac2.as_ref().unwrap().is_verified());

    #[derive(Debug)]
    struct FlipMac2(Band);
    impl Card for FlipMac2 {
        fn power_on(&mut self) -> Vec<u8> {
            self.0.power_on()
        }
        fn process(&mut self, capdu: &[u8]) -> CardReply {
            let mut r = self.0.process(capdu);
            if capdu[..2] == [0x80, 0x54] && r.rapdu.len() == 10 {
                r.rapdu[7] ^= 0x01;
            }
            r
        }
    }
    let mut t = InProcess::new(FlipMac2(Band::new(find_profile("reference").unwrap())));
    let p = purchase_transit(&mut t, &config, 150, Mac1::Valid, &terminal_clock());
    let rules: Vec<_> = p.violations().map(|f| &*f.rule).collect();
    assert_eq!(rules, ["TRANSIT.MAC2.VERIFY"], "{:?}", p.findings);

    // And a terminal holding other purse keys refuses to vouch for the reference band.
    let mut other = TerminalConfig::default();
    other.keys.purse[0].dtk = other.keys.purse[0].dpk;
    let p = purchase_transit(&mut sim("reference"), &other, 1, Mac1::Valid, &terminal_clock());
    assert!(p.has("TRANSIT.TAC.VERIFY"), "{:?}", p.findings);
}

#[test]
fn reference_ndef_and_uid() {
    let mut t = sim("reference");
    let n = read_ndef(&mut t, &terminal_clock());
    assert!(n.is_clean(), "{:?}", n.findings);
    assert_eq!(usize::from(n.result.nlen.unwrap()), n.result.message.len());
    assert_eq!(&n.result.message[..5], &[0xD1, 0x01, 0x14, b'U', 0x04]);
    let u = read_uid(&mut t, &terminal_clock());
    assert!(u.is_clean());
    assert_eq!(u.result.uid.map(|u| u.len()), Some(7));
}

/// Runs the three procedures and the UID on a transport, as one terminal session.
fn three_flows(t: &mut dyn Transport, clock: &ManualClock) {
    let config = TerminalConfig::default();
    let _ = read_emv(t, &config, &mut SeededRng::new(5), clock);
    let _ = purchase_transit(t, &config, 42, Mac1::Valid, clock);
    let _ = read_ndef(t, clock);
    let _ = read_uid(t, clock);
}

#[test]
fn record_export_import_replay_give_identical_exchanges() {
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
    let tick = Arc::new(ManualClock::new(Duration::from_secs(1_700_000_000), Duration::from_micros(7)));
    let mut rec = Recorder::new(sim("reference"), tick);
    three_flows(&mut rec, &clock);
    let (_, recorded) = rec.into_parts();
    assert!(recorded.events.iter().all(|e| e.latency_us == 7), "latency comes from the injected clock");
    assert!(recorded.exchanges().count() > 20);

    let json = recorded.to_json();
    let loaded = Transcript::from_json(&json).unwrap();
    assert_eq!(loaded, recorded);

    let text = export_scriptor(&loaded);
    let imported = import_scriptor(&text).unwrap();
    let a: Vec<_> = recorded.exchanges().collect();
    let b: Vec<_> = imported.exchanges().collect();
    assert_eq!(a, b);

    // Replaying the imported text to the same procedures reproduces every exchange.
    for mode in [ReplayMode::Order, ReplayMode::Content] {
        let replay_clock = Arc::new(ManualClock::new(Duration::ZERO, Duration::ZERO));
        let mut again = Recorder::new(Replay::new(&imported, mode, replay_clock.clone()), replay_clock);
        three_flows(&mut again, &clock);
        let (_, replayed) = again.into_parts();
        let c: Vec<_> = replayed.exchanges().collect();
        assert_eq!(a, c, "{mode:?}");
    }
}

#[test]
fn band_runs_are_reproducible() {
    let run = || {
        let mut t = sim("reference");
        let config = TerminalConfig::default();
        let p = purchase_transit(&mut t, &config, 7, Mac1::Valid, &terminal_clock());
        let e = read_emv(&mut t, &config, &mut SeededRng::new(1), &terminal_clock());
        format!("{:?}{:?}", p, e)
    };
    assert_eq!(run(), run());
}

/// The reference band's answers to the engine's procedures, as a replayable scriptor script. A
/// change here is a change of the reference firmware or of the terminal: review the diff.
#[test]
fn reference_band_transcript_snapshot() {
    let clock = Arc::new(ManualClock::new(Duration::ZERO, Duration::ZERO));
    let mut rec = Recorder::new(sim("reference"), clock);
    let config = TerminalConfig::default();
    let _ = read_emv(&mut rec, &config, &mut SeededRng::new(0x1122_3344), &terminal_clock());
    let _ = purchase_transit(&mut rec, &config, 150, Mac1::Valid, &terminal_clock());
    let _ = read_ndef(&mut rec, &terminal_clock());
    let _ = read_uid(&mut rec, &terminal_clock());
    let (_, t) = rec.into_parts();
    insta::assert_snapshot!(export_scriptor(&t));
}

/// The band's ARQC recomputed by pyemv (an implementation nobody here wrote), from the
/// published test IMK and the exact CDOL1 data, AIP, ATC and CVR the band used.
#[test]
fn arqc_matches_pyemv() {
    let Some(python) = external::python_with(&["pyemv"]) else { return };
    let no_cda = TerminalConfig { request_cda: false, ..TerminalConfig::default() };
    let o = read_emv(&mut sim("reference"), &no_cda, &mut SeededRng::new(3), &terminal_clock());
    let tx = &o.result;
    let script = format!(
        "import warnings; warnings.simplefilter('ignore')\n\
         from pyemv import kd, ac\n\
         mk = kd.derive_icc_mk_a(bytes.fromhex('0123456789ABCDEFFEDCBA9876543210'), pan='5413330089600010', psn='01')\n\
         atc = bytes.fromhex('{atc:04X}')\n\
         sk = kd.derive_common_sk(mk, atc + bytes(6))\n\
         data = bytes.fromhex('{cdol}') + bytes.fromhex('1980') + atc + bytes.fromhex('A00000000000')\n\
         print(ac.generate_ac(sk, data, padding_type=ac.PaddingType.EMV).hex().upper())\n",
        atc = tx.atc.unwrap(),
        cdol = hex::encode_upper(&tx.cdol1_data),
    );
    let out = std::process::Command::new(&python).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), hex::encode_upper(tx.cryptogram.unwrap()));
}

/// A session with the band, recorded at the latencies of a virtual clock that ticks `tick` per
/// reading: every event costs one tick, and the slow band's GENERATE AC its delay on top.
fn recorded_session(profile: &str, tick: Duration) -> Transcript {
    let clock = ManualClock::new(Duration::from_secs(1_700_000_000), tick);
    let band = InProcess::with_clock(Band::new(find_profile(profile).unwrap()), Arc::new(clock.clone()));
    let mut rec = Recorder::new(T0::new(band), Arc::new(clock));
    emv_and_balance(&mut rec);
    rec.into_parts().1
}

fn latencies(t: &Transcript) -> Vec<u64> {
    t.events.iter().map(|e| e.latency_us).collect()
}

/// A Recorder over a Replay writes the recorded latencies again, to the microsecond, when
/// both run on one virtual clock that only the replay moves.
#[test]
fn replay_reproduces_the_recorded_latencies() {
    let recorded = recorded_session("slow-generate-ac", Duration::from_micros(13));
    let slow = latencies(&recorded).into_iter().max().unwrap();
    assert!(slow > 500_000, "the slow GENERATE AC is in the recording ({slow} us)");
    assert!(latencies(&recorded).contains(&13), "and the ordinary exchanges take one tick");

    let clock = Arc::new(ManualClock::new(Duration::from_secs(1_800_000_000), Duration::ZERO));
    let mut again = Recorder::new(Replay::new(&recorded, ReplayMode::Order, clock.clone()), clock);
    emv_and_balance(&mut again);
    let replayed = again.into_parts().1;
    assert_eq!(latencies(&replayed), latencies(&recorded));
    assert_eq!(replayed.exchanges().collect::<Vec<_>>(), recorded.exchanges().collect::<Vec<_>>());
}

/// A recorded session relayed as a card (what `tapcert sim` would serve to vpcd) answers the
/// terminal with the recorded bytes; once the terminal leaves the script, the card is mute.
#[test]
fn a_replay_relayed_as_a_card_answers_the_recorded_bytes() {
    let recorded = recorded_session("reference", Duration::ZERO);
    let clock = Arc::new(ManualClock::new(Duration::ZERO, Duration::ZERO));
    let relay = TransportCard::new(Replay::new(&recorded, ReplayMode::Order, clock.clone()));
    let mut rec = Recorder::new(InProcess::with_clock(relay, clock.clone()), clock);
    let atr = rec.reset().unwrap();
    let (verified, balance) = emv_and_balance(&mut rec);
    assert!(verified, "the recorded ARQC still verifies");
    assert_eq!(balance, Some(10_000));
    let (mut t, relayed) = rec.into_parts();
    assert_eq!(relayed.exchanges().collect::<Vec<_>>(), recorded.exchanges().collect::<Vec<_>>());
    match &recorded.events[0].kind {
        tapcert_conformance::transcript::EventKind::Reset { atr: a } => assert_eq!(a, &atr),
        other => panic!("recording starts with {other:?}"),
    }
    assert!(t.card().last_error().is_none());

    // Off the script: the replay fails, and the card it plays can only stay mute.
    let err = t.transmit(&apdu("00A4040007A000000004101000")).unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Mute, "{err:?}");
    assert!(
        matches!(t.card().last_error(), Some(TransportError::ReplayExhausted { exchanges }) if *exchanges > 5),
        "{:?}",
        t.card().last_error()
    );
}

/// The wrappers pass presence through: a runner holding `Box<&mut Recorder<T0<InProcess>>>`
/// sees the card leave and come back.
#[test]
fn wrappers_forward_presence() {
    let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
    let band = InProcess::with_clock(Band::new(find_profile("reference").unwrap()), Arc::new(clock.clone()));
    let mut rec = Recorder::new(T0::new(band), Arc::new(clock.clone()));
    let presence = |rec: &mut Recorder<T0<InProcess<Band>>>| {
        let mut t: Box<&mut dyn Transport> = Box::new(rec);
        t.presence().unwrap()
    };
    assert_eq!(presence(&mut rec), CardPresence::Present);
    rec.inner_mut().inner_mut().remove();
    assert_eq!(presence(&mut rec), CardPresence::Absent);
    let err = rec.wait_for(CardPresence::Present, Duration::from_secs(2)).unwrap_err();
    assert!(err.is_card_gone(), "{err:?}");
    assert_eq!(clock.now(), Duration::from_secs(2), "the wait passed on the injected clock");
    rec.inner_mut().inner_mut().insert();
    rec.wait_for(CardPresence::Present, Duration::from_secs(2)).unwrap();
    assert_eq!(clock.now(), Duration::from_secs(2), "no wait for a card that is there");
}
