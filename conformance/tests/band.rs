//! The reference band and each planted fault, driven in-process through `Sim`, plus
//! record → export (scriptor) → import → replay.

mod common;
#[path = "../../tests/support/external.rs"]
mod external;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tapcert_conformance::sim::{Band, ProfileKind, find_profile, profiles};
use tapcert_conformance::transport::{
    ManualClock, Recorder, Replay, ReplayMode, Sim, T0, Transcript, Transport, TransportError, export_scriptor,
    import_scriptor,
};

fn sim(profile: &str) -> Sim<Band> {
    sim_on(profile, ManualClock::new(Duration::ZERO, Duration::ZERO))
}

/// The band on a virtual clock: its processing delays advance the clock instead of sleeping.
fn sim_on(profile: &str, clock: ManualClock) -> Sim<Band> {
    let mut s = Sim::with_clock(Band::new(find_profile(profile).unwrap()), Arc::new(clock));
    s.reset().unwrap();
    s
}

#[test]
fn reference_emv_transaction_has_a_valid_arqc_and_counts() {
    let mut t = sim("reference");
    let first = emv_transaction(&mut t, [1, 2, 3, 4]).unwrap();
    assert_eq!(first.pan, [0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10]);
    assert_eq!((first.cid, first.records, first.ac_valid, first.cda.is_none()), (0x80, 5, true, true));
    t.field_off(Duration::from_millis(10)).unwrap();
    t.reset().unwrap();
    let second = emv_transaction(&mut t, [1, 2, 3, 4]).unwrap();
    assert_eq!(second.atc, first.atc + 1);
    assert!(second.ac_valid);
    assert_ne!(second.ac, first.ac, "new ATC, new session key");
}

/// A terminal doing CDA with `tapcert_crypto::oda` accepts the reference band: issuer and ICC
/// certificates recover, the static data matches, the SDAD verifies, and the AC inside it is
/// the ARQC under the test IMK.
#[test]
fn reference_cda_verifies_and_carries_the_arqc() {
    let mut t = sim("reference");
    let o = emv_transaction_with(&mut t, [0xA1, 0xB2, 0xC3, 0xD4], true).unwrap();
    assert_eq!(o.cda, Some(Ok(())));
    assert_eq!(o.cid, 0x80);
    assert!(o.ac_valid, "AC recovered from 9F4B is the ARQC");
    // Another transaction: new UN, new ATC, still verifies.
    t.field_off(Duration::from_millis(10)).unwrap();
    t.reset().unwrap();
    let again = emv_transaction_with(&mut t, [1, 2, 3, 4], true).unwrap();
    assert_eq!((again.cda, again.ac_valid, again.atc), (Some(Ok(())), true, o.atc + 1));
}

/// The same terminal rejects the band whose SDAD is made under a key the ICC certificate does
/// not vouch for, at the SDAD step (the certificates still verify), and the ARQC path without
/// CDA still works on it: only ODA catches this fault.
#[test]
fn bad_cda_signature_is_rejected_by_the_terminal() {
    let mut t = sim("bad-cda-signature");
    let o = emv_transaction_with(&mut t, [0xA1, 0xB2, 0xC3, 0xD4], true).unwrap();
    let err = o.cda.unwrap().unwrap_err();
    assert!(err.starts_with("SDAD: "), "{err}");
    assert!(!o.ac_valid);
    t.field_off(Duration::from_millis(10)).unwrap();
    t.reset().unwrap();
    assert!(emv_transaction(&mut t, [1, 2, 3, 4]).unwrap().ac_valid);
}

/// A terminal that sees a tampered certificate record rejects the chain at the step it breaks.
#[test]
fn tampered_issuer_certificate_is_rejected() {
    use tapcert_conformance::transport::{Card, CardReply};
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
    let mut t = Sim::new(Tamper(Band::new(find_profile("reference").unwrap())));
    t.reset().unwrap();
    let err = emv_transaction_with(&mut t, [1, 2, 3, 4], true).unwrap().cda.unwrap().unwrap_err();
    assert!(err.starts_with("issuer certificate: "), "{err}");
}

