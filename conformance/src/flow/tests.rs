//! The flows against scripted cards: the happy paths and the typed errors.

use std::time::Duration;

use tapcert_parsers::tlv::Tag;

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
    fn new(answers: &[(u8, &str)]) -> Self {
        Scripted { answers: answers.iter().map(|(ins, h)| (*ins, hex::decode(h).unwrap())).collect(), sent: vec![] }
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
    "6F338407A0000000032010A52850095649534120434152449F381A9F66049F02069F03069F1A0295055F2A029A039C019F37049A039000";
// 77{82 2000, 94 08010100 10010200}
const GPO: &str = "770E8202200094080801010010010200";
// 70{57 track 2 (test PAN 4761739001010010), 8C CDOL1 = 9F02 06 9F37 04 95 05}
const REC_1_1: &str = "701F57134761739001010010D22122011143804400000F8C089F02069F37049505";
const REC_2_1: &str = "70065F24032212319000";
const REC_2_2: &str = "70045F3401019000";
// 77{9F27 80, 9F36 001C, 9F26 8 bytes, 9F10 06011203A00000}
const GEN_AC: &str = "771E9F2701809F3602001C9F2608AABBCCDDEEFF00119F100706011203A00000";

fn with_sw(h: &str) -> String {
    let h = h.replace(' ', "");
    if h.ends_with("9000") { h } else { format!("{h}9000") }
}

fn run(card: Scripted) -> (Result<EmvTransaction, FlowError>, Vec<Vec<u8>>) {
    let mut t = T0::new(InProcess::new(card));
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
    let r = read_emv_and_generate_ac(&mut t, &TerminalConfig::default(), &mut SeededRng::new(1), &clock);
    let sent = t.inner_mut().card().sent.clone();
    (r, sent)
}

fn emv_card() -> Vec<(u8, String)> {
    vec![
        (0xA4, PPSE.into()),
        (0xA4, SELECT_AID.into()),
        (0xA8, with_sw(GPO)),
        (0xB2, with_sw(REC_1_1)),
        (0xB2, REC_2_1.into()),
        (0xB2, REC_2_2.into()),
        (0xAE, with_sw(GEN_AC)),
    ]
}

fn scripted(answers: &[(u8, String)]) -> Scripted {
    let v: Vec<(u8, &str)> = answers.iter().map(|(i, h)| (*i, h.as_str())).collect();
    Scripted::new(&v)
}

#[test]
fn emv_read_and_generate_ac() {
    let (r, sent) = run(scripted(&emv_card()));
    let tx = r.unwrap();
    assert_eq!(tx.selected.aid, hex::decode("A0000000031010").unwrap());
    assert_eq!(tx.selected.priority, Some(1));
    assert_eq!(tx.aip, [0x20, 0x00]);
    assert_eq!(tx.afl.len(), 2);
    assert_eq!(tx.records.iter().map(|r| (r.sfi, r.record)).collect::<Vec<_>>(), [(1, 1), (2, 1), (2, 2)]);
    assert_eq!(tx.pdol_data.len(), 36);
    assert_eq!(tx.transaction_date, [0x26, 0x11, 0x22]);
    // CDOL1 = amount (6) + UN (4) + TVR (5); the UN is the one sent in the PDOL data too.
    assert_eq!(tx.cdol1_data.len(), 15);
    assert_eq!(&tx.cdol1_data[..6], [0, 0, 0, 0, 0x01, 0x00]);
    assert_eq!(tx.cdol1_data[6..10], tx.unpredictable_number);
    assert_eq!(tx.pdol_data[29..33], tx.unpredictable_number);
    let ac = &tx.generate_ac;
    assert_eq!((ac.format, ac.cid, ac.cryptogram_type, ac.atc), (2, 0x80, CryptogramType::Arqc, 0x1C));
    assert_eq!(ac.cryptogram, [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11]);
    assert_eq!(ac.issuer_application_data.as_deref(), Some(&[0x06, 0x01, 0x12, 0x03, 0xA0, 0x00, 0x00][..]));
    // The commands on the wire.
    assert_eq!(sent[0], hex::decode("00A404000E325041592E5359532E444446303100").unwrap());
    assert_eq!(sent[1], hex::decode("00A4040007A000000003101000").unwrap());
    assert_eq!(&sent[2][..7], [0x80, 0xA8, 0x00, 0x00, 0x26, 0x83, 0x24]);
    assert_eq!(sent[3], [0x00, 0xB2, 0x01, 0x0C, 0x00]);
    assert_eq!(sent[5], [0x00, 0xB2, 0x02, 0x14, 0x00]);
    assert_eq!(&sent[6][..5], [0x80, 0xAE, 0x80, 0x00, 15]);
    assert_eq!(sent.len(), 7);
}

#[test]
fn emv_same_seed_same_transaction() {
    let (a, _) = run(scripted(&emv_card()));
    let (b, _) = run(scripted(&emv_card()));
    assert_eq!(a.unwrap(), b.unwrap());
}

#[test]
fn gpo_format_1_and_generate_ac_format_1() {
    let mut card = emv_card();
    card[2].1 = "80061980080101009000".into();
    card[6].1 = "800B80001C11223344556677889000".into();
    let tx = run(scripted(&card)).0.unwrap();
    assert_eq!(tx.aip, [0x19, 0x80]);
    assert_eq!(tx.afl[0], AflEntry { sfi: 1, first: 1, last: 1, oda_records: 0 });
    assert_eq!(tx.generate_ac.format, 1);
    assert_eq!(tx.generate_ac.atc, 0x1C);
    assert_eq!(tx.generate_ac.issuer_application_data, None);
}

#[test]
fn emv_errors_name_the_step_and_the_fact() {
    // No PPSE on the card.
    let mut card = emv_card();
    card[0].1 = "6A82".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::Status { step: Step::SelectPpse, sw: 0x6A82, .. }), "{err}");

    // AFL entry with SFI 0.
    let mut card = emv_card();
    card[2].1 = "770A820220009404000101009000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::BadAfl { index: 0, reason: "SFI must be 1-30" }), "{err}");

    // AFL asking for 255 records.
    let mut card = emv_card();
    card[2].1 = "770A8202200094040801FF009000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::Limit { count: 255, limit: MAX_RECORDS, .. }), "{err}");

    // Record not in template 70.
    let mut card = emv_card();
    card[3].1 = "71035A01129000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(
        matches!(err, FlowError::MissingObject { step: Step::ReadRecord { sfi: 1, record: 1 }, tag: Tag(0x70) }),
        "{err}"
    );

    // No CDOL1 anywhere.
    let mut card = emv_card();
    card[3].1 = "70035A01129000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::MissingObject { step: Step::GenerateAc, tag: Tag(0x8C) }), "{err}");

    // A PDOL asking for 2 x 255 bytes, more than a short GPO carries.
    let mut card = emv_card();
    card[1].1 = "6F148407A0000000031010A5099F38069F02FF9F03FF9000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::Limit { step: Step::GetProcessingOptions, count: 510, .. }), "{err}");

    // A CDOL1 cut after a tag.
    let mut card = emv_card();
    card[3].1 = "70098C079F02069F37049F9000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::Dol { step: Step::GenerateAc, which: "CDOL1", .. }), "{err}");

    // GENERATE AC with a 7-byte cryptogram.
    let mut card = emv_card();
    card[6].1 = "77139F2701809F3602001C9F2607AABBCCDDEEFF009000".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::BadObject { tag: Tag(0x9F26), .. }), "{err}");

    // Response without a status word.
    let mut card = emv_card();
    card[0].1 = "90".into();
    let err = run(scripted(&card)).0.unwrap_err();
    assert!(matches!(err, FlowError::NoStatusWord { step: Step::SelectPpse, len: 1 }), "{err}");
}

