//! The run: cases one after the other, the oracles after each, recovery after a crash, and the
//! feedback that weights the operators.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tapcert_parsers::apdu::{Cla, CommandApduBuf, Ins, ResponseApdu};
use tapcert_parsers::tlv::{Tag, decode_emv_tlv};

use super::flow::{Flow, RecordedFlow, record_flow};
use super::mutation::{FuzzCase, Operator, generate_case, schedule_draw};
use super::oracle::{Anomaly, FindingKind, Signature};
use super::{FuzzError, FuzzOptions, Limit};
use crate::clock::Clock;
use crate::terminal::read_transit;
use crate::transport::{CardPresence, ReaderInfo, T0, Transport, TransportError};

/// Most signatures remembered (beyond it nothing is novel any more).
const MAX_SIGNATURES: usize = 1 << 20;
/// Operator weights move within these bounds.
const MIN_WEIGHT: f64 = 0.05;
const MAX_WEIGHT: f64 = 8.0;
/// Candidate indices tried per case asked for, at most (skips: thresholds, scheduler, safety).
const CANDIDATES_PER_CASE: u64 = 64;
/// Most reset attempts of one reconnect (each after a wait for the card and a settle time).
const MAX_RECONNECT_ATTEMPTS: usize = 200;
/// Hard bound on the candidate index of a `--duration` run.
const MAX_CANDIDATES: u64 = 1 << 40;

/// What an exchange of a case was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A flow step replayed as recorded.
    Prefix,
    /// The mutated step.
    Mutated,
    /// The liveness check.
    Liveness,
    /// Reading the balance or ATC after the case.
    State,
}

/// One exchange of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseExchange {
    /// What it was for.
    pub role: Role,
    /// The step's name.
    pub label: String,
    /// The command sent.
    pub command: Vec<u8>,
    /// The answer, if one came.
    pub response: Option<Vec<u8>>,
    /// The transport error, if none came.
    pub error: Option<String>,
    /// Time to the answer (or to the error), on the run's clock.
    pub latency: Duration,
}

/// The value a flow must not change behind the terminal's back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateValue {
    /// The EMV application transaction counter (`9F36`).
    Atc(u16),
    /// The e-purse balance.
    Balance(u32),
}

/// Everything one case did and showed.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The case.
    pub case: FuzzCase,
    /// The mutated step's name.
    pub step_label: String,
    /// Every exchange, in order.
    pub exchanges: Vec<CaseExchange>,
    /// Per prefix step: whether it answered the recorded status word again.
    pub prefix_stable: Vec<bool>,
    /// The first anomaly seen, if any.
    pub anomaly: Option<Anomaly>,
    /// State before and after, when the flow keeps one and both could be read.
    pub state: Option<(StateValue, StateValue)>,
}

/// A deduplicated finding: the first case that showed it, and how many did.
#[derive(Debug, Clone)]
pub struct FuzzFinding {
    /// What kind.
    pub kind: FindingKind,
    /// The first case index that showed it.
    pub case: u64,
    /// The mutated step's name.
    pub step: String,
    /// What was seen.
    pub detail: String,
    /// How many cases showed it.
    pub hits: u64,
    /// Cases run when it was first seen (that case included): the cases it took to find it.
    pub after_cases: u64,
    /// The first case in full (the reproducer is built from it).
    pub outcome: CaseOutcome,
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct FuzzRun {
    /// The flow as recorded.
    pub flow: RecordedFlow,
    /// The reader.
    pub reader: ReaderInfo,
    /// Cases executed.
    pub cases: u64,
    /// Candidate indices looked at (executed or skipped).
    pub candidates: u64,
    /// Findings, in the order first seen.
    pub findings: Vec<FuzzFinding>,
    /// Why the run ended before its limit, if it did.
    pub stopped: Option<String>,
    /// Distinct response signatures seen.
    pub signatures: usize,
    /// Final operator weights, in [`Operator::ALL`] order.
    pub weights: Vec<f64>,
    /// Clock time at the start.
    pub started: Duration,
    /// Clock time the run took.
    pub elapsed: Duration,
}

impl FuzzRun {
    /// 0 when nothing was found, 1 when something was.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.findings.is_empty())
    }
}

