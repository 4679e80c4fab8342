//! The procedures against scripted cards: the happy paths, and what each fault of the card
//! turns into (a finding and how far the procedure got).

use std::time::Duration;

use super::*;
use crate::card::{Card, CardReply};
use crate::clock::{ManualClock, SeededRng};
use crate::transport::{InProcess, T0};

/// Answers by instruction from a table; records every command.
struct Scripted {
    answers: Vec<(u8, Vec<u8>)>,
    sent: Vec<Vec<u8>>,
}

impl Scripted {
    fn new(answers: &[(u8, String)]) -> Self {
        Scripted {
            answers: answers.iter().map(|(ins, h)| (*ins, hex::decode(h.replace(' ', "")).unwrap())).collect(),
            sent: vec![],
        }
    }
}

impl Card for Scripted {
    fn power_on(&mut self) -> Vec<u8> {
        vec![0x3B, 0x80, 0x80, 0x01, 0x01]
    }
    fn process(&mut self, capdu: &[u8]) -> CardReply {
        self.sent.push(capdu.to_vec());
        let ins = capdu[1];
        match self.answers.iter().position(|(i, _)| *i == ins) {
            Some(i) => CardReply::new(self.answers.remove(i).1),
            None => CardReply::sw(0x6D00),
        }
    }
}

const PPSE: &str =
    "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000031010500A564953412044454249548701019000";
const SELECT_AID: &str =
    "6F338407A0000000031010A52850095649534120434152449F381A9F66049F02069F03069F1A0295055F2A029A039C019F37049A039000";
// 77{82 2000, 94 08010100 10010200}
const GPO: &str = "770E82022000940808010100100102009000";
// 70{57 track 2 (test PAN 4761739001010010), 5A PAN, 8C CDOL1 = 9F02 06 9F37 04 95 05}
const REC_1_1: &str = "702957134761739001010010D22122011143804400000F5A0847617390010100108C089F02069F370495059000";
const REC_2_1: &str = "70065F24032212319000";
const REC_2_2: &str = "70045F3401019000";
// 77{9F27 80, 9F36 001C, 9F26 8 bytes, 9F10 06011203A00000}
const GEN_AC: &str = "771E9F2701809F3602001C9F2608AABBCCDDEEFF00119F100706011203A000009000";

fn emv_card() -> Vec<(u8, String)> {
    vec![
        (0xA4, PPSE.into()),
        (0xA4, SELECT_AID.into()),
        (0xA8, GPO.into()),
        (0xB2, REC_1_1.into()),
        (0xB2, REC_2_1.into()),
        (0xB2, REC_2_2.into()),
        (0xAE, GEN_AC.into()),
    ]
}

fn clock() -> ManualClock {
    ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO)
}

fn run(card: &[(u8, String)]) -> (Observation<EmvRead>, Vec<Vec<u8>>) {
    let mut t = T0::new(InProcess::new(Scripted::new(card)));
    let obs = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(1), &clock());
    let sent = t.inner_mut().card().sent.clone();
    (obs, sent)
}

fn tx_oda(obs: &Observation<EmvRead>) -> Option<OdaMethod> {
    obs.result.oda.as_ref().map(|(m, _)| *m)
}

fn rules_of<T>(obs: &Observation<T>) -> Vec<&str> {
    obs.violations().map(|f| &*f.rule).collect()
}

