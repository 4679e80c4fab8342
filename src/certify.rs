//! `tapcert certify`, `tapcert report diff` and `tapcert suite`: flags in, reports out. The
//! suites, the runner and every report format live in `tapcert_conformance::certify`.
//!
//! ```text
//! tapcert certify                                   # the built-in reference band, every bundled suite
//! tapcert certify --sim atc-stuck --suite emv-contactless --repeat 20
//! tapcert certify --reader 'Virtual PCD 00 00' --dut-model band-x --firmware 1.4.2
//! tapcert certify --reader 'Virtual PCD 00 00' --reader 'Virtual PCD 00 01' --concurrent \
//!     --dut 'Virtual PCD 00 00=band.toml' --dut 'Virtual PCD 00 01=phone.toml' --keys lab-keys.toml
//! tapcert report diff reports/OLD reports/NEW
//! tapcert suite import script.txt --id my-card > my-card.toml
//! ```

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tapcert_conformance::certify::lab::{
    DutFiles, LabSettings, interactive, reader_slug, run_stamp, sim_lane, unique_readers,
};
use tapcert_conformance::certify::{
    Console, Lane, LaneMode, NonInteractive, Operator, Progress, RunInputs, RunReport, Suite, Verdict, bundle,
    bundle_run, bundled_suites, import_script, load_suite, merge_reports, parse_key_hex, public_key_hex, run_lanes,
    run_suites, verify_bundle, write_run_with,
};
use tapcert_conformance::clock::{Clock, SystemClock};
use tapcert_conformance::terminal::Timestamp;

use crate::out::{OutputError, Stdout};

