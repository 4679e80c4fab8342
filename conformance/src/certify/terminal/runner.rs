//! Runs a terminal suite: for each case, each transaction, a fresh [`ImageCard`] of the case's
//! image is presented to the terminal under test ([`TerminalUnderTest`]), and the criteria are
//! evaluated on what the card recorded. The report is the one [`RunReport`] of `certify`.

use std::io::{BufRead, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tapcert_parsers::Finding;

use super::criteria::{
    CriterionResult, Status, evaluate_transaction, evaluate_unpredictable_numbers, unpredictable_number,
};
use super::exchange::{SeenExchange, kind_of};
use super::rules;
use super::suite::{TerminalCase, TerminalSuite};
use crate::card::{Card, CardReply};
use crate::certify::report::{
    CaseResult, CaseRun, DutIdentity, ExpectationResult, REPORT_SCHEMA_VERSION, ReaderIdentity, RunReport, SuiteResult,
    Summary, Verdict,
};
use crate::certify::runner::{Progress, record};
use crate::clock::{Clock, ManualClock, SeededRng, SystemClock};
use crate::image::{CardImage, ImageCard, ImageError, ImageLog, bundled_image, load_image};
use crate::terminal::{TerminalConfig, read_emv, terminal_link};
use crate::transcript::EventKind;
use crate::transport::InProcess;
use crate::transport::vpcd::{DEFAULT_REMOVAL_HOLD, VpcdEvent, VpcdOptions, VpcdServer, control};

/// The card images bundled with the terminal suite (`conformance/images/terminal/`), each a
/// base image plus differences; cases name them `terminal/<name>`.
pub const TERMINAL_IMAGES: &[(&str, &str)] = &[
    ("ppse-6a81", include_str!("../../../images/terminal/ppse-6a81.toml")),
    ("ppse-empty", include_str!("../../../images/terminal/ppse-empty.toml")),
    ("ppse-unknown-aid-first", include_str!("../../../images/terminal/ppse-unknown-aid-first.toml")),
    ("ppse-61xx", include_str!("../../../images/terminal/ppse-61xx.toml")),
    ("select-61xx", include_str!("../../../images/terminal/select-61xx.toml")),
    ("gpo-61xx", include_str!("../../../images/terminal/gpo-61xx.toml")),
    ("generate-ac-61xx", include_str!("../../../images/terminal/generate-ac-61xx.toml")),
    ("gpo-6cxx", include_str!("../../../images/terminal/gpo-6cxx.toml")),
    ("pdol-absent", include_str!("../../../images/terminal/pdol-absent.toml")),
    ("pdol-short-amount", include_str!("../../../images/terminal/pdol-short-amount.toml")),
    ("pdol-long-numeric", include_str!("../../../images/terminal/pdol-long-numeric.toml")),
    ("pdol-long-binary", include_str!("../../../images/terminal/pdol-long-binary.toml")),
    ("pdol-date-time", include_str!("../../../images/terminal/pdol-date-time.toml")),
    ("pdol-odd-lengths", include_str!("../../../images/terminal/pdol-odd-lengths.toml")),
    ("cdol-several-tags", include_str!("../../../images/terminal/cdol-several-tags.toml")),
    ("cdol-unknown-tag", include_str!("../../../images/terminal/cdol-unknown-tag.toml")),
    ("cdol-odd-lengths", include_str!("../../../images/terminal/cdol-odd-lengths.toml")),
    ("afl-range", include_str!("../../../images/terminal/afl-range.toml")),
    ("afl-oda-records", include_str!("../../../images/terminal/afl-oda-records.toml")),
    ("gpo-6984", include_str!("../../../images/terminal/gpo-6984.toml")),
    ("generate-ac-format1", include_str!("../../../images/terminal/generate-ac-format1.toml")),
    ("generate-ac-6985", include_str!("../../../images/terminal/generate-ac-6985.toml")),
    ("slow-within-budget", include_str!("../../../images/terminal/slow-within-budget.toml")),
    ("offline-approvable", include_str!("../../../images/terminal/offline-approvable.toml")),
    ("floor-limit-online", include_str!("../../../images/terminal/floor-limit-online.toml")),
    ("iac-denial-service", include_str!("../../../images/terminal/iac-denial-service.toml")),
    ("expired-application", include_str!("../../../images/terminal/expired-application.toml")),
    ("tc-to-aac", include_str!("../../../images/terminal/tc-to-aac.toml")),
    ("mute-on-select", include_str!("../../../images/terminal/mute-on-select.toml")),
];

/// The image a case names: a bundled image, `terminal/<name>`, or a file.
pub fn resolve_image(name: &str) -> Result<CardImage, ImageError> {
    if let Some(short) = name.strip_prefix("terminal/")
        && let Some((_, text)) = TERMINAL_IMAGES.iter().find(|(n, _)| *n == short)
    {
        return CardImage::from_toml(text, name);
    }
    match bundled_image(name) {
        Err(_) if Path::new(name).is_file() => load_image(Path::new(name)),
        found => found,
    }
}

/// What one transaction left: what the card saw, and why it could not be judged if so.
#[derive(Debug)]
pub struct Tap {
    /// The card's record.
    pub log: ImageLog,
    /// An environment fault (the terminal could not be launched, never came): not a verdict on
    /// the terminal.
    pub fault: Option<String>,
}

/// A terminal under test: something that transacts with a card image once per call.
pub trait TerminalUnderTest {
    /// The reader the report names.
    fn reader(&self) -> ReaderIdentity;
    /// Presents `card` to the terminal, configured for `case`, for one transaction.
    fn tap(&mut self, card: ImageCard, case: &TerminalCase, run: usize) -> Tap;
    /// The clock card delays and the case durations are measured on.
    fn clock(&self) -> Arc<dyn Clock>;
}

/// The reference terminal ([`read_emv`] over [`terminal_link`]) in-process, on an injected
/// clock, with unpredictable numbers from a seeded generator.
#[derive(Debug)]
pub struct ReferenceTerminal {
    /// The configuration; each case sets its amounts, currency, country and type on a copy.
    pub config: TerminalConfig,
    rng: SeededRng,
    clock: ManualClock,
}

impl ReferenceTerminal {
    /// The reference terminal with `config` (planted faults included), numbers from `seed`.
    pub fn new(config: TerminalConfig, seed: u64, clock: ManualClock) -> Self {
        ReferenceTerminal { config, rng: SeededRng::new(seed), clock }
    }

    /// The reference terminal as the DUT of a run: its firmware is `reference`, or the
    /// planted faults' names joined with `+`.
    pub fn identity(&self) -> DutIdentity {
        let names: Vec<&str> = self.config.faults.iter().map(|f| f.name()).collect();
        let firmware = if names.is_empty() { "reference".to_string() } else { names.join("+") };
        DutIdentity { model: "tapcert reference terminal".into(), firmware, ..DutIdentity::default() }
    }
}

/// An external terminal (behind vpcd) as the DUT of a run, until the flags name it.
pub fn external_terminal_identity() -> DutIdentity {
    DutIdentity { model: "unnamed terminal".into(), firmware: "unknown".into(), ..DutIdentity::default() }
}

/// `config` set up for the transaction `case` describes.
pub fn config_for(config: &TerminalConfig, case: &TerminalCase) -> TerminalConfig {
    let e = case.expect();
    TerminalConfig {
        amount_authorised: e.amount,
        amount_other: e.amount_other,
        currency_code: e.currency,
        country_code: e.country,
        transaction_type: e.transaction_type,
        floor_limit: e.floor_limit,
        tac_denial: e.tac_denial,
        tac_online: e.tac_online,
        tac_default: e.tac_default,
        online_capable: e.online_capable,
        ..config.clone()
    }
}

impl TerminalUnderTest for ReferenceTerminal {
    fn reader(&self) -> ReaderIdentity {
        ReaderIdentity { name: "in-process".into(), kind: "in-process".into(), ..ReaderIdentity::default() }
    }

    fn tap(&mut self, card: ImageCard, case: &TerminalCase, _run: usize) -> Tap {
        let log = card.log();
        let config = config_for(&self.config, case);
        let mut link = terminal_link(InProcess::with_clock(card, Arc::new(self.clock.clone())), &config);
        // A transport fault here is the card's doing (mute): the criteria judge what followed.
        let _ = read_emv(&mut link, &config, &mut self.rng, &self.clock);
        Tap { log, fault: None }
    }

    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(self.clock.clone())
    }
}

