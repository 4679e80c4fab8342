//! `tapcert certify` with a person and devices around it, through the binary: a DUT-profile
//! hook that fails marks its case `error` with the hook's output; a case with a prompt in a
//! run without a TTY does not wait; `report merge` refuses what it cannot join, saying why.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tapcert-cli-attended-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs tapcert with stdin closed (no TTY) and `CI` unset, killed if it is not done in 120 s:
/// a run that waits for a person fails the test instead of hanging it.
fn tapcert(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapcert"))
        .args(args)
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tapcert");
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("tapcert {args:?} still running after 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn cases(r: &Value) -> Vec<Value> {
    r["suites"].as_array().unwrap().iter().flat_map(|s| s["cases"].as_array().unwrap().clone()).collect()
}

#[test]
fn a_hook_that_fails_marks_its_case_error_with_the_hook_output() {
    let dir = scratch("hook");
    let dut = dir.join("dut.toml");
    std::fs::write(
        &dut,
        "kind = \"band\"\nmodel = \"band-x\"\nfirmware = \"1\"\napps = [\"uid\"]\n\n[hooks]\ntimeout_s = 20\n\
         before_case = \"echo \\\"open wallet for $TAPCERT_CASE\\\"; [ $TAPCERT_CASE != UID.001 ] || { echo adb: device offline >&2; exit 2; }\"\n",
    )
    .unwrap();
    let out_dir = dir.join("run");
    let (out, _) = tapcert(&[
        "certify",
        "--suite",
        "access-uid",
        "--dut",
        dut.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "errors only: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("error access-uid UID.001: before-case hook"), "{stdout}");
    let r = report(&out_dir);
    for c in cases(&r) {
        let hook = &c["runs"][0]["hooks"][0];
        assert_eq!(hook["hook"], "before-case");
        if c["id"] == "UID.001" {
            assert_eq!(c["verdict"], "error");
            assert!(
                c["reason"].as_str().unwrap().ends_with("exited 2: open wallet for UID.001 | adb: device offline"),
                "{c}"
            );
            assert_eq!(hook["exit"], 2);
            assert_eq!(hook["output"], "open wallet for UID.001\nadb: device offline\n");
        } else {
            assert_eq!(c["verdict"], "pass", "{c}");
            assert_eq!(hook["exit"], 0);
        }
    }
    let junit = std::fs::read_to_string(out_dir.join("junit.xml")).unwrap();
    assert!(junit.contains("adb: device offline"), "the hook's output reaches the JUnit error");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("<pre class=\"hook\">open wallet for UID.001\nadb: device offline\n</pre>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_prompt_without_a_tty_errs_its_case_instead_of_waiting() {
    let dir = scratch("prompt");
    let suite = dir.join("prompted.toml");
    std::fs::write(
        &suite,
        "id = \"prompted\"\nversion = \"1.0.0\"\ntitle = \"Cases that need a person\"\n\n\
         [[case]]\nid = \"PR.001\"\ntitle = \"The payment code on the display\"\nrequirements = [\"lab\"]\n\
         prompt = \"show the payment code\"\nsteps = [{ procedure = \"uid\", expect = { completed = true } }]\n\n\
         [[case]]\nid = \"PR.002\"\ntitle = \"UID without a person\"\nrequirements = [\"lab\"]\n\
         steps = [{ procedure = \"uid\", expect = { completed = true } }]\n",
    )
    .unwrap();
    let out_dir = dir.join("run");
    // A long prompt timeout: only the non-interactive rule can make this quick.
    let (out, took) = tapcert(&[
        "certify",
        "--suite",
        suite.to_str().unwrap(),
        "--prompt-timeout",
        "3600",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let c = cases(&report(&out_dir));
    assert_eq!((c[0]["verdict"].as_str(), c[1]["verdict"].as_str()), (Some("error"), Some("pass")));
    assert_eq!(
        c[0]["reason"],
        "the case needs a person at in-process (\"show the payment code\") and the run is non-interactive (no TTY on stdin, --non-interactive or CI set)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_merge_refuses_what_it_cannot_join_and_says_why() {
    let dir = scratch("merge");
    let run = |name: &str, suite: &str| {
        let d = dir.join(name);
        let (out, _) = tapcert(&["certify", "--suite", suite, "--out", d.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        d
    };
    let (a, b) = (run("a", "access-uid"), run("b", "access-uid"));
    let merge = |runs: &[&Path]| {
        let mut args = vec!["report".to_string(), "merge".into()];
        args.extend(runs.iter().map(|p| p.display().to_string()));
        args.extend(["--out".into(), dir.join("merged").display().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (out, _) = tapcert(&args);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // The same cases twice (the same shard given twice, or overlapping shards).
    let (code, err) = merge(&[&a, &b]);
    assert_eq!(code, Some(2));
    assert!(err.contains("case UID.001 of suite access-uid is in two reports (the second is report 1)"), "{err}");
    // Another tapcert version.
    let c = dir.join("c.json");
    let mut other = report(&b);
    other["tapcert_version"] = "0.0.1".into();
    other["suites"][0]["cases"] = serde_json::json!([]);
    std::fs::write(&c, other.to_string()).unwrap();
    let (code, err) = merge(&[&a, &c]);
    assert_eq!(code, Some(2));
    assert!(err.contains("report 1 was written by tapcert 0.0.1, the first by tapcert"), "{err}");
    // Another suite file under the same id.
    let d = dir.join("d.json");
    let mut edited = report(&b);
    edited["suites"][0]["sha256"] = "ab".repeat(32).into();
    std::fs::write(&d, edited.to_string()).unwrap();
    let (code, err) = merge(&[&a, &d]);
    assert_eq!(code, Some(2));
    assert!(err.contains("suite access-uid: report 1 ran a different file"), "{err}");
    // Another report schema.
    let e = dir.join("e.json");
    let mut newer = report(&b);
    newer["schema"] = 99.into();
    std::fs::write(&e, newer.to_string()).unwrap();
    let (code, err) = merge(&[&a, &e]);
    assert_eq!(code, Some(2));
    assert!(err.contains("report schema 99 not supported"), "{err}");
    assert!(!dir.join("merged").join("report.json").exists(), "nothing written on a refusal");
    let _ = std::fs::remove_dir_all(&dir);
}
