//! What a procedure observed: every exchange with its latency, the findings, and how it ended.

use std::fmt;
use std::time::Duration;

use tapcert_parsers::Finding;
use tapcert_parsers::apdu::{CommandApduBuf, ResponseApdu, StatusWord};

use super::rules::Rule;

use crate::clock::Clock;
use crate::transport::{RawAtr, Transport, TransportError};

/// A step of a terminal procedure: where an exchange, a finding or a fault happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Card reset (ATR).
    Reset,
    /// SELECT of the PPSE.
    SelectPpse,
    /// SELECT of a payment application.
    SelectApplication,
    /// GET PROCESSING OPTIONS.
    GetProcessingOptions,
    /// READ RECORD of an AFL record.
    ReadRecord {
        /// Short file identifier.
        sfi: u8,
        /// Record number.
        record: u8,
    },
    /// INTERNAL AUTHENTICATE (DDA).
    InternalAuthenticate,
    /// GENERATE AC.
    GenerateAc,
    /// SELECT of the e-purse application.
    SelectPurse,
    /// GET BALANCE.
    GetBalance,
    /// READ BINARY of the card information file.
    ReadCardInfo,
    /// READ RECORD of the transaction log.
    ReadLog {
        /// Record number.
        record: u8,
    },
    /// INITIALIZE FOR PURCHASE.
    InitializeForPurchase,
    /// DEBIT FOR PURCHASE.
    DebitForPurchase,
    /// SELECT of the NDEF tag application.
    SelectNdefApplication,
    /// SELECT of the capability container file.
    SelectCc,
    /// READ BINARY of the capability container.
    ReadCc,
    /// SELECT of the NDEF file.
    SelectNdefFile,
    /// READ BINARY of the NDEF file.
    ReadNdef {
        /// Offset read from.
        offset: u16,
    },
    /// GET DATA of the UID (PC/SC pseudo-APDU).
    GetUid,
    /// A raw command of a suite or fuzzer.
    Command,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Reset => f.write_str("RESET"),
            Step::SelectPpse => f.write_str("SELECT PPSE"),
            Step::SelectApplication => f.write_str("SELECT application"),
            Step::GetProcessingOptions => f.write_str("GET PROCESSING OPTIONS"),
            Step::ReadRecord { sfi, record } => write!(f, "READ RECORD SFI {sfi} #{record}"),
            Step::InternalAuthenticate => f.write_str("INTERNAL AUTHENTICATE"),
            Step::GenerateAc => f.write_str("GENERATE AC"),
            Step::SelectPurse => f.write_str("SELECT e-purse"),
            Step::GetBalance => f.write_str("GET BALANCE"),
            Step::ReadCardInfo => f.write_str("READ BINARY card information"),
            Step::ReadLog { record } => write!(f, "READ RECORD log #{record}"),
            Step::InitializeForPurchase => f.write_str("INITIALIZE FOR PURCHASE"),
            Step::DebitForPurchase => f.write_str("DEBIT FOR PURCHASE"),
            Step::SelectNdefApplication => f.write_str("SELECT NDEF application"),
            Step::SelectCc => f.write_str("SELECT CC file"),
            Step::ReadCc => f.write_str("READ BINARY CC file"),
            Step::SelectNdefFile => f.write_str("SELECT NDEF file"),
            Step::ReadNdef { offset } => write!(f, "READ BINARY NDEF file at {offset}"),
            Step::GetUid => f.write_str("GET DATA UID"),
            Step::Command => f.write_str("command"),
        }
    }
}

/// One command and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The step it belonged to.
    pub step: Step,
    /// The C-APDU sent.
    pub command: Vec<u8>,
    /// The R-APDU (data and SW); `None` when the transport delivered none.
    pub response: Option<Vec<u8>>,
    /// Time from sending to the answer, from the injected clock.
    pub latency: Duration,
}

impl Exchange {
    /// The status word, when the response has one.
    pub fn sw(&self) -> Option<StatusWord> {
        self.answer().map(|r| r.sw)
    }

    /// The response data (without the status word).
    pub fn data(&self) -> &[u8] {
        self.answer().map_or(&[], |r| r.data)
    }

    /// The response split by the parsers' R-APDU view.
    fn answer(&self) -> Option<ResponseApdu<'_>> {
        ResponseApdu::from_bytes(self.response.as_deref()?).ok()
    }
}

/// A transport fault that ended a procedure: not a verdict on the card.
#[derive(Debug)]
pub struct TransportFault {
    /// The step in progress.
    pub step: Step,
    /// What the transport said.
    pub error: TransportError,
}

impl fmt::Display for TransportFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.error)
    }
}

