//! Entry points of the terminal-flow and structure-aware fuzz targets, shared by `fuzz/` and
//! the stable corpus replay (`tests/fuzz_corpus.rs`). Not a stable API.
//!
//! Each function takes the fuzzer's bytes, runs one target's whole check and panics only when
//! an invariant breaks: a malformed command sent by the terminal, a loop past its bound, a
//! result that contradicts what the card said, a round trip that does not hold.

mod apdu_model;
mod ndef_model;
mod structured;

use std::time::Duration;

use super::{
    EmvTransaction, MAX_AFL_ENTRIES, MAX_LOG_RECORDS, MAX_RECORDS, TerminalConfig, TransitRead,
    read_emv_and_generate_ac, read_transit,
};
use tapcert_parsers::apdu::CommandApdu;

use crate::transport::{FuzzCard, RawAtr, RawResponse, ReaderInfo, T0, Transport, TransportError};

pub use apdu_model::fuzz_apdu_structured;
pub use ndef_model::fuzz_ndef_structured;
pub use structured::fuzz_tlv_structured;

/// Most commands the EMV flow may send (without GET RESPONSE, which the T=0 layer bounds):
/// SELECT PPSE, SELECT AID, GPO, the records, GENERATE AC.
pub const MAX_EMV_COMMANDS: usize = 4 + MAX_RECORDS;
/// Most commands the transit flow may send: SELECT, GET BALANCE, READ BINARY, the log.
pub const MAX_TRANSIT_COMMANDS: usize = 3 + MAX_LOG_RECORDS as usize;

/// Checks every command a flow sends: a well-formed short APDU (ISO/IEC 7816-4 §5.1), and no
/// more of them than the flow's bound.
#[derive(Debug)]
struct CheckedTransport<T> {
    inner: T,
    commands: usize,
    limit: usize,
}

impl<T: Transport> Transport for CheckedTransport<T> {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        self.inner.reset()
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        self.commands += 1;
        assert!(self.commands <= self.limit, "flow sent more than {} commands", self.limit);
        assert_short_apdu(capdu);
        self.inner.transmit(capdu)
    }

    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        self.inner.field_off(hold)
    }

    fn info(&self) -> ReaderInfo {
        self.inner.info()
    }
}

/// Panics unless `c` is a short APDU of case 1, 2, 3 or 4 with an Lc that matches its data,
/// which the APDU parser (written independently of the flow) accepts as such.
fn assert_short_apdu(c: &[u8]) {
    match CommandApdu::from_bytes(c) {
        Ok(apdu) => assert!(!apdu.case().is_extended(), "extended command sent: {}", hex::encode_upper(c)),
        Err(e) => panic!("the terminal sent a malformed command {}: {e}", hex::encode_upper(c)),
    }
    match c.len() {
        4 | 5 => {}
        n if n > 5 => {
            let lc = usize::from(c[4]);
            assert!(lc != 0, "Lc = 00 in a short command: {}", hex::encode_upper(c));
            assert!(n == 5 + lc || n == 6 + lc, "Lc {lc} does not match a {n}-byte command: {}", hex::encode_upper(c));
        }
        n => panic!("{n}-byte command is not an APDU"),
    }
}

/// `flow_emv`: the EMV contactless read + GENERATE AC against a [`FuzzCard`] (ATR, every
/// response, the unpredictable number and the clock drawn from `data`).
pub fn fuzz_flow_emv(data: &[u8]) {
    let run = || {
        let (card, mut source) = FuzzCard::split(data);
        let clock = source.clock();
        let mut t = CheckedTransport { inner: T0::new(card), commands: 0, limit: MAX_EMV_COMMANDS };
        let result = read_emv_and_generate_ac(&mut t, &TerminalConfig::default(), &mut source, clock.as_ref());
        (result, t.commands)
    };
    let (result, commands) = run();
    // Randomness and time are injected: the same input must give the same transaction.
    let (again, _) = run();
    assert_eq!(format!("{result:?}"), format!("{again:?}"), "the same card gave two different transactions");
    match result {
        Ok(tx) => check_emv(&tx, commands),
        Err(e) => {
            let _ = e.step();
            let _ = e.to_string();
        }
    }
}

fn check_emv(tx: &EmvTransaction, commands: usize) {
    assert!(tx.candidates.contains(&tx.selected), "selected an AID the PPSE did not list");
    assert!((5..=16).contains(&tx.selected.aid.len()));
    assert!(tx.afl.len() <= MAX_AFL_ENTRIES);
    let wanted: usize = tx.afl.iter().map(|e| usize::from(e.last - e.first) + 1).sum();
    assert_eq!(tx.records.len(), wanted, "records read differ from the AFL");
    assert_eq!(commands, 4 + wanted, "commands sent differ from the flow");
    let mut expected = tx.afl.iter().flat_map(|e| (e.first..=e.last).map(move |r| (e.sfi, r)));
    assert!(tx.records.iter().all(|r| expected.next() == Some((r.sfi, r.record))), "records out of AFL order");
    assert!(!tx.cdol1_data.is_empty() && tx.cdol1_data.len() <= 255);
    assert!(tx.pdol_data.len() <= 252);
    assert_eq!(tx.generate_ac.cryptogram_type as u8, tx.generate_ac.cid >> 6);
}

/// `flow_transit`: the T-Union read against a [`FuzzCard`].
pub fn fuzz_flow_transit(data: &[u8]) {
    let (card, _source) = FuzzCard::split(data);
    let mut t = CheckedTransport { inner: T0::new(card), commands: 0, limit: MAX_TRANSIT_COMMANDS };
    match read_transit(&mut t) {
        Ok(read) => check_transit(&read, t.commands),
        Err(e) => {
            let _ = e.step();
            let _ = e.to_string();
        }
    }
}

fn check_transit(read: &TransitRead, commands: usize) {
    assert!(read.log.len() <= usize::from(MAX_LOG_RECORDS));
    assert!(read.log.iter().enumerate().all(|(i, r)| usize::from(r.record) == i + 1), "log records out of order");
    // A full log stops at the bound; a shorter one ended with 6A83, which cost one more command.
    let end = usize::from(read.log.len() < usize::from(MAX_LOG_RECORDS));
    assert_eq!(commands, 3 + read.log.len() + end);
}

/// Lays out a [`FuzzCard`] input: 8 seed bytes, the ATR, then each response with its length.
/// Used to build seed corpora from transcripts. A response of 254 bytes or more (the length
/// bytes `FE`/`FF` mean mute and removed) is sent the T=0 way: parts of 250 data bytes with
/// `61xx`, each fetched by the GET RESPONSE the [`T0`] layer sends, the last with the real SW.
pub fn fuzz_card_input(seed: u64, atr: &[u8], responses: &[&[u8]]) -> Vec<u8> {
    const PART: usize = 250;
    let mut out = seed.to_be_bytes().to_vec();
    let atr = &atr[..atr.len().min(33)];
    out.push(atr.len() as u8);
    out.extend_from_slice(atr);
    for r in responses {
        if r.len() <= 0xFD {
            out.push(r.len() as u8);
            out.extend_from_slice(r);
            continue;
        }
        let (data, sw) = r.split_at(r.len() - 2);
        let mut parts = data.chunks(PART).peekable();
        while let Some(part) = parts.next() {
            out.push((part.len() + 2) as u8);
            out.extend_from_slice(part);
            match parts.peek() {
                Some(next) => out.extend_from_slice(&[0x61, next.len() as u8]),
                None => out.extend_from_slice(sw),
            }
        }
    }
    out
}