#[test]
fn emv_transaction_reads_every_record_and_asks_an_arqc() {
    let (obs, sent) = run(&emv_card());
    assert!(obs.completed && obs.fault.is_none());
    // The AIP offers DDA (2000) but the card has no INTERNAL AUTHENTICATE; and the scripted
    // ARQC is made up, so the issuer check rejects it under the named key.
    assert_eq!(rules_of(&obs), ["EMV.ODA.VERIFY", "EMV.AC.VERIFY"], "{:?}", obs.findings);
    assert_eq!(tx_oda(&obs), Some(OdaMethod::Dda));
    let tx = &obs.result;
    assert_eq!(tx.aid.as_deref(), Some(&hex::decode("A0000000031010").unwrap()[..]));
    assert_eq!(tx.aip, Some([0x20, 0x00]));
    assert_eq!(tx.afl.len(), 2);
    let read: Vec<_> = tx.records.iter().map(|r| (r.at.sfi, r.at.record)).collect();
    assert_eq!(read, [(1, 1), (2, 1), (2, 2)]);
    assert_eq!(tx.pdol_data.len(), 36);
    assert_eq!(tx.transaction_date, [0x26, 0x11, 0x22]);
    // CDOL1 = amount (6) + UN (4) + TVR (5); the UN is the one sent in the PDOL data too.
    assert_eq!(tx.cdol1_data.len(), 15);
    assert_eq!(&tx.cdol1_data[..6], [0, 0, 0, 0, 0x01, 0x00]);
    assert_eq!(tx.cdol1_data[6..10], tx.unpredictable_number);
    assert_eq!(tx.pdol_data[29..33], tx.unpredictable_number);
    assert_eq!((tx.cid, tx.atc), (Some(0x80), Some(0x1C)));
    assert_eq!(tx.cryptogram, Some([0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11]));
    assert!(matches!(tx.cryptogram_check, Some(Check::Failed { ref key, .. }) if key == "test-imk-ac"));
    assert_eq!(tx.pan().as_deref(), Some("4761739001010010"));
    // The commands on the wire: no CDA asked, since the AIP does not offer it.
    assert_eq!(sent[0], hex::decode("00A404000E325041592E5359532E444446303100").unwrap());
    assert_eq!(sent[1], hex::decode("00A4040007A000000003101000").unwrap());
    assert_eq!(&sent[2][..7], [0x80, 0xA8, 0x00, 0x00, 0x26, 0x83, 0x24]);
    assert_eq!(sent[3], [0x00, 0xB2, 0x01, 0x0C, 0x00]);
    assert_eq!(sent[5], [0x00, 0xB2, 0x02, 0x14, 0x00]);
    // INTERNAL AUTHENTICATE with the default DDOL (the UN), then GENERATE AC.
    assert_eq!(sent[6][..5], [0x00, 0x88, 0x00, 0x00, 0x04]);
    assert_eq!(sent[6][5..9], obs.result.unpredictable_number);
    assert_eq!(&sent[7][..5], [0x80, 0xAE, 0x80, 0x00, 15]);
    assert_eq!(sent.len(), 8);
    // Every exchange is kept, with its step.
    assert_eq!(obs.exchanges.len(), 8);
    assert_eq!(obs.exchanges[3].step, Step::ReadRecord { sfi: 1, record: 1 });
}

#[test]
fn same_seed_same_observation() {
    let (a, _) = run(&emv_card());
    let (b, _) = run(&emv_card());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn format_1_answers() {
    let mut card = emv_card();
    card[2].1 = "80061980080101009000".into();
    card[6].1 = "800B80001C11223344556677889000".into();
    let (obs, _) = run(&card);
    let tx = &obs.result;
    assert_eq!(tx.aip, Some([0x19, 0x80]));
    assert_eq!(tx.afl[0].records().count(), 1);
    assert_eq!(tx.atc, Some(0x1C));
    // Format 1 carries no IAD: the cryptogram version is unknown, the check says so.
    assert!(matches!(tx.cryptogram_check, Some(Check::NotChecked { .. })));
    assert!(obs.has("EMV.AC.UNCHECKED"));
}

/// Each card fault: (what to change, the rule it must raise, whether the procedure completes).
#[test]
fn card_faults_are_findings_and_the_procedure_goes_on_where_it_can() {
    let cases: &[(usize, &str, &str, bool)] = &[
        // No PPSE: fall back to the terminal's AID list (the A0000000031010 it holds).
        (0, "6A82", "EMV.PPSE.SELECT", true),
        // AFL entry with SFI 0.
        (2, "770A820220009404000101009000", "EMV.AFL.FORMAT", false),
        // AFL asking for 255 records.
        (2, "770A8202200094040801FF009000", "EMV.AFL.LIMIT", false),
        // A record the AFL names answers 6A83: the others are still read, GENERATE AC still sent.
        (4, "6A83", "EMV.AFL.RECORD-RANGE", true),
        // Record 1/1 not in template 70: no CDOL1 then, so no GENERATE AC.
        (3, "71035A01129000", "EMV.RECORD.TEMPLATE", false),
        // A PDOL asking for 2 x 255 bytes, more than a short GPO carries.
        (1, "6F148407A0000000031010A5099F38069F02FF9F03FF9000", "EMV.PDOL.FORMAT", false),
        // A CDOL1 cut after a tag.
        (3, "70098C079F02069F37049F9000", "EMV.CDOL1.FORMAT", false),
        // GENERATE AC with a 7-byte cryptogram.
        (6, "77139F2701809F3602001C9F2607AABBCCDDEEFF009000", "EMV.GENERATE-AC.TEMPLATE", false),
        // A TC answered to an ARQC request.
        (6, "771E9F2701409F3602001C9F2608AABBCCDDEEFF00119F100706011203A000009000", "EMV.GENERATE-AC.CID", true),
        // Response without a status word.
        (0, "90", "APDU.NO-SW", false),
    ];
    for (index, answer, rule, completes) in cases {
        let mut card = emv_card();
        card[*index].1 = answer.to_string();
        let (obs, _) = run(&card);
        assert!(obs.has(rule), "{rule}: {:?}", obs.findings);
        assert_eq!(obs.completed, *completes, "{rule}: {:?}", obs.findings);
        assert!(obs.fault.is_none());
        let f = obs.findings.iter().find(|f| f.matches(rule)).unwrap();
        assert!(f.location.step.is_some(), "{rule}: findings say the step");
    }
}

#[test]
fn transport_fault_is_not_a_finding() {
    // The card goes mute at GPO.
    struct MuteAtGpo(Scripted);
    impl Card for MuteAtGpo {
        fn power_on(&mut self) -> Vec<u8> {
            self.0.power_on()
        }
        fn process(&mut self, capdu: &[u8]) -> CardReply {
            if capdu[1] == 0xA8 { CardReply::mute() } else { self.0.process(capdu) }
        }
    }
    let mut t = T0::new(InProcess::with_clock(MuteAtGpo(Scripted::new(&emv_card())), std::sync::Arc::new(clock())));
    let obs = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(1), &clock());
    let fault = obs.fault.as_ref().unwrap();
    assert_eq!(fault.step, Step::GetProcessingOptions);
    assert!(!obs.completed);
    assert!(obs.violations().next().is_none(), "{:?}", obs.findings);
    assert_eq!(obs.exchanges.last().unwrap().response, None);
}

