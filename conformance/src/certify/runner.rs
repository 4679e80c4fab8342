//! Runs suites against one device through any [`Transport`], on the terminal engine, and
//! records everything into a [`RunReport`].
//!
//! - Every case starts from a fresh field (field off, reset). Raw APDU steps go to the link as
//!   they are (a `61xx` or `6Cxx` is what the case sees); procedures run over the T=0 layer.
//! - A transport fault makes the case `error`; the runner then waits for the card to come back
//!   and goes on. A reader or service that is gone, or the stop flag (Ctrl-C), ends the run:
//!   the cases not run are `skipped` with the reason, and the report is complete for what ran.
//! - A case's criteria that never ran make it `inconclusive`, never `pass`.
//! - `repeat` runs each case N times: pass rate and latency percentiles per case.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tapcert_parsers::Finding;
use tapcert_parsers::apdu::{ResponseApdu, StatusWord};
use tapcert_parsers::render::{Mask, render_qr, render_tlv};
use tapcert_parsers::tlv::{Tag, TlvNode, decode_emv_tlv, encode_emv_tlv};

use super::dut::DutExpected;
use super::lab::{Hooks, NonInteractive, Operator, hook_failure, run_hook};
use super::report::{
    CaseResult, CaseRun, DutIdentity, ExchangeRecord, ExpectationResult, HookRecord, REPORT_SCHEMA_VERSION,
    ReaderIdentity, RepeatStats, RunReport, SuiteResult, Summary, Verdict,
};
use super::suite::{App, Case, DutValue, Expect, ProcedureKind, QrSource, Step, Suite};
use super::waiver::{Day, Waiver, WaiverStatus, waiver_for};
use crate::clock::{Clock, SeededRng};
use crate::mask::{masked_command_hex, masked_hex};
use crate::sim::CodeDisplay;
use crate::terminal::{
    Check, Exchange, Mac1, Observation, TerminalConfig, probe_emv_errors, purchase_transit, read_emv, read_ndef,
    read_transit, read_uid, verify_cpm_code,
};
use crate::transport::{CardPresence, T0, Transport, TransportError, TransportErrorKind};

/// How a run goes.
#[derive(Debug)]
pub struct RunOptions {
    /// Run id (report and folder name).
    pub run_id: String,
    /// The device.
    pub dut: DutIdentity,
    /// Applications the device carries; cases needing others are not applicable.
    pub apps: Vec<App>,
    /// Executions per case.
    pub repeat: usize,
    /// The terminal's configuration (data, keys, budgets).
    pub config: TerminalConfig,
    /// The payload of `--qr`, for the cases on a given payload.
    pub qr_input: Option<String>,
    /// The built-in band's payment-code display, for `band-cpm` steps.
    pub display: Option<CodeDisplay>,
    /// Longest a case may take (checked between steps).
    pub case_timeout: Duration,
    /// How long to wait for the card to come back after a transport fault.
    pub reconnect_timeout: Duration,
    /// Seed of the terminal's unpredictable numbers.
    pub seed: u64,
    /// How long the field stays off before each case (a card's power-down time).
    pub field_off_hold: Duration,
    /// Waived cases (not run, `skipped`); an expired waiver makes its cases `fail`.
    pub waivers: Vec<Waiver>,
    /// Commands run before a suite, before a case and after a fault (DUT profile `[hooks]`).
    pub hooks: Hooks,
    /// The person at the reader; `None`: nobody (prompts fail, notices go nowhere).
    pub operator: Option<Arc<dyn Operator>>,
    /// Values the device was personalised with (DUT profile `[expected]`).
    pub expected: DutExpected,
    /// How long a case's `prompt` waits for the person.
    pub prompt_timeout: Duration,
    /// With a reader the device is presented to (PC/SC): how long to wait for it before a
    /// case when it is not in the field, and after it was removed during a case. `None`: the
    /// device is always there (in-process).
    pub tap_timeout: Option<Duration>,
}

impl RunOptions {
    /// Defaults for a run id: every application, one execution, the default terminal.
    pub fn new(run_id: impl Into<String>) -> Self {
        RunOptions {
            run_id: run_id.into(),
            dut: DutIdentity::default(),
            apps: App::ALL.to_vec(),
            repeat: 1,
            config: TerminalConfig::default(),
            qr_input: None,
            display: None,
            case_timeout: Duration::from_secs(30),
            reconnect_timeout: Duration::from_secs(10),
            seed: 0x7A9C_0001,
            field_off_hold: Duration::from_millis(10),
            waivers: Vec::new(),
            hooks: Hooks::default(),
            operator: None,
            expected: DutExpected::default(),
            prompt_timeout: Duration::from_secs(120),
            tap_timeout: None,
        }
    }

    fn notify(&self, reader: &str, text: &str) {
        if let Some(op) = &self.operator {
            op.notify(reader, text);
        }
    }
}

/// What the runner tells its caller as it goes (for a progress bar or log lines).
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// A case is about to run: (index from 0, total cases, suite id, case id).
    Started(usize, usize, &'a str, &'a str),
    /// A case is done.
    Done(&'a CaseResult),
}

