//! A lab's runs in the library: several readers (lanes) joined into one report with the
//! reader-by-case matrix, `merge_reports` of reader shards and what it refuses, hooks that
//! fail, prompts in a non-interactive run, and a device that is not presented.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use tapcert_conformance::certify::{
    App, Hook, Lane, LaneMode, MergeError, NonInteractive, RunOptions, RunReport, Suite, Verdict, bundled_suites,
    merge_reports, parse_suite, run_lanes, run_suites,
};
use tapcert_conformance::clock::{Clock, ManualClock};
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::transport::{
    CardPresence, InProcess, Intercept, Layered, RawResponse, Transport, TransportError,
};

fn clock() -> ManualClock {
    ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO)
}

fn suites(ids: &[&str]) -> Vec<Suite> {
    bundled_suites().unwrap().into_iter().filter(|s| ids.contains(&s.id.as_str())).collect()
}

/// A band with firmware `profile` in a reader called `reader`; `apps` limits what its DUT
/// profile says it carries.
fn lane(reader: &str, profile: &str, apps: Option<&[App]>) -> Lane {
    let clock: Arc<dyn Clock> = Arc::new(clock());
    let band = InProcess::with_clock(Band::new(find_profile(profile).unwrap()), clock.clone()).named(reader);
    let mut opts = RunOptions::new("lab");
    if let Some(apps) = apps {
        opts.apps = apps.to_vec();
    }
    opts.dut.model = format!("band {profile}");
    Lane { transport: Box::new(band), opts, clock, vendor: None, firmware: Some("1.0.0".into()) }
}

fn verdict(r: &RunReport, case: &str, reader: &str) -> Verdict {
    r.cases()
        .map(|(_, c)| c)
        .find(|c| c.id == case && c.reader.as_ref().is_some_and(|x| x.name == reader))
        .unwrap_or_else(|| panic!("{case} on {reader}"))
        .verdict
}