#[test]
fn ppse_picks_the_highest_priority() {
    // Two entries: priority 2 first, priority 1 second.
    let ppse = "6F2D840E325041592E5359532E4444463031A51BBF0C18610A4F05A000000001870102610A4F05A0000000028701019000";
    let mut card = emv_card();
    card[0].1 = ppse.into();
    let (_, sent) = run(&card);
    assert_eq!(sent[1], hex::decode("00A4040005A00000000200").unwrap());
}

fn transit_card(log_records: usize) -> Vec<(u8, String)> {
    let mut card = vec![
        (0xA4, "6F0A8408A0000006320101059000".to_string()),
        (0x5C, "000003E89000".to_string()),
        // Issuer 8, type 01, version 02, serial 10, from 20200101, until 20301231, FCI 2 bytes.
        (0xB0, "0102030405060708 01 02 31000000000000001234 20200101 20301231 0000 9000".replace(' ', "")),
    ];
    for i in 0..log_records {
        card.push((0xB2, format!("{:04X}000000000000640600000000000120261122101500", i + 1) + "9000"));
    }
    card.push((0xB2, "6A83".into()));
    card
}

fn transit(card: &[(u8, String)]) -> (Observation<TransitRead>, Vec<Vec<u8>>) {
    let mut t = T0::new(InProcess::new(Scripted::new(card)));
    let obs = read_transit(&mut t, &TerminalConfig::default(), &clock());
    let sent = t.inner_mut().card().sent.clone();
    (obs, sent)
}

#[test]
fn transit_read() {
    let (obs, sent) = transit(&transit_card(2));
    assert!(obs.is_clean(), "{:?}", obs.findings);
    let r = &obs.result;
    assert_eq!(r.balance, Some(1000));
    let info = r.card_info.as_ref().unwrap();
    assert_eq!(info.serial, [0x31, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
    assert_eq!((info.valid_until, info.issuer_data.as_slice()), ([0x20, 0x30, 0x12, 0x31], &[0u8, 0][..]));
    assert_eq!(r.log.len(), 2);
    assert_eq!((r.log[1].sequence, r.log[1].amount, r.log[1].transaction_type), (2, 100, 0x06));
    assert_eq!(sent[0], hex::decode("00A4040008A00000063201010500").unwrap());
    assert_eq!(sent[1], [0x80, 0x5C, 0x00, 0x02, 0x04]);
    assert_eq!(sent[2], [0x00, 0xB0, 0x95, 0x00, 0x00]);
    assert_eq!(sent[3], [0x00, 0xB2, 0x01, 0xC4, 0x00]);
    assert_eq!(sent.len(), 6);
}

#[test]
fn transit_faults() {
    let (obs, _) = transit(&transit_card(15));
    assert_eq!(obs.result.log.len(), 10, "the log read is bounded");

    let mut card = transit_card(0);
    card[1].1 = "03E89000".into();
    let (obs, _) = transit(&card);
    assert_eq!(rules_of(&obs), ["TRANSIT.BALANCE.FORMAT"]);
    assert!(!obs.completed);

    let mut card = transit_card(1);
    card[3].1 = "00019000".into();
    let (obs, _) = transit(&card);
    assert_eq!(rules_of(&obs), ["TRANSIT.LOG.FORMAT"]);

    // Neither T-Union nor City Union: both tried, then the finding.
    let mut card = transit_card(0);
    card[0].1 = "6A82".into();
    card.insert(1, (0xA4, "6A82".into()));
    let (obs, sent) = transit(&card);
    assert_eq!(rules_of(&obs), ["TRANSIT.SELECT.STATUS"]);
    assert_eq!(sent.len(), 2);
}
