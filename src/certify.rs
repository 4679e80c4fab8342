//! `tapcert certify`, `tapcert report diff` and `tapcert suite`: flags in, reports out. The
//! suites, the runner and every report format live in `tapcert_conformance::certify`.
//!
//! ```text
//! tapcert certify                                   # the built-in reference band, every bundled suite
//! tapcert certify --sim atc-stuck --suite emv-contactless --repeat 20
//! tapcert certify --reader 'Virtual PCD 00 00' --dut-model band-x --firmware 1.4.2
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
use tapcert_conformance::certify::{
    DutIdentity, Progress, RunOptions, RunReport, Suite, Verdict, bundled_suites, import_script, load_suite, run_suites,
};
use tapcert_conformance::clock::{Clock, SystemClock};
use tapcert_conformance::sim::{Band, BandConfig, CodeDisplay, find_profile};
use tapcert_conformance::terminal::Timestamp;
use tapcert_conformance::transport::{InProcess, Transport};

use crate::out::{OutputError, Stdout};

/// Arguments of `tapcert certify`.
#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// Certify the built-in virtual band running this firmware profile (the default:
    /// `reference`; see `tapcert sim --list-profiles`).
    #[arg(long, value_name = "PROFILE", conflicts_with = "reader")]
    pub sim: Option<String>,
    /// Certify the device in this PC/SC reader (a name or part of one; feature `pcsc`).
    #[arg(long, value_name = "NAME")]
    pub reader: Option<String>,
    /// A bundled suite id or a suite file; repeatable. Default: every bundled suite.
    #[arg(long = "suite", value_name = "ID|FILE")]
    pub suites: Vec<String>,
    /// Output folder. Default: reports/<run-id>/.
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

static STOP: AtomicBool = AtomicBool::new(false);

/// Runs `tapcert certify`.
pub fn run(args: &CertifyArgs) -> anyhow::Result<ExitCode> {
    let suites: Vec<Suite> = if args.suites.is_empty() {
        bundled_suites()?
    } else {
        args.suites.iter().map(|s| load_suite(s)).collect::<Result<_, _>>()?
    };
    let clock = SystemClock::new();
    let now = Timestamp::from_unix(clock.now());
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year,
        now.month,
        now.day,
        now.seconds / 3600,
        now.seconds / 60 % 60,
        now.seconds % 60
    );
    let (mut transport, what, mut opts): (Box<dyn Transport>, String, RunOptions) = match &args.reader {
        Some(name) => open_reader(name, &stamp)?,
        None => {
            let profile_name = args.sim.as_deref().unwrap_or("reference");
            let Some(profile) = find_profile(profile_name) else {
                bail!("unknown profile {profile_name:?} (tapcert sim --list-profiles)");
            };
            // The reader is the in-process link; which firmware runs behind it is the DUT's.
            let band = InProcess::with_clock(Band::new(profile), Arc::new(clock.clone()));
            let mut opts = RunOptions::new(format!("{stamp}-{profile_name}"));
            opts.dut = DutIdentity {
                model: "tapcert built-in band".into(),
                firmware: profile_name.into(),
                sim_profile: Some(profile_name.into()),
            };
            opts.display = Some(CodeDisplay::new(BandConfig::default()));
            (Box::new(band), format!("the built-in band ({profile_name})"), opts)
        }
    };
    if let Some(model) = &args.dut_model {
        opts.dut.model = model.clone();
    }
    if let Some(fw) = &args.firmware {
        opts.dut.firmware = fw.clone();
    }
    opts.repeat = args.repeat as usize;
    opts.qr_input = args.qr.clone();
    opts.seed = args.seed;
    opts.case_timeout = Duration::from_secs(args.case_timeout.max(1));
    let out_dir = args.out.clone().unwrap_or_else(|| Path::new("reports").join(&opts.run_id));

    // Ctrl-C: finish the current step, skip the rest, write the reports. A second one quits.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut progress = Reporter::new(total);
    let report = run_suites(transport.as_mut(), &suites, &mut opts, &clock, &STOP, &mut |p| progress.event(p));
    progress.finish();
    let files = tapcert_conformance::certify::write_run(&out_dir, &report)
        .with_context(|| format!("writing the reports to {}", out_dir.display()))?;
    print_summary(&report, &what, &files)?;
    Ok(ExitCode::from(report.summary.exit_code()))
}

#[cfg(feature = "pcsc")]
fn open_reader(name: &str, stamp: &str) -> anyhow::Result<(Box<dyn Transport>, String, RunOptions)> {
    use tapcert_conformance::transport::{Pcsc, PcscOptions};
    let t = Pcsc::open(PcscOptions { reader: Some(name.into()), ..PcscOptions::default() })
        .with_context(|| format!("opening reader {name:?}"))?;
    let slug: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let mut opts = RunOptions::new(format!("{stamp}-{slug}"));
    opts.dut = DutIdentity { model: "unnamed device".into(), firmware: "unknown".into(), sim_profile: None };
    Ok((Box::new(t), format!("the device in {name:?}"), opts))
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(name: &str, _stamp: &str) -> anyhow::Result<(Box<dyn Transport>, String, RunOptions)> {
    bail!("--reader {name:?}: this tapcert was built without PC/SC (cargo build --features pcsc)")
}

/// A progress bar on a terminal, plain lines otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Reporter {
    fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Reporter { bar, total, done: 0 }
    }

    fn event(&mut self, p: Progress<'_>) {
        match (p, &self.bar) {
            (Progress::Started(_, _, suite, case), Some(bar)) => bar.set_message(format!("{suite} {case}")),
            (Progress::Done(_), Some(bar)) => bar.inc(1),
            (Progress::Started(..), None) => {}
            (Progress::Done(case), None) => {
                self.done += 1;
                crate::out::message(format_args!(
                    "[{}/{}] {} {}",
                    self.done,
                    self.total,
                    case.verdict.as_str(),
                    case.id
                ));
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn print_summary(
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

fn read_report(path: &Path) -> anyhow::Result<RunReport> {
    let file = if path.is_dir() { path.join("report.json") } else { path.to_path_buf() };
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    RunReport::from_json(&text).with_context(|| format!("reading {}", file.display()))
}

/// Runs `tapcert report`.
pub fn run_report(cmd: &ReportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ReportCommand::Diff { old, new, json } => {
            let (old, new) = (read_report(old)?, read_report(new)?);
            let diff = tapcert_conformance::certify::diff_reports(&old, &new);
            let text = if *json { diff.to_json() } else { diff.to_text() };
            let mut out = Stdout::new();
            out.line(text.trim_end())?;
            out.finish()?;
            Ok(ExitCode::from(u8::from(diff.has_regressions())))
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
        }
        SuiteCommand::Import { file, id, title } => {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let toml = import_script(&text, id, title).with_context(|| format!("importing {}", file.display()))?;
            out.line(toml.trim_end())?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