#[test]
fn reference_transit_purchase_and_refused_debit() {
    let mut t = sim("reference");
    let p = transit_purchase(&mut t, 150, true).unwrap();
    assert_eq!((p.balance_before, p.balance_after, p.debit_sw), (10_000, 9_850, 0x9000));
    assert!(p.mac2_valid && p.tac_valid);
    let log = p.newest_log.unwrap();
    assert_eq!(log.len(), 23);
    assert_eq!(&log[5..9], &150u32.to_be_bytes());
    let bad = transit_purchase(&mut t, 150, false).unwrap();
    assert_eq!((bad.debit_sw, bad.balance_after), (0x9302, 9_850), "no money moves on a bad MAC1");
}

#[test]
fn reference_ndef_and_uid() {
    let mut t = sim("reference");
    let (nlen, msg) = ndef_read(&mut t).unwrap();
    assert_eq!(nlen, msg.len());
    assert_eq!(&msg[..5], &[0xD1, 0x01, 0x14, b'U', 0x04]);
    assert_eq!(ok(&mut t, &apdu("FFCA000000")).unwrap().len(), 7);
}

/// Each faulty profile must be visible to a terminal: the certification suites depend on it.
#[test]
fn every_faulty_profile_is_observable() {
    let reference_ac = emv_transaction(&mut sim("reference"), [9, 9, 9, 9]).unwrap();
    for p in profiles().into_iter().filter(|p| p.kind == ProfileKind::Faulty) {
        let clock = ManualClock::new(Duration::ZERO, Duration::from_micros(1));
        let mut t = Recorder::new(sim_on(p.name, clock.clone()), Arc::new(clock));
        let seen = match p.name {
            "unknown-aid-sw" => sw(&mut t, &apdu("00A4040005A00000009900")).unwrap() != 0x6A82,
            "atc-stuck" => {
                let a = emv_transaction(&mut t, [1; 4]).unwrap();
                t.reset().unwrap();
                emv_transaction(&mut t, [1; 4]).unwrap().atc == a.atc
            }
            "record-tlv-length" | "afl-missing-record" => emv_transaction(&mut t, [1; 4]).is_err(),
            "pdol-ignored" => {
                ok(&mut t, &apdu("00A4040007A000000004101000")).unwrap();
                sw(&mut t, &apdu("80A80000028300 00")).unwrap() == 0x9000
            }
            "arqc-wrong-key" => {
                let o = emv_transaction(&mut t, [9, 9, 9, 9]).unwrap();
                !o.ac_valid && o.ac != reference_ac.ac
            }
            "debit-failed-balance" => {
                let o = transit_purchase(&mut t, 100, false).unwrap();
                o.debit_sw == 0x9302 && o.balance_after != o.balance_before
            }
            "log-not-written" => transit_purchase(&mut t, 100, true).unwrap().newest_log.is_none(),
            "ndef-nlen-overflow" => {
                let (nlen, msg) = ndef_read(&mut t).unwrap();
                nlen > msg.len()
            }
            "slow-generate-ac" => {
                emv_transaction(&mut t, [1; 4]).unwrap();
                let (_, tr) = t.into_parts();
                tr.events.iter().any(|e| e.latency_us > 500_000)
            }
            "mute-after-bad-gpo" => {
                ok(&mut t, &apdu("00A4040007A000000004101000")).unwrap();
                let _ = t.transmit(&apdu("80A80000020000"));
                matches!(t.transmit(&apdu("00A4040007A000000004101000")), Err(TransportError::Timeout(_)))
            }
            "bad-cda-signature" => {
                let o = emv_transaction_with(&mut t, [1; 4], true).unwrap();
                matches!(o.cda, Some(Err(_)))
            }
            other => panic!("profile {other} has no detection here: add one"),
        };
        assert!(seen, "fault of profile {} not observable", p.name);
    }
    // And the reference passes every one of those probes.
    let mut r = sim("reference");
    assert_eq!(sw(&mut r, &apdu("00A4040005A00000009900")).unwrap(), 0x6A82);
}

