//! Build-to-build diff: what changed between the run of the old firmware and the run of the
//! new one, case by case and in latency, and whether the two runs are comparable at all.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::digest::{case_exchanges, format_us, percentile, sorted_latencies};
use super::report::{CaseResult, RunReport, SuiteResult, Verdict};

/// When a case's latency counts as regressed: the new value is above the old by more than
/// `ratio` (0.5 = +50 %) *and* by at least `min_increase_us`, so that neither a slow card's
/// jitter nor a fast card's doubling from 1 to 2 ms is reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyThreshold {
    /// Relative growth, as a fraction of the old value.
    pub ratio: f64,
    /// Absolute growth, microseconds.
    pub min_increase_us: u64,
}

impl Default for LatencyThreshold {
    /// +50 % and +20 ms.
    fn default() -> Self {
        LatencyThreshold { ratio: 0.5, min_increase_us: 20_000 }
    }
}

impl LatencyThreshold {
    fn exceeded(&self, old_us: u64, new_us: u64) -> bool {
        new_us >= old_us.saturating_add(self.min_increase_us) && new_us as f64 > old_us as f64 * (1.0 + self.ratio)
    }
}

/// A case present in both runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChange {
    /// Suite id.
    pub suite: String,
    /// Case id.
    pub case: String,
    /// Title in the new run.
    pub title: String,
    /// Verdict in the old run.
    pub old: Verdict,
    /// Verdict in the new run.
    pub new: Verdict,
    /// Why, in the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reader, in reports of several readers (a case is compared reader by reader).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// A case present in one run only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOnly {
    /// Suite id.
    pub suite: String,
    /// Case id.
    pub case: String,
    /// Title.
    pub title: String,
    /// Its verdict in the run that has it.
    pub verdict: Verdict,
    /// The reader, in reports of several readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// A case whose exchanges got slower.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyRegression {
    /// Suite id.
    pub suite: String,
    /// Case id.
    pub case: String,
    /// `p95` or `max` (p95 when both regressed).
    pub metric: String,
    /// The metric in the old run, microseconds.
    pub old_us: u64,
    /// The metric in the new run, microseconds.
    pub new_us: u64,
    /// The exchange (by its step label) that grew most, comparing each label's slowest
    /// exchange in both runs, e.g. `GENERATE AC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_label: Option<String>,
    /// That exchange's slowest latency in the old run, microseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_old_us: Option<u64>,
    /// ... and in the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_new_us: Option<u64>,
    /// The reader, in reports of several readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// What changed from one run to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDiff {
    /// The old run's id.
    pub old_run: String,
    /// The new run's id.
    pub new_run: String,
    /// The old run's firmware.
    pub old_firmware: String,
    /// The new run's firmware.
    pub new_firmware: String,
    /// Why the two runs may not be the same campaign (suite hash or version changed, suites
    /// added or removed, another DUT model or reader); empty when they are.
    pub campaign_warnings: Vec<String>,
    /// Passed or not applicable before, failed, errored or inconclusive now.
    pub regressed: Vec<CaseChange>,
    /// Failed, errored or inconclusive before, passes now.
    pub fixed: Vec<CaseChange>,
    /// In the new run only.
    pub new_cases: Vec<CaseOnly>,
    /// In the old run only.
    pub removed_cases: Vec<CaseOnly>,
    /// Failing (fail, error, inconclusive) in both runs.
    pub unchanged_failing: Vec<CaseChange>,
    /// Every other change of verdict (e.g. pass to skipped, not-applicable to pass).
    pub verdict_changes: Vec<CaseChange>,
    /// Cases whose p95 or maximum exchange latency grew beyond the threshold.
    pub latency_regressions: Vec<LatencyRegression>,
    /// The threshold used.
    pub latency_threshold: LatencyThreshold,
}

fn is_failing(v: Verdict) -> bool {
    matches!(v, Verdict::Fail | Verdict::Error | Verdict::Inconclusive)
}

/// Diffs two runs with the default latency threshold (+50 % and +20 ms).
pub fn diff_reports(old: &RunReport, new: &RunReport) -> ReportDiff {
    diff_reports_with(old, new, LatencyThreshold::default())
}