#[test]
fn ppse_picks_the_highest_priority() {
    // Two entries: priority 2 first, priority 1 second.
    let ppse = "6F2D840E325041592E5359532E4444463031A51BBF0C18610A4F05A000000001870102610A4F05A0000000028701019000";
    let mut card = emv_card();
    card[0].1 = ppse.into();
    let (r, sent) = run(scripted(&card));
    assert_eq!(r.unwrap().candidates.len(), 2);
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

#[test]
fn transit_read() {
    let mut t = T0::new(InProcess::new(scripted(&transit_card(2))));
    let r = read_transit(&mut t).unwrap();
    assert_eq!(r.balance, 1000);
    assert_eq!(r.card_info.serial, [0x31, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
    assert_eq!(r.card_info.valid_until, [0x20, 0x30, 0x12, 0x31]);
    assert_eq!(r.card_info.rest, [0, 0]);
    assert_eq!(r.log.len(), 2);
    assert_eq!((r.log[1].serial, r.log[1].amount, r.log[1].kind), (2, 100, 0x06));
    assert_eq!(r.log[0].date, [0x20, 0x26, 0x11, 0x22]);
    let sent = &t.inner_mut().card().sent;
    assert_eq!(sent[0], hex::decode("00A4040008A00000063201010500").unwrap());
    assert_eq!(sent[1], [0x80, 0x5C, 0x00, 0x02, 0x04]);
    assert_eq!(sent[2], [0x00, 0xB0, 0x95, 0x00, 0x00]);
    assert_eq!(sent[3], [0x00, 0xB2, 0x01, 0xC4, 0x00]);
    assert_eq!(sent.len(), 6);
}

#[test]
fn transit_log_is_bounded_and_errors_are_typed() {
    let mut t = T0::new(InProcess::new(scripted(&transit_card(15))));
    assert_eq!(read_transit(&mut t).unwrap().log.len(), usize::from(MAX_LOG_RECORDS));

    let mut card = transit_card(0);
    card[1].1 = "03E89000".into();
    let err = read_transit(&mut T0::new(InProcess::new(scripted(&card)))).unwrap_err();
    assert!(matches!(err, FlowError::BadLength { step: Step::GetBalance, expected: 4, got: 2 }), "{err}");

    let mut card = transit_card(1);
    card[3].1 = "00019000".into();
    let err = read_transit(&mut T0::new(InProcess::new(scripted(&card)))).unwrap_err();
    assert!(matches!(err, FlowError::BadLength { step: Step::ReadTransactionLog { record: 1 }, got: 2, .. }), "{err}");

    let mut card = transit_card(0);
    card[0].1 = "6A82".into();
    let err = read_transit(&mut T0::new(InProcess::new(scripted(&card)))).unwrap_err();
    assert!(matches!(err, FlowError::Status { step: Step::SelectTransit, sw: 0x6A82, .. }), "{err}");
}

#[test]
fn fuzz_entry_points_run_the_seed_shapes() {
    // A full EMV transaction laid out as FuzzCard input runs to the end without tripping the
    // invariants (the target's own check that it is not vacuous).
    let answers: Vec<Vec<u8>> = emv_card().iter().map(|(_, h)| hex::decode(h).unwrap()).collect();
    let refs: Vec<&[u8]> = answers.iter().map(Vec::as_slice).collect();
    let input = fuzzing::fuzz_card_input(7, &[0x3B, 0x00], &refs);
    fuzzing::fuzz_flow_emv(&input);
    let answers: Vec<Vec<u8>> = transit_card(3).iter().map(|(_, h)| hex::decode(h).unwrap()).collect();
    let refs: Vec<&[u8]> = answers.iter().map(Vec::as_slice).collect();
    fuzzing::fuzz_flow_transit(&fuzzing::fuzz_card_input(7, &[0x3B, 0x00], &refs));
}
