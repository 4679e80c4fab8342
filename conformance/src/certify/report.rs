//! The record of one certification run (`report.json`), versioned, from which every other
//! report (JUnit XML, HTML, transcript, build-to-build diff) is rendered.
//!
//! Schema version [`REPORT_SCHEMA_VERSION`]; keys keep their meaning across versions and new
//! keys may be added. Hex is upper case without separators. PANs and track data are masked
//! (first 6 and last 4 digits) in every command, response and decoded tree before they reach
//! this model: nothing here is ever unmasked.

use serde::{Deserialize, Serialize};
use tapcert_parsers::Finding;

pub use crate::terminal::KeyKcv;

/// Version of the `report.json` schema.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What a case concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every criterion was evaluated and met.
    Pass,
    /// A criterion was evaluated and not met: non-conformance.
    Fail,
    /// A transport or environment fault (no card, reader gone, timeout) kept the case from
    /// being judged.
    Error,
    /// The case does not apply to this device (application or feature absent).
    NotApplicable,
    /// Not run, with a reason (waived, interrupted before it ran).
    Skipped,
    /// Ran, but its criteria could not be evaluated (a step needed for them did not happen).
    Inconclusive,
}

impl Verdict {
    /// The kebab-case name (`pass`, `not-applicable`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
            Verdict::NotApplicable => "not-applicable",
            Verdict::Skipped => "skipped",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The device under test.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DutIdentity {
    /// Device model (`--dut-model`).
    pub model: String,
    /// Firmware build (`--firmware`).
    pub firmware: String,
    /// The built-in band's firmware profile, when the DUT is the virtual band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_profile: Option<String>,
    /// Device kind from the DUT profile (`band`, `phone-hce`, `card`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Applications the DUT profile says the device carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<String>,
}

/// The reader the run went through.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReaderIdentity {
    /// Reader name (`Virtual PCD 00 00`, `in-process`).
    pub name: String,
    /// Link kind (`pcsc`, `in-process`, ...).
    pub kind: String,
    /// Negotiated protocol, when the link has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The card's ATR at the start of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atr: Option<String>,
    /// The reader's vendor, where PC/SC exposes it (`SCARD_ATTR_VENDOR_NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The reader's firmware version, where PC/SC exposes it (`SCARD_ATTR_VENDOR_IFD_VERSION`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
}

/// One command and its answer, as the report keeps it (masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRecord {
    /// The step of the case (0-based) it belongs to.
    pub step: usize,
    /// The procedure step (`READ RECORD SFI 1 #2`) or `command`.
    pub label: String,
    /// The C-APDU, masked.
    pub command: String,
    /// The R-APDU (data and SW), masked; absent when none came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The status word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sw: Option<String>,
    /// Latency, microseconds.
    pub latency_us: u64,
    /// The response data decoded as BER-TLV (the `decode tlv --json` node shape), when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlv: Option<serde_json::Value>,
}

/// One expectation of a case and what was observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectationResult {
    /// The step of the case (0-based) it was checked on.
    pub step: usize,
    /// What was expected, in words (`SW in (9000, 61XX)`, `no finding EMV.AC.VERIFY`).
    pub expected: String,
    /// What was observed (`6A82`, the findings' messages).
    pub observed: String,
    /// `Some(true)` met, `Some(false)` not met, `None` never evaluated.
    pub met: Option<bool>,
}

/// One execution of a case (several with `--repeat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRun {
    /// Its verdict.
    pub verdict: Verdict,
    /// Why, in one line (the first unmet expectation, the transport fault).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every expectation, evaluated or not.
    pub expectations: Vec<ExpectationResult>,
    /// The engine's findings during the case.
    pub findings: Vec<Finding>,
    /// Every exchange.
    pub exchanges: Vec<ExchangeRecord>,
    /// Wall time of the case, microseconds (injected clock).
    pub duration_us: u64,
    /// The operator and device hooks run for this execution (DUT profile `[hooks]`), with
    /// their output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<HookRecord>,
}

/// One hook command as it ran (`before-suite`, `before-case`, `after-fault`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookRecord {
    /// Which hook.
    pub hook: String,
    /// The command line (`sh -c`).
    pub command: String,
    /// Exit status; absent when it was killed (timeout) or could not start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<i32>,
    /// Whether it ran past its timeout and was killed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
    /// Its stdout and stderr, interleaved per stream (stdout first), at most 16 KiB, lossy UTF-8.
    pub output: String,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
}

impl HookRecord {
    /// Whether the hook succeeded (exit 0 within its timeout).
    pub fn ok(&self) -> bool {
        self.exit == Some(0) && !self.timed_out
    }
}

/// Pass rate and latency of a repeated case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatStats {
    /// Executions.
    pub runs: usize,
    /// Executions that passed.
    pub passed: usize,
    /// `passed / runs`.
    pub pass_rate: f64,
    /// Median exchange latency over all runs, microseconds.
    pub latency_p50_us: u64,
    /// 95th percentile, microseconds.
    pub latency_p95_us: u64,
    /// Maximum, microseconds.
    pub latency_max_us: u64,
}