/// What a procedure observed.
///
/// A procedure goes on as far as the card allows: a non-conformance is a [`Finding`] and the
/// procedure continues where the specification lets a terminal continue; it stops early only
/// where a terminal must (then `completed` is false and a finding says why), or on a transport
/// fault (`fault`), which is never a finding.
#[derive(Debug)]
pub struct Observation<T> {
    /// The ATR of the reset the procedure started with.
    pub atr: Option<RawAtr>,
    /// Every exchange, in order.
    pub exchanges: Vec<Exchange>,
    /// Every finding, in the order found.
    pub findings: Vec<Finding>,
    /// What the procedure read, as far as it got.
    pub result: T,
    /// Whether the procedure reached its end.
    pub completed: bool,
    /// The transport fault that ended it, if one did.
    pub fault: Option<TransportFault>,
}

impl<T> Observation<T> {
    /// Whether a finding with this rule (or under it) was made.
    pub fn has(&self, rule: &str) -> bool {
        self.findings.iter().any(|f| f.matches(rule))
    }

    /// The findings that break a rule (warning or error).
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_violation())
    }

    /// Completed, no transport fault and no violation.
    pub fn is_clean(&self) -> bool {
        self.completed && self.fault.is_none() && self.violations().next().is_none()
    }
}

/// A status word and the data before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

/// Why a step could not go on.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The transport failed (recorded as the observation's fault).
    Transport,
    /// The card's answer ends the procedure (a finding says why).
    Card,
}

/// The running state of one procedure: the link, the clock, and what was seen so far.
pub(crate) struct Session<'t> {
    t: &'t mut dyn Transport,
    clock: &'t dyn Clock,
    pub exchanges: Vec<Exchange>,
    pub findings: Vec<Finding>,
    pub fault: Option<TransportFault>,
    pub atr: Option<RawAtr>,
    /// Latency above which an exchange is a finding.
    pub budget: Option<Duration>,
}

impl<'t> Session<'t> {
    pub(crate) fn new(t: &'t mut dyn Transport, clock: &'t dyn Clock) -> Self {
        Session { t, clock, exchanges: Vec::new(), findings: Vec::new(), fault: None, atr: None, budget: None }
    }

    pub(crate) fn finish<T>(self, result: T, completed: bool) -> Observation<T> {
        Observation {
            atr: self.atr,
            exchanges: self.exchanges,
            findings: self.findings,
            result,
            completed: completed && self.fault.is_none(),
            fault: self.fault,
        }
    }

    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    pub(crate) fn reset(&mut self) -> Result<(), Halt> {
        match self.t.reset() {
            Ok(atr) => {
                self.atr = Some(atr);
                Ok(())
            }
            Err(error) => {
                self.fault = Some(TransportFault { step: Step::Reset, error });
                Err(Halt::Transport)
            }
        }
    }

    pub(crate) fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Sends an encoded command; a transport fault is recorded and ends the procedure, an
    /// answer without a status word is a finding that ends the step.
    pub(crate) fn send_raw(&mut self, step: Step, command: Vec<u8>) -> Result<Answer, Halt> {
        let t0 = self.clock.now();
        let r = self.t.transmit(&command);
        let latency = self.clock.now().saturating_sub(t0);
        if let Some(budget) = self.budget
            && latency > budget
        {
            let msg = format!("answered after {} ms, the budget is {} ms", latency.as_millis(), budget.as_millis());
            self.findings.push(super::rules::finding(super::rules::APDU_LATENCY, step, msg));
        }
        match r {
            Ok(resp) => {
                let bytes = resp.as_bytes().to_vec();
                let ex = Exchange { step, command, response: Some(bytes), latency };
                let answer = ex.sw().map(|sw| Answer { data: ex.data().to_vec(), sw });
                let len = resp.as_bytes().len();
                self.exchanges.push(ex);
                answer.ok_or_else(|| {
                    self.findings.push(super::rules::finding(
                        super::rules::APDU_NO_SW,
                        step,
                        format!("the answer has {len} byte(s), no status word"),
                    ));
                    Halt::Card
                })
            }
            Err(error) => {
                self.exchanges.push(Exchange { step, command, response: None, latency });
                self.fault = Some(TransportFault { step, error });
                Err(Halt::Transport)
            }
        }
    }

    /// Sends a command built with the parsers' encoder.
    pub(crate) fn send(&mut self, step: Step, command: &CommandApduBuf) -> Result<Answer, Halt> {
        match command.encode() {
            Ok(bytes) => self.send_raw(step, bytes),
            Err(e) => {
                // The terminal itself could not build the command: a data object the card asked
                // for does not fit. That is the card's doing (its DOL), reported as such.
                self.findings.push(super::rules::finding(
                    super::rules::TERMINAL_COMMAND,
                    step,
                    format!("the command cannot be encoded: {e}"),
                ));
                Err(Halt::Card)
            }
        }
    }

    /// [`Session::send`] that expects `9000`; any other status word is a finding under `rule`
    /// and ends the step.
    pub(crate) fn send_ok(&mut self, step: Step, command: &CommandApduBuf, rule: Rule) -> Result<Vec<u8>, Halt> {
        let a = self.send(step, command)?;
        if a.sw != StatusWord::OK {
            self.findings.push(super::rules::finding(rule, step, format!("answered {}, expected 9000", a.sw)));
            return Err(Halt::Card);
        }
        Ok(a.data)
    }
}