#[test]
fn two_readers_at_once_make_one_report_with_a_reader_by_case_matrix() {
    let s = suites(&["emv-contactless", "transit-cn"]);
    let no_transit = [App::Emv, App::Ndef, App::Uid, App::Qr];
    let mut lanes = [lane("reader-a", "reference", None), lane("reader-b", "atc-stuck", Some(&no_transit))];
    lanes[0].opts.expected.balance = Some(tapcert_conformance::sim::BandConfig::default().initial_balance);
    let r = run_lanes(&mut lanes, &s, LaneMode::Concurrent, &AtomicBool::new(false), &|_, _| {}).unwrap();
    let names: Vec<&str> = r.readers.iter().map(|l| l.reader.name.as_str()).collect();
    assert_eq!(names, ["reader-a", "reader-b"]);
    assert_eq!(r.reader.name, "reader-a + reader-b");
    assert_eq!(r.readers[1].dut.model, "band atc-stuck", "each reader keeps its device");
    assert_eq!(r.readers[0].reader.firmware.as_deref(), Some("1.0.0"));
    assert!(r.readers[0].reader.atr.is_some(), "the ATR of each reader's device");
    assert!(r.cases().all(|(_, c)| c.reader.is_some()), "reader identity in every result");
    let per_reader = s.iter().map(|s| s.cases.len()).sum::<usize>();
    assert_eq!(r.summary.cases, 2 * per_reader);
    // The planted fault fails on reader-b only: a reader-specific failure.
    assert_eq!(
        (verdict(&r, "EMV.ATC.001", "reader-a"), verdict(&r, "EMV.ATC.001", "reader-b")),
        (Verdict::Pass, Verdict::Fail)
    );
    let row = r.matrix.iter().find(|m| m.case == "EMV.ATC.001").unwrap();
    assert_eq!(row.verdicts, [Some(Verdict::Pass), Some(Verdict::Fail)]);
    assert!(row.reader_specific);
    // The missing transit application is not applicable on reader-b only.
    for (_, c) in r.cases().filter(|(s, _)| s.id == "transit-cn") {
        let on_b = c.reader.as_ref().unwrap().name == "reader-b";
        assert_eq!(c.verdict == Verdict::NotApplicable, on_b, "{} on {:?}", c.id, c.reader);
    }
    assert_eq!(r.matrix.len(), per_reader);
    let specific: Vec<&str> = r.matrix.iter().filter(|m| m.reader_specific).map(|m| m.case.as_str()).collect();
    assert_eq!(specific, ["EMV.ATC.001"], "not-applicable is not a failure");
    // Every rendering has the readers.
    let json = r.to_json();
    assert_eq!(RunReport::from_json(&json).unwrap(), r);
    let junit = tapcert_conformance::certify::render_junit(&r).unwrap();
    assert!(junit.contains("name=\"emv-contactless @ reader-b [band atc-stuck]\""), "one testsuite per reader");
    let html = tapcert_conformance::certify::render_html(&r);
    assert!(html.contains("<table id=\"matrix\">") && html.contains("class=\"reader-specific\""));
    let diff = tapcert_conformance::certify::diff_reports(&r, &r);
    assert!(diff.regressed.is_empty() && diff.new_cases.is_empty() && diff.removed_cases.is_empty());
    // A regression on one reader is that reader's, in the diff and its text.
    let mut worse = r.clone();
    let case = worse
        .suites
        .iter_mut()
        .flat_map(|s| s.cases.iter_mut())
        .find(|c| c.id == "EMV.SEL.001" && c.reader.as_ref().is_some_and(|x| x.name == "reader-a"));
    let case = case.unwrap();
    case.verdict = Verdict::Fail;
    case.reason = Some("planted".into());
    let diff = tapcert_conformance::certify::diff_reports(&r, &worse);
    assert_eq!(diff.regressed.len(), 1, "{diff:?}");
    assert_eq!(
        (diff.regressed[0].case.as_str(), diff.regressed[0].reader.as_deref()),
        ("EMV.SEL.001", Some("reader-a"))
    );
    assert!(diff.to_text().contains("EMV.SEL.001 @ reader-a"), "{}", diff.to_text());
}