/// What one step produced.
#[derive(Debug, Default)]
struct StepOutcome {
    exchanges: Vec<ExchangeRecord>,
    findings: Vec<Finding>,
    answer: Option<(Vec<u8>, StatusWord)>,
    completed: Option<bool>,
    fields: BTreeMap<&'static str, Vec<u8>>,
    checks: BTreeMap<&'static str, bool>,
    qr_kind: Option<String>,
    fault: Option<TransportError>,
}

/// Runs `suites` against the device behind `t`.
pub fn run_suites(
    t: &mut dyn Transport,
    suites: &[Suite],
    opts: &mut RunOptions,
    clock: &dyn Clock,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> RunReport {
    let started = clock.now();
    let info = t.info();
    let mut reader = ReaderIdentity {
        name: info.name.clone(),
        kind: serde_json::to_value(info.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        protocol: info.protocol.clone(),
        ..ReaderIdentity::default()
    };
    let mut rng = SeededRng::new(opts.seed);
    let today = Day::from_unix(started);
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut interrupted: Option<String> = None;
    let mut index = 0;
    let mut results = Vec::new();
    for suite in suites {
        let mut cases = Vec::new();
        // Run before the first case of the suite that runs; its failure errs every case.
        let mut suite_hook: Option<Option<HookRecord>> = None;
        for case in &suite.cases {
            progress(Progress::Started(index, total, &suite.id, &case.id));
            index += 1;
            let result = if let Some(why) = &interrupted {
                not_run(case, Verdict::Skipped, format!("not run: {why}"))
            } else if stop.load(Ordering::Relaxed) {
                interrupted = Some("interrupted".into());
                not_run(case, Verdict::Skipped, "not run: the run was interrupted".into())
            } else if let Some(w) = waiver_for(&opts.waivers, &case.id, today) {
                let verdict = if let WaiverStatus::Expired(_) = w { Verdict::Fail } else { Verdict::Skipped };
                not_run(case, verdict, w.reason())
            } else if let Some(why) = not_applicable(case, opts) {
                not_run(case, Verdict::NotApplicable, why)
            } else if let Some(failed) = suite_hook
                .get_or_insert_with(|| {
                    let hook = opts.hooks.before_suite.clone()?;
                    let rec = run_hook("before-suite", &hook, &hook_env(opts, &reader.name, &suite.id, None, None));
                    (!rec.ok()).then_some(rec)
                })
                .clone()
            {
                let run = error_run(hook_failure(&failed), vec![failed]);
                case_result(case, vec![run], 1)
            } else {
                let mut runs = Vec::with_capacity(opts.repeat.max(1));
                for _ in 0..opts.repeat.max(1) {
                    let (run, gone) = run_case_attended(t, &suite.id, case, opts, clock, stop, &mut rng, &mut reader);
                    runs.push(run);
                    if let Some(why) = gone {
                        interrupted = Some(why);
                        break;
                    }
                    if stop.load(Ordering::Relaxed) {
                        interrupted = Some("interrupted".into());
                        break;
                    }
                }
                case_result(case, runs, opts.repeat.max(1))
            };
            progress(Progress::Done(&result));
            cases.push(result);
        }
        results.push(SuiteResult {
            id: suite.id.clone(),
            version: suite.version.clone(),
            title: suite.title.clone(),
            sha256: suite.sha256.clone(),
            cases,
        });
    }
    let elapsed = clock.now().saturating_sub(started);
    RunReport {
        schema: REPORT_SCHEMA_VERSION,
        run_id: opts.run_id.clone(),
        tapcert_version: env!("CARGO_PKG_VERSION").to_string(),
        started_unix_ms: u64::try_from(started.as_millis()).unwrap_or(u64::MAX),
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        dut: opts.dut.clone(),
        reader,
        repeat: opts.repeat.max(1),
        summary: Summary::of(&results),
        suites: results,
        interrupted,
        keys: opts.config.keys.kcvs(),
        readers: Vec::new(),
        matrix: Vec::new(),
    }
}

fn not_applicable(case: &Case, opts: &RunOptions) -> Option<String> {
    if let Some(app) = case.apps.iter().find(|a| !opts.apps.contains(a)) {
        let name = serde_json::to_value(app).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        return Some(format!("the device has no {name} application"));
    }
    let values: Vec<DutValue> = case.steps.iter().flat_map(|s| s.expect.dut.iter().copied()).collect();
    if !values.is_empty() && values.iter().all(|v| dut_value(*v, &opts.expected).is_none()) {
        let names: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
        return Some(format!("the DUT profile states no expected {}", names.join(", ")));
    }
    let needs_input = case.steps.iter().any(|s| s.qr == Some(QrSource::Input));
    if needs_input && opts.qr_input.is_none() {
        return Some("no payload given (--qr)".into());
    }
    let needs_display = case.steps.iter().any(|s| s.qr == Some(QrSource::BandCpm));
    if needs_display && opts.display.is_none() {
        return Some("the device's payment code is not available to the runner (give it with --qr)".into());
    }
    None
}

fn not_run(case: &Case, verdict: Verdict, reason: String) -> CaseResult {
    CaseResult {
        id: case.id.clone(),
        title: case.title.clone(),
        requirements: case.requirements.clone(),
        verdict,
        reason: Some(reason),
        runs: Vec::new(),
        stats: None,
        reader: None,
    }
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Fail => 5,
        Verdict::Error => 4,
        Verdict::Inconclusive => 3,
        Verdict::Skipped => 2,
        Verdict::NotApplicable => 1,
        Verdict::Pass => 0,
    }
}

fn case_result(case: &Case, runs: Vec<CaseRun>, repeat: usize) -> CaseResult {
    let worst = runs.iter().max_by_key(|r| rank(r.verdict));
    let verdict = worst.map_or(Verdict::Skipped, |r| r.verdict);
    let reason = worst.and_then(|r| r.reason.clone());
    let stats = (repeat > 1).then(|| {
        let mut lat: Vec<u64> = runs.iter().flat_map(|r| r.exchanges.iter().map(|e| e.latency_us)).collect();
        lat.sort_unstable();
        let pct = |p: u32| super::digest::percentile(&lat, p);
        let passed = runs.iter().filter(|r| r.verdict == Verdict::Pass).count();
        RepeatStats {
            runs: runs.len(),
            passed,
            pass_rate: if runs.is_empty() { 0.0 } else { passed as f64 / runs.len() as f64 },
            latency_p50_us: pct(50),
            latency_p95_us: pct(95),
            latency_max_us: lat.last().copied().unwrap_or(0),
        }
    });
    CaseResult {
        id: case.id.clone(),
        title: case.title.clone(),
        requirements: case.requirements.clone(),
        verdict,
        reason,
        runs,
        stats,
        reader: None,
    }
}

/// The environment a hook sees.
fn hook_env(
    opts: &RunOptions,
    reader: &str,
    suite: &str,
    case: Option<&Case>,
    fault: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("TAPCERT_RUN_ID", opts.run_id.clone()),
        ("TAPCERT_READER", reader.to_string()),
        ("TAPCERT_DUT_MODEL", opts.dut.model.clone()),
        ("TAPCERT_FIRMWARE", opts.dut.firmware.clone()),
        ("TAPCERT_SUITE", suite.to_string()),
    ];
    if let Some(c) = case {
        env.push(("TAPCERT_CASE", c.id.clone()));
        env.push(("TAPCERT_CASE_TITLE", c.title.clone()));
    }
    if let Some(f) = fault {
        env.push(("TAPCERT_FAULT", f.to_string()));
    }
    env
}

