//! `tapcert certify`, `tapcert report diff` and `tapcert suite` as a user runs them: exit codes,
//! the summary, the files written, and what the diff says between builds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn tapcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).output().expect("run tapcert")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tapcert-cli-certify-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn certify(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["certify", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    tapcert(&args)
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

#[test]
fn certify_without_arguments_certifies_the_reference_band() {
    let dir = out_dir("reference");
    let out = certify(&dir, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("74 cases: 72 pass, 0 fail, 0 error, 2 not applicable"), "{stdout}");
    for f in ["report.json", "junit.xml", "report.html", "transcript.txt"] {
        assert!(dir.join(f).is_file(), "{f}");
        assert!(stdout.contains(f), "{stdout}");
    }
    let r = report(&dir);
    assert_eq!(r["schema"], 1);
    assert_eq!(r["dut"]["sim_profile"], "reference");
    assert_eq!(r["suites"].as_array().unwrap().len(), 5);
    assert!(r["suites"].as_array().unwrap().iter().all(|s| s["sha256"].as_str().unwrap().len() == 64));
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    assert!(!text.contains("5413330089600010"), "the test PAN is masked in the report");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_faulty_build_fails_and_the_diff_names_the_regression() {
    let (good, bad, slow) = (out_dir("good"), out_dir("bad"), out_dir("slow"));
    let suite = ["--suite", "emv-contactless"];
    assert_eq!(certify(&good, &suite).status.code(), Some(0));
    let out = certify(&bad, &["--sim", "atc-stuck", "--suite", "emv-contactless"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("fail emv-contactless EMV.ATC.001"), "{stdout}");

    let diff = tapcert(&["report", "diff", good.to_str().unwrap(), bad.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert_eq!(diff.status.code(), Some(1), "a regression exits 1: {text}");
    assert!(text.contains("EMV.ATC.001"), "{text}");
    let json = tapcert(&["report", "diff", "--json", good.to_str().unwrap(), bad.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["regressed"][0]["case"], "EMV.ATC.001", "{v}");
    assert_eq!(v["campaign_warnings"].as_array().unwrap().len(), 0, "same campaign, same reader: {v}");

    // The slow GENERATE AC build: a latency regression on that step.
    assert_eq!(certify(&slow, &["--sim", "slow-generate-ac", "--suite", "emv-contactless"]).status.code(), Some(1));
    let diff = tapcert(&["report", "diff", good.to_str().unwrap(), slow.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains("GENERATE AC"), "{text}");
    assert!(text.contains("EMV.AC.004"), "{text}");
    for d in [good, bad, slow] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn repeat_reports_pass_rates_and_latency_percentiles() {
    let dir = out_dir("repeat");
    let out = certify(&dir, &["--suite", "access-uid", "--repeat", "20"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let r = report(&dir);
    let case = &r["suites"][0]["cases"][0];
    assert_eq!(case["stats"]["runs"], 20);
    assert_eq!(case["stats"]["pass_rate"], 1.0);
    assert!(case["stats"]["latency_p95_us"].as_u64().unwrap() >= case["stats"]["latency_p50_us"].as_u64().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2() {
    let out = tapcert(&["certify", "--suite", "no-such-suite"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bundled suites are"));
    assert_eq!(tapcert(&["certify", "--sim", "no-such-profile"]).status.code(), Some(2));
    assert_eq!(tapcert(&["certify", "--repeat", "0"]).status.code(), Some(2));
    assert_eq!(tapcert(&["certify", "--sim", "reference", "--reader", "x"]).status.code(), Some(2));
}

#[test]
fn suites_list_and_import() {
    let list = String::from_utf8(tapcert(&["suite", "list"]).stdout).unwrap();
    assert_eq!(list.lines().count(), 6, "{list}");
    assert!(list.lines().last().unwrap().starts_with("terminal-emv\t1.1.0\t48 cases\t"), "{list}");
    assert!(list.starts_with("emv-contactless\t1.0.0\t"), "{list}");
    let script = std::env::temp_dir().join(format!("tapcert-import-{}.txt", std::process::id()));
    std::fs::write(&script, "00A4040005A00000009900 (6A82)\nFFCA000000 [XXXXXXXXXXXXXX] (9000)\n").unwrap();
    let out = tapcert(&["suite", "import", script.to_str().unwrap(), "--id", "probe"]);
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(toml.contains("id = \"probe\"") && toml.contains("sw = [\"6A82\"]"), "{toml}");
    // The imported suite runs against the band and passes.
    let suite = script.with_extension("toml");
    std::fs::write(&suite, &toml).unwrap();
    let dir = out_dir("imported");
    let out = certify(&dir, &["--suite", suite.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    for p in [script, suite] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Scales every `latency_us` in a report document (a slower machine, the same verdicts).
fn slow_down(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x.as_u64() {
                    Some(us) if k == "latency_us" => *x = Value::from(us * 10 + 100_000),
                    _ => slow_down(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(slow_down),
        _ => {}
    }
}

#[test]
fn report_diff_fails_on_latency_only_when_asked() {
    let dir = out_dir("latency-old");
    assert_eq!(certify(&dir, &["--suite", "emv-contactless"]).status.code(), Some(0));
    let mut doc = report(&dir);
    slow_down(&mut doc);
    let slower = dir.with_file_name(format!("{}-slower.json", dir.file_name().unwrap().to_str().unwrap()));
    std::fs::write(&slower, serde_json::to_string(&doc).unwrap()).unwrap();
    let (old, new) = (dir.to_str().unwrap(), slower.to_str().unwrap());
    let diff = tapcert(&["report", "diff", old, new]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains("latency regressions") && !text.contains("latency regressions (> +50% and > +20 ms): 0"),
        "{text}"
    );
    assert!(text.contains("regressed: 0"), "{text}");
    assert_eq!(diff.status.code(), Some(0), "latency alone is reported, not failed: {text}");
    let strict = tapcert(&["report", "diff", "--fail-on-latency", old, new]);
    assert_eq!(strict.status.code(), Some(1), "{}", String::from_utf8_lossy(&strict.stdout));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&slower);
}