/// Diffs two runs with the given latency threshold.
pub fn diff_reports_with(old: &RunReport, new: &RunReport, threshold: LatencyThreshold) -> ReportDiff {
    let mut d = ReportDiff {
        old_run: old.run_id.clone(),
        new_run: new.run_id.clone(),
        old_firmware: old.dut.firmware.clone(),
        new_firmware: new.dut.firmware.clone(),
        campaign_warnings: campaign_warnings(old, new),
        regressed: Vec::new(),
        fixed: Vec::new(),
        new_cases: Vec::new(),
        removed_cases: Vec::new(),
        unchanged_failing: Vec::new(),
        verdict_changes: Vec::new(),
        latency_regressions: Vec::new(),
        latency_threshold: threshold,
    };
    // A case is keyed by suite, id and, in reports of several readers, reader.
    let reader_of = |c: &CaseResult| c.reader.as_ref().map(|r| r.name.clone());
    let old_cases: BTreeMap<(&str, &str, Option<String>), &CaseResult> =
        old.cases().map(|(s, c)| ((s.id.as_str(), c.id.as_str(), reader_of(c)), c)).collect();
    let new_keys: std::collections::BTreeSet<(&str, &str, Option<String>)> =
        new.cases().map(|(s, c)| (s.id.as_str(), c.id.as_str(), reader_of(c))).collect();
    for (s, n) in new.cases() {
        let Some(o) = old_cases.get(&(s.id.as_str(), n.id.as_str(), reader_of(n))) else {
            d.new_cases.push(CaseOnly {
                suite: s.id.clone(),
                case: n.id.clone(),
                title: n.title.clone(),
                verdict: n.verdict,
                reader: reader_of(n),
            });
            continue;
        };
        let change = CaseChange {
            suite: s.id.clone(),
            case: n.id.clone(),
            title: n.title.clone(),
            old: o.verdict,
            new: n.verdict,
            reason: n.reason.clone(),
            reader: reader_of(n),
        };
        let was_good = matches!(o.verdict, Verdict::Pass | Verdict::NotApplicable);
        if was_good && is_failing(n.verdict) {
            d.regressed.push(change);
        } else if is_failing(o.verdict) && n.verdict == Verdict::Pass {
            d.fixed.push(change);
        } else if is_failing(o.verdict) && is_failing(n.verdict) {
            d.unchanged_failing.push(change);
        } else if o.verdict != n.verdict {
            d.verdict_changes.push(change);
        }
        if let Some(mut r) = latency_regression(&s.id, o, n, threshold) {
            r.reader = reader_of(n);
            d.latency_regressions.push(r);
        }
    }
    for (s, o) in old.cases() {
        if !new_keys.contains(&(s.id.as_str(), o.id.as_str(), reader_of(o))) {
            d.removed_cases.push(CaseOnly {
                suite: s.id.clone(),
                case: o.id.clone(),
                title: o.title.clone(),
                verdict: o.verdict,
                reader: reader_of(o),
            });
        }
    }
    d
}

fn campaign_warnings(old: &RunReport, new: &RunReport) -> Vec<String> {
    let mut w = Vec::new();
    if old.dut.model != new.dut.model {
        w.push(format!("DUT model differs: {:?} then {:?}", old.dut.model, new.dut.model));
    }
    if old.reader.name != new.reader.name || old.reader.kind != new.reader.kind {
        w.push(format!(
            "reader differs: {:?} ({}) then {:?} ({})",
            old.reader.name, old.reader.kind, new.reader.name, new.reader.kind
        ));
    }
    let old_suites: BTreeMap<&str, &SuiteResult> = old.suites.iter().map(|s| (s.id.as_str(), s)).collect();
    for s in &new.suites {
        match old_suites.get(s.id.as_str()) {
            None => w.push(format!("suite {} {} added", s.id, s.version)),
            Some(o) if o.version != s.version || o.sha256 != s.sha256 => w.push(format!(
                "suite {} changed: version {} sha256 {} then version {} sha256 {}",
                s.id, o.version, o.sha256, s.version, s.sha256
            )),
            Some(_) => {}
        }
    }
    for o in &old.suites {
        if !new.suites.iter().any(|s| s.id == o.id) {
            w.push(format!("suite {} {} removed", o.id, o.version));
        }
    }
    w
}

