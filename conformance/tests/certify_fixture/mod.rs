//! A certification run built by hand, as the runner would record it for a band through the
//! vpcd reader: two suites with every verdict, a masked PAN in a READ RECORD answer (masked by
//! the real masking function), TLV trees decoded by the real `decode tlv` renderer, a repeated
//! case with statistics, and markup in a finding message. Shared by the report tests.
#![allow(dead_code)]

use tapcert_conformance::certify::{
    CaseResult, CaseRun, DutIdentity, ExchangeRecord, ExpectationResult, REPORT_SCHEMA_VERSION, ReaderIdentity,
    RepeatStats, RunReport, SuiteResult, Summary, Verdict,
};
use tapcert_conformance::mask::{masked_command_hex, masked_hex};
use tapcert_parsers::render::{Mask, render_tlv};
use tapcert_parsers::{Finding, Location, Severity};

/// The PAN on the band, in clear: it must appear in no report.
pub const CLEAR_PAN: &str = "5413330089600010";
/// The same PAN as every report shows it.
pub const MASKED_PAN: &str = "541333******0010";
/// What the failing GENERATE AC case observed.
pub const GAC_OBSERVED: &str = "EMV.AC.VERIFY: ARQC 1F3C2A7E9B004D51 does not verify";
/// Markup a hostile or careless message may carry.
pub const SCRIPT_IN_MESSAGE: &str = "<script>alert('pwned')</script>";

fn bytes(hex_text: &str) -> Vec<u8> {
    hex::decode(hex_text.replace(' ', "")).unwrap()
}

/// An exchange as the runner records it: masked, with the TLV tree of the response data.
pub fn exchange(step: usize, label: &str, command: &str, response: Option<&str>, latency_us: u64) -> ExchangeRecord {
    let command = masked_command_hex(&bytes(command));
    let response = response.map(bytes);
    let tlv = response
        .as_ref()
        .filter(|r| r.len() > 2)
        .and_then(|r| render_tlv(&r[..r.len() - 2], Mask::Masked).ok())
        .map(|r| r.json["tlv"].clone());
    ExchangeRecord {
        step,
        label: label.to_string(),
        command,
        sw: response.as_ref().map(|r| hex::encode_upper(&r[r.len() - 2..])),
        response: response.as_deref().map(masked_hex),
        latency_us,
        tlv,
    }
}

fn met(step: usize, expected: &str, observed: &str, met: Option<bool>) -> ExpectationResult {
    ExpectationResult { step, expected: expected.into(), observed: observed.into(), met }
}

fn run(
    verdict: Verdict,
    reason: Option<&str>,
    expectations: Vec<ExpectationResult>,
    exchanges: Vec<ExchangeRecord>,
) -> CaseRun {
    let duration_us = exchanges.iter().map(|x| x.latency_us).sum::<u64>() + 1_500;
    CaseRun {
        verdict,
        reason: reason.map(Into::into),
        expectations,
        findings: Vec::new(),
        exchanges,
        duration_us,
        hooks: Vec::new(),
    }
}

fn case(
    id: &str,
    title: &str,
    reqs: &[&str],
    verdict: Verdict,
    reason: Option<&str>,
    runs: Vec<CaseRun>,
) -> CaseResult {
    CaseResult {
        id: id.into(),
        title: title.into(),
        requirements: reqs.iter().map(|r| r.to_string()).collect(),
        verdict,
        reason: reason.map(Into::into),
        runs,
        stats: None,
        reader: None,
    }
}

const SELECT_PPSE: &str = "00A404000E325041592E5359532E444446303100";
const PPSE_FCI: &str = "6F23840E325041592E5359532E4444463031A511BF0C0E610C4F07A0000000041010870101 9000";
const SELECT_AID: &str = "00A4040007A000000004101000";
const AID_FCI: &str = "6F1A8407A0000000041010A50F500A4D4153544552434152448701019000";
const READ_RECORD_1: &str = "00B2010C00";
/// 70 { 5A PAN, 5F24 expiry }
const RECORD_1: &str = "70105A0854133300896000105F24032512319000";
const GENERATE_AC: &str = "80AE80001D000000001000000000000000084000000000000840231122005A02123400";
const GAC_ANSWER: &str =
    "7729 9F2701 80 9F3602 0042 9F2608 1F3C2A7E9B004D51 9F1012 0110A00003220000000000000000000000FF 9000";