/// Arguments of `tapcert certify`.
#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// Certify the built-in virtual band running this firmware profile (the default:
    /// `reference`; see `tapcert sim --list-profiles`).
    #[arg(long, value_name = "PROFILE", conflicts_with_all = ["reader", "all_readers"])]
    pub sim: Option<String>,
    /// Certify the device in this PC/SC reader (a name or part of one; feature `pcsc`).
    /// Repeatable: the same suites on each reader, one report with a reader-by-case matrix.
    #[arg(long, value_name = "NAME")]
    pub reader: Vec<String>,
    /// Every reader pcscd lists (as `--reader` for each).
    #[arg(long, conflicts_with = "reader")]
    pub all_readers: bool,
    /// With several readers: run them at once, one device in each (one thread per reader).
    /// Default: one after the other, one device moved from reader to reader.
    #[arg(long)]
    pub concurrent: bool,
    /// How long to wait for the device to be presented to a reader, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub tap_timeout: u64,
    /// How long a case's prompt ("show the payment code") waits for Enter, in seconds.
    #[arg(long, value_name = "S", default_value_t = 120)]
    pub prompt_timeout: u64,
    /// Never wait for a person: a case with a prompt is `error` at once. Also when stdin is
    /// not a terminal or CI is set.
    #[arg(long)]
    pub non_interactive: bool,
    /// A bundled suite id or a suite file; repeatable. Default: every bundled suite.
    #[arg(long = "suite", value_name = "ID|FILE")]
    pub suites: Vec<String>,
    /// Output folder. Default: `reports/<run-id>/`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Device model, recorded in the reports.
    #[arg(long, value_name = "MODEL")]
    pub dut_model: Option<String>,
    /// Firmware build, recorded in the reports.
    #[arg(long, value_name = "BUILD")]
    pub firmware: Option<String>,
    /// Run every case N times: pass rate and latency p50/p95/max per case.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub repeat: u32,
    /// A payment code or QR payload the device displays, for the qr-code suite.
    #[arg(long, value_name = "TEXT")]
    pub qr: Option<String>,
    /// Seed of the terminal's unpredictable numbers (runs with the same seed reproduce).
    #[arg(long, value_name = "N", default_value_t = 0x7A9C_0001)]
    pub seed: u64,
    /// Longest one case may take, in seconds.
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub case_timeout: u64,
    /// How long the field stays off before each case, in milliseconds (a card's power-down).
    #[arg(long, value_name = "MS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub field_off_ms: u64,
    /// The device's keys (TOML, docs/lab.md), each checked by its KCV on load. Default: the
    /// built-in band's test keys. Reports show names and KCVs only.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// The DUT profile (TOML, docs/lab.md): kind, model, firmware, applications, AIDs,
    /// budgets, expected values, hooks. `READER=FILE` gives the profile of the device in one
    /// reader (repeatable); a plain `FILE` is for every reader without its own.
    #[arg(long, value_name = "[READER=]FILE")]
    pub dut: Vec<String>,
    /// Waivers (TOML, docs/lab.md): waived cases are skipped with their reason; an expired
    /// waiver fails its cases.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Certify a terminal instead of a card: run the terminal suites (default: every bundled
    /// one; --suite picks), serving each case's card image to the terminal under test
    /// (docs/terminal-certification.md). Default terminal: the built-in reference terminal.
    #[arg(long, conflicts_with_all = ["sim", "reader"])]
    pub terminal: bool,
    /// With --terminal: plant a fault in the reference terminal (testing the suite); repeatable.
    #[arg(long = "terminal-fault", value_name = "NAME", requires = "terminal")]
    pub terminal_faults: Vec<String>,
    /// With --terminal: the PC/SC terminal software to launch per transaction (sh -c; {amount},
    /// {amount_other}, {currency}, {country}, {type}, {floor_limit}, {tac_denial}, {tac_online},
    /// {tac_default}, {online_capable}, {case}, {run}, {reader} are replaced).
    /// Without it, the operator is prompted (interactive runs only).
    #[arg(long, value_name = "CMD", requires = "terminal")]
    pub terminal_command: Option<String>,
    /// With --terminal: serve the images to pcscd through vpcd at this address (an external
    /// terminal; default 127.0.0.1:35963 when --terminal-command is given).
    #[arg(long, value_name = "HOST:PORT", requires = "terminal")]
    pub vpcd: Option<String>,
    /// With --terminal and vpcd: the reader name pcscd shows for the vpcd slot.
    #[arg(long, value_name = "NAME", default_value = "Virtual PCD 00 00", requires = "terminal")]
    pub vpcd_reader: String,
    /// With --terminal and vpcd: keep one card in the reader and swap the image behind it per
    /// transaction (no removal and insertion: fast, for terminals that reset the card).
    #[arg(long, requires = "terminal")]
    pub vpcd_keep_card: bool,
}

/// Arguments of `tapcert report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// What regressed, was fixed or is new between two runs (folders or report.json files).
    Diff {
        /// The earlier run.
        old: PathBuf,
        /// The new run.
        new: PathBuf,
        /// Print the diff as JSON.
        #[arg(long)]
        json: bool,
        /// Exit 1 on latency regressions too (by default they are reported, and only verdict
        /// regressions and failing new cases exit 1: timings move with the machine's load).
        #[arg(long)]
        fail_on_latency: bool,
    },
    /// Join the report.json of several runs (shards: run folders or files) into one run folder.
    Merge {
        /// The runs, in order.
        #[arg(required = true, num_args = 2..)]
        runs: Vec<PathBuf>,
        /// The merged run folder (report.json, junit.xml, report.html, transcript.txt).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// One evidence file of a run folder: reports, suite files, DUT profile, waivers, key
    /// names and KCVs, tapcert version, a SHA-256 manifest, optionally signed (docs/lab.md).
    Bundle {
        /// The run folder.
        run_dir: PathBuf,
        /// The bundle file. Default: <RUN_DIR>.tapcert-bundle.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Sign the manifest with this Ed25519 key (a file of 32 bytes in hex).
        #[arg(long, value_name = "KEYFILE")]
        sign: Option<PathBuf>,
    },
    /// Check a bundle: every file against the manifest and the signature; exit 1 naming the
    /// first file that does not match.
    Verify {
        /// The bundle file.
        file: PathBuf,
        /// The signer's Ed25519 public key in hex: the bundle must be signed by it.
        #[arg(long, value_name = "HEX")]
        pubkey: Option<String>,
    },
}

