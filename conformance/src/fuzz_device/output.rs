//! What a run leaves in its folder: `findings.json`, one reproducer suite per finding under
//! `reproducers/`, and the certification reports (`report.json`, `junit.xml`, `report.html`,
//! `transcript.txt`) written by [`crate::certify::write_run`] from a [`RunReport`].

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::FuzzOptions;
use super::campaign::{FuzzFinding, FuzzRun, Role};
use super::oracle::FindingKind;
use super::reproducer::{reproducer_case_id, reproducer_file_name, reproducer_suite};
use crate::certify::output::replace_file;
use crate::certify::runner::record;
use crate::certify::{
    CaseResult, CaseRun, ExpectationResult, REPORT_SCHEMA_VERSION, ReaderIdentity, RunFiles, RunReport, SuiteResult,
    Summary, Verdict, write_run,
};

/// `findings.json`.
pub const FINDINGS_JSON: &str = "findings.json";
/// The folder of the reproducers.
pub const REPRODUCERS_DIR: &str = "reproducers";

/// One entry of `findings.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEntry {
    /// `mute`, `transport`, `unexpected-sw`, `unparsable`, `state` or `latency`.
    pub kind: FindingKind,
    /// The first case index that showed it (`--case K` replays it).
    pub case: u64,
    /// The mutated step.
    pub step: String,
    /// The reproducer suite file: the run folder as given, joined with `reproducers/<file>`.
    pub reproducer: String,
    /// What was seen.
    pub detail: String,
    /// How many cases showed it.
    pub hits: u64,
}

/// `findings.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingsFile {
    /// Cases run.
    pub cases: u64,
    /// Deduplicated findings.
    pub findings: Vec<FindingEntry>,
    /// The flow fuzzed.
    pub flow: String,
    /// The seed.
    pub seed: u64,
    /// Why the run ended early, if it did.
    pub stopped: Option<String>,
}

/// What [`write_fuzz_run`] wrote.
#[derive(Debug, Clone)]
pub struct FuzzFiles {
    /// `findings.json`.
    pub findings_json: PathBuf,
    /// The reproducers, in finding order.
    pub reproducers: Vec<PathBuf>,
    /// The certification reports.
    pub reports: RunFiles,
}

