//! Joining the `report.json` of several runs (shards of one campaign on several machines or
//! CI jobs) into one report, from which JUnit, HTML and the diff render as from any run.
//!
//! Suites with the same id must have the same SHA-256 (the same file was run) and their cases
//! are joined; a case id in two reports is an error (shards do not overlap). The first report
//! gives the run id, DUT and reader; the start is the earliest, the duration spans to the last
//! end; keys are the union; the summary is recomputed.

use super::report::{REPORT_SCHEMA_VERSION, RunReport, Summary};

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
    /// The same case in two reports.
    #[error("case {case} of suite {suite} is in two reports (the second is report {index})")]
    CaseTwice {
        /// Suite id.
        suite: String,
        /// Case id.
        case: String,
        /// 0-based index of the report that repeats it.
        index: usize,
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

/// Merges `reports` (in order) into one.
pub fn merge_reports(reports: &[RunReport]) -> Result<RunReport, MergeError> {
    let (first, rest) = reports.split_first().ok_or(MergeError::Empty)?;
    let mut merged = first.clone();
    merged.schema = REPORT_SCHEMA_VERSION;
    let mut end = first.started_unix_ms.saturating_add(first.duration_ms);
    for (i, r) in rest.iter().enumerate() {
        let index = i + 1;
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
                        if ours.cases.iter().any(|c| c.id == case.id) {
                            return Err(MergeError::CaseTwice {
                                suite: suite.id.clone(),
                                case: case.id.clone(),
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