/// Any PC/SC terminal software: each image is served through vpcd (the card is inserted in the
/// virtual reader), the terminal is launched with a command or the operator is asked to run a
/// transaction, and the card is removed when it is done.
#[derive(Debug, Clone)]
pub struct VpcdTerminal {
    /// vpcd address (`127.0.0.1:35963`).
    pub addr: String,
    /// The reader pcscd shows for that vpcd slot, for the report.
    pub reader_name: String,
    /// Shell command run per transaction (placeholders in [`expand_command`]); `None`: prompt.
    pub command: Option<String>,
    /// Longest one transaction may take (the command is killed after it).
    pub timeout: Duration,
    /// How to ask the operator to run a transaction (then Enter on stdin ends it), when there
    /// is no command; `None` (stdin is not a terminal): nobody to ask, the case is an error.
    pub prompt: Option<fn(&str)>,
    /// Where the command's stdout and stderr go (appended, one header line per transaction);
    /// `None`: discarded.
    pub command_log: Option<std::path::PathBuf>,
}

/// The command for one transaction: `{amount}`, `{amount_other}`, `{currency}`, `{country}`,
/// `{type}`, `{case}`, `{run}` and `{reader}` replaced by the case's values.
pub fn expand_command(template: &str, case: &TerminalCase, run: usize, reader: &str) -> String {
    let e = case.expect();
    template
        .replace("{amount}", &e.amount.to_string())
        .replace("{amount_other}", &e.amount_other.to_string())
        .replace("{currency}", &hex::encode_upper(e.currency))
        .replace("{country}", &hex::encode_upper(e.country))
        .replace("{type}", &format!("{:02X}", e.transaction_type))
        .replace("{floor_limit}", &e.floor_limit.to_string())
        .replace("{tac_denial}", &hex::encode_upper(e.tac_denial))
        .replace("{tac_online}", &hex::encode_upper(e.tac_online))
        .replace("{tac_default}", &hex::encode_upper(e.tac_default))
        .replace("{online_capable}", &e.online_capable.to_string())
        .replace("{case}", &case.id)
        .replace("{run}", &run.to_string())
        .replace("{reader}", reader)
}

