//! Negative checks a terminal-side certification runs on the payment application: how the card
//! answers what it must refuse, and whether it is still alive afterwards.
//!
//! 1. SELECT of an AID nobody issues (`A000000099`): `6A82` (`EMV.SELECT.UNKNOWN-AID`).
//! 2. SELECT of the application, then GET PROCESSING OPTIONS with `83 00` (no PDOL data for a
//!    card that has a PDOL): refused with `6700` or `6A80` (`EMV.GPO.PDOL-CHECK`).
//! 3. SELECT of the application again: any answer (`CARD.LIVENESS`; a mute card is a transport
//!    timeout, which here is the finding the check exists for).

use tapcert_parsers::Finding;
use tapcert_parsers::apdu::{Cla, CommandApduBuf, Ins, StatusWord};
use tapcert_parsers::tlv::Fci;

use super::config::TerminalConfig;
use super::emv::EmvRead;
use super::observation::{Halt, Observation, Session, Step};
use super::rules::{self, finding};
use crate::clock::Clock;
use crate::transport::Transport;

/// An AID no scheme issues (RID `A000000099` is unassigned).
pub const UNKNOWN_AID: [u8; 5] = [0xA0, 0x00, 0x00, 0x00, 0x99];

/// What the probes saw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProbeRead {
    /// Status word of SELECT unknown AID.
    pub unknown_aid_sw: Option<StatusWord>,
    /// Status word of the malformed GPO.
    pub malformed_gpo_sw: Option<StatusWord>,
    /// Status word of the SELECT after it.
    pub after_sw: Option<StatusWord>,
}

/// Runs the negative checks against the first application of the terminal's AID list that
/// the card has.
pub fn probe_emv_errors(t: &mut dyn Transport, config: &TerminalConfig, clock: &dyn Clock) -> Observation<ProbeRead> {
    let mut s = Session::new(t, clock);
    s.budget = config.exchange_budget;
    let mut read = ProbeRead::default();
    let done = probe(&mut s, &mut read, config).is_ok();
    s.finish(read, done)
}

fn select(aid: &[u8]) -> CommandApduBuf {
    CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x04, 0x00).with_data(aid.to_vec()).with_ne(256)
}

fn probe(s: &mut Session<'_>, read: &mut ProbeRead, config: &TerminalConfig) -> Result<(), Halt> {
    s.reset()?;
    let step = Step::SelectApplication;
    let a = s.send(step, &select(&UNKNOWN_AID))?;
    read.unknown_aid_sw = Some(a.sw);
    if a.sw != StatusWord::FILE_NOT_FOUND {
        s.finding(finding(rules::EMV_UNKNOWN_AID, step, format!("SELECT A000000099 answered {}", a.sw)));
    }
    let mut selected = None;
    for aid in &config.candidate_aids {
        let a = s.send(step, &select(aid))?;
        if a.sw == StatusWord::OK {
            selected = Some((aid.clone(), a.data));
            break;
        }
    }
    let Some((aid, fci)) = selected else {
        s.finding(finding(rules::EMV_SELECT, step, "none of the terminal's applications could be selected"));
        return Err(Halt::Card);
    };
    let has_pdol = Fci::from_bytes(&fci).ok().and_then(|f| f.pdol).is_some_and(|p| !p.is_empty());
    let step = Step::GetProcessingOptions;
    let gpo =
        CommandApduBuf::new(Cla(0x80), Ins::GET_PROCESSING_OPTIONS, 0, 0).with_data(vec![0x83, 0x00]).with_ne(256);
    match s.send(step, &gpo) {
        Ok(a) => {
            read.malformed_gpo_sw = Some(a.sw);
            if has_pdol && a.sw.sw1() != 0x67 && a.sw != StatusWord::INCORRECT_DATA {
                let msg = format!("GPO without the PDOL data the card asks for answered {}", a.sw);
                s.finding(finding(rules::EMV_GPO_PDOL_CHECK, step, msg));
            }
        }
        Err(Halt::Transport) => return liveness_lost(s, step),
        Err(Halt::Card) => return Err(Halt::Card),
    }
    let step = Step::SelectApplication;
    match s.send(step, &select(&aid)) {
        Ok(a) => read.after_sw = Some(a.sw),
        Err(Halt::Transport) => return liveness_lost(s, step),
        Err(Halt::Card) => return Err(Halt::Card),
    }
    Ok(())
}

/// A card that stops answering after an error is non-conformant: the transport fault becomes
/// the finding this probe exists for (a mute card, not a pulled reader).
fn liveness_lost(s: &mut Session<'_>, step: Step) -> Result<(), Halt> {
    let muted = s.fault.as_ref().is_some_and(|f| matches!(f.error.kind(), crate::transport::TransportErrorKind::Mute));
    if muted {
        let fault = s.fault.take().map(|f| f.to_string()).unwrap_or_default();
        s.finding(finding(rules::CARD_LIVENESS, step, format!("the card went mute after a refused command: {fault}")));
        return Err(Halt::Card);
    }
    Err(Halt::Transport)
}

/// `EMV.ATC.MONOTONIC` across two transactions of the same card: the second ATC must be
/// higher. `None` when it is, or when either transaction has no ATC.
pub fn check_atc_increases(first: &EmvRead, second: &EmvRead) -> Option<Finding> {
    let (a, b) = (first.atc?, second.atc?);
    (b <= a)
        .then(|| finding(rules::EMV_ATC, Step::GenerateAc, format!("ATC {a:04X} then {b:04X}: it did not increase")))
}
