//! Joining the `report.json` of several runs (shards of one campaign on several machines or
//! CI jobs) into one report, from which JUnit, HTML and the diff render as from any run.
//!
//! Suites with the same id must have the same SHA-256 (the same file was run) and their cases
//! are joined; a case id in two reports is an error (shards do not overlap). The first report
//! gives the run id, DUT and reader; the start is the earliest, the duration spans to the last
//! end; keys are the union; the summary is recomputed. All reports must come from the same
//! tapcert version and the same `--repeat`.
//!
//! Reports from different readers (shards run on several readers, or the lanes of
//! `certify --reader A --reader B`) join into a report of several readers: every case result
//! gets the identity of the reader it ran on, a case may then appear once per reader (twice on
//! one reader is still an error), `readers` lists each reader with its device, `reader` names
//! them all, and `matrix` is the reader-by-case matrix.

use super::lab::reader_matrix;
use super::report::{REPORT_SCHEMA_VERSION, ReaderIdentity, ReaderLane, RunReport, Summary};

/// Why reports could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no reports to merge")]
    Empty,
    /// A suite id run from two different files.
    #[error("suite {suite}: report {index} ran a different file (sha256 {theirs}, the first had {ours})")]
    SuiteChanged {
        /// Suite id.
        suite: String,
        /// 0-based index of the report that differs.
        index: usize,
        /// The SHA-256 merged so far.
        ours: String,
        /// The SHA-256 of that report.
        theirs: String,
    },
    /// The same case (on the same reader) in two reports.
    #[error("case {case} of suite {suite}{} is in two reports (the second is report {index})", on_reader(.reader))]
    CaseTwice {
        /// Suite id.
        suite: String,
        /// Case id.
        case: String,
        /// The reader, in a merge of several readers.
        reader: Option<String>,
        /// 0-based index of the report that repeats it.
        index: usize,
    },
    /// Reports written by different tapcert versions (their verdicts need not mean the same).
    #[error("report {index} was written by tapcert {theirs}, the first by tapcert {ours}")]
    Version {
        /// 0-based index.
        index: usize,
        /// The first report's version.
        ours: String,
        /// That report's.
        theirs: String,
    },
    /// Runs with different `--repeat`.
    #[error("report {index} repeats each case {theirs} times, the first {ours}")]
    Repeat {
        /// 0-based index.
        index: usize,
        /// The first report's repeat.
        ours: usize,
        /// That report's.
        theirs: usize,
    },
}

fn on_reader(reader: &Option<String>) -> String {
    reader.as_ref().map(|r| format!(" on {r}")).unwrap_or_default()
}

/// The readers (with their devices) of a report: its `readers`, or its one reader.
fn lanes_of(r: &RunReport) -> Vec<ReaderLane> {
    if r.readers.is_empty() {
        vec![ReaderLane { reader: r.reader.clone(), dut: r.dut.clone() }]
    } else {
        r.readers.clone()
    }
}

/// Merges `reports` (in order) into one.
pub fn merge_reports(reports: &[RunReport]) -> Result<RunReport, MergeError> {
    let (first, rest) = reports.split_first().ok_or(MergeError::Empty)?;
    let mut lanes: Vec<ReaderLane> = Vec::new();
    for r in reports {
        for lane in lanes_of(r) {
            if !lanes.iter().any(|l| l.reader.name == lane.reader.name) {
                lanes.push(lane);
            }
        }
    }
    if lanes.len() < 2 {
        return merge_one_reader(first, rest);
    }
    // Stamp every result with its reader, then merge with (case, reader) as the key.
    let stamped: Vec<RunReport> = reports
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let own = r.reader.clone();
            for case in r.suites.iter_mut().flat_map(|s| s.cases.iter_mut()) {
                case.reader.get_or_insert_with(|| own.clone());
            }
            r
        })
        .collect();
    let (first, rest) = stamped.split_first().ok_or(MergeError::Empty)?;
    let mut merged = merge_one_reader(first, rest)?;
    let kind = lanes.first().map(|l| l.reader.kind.clone()).unwrap_or_default();
    let same_kind = lanes.iter().all(|l| l.reader.kind == kind);
    merged.reader = ReaderIdentity {
        name: lanes.iter().map(|l| l.reader.name.as_str()).collect::<Vec<_>>().join(" + "),
        kind: if same_kind { kind } else { "mixed".into() },
        ..ReaderIdentity::default()
    };
    merged.readers = lanes;
    merged.matrix = reader_matrix(&merged);
    Ok(merged)
}

fn merge_one_reader(first: &RunReport, rest: &[RunReport]) -> Result<RunReport, MergeError> {
    let mut merged = first.clone();
    merged.schema = REPORT_SCHEMA_VERSION;
    let mut end = first.started_unix_ms.saturating_add(first.duration_ms);
    for (i, r) in rest.iter().enumerate() {
        let index = i + 1;
        if r.tapcert_version != merged.tapcert_version {
            return Err(MergeError::Version {
                index,
                ours: merged.tapcert_version.clone(),
                theirs: r.tapcert_version.clone(),
            });
        }
        if r.repeat != merged.repeat {
            return Err(MergeError::Repeat { index, ours: merged.repeat, theirs: r.repeat });
        }
        for suite in &r.suites {
            match merged.suites.iter_mut().find(|s| s.id == suite.id) {
                None => merged.suites.push(suite.clone()),
                Some(ours) if ours.sha256 != suite.sha256 => {
                    return Err(MergeError::SuiteChanged {
                        suite: suite.id.clone(),
                        index,
                        ours: ours.sha256.clone(),
                        theirs: suite.sha256.clone(),
                    });
                }
                Some(ours) => {
                    for case in &suite.cases {
                        let reader = case.reader.as_ref().map(|r| r.name.clone());
                        if ours
                            .cases
                            .iter()
                            .any(|c| c.id == case.id && c.reader.as_ref().map(|r| &r.name) == reader.as_ref())
                        {
                            return Err(MergeError::CaseTwice {
                                suite: suite.id.clone(),
                                case: case.id.clone(),
                                reader,
                                index,
                            });
                        }
                        ours.cases.push(case.clone());
                    }
                }
            }
        }
        for k in &r.keys {
            if !merged.keys.contains(k) {
                merged.keys.push(k.clone());
            }
        }
        merged.interrupted = match (merged.interrupted.take(), &r.interrupted) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or_else(|| b.clone()),
        };
        merged.started_unix_ms = merged.started_unix_ms.min(r.started_unix_ms);
        end = end.max(r.started_unix_ms.saturating_add(r.duration_ms));
    }
    merged.duration_ms = end.saturating_sub(merged.started_unix_ms);
    merged.summary = Summary::of(&merged.suites);
    Ok(merged)
}