impl VpcdTerminal {
    fn run_terminal(&self, case: &TerminalCase, run: usize) -> Result<(), String> {
        let Some(template) = &self.command else {
            let Some(prompt) = self.prompt else {
                return Err("no --terminal-command and stdin is not a terminal: nobody to run the transaction".into());
            };
            let e = case.expect();
            prompt(&format!(
                "case {} transaction {}/{}: run a transaction of {} (currency {}, type {:02X}) on {} now, then press Enter",
                case.id,
                run + 1,
                case.repeat,
                e.amount,
                hex::encode_upper(e.currency),
                e.transaction_type,
                self.reader_name
            ));
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
                let _ = tx.send(());
            });
            return rx.recv_timeout(self.timeout).map_err(|_| format!("no answer within {:?}", self.timeout));
        };
        let cmd = expand_command(template, case, run, &self.reader_name);
        let (stdout, stderr) = match &self.command_log {
            Some(path) => {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("terminal log {}: {e}", path.display()))?;
                let _ = writeln!(f, "== {} transaction {}: {cmd}", case.id, run + 1);
                let err = f.try_clone().map_err(|e| format!("terminal log {}: {e}", path.display()))?;
                (Stdio::from(f), Stdio::from(err))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("launching {cmd:?}: {e}"))?;
        let deadline = Instant::now() + self.timeout;
        loop {
            match child.try_wait() {
                // Its exit status is the terminal's business; the criteria judge what it sent.
                Ok(Some(_)) => return Ok(()),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{cmd:?} still running after {:?}: killed", self.timeout));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(format!("waiting for {cmd:?}: {e}")),
            }
        }
    }
}

