//! What every rendering of a [`RunReport`] says about a suite or a case, computed once: the
//! JUnit suite name, the expectations that were not met, the findings, the exchange latencies
//! and their percentiles, whether a hex string is masked.

use tapcert_parsers::Finding;

use super::report::{
    CaseResult, CaseRun, DutIdentity, ExchangeRecord, ExpectationResult, ReaderIdentity, RunReport, SuiteResult,
};

/// `emv-contactless @ Virtual PCD 00 00 [band-x 1.2.3]`: one suite as run by one DUT through
/// one reader (the JUnit `<testsuite>` name, the HTML section heading).
pub(crate) fn suite_label(report: &RunReport, suite: &SuiteResult) -> String {
    lane_label(&report.dut, &report.reader, suite)
}

/// [`suite_label`] for one reader (and its device) of a report of several readers.
pub(crate) fn lane_label(dut: &DutIdentity, reader: &ReaderIdentity, suite: &SuiteResult) -> String {
    let dut =
        [dut.model.as_str(), dut.firmware.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    format!("{} @ {} [{}]", suite.id, reader.name, dut)
}

/// The cases of `suite` that ran on `reader` in a report of several readers.
pub(crate) fn lane_cases<'a>(suite: &'a SuiteResult, reader: &'a str) -> impl Iterator<Item = &'a CaseResult> {
    suite.cases.iter().filter(move |c| c.reader.as_ref().is_some_and(|r| r.name == reader))
}

/// The expectations of a case that were not met (or, in an inconclusive run, not evaluated),
/// over all its runs, each once.
pub(crate) fn unmet_expectations(case: &CaseResult) -> Vec<&ExpectationResult> {
    let mut out: Vec<&ExpectationResult> = Vec::new();
    for e in case.runs.iter().flat_map(|r| &r.expectations) {
        if e.met != Some(true) && !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The findings of a case over all its runs, each once, in order of first appearance.
pub(crate) fn case_findings(case: &CaseResult) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = Vec::new();
    for f in case.runs.iter().flat_map(|r| &r.findings) {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// Every exchange of a case with the index of its run, in run order.
pub(crate) fn case_exchanges(case: &CaseResult) -> impl Iterator<Item = (usize, &ExchangeRecord)> {
    case.runs.iter().enumerate().flat_map(|(i, r)| r.exchanges.iter().map(move |x| (i, x)))
}

/// The exchange latencies of a case over all its runs, sorted, microseconds.
pub(crate) fn sorted_latencies(case: &CaseResult) -> Vec<u64> {
    let mut v: Vec<u64> = case_exchanges(case).map(|(_, x)| x.latency_us).collect();
    v.sort_unstable();
    v
}

/// Nearest-rank percentile (`p` in 0..=100) of sorted values; 0 for none.
pub(crate) fn percentile(sorted: &[u64], p: u32) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (u64::from(p.min(100)) * sorted.len() as u64).div_ceil(100) as usize;
    sorted[rank.saturating_sub(1).min(sorted.len() - 1)]
}

/// Wall time of a case over all its runs, microseconds.
pub(crate) fn case_duration_us(case: &CaseResult) -> u64 {
    case.runs.iter().map(|r: &CaseRun| r.duration_us).sum()
}

/// Whether a report hex string has masked (`*`) nibbles.
pub(crate) fn is_masked(hex: &str) -> bool {
    hex.contains('*')
}

/// Microseconds as people read latencies: `850 us`, `12.3 ms`, `1.20 s`.
pub(crate) fn format_us(us: u64) -> String {
    if us < 1_000 {
        format!("{us} us")
    } else if us < 1_000_000 {
        format!("{:.1} ms", us as f64 / 1_000.0)
    } else {
        format!("{:.2} s", us as f64 / 1_000_000.0)
    }
}

/// Upper-case hex split into bytes (`80 CA 9F 36`); masked nibbles stay `*`.
pub(crate) fn spaced_hex(hex: &str) -> String {
    let chars: Vec<char> = hex.chars().collect();
    chars.chunks(2).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        assert_eq!(percentile(&[], 95), 0);
        assert_eq!(percentile(&[7], 50), 7);
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!((percentile(&v, 50), percentile(&v, 95), percentile(&v, 100)), (10, 19, 20));
        assert_eq!(percentile(&v, 0), 1);
    }

    #[test]
    fn latencies_read_in_their_unit() {
        assert_eq!(format_us(850), "850 us");
        assert_eq!(format_us(12_345), "12.3 ms");
        assert_eq!(format_us(1_200_000), "1.20 s");
        assert_eq!(spaced_hex("80CA9F3*"), "80 CA 9F 3*");
    }
}