#[test]
fn merging_reader_shards_equals_the_run_of_both_readers() {
    let s = suites(&["access-uid", "ndef-t4t"]);
    let stop = AtomicBool::new(false);
    let mut both = [lane("reader-a", "reference", None), lane("reader-b", "ndef-nlen-overflow", None)];
    let joined = run_lanes(&mut both, &s, LaneMode::Sequential, &stop, &|_, _| {}).unwrap();
    let shard = |name: &str, profile: &str| {
        let mut l = [lane(name, profile, None)];
        run_lanes(&mut l, &s, LaneMode::Sequential, &stop, &|_, _| {}).unwrap()
    };
    let (a, b) = (shard("reader-a", "reference"), shard("reader-b", "ndef-nlen-overflow"));
    assert!(a.readers.is_empty(), "one reader: the single-reader shape");
    let merged = merge_reports(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(merged, joined);
    assert!(merged.matrix.iter().any(|m| m.reader_specific), "{:?}", merged.matrix);
    // The same shard twice (same reader): refused, naming the reader.
    let err = merge_reports(&[merged.clone(), b.clone()]).unwrap_err();
    assert!(matches!(&err, MergeError::CaseTwice { reader: Some(r), index: 1, .. } if r == "reader-b"), "{err}");
    assert!(err.to_string().contains("on reader-b is in two reports"), "{err}");
}

#[test]
fn merge_refuses_other_versions_suites_and_repeats() {
    let s = suites(&["access-uid"]);
    let stop = AtomicBool::new(false);
    let run = |name: &str| {
        let mut l = [lane(name, "reference", None)];
        run_lanes(&mut l, &s, LaneMode::Sequential, &stop, &|_, _| {}).unwrap()
    };
    let (a, b) = (run("reader-a"), run("reader-b"));
    let mut older = b.clone();
    older.tapcert_version = "0.0.9".into();
    let e = merge_reports(&[a.clone(), older]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("report 1 was written by tapcert 0.0.9, the first by tapcert {}", a.tapcert_version)
    );
    let mut edited = b.clone();
    edited.suites[0].sha256 = "00".repeat(32);
    assert!(matches!(merge_reports(&[a.clone(), edited]).unwrap_err(), MergeError::SuiteChanged { index: 1, .. }));
    let mut repeated = b.clone();
    repeated.repeat = 3;
    assert!(matches!(
        merge_reports(&[a.clone(), repeated]).unwrap_err(),
        MergeError::Repeat { index: 1, ours: 1, theirs: 3 }
    ));
    assert!(matches!(merge_reports(&[a.clone(), a]).unwrap_err(), MergeError::CaseTwice { reader: None, .. }));
    assert_eq!(merge_reports(&[]).unwrap_err(), MergeError::Empty);
}

fn one_band(opts: &mut RunOptions, suite: &[Suite]) -> RunReport {
    let c = clock();
    let mut band = InProcess::with_clock(Band::new(find_profile("reference").unwrap()), Arc::new(c.clone()));
    run_suites(&mut band, suite, opts, &c, &AtomicBool::new(false), &mut |_| {})
}

#[test]
fn a_failing_hook_makes_the_case_error_with_its_output() {
    let s = suites(&["access-uid"]);
    let mut opts = RunOptions::new("hooks");
    opts.hooks.before_case = Some(Hook {
        command: "echo \"relay for $TAPCERT_CASE on $TAPCERT_READER\"; [ \"$TAPCERT_CASE\" != UID.002 ] || { echo relay stuck >&2; exit 4; }".into(),
        timeout: Duration::from_secs(20),
    });
    let r = one_band(&mut opts, &s);
    let (_, failed) = r.cases().find(|(_, c)| c.id == "UID.002").unwrap();
    assert_eq!(failed.verdict, Verdict::Error);
    let reason = failed.reason.as_deref().unwrap();
    assert!(
        reason.starts_with("before-case hook `echo")
            && reason.contains("exited 4: relay for UID.002 on in-process | relay stuck"),
        "{reason}"
    );
    assert_eq!(failed.runs[0].hooks[0].output, "relay for UID.002 on in-process\nrelay stuck\n");
    assert!(failed.runs[0].exchanges.is_empty(), "the case did not run");
    let others: Vec<_> = r.cases().filter(|(_, c)| c.id != "UID.002").map(|(_, c)| c).collect();
    assert!(others.iter().all(|c| c.verdict == Verdict::Pass && c.runs[0].hooks[0].exit == Some(0)), "the run goes on");
    // A hook that never ends is killed at its timeout and errs the case the same way.
    opts.hooks.before_case = Some(Hook { command: "sleep 30".into(), timeout: Duration::from_millis(100) });
    let started = Instant::now();
    let r = one_band(&mut opts, &suites(&["access-uid"])[..]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        r.cases()
            .all(|(_, c)| c.verdict == Verdict::Error && c.reason.as_deref().unwrap().contains("ran past its timeout"))
    );
}

#[test]
fn a_failing_suite_hook_errs_every_case_of_the_suite() {
    let s = suites(&["access-uid"]);
    let mut opts = RunOptions::new("hooks");
    opts.hooks.before_suite =
        Some(Hook { command: "echo no adb device; exit 1".into(), timeout: Duration::from_secs(20) });
    let r = one_band(&mut opts, &s);
    for (_, c) in r.cases() {
        assert_eq!(c.verdict, Verdict::Error);
        assert_eq!(c.reason.as_deref(), Some("before-suite hook `echo no adb device; exit 1` exited 1: no adb device"));
    }
}

#[test]
fn a_prompt_in_a_non_interactive_run_errs_at_once() {
    let text = "id = \"p\"\nversion = \"1.0.0\"\ntitle = \"prompted\"\n\n[[case]]\nid = \"P.001\"\ntitle = \"UID after a tap\"\nrequirements = [\"x\"]\nprompt = \"tap the band\"\nsteps = [{ procedure = \"uid\", expect = { completed = true } }]\n";
    let suite = parse_suite("p.toml", text).unwrap();
    assert_eq!(suite.cases[0].prompt.as_deref(), Some("tap the band"));
    let mut opts = RunOptions::new("prompt");
    opts.operator = Some(Arc::new(NonInteractive::quiet()));
    opts.prompt_timeout = Duration::from_secs(3600);
    let started = Instant::now();
    let r = one_band(&mut opts, &[suite]);
    assert!(started.elapsed() < Duration::from_secs(30), "did not wait for a person");
    let (_, c) = r.cases().next().unwrap();
    assert_eq!(c.verdict, Verdict::Error);
    assert_eq!(
        c.reason.as_deref(),
        Some(
            "the case needs a person at in-process (\"tap the band\") and the run is non-interactive (no TTY on stdin, --non-interactive or CI set)"
        )
    );
}

#[test]
fn a_device_not_presented_in_time_errs_its_case_and_stops_the_run() {
    let s = suites(&["access-uid"]);
    let c = clock();
    let mut band = InProcess::with_clock(Band::new(find_profile("reference").unwrap()), Arc::new(c.clone()));
    band.remove();
    let mut opts = RunOptions::new("tap");
    opts.tap_timeout = Some(Duration::from_secs(5));
    opts.hooks.after_fault =
        Some(Hook { command: "echo \"power-cycle: $TAPCERT_FAULT\"".into(), timeout: Duration::from_secs(20) });
    let r = run_suites(&mut band, &s, &mut opts, &c, &AtomicBool::new(false), &mut |_| {});
    let cases: Vec<_> = r.cases().map(|(_, c)| c).collect();
    assert_eq!(cases[0].verdict, Verdict::Error);
    assert!(
        cases[0].reason.as_deref().unwrap().starts_with("device removed: not presented again to in-process"),
        "{:?}",
        cases[0].reason
    );
    assert!(cases[1..].iter().all(|c| c.verdict == Verdict::Skipped), "the run stops");
    let hook = &cases[0].runs[0].hooks[0];
    assert_eq!(hook.hook, "after-fault");
    assert!(hook.output.starts_with("power-cycle: device removed: not presented again"), "{}", hook.output);
    assert!(r.interrupted.as_deref().unwrap().contains("device removed"));
}

#[test]
fn dut_expected_values_are_checked_by_the_cases_that_read_them() {
    let s = suites(&["transit-cn", "ndef-t4t"]);
    let verdict_of = |r: &RunReport, id: &str| r.cases().find(|(_, c)| c.id == id).map(|(_, c)| c.clone()).unwrap();
    // Stated by no profile: not applicable, not a failure.
    let r = one_band(&mut RunOptions::new("none"), &s);
    let c = verdict_of(&r, "TU.BAL.010");
    assert_eq!(
        (c.verdict, c.reason.as_deref()),
        (Verdict::NotApplicable, Some("the DUT profile states no expected balance"))
    );
    assert_eq!(verdict_of(&r, "T4T.MSG.002").verdict, Verdict::NotApplicable);
    // The values the band was personalised with: pass.
    let personalised = tapcert_conformance::sim::BandConfig::default();
    let mut opts = RunOptions::new("right");
    opts.expected.balance = Some(personalised.initial_balance);
    opts.expected.ndef_message = Some(hex::encode(&personalised.ndef_message));
    let r = one_band(&mut opts, &s);
    assert_eq!(
        (verdict_of(&r, "TU.BAL.010").verdict, verdict_of(&r, "T4T.MSG.002").verdict),
        (Verdict::Pass, Verdict::Pass)
    );
    // Other values: fail, with the expected and the observed value.
    let mut opts = RunOptions::new("wrong");
    opts.expected.balance = Some(999);
    opts.expected.ndef_message = Some("D00000".into());
    let r = one_band(&mut opts, &s);
    let bal = verdict_of(&r, "TU.BAL.010");
    assert_eq!(bal.verdict, Verdict::Fail);
    assert_eq!(
        bal.reason.as_deref(),
        Some(format!("expected balance = 999 (DUT profile), observed {}", personalised.initial_balance).as_str())
    );
    let msg = verdict_of(&r, "T4T.MSG.002");
    assert_eq!(msg.verdict, Verdict::Fail);
    assert!(
        msg.reason.as_deref().unwrap().starts_with("expected ndef-message = D00000 (DUT profile), observed D1"),
        "{:?}",
        msg.reason
    );
}

/// The band behind a link that loses it after `remove_after` commands (the person pulled it
/// away) and gets it back when the runner waits for it (the person presents it again).
struct Pulled {
    remove_after: Option<usize>,
    sent: usize,
    waits: usize,
}

impl Intercept<InProcess<Band>> for Pulled {
    fn transmit(&mut self, inner: &mut InProcess<Band>, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        self.sent += 1;
        if self.remove_after == Some(self.sent) {
            inner.remove();
        }
        inner.transmit(capdu)
    }
    fn wait_for(
        &mut self,
        inner: &mut InProcess<Band>,
        want: CardPresence,
        timeout: Duration,
    ) -> Result<(), TransportError> {
        self.waits += 1;
        if want == CardPresence::Present {
            inner.insert();
        }
        inner.wait_for(want, timeout)
    }
}

#[test]
fn a_case_interrupted_by_a_removal_is_retried_once_the_device_is_back() {
    let s = suites(&["access-uid"]);
    let c = clock();
    let band = InProcess::with_clock(Band::new(find_profile("reference").unwrap()), Arc::new(c.clone()));
    let mut link = Layered::with(band, Pulled { remove_after: Some(1), sent: 0, waits: 0 });
    let mut opts = RunOptions::new("pulled");
    opts.tap_timeout = Some(Duration::from_secs(5));
    let r = run_suites(&mut link, &s, &mut opts, &c, &AtomicBool::new(false), &mut |_| {});
    let cases: Vec<_> = r.cases().map(|(_, c)| c).collect();
    assert!(
        cases.iter().all(|c| c.verdict == Verdict::Pass),
        "{:#?}",
        cases.iter().map(|c| (&c.id, c.verdict, &c.reason)).collect::<Vec<_>>()
    );
    let reason = cases[0].reason.as_deref().unwrap();
    assert!(reason.starts_with("retried: the device was removed during the first attempt ("), "{reason}");
    assert!(cases[1..].iter().all(|c| c.reason.is_none()), "only the interrupted case was retried");
    assert!(link.layer().waits >= 1, "the runner waited for the device");
    assert!(r.interrupted.is_none());
}

#[test]
fn ctrl_c_during_lanes_at_once_leaves_one_complete_report() {
    let s = suites(&["emv-contactless"]);
    let stop = AtomicBool::new(false);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut lanes = [lane("reader-a", "reference", None), lane("reader-b", "reference", None)];
    let r = run_lanes(&mut lanes, &s, LaneMode::Concurrent, &stop, &|_, p| {
        if let tapcert_conformance::certify::Progress::Done(_) = p
            && done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 6
        {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    })
    .unwrap();
    assert_eq!(r.interrupted.as_deref(), Some("interrupted; interrupted"), "both lanes stopped");
    let per_reader = s[0].cases.len();
    assert_eq!(r.summary.cases, 2 * per_reader, "every case of both readers is in the report");
    assert!(r.summary.skipped > 0 && r.summary.pass >= 6 - 2);
    assert_eq!(RunReport::from_json(&r.to_json()).unwrap(), r, "readable");
}