/// The emv-contactless suite: pass, pass (PAN record), fail (GENERATE AC), error, not-applicable.
fn emv_suite(gac_latency_us: u64) -> SuiteResult {
    let select = || exchange(0, "SELECT PPSE", SELECT_PPSE, Some(PPSE_FCI), 2_100);
    let ppse = case(
        "EMV.PPSE.001",
        "PPSE lists the payment application",
        &["EMV Book B §3.3.2"],
        Verdict::Pass,
        None,
        vec![run(Verdict::Pass, None, vec![met(0, "SW 9000", "9000", Some(true))], vec![select()])],
    );
    let read = case(
        "EMV.READ.002",
        "Records carry the PAN and expiry",
        &["EMV Book 3 §10.2", "EMV Book B §3.3.2"],
        Verdict::Pass,
        None,
        vec![run(
            Verdict::Pass,
            None,
            vec![met(1, "TLV 70.5A present", "present", Some(true))],
            vec![
                exchange(0, "SELECT AID A0000000041010", SELECT_AID, Some(AID_FCI), 2_400),
                exchange(1, "READ RECORD SFI 1 #1", READ_RECORD_1, Some(RECORD_1), 3_300),
            ],
        )],
    );
    let mut gac_run = run(
        Verdict::Fail,
        Some("ARQC does not verify"),
        vec![met(0, "SW 9000", "9000", Some(true)), met(2, "no finding EMV.AC.VERIFY", GAC_OBSERVED, Some(false))],
        vec![
            exchange(0, "SELECT AID A0000000041010", SELECT_AID, Some(AID_FCI), 2_300),
            exchange(1, "GET PROCESSING OPTIONS", "80A8000002830000", Some("770A82021980940408010100 9000"), 4_100),
            exchange(2, "GENERATE AC", GENERATE_AC, Some(GAC_ANSWER), gac_latency_us),
        ],
    );
    gac_run.findings.push(Finding::new(
        "EMV.AC.VERIFY",
        Severity::Error,
        Location::step("GENERATE AC").with_path("77.9F26"),
        format!("ARQC 1F3C2A7E9B004D51 does not verify under the MasterCard test IMK {SCRIPT_IN_MESSAGE}"),
    ));
    let gac = case(
        "EMV.GAC.003",
        "ARQC verifies under the issuer key",
        &["EMV Book 2 §8.1"],
        Verdict::Fail,
        Some("ARQC does not verify"),
        vec![gac_run],
    );
    let mut cda_run = run(
        Verdict::Error,
        Some("reader gone: SCardTransmit: card removed"),
        vec![met(1, "SW 9000", "no answer", None)],
        vec![
            exchange(0, "SELECT AID A0000000041010", SELECT_AID, Some(AID_FCI), 2_200),
            exchange(
                1,
                "GENERATE AC CDA",
                "80AE90001D000000001000000000000000084000000000000840231122005A02123400",
                None,
                1_000_000,
            ),
        ],
    );
    cda_run.findings.clear();
    let cda = case(
        "EMV.CDA.004",
        "CDA signature over the cryptogram",
        &["EMV Book 2 §6.6"],
        Verdict::Error,
        Some("reader gone: SCardTransmit: card removed"),
        vec![cda_run],
    );
    let msd = case(
        "EMV.MSD.005",
        "Mag-stripe mode answers",
        &["EMV Book C-2 §3.9"],
        Verdict::NotApplicable,
        Some("the DUT profile has no mag-stripe mode"),
        Vec::new(),
    );
    SuiteResult {
        id: "emv-contactless".into(),
        version: "1.2.0".into(),
        title: "EMV contactless payment (Book C-2 kernel behaviour)".into(),
        sha256: "a3f1c9e0b7d24e5f8a6b2c4d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f".into(),
        cases: vec![ppse, read, gac, cda, msd],
    }
}