/// Arguments of `tapcert suite`.
#[derive(Debug, Subcommand)]
pub enum SuiteCommand {
    /// The bundled suites: id, version, cases, title.
    List,
    /// Turn a scriptor script/log or an ETSI TS 101 955-style script into a suite file.
    Import {
        /// The script.
        file: PathBuf,
        /// Suite id.
        #[arg(long, default_value = "imported")]
        id: String,
        /// Suite title.
        #[arg(long, default_value = "Imported script")]
        title: String,
    },
}

pub(crate) static STOP: AtomicBool = AtomicBool::new(false);

/// Runs `tapcert certify`.
pub fn run(args: &CertifyArgs) -> anyhow::Result<ExitCode> {
    if args.terminal {
        return crate::certify_terminal::run(args);
    }
    let suites: Vec<Suite> = if args.suites.is_empty() {
        bundled_suites()?
    } else {
        args.suites.iter().map(|s| load_suite(s)).collect::<Result<_, _>>()?
    };
    let clock = SystemClock::new();
    let stamp = run_stamp(Timestamp::from_unix(clock.now()));
    let readers = reader_names(args)?;
    let operator: Arc<dyn Operator> =
        if interactive(args.non_interactive) { Arc::new(Console) } else { Arc::new(NonInteractive { print: true }) };
    let duts = DutFiles::parse(&args.dut, &readers, read_text)?;
    let waivers_text = args.waivers.as_deref().map(read_text).transpose()?;
    let keys_text = args.keys.as_deref().map(read_text).transpose()?;
    let files = LabFiles { keys: keys_text.as_deref(), waivers: waivers_text.as_deref() };
    // Ctrl-C: finish the current step, skip the rest, write the reports. A second one quits.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    if readers.len() > 1 {
        return run_matrix(args, &suites, &readers, &stamp, operator, &duts, &files, total);
    }
    let (mut lane, what) = match readers.first() {
        Some(name) => {
            let mut lane = open_reader(name, &format!("{stamp}-{}", reader_slug(name)))?;
            lane.opts.tap_timeout = Some(Duration::from_secs(args.tap_timeout));
            (lane, format!("the device in {name:?}"))
        }
        None => {
            let profile_name = args.sim.as_deref().unwrap_or("reference");
            let Some(lane) = sim_lane(profile_name, &stamp, Arc::new(clock.clone())) else {
                bail!("unknown profile {profile_name:?} (tapcert sim --list-profiles)");
            };
            (lane, format!("the built-in band ({profile_name})"))
        }
    };
    let dut_text = duts.for_reader(readers.first().map(String::as_str));
    settings(args, dut_text, &files).apply(&mut lane.opts)?;
    let mut opts = lane.opts;
    opts.operator = Some(operator);
    let out_dir = args.out.clone().unwrap_or_else(|| Path::new("reports").join(&opts.run_id));

    let mut progress = Reporter::new(total);
    let mut report = run_suites(lane.transport.as_mut(), &suites, &mut opts, &clock, &STOP, &mut |p| progress.event(p));
    progress.finish();
    (report.reader.vendor, report.reader.firmware) = (lane.vendor, lane.firmware);
    let dut_text = dut_text.map(|(_, text)| text);
    let inputs = RunInputs { suites: &suites, dut: dut_text, waivers: waivers_text.as_deref() };
    let files = write_run_with(&out_dir, &report, &inputs)
        .with_context(|| format!("writing the reports to {}", out_dir.display()))?;
    print_summary(&report, &what, &files)?;
    Ok(ExitCode::from(report.summary.exit_code()))
}

