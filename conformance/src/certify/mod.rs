//! Certification: suites as data, the runner that executes them on the terminal engine, and
//! the reports a release manager signs off.

pub mod diff;
mod digest;
pub mod html;
pub mod junit;
pub mod output;
pub mod report;
pub mod transcript;

pub use diff::{
    CaseChange, CaseOnly, LatencyRegression, LatencyThreshold, ReportDiff, diff_reports, diff_reports_with,
};
pub use html::{escape_html, render_html};
pub use junit::render_junit;
pub use output::{RunFiles, read_run, write_run};
pub use report::{
    CaseResult, CaseRun, DutIdentity, ExchangeRecord, ExpectationResult, REPORT_SCHEMA_VERSION, ReaderIdentity,
    RepeatStats, ReportError, RunReport, SuiteResult, Summary, Verdict,
};
pub use transcript::render_transcript;