fn latency_regression(
    suite: &str,
    old: &CaseResult,
    new: &CaseResult,
    t: LatencyThreshold,
) -> Option<LatencyRegression> {
    let (o, n) = (sorted_latencies(old), sorted_latencies(new));
    if o.is_empty() || n.is_empty() {
        return None;
    }
    let (o95, n95) = (percentile(&o, 95), percentile(&n, 95));
    let (omax, nmax) = (o[o.len() - 1], n[n.len() - 1]);
    let (metric, old_us, new_us) = if t.exceeded(o95, n95) {
        ("p95", o95, n95)
    } else if t.exceeded(omax, nmax) {
        ("max", omax, nmax)
    } else {
        return None;
    };
    let slowest_by_label = |c: &CaseResult| {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for (_, x) in case_exchanges(c) {
            let e = m.entry(x.label.clone()).or_default();
            *e = (*e).max(x.latency_us);
        }
        m
    };
    let (ol, nl) = (slowest_by_label(old), slowest_by_label(new));
    let grown = nl
        .iter()
        .filter_map(|(label, &nu)| ol.get(label).map(|&ou| (label, ou, nu)))
        .filter(|&(_, ou, nu)| nu > ou)
        .max_by_key(|&(_, ou, nu)| nu - ou);
    Some(LatencyRegression {
        suite: suite.to_string(),
        case: new.id.clone(),
        metric: metric.to_string(),
        old_us,
        new_us,
        step_label: grown.map(|(l, _, _)| l.clone()),
        step_old_us: grown.map(|(_, ou, _)| ou),
        step_new_us: grown.map(|(_, _, nu)| nu),
        reader: None,
    })
}

/// ` @ READER` for a case of a report of several readers.
fn at(reader: &Option<String>) -> String {
    reader.as_ref().map(|r| format!(" @ {r}")).unwrap_or_default()
}

impl ReportDiff {
    /// Whether the new build is worse: a case regressed or got slower.
    pub fn has_regressions(&self) -> bool {
        self.has_verdict_regressions() || !self.latency_regressions.is_empty()
    }

    /// Whether the new build is worse in verdicts: a case regressed, or a case of the new run
    /// only fails (fail, error, inconclusive). Latency is not a verdict: timings move with the
    /// machine's load.
    pub fn has_verdict_regressions(&self) -> bool {
        !self.regressed.is_empty() || self.new_cases.iter().any(|c| is_failing(c.verdict))
    }

    /// The exit status of `tapcert report diff`: 1 when verdicts regressed, or when latency did
    /// and `fail_on_latency` is set; 0 otherwise.
    pub fn exit_code(&self, fail_on_latency: bool) -> u8 {
        u8::from(self.has_verdict_regressions() || (fail_on_latency && !self.latency_regressions.is_empty()))
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The diff for people.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "tapcert diff: {} ({}) -> {} ({})\n",
            self.old_run, self.old_firmware, self.new_run, self.new_firmware
        );
        for w in &self.campaign_warnings {
            let _ = writeln!(out, "WARNING: not the same campaign: {w}");
        }
        let changes = [
            ("regressed", &self.regressed),
            ("fixed", &self.fixed),
            ("still failing", &self.unchanged_failing),
            ("other verdict changes", &self.verdict_changes),
        ];
        for (what, list) in changes {
            let _ = writeln!(out, "{what}: {}", list.len());
            for c in list {
                let why = c.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} {}{} {}: {} -> {}{why}",
                    c.suite,
                    c.case,
                    at(&c.reader),
                    c.title,
                    c.old.as_str(),
                    c.new.as_str()
                );
            }
        }
        for (what, list) in [("new cases", &self.new_cases), ("removed cases", &self.removed_cases)] {
            let _ = writeln!(out, "{what}: {}", list.len());
            for c in list {
                let _ = writeln!(out, "  {} {}{} {}: {}", c.suite, c.case, at(&c.reader), c.title, c.verdict.as_str());
            }
        }
        let t = &self.latency_threshold;
        let _ = writeln!(
            out,
            "latency regressions (> +{:.0}% and > +{}): {}",
            t.ratio * 100.0,
            format_us(t.min_increase_us),
            self.latency_regressions.len()
        );
        for r in &self.latency_regressions {
            let _ = write!(
                out,
                "  {} {}{}: {} {} -> {}",
                r.suite,
                r.case,
                at(&r.reader),
                r.metric,
                format_us(r.old_us),
                format_us(r.new_us)
            );
            if let (Some(l), Some(o), Some(n)) = (&r.step_label, r.step_old_us, r.step_new_us) {
                let _ = write!(out, "; most growth in {l}: {} -> {}", format_us(o), format_us(n));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_needs_both_relative_and_absolute_growth() {
        let t = LatencyThreshold::default();
        assert!(t.exceeded(30_000, 60_000));
        assert!(!t.exceeded(1_000, 3_000), "doubling but only +2 ms");
        assert!(!t.exceeded(100_000, 140_000), "+40 ms but only +40 %");
        assert!(!t.exceeded(40_000, 60_000), "+20 ms is exactly +50 %, not above");
        let strict = LatencyThreshold { ratio: 0.1, min_increase_us: 1_000 };
        assert!(strict.exceeded(100_000, 112_000));
    }
}
