//! Entry points of the terminal-flow and structure-aware fuzz targets, shared by `fuzz/` and
//! the stable corpus replay (`tests/fuzz_corpus.rs`). Not a stable API.
//!
//! Each function takes the fuzzer's bytes, runs one target's whole check and panics only when
//! an invariant breaks: a malformed command sent by the terminal, a loop past its bound, a
//! result that contradicts what the card said, a round trip that does not hold.

mod apdu_model;
mod image_flow;
mod ndef_model;
mod structured;

use tapcert_parsers::apdu::{CommandApdu, CommandApduBuf};

use super::{MAX_CANDIDATES, MAX_RECORDS, Observation, TerminalConfig, read_emv, read_transit};
use crate::transport::{FuzzCard, Intercept, Layered, RawResponse, T0, Transport, TransportError};

pub use apdu_model::fuzz_apdu_structured;
pub use ndef_model::fuzz_ndef_structured;
pub use structured::fuzz_tlv_structured;

/// Most commands the EMV procedure may send (without GET RESPONSE, which the T=0 layer
/// bounds): SELECT PPSE, the application SELECTs, GPO, the records, INTERNAL AUTHENTICATE,
/// GENERATE AC.
pub const MAX_EMV_COMMANDS: usize = 1 + MAX_CANDIDATES + 1 + MAX_RECORDS + 2;
/// Most commands the transit read may send: the purse SELECTs, GET BALANCE, READ BINARY, the log.
pub const MAX_TRANSIT_COMMANDS: usize = 2 + 2 + tapcert_parsers::transit::LOG_RECORDS as usize;

/// Checks every command a procedure sends: a well-formed short APDU (ISO/IEC 7816-4 §5.1), and
/// no more of them than the procedure's bound.
#[derive(Debug)]
struct CommandCheck {
    commands: usize,
    limit: usize,
}

impl<T: Transport> Intercept<T> for CommandCheck {
    fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        self.commands += 1;
        assert!(self.commands <= self.limit, "procedure sent more than {} commands", self.limit);
        assert_short_apdu(capdu);
        inner.transmit(capdu)
    }
}

/// Panics unless `c` is a short APDU of case 1, 2, 3 or 4 with an Lc that matches its data,
/// which the APDU parser (written independently of the procedures) accepts as such, and which
/// re-encodes to the same bytes.
fn assert_short_apdu(c: &[u8]) {
    match CommandApdu::from_bytes(c) {
        Ok(apdu) => {
            assert!(!apdu.case().is_extended(), "extended command sent: {}", hex::encode_upper(c));
            let again: CommandApduBuf = apdu.to_buf();
            assert_eq!(again.encode().ok().as_deref(), Some(c), "command does not re-encode");
        }
        Err(e) => panic!("the terminal sent a malformed command {}: {e}", hex::encode_upper(c)),
    }
}

/// What every observation must satisfy, whatever the card answered.
fn check_observation<T>(obs: &Observation<T>, commands: usize) {
    // T=0 GET RESPONSE/resend happen below the procedure, so every command is one exchange.
    assert_eq!(obs.exchanges.len(), commands, "exchanges recorded differ from commands sent");
    for f in &obs.findings {
        assert!(tapcert_parsers::is_rule_id(&f.rule), "finding with a malformed rule id: {f}");
    }
    if obs.fault.is_some() {
        assert!(!obs.completed, "a transport fault ended the procedure, yet it is marked complete");
    } else if !obs.completed {
        // A procedure stops early only where a finding says why.
        assert!(obs.violations().next().is_some(), "stopped without a transport fault or a finding");
    }
}

/// `flow_emv`: the EMV contactless transaction against a [`FuzzCard`] (ATR, every response,
/// the unpredictable number and the clock drawn from `data`), then against a card image the
/// same bytes mutate with the hostile-image mutations (`image_flow`).
pub fn fuzz_flow_emv(data: &[u8]) {
    image_flow::fuzz_flow_emv_image(data);
    let run = || {
        let (card, mut source) = FuzzCard::split(data);
        let clock = source.clock();
        let mut t = Layered::with(T0::new(card), CommandCheck { commands: 0, limit: MAX_EMV_COMMANDS });
        let obs = read_emv(&mut t, &TerminalConfig::default(), &mut source, clock.as_ref());
        (obs, t.layer().commands)
    };
    let (obs, commands) = run();
    // Randomness and time are injected: the same input must give the same observation.
    let (again, _) = run();
    assert_eq!(format!("{obs:?}"), format!("{again:?}"), "the same card gave two different observations");
    check_observation(&obs, commands);
    let tx = &obs.result;
    let listed: usize = tx.afl.iter().map(|e| e.record_count()).sum();
    assert!(tx.records.len() <= listed, "more records read than the AFL lists");
    let mut expected = tx.afl.iter().flat_map(|e| e.records());
    assert!(tx.records.iter().all(|r| expected.any(|e| e == r.at)), "records out of AFL order");
    assert!(tx.pdol_data.len() <= 252 && tx.cdol1_data.len() <= 255);
    if obs.completed {
        assert!(tx.generate_ac.is_some() && tx.cid.is_some(), "complete without a GENERATE AC answer");
        assert!(tx.cryptogram_check.is_some(), "complete without checking the cryptogram");
    }
}

/// `flow_transit`: the e-purse read against a [`FuzzCard`].
pub fn fuzz_flow_transit(data: &[u8]) {
    let (card, source) = FuzzCard::split(data);
    let clock = source.clock();
    let mut t = Layered::with(T0::new(card), CommandCheck { commands: 0, limit: MAX_TRANSIT_COMMANDS });
    let obs = read_transit(&mut t, &TerminalConfig::default(), clock.as_ref());
    check_observation(&obs, t.layer().commands);
    let read = &obs.result;
    assert!(read.log.len() <= usize::from(tapcert_parsers::transit::LOG_RECORDS));
    if obs.completed {
        assert!(read.balance.is_some() && read.aid.is_some(), "complete without a balance");
    }
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
