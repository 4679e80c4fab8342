use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::card::{Card, CardReply};
use crate::clock::{ManualClock, SeededRng};
use crate::sim::{Band, find_profile};
use crate::terminal::{TerminalConfig, TerminalFault, read_emv, terminal_link};
use crate::transport::InProcess;

type Log = Arc<Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// A card that keeps what it was sent (tests only; images record for themselves).
struct Recorded<C> {
    card: C,
    log: Log,
}

impl<C: Card> Card for Recorded<C> {
    fn power_on(&mut self) -> Vec<u8> {
        self.card.power_on()
    }
    fn process(&mut self, capdu: &[u8]) -> CardReply {
        let r = self.card.process(capdu);
        self.log.lock().unwrap().push((capdu.to_vec(), r.rapdu.clone()));
        r
    }
}

fn transact(profile: &str, config: &TerminalConfig, seed: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let card = Recorded { card: Band::new(find_profile(profile).unwrap()), log: log.clone() };
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
    let mut link = terminal_link(InProcess::with_clock(card, Arc::new(clock.clone())), config);
    read_emv(&mut link, config, &mut SeededRng::new(seed), &clock);
    log.lock().unwrap().clone()
}

fn seen(log: &[(Vec<u8>, Vec<u8>)]) -> Vec<SeenExchange<'_>> {
    log.iter().map(|(c, r)| SeenExchange { command: c, response: r }).collect()
}

fn violated(results: &[CriterionResult]) -> Vec<&'static str> {
    results.iter().filter(|r| r.is_violated()).map(|r| r.rule.id).collect()
}

#[test]
fn the_reference_terminal_meets_every_criterion_on_the_reference_band() {
    let log = transact("reference", &TerminalConfig::default(), 1);
    let expect = TransactionExpect { outcome: Some(Outcome::Online), ..TransactionExpect::default() };
    let r = evaluate_transaction(&seen(&log), &expect);
    assert_eq!(violated(&r), Vec::<&str>::new(), "{r:#?}");
    let met: Vec<_> = r.iter().filter(|r| r.status == Status::Met).map(|r| r.rule.id).collect();
    for id in [
        "TERMINAL.ORDER",
        "TERMINAL.GPO.PDOL-DATA",
        "TERMINAL.GENERATE-AC.CDOL1-DATA",
        "TERMINAL.AFL.COMPLETE",
        "TERMINAL.OUTCOME",
        "TERMINAL.DATA.AMOUNT",
    ] {
        assert!(met.contains(&id), "{id} not met: {r:#?}");
    }
}

#[test]
fn planted_faults_break_their_criterion_on_the_reference_band() {
    let expect = TransactionExpect { outcome: Some(Outcome::Online), ..TransactionExpect::default() };
    for (fault, rule) in [
        (TerminalFault::PdolShort, "TERMINAL.GPO.PDOL-DATA"),
        (TerminalFault::PdolLong, "TERMINAL.GPO.PDOL-DATA"),
        (TerminalFault::ReadPastAfl, "TERMINAL.AFL.OUTSIDE"),
        (TerminalFault::WrongAmount, "TERMINAL.DATA.AMOUNT"),
    ] {
        let config = TerminalConfig { faults: vec![fault], ..TerminalConfig::default() };
        let log = transact("reference", &config, 1);
        let r = evaluate_transaction(&seen(&log), &expect);
        assert!(violated(&r).contains(&rule), "{fault}: {:?}", violated(&r));
    }
    let runs = |config: &TerminalConfig| -> Vec<Option<[u8; 4]>> {
        (0..20).map(|i| unpredictable_number(&seen(&transact("reference", config, i)))).collect()
    };
    assert_eq!(evaluate_unpredictable_numbers(&runs(&TerminalConfig::default())).status, Status::Met);
    let constant =
        TerminalConfig { faults: vec![TerminalFault::ConstantUnpredictableNumber], ..TerminalConfig::default() };
    assert!(evaluate_unpredictable_numbers(&runs(&constant)).is_violated());
}

