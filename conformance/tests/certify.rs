//! The bundled suites against the reference band and every faulty firmware profile, in-process
//! on a virtual clock: the reference passes everything, and each planted fault fails exactly
//! the cases `suites/faulty-profiles.toml` says, with the message it says.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::Deserialize;
use tapcert_conformance::certify::{RunOptions, RunReport, Verdict, bundled_suites, run_suites};
use tapcert_conformance::clock::ManualClock;
use tapcert_conformance::sim::{Band, BandConfig, CodeDisplay, ProfileKind, find_profile, profiles};
use tapcert_conformance::transport::InProcess;

fn certify(profile: &str, repeat: usize) -> RunReport {
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::from_micros(50));
    let mut band = InProcess::with_clock(Band::new(find_profile(profile).unwrap()), Arc::new(clock.clone()));
    let mut opts = RunOptions::new(format!("test-{profile}"));
    opts.repeat = repeat;
    opts.display = Some(CodeDisplay::new(BandConfig::default()));
    run_suites(&mut band, &bundled_suites().unwrap(), &mut opts, &clock, &AtomicBool::new(false), &mut |_| {})
}

fn verdicts(r: &RunReport) -> BTreeMap<String, Verdict> {
    r.cases().map(|(_, c)| (c.id.clone(), c.verdict)).collect()
}

#[test]
fn the_reference_band_passes_every_bundled_case() {
    let r = certify("reference", 1);
    let bad: Vec<_> = r
        .cases()
        .filter(|(_, c)| !matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable))
        .map(|(_, c)| (c.id.clone(), c.verdict, c.reason.clone()))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let na: Vec<_> =
        r.cases().filter(|(_, c)| c.verdict == Verdict::NotApplicable).map(|(_, c)| c.id.as_str()).collect();
    assert_eq!(
        na,
        ["TU.BAL.010", "T4T.MSG.002", "QR.IN.001", "QR.IN.002"],
        "only the cases on DUT-profile values (none given) and on a --qr payload"
    );
    assert!(r.summary.cases >= 60 && r.summary.apdus > 300, "{:?}", r.summary);
    assert_eq!(r.summary.exit_code(), 0);
}

#[derive(Debug, Deserialize)]
struct Expected {
    profile: Vec<ExpectedProfile>,
}

#[derive(Debug, Deserialize)]
struct ExpectedProfile {
    name: String,
    fails: Vec<String>,
    message: String,
}

#[test]
fn every_faulty_profile_fails_exactly_its_cases() {
    let expected: Expected = toml::from_str(include_str!("../suites/faulty-profiles.toml")).unwrap();
    let faulty: Vec<_> = profiles().into_iter().filter(|p| p.kind == ProfileKind::Faulty).map(|p| p.name).collect();
    let listed: Vec<_> = expected.profile.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(faulty, listed, "suites/faulty-profiles.toml lists every faulty profile, in order");
    for p in &expected.profile {
        let r = certify(&p.name, 1);
        let failed: Vec<_> = r.cases().filter(|(_, c)| c.verdict == Verdict::Fail).map(|(_, c)| c.id.clone()).collect();
        assert_eq!(failed, p.fails, "{}: failing cases", p.name);
        let (_, first) = r.cases().find(|(_, c)| c.id == p.fails[0]).unwrap();
        let reason = first.reason.as_deref().unwrap_or_default();
        assert!(reason.contains(&p.message), "{}: {} says {reason:?}, expected {:?}", p.name, first.id, p.message);
        assert_eq!(r.summary.exit_code(), 1);
        let others: Vec<_> = r
            .cases()
            .filter(|(_, c)| !matches!(c.verdict, Verdict::Pass | Verdict::Fail | Verdict::NotApplicable))
            .map(|(_, c)| (c.id.clone(), c.verdict))
            .collect();
        assert!(others.is_empty(), "{}: {others:?}", p.name);
    }
}

#[test]
fn repeat_gives_pass_rates_and_latency_percentiles() {
    let r = certify("reference", 20);
    let (_, c) = r.cases().find(|(_, c)| c.id == "EMV.AC.001").unwrap();
    let s = c.stats.as_ref().unwrap();
    assert_eq!((s.runs, s.passed, s.pass_rate), (20, 20, 1.0));
    assert!(
        s.latency_p50_us > 0 && s.latency_p50_us <= s.latency_p95_us && s.latency_p95_us <= s.latency_max_us,
        "{s:?}"
    );
    let slow = certify("slow-generate-ac", 3);
    let (_, c) = slow.cases().find(|(_, c)| c.id == "EMV.AC.004").unwrap();
    assert_eq!(c.stats.as_ref().unwrap().passed, 0);
    assert!(c.stats.as_ref().unwrap().latency_max_us >= 600_000);
}

