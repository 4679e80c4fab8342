//! The reader-by-case matrix of a report of several readers: each case's verdict on each
//! reader, and the cases that fail on some readers and pass on others (reader-specific
//! failures, the ones most field failures turn out to be).

use crate::certify::report::{MatrixRow, RunReport, Verdict};

fn failing(v: Verdict) -> bool {
    matches!(v, Verdict::Fail | Verdict::Error | Verdict::Inconclusive)
}

/// The matrix of `report`: one row per suite and case id, in run order, one column per entry
/// of `report.readers`. Cases without a `reader` count for the report's own reader.
pub fn reader_matrix(report: &RunReport) -> Vec<MatrixRow> {
    let names: Vec<&str> = report.readers.iter().map(|l| l.reader.name.as_str()).collect();
    let mut rows: Vec<MatrixRow> = Vec::new();
    for suite in &report.suites {
        let first = rows.len();
        for case in &suite.cases {
            let reader = case.reader.as_ref().map_or(report.reader.name.as_str(), |r| r.name.as_str());
            let Some(col) = names.iter().position(|n| *n == reader) else { continue };
            let row = match rows[first..].iter().position(|r| r.case == case.id) {
                Some(i) => &mut rows[first + i],
                None => {
                    rows.push(MatrixRow {
                        suite: suite.id.clone(),
                        case: case.id.clone(),
                        verdicts: vec![None; names.len()],
                        reader_specific: false,
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            row.verdicts[col] = Some(case.verdict);
        }
    }
    for row in &mut rows {
        let seen = || row.verdicts.iter().flatten();
        row.reader_specific = seen().any(|v| failing(*v)) && seen().any(|v| *v == Verdict::Pass);
    }
    rows
}