#[test]
fn record_export_import_replay_give_identical_exchanges() {
    let clock = Arc::new(ManualClock::new(Duration::from_secs(1_700_000_000), Duration::from_micros(7)));
    let mut rec = Recorder::new(T0::new(Sim::new(Band::new(find_profile("reference").unwrap()))), clock);
    rec.reset().unwrap();
    emv_transaction(&mut rec, [5, 6, 7, 8]).unwrap();
    transit_purchase(&mut rec, 42, true).unwrap();
    ndef_read(&mut rec).unwrap();
    let (_, recorded) = rec.into_parts();
    assert!(recorded.events.iter().all(|e| e.latency_us == 7), "latency comes from the injected clock");

    let json = recorded.to_json();
    let loaded = Transcript::from_json(&json).unwrap();
    assert_eq!(loaded, recorded);

    let text = export_scriptor(&loaded);
    let imported = import_scriptor(&text).unwrap();
    let a: Vec<_> = recorded.exchanges().collect();
    let b: Vec<_> = imported.exchanges().collect();
    assert_eq!(a, b);

    // Replaying the imported text to the same terminal flow reproduces every exchange.
    for mode in [ReplayMode::Order, ReplayMode::Content] {
        let replay_clock = Arc::new(ManualClock::new(Duration::ZERO, Duration::ZERO));
        let mut again = Recorder::new(Replay::new(&imported, mode), replay_clock);
        again.reset().unwrap();
        emv_transaction(&mut again, [5, 6, 7, 8]).unwrap();
        transit_purchase(&mut again, 42, true).unwrap();
        ndef_read(&mut again).unwrap();
        let (_, replayed) = again.into_parts();
        let c: Vec<_> = replayed.exchanges().collect();
        assert_eq!(a, c, "{mode:?}");
    }
}

#[test]
fn band_runs_are_reproducible() {
    let run = || {
        let mut t = sim("reference");
        let p = transit_purchase(&mut t, 7, true).unwrap();
        let e = emv_transaction(&mut t, [1, 1, 1, 1]).unwrap();
        (p, e)
    };
    assert_eq!(run(), run());
}

/// The reference band's answers to the three flows, as a replayable scriptor script. A change
/// here is a change of the reference firmware: review the diff.
#[test]
fn reference_band_transcript_snapshot() {
    let clock = Arc::new(ManualClock::new(Duration::ZERO, Duration::ZERO));
    let mut rec = Recorder::new(T0::new(Sim::new(Band::new(find_profile("reference").unwrap()))), clock);
    rec.reset().unwrap();
    emv_transaction(&mut rec, [0x11, 0x22, 0x33, 0x44]).unwrap();
    transit_purchase(&mut rec, 150, true).unwrap();
    ndef_read(&mut rec).unwrap();
    ok(&mut rec, &apdu("FFCA000000")).unwrap();
    let (_, t) = rec.into_parts();
    insta::assert_snapshot!(export_scriptor(&t));
}

/// The band's ARQC recomputed by pyemv (an implementation nobody here wrote), from the
/// published test IMK and the exact CDOL1 data, AIP, ATC and CVR the band used.
#[test]
fn arqc_matches_pyemv() {
    let Some(python) = external::python_with(&["pyemv"]) else { return };
    let mut t = sim("reference");
    let un = [0x11, 0x22, 0x33, 0x44];
    let outcome = emv_transaction(&mut t, un).unwrap();
    // Same terminal data as common::terminal_value: CDOL1 = 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37.
    let cdol = format!("000000001234000000000000097800000000000978261122 00{}", hex::encode(un));
    let script = format!(
        "import warnings; warnings.simplefilter('ignore')\n\
         from pyemv import kd, ac\n\
         mk = kd.derive_icc_mk_a(bytes.fromhex('0123456789ABCDEFFEDCBA9876543210'), pan='5413330089600010', psn='01')\n\
         atc = bytes.fromhex('{atc:04X}')\n\
         sk = kd.derive_common_sk(mk, atc + bytes(6))\n\
         data = bytes.fromhex('{cdol}'.replace(' ', '')) + bytes.fromhex('1980') + atc + bytes.fromhex('A00000000000')\n\
         print(ac.generate_ac(sk, data, padding_type=ac.PaddingType.EMV).hex().upper())\n",
        atc = outcome.atc,
    );
    let out = std::process::Command::new(&python).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), hex::encode_upper(outcome.ac));
}
