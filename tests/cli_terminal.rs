//! `tapcert certify --terminal` from the command line, without pcscd: the reference terminal
//! in-process (clean and with a planted fault), flag errors, and an external terminal whose
//! vpcd is not there (an `error` verdict, never a hang). Through pcscd: `terminal_pcscd.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn tapcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapcert")).args(args).stdin(Stdio::null()).output().expect("run tapcert")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tapcert-cli-terminal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn verdict(report: &Value, id: &str) -> String {
    report["suites"][0]["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["verdict"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_reference_terminal_passes_and_a_planted_fault_fails_the_expected_cases() {
    let out = scratch("reference");
    let run = tapcert(&["certify", "--terminal", "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("the reference terminal (reference)"), "{stdout}");
    let r = report(&out);
    assert!(r["summary"]["cases"].as_u64().unwrap() >= 30);
    assert_eq!(r["summary"]["pass"], r["summary"]["cases"]);
    assert!(out.join("junit.xml").exists() && out.join("report.html").exists() && out.join("transcript.txt").exists());

    let faulty = scratch("constant-un");
    let run = tapcert(&["certify", "--terminal", "--terminal-fault", "constant-un", "--out", faulty.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let r = report(&faulty);
    assert_eq!(r["summary"]["fail"], 2);
    assert_eq!(r["dut"]["firmware"], "constant-un");
    assert_eq!((verdict(&r, "TT.UN.001"), verdict(&r, "TT.UN.002")), ("fail".into(), "fail".into()));

    // report diff names the two regressions between the runs.
    let diff = tapcert(&["report", "diff", out.to_str().unwrap(), faulty.to_str().unwrap()]);
    assert_eq!(diff.status.code(), Some(1));
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains("TT.UN.001") && text.contains("TT.UN.002"), "{text}");
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&faulty);
}

#[test]
fn bad_flags_are_usage_errors() {
    let run = tapcert(&["certify", "--terminal", "--terminal-fault", "nope"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("constant-un"), "lists the faults");
    let run = tapcert(&["certify", "--terminal-fault", "constant-un"]);
    assert_eq!(run.status.code(), Some(2), "--terminal-fault needs --terminal");
    let run = tapcert(&["certify", "--terminal", "--vpcd", "127.0.0.1:9", "--terminal-fault", "constant-un"]);
    assert_eq!(run.status.code(), Some(2), "faults are planted in the reference terminal only");
}

#[test]
fn an_external_terminal_without_vpcd_is_an_error_not_a_hang() {
    let suite = tapcert_conformance::certify::terminal::bundled_terminal_suites().unwrap()[0].text.clone();
    let (head, cases) = suite.split_once("[[case]]").unwrap();
    let first = cases.split("[[case]]").next().unwrap();
    let dir = scratch("no-vpcd");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("one.toml");
    std::fs::write(&file, format!("{head}[[case]]{first}")).unwrap();
    let out = dir.join("run");
    // Port 9 (discard) has no vpcd: the card cannot be inserted.
    let run = tapcert(&[
        "certify",
        "--terminal",
        "--vpcd",
        "127.0.0.1:9",
        "--suite",
        file.to_str().unwrap(),
        "--case-timeout",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(3), "{}", String::from_utf8_lossy(&run.stdout));
    let r = report(&out);
    assert_eq!(verdict(&r, "TT.SEL.001"), "error");
    assert_eq!(r["reader"]["kind"], "vpcd");
    let _ = std::fs::remove_dir_all(&dir);
}
