//! `junit.xml`: a run as CI servers read test results.
//!
//! One `<testsuite>` per DUT × reader × suite (`emv-contactless @ Virtual PCD 00 00 [band-x
//! 1.2.3]`) with the run's identity as `<properties>`, one `<testcase>` per case (classname the
//! suite id, name the case id and title, time its wall time). Non-conformance (`fail`,
//! `inconclusive`) is a `<failure>`, a transport or environment fault (`error`) an `<error>`,
//! `not-applicable` and `skipped` a `<skipped>`, each with the reason as `message`, the
//! verdict as `type` and, in the text, every unmet expectation next to what was observed and
//! the findings.
//!
//! A report of several readers has one `<testsuite>` per suite and reader (the name says the
//! reader and its device, the properties the reader's identity), holding the cases that ran
//! on that reader: a CI server then shows a reader-specific failure under its reader.

use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::digest::{
    case_duration_us, case_exchanges, case_findings, format_us, lane_cases, lane_label, unmet_expectations,
};
use super::report::{CaseResult, DutIdentity, ReaderIdentity, RunReport, SuiteResult, Verdict};

/// Renders the JUnit XML of a run.
pub fn render_junit(report: &RunReport) -> io::Result<String> {
    let mut junit = Report::new(format!("tapcert certify {}", report.run_id));
    junit.set_time(Duration::from_millis(report.duration_ms));
    for suite in &report.suites {
        if report.readers.is_empty() {
            let cases: Vec<&CaseResult> = suite.cases.iter().collect();
            junit.add_test_suite(junit_suite(report, &report.dut, &report.reader, suite, &cases));
            continue;
        }
        for lane in &report.readers {
            let cases: Vec<&CaseResult> = lane_cases(suite, &lane.reader.name).collect();
            junit.add_test_suite(junit_suite(report, &lane.dut, &lane.reader, suite, &cases));
        }
    }
    junit.to_string().map_err(io::Error::other)
}

fn junit_suite(
    report: &RunReport,
    dut: &DutIdentity,
    reader: &ReaderIdentity,
    suite: &SuiteResult,
    cases: &[&CaseResult],
) -> TestSuite {
    let mut ts = TestSuite::new(lane_label(dut, reader, suite));
    let props = [
        ("dut", dut.model.as_str()),
        ("firmware", dut.firmware.as_str()),
        ("sim-profile", dut.sim_profile.as_deref().unwrap_or("")),
        ("reader", reader.name.as_str()),
        ("reader-kind", reader.kind.as_str()),
        ("reader-vendor", reader.vendor.as_deref().unwrap_or("")),
        ("reader-firmware", reader.firmware.as_deref().unwrap_or("")),
        ("protocol", reader.protocol.as_deref().unwrap_or("")),
        ("atr", reader.atr.as_deref().unwrap_or("")),
        ("suite", suite.id.as_str()),
        ("suite-version", suite.version.as_str()),
        ("suite-sha256", suite.sha256.as_str()),
        ("tapcert-version", report.tapcert_version.as_str()),
        ("run-id", report.run_id.as_str()),
        ("interrupted", report.interrupted.as_deref().unwrap_or("")),
    ];
    ts.add_properties(props.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| Property::new(k, v)));
    ts.set_time(Duration::from_micros(cases.iter().map(|c| case_duration_us(c)).sum()));
    ts.add_test_cases(cases.iter().map(|c| junit_case(suite, c)));
    ts
}

fn junit_case(suite: &SuiteResult, case: &CaseResult) -> TestCase {
    let status = match case.verdict {
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::Fail | Verdict::Inconclusive => non_success(NonSuccessKind::Failure, case),
        Verdict::Error => non_success(NonSuccessKind::Error, case),
        Verdict::NotApplicable | Verdict::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_type(case.verdict.as_str());
            if let Some(r) = &case.reason {
                s.set_message(r.as_str());
            }
            s
        }
    };
    let mut tc = TestCase::new(format!("{} {}", case.id, case.title), status);
    tc.set_classname(suite.id.as_str());
    tc.set_time(Duration::from_micros(case_duration_us(case)));
    if !matches!(case.verdict, Verdict::Pass | Verdict::NotApplicable | Verdict::Skipped) {
        tc.set_system_out(exchange_log(case));
    }
    tc
}

fn non_success(kind: NonSuccessKind, case: &CaseResult) -> TestCaseStatus {
    let mut s = TestCaseStatus::non_success(kind);
    s.set_type(case.verdict.as_str());
    s.set_message(case.reason.as_deref().unwrap_or(case.verdict.as_str()));
    s.set_description(failure_text(case));
    s
}

/// The unmet expectations against what was observed, the findings, and the repeat count.
fn failure_text(case: &CaseResult) -> String {
    let mut out = String::new();
    for e in unmet_expectations(case) {
        let state = if e.met.is_none() { " (not evaluated)" } else { "" };
        let _ = writeln!(out, "step {}: expected {}; observed {}{state}", e.step, e.expected, e.observed);
    }
    for f in case_findings(case) {
        let _ = writeln!(out, "finding: {f}");
    }
    if let Some(s) = &case.stats {
        let _ = writeln!(out, "repeat: {} of {} runs passed", s.passed, s.runs);
    }
    out
}

/// The case's exchanges (masked), one a line, for the test's system-out.
fn exchange_log(case: &CaseResult) -> String {
    let mut out = String::new();
    for (run, x) in case_exchanges(case) {
        let _ = writeln!(
            out,
            "run {} step {} {}: > {} < {} ({})",
            run + 1,
            x.step,
            x.label,
            x.command,
            x.response.as_deref().unwrap_or("no answer"),
            format_us(x.latency_us)
        );
    }
    out
}