/// A case's outcome over all its executions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Case id (`TU.BAL.003`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Requirement references (specification and clause).
    pub requirements: Vec<String>,
    /// The overall verdict: the worst of its runs (fail over error over inconclusive over
    /// pass), or not-applicable / skipped when it did not run.
    pub verdict: Verdict,
    /// Why, when not a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Each execution.
    pub runs: Vec<CaseRun>,
    /// With `--repeat` above 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<RepeatStats>,
    /// The reader (and so the device) this result came from: set in reports of several readers
    /// (`certify --reader A --reader B`, `report merge` of shards from different readers), where
    /// one case id appears once per reader. Absent in a single-reader report (see `reader`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<ReaderIdentity>,
}

/// One device behind one reader in a report of several readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderLane {
    /// The reader.
    pub reader: ReaderIdentity,
    /// The device that was in it.
    pub dut: DutIdentity,
}

/// One case across the readers of a run (the reader-by-case matrix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    /// Suite id.
    pub suite: String,
    /// Case id.
    pub case: String,
    /// The verdict on each reader, in the order of the report's `readers` (absent when the
    /// case did not run there).
    pub verdicts: Vec<Option<Verdict>>,
    /// The case failed (fail, error, inconclusive) on some readers and passed on others: a
    /// reader-specific failure.
    pub reader_specific: bool,
}

/// One suite as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteResult {
    /// Suite id (`emv-contactless`).
    pub id: String,
    /// Suite version.
    pub version: String,
    /// Title.
    pub title: String,
    /// SHA-256 of the suite file as run: two runs ran the same campaign when these agree.
    pub sha256: String,
    /// The cases, in suite order.
    pub cases: Vec<CaseResult>,
}

/// Counts over the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Cases.
    pub cases: usize,
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Transport or environment errors.
    pub error: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Skipped.
    pub skipped: usize,
    /// Inconclusive.
    pub inconclusive: usize,
    /// Exchanges over the run.
    pub apdus: usize,
}

impl Summary {
    /// Counts of `suites`.
    pub fn of(suites: &[SuiteResult]) -> Summary {
        let mut s = Summary::default();
        for c in suites.iter().flat_map(|s| &s.cases) {
            s.cases += 1;
            match c.verdict {
                Verdict::Pass => s.pass += 1,
                Verdict::Fail => s.fail += 1,
                Verdict::Error => s.error += 1,
                Verdict::NotApplicable => s.not_applicable += 1,
                Verdict::Skipped => s.skipped += 1,
                Verdict::Inconclusive => s.inconclusive += 1,
            }
            s.apdus += c.runs.iter().map(|r| r.exchanges.len()).sum::<usize>();
        }
        s
    }

    /// The run's exit status: 0 everything passed (not-applicable and skipped allowed), 1 any
    /// failure or inconclusive case, 3 transport or environment errors only.
    pub fn exit_code(&self) -> u8 {
        if self.fail > 0 || self.inconclusive > 0 {
            1
        } else if self.error > 0 {
            3
        } else {
            0
        }
    }
}

/// Everything about one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema: u32,
    /// Run id (also the default output folder name).
    pub run_id: String,
    /// tapcert version that ran it.
    pub tapcert_version: String,
    /// Start, milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
    /// The device.
    pub dut: DutIdentity,
    /// The reader.
    pub reader: ReaderIdentity,
    /// Executions per case.
    pub repeat: usize,
    /// Suites, in the order run.
    pub suites: Vec<SuiteResult>,
    /// Why the run stopped early (`interrupted`, `reader gone: ...`), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The keys the terminal verified with: names, roles and check values, never key bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyKcv>,
    /// Counts.
    pub summary: Summary,
    /// Every reader of a run of several readers, in order, each with its device; empty for a
    /// single-reader run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<ReaderLane>,
    /// The reader-by-case matrix of a run of several readers; empty for a single-reader run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matrix: Vec<MatrixRow>,
}

impl RunReport {
    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads `report.json`, checking the schema version.
    pub fn from_json(text: &str) -> Result<RunReport, ReportError> {
        let r: RunReport = serde_json::from_str(text).map_err(|e| ReportError::Json {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        })?;
        if r.schema != REPORT_SCHEMA_VERSION {
            return Err(ReportError::Schema { found: r.schema });
        }
        Ok(r)
    }

    /// Every case with its suite, in run order.
    pub fn cases(&self) -> impl Iterator<Item = (&SuiteResult, &CaseResult)> {
        self.suites.iter().flat_map(|s| s.cases.iter().map(move |c| (s, c)))
    }
}

/// Why a report could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Not report JSON.
    #[error("report JSON at line {line}, column {column}: {detail}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said.
        detail: String,
    },
    /// Another schema version.
    #[error("report schema {found} not supported (this build reads {REPORT_SCHEMA_VERSION})")]
    Schema {
        /// The version in the file.
        found: u32,
    },
    /// File I/O.
    #[error("report file: {0}")]
    Io(#[from] std::io::Error),
}
