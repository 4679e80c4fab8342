//! `tapcert certify --terminal`: flags in, reports out. Terminal suites, card images, the
//! criteria and the runner live in `tapcert_conformance::certify::terminal`.
//!
//! ```text
//! tapcert certify --terminal                                   # the reference terminal, in-process
//! tapcert certify --terminal --terminal-fault constant-un      # a planted fault the suite must catch
//! tapcert certify --terminal --terminal-command 'my-softpos --reader "{reader}" --amount {amount}'
//! ```

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;
use tapcert_conformance::certify::lab::run_stamp;
use tapcert_conformance::certify::terminal::{
    KeptCardTerminal, ReferenceTerminal, TerminalRunOptions, TerminalSuite, TerminalUnderTest, VpcdTerminal,
    bundled_terminal_suites, external_terminal_identity, load_terminal_suite, run_terminal_suites,
};
use tapcert_conformance::certify::{DutIdentity, RunInputs, write_run_with};
use tapcert_conformance::clock::{Clock, ManualClock, SystemClock};
use tapcert_conformance::terminal::{TerminalConfig, TerminalFault, Timestamp};
use tapcert_conformance::transport::vpcd::DEFAULT_VPCD_ADDR;

use crate::certify::{CertifyArgs, Reporter, STOP, print_summary};

/// Runs `tapcert certify --terminal`.
pub fn run(args: &CertifyArgs) -> anyhow::Result<ExitCode> {
    let suites: Vec<TerminalSuite> = if args.suites.is_empty() {
        bundled_terminal_suites()?
    } else {
        args.suites.iter().map(|s| load_terminal_suite(s)).collect::<Result<_, _>>()?
    };
    let faults = TerminalFault::from_names(&args.terminal_faults)?;
    let now = SystemClock::new().now();
    let stamp = run_stamp(Timestamp::from_unix(now));
    let external = args.terminal_command.is_some() || args.vpcd.is_some() || args.vpcd_keep_card;
    if external && !faults.is_empty() {
        anyhow::bail!("--terminal-fault plants a fault in the built-in reference terminal, not in an external one");
    }
    let (mut terminal, what, mut dut, slug): (Box<dyn TerminalUnderTest>, String, DutIdentity, String) = if external {
        let addr = args.vpcd.clone().unwrap_or_else(|| DEFAULT_VPCD_ADDR.into());
        // The terminal's own output goes beside the reports: out_dir below names the same folder.
        let dir = args.out.clone().unwrap_or_else(|| Path::new("reports").join(format!("{stamp}-terminal-vpcd")));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let t = VpcdTerminal {
            addr: addr.clone(),
            reader_name: args.vpcd_reader.clone(),
            command: args.terminal_command.clone(),
            timeout: Duration::from_secs(args.case_timeout.max(1)),
            prompt: std::io::stdin().is_terminal().then_some(ask_operator as fn(&str)),
            command_log: args.terminal_command.is_some().then(|| dir.join("terminal.log")),
        };
        let dut = external_terminal_identity();
        let t: Box<dyn TerminalUnderTest> =
            if args.vpcd_keep_card { Box::new(KeptCardTerminal::new(t)) } else { Box::new(t) };
        (t, format!("the terminal behind vpcd {addr}"), dut, "terminal-vpcd".into())
    } else {
        let config = TerminalConfig { faults, ..TerminalConfig::default() };
        let t = ReferenceTerminal::new(config, args.seed, ManualClock::new(now, Duration::ZERO));
        let dut = t.identity();
        let firmware = dut.firmware.clone();
        (Box::new(t), format!("the reference terminal ({firmware})"), dut, format!("terminal-{firmware}"))
    };
    if let Some(model) = &args.dut_model {
        dut.model = model.clone();
    }
    if let Some(fw) = &args.firmware {
        dut.firmware = fw.clone();
    }
    let opts = TerminalRunOptions { run_id: format!("{stamp}-{slug}"), dut };
    let out_dir = args.out.clone().unwrap_or_else(|| Path::new("reports").join(&opts.run_id));
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut progress = Reporter::new(total);
    let report = run_terminal_suites(terminal.as_mut(), &suites, &opts, &STOP, &mut |p| progress.event(p));
    progress.finish();
    let as_inputs: Vec<_> = suites.iter().map(TerminalSuite::as_run_input).collect();
    let inputs = RunInputs { suites: &as_inputs, dut: None, waivers: None };
    let files = write_run_with(&out_dir, &report, &inputs)
        .with_context(|| format!("writing the reports to {}", out_dir.display()))?;
    print_summary(&report, &what, &files)?;
    Ok(ExitCode::from(report.summary.exit_code()))
}

/// The operator prompt of a run without `--terminal-command`.
fn ask_operator(what: &str) {
    crate::out::message(format_args!("{what}"));
}