/// Writes `findings.json`, the reproducers and the reports of `run` into `dir`.
pub fn write_fuzz_run(dir: &Path, run: &FuzzRun, opts: &FuzzOptions, run_id: &str) -> io::Result<FuzzFiles> {
    let repro_dir = dir.join(REPRODUCERS_DIR);
    std::fs::create_dir_all(&repro_dir)?;
    let mut entries = Vec::new();
    let mut reproducers = Vec::new();
    for f in &run.findings {
        let path = repro_dir.join(reproducer_file_name(f));
        replace_file(&path, reproducer_suite(f, &run.flow, opts.seed, opts.latency_budget).as_bytes())?;
        entries.push(FindingEntry {
            kind: f.kind,
            case: f.case,
            step: f.step.clone(),
            reproducer: path.display().to_string(),
            detail: f.detail.clone(),
            hits: f.hits,
        });
        reproducers.push(path);
    }
    let file = FindingsFile {
        cases: run.cases,
        findings: entries,
        flow: run.flow.flow.as_str().into(),
        seed: opts.seed,
        stopped: run.stopped.clone(),
    };
    let findings_json = dir.join(FINDINGS_JSON);
    let mut text = serde_json::to_string_pretty(&file).map_err(io::Error::other)?;
    text.push('\n');
    replace_file(&findings_json, text.as_bytes())?;
    let reports = write_run(dir, &fuzz_report(run, opts, run_id))?;
    Ok(FuzzFiles { findings_json, reproducers, reports })
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn finding_case(f: &FuzzFinding) -> CaseResult {
    let o = &f.outcome;
    let exchanges: Vec<_> = o
        .exchanges
        .iter()
        .enumerate()
        .map(|(i, x)| record(i, x.label.clone(), &x.command, x.response.as_deref(), x.latency))
        .collect();
    let at = o.exchanges.iter().position(|x| x.role == Role::Mutated).unwrap_or(0);
    let expected = match f.kind {
        FindingKind::Mute | FindingKind::Transport => "an answer to the case and to the liveness SELECT".to_string(),
        FindingKind::UnexpectedSw => format!("SW in ({})", o.case.expect.sw_patterns().join(", ")),
        FindingKind::Unparsable => "BER-TLV response data".to_string(),
        FindingKind::State => "the balance or ATC unchanged by a refused command".to_string(),
        FindingKind::Latency => "every answer within the latency budget".to_string(),
    };
    let verdict = if f.kind.is_crash() { Verdict::Error } else { Verdict::Fail };
    let reason = format!("{} (case {}, {} hit(s))", f.detail, f.case, f.hits);
    CaseResult {
        id: reproducer_case_id(f),
        title: format!("{} at {} ({})", f.kind, f.step, o.case.operator.as_str()),
        requirements: vec![f.kind.requirement().to_string()],
        verdict,
        reason: Some(reason.clone()),
        runs: vec![CaseRun {
            verdict,
            reason: Some(reason),
            expectations: vec![ExpectationResult { step: at, expected, observed: f.detail.clone(), met: Some(false) }],
            findings: Vec::new(),
            duration_us: o.exchanges.iter().map(|x| micros(x.latency)).sum(),
            exchanges,
            hooks: Vec::new(),
        }],
        stats: None,
        reader: None,
    }
}

/// The run as a certification report: one case per finding (`fail`, or `error` for a mute or
/// transport finding, as JUnit tells a fault from a non-conformance), or one passing case
/// when nothing was found.
pub fn fuzz_report(run: &FuzzRun, opts: &FuzzOptions, run_id: &str) -> RunReport {
    let mut cases: Vec<CaseResult> = run.findings.iter().map(finding_case).collect();
    if cases.is_empty() {
        let expected = format!("no anomaly in {} cases", run.cases);
        cases.push(CaseResult {
            id: "FUZZ.RUN".into(),
            title: format!("{} flow fuzzed, seed {}", run.flow.flow.as_str(), opts.seed),
            requirements: vec![FindingKind::Mute.requirement().to_string()],
            verdict: Verdict::Pass,
            reason: None,
            runs: vec![CaseRun {
                verdict: Verdict::Pass,
                reason: None,
                expectations: vec![ExpectationResult { step: 0, expected, observed: "none".into(), met: Some(true) }],
                findings: Vec::new(),
                exchanges: Vec::new(),
                duration_us: micros(run.elapsed),
                hooks: Vec::new(),
            }],
            stats: None,
            reader: None,
        });
    }
    let mut flow_hash = Sha256::new();
    for s in &run.flow.steps {
        flow_hash.update(&s.command);
    }
    let suites = vec![SuiteResult {
        id: format!("fuzz-device-{}", run.flow.flow.as_str()),
        version: "1.0.0".into(),
        title: format!(
            "tapcert fuzz-device: {} cases of the {} flow, seed {}",
            run.cases,
            run.flow.flow.as_str(),
            opts.seed
        ),
        sha256: hex::encode(flow_hash.finalize()),
        cases,
    }];
    RunReport {
        schema: REPORT_SCHEMA_VERSION,
        run_id: run_id.to_string(),
        tapcert_version: env!("CARGO_PKG_VERSION").to_string(),
        started_unix_ms: u64::try_from(run.started.as_millis()).unwrap_or(u64::MAX),
        duration_ms: u64::try_from(run.elapsed.as_millis()).unwrap_or(u64::MAX),
        dut: opts.dut.clone(),
        reader: ReaderIdentity {
            name: run.reader.name.clone(),
            kind: serde_json::to_value(run.reader.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            protocol: run.reader.protocol.clone(),
            atr: run.flow.atr.as_ref().map(|a| hex::encode_upper(a.as_bytes())),
            ..ReaderIdentity::default()
        },
        repeat: 1,
        keys: opts.config.keys.kcvs(),
        summary: Summary::of(&suites),
        suites,
        interrupted: run.stopped.clone(),
        readers: Vec::new(),
        matrix: Vec::new(),
    }
}
