//! Reproducers: each finding as a suite file in the `certify` format, which
//! `tapcert certify --suite FILE` runs and fails the way the fuzzer saw the device fail.
//!
//! One case: for a `state` finding, the balance (e-purse read) or ATC (`GET DATA 9F36`)
//! captured first; the flow's prefix as `apdu` steps, each expecting its recorded status word
//! where the replay answered the same again; the mutated command, expecting the status words
//! the specification allows (plus the latency budget, or a BER-TLV answer, for those kinds);
//! the liveness SELECT expecting `9000`; then, for `state`, the balance or ATC compared with
//! the one captured.

use std::fmt::Write as _;
use std::time::Duration;

use tapcert_parsers::apdu::ResponseApdu;
use tapcert_parsers::tlv::parse_emv_tag;

use super::campaign::{FuzzFinding, Role, get_atc};
use super::flow::{Flow, RecordedFlow};
use super::oracle::FindingKind;
use crate::certify::import::toml_str;

/// The suite case id of a finding (`FUZZ.UNEXPECTED-SW.417`).
pub fn reproducer_case_id(f: &FuzzFinding) -> String {
    format!("FUZZ.{}.{}", f.kind.as_str().to_ascii_uppercase(), f.case)
}

/// The file name of a finding's reproducer (`case-417-unexpected-sw.toml`).
pub fn reproducer_file_name(f: &FuzzFinding) -> String {
    format!("case-{}-{}.toml", f.case, f.kind.as_str())
}

fn liveness_step(flow: &RecordedFlow) -> String {
    format!(
        "{{ command = \"00A40400\", data = {}, le = \"00\", expect = {{ sw = [\"9000\"] }} }}",
        toml_str(&hex::encode_upper(&flow.liveness_aid))
    )
}

/// The tag path a response that must be BER-TLV is expected to hold: its own first tag when
/// that much parses, else the template the instruction answers with.
fn expected_template(command: &[u8], data: &[u8]) -> String {
    if let Ok((_, tag)) = parse_emv_tag(data) {
        return format!("{:X}", tag.0);
    }
    match command.get(1) {
        Some(0xA4) => "6F".into(),
        Some(0xB2) => "70".into(),
        _ => "77".into(),
    }
}

/// The reproducer suite of `finding`, as TOML text that [`crate::certify::parse_suite`] reads.
///
/// `latency_budget` is the run's: a `latency` reproducer expects every answer of the mutated
/// step within it.
pub fn reproducer_suite(finding: &FuzzFinding, flow: &RecordedFlow, seed: u64, latency_budget: Duration) -> String {
    let o = &finding.outcome;
    let mut steps: Vec<String> = Vec::new();
    let state = finding.kind == FindingKind::State;
    if state {
        match flow.flow {
            Flow::Emv => {
                steps.push(liveness_step(flow));
                steps.push(format!(
                    "{{ apdu = {}, capture = [{{ name = \"atc0\", tlv = \"9F36\" }}], expect = {{ sw = [\"9000\"] }} }}",
                    toml_str(&hex::encode_upper(get_atc()))
                ));
            }
            _ => steps.push(
                "{ procedure = \"transit-read\", capture = [{ name = \"balance0\", field = \"balance\" }] }".into(),
            ),
        }
        steps.push("{ reset = true }".into());
    }
    let mut prefix = 0;
    for x in &o.exchanges {
        let apdu = toml_str(&hex::encode_upper(&x.command));
        match x.role {
            Role::Prefix => {
                let stable = o.prefix_stable.get(prefix).copied().unwrap_or(false);
                prefix += 1;
                let sw = x.response.as_deref().and_then(|r| ResponseApdu::from_bytes(r).ok()).map(|a| a.sw.to_string());
                steps.push(match sw {
                    Some(sw) if stable => format!("{{ apdu = {apdu}, expect = {{ sw = [{}] }} }}", toml_str(&sw)),
                    _ => format!("{{ apdu = {apdu} }}"),
                });
            }
            Role::Mutated => {
                let patterns: Vec<String> = o.case.expect.sw_patterns().iter().map(|p| toml_str(p)).collect();
                let mut expect = vec![format!("sw = [{}]", patterns.join(", "))];
                match finding.kind {
                    FindingKind::Latency => expect.push(format!("latency_ms = {}", latency_budget.as_millis())),
                    FindingKind::Unparsable => {
                        let answer = x.response.as_deref().and_then(|r| ResponseApdu::from_bytes(r).ok());
                        let data = answer.map_or(&[][..], |a| a.data);
                        let path = expected_template(&x.command, data);
                        expect.push(format!("tlv = [{{ path = {}, present = true }}]", toml_str(&path)));
                    }
                    _ => {}
                }
                steps.push(format!("{{ apdu = {apdu}, expect = {{ {} }} }}", expect.join(", ")));
            }
            Role::Liveness | Role::State => {}
        }
    }
    steps.push(liveness_step(flow));
    if state {
        steps.push(match flow.flow {
            Flow::Emv => format!(
                "{{ apdu = {}, expect = {{ tlv = [{{ path = \"9F36\", equals = \"${{atc0}}\" }}] }} }}",
                toml_str(&hex::encode_upper(get_atc()))
            ),
            _ => "{ procedure = \"transit-read\", expect = { compare = { field = \"balance\", op = \"eq\", capture = \"balance0\" } } }"
                .into(),
        });
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# tapcert fuzz-device reproducer: flow {}, seed {seed}, case {}",
        flow.flow.as_str(),
        finding.case
    );
    let _ = writeln!(out, "# {}", finding.detail.replace('\n', " "));
    let _ = writeln!(out, "id = {}", toml_str(&format!("fuzz-device-case-{}", finding.case)));
    let _ = writeln!(out, "version = \"1.0.0\"");
    let _ = writeln!(
        out,
        "title = {}\n",
        toml_str(&format!("fuzz-device {} finding at {} (case {})", finding.kind, finding.step, finding.case))
    );
    let _ = writeln!(out, "[[case]]");
    let _ = writeln!(out, "id = {}", toml_str(&reproducer_case_id(finding)));
    let _ = writeln!(out, "title = {}", toml_str(&finding.detail));
    let _ = writeln!(out, "requirements = [{}]", toml_str(finding.kind.requirement()));
    let _ = writeln!(out, "apps = [{}]", toml_str(flow.flow.as_str()));
    let _ = writeln!(out, "steps = [");
    for s in steps {
        let _ = writeln!(out, "  {s},");
    }
    let _ = writeln!(out, "]");
    out
}