impl TerminalUnderTest for VpcdTerminal {
    fn reader(&self) -> ReaderIdentity {
        ReaderIdentity { name: self.reader_name.clone(), kind: "vpcd".into(), ..ReaderIdentity::default() }
    }

    fn tap(&mut self, card: ImageCard, case: &TerminalCase, run: usize) -> Tap {
        let log = card.log();
        // A short poll: the card leaves the reader within 10 ms of the transaction's end.
        let options = VpcdOptions {
            addr: self.addr.clone(),
            reconnect: false,
            poll: Duration::from_millis(10),
            ..VpcdOptions::default()
        };
        let mut server = VpcdServer::new(card, options);
        let stop = server.stop_handle();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let serving = std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            server.run(&mut |e| {
                // pcscd has seen the card once it powers it or asks for its ATR.
                if let VpcdEvent::Control(control::POWER_ON | control::GET_ATR | control::RESET) = e
                    && let Some(tx) = ready.take()
                {
                    let _ = tx.send(());
                }
            })
        });
        let fault = match ready_rx.recv_timeout(self.timeout) {
            Ok(()) => self.run_terminal(case, run).err(),
            Err(_) => Some(format!("pcscd did not take the card at {} within {:?}", self.addr, self.timeout)),
        };
        stop.store(true, Ordering::Relaxed);
        let served = serving.join();
        let fault = fault.or_else(|| match served {
            Ok(Err(e)) if log.transcript().exchanges().next().is_none() => Some(format!("vpcd: {e}")),
            Err(_) => Some("the vpcd server thread panicked".into()),
            _ => None,
        });
        // A card that went mute: the server kept the reader empty for its removal hold before
        // it returned (VpcdOptions::removal_hold), so pcscd takes the next image for a new card.
        Tap { log, fault }
    }

    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }
}

/// How a terminal run goes.
#[derive(Debug, Clone)]
pub struct TerminalRunOptions {
    /// Run id.
    pub run_id: String,
    /// The terminal under test, as the report names it.
    pub dut: DutIdentity,
}

