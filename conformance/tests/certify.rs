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
    assert_eq!(na, ["QR.IN.001", "QR.IN.002"], "only the cases on a --qr payload");
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