/// The texts of `--keys` and `--waivers`, read once for every lane.
struct LabFiles<'a> {
    keys: Option<&'a str>,
    waivers: Option<&'a str>,
}

/// The lab files and flags of one lane, for [`LabSettings::apply`].
fn settings<'a>(args: &'a CertifyArgs, dut: Option<(&'a Path, &'a str)>, files: &LabFiles<'a>) -> LabSettings<'a> {
    LabSettings {
        keys: args.keys.as_deref().zip(files.keys),
        dut,
        waivers: args.waivers.as_deref().zip(files.waivers),
        dut_model: args.dut_model.as_deref(),
        firmware: args.firmware.as_deref(),
        repeat: args.repeat as usize,
        qr: args.qr.as_deref(),
        seed: args.seed,
        case_timeout: Duration::from_secs(args.case_timeout),
        field_off_hold: Duration::from_millis(args.field_off_ms),
        prompt_timeout: Duration::from_secs(args.prompt_timeout),
    }
}

/// The readers of the run: `--reader` values, or every reader with `--all-readers`.
fn reader_names(args: &CertifyArgs) -> anyhow::Result<Vec<String>> {
    if !args.all_readers {
        return Ok(unique_readers(&args.reader)?);
    }
    #[cfg(feature = "pcsc")]
    {
        let names: Vec<String> = tapcert_conformance::transport::list_readers()
            .context("listing the PC/SC readers")?
            .into_iter()
            .map(|r| r.name)
            .collect();
        if names.is_empty() {
            bail!("--all-readers: pcscd lists no reader");
        }
        Ok(names)
    }
    #[cfg(not(feature = "pcsc"))]
    bail!("--all-readers: this tapcert was built without PC/SC (cargo build --features pcsc)")
}

/// Several readers: one lane each, one after the other or at once, one report.
#[allow(clippy::too_many_arguments)]
fn run_matrix(
    args: &CertifyArgs,
    suites: &[Suite],
    readers: &[String],
    stamp: &str,
    operator: Arc<dyn Operator>,
    duts: &DutFiles,
    files: &LabFiles<'_>,
    total: usize,
) -> anyhow::Result<ExitCode> {
    let run_id = format!("{stamp}-{}-readers", readers.len());
    let mut lanes = Vec::with_capacity(readers.len());
    for name in readers {
        let mut lane = open_reader(name, &run_id)?;
        settings(args, duts.for_reader(Some(name)), files).apply(&mut lane.opts)?;
        lane.opts.operator = Some(operator.clone());
        lane.opts.tap_timeout = Some(Duration::from_secs(args.tap_timeout));
        lanes.push(lane);
    }
    let out_dir = args.out.clone().unwrap_or_else(|| Path::new("reports").join(&run_id));
    let mode = if args.concurrent { LaneMode::Concurrent } else { LaneMode::Sequential };
    let progress = std::sync::Mutex::new(Reporter::new(total * readers.len()));
    let report = run_lanes(&mut lanes, suites, mode, &STOP, &|lane, p| {
        progress.lock().unwrap_or_else(|e| e.into_inner()).event_on(readers.get(lane).map(String::as_str), p);
    })?;
    progress.lock().unwrap_or_else(|e| e.into_inner()).finish();
    let dut_text = duts.kept_text(readers);
    let inputs = RunInputs { suites, dut: dut_text.as_deref(), waivers: files.waivers };
    let files = write_run_with(&out_dir, &report, &inputs)
        .with_context(|| format!("writing the reports to {}", out_dir.display()))?;
    let mode = if args.concurrent { "at once" } else { "one after the other" };
    print_summary(&report, &format!("{} readers {mode}", readers.len()), &files)?;
    Ok(ExitCode::from(report.summary.exit_code()))
}