/// Runs `suites` against `terminal`.
pub fn run_terminal_suites(
    terminal: &mut dyn TerminalUnderTest,
    suites: &[TerminalSuite],
    opts: &TerminalRunOptions,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> RunReport {
    let clock = terminal.clock();
    let started = clock.now();
    let wall = Instant::now();
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut index = 0;
    let mut results = Vec::new();
    let mut interrupted = None;
    for suite in suites {
        let mut cases = Vec::new();
        for case in &suite.cases {
            progress(Progress::Started(index, total, &suite.id, &case.id));
            index += 1;
            let result = if stop.load(Ordering::Relaxed) {
                interrupted = Some("interrupted".to_string());
                not_run(case, Verdict::Skipped, "the run was interrupted".into())
            } else {
                run_case(terminal, case, clock.as_ref())
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
    let summary = Summary::of(&results);
    RunReport {
        schema: REPORT_SCHEMA_VERSION,
        run_id: opts.run_id.clone(),
        tapcert_version: env!("CARGO_PKG_VERSION").into(),
        started_unix_ms: u64::try_from(started.as_millis()).unwrap_or(u64::MAX),
        duration_ms: u64::try_from(wall.elapsed().as_millis()).unwrap_or(u64::MAX),
        dut: opts.dut.clone(),
        reader: terminal.reader(),
        repeat: 1,
        suites: results,
        interrupted,
        keys: Vec::new(),
        summary,
        readers: Vec::new(),
        matrix: Vec::new(),
    }
}

fn not_run(case: &TerminalCase, verdict: Verdict, reason: String) -> CaseResult {
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

fn expectation(r: &CriterionResult) -> ExpectationResult {
    let (met, observed) = match &r.status {
        Status::Met => (Some(true), r.observed.clone()),
        Status::Violated(f) => (Some(false), f.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ")),
        Status::NotEvaluated(why) => (None, why.clone()),
    };
    ExpectationResult { step: 0, expected: format!("{}: {}", r.rule.id, r.rule.summary), observed, met }
}

/// What the card saw, as owned pairs (a mute answer is empty) with latencies.
fn seen_of(log: &ImageLog) -> Vec<(Vec<u8>, Vec<u8>, Duration)> {
    log.transcript()
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Exchange { command, response, .. } => Some((
                command,
                response.map(|r| r.as_bytes().to_vec()).unwrap_or_default(),
                Duration::from_micros(e.latency_us),
            )),
            _ => None,
        })
        .collect()
}

fn run_case(terminal: &mut dyn TerminalUnderTest, case: &TerminalCase, clock: &dyn Clock) -> CaseResult {
    let image = match resolve_image(&case.image) {
        Ok(i) => i,
        Err(e) => return not_run(case, Verdict::Error, format!("image {}: {e}", case.image)),
    };
    let expect = case.expect();
    let required = case.required();
    let mut runs = Vec::new();
    let mut numbers = Vec::new();
    for run in 0..case.repeat {
        let t0 = clock.now();
        let card = ImageCard::new(image.clone(), terminal.clock());
        let tap = terminal.tap(card, case, run);
        let seen = seen_of(&tap.log);
        let view: Vec<SeenExchange<'_>> =
            seen.iter().map(|(c, r, _)| SeenExchange { command: c, response: r }).collect();
        let mut results = evaluate_transaction(&view, &expect);
        numbers.push(unpredictable_number(&view));
        if run + 1 == case.repeat && case.repeat > 1 {
            results.push(evaluate_unpredictable_numbers(&numbers));
        }
        let findings: Vec<Finding> = results
            .iter()
            .filter_map(|r| match &r.status {
                Status::Violated(f) => Some(f.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        // Nothing seen is never a verdict on the terminal; otherwise a violation is one even when
        // the run also hit an environment fault: a terminal killed for looping on 61xx has
        // shown what it does wrong.
        let (verdict, reason) = if seen.is_empty() {
            let why = tap.fault.clone().unwrap_or_else(|| "the terminal sent no command".into());
            (Verdict::Error, Some(why))
        } else if let Some(f) = findings.first() {
            (Verdict::Fail, Some(format!("{}: {}", f.rule, f.message)))
        } else if let Some(fault) = &tap.fault {
            (Verdict::Error, Some(fault.clone()))
        } else if let Some(r) = results.iter().find(|r| {
            required.contains(&r.rule)
                && matches!(r.status, Status::NotEvaluated(_))
                && (r.rule != rules::UN_FRESH || run + 1 == case.repeat)
        }) {
            let why = match &r.status {
                Status::NotEvaluated(w) => w.clone(),
                _ => String::new(),
            };
            (Verdict::Inconclusive, Some(format!("{} not evaluated: {why}", r.rule.id)))
        } else {
            (Verdict::Pass, None)
        };
        let exchanges = seen
            .iter()
            .map(|(c, r, l)| record(0, kind_of(c).to_string(), c, (!r.is_empty()).then_some(r), *l))
            .collect();
        runs.push(CaseRun {
            verdict,
            reason,
            expectations: results.iter().map(expectation).collect(),
            findings,
            exchanges,
            duration_us: u64::try_from(clock.now().saturating_sub(t0).as_micros()).unwrap_or(u64::MAX),
            hooks: Vec::new(),
        });
    }
    let rank = |v: Verdict| match v {
        Verdict::Fail => 5,
        Verdict::Error => 4,
        Verdict::Inconclusive => 3,
        Verdict::Pass => 2,
        Verdict::NotApplicable => 1,
        Verdict::Skipped => 0,
    };
    let worst = runs.iter().max_by_key(|r| rank(r.verdict));
    CaseResult {
        id: case.id.clone(),
        title: case.title.clone(),
        requirements: case.requirements.clone(),
        verdict: worst.map_or(Verdict::Skipped, |r| r.verdict),
        reason: worst.and_then(|r| r.reason.clone()),
        runs,
        stats: None,
        reader: None,
    }
}

/// The card slot of [`KeptCardTerminal`]: the image card of the transaction in progress.
struct SlotCard {
    slot: Arc<Mutex<Option<ImageCard>>>,
}

impl Card for SlotCard {
    fn power_on(&mut self) -> Vec<u8> {
        // An empty ATR tells vpcd there is no card.
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).as_mut().map_or_else(Vec::new, Card::power_on)
    }
    fn process(&mut self, capdu: &[u8]) -> CardReply {
        match self.slot.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(card) => card.process(capdu),
            None => CardReply::mute(),
        }
    }
    fn power_off(&mut self) {
        if let Some(card) = self.slot.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            card.power_off();
        }
    }
}

/// The server of a [`KeptCardTerminal`], running while the terminal lives.
struct KeptServer {
    slot: Arc<Mutex<Option<ImageCard>>>,
    present: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A [`VpcdTerminal`] whose card stays in the reader: each transaction's image replaces the
/// previous one behind the same vpcd connection, without a removal and an insertion. Much
/// faster (no pcscd insertion polling), for terminal software that resets or powers the card
/// at the start of each transaction (`tapcert transact` does); a terminal that waits for a
/// card to be tapped needs [`VpcdTerminal`]. A card that goes mute still drops the link, and
/// comes back after the server's [`VpcdOptions::removal_hold`].
pub struct KeptCardTerminal {
    /// How to reach vpcd and launch the terminal.
    pub terminal: VpcdTerminal,
    server: Option<KeptServer>,
}

impl std::fmt::Debug for KeptCardTerminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptCardTerminal").field("terminal", &self.terminal).finish_non_exhaustive()
    }
}

impl KeptCardTerminal {
    /// The terminal behind vpcd, with a card that stays in the reader.
    pub fn new(terminal: VpcdTerminal) -> Self {
        KeptCardTerminal { terminal, server: None }
    }

    fn server(&mut self) -> &KeptServer {
        self.server.get_or_insert_with(|| {
            let slot = Arc::new(Mutex::new(None));
            let present = Arc::new(AtomicBool::new(false));
            let options = VpcdOptions {
                addr: self.terminal.addr.clone(),
                reconnect: true,
                poll: Duration::from_millis(10),
                ..VpcdOptions::default()
            };
            let mut server = VpcdServer::new(SlotCard { slot: slot.clone() }, options);
            let stop = server.stop_handle();
            let seen = present.clone();
            let thread = std::thread::spawn(move || {
                let _ = server.run(&mut |e| match e {
                    VpcdEvent::Control(control::POWER_ON | control::GET_ATR | control::RESET) => {
                        seen.store(true, Ordering::Relaxed)
                    }
                    VpcdEvent::Disconnected => seen.store(false, Ordering::Relaxed),
                    _ => {}
                });
            });
            KeptServer { slot, present, stop, thread: Some(thread) }
        })
    }
}

impl Drop for KeptCardTerminal {
    fn drop(&mut self) {
        if let Some(s) = &mut self.server {
            s.stop.store(true, Ordering::Relaxed);
            if let Some(t) = s.thread.take() {
                let _ = t.join();
            }
            // The server holds the reader empty after a mute card, not after a stop: leave it
            // empty as long here, so that whatever is inserted next is a new card to pcscd.
            std::thread::sleep(DEFAULT_REMOVAL_HOLD);
        }
    }
}

impl TerminalUnderTest for KeptCardTerminal {
    fn reader(&self) -> ReaderIdentity {
        ReaderIdentity { kind: "vpcd-kept-card".into(), ..self.terminal.reader() }
    }

    fn tap(&mut self, card: ImageCard, case: &TerminalCase, run: usize) -> Tap {
        let log = card.log();
        let timeout = self.terminal.timeout;
        let server = self.server();
        *server.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(card);
        let present = server.present.clone();
        let deadline = Instant::now() + timeout;
        while !present.load(Ordering::Relaxed) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let fault = if present.load(Ordering::Relaxed) {
            self.terminal.run_terminal(case, run).err()
        } else {
            Some(format!("pcscd did not take the card at {} within {timeout:?}", self.terminal.addr))
        };
        // The card stays until the next one replaces it: an empty slot would look like a removal
        // to pcscd's next poll, and the next card would wait for an insertion poll again.
        Tap { log, fault }
    }

    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }
}
