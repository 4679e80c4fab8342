//! Certification: suites as data, the runner that executes them on the terminal engine, and
//! the reports a release manager signs off.

pub mod report;

pub use report::{
    CaseResult, CaseRun, DutIdentity, ExchangeRecord, ExpectationResult, REPORT_SCHEMA_VERSION, ReaderIdentity,
    RepeatStats, ReportError, RunReport, SuiteResult, Summary, Verdict,
};