#[test]
fn runs_reproduce() {
    assert_eq!(verdicts(&certify("reference", 1)), verdicts(&certify("reference", 1)));
    let a = certify("atc-stuck", 1).to_json();
    let b = certify("atc-stuck", 1).to_json();
    assert_eq!(a, b, "same band, same clock, same seed: the same report");
}

/// A link that loses the card after `budget` commands, for `outage` more attempts (or for good).
struct Flaky {
    inner: InProcess<Band>,
    budget: usize,
    outage: Option<usize>,
}

impl tapcert_conformance::transport::Transport for Flaky {
    fn reset(
        &mut self,
    ) -> Result<tapcert_conformance::transport::RawAtr, tapcert_conformance::transport::TransportError> {
        if self.budget == 0 && self.outage != Some(0) {
            if let Some(n) = &mut self.outage {
                *n -= 1;
            }
            return Err(tapcert_conformance::transport::TransportError::CardRemoved);
        }
        self.inner.reset()
    }
    fn transmit(
        &mut self,
        capdu: &[u8],
    ) -> Result<tapcert_conformance::transport::RawResponse, tapcert_conformance::transport::TransportError> {
        if self.budget == 0 && self.outage != Some(0) {
            return Err(tapcert_conformance::transport::TransportError::CardRemoved);
        }
        self.budget = self.budget.saturating_sub(1);
        self.inner.transmit(capdu)
    }
    fn field_off(&mut self, hold: Duration) -> Result<(), tapcert_conformance::transport::TransportError> {
        self.inner.field_off(hold)
    }
    fn info(&self) -> tapcert_conformance::transport::ReaderInfo {
        self.inner.info()
    }
}

fn run_on(
    t: &mut dyn tapcert_conformance::transport::Transport,
    stop: &AtomicBool,
    stop_after: Option<usize>,
) -> RunReport {
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::from_micros(50));
    let mut opts = RunOptions::new("faults");
    opts.display = Some(CodeDisplay::new(BandConfig::default()));
    let mut done = 0;
    run_suites(t, &bundled_suites().unwrap(), &mut opts, &clock, stop, &mut |p| {
        if let tapcert_conformance::certify::Progress::Done(_) = p {
            done += 1;
            if Some(done) == stop_after {
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    })
}

fn band_link() -> InProcess<Band> {
    let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
    InProcess::with_clock(Band::new(find_profile("reference").unwrap()), Arc::new(clock))
}

#[test]
fn ctrl_c_leaves_a_complete_report_of_what_ran() {
    let stop = AtomicBool::new(false);
    let r = run_on(&mut band_link(), &stop, Some(5));
    assert_eq!(r.interrupted.as_deref(), Some("interrupted"));
    let verdicts: Vec<_> = r.cases().map(|(_, c)| c.verdict).collect();
    assert!(verdicts[..5].iter().all(|v| *v == Verdict::Pass), "{verdicts:?}");
    assert!(verdicts[5..].iter().all(|v| *v == Verdict::Skipped), "{verdicts:?}");
    assert_eq!(r.summary.cases, verdicts.len());
    let again = RunReport::from_json(&r.to_json()).unwrap();
    assert_eq!(again, r, "the report reads back");
}

#[test]
fn a_card_gone_for_good_makes_errors_not_failures() {
    let stop = AtomicBool::new(false);
    let mut t = Flaky { inner: band_link(), budget: 40, outage: None };
    let r = run_on(&mut t, &stop, None);
    let errors = r.cases().filter(|(_, c)| c.verdict == Verdict::Error).count();
    assert!(errors > 30, "{:?}", r.summary);
    assert_eq!(r.summary.fail, 0, "a missing card is not a non-conformance: {:?}", r.summary);
    assert_eq!(r.summary.exit_code(), 3);
    let (_, first) = r.cases().find(|(_, c)| c.verdict == Verdict::Error).unwrap();
    assert!(first.reason.as_deref().unwrap_or_default().contains("card removed"), "{:?}", first.reason);
}

#[test]
fn a_card_that_comes_back_costs_one_case() {
    let stop = AtomicBool::new(false);
    // Two failed resets: the runner's reconnect at the start of a case absorbs one.
    let mut t = Flaky { inner: band_link(), budget: 40, outage: Some(2) };
    let r = run_on(&mut t, &stop, None);
    let bad: Vec<_> = r
        .cases()
        .filter(|(_, c)| !matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable))
        .map(|(_, c)| (c.id.clone(), c.verdict))
        .collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].1, Verdict::Error);
}