#[cfg(feature = "pcsc")]
fn open_reader(name: &str, run_id: &str) -> anyhow::Result<Lane> {
    tapcert_conformance::certify::lab::pcsc_lane(name, run_id).with_context(|| format!("opening reader {name:?}"))
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(name: &str, _run_id: &str) -> anyhow::Result<Lane> {
    bail!("--reader {name:?}: this tapcert was built without PC/SC (cargo build --features pcsc)")
}

/// A progress bar on a terminal, plain lines otherwise.
pub(crate) struct Reporter {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Reporter {
    pub(crate) fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Reporter { bar, total, done: 0 }
    }

    pub(crate) fn event(&mut self, p: Progress<'_>) {
        self.event_on(None, p);
    }

    /// An event of one reader of several (`reader` names it in the plain lines).
    fn event_on(&mut self, reader: Option<&str>, p: Progress<'_>) {
        let on = reader.map(|r| format!(" @ {r}")).unwrap_or_default();
        match (p, &self.bar) {
            (Progress::Started(_, _, suite, case), Some(bar)) => bar.set_message(format!("{suite} {case}{on}")),
            (Progress::Done(_), Some(bar)) => bar.inc(1),
            (Progress::Started(..), None) => {}
            (Progress::Done(case), None) => {
                self.done += 1;
                crate::out::message(format_args!(
                    "[{}/{}] {} {}{on}",
                    self.done,
                    self.total,
                    case.verdict.as_str(),
                    case.id
                ));
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub(crate) fn print_summary(
    report: &RunReport,
    what: &str,
    files: &tapcert_conformance::certify::RunFiles,
) -> Result<(), OutputError> {
    let s = &report.summary;
    let secs = (report.duration_ms as f64 / 1000.0).max(0.001);
    let mut out = Stdout::new();
    out.line(format_args!("tapcert certify: {what} through {} ({})", report.reader.name, report.reader.kind))?;
    if let Some(why) = &report.interrupted {
        out.line(format_args!("  run stopped early: {why}"))?;
    }
    out.line(format_args!(
        "  {} cases: {} pass, {} fail, {} error, {} not applicable, {} skipped, {} inconclusive",
        s.cases, s.pass, s.fail, s.error, s.not_applicable, s.skipped, s.inconclusive
    ))?;
    let (cases_per_s, apdus_per_s) = (s.cases as f64 / secs, s.apdus as f64 / secs);
    out.line(format_args!("  {} APDUs in {secs:.2} s ({cases_per_s:.1} cases/s, {apdus_per_s:.0} APDUs/s)", s.apdus))?;
    let not_passed = |c: &&tapcert_conformance::certify::CaseResult| {
        matches!(c.verdict, Verdict::Fail | Verdict::Error | Verdict::Inconclusive)
    };
    for (suite, case) in report.cases().filter(|(_, c)| not_passed(c)) {
        let reason = case.reason.as_deref().unwrap_or("");
        out.line(format_args!("  {} {} {}: {reason}", case.verdict.as_str(), suite.id, case.id))?;
    }
    for path in [&files.report_json, &files.junit_xml, &files.report_html, &files.transcript_txt] {
        out.line(format_args!("  {}", path.display()))?;
    }
    out.finish()
}

/// Largest file `certify`, `report` and `suite` read (keys, DUT profiles, waivers, scripts,
/// reports): the library's bound for run files.
const MAX_FILE_BYTES: u64 = tapcert_conformance::MAX_RUN_FILE_BYTES;

fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    let what = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("reading {what}"))?;
    crate::decode::read_bounded(file, MAX_FILE_BYTES, &what, "")
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    String::from_utf8(read_bytes(path)?).with_context(|| format!("reading {}: not UTF-8 text", path.display()))
}

fn read_report(path: &Path) -> anyhow::Result<RunReport> {
    let file = if path.is_dir() { path.join("report.json") } else { path.to_path_buf() };
    let text = read_text(&file)?;
    RunReport::from_json(&text).with_context(|| format!("reading {}", file.display()))
}

/// Runs `tapcert report`.
pub fn run_report(cmd: &ReportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ReportCommand::Diff { old, new, json, fail_on_latency } => {
            let (old, new) = (read_report(old)?, read_report(new)?);
            let diff = tapcert_conformance::certify::diff_reports(&old, &new);
            let text = if *json { diff.to_json() } else { diff.to_text() };
            let mut out = Stdout::new();
            out.line(text.trim_end())?;
            out.finish()?;
            Ok(ExitCode::from(diff.exit_code(*fail_on_latency)))
        }
        ReportCommand::Merge { runs, out } => {
            let reports = runs.iter().map(|r| read_report(r)).collect::<anyhow::Result<Vec<_>>>()?;
            let merged = merge_reports(&reports)?;
            let files = write_run_with(out, &merged, &RunInputs::default())
                .with_context(|| format!("writing the reports to {}", out.display()))?;
            let s = &merged.summary;
            let mut o = Stdout::new();
            o.line(format_args!(
                "tapcert report merge: {} runs, {} cases: {} pass, {} fail, {} error, {} not applicable, {} skipped, {} inconclusive",
                reports.len(), s.cases, s.pass, s.fail, s.error, s.not_applicable, s.skipped, s.inconclusive
            ))?;
            o.line(format_args!("  {}", files.report_json.display()))?;
            o.finish()?;
            Ok(ExitCode::from(s.exit_code()))
        }
        ReportCommand::Bundle { run_dir, out, sign } => {
            let key = match sign {
                Some(path) => Some(parse_key_hex(&path.display().to_string(), &read_text(path)?)?),
                None => None,
            };
            let bytes = bundle_run(run_dir, key.as_ref())?;
            let out_path = out.clone().unwrap_or_else(|| {
                let mut p = run_dir.as_os_str().to_owned();
                p.push(".tapcert-bundle");
                PathBuf::from(p)
            });
            std::fs::write(&out_path, &bytes).with_context(|| format!("writing {}", out_path.display()))?;
            let mut out = Stdout::new();
            out.line(format_args!("{}", out_path.display()))?;
            if let Some(key) = &key {
                out.line(format_args!("signed by {}", public_key_hex(key)))?;
            }
            out.finish()?;
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Verify { file, pubkey } => {
            let pinned = pubkey.as_deref().map(|k| parse_key_hex("--pubkey", k)).transpose()?;
            let bytes = read_bytes(file)?;
            match verify_bundle(&bytes, pinned.as_ref()) {
                Ok(check) => {
                    let mut out = Stdout::new();
                    let signed = match (&check.signer, check.pinned) {
                        (Some(k), true) => format!("signed by {k}"),
                        (Some(k), false) => format!("signed by {k} (the key in the bundle: pin it with --pubkey)"),
                        (None, _) => "not signed".into(),
                    };
                    out.line(format_args!("ok: {} files match {}; {signed}", check.files, bundle::MANIFEST))?;
                    out.finish()?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    crate::out::message(format_args!("tapcert report verify: {}: {e}", file.display()));
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// Runs `tapcert suite`.
pub fn run_suite(cmd: &SuiteCommand) -> anyhow::Result<ExitCode> {
    let mut out = Stdout::new();
    match cmd {
        SuiteCommand::List => {
            for s in bundled_suites()? {
                out.line(format_args!("{}\t{}\t{} cases\t{}", s.id, s.version, s.cases.len(), s.title))?;
            }
            // Terminal suites run with `certify --terminal`; the title says so.
            for s in tapcert_conformance::certify::terminal::bundled_terminal_suites()? {
                let (id, version, n, title) = (&s.id, &s.version, s.cases.len(), &s.title);
                out.line(format_args!("{id}\t{version}\t{n} cases\t{title} (certify --terminal)"))?;
            }
        }
        SuiteCommand::Import { file, id, title } => {
            let text = read_text(file)?;
            let toml = import_script(&text, id, title).with_context(|| format!("importing {}", file.display()))?;
            out.line(toml.trim_end())?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
