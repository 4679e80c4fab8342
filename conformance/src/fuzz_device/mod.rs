//! `tapcert fuzz-device`: black-box protocol fuzzing of a live card, band or phone through any
//! [`Transport`](crate::transport::Transport) (format and flags: `docs/fuzz-device.md`).
//!
//! 1. **Flow**: the terminal engine's own procedure (`read_emv`, `read_transit` and, with
//!    `allow_destructive`, `purchase_transit`; `read_ndef`) runs once against the device and
//!    its commands are kept ([`record_flow`]).
//! 2. **Cases**: case `K` = the steps before one step replayed unmodified, then that step
//!    mutated ([`generate_case`]: header sweeps, Lc/Le lies, case changes, extended lengths,
//!    TLV and DOL-length mutations through the parsers' grammar, boundary values, plain
//!    bytes). A case is a pure function of `(seed, K)`, so `--case K` replays it alone.
//! 3. **Oracles** after each case: a liveness SELECT of the flow's application, and
//!    [`FindingKind`]s `mute`, `transport`, `unexpected-sw`, `unparsable`, `state` (ATC or
//!    balance read before and after) and `latency`.
//! 4. **Feedback**: new response signatures (SW, length class, parse shape, timing bucket)
//!    raise the weight of the operator that found them; the weights decide which candidate
//!    indices run, never what a case is.
//! 5. **Recovery**: field off/on, reconnect (`wait_for(Present)`), an `on_fault` hook; per-step
//!    and per-operator crash limits keep one broken field from stalling the run.
//! 6. **Safety**: commands of [`DESTRUCTIVE_INS`] are never generated (nor recorded) unless
//!    `allow_destructive`; class `FF` (the reader's own commands) never is.
//! 7. **Output** ([`write_fuzz_run`]): `findings.json`, one reproducer suite per finding that
//!    `tapcert certify --suite FILE` runs and fails, and the certification reports.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::AtomicBool;
//! use std::time::Duration;
//! use tapcert_conformance::clock::ManualClock;
//! use tapcert_conformance::fuzz_device::{Flow, FindingKind, FuzzOptions, Limit, run_fuzz};
//! use tapcert_conformance::sim::{Band, find_profile};
//! use tapcert_conformance::transport::InProcess;
//!
//! let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
//! let band = |name| InProcess::with_clock(Band::new(find_profile(name).unwrap()), Arc::new(clock.clone()));
//! let opts = FuzzOptions::new(Flow::Emv, 1, Limit::Cases(200));
//! let run = run_fuzz(&mut band("reference"), &opts, &clock, &AtomicBool::new(false), &mut |_| {}).unwrap();
//! assert!(run.findings.is_empty(), "{:?}", run.findings.first().map(|f| &f.detail));
//! let run = run_fuzz(&mut band("pdol-ignored"), &opts, &clock, &AtomicBool::new(false), &mut |_| {}).unwrap();
//! assert!(run.findings.iter().any(|f| f.kind == FindingKind::UnexpectedSw));
//! ```

mod campaign;
mod flow;
mod mutation;
mod oracle;
mod output;
mod reproducer;

use std::time::Duration;

pub use campaign::{CaseExchange, CaseOutcome, FuzzFinding, FuzzProgress, FuzzRun, Role, StateValue, run_fuzz};
pub use flow::{Flow, FlowStep, MAX_FLOW_STEPS, RECORDED_PURCHASE_AMOUNT, RecordedFlow, record_flow};
pub use mutation::{
    DESTRUCTIVE_INS, Expect, FuzzCase, MAX_CASE_COMMAND, MIN_CASE_COMMAND, Operator, destructive_command, expectation,
    generate_case,
};
pub use oracle::{Anomaly, FindingKind, Signature};
pub use output::{FINDINGS_JSON, FindingEntry, FindingsFile, FuzzFiles, REPRODUCERS_DIR, fuzz_report, write_fuzz_run};
pub use reproducer::{reproducer_case_id, reproducer_file_name, reproducer_suite};

use crate::certify::DutIdentity;
use crate::terminal::TerminalConfig;

/// How long a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// This many cases run.
    Cases(u64),
    /// Until this much time has passed on the run's clock.
    Duration(Duration),
}

/// How the device is brought back after a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// How long the field stays off.
    pub field_off: Duration,
    /// Wait after switching the field back on, and after the hook.
    pub settle: Duration,
    /// How long to wait for the card to come back into the field.
    pub reconnect_timeout: Duration,
    /// A shell command run when field off/on and reconnecting did not bring the device back
    /// (a relay that power-cycles a band, a phone's adb command).
    pub on_fault: Option<String>,
    /// Longest the hook may run before it is killed.
    pub hook_timeout: Duration,
}

impl Default for Recovery {
    fn default() -> Self {
        Recovery {
            field_off: Duration::from_millis(50),
            settle: Duration::from_millis(50),
            reconnect_timeout: Duration::from_secs(5),
            on_fault: None,
            hook_timeout: Duration::from_secs(30),
        }
    }
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    /// The flow fuzzed.
    pub flow: Flow,
    /// The seed every case derives from.
    pub seed: u64,
    /// How long the run goes.
    pub limit: Limit,
    /// Run only this case (`--case K`).
    pub only_case: Option<u64>,
    /// Allow commands of [`DESTRUCTIVE_INS`] (and the purchase in the transit flow).
    pub allow_destructive: bool,
    /// The terminal the engine plays.
    pub config: TerminalConfig,
    /// An answer to the mutated command later than this is a `latency` finding.
    pub latency_budget: Duration,
    /// How the device is brought back.
    pub recovery: Recovery,
    /// Crashes (mute, transport, failed liveness) after which a step is no longer mutated.
    pub step_crash_limit: usize,
    /// Crashes after which one operator on one step (a field) is no longer used.
    pub field_crash_limit: usize,
    /// The device, recorded in the reports.
    pub dut: DutIdentity,
}

impl FuzzOptions {
    /// Defaults: the default terminal, a 500 ms budget (EMV Contactless Book A §5.2), crash
    /// limits 8 per step and 3 per field.
    pub fn new(flow: Flow, seed: u64, limit: Limit) -> Self {
        FuzzOptions {
            flow,
            seed,
            limit,
            only_case: None,
            allow_destructive: false,
            config: TerminalConfig::default(),
            latency_budget: Duration::from_millis(500),
            recovery: Recovery::default(),
            step_crash_limit: 8,
            field_crash_limit: 3,
            dut: DutIdentity::default(),
        }
    }
}

/// Why a run could not start or a case could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// The unmutated flow could not be recorded from the device.
    #[error("recording the flow: {0}")]
    Recording(String),
    /// `--case K` names an index no admissible mutation comes out of (all were filtered).
    #[error("case {0} generates no admissible mutation (every draw was a no-op or filtered by safety)")]
    NoSuchCase(u64),
}