fn run_reference(faults: Vec<TerminalFault>) -> crate::certify::RunReport {
    use std::sync::atomic::AtomicBool;
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
    let config = TerminalConfig { faults, ..TerminalConfig::default() };
    let mut terminal = ReferenceTerminal::new(config, 0x7A9C_0001, clock);
    let suites = bundled_terminal_suites().unwrap();
    let opts = TerminalRunOptions { run_id: "test".into(), dut: Default::default() };
    run_terminal_suites(&mut terminal, &suites, &opts, &AtomicBool::new(false), &mut |_| {})
}

fn not_passed(report: &crate::certify::RunReport) -> Vec<String> {
    report
        .cases()
        .filter(|(_, c)| c.verdict != crate::certify::Verdict::Pass)
        .map(|(_, c)| format!("{} {}: {}", c.id, c.verdict.as_str(), c.reason.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn the_reference_terminal_passes_every_terminal_case_in_process() {
    let report = run_reference(vec![]);
    assert!(report.summary.cases >= 30);
    assert_eq!(not_passed(&report), Vec::<String>::new());
    assert_eq!(report.summary.exit_code(), 0);
}

/// Which cases must catch each planted fault, and under which criteria. "Every case but" lists
/// the cases that legitimately cannot see the fault: no GPO is sent (TT.PDOL.009 stops before
/// it, TT.TIME.004 is mute from SELECT AID), no PDOL (TT.PDOL.001), no record read (GPO
/// refused in TT.GPO.001/002, mute after GPO in TT.TIME.003).
#[test]
fn each_planted_fault_is_caught_by_the_expected_cases_and_no_other() {
    use std::collections::{BTreeMap, BTreeSet};
    let all: BTreeSet<String> = bundled_terminal_suites().unwrap()[0].cases.iter().map(|c| c.id.clone()).collect();
    let but = |except: &[&str]| -> BTreeSet<String> {
        all.iter().filter(|c| !except.contains(&c.as_str())).cloned().collect()
    };
    let only = |ids: &[&str]| -> BTreeSet<String> { ids.iter().map(|s| s.to_string()).collect() };
    let no_gpo = ["TT.PDOL.009", "TT.TIME.004"];
    let table: Vec<(TerminalFault, BTreeSet<String>, &[&str])> = vec![
        (TerminalFault::ConstantUnpredictableNumber, only(&["TT.UN.001", "TT.UN.002"]), &["TERMINAL.UN.FRESH"]),
        (TerminalFault::PdolShort, but(&[no_gpo[0], no_gpo[1], "TT.PDOL.001"]), &["TERMINAL.GPO.PDOL-DATA"]),
        (TerminalFault::PdolLong, but(&[no_gpo[0], no_gpo[1], "TT.PDOL.001"]), &["TERMINAL.GPO.PDOL-DATA"]),
        (
            TerminalFault::NoAidFallback,
            only(&["TT.SEL.002", "TT.SEL.003", "TT.SEL.004"]),
            &["TERMINAL.SELECT.FALLBACK", "TERMINAL.OUTCOME"],
        ),
        (
            TerminalFault::ReadPastAfl,
            but(&[no_gpo[0], no_gpo[1], "TT.GPO.001", "TT.GPO.002", "TT.TIME.003"]),
            &["TERMINAL.AFL.OUTSIDE"],
        ),
        (
            TerminalFault::Resend61,
            only(&["TT.T0.001", "TT.T0.002", "TT.T0.003", "TT.T0.004", "TT.T0.005"]),
            &["TERMINAL.T0.GET-RESPONSE"],
        ),
        (TerminalFault::Ignore6C, only(&["TT.T0.006", "TT.T0.007"]), &["TERMINAL.T0.RESEND-LE"]),
        (TerminalFault::WrongAmount, but(&no_gpo), &["TERMINAL.DATA.AMOUNT"]),
        // Only where action analysis gives something other than an ARQC: TT.TAA.002 (floor
        // limit reached) and every older case legitimately go online.
        (
            TerminalFault::AlwaysArqc,
            only(&["TT.TAA.001", "TT.TAA.003", "TT.TAA.004", "TT.TAA.005"]),
            &["TERMINAL.GENERATE-AC.TYPE"],
        ),
    ];
    assert_eq!(table.len(), TerminalFault::ALL.len(), "every fault has a row");
    for (fault, expected, rules) in table {
        let report = run_reference(vec![fault]);
        let failed: BTreeMap<String, Vec<String>> = report
            .cases()
            .filter(|(_, c)| c.verdict != crate::certify::Verdict::Pass)
            .map(|(_, c)| {
                let rules = c.runs.iter().flat_map(|r| &r.findings).map(|f| f.rule.to_string()).collect();
                (c.id.clone(), rules)
            })
            .collect();
        let ids: BTreeSet<String> = failed.keys().cloned().collect();
        assert_eq!(ids, expected, "{fault}: {:#?}", not_passed(&report));
        for (id, found) in &failed {
            let verdict = report.cases().find(|(_, c)| &c.id == id).map(|(_, c)| c.verdict);
            assert_eq!(verdict, Some(crate::certify::Verdict::Fail), "{fault}: {id}");
            assert!(
                found.iter().any(|r| rules.contains(&r.as_str())),
                "{fault}: {id} failed on {found:?}, not {rules:?}"
            );
        }
    }
}

/// A hand-written exchange: (command hex, response hex).
fn hand(pairs: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    pairs
        .iter()
        .map(|(c, r)| (hex::decode(c.replace(' ', "")).unwrap(), hex::decode(r.replace(' ', "")).unwrap()))
        .collect()
}

fn rule_status(results: &[CriterionResult], id: &str) -> Status {
    results.iter().find(|r| r.rule.id == id).unwrap().status.clone()
}

const PPSE_SELECT: &str = "00A404000E325041592E5359532E444446303100";
const PPSE_TWO_APPS: &str =
    "6F31840E325041592E5359532E4444463031A51FBF0C1C610C4F07A0000000041010870102610C4F07A0000000043060870101 9000";

#[test]
fn hand_written_exchanges_break_the_criteria_they_should() {
    let e = TransactionExpect { outcome: Some(Outcome::Online), ..TransactionExpect::default() };
    // The lower priority (2) application selected first, and a command after a mute answer.
    let log = hand(&[
        (PPSE_SELECT, PPSE_TWO_APPS),
        ("00A4040007A000000004101000", ""),
        ("00A4040007A000000004306000", "6A82"),
    ]);
    let r = evaluate_transaction(&seen(&log), &e);
    assert!(matches!(rule_status(&r, "TERMINAL.SELECT.PRIORITY"), Status::Violated(_)), "{r:#?}");
    assert!(matches!(rule_status(&r, "TERMINAL.STOP.FATAL"), Status::Violated(_)));
    assert_eq!(derive_outcome(&seen(&log)), Outcome::Terminated);
    assert!(matches!(rule_status(&r, "TERMINAL.OUTCOME"), Status::Violated(_)));

    // GET RESPONSE asking the wrong length, a READ RECORD before GPO, and a 6Cxx answered
    // with another command.
    let log = hand(&[
        (PPSE_SELECT, "6110"),
        ("00C0000008", "6F00 9000"),
        ("00B2010C00", "6C05"),
        ("00A4040007A000000004101000", "6A82"),
    ]);
    let r = evaluate_transaction(&seen(&log), &e);
    assert!(matches!(rule_status(&r, "TERMINAL.T0.GET-RESPONSE"), Status::Violated(_)), "{r:#?}");
    assert!(matches!(rule_status(&r, "TERMINAL.T0.RESEND-LE"), Status::Violated(_)));
    assert!(matches!(rule_status(&r, "TERMINAL.ORDER"), Status::Violated(_)));
    assert!(matches!(rule_status(&r, "TERMINAL.SELECT.FALLBACK"), Status::NotEvaluated(_)));

    // GPO refused, then another application: allowed only where the case says so.
    let log = hand(&[
        (PPSE_SELECT, PPSE_TWO_APPS),
        ("00A4040007A000000004306000", "6F00 9000"),
        ("80A8000002830000", "6985"),
        ("00A4040007A000000004101000", "6F00 9000"),
    ]);
    let r = evaluate_transaction(&seen(&log), &e);
    assert!(matches!(rule_status(&r, "TERMINAL.STOP.FATAL"), Status::Violated(_)));
    let allowed = TransactionExpect { select_next_after_refusal: true, ..e.clone() };
    assert_eq!(rule_status(&evaluate_transaction(&seen(&log), &allowed), "TERMINAL.STOP.FATAL"), Status::Met);

    // An AFL record left unread before GENERATE AC, and GPO data without the 83 template.
    let log = hand(&[
        (PPSE_SELECT, PPSE_TWO_APPS),
        ("00A4040007A000000004306000", "6F00 9000"),
        ("80A8000000", "770A 8202 1880 9404 08010200 9000"),
        ("00B2010C00", "7000 9000"),
        ("80AE800000", "7700 9000"),
    ]);
    let r = evaluate_transaction(&seen(&log), &e);
    assert!(matches!(rule_status(&r, "TERMINAL.AFL.COMPLETE"), Status::Violated(_)), "{r:#?}");
    assert_eq!(rule_status(&r, "TERMINAL.AFL.OUTSIDE"), Status::Met);
    assert!(matches!(rule_status(&r, "TERMINAL.GPO.PDOL-DATA"), Status::Violated(_)));
}

#[test]
fn unpredictable_number_statistics() {
    let distinct: Vec<Option<[u8; 4]>> = (0u8..20).map(|i| Some([i, i.wrapping_mul(7), 0x5A, i ^ 0x33])).collect();
    // All distinct, but byte 3 never changes over 20 runs.
    let r = evaluate_unpredictable_numbers(&distinct);
    match r.status {
        Status::Violated(f) => assert!(f.iter().any(|f| f.message.contains("byte 3 is 5A")), "{f:?}"),
        s => panic!("{s:?}"),
    }
    let repeated = vec![Some([1, 2, 3, 4]), Some([5, 6, 7, 8]), Some([1, 2, 3, 4])];
    assert!(evaluate_unpredictable_numbers(&repeated).is_violated());
    assert!(matches!(evaluate_unpredictable_numbers(&[Some([1, 2, 3, 4])]).status, Status::NotEvaluated(_)));
}

#[test]
fn a_terminal_run_writes_every_report_format() {
    let report = run_reference(vec![TerminalFault::Ignore6C]);
    let dir = std::env::temp_dir().join(format!("tapcert-terminal-report-{}", std::process::id()));
    let suites: Vec<_> = bundled_terminal_suites().unwrap().iter().map(TerminalSuite::as_run_input).collect();
    let inputs = crate::certify::RunInputs { suites: &suites, dut: None, waivers: None };
    let files = crate::certify::write_run_with(&dir, &report, &inputs).unwrap();
    let back = crate::certify::read_run(&dir).unwrap();
    assert_eq!(back, report);
    let junit = std::fs::read_to_string(&files.junit_xml).unwrap();
    assert!(junit.contains("failures=\"2\""), "{}", &junit[..400]);
    assert!(std::fs::read_to_string(&files.report_html).unwrap().contains("TT.T0.006"));
    assert!(dir.join("suites/terminal-emv.toml").exists());
    let diff = crate::certify::diff_reports(&run_reference(vec![]), &report);
    let regressed: Vec<&str> = diff.regressed.iter().map(|c| c.case.as_str()).collect();
    assert_eq!(regressed, ["TT.T0.006", "TT.T0.007"], "{diff:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

proptest::proptest! {
    /// Whatever a hostile card answers and whatever a broken terminal sends, the criteria
    /// judge it without panicking. Commands are drawn around real headers so that the
    /// classifier and the DOL/AFL/T=0 paths are reached, not just rejected.
    #[test]
    fn criteria_never_panic_on_arbitrary_exchanges(
        pairs in proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    "00A404000E325041592E5359532E4444463031", "00A4040007A0000000041010", "80A80000",
                    "00B2010C", "80AE8000", "00C00000", "00880000", "FFCA0000",
                ]),
                proptest::collection::vec(proptest::num::u8::ANY, 0..12),
                proptest::collection::vec(proptest::num::u8::ANY, 0..40),
                proptest::option::of(proptest::sample::select(vec![0x9000u16, 0x6110, 0x6C05, 0x6985, 0x6A82, 0x6100, 0x6C00])),
            ),
            0..12,
        )
    ) {
        let log: Vec<(Vec<u8>, Vec<u8>)> = pairs
            .into_iter()
            .map(|(head, tail, data, sw)| {
                let mut c = hex::decode(head).unwrap();
                c.extend(tail);
                let r = sw.map(|sw| [data.as_slice(), &sw.to_be_bytes()].concat()).unwrap_or_default();
                (c, r)
            })
            .collect();
        let view = seen(&log);
        let expect = TransactionExpect { outcome: Some(Outcome::Online), ..TransactionExpect::default() };
        let results = evaluate_transaction(&view, &expect);
        proptest::prop_assert_eq!(results.len(), rules::RULES.len() - 1);
        let _ = unpredictable_number(&view);
        let _ = derive_outcome(&view);
    }
}

#[test]
fn flag_values_and_identities_of_a_terminal_run() {
    assert_eq!(iso_numeric_code("0978"), Some([0x09, 0x78]));
    assert_eq!(iso_numeric_code("09A8"), None);
    assert_eq!(iso_numeric_code("978"), None);
    assert_eq!(transaction_type_code("20"), Some(0x20));
    assert_eq!(transaction_type_code("2"), None);
    assert_eq!(transaction_type_code("0x"), None);
    assert_eq!(
        [0x00, 0x40, 0x80, 0xC0].map(Outcome::of_cid),
        [Outcome::Declined, Outcome::Approved, Outcome::Online, Outcome::Terminated]
    );
    let faults = TerminalFault::from_names(&["constant-un".into(), "wrong-amount".into()]).unwrap();
    let t = ReferenceTerminal::new(
        TerminalConfig { faults, ..TerminalConfig::default() },
        1,
        ManualClock::new(Duration::ZERO, Duration::ZERO),
    );
    assert_eq!(t.identity().firmware, "constant-un+wrong-amount");
    let plain = ReferenceTerminal::new(TerminalConfig::default(), 1, ManualClock::new(Duration::ZERO, Duration::ZERO));
    assert_eq!(
        (plain.identity().model.as_str(), plain.identity().firmware.as_str()),
        ("tapcert reference terminal", "reference")
    );
    assert_eq!(external_terminal_identity().model, "unnamed terminal");
    let e = TerminalFault::from_names(&["nope".into()]).unwrap_err();
    assert!(e.to_string().starts_with("--terminal-fault \"nope\": one of constant-un, pdol-short"), "{e}");
}

/// The reference terminal on a TT.TAA case's image, configured as the case says.
fn taa_read(id: &str) -> crate::terminal::Observation<crate::terminal::EmvRead> {
    let suite = &bundled_terminal_suites().unwrap()[0];
    let case = suite.cases.iter().find(|c| c.id == id).unwrap();
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
    let card = crate::image::ImageCard::new(resolve_image(&case.image).unwrap(), Arc::new(clock.clone()));
    let config = config_for(&TerminalConfig::default(), case);
    let mut link = terminal_link(InProcess::with_clock(card, Arc::new(clock.clone())), &config);
    read_emv(&mut link, &config, &mut SeededRng::new(1), &clock)
}

/// TVR and request hand-computed from EMV Book 3 Annex C5 and §10.7 for each TT.TAA image
/// (base card: AIP 1880 without ODA, so B1b8 always; transaction date 2026-11-22).
#[test]
fn the_reference_terminal_builds_the_tvr_and_asks_what_action_analysis_gives() {
    use crate::terminal::action::AcType;
    for (id, tvr, asked, p1) in [
        // 1.00 below the 100.00 floor limit, zero IACs and TACs on the other bits: TC.
        ("TT.TAA.001", [0x80, 0, 0, 0, 0], AcType::Tc, 0x40),
        // 100.00 at the floor limit (§10.6.1: equal counts), IAC-Online 0000008000: ARQC.
        ("TT.TAA.002", [0x80, 0, 0, 0x80, 0], AcType::Arqc, 0x80),
        // AUC AB00, UK card in China: B2b5 service not allowed, in IAC-Denial: AAC, no CDA.
        ("TT.TAA.003", [0x80, 0x10, 0, 0x80, 0], AcType::Aac, 0x00),
        // 5F24 251231 before 261122: B2b7 expired, in IAC-Denial: AAC.
        ("TT.TAA.004", [0x80, 0x40, 0, 0x80, 0], AcType::Aac, 0x00),
    ] {
        let tx = taa_read(id);
        assert!(tx.is_clean() && tx.completed, "{id}: {:?}", tx.findings);
        assert_eq!((tx.result.tvr, tx.result.requested), (Some(tvr), Some(asked)), "{id}");
        assert_eq!(tx.result.cid.map(|c| c & 0xC0), Some(p1), "{id}: the image answers what was asked");
        // The TVR went into the CDOL1 data (95 is its 4th object: after 9F02 9F03 9F1A).
        assert_eq!(tx.result.cdol1_data[14..19], tvr, "{id}");
        // TC and AAC are verified like the ARQC (same data set, the card's CVN).
        assert!(tx.result.cryptogram_check.clone().unwrap().is_verified(), "{id}");
    }
    // A TC to an AAC request is the card's finding (Book 3 §9.3), and the terminal asked an AAC.
    let tx = taa_read("TT.TAA.005");
    assert_eq!(tx.result.requested, Some(AcType::Aac));
    assert!(tx.has("EMV.GENERATE-AC.CID"), "{:?}", tx.findings);
    assert_eq!(tx.result.accepted_cryptogram(), None, "not approved");
    assert_eq!(taa_read("TT.TAA.001").result.accepted_cryptogram(), Some(AcType::Tc));
}

#[test]
fn the_generate_ac_type_criterion_derives_tvr_and_type_from_the_card() {
    // AIP 1880 (no ODA), CDOL1 95 05 9A 03, zero IAC-Denial and IAC-Online; the case's terminal
    // has a 10.00 floor limit and zero TACs: TVR 8000000000 (B1b8 only), so a TC (§10.7).
    let e = TransactionExpect {
        floor_limit: 1000,
        tac_online: [0; 5],
        tac_default: [0; 5],
        ..TransactionExpect::default()
    };
    let head = [
        ("00A4040007A000000004101000", "6F0F8407A0000000041010A50450024142 9000"),
        ("80A8000002830000", "770A82021880940408010100 9000"),
        ("00B2010C00", "7026 5A085413330089600010 5F2403301231 8C0495059A03 9F0E050000000000 9F0F050000000000 9000"),
    ];
    let status = |gac: &str| {
        let mut pairs = head.to_vec();
        pairs.push((gac, "77129F2701409F360200119F26081122334455667788 9000"));
        rule_status(&evaluate_transaction(&seen(&hand(&pairs)), &e), "TERMINAL.GENERATE-AC.TYPE")
    };
    assert_eq!(status("80AE400008 8000000000 261122 00"), Status::Met);
    // An ARQC asked where the analysis gives a TC.
    assert!(matches!(status("80AE800008 8000000000 261122 00"), Status::Violated(_)));
    // The right type, but a TVR without the ODA-not-performed bit.
    assert!(matches!(status("80AE400008 0000000000 261122 00"), Status::Violated(_)));
    // Expired by the date the terminal sent (2031-01-01): B2b7, not in the zero IACs or TACs,
    // but the TVR must carry it.
    assert!(matches!(status("80AE400008 8000000000 310101 00"), Status::Violated(_)));
    assert_eq!(status("80AE400008 8040000000 310101 00"), Status::Met);
}