/// The transit suite: a repeated pass with statistics, a waived (skipped) purchase, an
/// inconclusive TAC check.
fn transit_suite() -> SuiteResult {
    let balance_run = |latency| {
        run(
            Verdict::Pass,
            None,
            vec![met(1, "balance present", "balance 1234", Some(true))],
            vec![
                exchange(
                    0,
                    "SELECT T-Union",
                    "00A4040008A00000063201010500",
                    Some("6F0A8408A0000006320101059000"),
                    2_000,
                ),
                exchange(1, "GET BALANCE", "805C000204", Some("000004D29000"), latency),
            ],
        )
    };
    let mut balance = case(
        "TU.BAL.003",
        "Balance reads as 4 bytes",
        &["JT/T 978.3 §7.4"],
        Verdict::Pass,
        None,
        vec![balance_run(1_900), balance_run(2_100), balance_run(2_500)],
    );
    balance.stats = Some(RepeatStats {
        runs: 3,
        passed: 3,
        pass_rate: 1.0,
        latency_p50_us: 2_000,
        latency_p95_us: 2_500,
        latency_max_us: 2_500,
    });
    let purchase = case(
        "TU.PUR.001",
        "Purchase debits the purse",
        &["JT/T 978.3 §7.6"],
        Verdict::Skipped,
        Some("waived (W-12): destructive on a production band"),
        Vec::new(),
    );
    let tac = case(
        "TU.PUR.002",
        "Purchase TAC verifies",
        &["JT/T 978.3 §7.6"],
        Verdict::Inconclusive,
        Some("no TAC: the purchase step did not run"),
        vec![run(
            Verdict::Inconclusive,
            Some("no TAC: the purchase step did not run"),
            vec![met(2, "TAC verifies", "no DEBIT answer", None)],
            vec![exchange(0, "SELECT T-Union", "00A4040008A00000063201010500", Some("6A82"), 1_800)],
        )],
    );
    SuiteResult {
        id: "transit-tunion".into(),
        version: "0.9.1".into(),
        title: "T-Union e-purse".into(),
        sha256: "5b0e7c1d2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c".into(),
        cases: vec![balance, purchase, tac],
    }
}

/// The run of firmware 1.2.3 on band-x through the vpcd reader.
pub fn run_report() -> RunReport {
    run_report_with(31_000)
}

/// The same run with another GENERATE AC latency.
pub fn run_report_with(gac_latency_us: u64) -> RunReport {
    let suites = vec![emv_suite(gac_latency_us), transit_suite()];
    RunReport {
        schema: REPORT_SCHEMA_VERSION,
        run_id: "band-x-1.2.3-20261122T023222Z".into(),
        tapcert_version: "0.1.0".into(),
        started_unix_ms: 1_795_314_742_000,
        duration_ms: 2_950,
        dut: DutIdentity { model: "band-x".into(), firmware: "1.2.3".into(), ..DutIdentity::default() },
        reader: ReaderIdentity {
            name: "Virtual PCD 00 00".into(),
            kind: "pcsc".into(),
            protocol: Some("T=1".into()),
            atr: Some("3B8A800150415920544150434552544B".into()),
            ..ReaderIdentity::default()
        },
        repeat: 1,
        summary: Summary::of(&suites),
        suites,
        interrupted: None,
        keys: Vec::new(),
        readers: Vec::new(),
        matrix: Vec::new(),
    }
}

/// Recomputes the summary after a test edited the suites.
pub fn resummarise(r: &mut RunReport) {
    r.summary = Summary::of(&r.suites);
}

/// What a clear PAN looks like in a report: a standalone run of 13 to 19 digits that passes
/// the Luhn check (in prose, in a number), or 13 to 19 clear digits right after an EMV PAN tag
/// and its length in hex (`5A08` + digits, spaces between bytes ignored). Digit runs inside
/// other hex (an AID, amounts, record data) are data, not PANs.
pub fn pan_shaped_runs(text: &str) -> Vec<String> {
    let luhn = |d: &str| {
        let sum: u32 = d
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let v = u32::from(b - b'0');
                if i % 2 == 1 { if v * 2 > 9 { v * 2 - 9 } else { v * 2 } } else { v }
            })
            .sum();
        sum % 10 == 0
    };
    let in_token = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '*');
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let standalone = !in_token(start.checked_sub(1).map(|p| chars[p])) && !in_token(chars.get(i).copied());
        if standalone && (13..=19).contains(&run.len()) && luhn(&run) {
            found.push(run);
        }
    }
    let compact: String = text.chars().filter(|c| *c != ' ').collect::<String>().to_ascii_uppercase();
    for (at, _) in compact.match_indices("5A") {
        let Some(len) = compact.get(at + 2..at + 4).and_then(|l| usize::from_str_radix(l, 16).ok()) else { continue };
        let digits: String = compact[at + 4..].chars().take(len * 2).take_while(char::is_ascii_digit).collect();
        if digits.len() >= 13 {
            found.push(digits);
        }
    }
    found
}
