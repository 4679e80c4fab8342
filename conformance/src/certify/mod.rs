//! Certification: suites as data ([`suite`]), the runner that executes them on the terminal
//! engine ([`runner`]), and the reports a release manager signs off ([`report`]).
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use std::sync::Arc;
//! use std::time::Duration;
//! use tapcert_conformance::certify::{bundled_suites, run_suites, RunOptions, Verdict};
//! use tapcert_conformance::clock::ManualClock;
//! use tapcert_conformance::sim::{find_profile, Band};
//! use tapcert_conformance::transport::InProcess;
//!
//! let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
//! let mut band = InProcess::with_clock(Band::new(find_profile("reference").unwrap()), Arc::new(clock.clone()));
//! let suites: Vec<_> = bundled_suites().unwrap().into_iter().filter(|s| s.id == "access-uid").collect();
//! let report = run_suites(&mut band, &suites, &mut RunOptions::new("doc"), &clock, &AtomicBool::new(false), &mut |_| {});
//! assert!(report.cases().all(|(_, c)| c.verdict == Verdict::Pass));
//! assert_eq!(report.summary.exit_code(), 0);
//! ```

pub mod bundle;
pub mod diff;
mod digest;
pub mod dut;
pub mod html;
pub mod import;
pub mod junit;
pub mod lab;
mod lab_file;
pub mod merge;
pub mod output;
pub mod report;
pub mod runner;
pub mod suite;
pub mod terminal;
pub mod transcript;
pub mod waiver;

pub use bundle::{
    BundleCheck, BundleError, BundleFile, bundle_run, decode_bundle, encode_bundle, parse_key_hex, public_key_hex,
    verify_bundle,
};
pub use diff::{
    CaseChange, CaseOnly, LatencyRegression, LatencyThreshold, ReportDiff, diff_reports, diff_reports_with,
};
pub use dut::{DutExpected, DutKind, DutProfile, parse_dut_profile};
pub use html::{escape_html, render_html};
pub use import::{ImportError, ScriptKind, detect_script, import_script};
pub use junit::render_junit;
pub use lab::{Console, Hook, Hooks, Lane, LaneMode, NonInteractive, Operator, PromptError, reader_matrix, run_lanes};
pub use lab_file::LabFileError;
pub use merge::{MergeError, merge_reports};
pub use output::{RunFiles, RunInputs, read_run, write_run, write_run_with};
pub use report::{
    CaseResult, CaseRun, DutIdentity, ExchangeRecord, ExpectationResult, HookRecord, MatrixRow, REPORT_SCHEMA_VERSION,
    ReaderIdentity, ReaderLane, RepeatStats, ReportError, RunReport, SuiteResult, Summary, Verdict,
};
pub use runner::{Progress, RunOptions, run_suites};
pub use suite::{App, Case, Suite, SuiteError, bundled_suites, load_suite, parse_suite};
pub use transcript::render_transcript;
pub use waiver::{Day, Waiver, WaiverStatus, glob_match, parse_waivers, waiver_for};