/// What the run reports as it goes.
#[derive(Debug, Clone, Copy)]
pub enum FuzzProgress<'a> {
    /// The flow is recorded: its steps.
    Recorded(&'a RecordedFlow),
    /// A case ran: (cases run, findings so far, the outcome).
    Case(u64, usize, &'a CaseOutcome),
    /// A new finding.
    Finding(&'a FuzzFinding),
    /// The device was recovered after a crash, with this action.
    Recovered(&'a str),
}

fn select(aid: &[u8]) -> Vec<u8> {
    CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x04, 0x00)
        .with_data(aid.to_vec())
        .with_ne(256)
        .encode()
        .unwrap_or_default()
}

/// `GET DATA` of the ATC (`80 CA 9F 36 00`).
pub(crate) fn get_atc() -> Vec<u8> {
    CommandApduBuf::new(Cla(0x80), Ins(0xCA), 0x9F, 0x36).with_ne(256).encode().unwrap_or_default()
}

/// The running state of a run.
struct Runner<'a> {
    t: &'a mut dyn Transport,
    opts: &'a FuzzOptions,
    clock: &'a dyn Clock,
    flow: RecordedFlow,
    state_cache: Option<StateValue>,
}

impl Runner<'_> {
    fn send(
        &mut self,
        role: Role,
        label: &str,
        command: &[u8],
        out: &mut Vec<CaseExchange>,
    ) -> Result<Vec<u8>, TransportError> {
        let t0 = self.clock.now();
        let r = self.t.transmit(command);
        let latency = self.clock.now().saturating_sub(t0);
        let (response, error) = match &r {
            Ok(resp) => (Some(resp.as_bytes().to_vec()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        out.push(CaseExchange { role, label: label.to_string(), command: command.to_vec(), response, error, latency });
        r.map(|resp| resp.0)
    }

    /// SELECT of the flow's application: `Ok(true)` when it answered `9000`.
    fn liveness(&mut self, out: &mut Vec<CaseExchange>) -> Result<bool, TransportError> {
        let cmd = select(&self.flow.liveness_aid);
        let r = self.send(Role::Liveness, "liveness SELECT", &cmd, out)?;
        Ok(r.ends_with(&[0x90, 0x00]))
    }

    /// Reads the flow's state with the card freshly selected by the liveness check (EMV), or
    /// with the engine's e-purse read (transit).
    fn read_state(&mut self, out: &mut Vec<CaseExchange>) -> Option<StateValue> {
        match self.flow.flow {
            Flow::Ndef => None,
            Flow::Emv => {
                let r = self.send(Role::State, "GET DATA ATC", &get_atc(), out).ok()?;
                if !r.ends_with(&[0x90, 0x00]) {
                    return None;
                }
                let nodes = decode_emv_tlv(&r[..r.len() - 2]).ok()?;
                let v = nodes.iter().find(|n| n.tlv.tag == Tag(0x9F36))?.tlv.value;
                Some(StateValue::Atc(u16::from_be_bytes(v.try_into().ok()?)))
            }
            Flow::Transit => {
                let obs = read_transit(&mut T0::new(&mut *self.t), &self.opts.config, self.clock);
                for e in &obs.exchanges {
                    out.push(CaseExchange {
                        role: Role::State,
                        label: format!("state: {}", e.step),
                        command: e.command.clone(),
                        response: e.response.clone(),
                        error: None,
                        latency: e.latency,
                    });
                }
                obs.result.balance.map(StateValue::Balance)
            }
        }
    }

    /// The state before a case: the last one read, or a fresh read.
    fn state_before(&mut self) -> Option<StateValue> {
        if self.flow.flow == Flow::Ndef {
            return None;
        }
        if self.state_cache.is_none() {
            let mut scratch = Vec::new();
            if self.t.reset().is_ok() && matches!(self.liveness(&mut scratch), Ok(true)) {
                self.state_cache = self.read_state(&mut scratch);
            }
        }
        self.state_cache
    }

    fn execute(&mut self, case: &FuzzCase) -> CaseOutcome {
        let before = self.state_before();
        let step_label = self.flow.steps[case.step].label();
        let mut out = Vec::new();
        let mut prefix_stable = Vec::new();
        let outcome = |exchanges, prefix_stable, anomaly, state| CaseOutcome {
            case: case.clone(),
            step_label: step_label.clone(),
            exchanges,
            prefix_stable,
            anomaly,
            state,
        };
        let anomaly = |kind: FindingKind, detail: String, key: String| Some(Anomaly { kind, detail, key });
        if let Err(e) = self.t.reset() {
            self.state_cache = None;
            let a = anomaly(FindingKind::of_error(&e), format!("reset before the case: {e}"), "reset".into());
            return outcome(out, prefix_stable, a, None);
        }
        for i in 0..case.step {
            let s = self.flow.steps[i].clone();
            match self.send(Role::Prefix, &s.label(), &s.command, &mut out) {
                Ok(r) => {
                    let sw = (r.len() >= 2).then(|| u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]]));
                    prefix_stable.push(sw == s.sw);
                }
                Err(e) => {
                    self.state_cache = None;
                    let detail = format!("the unmutated {} got no answer: {e}", s.label());
                    return outcome(
                        out,
                        prefix_stable,
                        anomaly(FindingKind::of_error(&e), detail, "prefix".into()),
                        None,
                    );
                }
            }
        }
        let label = format!("{} ({})", step_label, case.operator.as_str());
        let mut found = match self.send(Role::Mutated, &label, &case.command, &mut out) {
            Err(e) => {
                self.state_cache = None;
                let detail = format!("no answer to the mutated {step_label}: {e}");
                return outcome(out, prefix_stable, anomaly(FindingKind::of_error(&e), detail, String::new()), None);
            }
            Ok(r) => self.judge(case, &r, out.last().map_or(Duration::ZERO, |x| x.latency)),
        };
        match self.liveness(&mut out) {
            Err(e) => {
                self.state_cache = None;
                let detail = format!("the liveness SELECT after the mutated {step_label} got no answer: {e}");
                return outcome(
                    out,
                    prefix_stable,
                    found.or(anomaly(FindingKind::of_error(&e), detail, "liveness".into())),
                    None,
                );
            }
            Ok(false) => {
                self.state_cache = None;
                let sw = out.last().and_then(|x| x.response.as_deref()).map(sw_text).unwrap_or_default();
                let detail = format!("the liveness SELECT after the mutated {step_label} answered {sw}, not 9000");
                found = found.or(anomaly(FindingKind::UnexpectedSw, detail, format!("liveness {sw}")));
                return outcome(out, prefix_stable, found, None);
            }
            Ok(true) => {}
        }
        let after = self.read_state(&mut out);
        self.state_cache = after;
        let state = before.zip(after);
        if found.is_none()
            && let Some((b, a)) = state
            && b != a
            && !self.state_may_change(&out)
        {
            let detail = match (b, a) {
                (StateValue::Atc(b), StateValue::Atc(a)) => {
                    format!("the ATC went from {b:04X} to {a:04X} though no GPO was accepted")
                }
                (StateValue::Balance(b), StateValue::Balance(a)) => {
                    format!("the balance went from {b} to {a} though no debit was accepted")
                }
                _ => "the state changed kind".into(),
            };
            found = anomaly(FindingKind::State, detail, String::new());
        }
        outcome(out, prefix_stable, found, state)
    }

    /// Whether an accepted command of the case may move the state: a GPO (ATC) or a DEBIT
    /// (balance) answered `9000`.
    fn state_may_change(&self, out: &[CaseExchange]) -> bool {
        let ins = if self.flow.flow == Flow::Emv { 0xA8 } else { 0x54 };
        out.iter().filter(|x| matches!(x.role, Role::Prefix | Role::Mutated)).any(|x| {
            x.command.get(1) == Some(&ins) && x.response.as_deref().is_some_and(|r| r.ends_with(&[0x90, 0x00]))
        })
    }

    /// The oracles on the answer to the mutated command.
    fn judge(&self, case: &FuzzCase, r: &[u8], latency: Duration) -> Option<Anomaly> {
        let step = self.flow.steps[case.step].label();
        if r.len() < 2 {
            let detail = format!("the mutated {step} was answered {} byte(s), no status word", r.len());
            return Some(Anomaly { kind: FindingKind::Unparsable, detail, key: "no-sw".into() });
        }
        let sw = u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]]);
        if !case.expect.allows(sw) {
            let detail = format!(
                "the mutated {step} ({}) was answered {sw:04X}; allowed: {}",
                case.operator.as_str(),
                if case.expect == super::Expect::Refusal { "a refusal (64xx-6Exx)" } else { "61xx-6Exx, 9xxx" }
            );
            return Some(Anomaly { kind: FindingKind::UnexpectedSw, detail, key: format!("{sw:04X}") });
        }
        let data = &r[..r.len() - 2];
        if sw == 0x9000 && !data.is_empty() && self.flow.flow.response_must_be_tlv(&case.command) {
            if let Err(e) = decode_emv_tlv(data) {
                let detail = format!("the answer to the mutated {step} is not BER-TLV: {e}");
                return Some(Anomaly { kind: FindingKind::Unparsable, detail, key: String::new() });
            }
        }
        if latency > self.opts.latency_budget {
            let detail = format!(
                "the mutated {step} was answered after {} ms, the budget is {} ms",
                latency.as_millis(),
                self.opts.latency_budget.as_millis()
            );
            return Some(Anomaly { kind: FindingKind::Latency, detail, key: String::new() });
        }
        None
    }

    /// Brings the device back: field off and on, then a wait for the card, then the user's
    /// hook; each followed by a reset and the liveness check. `Some(action)` when it is back.
    fn recover(&mut self) -> Option<&'static str> {
        let r = &self.opts.recovery;
        let mut scratch = Vec::new();
        let _ = self.t.field_off(r.field_off);
        self.clock.sleep(r.settle);
        if self.t.reset().is_ok() && matches!(self.liveness(&mut scratch), Ok(true)) {
            return Some("field off/on");
        }
        // A reader notices a card that left and came back only at its next poll (pcscd: about
        // 400 ms): wait for the card and retry until the reconnect timeout has passed on the
        // clock. A link that cannot tell presence goes on to the reset anyway.
        let deadline = self.clock.now().saturating_add(r.reconnect_timeout);
        for _ in 0..MAX_RECONNECT_ATTEMPTS {
            let left = deadline.saturating_sub(self.clock.now());
            let _ = self.t.wait_for(CardPresence::Present, left);
            if self.t.reset().is_ok() && matches!(self.liveness(&mut scratch), Ok(true)) {
                return Some("reconnect");
            }
            if self.clock.now() >= deadline {
                break;
            }
            self.clock.sleep(r.settle.max(Duration::from_millis(10)));
        }
        let hook = r.on_fault.as_deref()?;
        run_hook(hook, r.hook_timeout);
        self.clock.sleep(r.settle);
        let _ = self.t.wait_for(CardPresence::Present, r.reconnect_timeout);
        (self.t.reset().is_ok() && matches!(self.liveness(&mut scratch), Ok(true))).then_some("on-fault hook")
    }
}

