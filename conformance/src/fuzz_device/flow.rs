//! The flows a device fuzz run mutates, recorded from the terminal engine's own procedures.
//!
//! A flow is the sequence of commands a terminal sends for one job (EMV: PPSE, SELECT, GPO,
//! READ RECORD, GENERATE AC; transit: SELECT, GET BALANCE, READ BINARY, READ RECORD, and with
//! `--allow-destructive` INITIALIZE and DEBIT FOR PURCHASE; NDEF: SELECT application, SELECT
//! CC, READ BINARY, ...). It is taken from one run of the engine's procedure against the
//! device itself, so the prefix a case replays is what this device accepted.

use tapcert_parsers::ndef::NDEF_TAG_APPLICATION_AID;

use super::FuzzError;
use super::mutation::destructive_command;
use crate::certify::App;
use crate::clock::{Clock, SeededRng};
use crate::terminal::{Mac1, Observation, Step, TerminalConfig, purchase_transit, read_emv, read_ndef, read_transit};
use crate::transport::{RawAtr, T0, Transport};

/// Most steps a flow keeps (the engine's own bounds keep real flows far below).
pub const MAX_FLOW_STEPS: usize = 128;

/// Amount of the purchase recorded in a transit flow with `--allow-destructive` (1 fen). Its
/// MAC1 is corrupted on purpose: a conformant purse refuses it, so recording moves no money.
pub const RECORDED_PURCHASE_AMOUNT: u32 = 1;

/// Which job of the terminal a run fuzzes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    /// EMV contactless transaction (`read_emv`).
    Emv,
    /// E-purse read (`read_transit`), plus a purchase (`purchase_transit`) when destructive
    /// commands are allowed.
    Transit,
    /// Type 4 Tag NDEF read (`read_ndef`).
    Ndef,
}

impl Flow {
    /// Every flow.
    pub const ALL: [Flow; 3] = [Flow::Emv, Flow::Transit, Flow::Ndef];

    /// `emv`, `transit` or `ndef` (the `--flow` value).
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Emv => "emv",
            Flow::Transit => "transit",
            Flow::Ndef => "ndef",
        }
    }

    /// The flow named `name`.
    pub fn from_name(name: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The application a suite case of this flow needs.
    pub fn app(self) -> App {
        match self {
            Flow::Emv => App::Emv,
            Flow::Transit => App::Transit,
            Flow::Ndef => App::Ndef,
        }
    }

    /// Whether a response of `command` in this flow must be BER-TLV when it carries data and
    /// `9000`: FCIs, GPO, GENERATE AC, INTERNAL AUTHENTICATE, GET DATA, and (EMV Book 3 §7.2)
    /// records of SFI 1-10. Transit and NDEF files are binary; only their FCIs are TLV.
    pub fn response_must_be_tlv(self, command: &[u8]) -> bool {
        let (Some(&ins), Some(&p2)) = (command.get(1), command.get(3)) else { return false };
        match (self, ins) {
            (_, 0xA4) => true,
            (Flow::Emv, 0xA8 | 0xAE | 0x88 | 0xCA) => true,
            (Flow::Emv, 0xB2) => p2 & 0x07 == 0x04 && (1..=10).contains(&(p2 >> 3)),
            _ => false,
        }
    }
}

/// One step of a recorded flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowStep {
    /// What the engine called the step.
    pub step: Step,
    /// The command as the procedure sent it.
    pub command: Vec<u8>,
    /// The status word the device answered in the recording.
    pub sw: Option<u16>,
}

impl FlowStep {
    /// The step's name in findings and reports (`GET PROCESSING OPTIONS`, ...).
    pub fn label(&self) -> String {
        self.step.to_string()
    }
}

/// A flow as this device answered it once, unmutated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFlow {
    /// Which flow.
    pub flow: Flow,
    /// The steps, in the order sent.
    pub steps: Vec<FlowStep>,
    /// The application the liveness check selects (the one the flow selected).
    pub liveness_aid: Vec<u8>,
    /// The ATR of the recording.
    pub atr: Option<RawAtr>,
}

fn steps_of<T>(obs: &Observation<T>, allow_destructive: bool, out: &mut Vec<FlowStep>) {
    for e in &obs.exchanges {
        // A command that got no answer ends what can be replayed.
        let Some(resp) = e.response.as_deref() else { break };
        if out.len() >= MAX_FLOW_STEPS || (!allow_destructive && destructive_command(&e.command).is_some()) {
            break;
        }
        let sw = (resp.len() >= 2).then(|| u16::from_be_bytes([resp[resp.len() - 2], resp[resp.len() - 1]]));
        out.push(FlowStep { step: e.step, command: e.command.clone(), sw });
    }
}

/// Runs the flow's procedure once against the device (over the T=0 layer) and keeps its
/// commands and status words.
pub fn record_flow(
    t: &mut dyn Transport,
    flow: Flow,
    config: &TerminalConfig,
    allow_destructive: bool,
    seed: u64,
    clock: &dyn Clock,
) -> Result<RecordedFlow, FuzzError> {
    let mut link = T0::new(t);
    let mut steps = Vec::new();
    let (aid, atr) = match flow {
        Flow::Emv => {
            let obs = read_emv(&mut link, config, &mut SeededRng::new(seed), clock);
            if let Some(f) = &obs.fault {
                return Err(FuzzError::Recording(format!("the EMV read failed: {f}")));
            }
            steps_of(&obs, allow_destructive, &mut steps);
            (obs.result.aid.clone(), obs.atr.clone())
        }
        Flow::Transit => {
            let obs = read_transit(&mut link, config, clock);
            if let Some(f) = &obs.fault {
                return Err(FuzzError::Recording(format!("the e-purse read failed: {f}")));
            }
            steps_of(&obs, allow_destructive, &mut steps);
            if allow_destructive {
                let buy = purchase_transit(&mut link, config, RECORDED_PURCHASE_AMOUNT, Mac1::Corrupted, clock);
                steps_of(&buy, allow_destructive, &mut steps);
            }
            (obs.result.aid.clone(), obs.atr.clone())
        }
        Flow::Ndef => {
            let obs = read_ndef(&mut link, clock);
            if let Some(f) = &obs.fault {
                return Err(FuzzError::Recording(format!("the NDEF read failed: {f}")));
            }
            steps_of(&obs, allow_destructive, &mut steps);
            let selected = steps.first().is_some_and(|s| s.sw == Some(0x9000));
            (selected.then(|| NDEF_TAG_APPLICATION_AID.to_vec()), obs.atr.clone())
        }
    };
    let Some(liveness_aid) = aid else {
        return Err(FuzzError::Recording(format!(
            "the device has no {} application the terminal accepts",
            flow.as_str()
        )));
    };
    if steps.is_empty() {
        return Err(FuzzError::Recording(format!("the {} flow recorded no command", flow.as_str())));
    }
    Ok(RecordedFlow { flow, steps, liveness_aid, atr })
}
