//! The terminal suite through the real PC/SC stack: `tapcert certify --terminal` serves each
//! case's card image through vpcd to a real `pcscd -f`, launches the reference terminal as a
//! PC/SC client (`tapcert transact`) per transaction, and judges what the image card saw. The
//! reference terminal passes every bundled terminal case; with a planted fault the expected
//! cases fail, through pcscd too. report.json and junit.xml are read back.
//!
//! Needs the `pcsc` feature and root (pcscd's socket). Without pcscd: a SKIP line, or a
//! failure when `CI` is set. Serialised with every other pcscd test by `PcscdLock`.
#![cfg(feature = "pcsc")]

#[path = "support/external.rs"]
mod external;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tapcert_testkit::{Pcscd, PcscdLock, on_path};

/// The terminal command: `tapcert transact` with the case's transaction, and `extra` flags.
fn transact_command(extra: &str) -> String {
    format!(
        "'{}' transact --reader '{{reader}}' --amount {{amount}} --amount-other {{amount_other}} \
         --currency {{currency}} --country {{country}} --type {{type}} --floor-limit {{floor_limit}} \
         --tac-denial {{tac_denial}} --tac-online {{tac_online}} --tac-default {{tac_default}} \
         --online-capable {{online_capable}} {extra}",
        env!("CARGO_BIN_EXE_tapcert")
    )
}

fn certify(out: &Path, suite: Option<&Path>, terminal_command: &str, keep_card: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tapcert"));
    cmd.args(["certify", "--terminal", "--terminal-command", terminal_command, "--case-timeout", "20", "--out"])
        .arg(out);
    if keep_card {
        cmd.arg("--vpcd-keep-card");
    }
    if let Some(s) = suite {
        cmd.arg("--suite").arg(s);
    }
    cmd.output().expect("run tapcert certify --terminal")
}

/// (case id, verdict) of every case of a report.json.
fn verdicts(out: &Path) -> Vec<(String, String)> {
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["cases"].as_array().unwrap().iter())
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["verdict"].as_str().unwrap().to_string()))
        .collect()
}

/// The `<testsuites>` counts of a junit.xml: (tests, failures, errors).
fn junit_counts(out: &Path) -> (usize, usize, usize) {
    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let head = xml.lines().find(|l| l.trim_start().starts_with("<testsuites")).expect("<testsuites>");
    let attr = |name: &str| -> usize {
        let key = format!(" {name}=\"");
        let at = head.find(&key).unwrap_or_else(|| panic!("{name} in {head}")) + key.len();
        head[at..].split('"').next().unwrap().parse().unwrap()
    };
    let testcases = xml.matches("<testcase ").count();
    assert_eq!(testcases, attr("tests"), "one <testcase> per case");
    (attr("tests"), attr("failures"), attr("errors"))
}

#[test]
fn the_reference_terminal_passes_the_terminal_suite_through_pcscd_and_a_fault_is_caught() {
    let Some(bin) = on_path("pcscd") else {
        return external::skip_or_fail("pcscd not on PATH; install it with .ci/pcscd-setup.sh (sudo)");
    };
    let _lock = PcscdLock::acquire();
    let pcscd = Pcscd::start(&bin);
    let dir = std::env::temp_dir().join(format!("tapcert-terminal-pcscd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    // Every bundled terminal case, the reference terminal launched per transaction.
    let all = dir.join("reference");
    let run = certify(&all, None, &transact_command(""), false);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let v = verdicts(&all);
    assert!(v.len() >= 30, "{v:?}");
    let not_passed: Vec<_> = v.iter().filter(|(_, verdict)| verdict != "pass").collect();
    assert!(not_passed.is_empty(), "{not_passed:?}\n{stdout}");
    assert_eq!(junit_counts(&all), (v.len(), 0, 0));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(all.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["reader"]["kind"], "vpcd");
    assert!(stdout.contains("cases/s"), "{stdout}");
    // The terminal's own output is kept beside the reports, one header per transaction.
    let log = std::fs::read_to_string(all.join("terminal.log")).unwrap();
    assert!(log.contains("== TT.UN.001 transaction 20: ") && log.contains("online: 6 commands"), "{log}");

    // The same with the card kept in the reader and the image swapped behind it.
    let kept = dir.join("kept");
    let run = certify(&kept, None, &transact_command(""), true);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
    let v = verdicts(&kept);
    assert!(v.len() >= 30 && v.iter().all(|(_, verdict)| verdict == "pass"), "{v:?}");

    // The T=0 cases with the terminal re-sending commands on 61xx: those with 61xx fail, the
    // 6Cxx ones do not, through pcscd as in-process (card kept in the reader).
    let text = tapcert_conformance::certify::terminal::bundled_terminal_suites().unwrap()[0].text.clone();
    let (head, cases) = text.split_once("[[case]]").unwrap();
    let t0: Vec<&str> = cases.split("[[case]]").filter(|c| c.contains("id = \"TT.T0.")).collect();
    let suite = dir.join("t0.toml");
    std::fs::write(&suite, format!("{head}[[case]]{}", t0.join("[[case]]"))).unwrap();
    let faulty = dir.join("resend-on-61");
    let run = certify(&faulty, Some(&suite), &transact_command("--terminal-fault resend-on-61"), true);
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stdout));
    let v = verdicts(&faulty);
    let failed: Vec<&str> = v.iter().filter(|(_, verdict)| verdict == "fail").map(|(id, _)| id.as_str()).collect();
    assert_eq!(failed, ["TT.T0.001", "TT.T0.002", "TT.T0.003", "TT.T0.004", "TT.T0.005"], "{v:?}");
    assert_eq!(junit_counts(&faulty), (7, 5, 0));
    let _ = std::fs::remove_dir_all(&dir);
    pcscd.stop();
}