fn sw_text(r: &[u8]) -> String {
    match ResponseApdu::from_bytes(r) {
        Ok(a) => a.sw.to_string(),
        Err(_) => format!("{} byte(s)", r.len()),
    }
}

/// Runs the `--on-fault` command through `sh -c`, killed if it outlives `timeout` (real time:
/// it is an outside process).
fn run_hook(command: &str, timeout: Duration) {
    let Ok(mut child) = std::process::Command::new("sh").arg("-c").arg(command).spawn() else { return };
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) if std::time::Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Records the flow against the device behind `t`, then runs the cases `opts` asks for.
///
/// Every loop is bounded: the candidate indices (by [`Limit`] and a multiple of it), the
/// recovery attempts, the hook's run time. A device that does not come back ends the run
/// (`stopped`), with what was found so far.
pub fn run_fuzz(
    t: &mut dyn Transport,
    opts: &FuzzOptions,
    clock: &dyn Clock,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(FuzzProgress<'_>),
) -> Result<FuzzRun, FuzzError> {
    let started = clock.now();
    let flow = record_flow(t, opts.flow, &opts.config, opts.allow_destructive, opts.seed, clock)?;
    progress(FuzzProgress::Recorded(&flow));
    let reader = t.info();
    let mut runner = Runner { t, opts, clock, flow: flow.clone(), state_cache: None };
    let mut weights = vec![1.0f64; Operator::ALL.len()];
    let mut signatures = HashSet::new();
    let mut findings: Vec<FuzzFinding> = Vec::new();
    let mut index_of: BTreeMap<(FindingKind, String, String), usize> = BTreeMap::new();
    let mut step_crashes = vec![0usize; flow.steps.len()];
    let mut field_crashes: BTreeMap<(usize, Operator), usize> = BTreeMap::new();
    let (mut cases, mut candidates, mut stopped) = (0u64, 0u64, None);
    let indices: Box<dyn Iterator<Item = u64>> = match (opts.only_case, opts.limit) {
        (Some(k), _) => Box::new(std::iter::once(k)),
        (None, Limit::Cases(n)) => Box::new(0..n.saturating_mul(CANDIDATES_PER_CASE).saturating_add(1024)),
        (None, Limit::Duration(_)) => Box::new(0..MAX_CANDIDATES),
    };
    for k in indices {
        let done = match opts.limit {
            Limit::Cases(n) => cases >= n,
            Limit::Duration(d) => clock.now().saturating_sub(started) >= d,
        };
        if (done && opts.only_case.is_none()) || stop.load(Ordering::Relaxed) {
            break;
        }
        candidates += 1;
        let Some(case) = generate_case(&flow, opts.seed, k, opts.allow_destructive) else {
            if opts.only_case.is_some() {
                return Err(FuzzError::NoSuchCase(k));
            }
            continue;
        };
        if opts.only_case.is_none() {
            let field = field_crashes.get(&(case.step, case.operator)).copied().unwrap_or(0);
            if step_crashes[case.step] >= opts.step_crash_limit || field >= opts.field_crash_limit {
                continue;
            }
            let top = weights.iter().copied().fold(MIN_WEIGHT, f64::max);
            if schedule_draw(opts.seed, k) >= weights[case.operator.index()] / top {
                continue;
            }
        }
        let outcome = runner.execute(&case);
        cases += 1;
        let mutated = outcome.exchanges.iter().find(|x| x.role == Role::Mutated);
        if let Some(x) = mutated {
            let answer = x.response.as_deref().ok_or(&TransportError::Unresponsive);
            let sig = Signature::of(case.step, answer, x.latency);
            let w = &mut weights[case.operator.index()];
            if signatures.len() < MAX_SIGNATURES && signatures.insert(sig) {
                *w = (*w + 1.0).min(MAX_WEIGHT);
            } else {
                *w = (*w * 0.98).max(MIN_WEIGHT);
            }
        }
        let crashed = outcome.anomaly.as_ref().is_some_and(|a| a.kind.is_crash() || a.key.starts_with("liveness"));
        if let Some(a) = &outcome.anomaly {
            let key = (a.kind, outcome.step_label.clone(), a.key.clone());
            match index_of.get(&key) {
                Some(&i) => findings[i].hits += 1,
                None => {
                    index_of.insert(key, findings.len());
                    findings.push(FuzzFinding {
                        kind: a.kind,
                        case: case.index,
                        step: outcome.step_label.clone(),
                        detail: a.detail.clone(),
                        hits: 1,
                        after_cases: cases,
                        outcome: outcome.clone(),
                    });
                    if let Some(f) = findings.last() {
                        progress(FuzzProgress::Finding(f));
                    }
                }
            }
        }
        progress(FuzzProgress::Case(cases, findings.len(), &outcome));
        if crashed {
            step_crashes[case.step] += 1;
            *field_crashes.entry((case.step, case.operator)).or_default() += 1;
            match runner.recover() {
                Some(action) => progress(FuzzProgress::Recovered(action)),
                None => {
                    stopped = Some(format!("the device did not come back after case {}", case.index));
                    break;
                }
            }
        }
    }
    if stopped.is_none() && stop.load(Ordering::Relaxed) {
        stopped = Some("interrupted".into());
    }
    Ok(FuzzRun {
        flow,
        reader,
        cases,
        candidates,
        findings,
        stopped,
        signatures: signatures.len(),
        weights,
        started,
        elapsed: clock.now().saturating_sub(started),
    })
}