/// An execution that never reached the device: `error` with `reason`.
fn error_run(reason: String, hooks: Vec<HookRecord>) -> CaseRun {
    CaseRun {
        verdict: Verdict::Error,
        reason: Some(reason),
        expectations: Vec::new(),
        findings: Vec::new(),
        exchanges: Vec::new(),
        duration_us: 0,
        hooks,
    }
}

/// With a reader the device is presented to: if it is not in the field, says so and waits
/// for it up to the tap timeout. Links that cannot tell presence go on.
fn await_device(t: &mut dyn Transport, opts: &RunOptions, reader: &str) -> Result<(), TransportError> {
    let Some(timeout) = opts.tap_timeout else { return Ok(()) };
    match t.presence() {
        Ok(CardPresence::Present) | Err(TransportError::PresenceUnknown) => Ok(()),
        Ok(CardPresence::Absent) => {
            opts.notify(reader, &format!("present the device to {reader} (waiting {} s)", timeout.as_secs()));
            match t.wait_for(CardPresence::Present, timeout) {
                Ok(()) | Err(TransportError::PresenceUnknown) => Ok(()),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// One execution with the lab around it: the case's prompt, the before-case hook, the device
/// presented (tap), the case, one retry when the device was removed during it, and the
/// after-fault hook. The second value says the run must end.
///
/// The rule for a removed device: the case is retried once after the device is back; if it
/// does not come back within the tap timeout, the case is `error` ("device removed") and the
/// run stops there (the cases left are `skipped`), as it does when the reader is gone.
#[allow(clippy::too_many_arguments)]
fn run_case_attended(
    t: &mut dyn Transport,
    suite: &str,
    case: &Case,
    opts: &mut RunOptions,
    clock: &dyn Clock,
    stop: &AtomicBool,
    rng: &mut SeededRng,
    reader: &mut ReaderIdentity,
) -> (CaseRun, Option<String>) {
    let name = reader.name.clone();
    let mut hooks = Vec::new();
    if let Some(text) = &case.prompt {
        let quiet = NonInteractive::quiet();
        let op: &dyn Operator = opts.operator.as_deref().unwrap_or(&quiet);
        if let Err(e) = op.prompt(&name, text, opts.prompt_timeout) {
            return (error_run(e.to_string(), hooks), None);
        }
    }
    if let Some(hook) = opts.hooks.before_case.clone() {
        let rec = run_hook("before-case", &hook, &hook_env(opts, &name, suite, Some(case), None));
        let ok = rec.ok();
        hooks.push(rec);
        if !ok {
            let reason = hook_failure(hooks.last().expect("pushed"));
            return (error_run(reason, hooks), None);
        }
    }
    let removed = |e: TransportError| {
        let why = format!("device removed: not presented again to {name} ({e})");
        (format!("{why}; the run stops"), why)
    };
    let (mut run, mut gone, card_gone) = match await_device(t, opts, &name) {
        Ok(()) => run_case(t, case, opts, clock, stop, rng, reader),
        Err(e) => {
            let (gone, why) = removed(e);
            (error_run(why, Vec::new()), Some(gone), false)
        }
    };
    // The card went away during the case and it did not pass: the removal is the likely cause
    // (a procedure cut short by it may show as an unmet `completed` as well as an error).
    let removed_during = opts.tap_timeout.is_some() && gone.is_none() && card_gone && run.verdict != Verdict::Pass;
    if removed_during {
        match await_device(t, opts, &name) {
            Ok(()) => {
                let first = run.reason.clone().unwrap_or_default();
                (run, gone, _) = run_case(t, case, opts, clock, stop, rng, reader);
                let note = format!("retried: the device was removed during the first attempt ({first})");
                run.reason = Some(run.reason.map_or(note.clone(), |r| format!("{r}; {note}")));
            }
            Err(e) => {
                let (g, why) = removed(e);
                run.reason = Some(format!("{why}; {}", run.reason.unwrap_or_default()));
                gone = Some(g);
            }
        }
    }
    if run.verdict == Verdict::Error
        && let Some(hook) = opts.hooks.after_fault.clone()
    {
        let env = hook_env(opts, &name, suite, Some(case), run.reason.as_deref());
        hooks.push(run_hook("after-fault", &hook, &env));
    }
    hooks.append(&mut run.hooks);
    run.hooks = hooks;
    (run, gone)
}

/// A fault that ends the run rather than the case.
fn reader_gone(e: &TransportError) -> bool {
    matches!(e, TransportError::NoReader { .. } | TransportError::NoService { .. })
}

/// Brings the card back after a fault: wait for it, then reset.
fn reconnect(t: &mut dyn Transport, timeout: Duration) -> Result<(), TransportError> {
    match t.wait_for(CardPresence::Present, timeout) {
        Ok(()) | Err(TransportError::PresenceUnknown) => t.reset().map(|_| ()),
        Err(e) => Err(e),
    }
}

/// One execution of a case; the second value says the run must end (reader gone), the third
/// that the card went away during it.
fn run_case(
    t: &mut dyn Transport,
    case: &Case,
    opts: &mut RunOptions,
    clock: &dyn Clock,
    stop: &AtomicBool,
    rng: &mut SeededRng,
    reader: &mut ReaderIdentity,
) -> (CaseRun, Option<String>, bool) {
    let mut removed = false;
    let started = clock.now();
    let mut run = CaseRun {
        verdict: Verdict::Pass,
        reason: None,
        expectations: Vec::new(),
        findings: Vec::new(),
        exchanges: Vec::new(),
        duration_us: 0,
        hooks: Vec::new(),
    };
    let mut captures: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut fault: Option<String> = None;
    let mut gone = None;
    // A fresh field for every case.
    let _ = t.field_off(opts.field_off_hold);
    match t
        .reset()
        .or_else(|e| if reader_gone(&e) { Err(e) } else { reconnect(t, opts.reconnect_timeout).map(|_| t.reset())? })
    {
        Ok(atr) => {
            if reader.atr.is_none() {
                reader.atr = Some(hex::encode_upper(atr.as_bytes()));
            }
        }
        Err(e) => {
            if reader_gone(&e) {
                gone = Some(format!("reader gone: {e}"));
            }
            fault = Some(format!("reset: {e}"));
        }
    }
    for (i, step) in case.steps.iter().enumerate() {
        let timed_out = clock.now().saturating_sub(started) > opts.case_timeout;
        if fault.is_some() || stop.load(Ordering::Relaxed) || timed_out {
            if timed_out && fault.is_none() {
                fault = Some(format!("the case ran past its {} s timeout", opts.case_timeout.as_secs()));
            }
            unevaluated(&mut run, i, step, "the step did not run");
            continue;
        }
        let outcome = run_step(t, step, i, opts, clock, rng, &captures);
        for cap in &step.capture {
            let value = match (&cap.field, &cap.tlv) {
                (Some(f), _) if f == "data" => outcome.answer.as_ref().map(|(d, _)| d.clone()),
                (Some(f), _) => outcome.fields.get(f.as_str()).cloned(),
                (None, Some(path)) => outcome.answer.as_ref().and_then(|(d, _)| tlv_value(d, path)),
                (None, None) => None,
            };
            if let Some(v) = value {
                captures.insert(cap.name.clone(), v);
            }
        }
        evaluate(&mut run, i, step, &outcome, &captures);
        evaluate_dut(&mut run, i, step, &outcome, &opts.expected);
        run.exchanges.extend(outcome.exchanges);
        run.findings.extend(outcome.findings);
        if let Some(e) = outcome.fault {
            removed |= e.is_card_gone();
            let msg = format!("step {i}: {e}");
            if reader_gone(&e) {
                gone = Some(format!("reader gone: {e}"));
            } else if e.is_card_gone() && opts.tap_timeout.is_some() {
                // A device the person presents: the attended run asks for it again and waits
                // (`run_case_attended`), rather than waiting here in silence.
            } else if e.kind() != TransportErrorKind::Fault || e.is_card_gone() {
                let _ = reconnect(t, opts.reconnect_timeout);
            }
            fault = Some(msg);
        }
    }
    run.duration_us = u64::try_from(clock.now().saturating_sub(started).as_micros()).unwrap_or(u64::MAX);
    let failed = run.expectations.iter().find(|e| e.met == Some(false));
    (run.verdict, run.reason) = match (failed, &fault) {
        (Some(e), _) => (Verdict::Fail, Some(format!("expected {}, observed {}", e.expected, e.observed))),
        (None, Some(f)) => (Verdict::Error, Some(f.clone())),
        (None, None) => match run.expectations.iter().find(|e| e.met.is_none()) {
            Some(e) => (Verdict::Inconclusive, Some(format!("not evaluated: {} ({})", e.expected, e.observed))),
            None if run.expectations.is_empty() => (Verdict::Inconclusive, Some("no criterion was evaluated".into())),
            None => (Verdict::Pass, None),
        },
    };
    (run, gone, removed)
}

fn unevaluated(run: &mut CaseRun, i: usize, step: &Step, why: &str) {
    for expected in describe(&step.expect) {
        run.expectations.push(ExpectationResult { step: i, expected, observed: why.into(), met: None });
    }
}

/// Replaces `${name}` by the capture's hex; `None` when a capture is missing.
fn substitute(text: &str, captures: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}')? + i;
        out.push_str(&hex::encode_upper(captures.get(&rest[i + 2..end])?));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out.replace(' ', ""))
}

/// The command bytes of an APDU step.
fn step_command(step: &Step, captures: &BTreeMap<String, Vec<u8>>) -> Option<Vec<u8>> {
    if let Some(apdu) = &step.apdu {
        return hex::decode(substitute(apdu, captures)?).ok();
    }
    let mut cmd = hex::decode(substitute(step.command.as_deref()?, captures)?).ok()?;
    if let Some(data) = &step.data {
        let data = hex::decode(substitute(data, captures)?).ok()?;
        cmd.push(u8::try_from(data.len()).ok()?);
        cmd.extend_from_slice(&data);
    }
    if let Some(le) = &step.le {
        cmd.extend(hex::decode(substitute(le, captures)?).ok()?);
    }
    Some(cmd)
}

pub(crate) fn record(
    step: usize,
    label: String,
    command: &[u8],
    response: Option<&[u8]>,
    latency: Duration,
) -> ExchangeRecord {
    let answer = response.and_then(|r| ResponseApdu::from_bytes(r).ok());
    let sw = answer.as_ref().map(|a| a.sw.to_string());
    let tlv = answer
        .filter(|a| !a.data.is_empty())
        .and_then(|a| render_tlv(a.data, Mask::Masked).ok())
        .and_then(|rendered| rendered.json.get("tlv").cloned());
    ExchangeRecord {
        step,
        label,
        command: masked_command_hex(command),
        response: response.map(masked_hex),
        sw,
        latency_us: u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        tlv,
    }
}

fn from_observation<T>(out: &mut StepOutcome, i: usize, obs: &Observation<T>) {
    out.exchanges.extend(
        obs.exchanges
            .iter()
            .map(|e: &Exchange| record(i, e.step.to_string(), &e.command, e.response.as_deref(), e.latency)),
    );
    out.findings.extend(obs.findings.iter().cloned());
    out.completed = Some(obs.completed);
}

fn run_step(
    t: &mut dyn Transport,
    step: &Step,
    i: usize,
    opts: &mut RunOptions,
    clock: &dyn Clock,
    rng: &mut SeededRng,
    captures: &BTreeMap<String, Vec<u8>>,
) -> StepOutcome {
    let mut out = StepOutcome::default();
    if step.reset {
        if let Err(e) = t.reset() {
            out.fault = Some(e);
        }
        return out;
    }
    if let Some(ms) = step.field_off_ms {
        if let Err(e) = t.field_off(Duration::from_millis(ms)) {
            out.fault = Some(e);
        }
        return out;
    }
    if step.apdu.is_some() || step.command.is_some() {
        let Some(cmd) = step_command(step, captures) else { return out };
        let t0 = clock.now();
        let r = t.transmit(&cmd);
        let latency = clock.now().saturating_sub(t0);
        match r {
            Ok(resp) => {
                let bytes = resp.as_bytes();
                out.exchanges.push(record(i, "command".into(), &cmd, Some(bytes), latency));
                if let Some(sw) = resp.sw() {
                    out.answer = Some((resp.data().to_vec(), StatusWord(sw)));
                }
            }
            Err(e) => {
                out.exchanges.push(record(i, "command".into(), &cmd, None, latency));
                out.fault = Some(e);
            }
        }
        return out;
    }
    if let Some(source) = step.qr {
        let text = match source {
            QrSource::Input => opts.qr_input.clone(),
            QrSource::BandCpm => opts.display.as_mut().and_then(CodeDisplay::next_code),
        };
        let Some(text) = text else { return out };
        match render_qr(&text, None, Mask::Masked) {
            Ok(r) => {
                out.qr_kind = r.json.get("kind").and_then(|k| k.as_str()).map(str::to_string);
                out.findings = r.findings;
            }
            Err(e) => out.findings.push(Finding::new(
                "QR.DECODE",
                tapcert_parsers::Severity::Error,
                tapcert_parsers::Location::whole(),
                e.to_string(),
            )),
        }
        if out.qr_kind.as_deref() == Some("emvco-cpm") {
            let check = verify_cpm_code(&text, &opts.config.keys);
            out.checks.insert("cryptogram", check.cryptogram.is_verified());
            if let Some(atc) = check.atc {
                out.fields.insert("atc", atc.to_be_bytes().to_vec());
            }
        }
        return out;
    }
    let Some(kind) = step.procedure else { return out };
    let mut link = T0::new(&mut *t);
    let config = &opts.config;
    let amount = step.amount.unwrap_or(100);
    match kind {
        ProcedureKind::Emv | ProcedureKind::EmvNoCda => {
            let no_cda;
            let config = if kind == ProcedureKind::EmvNoCda {
                no_cda = TerminalConfig { request_cda: false, ..config.clone() };
                &no_cda
            } else {
                config
            };
            let obs = read_emv(&mut link, config, rng, clock);
            from_observation(&mut out, i, &obs);
            let r = &obs.result;
            let mut put = |name: &'static str, v: Option<Vec<u8>>| {
                if let Some(v) = v {
                    out.fields.insert(name, v);
                }
            };
            put("aid", r.aid.clone());
            put("atc", r.atc.map(|a| a.to_be_bytes().to_vec()));
            put("cid", r.cid.map(|c| vec![c]));
            put("cryptogram", r.cryptogram.map(|c| c.to_vec()));
            put("cdol1-data", (!r.cdol1_data.is_empty()).then(|| r.cdol1_data.clone()));
            put(
                "pdol-template",
                r.gpo.as_ref().map(|_| {
                    let mut t = Vec::new();
                    encode_emv_tlv(Tag(0x83), &r.pdol_data, &mut t);
                    t
                }),
            );
            out.checks.insert("cryptogram", r.cryptogram_check.as_ref().is_some_and(Check::is_verified));
            out.checks.insert("oda", r.oda.as_ref().is_some_and(|(_, c)| c.is_verified()));
            out.fault = obs.fault.map(|f| f.error);
        }
        ProcedureKind::EmvErrors => {
            let obs = probe_emv_errors(&mut link, config, clock);
            from_observation(&mut out, i, &obs);
            out.fault = obs.fault.map(|f| f.error);
        }
        ProcedureKind::TransitRead => {
            let obs = read_transit(&mut link, config, clock);
            from_observation(&mut out, i, &obs);
            if let Some(b) = obs.result.balance {
                out.fields.insert("balance", b.to_be_bytes().to_vec());
            }
            out.fields.insert("log-len", vec![obs.result.log.len() as u8]);
            out.fault = obs.fault.map(|f| f.error);
        }
        ProcedureKind::Purchase | ProcedureKind::PurchaseBadMac1 => {
            let mac1 = if kind == ProcedureKind::Purchase { Mac1::Valid } else { Mac1::Corrupted };
            let obs = purchase_transit(&mut link, config, amount, mac1, clock);
            from_observation(&mut out, i, &obs);
            let r = &obs.result;
            if let Some(b) = r.balance_after {
                out.fields.insert("balance-after", b.to_be_bytes().to_vec());
            }
            out.checks.insert("mac2", r.mac2.as_ref().is_some_and(Check::is_verified));
            out.checks.insert("tac", r.tac.as_ref().is_some_and(Check::is_verified));
            out.fault = obs.fault.map(|f| f.error);
        }
        ProcedureKind::Ndef => {
            let obs = read_ndef(&mut link, clock);
            from_observation(&mut out, i, &obs);
            if obs.completed {
                out.fields.insert("ndef-message", obs.result.message.clone());
            }
            out.fault = obs.fault.map(|f| f.error);
        }
        ProcedureKind::Uid => {
            let obs = read_uid(&mut link, clock);
            from_observation(&mut out, i, &obs);
            if let Some(uid) = obs.result.uid.clone() {
                out.fields.insert("uid", uid);
            }
            out.fault = obs.fault.map(|f| f.error);
        }
    }
    out
}

/// The value at a dot path of tags (`6F.A5.9F38`) in BER-TLV data.
fn tlv_value(data: &[u8], path: &str) -> Option<Vec<u8>> {
    let nodes = decode_emv_tlv(data).ok()?;
    let mut level: &[TlvNode<'_>] = &nodes;
    let mut found: Option<&TlvNode<'_>> = None;
    for seg in path.split('.') {
        let tag = u32::from_str_radix(seg, 16).ok()?;
        let node = level.iter().find(|n| n.tlv.tag == Tag(tag))?;
        level = &node.children;
        found = Some(node);
    }
    found.map(|n| n.tlv.value.to_vec())
}

/// Whether `bytes` match a hex mask with `X` wildcard nibbles.
fn matches_mask(bytes: &[u8], mask: &str) -> bool {
    let mask: Vec<char> = mask.chars().filter(|c| !c.is_whitespace()).collect();
    let have = hex::encode_upper(bytes);
    have.len() == mask.len()
        && have.chars().zip(&mask).all(|(h, m)| m.eq_ignore_ascii_case(&'X') || h.eq_ignore_ascii_case(m))
}

/// Each criterion of an expectation, in words (also for those that never ran).
fn describe(e: &Expect) -> Vec<String> {
    let mut out = Vec::new();
    if !e.sw.is_empty() {
        out.push(format!("SW in ({})", e.sw.join(", ")));
    }
    if let Some(d) = &e.data {
        out.push(format!("data = {d}"));
    }
    if let Some(l) = e.len {
        out.push(format!("data length in {}..={}", l.min.unwrap_or(0), l.max.map_or("".into(), |m| m.to_string())));
    }
    for t in &e.tlv {
        out.push(match (&t.present, &t.equals, &t.matches) {
            (_, Some(v), _) => format!("{} = {v}", t.path),
            (_, _, Some(m)) => format!("{} matches {m}", t.path),
            (Some(false), ..) => format!("{} absent", t.path),
            _ => format!("{} present", t.path),
        });
    }
    for r in &e.absent {
        out.push(format!("no finding {r}"));
    }
    for r in &e.present {
        out.push(format!("a finding {r}"));
    }
    if let Some(c) = e.completed {
        out.push(if c { "the procedure completes".into() } else { "the procedure stops early".into() });
    }
    for v in &e.verified {
        out.push(format!("{v} verifies"));
    }
    if let Some(ms) = e.latency_ms {
        out.push(format!("every answer within {ms} ms"));
    }
    if let Some(c) = &e.compare {
        out.push(format!("{} {} {}", c.field, c.op, c.capture));
    }
    if let Some(k) = &e.qr_kind {
        out.push(format!("QR kind {k}"));
    }
    out
}

/// The declared value of a DUT profile, as the step's field bytes and as people read it.
fn dut_value(v: DutValue, expected: &DutExpected) -> Option<(Vec<u8>, String)> {
    match v {
        DutValue::Balance => expected.balance.map(|b| (b.to_be_bytes().to_vec(), b.to_string())),
        DutValue::NdefMessage => expected.ndef_message.as_deref().and_then(|m| {
            let bytes = hex::decode(m).ok()?;
            let text = hex::encode_upper(&bytes);
            Some((bytes, text))
        }),
    }
}

/// The step's `dut` expectations: what it read against the DUT profile's `[expected]`.
fn evaluate_dut(run: &mut CaseRun, i: usize, step: &Step, out: &StepOutcome, expected: &DutExpected) {
    for &v in &step.expect.dut {
        let Some((want, want_text)) = dut_value(v, expected) else { continue };
        let (field, observed) = match v {
            DutValue::Balance => {
                let have = out.fields.get("balance");
                let text = have
                    .and_then(|b| <[u8; 4]>::try_from(b.as_slice()).ok())
                    .map(|b| u32::from_be_bytes(b).to_string());
                (have, text)
            }
            DutValue::NdefMessage => {
                let have = out.fields.get("ndef-message");
                (have, have.map(hex::encode_upper))
            }
        };
        run.expectations.push(ExpectationResult {
            step: i,
            expected: format!("{} = {want_text} (DUT profile)", v.as_str()),
            observed: observed.unwrap_or_else(|| "not read".into()),
            met: field.map(|have| *have == want),
        });
    }
}

fn evaluate(run: &mut CaseRun, i: usize, step: &Step, out: &StepOutcome, captures: &BTreeMap<String, Vec<u8>>) {
    let e = &step.expect;
    let mut push = |expected: String, observed: String, met: Option<bool>| {
        run.expectations.push(ExpectationResult { step: i, expected, observed, met });
    };
    let not_seen = "no answer".to_string();
    let answer = out.answer.as_ref();
    if !e.sw.is_empty() {
        let expected = format!("SW in ({})", e.sw.join(", "));
        match answer {
            Some((_, sw)) => {
                let have = sw.to_string();
                let ok = e.sw.iter().any(|p| matches_mask(&sw.to_bytes(), p));
                push(expected, have, Some(ok));
            }
            None => push(expected, not_seen.clone(), None),
        }
    }
    if let Some(d) = &e.data {
        let expected = format!("data = {d}");
        match (answer, substitute(d, captures)) {
            (Some((data, _)), Some(mask)) => push(expected, masked_hex(data), Some(matches_mask(data, &mask))),
            _ => push(expected, not_seen.clone(), None),
        }
    }
    if let Some(l) = e.len {
        let expected =
            format!("data length in {}..={}", l.min.unwrap_or(0), l.max.map_or("".into(), |m| m.to_string()));
        match answer {
            Some((data, _)) => {
                let n = data.len();
                push(
                    expected,
                    format!("{n} bytes"),
                    Some(l.min.is_none_or(|m| n >= m) && l.max.is_none_or(|m| n <= m)),
                );
            }
            None => push(expected, not_seen.clone(), None),
        }
    }
    for t in &e.tlv {
        let Some((data, _)) = answer else {
            push(format!("{} in the response", t.path), not_seen.clone(), None);
            continue;
        };
        let value = tlv_value(data, &t.path);
        let observed = value.as_deref().map_or_else(|| "absent".to_string(), masked_hex);
        match (&t.present, &t.equals, &t.matches) {
            (_, Some(v), _) => match substitute(v, captures) {
                Some(want) => {
                    let ok = value.as_deref().is_some_and(|have| hex::encode_upper(have) == want.to_ascii_uppercase());
                    push(format!("{} = {want}", t.path), observed, Some(ok));
                }
                None => push(format!("{} = {v}", t.path), "capture missing".into(), None),
            },
            (_, _, Some(m)) => {
                let ok = value.as_deref().is_some_and(|have| matches_mask(have, m));
                push(format!("{} matches {m}", t.path), observed, Some(ok));
            }
            (Some(false), ..) => push(format!("{} absent", t.path), observed, Some(value.is_none())),
            _ => push(format!("{} present", t.path), observed, Some(value.is_some())),
        }
    }
    let procedure_ran =
        out.completed.is_some() || out.qr_kind.is_some() || step.qr.is_some() && !out.findings.is_empty();
    let findings_text = |rule: &str| {
        let hits: Vec<String> = out.findings.iter().filter(|f| f.matches(rule)).map(|f| f.to_string()).collect();
        if hits.is_empty() { "none".to_string() } else { hits.join("; ") }
    };
    for r in &e.absent {
        let hit = out.findings.iter().any(|f| f.matches(r) && f.is_violation());
        let met = procedure_ran.then_some(!hit);
        push(
            format!("no finding {r}"),
            if procedure_ran { findings_text(r) } else { "the step did not run".into() },
            met,
        );
    }
    for r in &e.present {
        let hit = out.findings.iter().any(|f| f.matches(r));
        push(format!("a finding {r}"), findings_text(r), procedure_ran.then_some(hit));
    }
    if let Some(c) = e.completed {
        let observed = match out.completed {
            Some(true) => "completed".to_string(),
            Some(false) => {
                let why = out.findings.iter().find(|f| f.is_violation()).map(|f| f.to_string());
                format!("stopped early: {}", why.unwrap_or_else(|| "transport fault".into()))
            }
            None => "the procedure did not run".to_string(),
        };
        let met = out.completed.map(|done| done == c);
        push(if c { "the procedure completes".into() } else { "the procedure stops early".into() }, observed, met);
    }
    for v in &e.verified {
        let checked = out.checks.get(v.as_str()).copied();
        let observed = match checked {
            Some(true) => "verified".to_string(),
            Some(false) => {
                let why = out.findings.iter().find(|f| f.is_violation()).map(|f| f.to_string());
                format!("not verified: {}", why.unwrap_or_else(|| "no check was possible".into()))
            }
            None => "not checked".to_string(),
        };
        push(format!("{v} verifies"), observed, checked);
    }
    if let Some(ms) = e.latency_ms {
        let max = out.exchanges.iter().map(|x| x.latency_us).max();
        let label = out.exchanges.iter().max_by_key(|x| x.latency_us).map(|x| x.label.clone()).unwrap_or_default();
        match max {
            Some(us) => push(
                format!("every answer within {ms} ms"),
                format!("{label}: {} ms", us / 1000),
                Some(us <= ms * 1000),
            ),
            None => push(format!("every answer within {ms} ms"), "no exchange".into(), None),
        }
    }
    if let Some(c) = &e.compare {
        let expected = format!("{} {} {}", c.field, c.op, c.capture);
        match (out.fields.get(c.field.as_str()), captures.get(&c.capture)) {
            (Some(have), Some(then)) => {
                let ord = (have.len(), have).cmp(&(then.len(), then));
                let ok = match c.op.as_str() {
                    "eq" => ord.is_eq(),
                    "ne" => ord.is_ne(),
                    "gt" => ord.is_gt(),
                    _ => ord.is_lt(),
                };
                push(expected, format!("{} then {}", hex::encode_upper(then), hex::encode_upper(have)), Some(ok));
            }
            _ => push(expected, "a value is missing".into(), None),
        }
    }
    if let Some(k) = &e.qr_kind {
        match &out.qr_kind {
            Some(have) => push(format!("QR kind {k}"), have.clone(), Some(have == k)),
            None => {
                push(format!("QR kind {k}"), findings_text("QR"), if step.qr.is_some() { Some(false) } else { None })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_paths() {
        assert!(matches_mask(&[0x61, 0x10], "61XX") && !matches_mask(&[0x62, 0x10], "61XX"));
        assert!(!matches_mask(&[0x61], "61XX"));
        let fci = hex::decode("6F0A8408A000000632010105").unwrap();
        assert_eq!(tlv_value(&fci, "6F.84").unwrap(), hex::decode("A000000632010105").unwrap());
        assert_eq!(tlv_value(&fci, "6F.A5"), None);
        let mut caps = BTreeMap::new();
        caps.insert("aid".to_string(), vec![0xA0, 0x01]);
        assert_eq!(substitute("00A4 0400 ${aid}", &caps).as_deref(), Some("00A40400A001"));
        assert_eq!(substitute("${nope}", &caps), None);
        let step = Step {
            command: Some("00A40400".into()),
            data: Some("${aid}".into()),
            le: Some("00".into()),
            ..Step::default()
        };
        assert_eq!(step_command(&step, &caps).unwrap(), [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x01, 0x00]);
    }
}
