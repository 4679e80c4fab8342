//! `tapcert fuzz-device`: flags in, findings and reports out. The fuzzer (flows, cases,
//! oracles, recovery, reproducers) lives in `tapcert_conformance::fuzz_device`.
//!
//! ```text
//! tapcert fuzz-device --sim pdol-ignored --flow emv --cases 2000 --seed 1 --out reports/fuzz
//! tapcert fuzz-device --reader 'Virtual PCD 00 00' --flow transit --duration 10m --seed 7 --out out --allow-destructive
//! tapcert fuzz-device --sim reference --flow emv --cases 20 --seed 1 --out out --dry-run
//! tapcert fuzz-device --sim pdol-ignored --flow emv --seed 1 --out out --case 45
//! ```

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tapcert_conformance::certify::DutIdentity;
use tapcert_conformance::clock::{Clock, SystemClock};
use tapcert_conformance::fuzz_device::{
    Flow, FuzzOptions, FuzzProgress, Limit, generate_case, record_flow, run_fuzz, write_fuzz_run,
};
use tapcert_conformance::mask::masked_command_hex;
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::transport::{InProcess, Transport};

/// Arguments of `tapcert fuzz-device`.
#[derive(Debug, Args)]
pub struct FuzzDeviceArgs {
    /// Fuzz the built-in virtual band running this firmware profile (`tapcert sim --list-profiles`).
    #[arg(long, value_name = "PROFILE", conflicts_with = "reader", required_unless_present = "reader")]
    pub sim: Option<String>,
    /// Fuzz the device in this PC/SC reader (feature `pcsc`).
    #[arg(long, value_name = "NAME")]
    pub reader: Option<String>,
    /// The flow: emv, transit or ndef.
    #[arg(long, value_name = "FLOW", value_parser = ["emv", "transit", "ndef"])]
    pub flow: String,
    /// Run this many cases.
    #[arg(long, value_name = "N", conflicts_with = "duration", required_unless_present_any = ["duration", "case"])]
    pub cases: Option<u64>,
    /// Run for this long: `90s`, `10m`, `2h` or seconds.
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Seed of the cases (case K is the same for the same seed and flow recording).
    #[arg(long, value_name = "S")]
    pub seed: u64,
    /// Output folder: findings.json, reproducers/, report.json, junit.xml, report.html, transcript.txt.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Run only case K.
    #[arg(long, value_name = "K")]
    pub case: Option<u64>,
    /// Print the cases (masked) without sending them; only the unmutated flow is recorded.
    #[arg(long)]
    pub dry_run: bool,
    /// Allow destructive or counter-limited commands (VERIFY, purchase, PUT DATA, ...).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Shell command run when field off/on and reconnecting did not bring the device back.
    #[arg(long, value_name = "CMD")]
    pub on_fault: Option<String>,
    /// Settle time after field on and after the hook, in ms.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub settle_ms: u64,
    /// How long the field stays off in a recovery, in ms.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub field_off_ms: u64,
    /// An answer later than this is a latency finding, in ms.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub latency_budget_ms: u64,
    /// Crashes after which a step is no longer mutated.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub step_crash_limit: usize,
    /// Crashes after which one operator on one step is no longer used.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub field_crash_limit: usize,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (num, unit) = text.find(|c: char| !c.is_ascii_digit()).map_or((text, ""), |i| text.split_at(i));
    let n: u64 = num.parse().map_err(|_| format!("{text:?} is not a duration (90s, 10m, 2h)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("{text:?}: the unit is s, m or h")),
    };
    Ok(Duration::from_secs(secs))
}

static STOP: AtomicBool = AtomicBool::new(false);

#[cfg(feature = "pcsc")]
fn open_reader(name: &str) -> anyhow::Result<Box<dyn Transport>> {
    use tapcert_conformance::transport::{Pcsc, PcscOptions};
    let t = Pcsc::open(PcscOptions { reader: Some(name.into()), ..PcscOptions::default() })
        .with_context(|| format!("opening reader {name:?}"))?;
    Ok(Box::new(t))
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(name: &str) -> anyhow::Result<Box<dyn Transport>> {
    bail!("--reader {name:?}: this tapcert was built without PC/SC (cargo build --features pcsc)")
}

/// Runs `tapcert fuzz-device`.
pub fn run(args: &FuzzDeviceArgs) -> anyhow::Result<ExitCode> {
    let Some(flow) = Flow::from_name(&args.flow) else { bail!("unknown flow {:?}", args.flow) };
    let limit = match (args.cases, args.duration) {
        (Some(n), _) => Limit::Cases(n),
        (None, Some(d)) => Limit::Duration(d),
        (None, None) => Limit::Cases(1),
    };
    let clock = SystemClock::new();
    let mut opts = FuzzOptions::new(flow, args.seed, limit);
    opts.only_case = args.case;
    opts.allow_destructive = args.allow_destructive;
    opts.latency_budget = Duration::from_millis(args.latency_budget_ms);
    opts.recovery.on_fault = args.on_fault.clone();
    opts.recovery.settle = Duration::from_millis(args.settle_ms);
    opts.recovery.field_off = Duration::from_millis(args.field_off_ms);
    opts.step_crash_limit = args.step_crash_limit.max(1);
    opts.field_crash_limit = args.field_crash_limit.max(1);
    let (mut transport, slug): (Box<dyn Transport>, String) = match (&args.reader, &args.sim) {
        (Some(name), _) => {
            opts.dut =
                DutIdentity { model: "unnamed device".into(), firmware: "unknown".into(), ..DutIdentity::default() };
            (open_reader(name)?, name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect())
        }
        (None, Some(profile_name)) => {
            let Some(profile) = find_profile(profile_name) else {
                bail!("unknown profile {profile_name:?} (tapcert sim --list-profiles)");
            };
            opts.dut = DutIdentity {
                model: "tapcert built-in band".into(),
                firmware: profile_name.clone(),
                sim_profile: Some(profile_name.clone()),
                ..DutIdentity::default()
            };
            (Box::new(InProcess::with_clock(Band::new(profile), Arc::new(clock.clone()))), profile_name.clone())
        }
        (None, None) => bail!("give --reader NAME or --sim PROFILE"),
    };
    if args.dry_run {
        return dry_run(transport.as_mut(), &opts, &clock);
    }
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let mut bar = Progress::new(match limit {
        Limit::Cases(n) if args.case.is_none() => Some(n),
        _ => None,
    });
    let run = run_fuzz(transport.as_mut(), &opts, &clock, &STOP, &mut |p| bar.event(p))?;
    bar.finish();
    let run_id = format!("fuzz-device-{}-{}-seed{}", flow.as_str(), slug, args.seed);
    let files = write_fuzz_run(&args.out, &run, &opts, &run_id)
        .with_context(|| format!("writing the run to {}", args.out.display()))?;
    let secs = run.elapsed.as_secs_f64().max(0.001);
    let mut out = std::io::stdout().lock();
    writeln!(out, "tapcert fuzz-device: {} flow of {} through {}", flow.as_str(), slug, run.reader.name)?;
    if let Some(why) = &run.stopped {
        writeln!(out, "  run stopped early: {why}")?;
    }
    writeln!(
        out,
        "  {} cases in {secs:.2} s ({:.0} cases/s), {} response signatures, {} finding(s)",
        run.cases,
        run.cases as f64 / secs,
        run.signatures,
        run.findings.len()
    )?;
    for (f, path) in run.findings.iter().zip(&files.reproducers) {
        writeln!(out, "  {} case {} at {} ({} hits): {}", f.kind, f.case, f.step, f.hits, f.detail)?;
        writeln!(out, "    reproducer: {}", path.display())?;
    }
    writeln!(out, "  {}", files.findings_json.display())?;
    writeln!(out, "  {}", files.reports.report_json.display())?;
    out.flush()?;
    Ok(ExitCode::from(run.exit_code()))
}

/// Records the unmutated flow, then prints the cases it would send (masked), sending none.
fn dry_run(t: &mut dyn Transport, opts: &FuzzOptions, clock: &dyn Clock) -> anyhow::Result<ExitCode> {
    let flow = record_flow(t, opts.flow, &opts.config, opts.allow_destructive, opts.seed, clock)?;
    let mut out = std::io::stdout().lock();
    for (i, s) in flow.steps.iter().enumerate() {
        writeln!(out, "step {i}\t{}\t{}", s.label(), masked_command_hex(&s.command))?;
    }
    let indices: Box<dyn Iterator<Item = u64>> = match (opts.only_case, opts.limit) {
        (Some(k), _) => Box::new(std::iter::once(k)),
        (None, Limit::Cases(n)) => Box::new(0..n),
        (None, Limit::Duration(_)) => bail!("--dry-run prints a number of cases: give --cases N"),
    };
    for k in indices {
        match generate_case(&flow, opts.seed, k, opts.allow_destructive) {
            Some(c) => writeln!(
                out,
                "case {k}\tstep {} {}\t{}\texpect {}\t{}",
                c.step,
                flow.steps[c.step].label(),
                c.operator.as_str(),
                c.expect.as_str(),
                masked_command_hex(&c.command)
            )?,
            None => writeln!(out, "case {k}\t(no admissible mutation)")?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on a terminal, plain lines otherwise (findings and recoveries only).
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(total: Option<u64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = total.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => {
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
        }
    }

    fn event(&mut self, p: FuzzProgress<'_>) {
        match p {
            FuzzProgress::Recorded(flow) => self.line(format!("flow recorded: {} steps", flow.steps.len())),
            FuzzProgress::Case(done, findings, _) => {
                if let Some(bar) = &self.bar {
                    bar.set_position(done);
                    bar.set_message(format!("{findings} finding(s)"));
                } else if done % 1000 == 0 {
                    self.line(format!("{done} cases, {findings} finding(s)"));
                }
            }
            FuzzProgress::Finding(f) => {
                self.line(format!("finding: {} case {} at {}: {}", f.kind, f.case, f.step, f.detail))
            }
            FuzzProgress::Recovered(action) => self.line(format!("device recovered ({action})")),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
