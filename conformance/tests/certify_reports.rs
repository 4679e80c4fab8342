//! The reports of a certification run, each rendered from one hand-built `RunReport`: JSON
//! round trip and run folder, JUnit XML read back with an independent XML parser, the scriptor
//! transcript read back with the importer, the build-to-build diff, and no clear PAN anywhere.

mod certify_fixture;

use certify_fixture::{CLEAR_PAN, GAC_OBSERVED, MASKED_PAN, pan_shaped_runs, resummarise, run_report, run_report_with};
use tapcert_conformance::certify::{
    LatencyThreshold, ReportDiff, ReportError, RunReport, Verdict, diff_reports, diff_reports_with, read_run,
    render_html, render_junit, render_transcript, write_run,
};
use tapcert_conformance::transcript::{EventKind, import_scriptor};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("certify_reports").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn json_round_trips_and_keeps_the_masked_pan() {
    let r = run_report();
    let json = r.to_json();
    assert_eq!(RunReport::from_json(&json).unwrap(), r);
    assert!(json.contains(MASKED_PAN), "the decoded record shows the masked PAN");
    assert_eq!((r.summary.cases, r.summary.pass, r.summary.fail, r.summary.error), (8, 3, 1, 1));
    assert_eq!((r.summary.not_applicable, r.summary.skipped, r.summary.inconclusive), (1, 1, 1));
}

#[test]
fn junit_reads_back_with_one_suite_per_dut_reader_suite() {
    let r = run_report();
    let xml = render_junit(&r).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("junit.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("8"));
    assert_eq!(root.attribute("failures"), Some("2"), "fail and inconclusive are failures");
    assert_eq!(root.attribute("errors"), Some("1"));
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    let names: Vec<_> = suites.iter().map(|s| s.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        ["emv-contactless @ Virtual PCD 00 00 [band-x 1.2.3]", "transit-tunion @ Virtual PCD 00 00 [band-x 1.2.3]"]
    );
    let attrs = |s: &roxmltree::Node<'_, '_>| {
        ["tests", "failures", "errors", "skipped"].map(|a| s.attribute(a).unwrap().parse::<usize>().unwrap())
    };
    assert_eq!(attrs(&suites[0]), [5, 1, 1, 1]);
    assert_eq!(attrs(&suites[1]), [3, 1, 0, 1]);

    let props: std::collections::BTreeMap<_, _> = suites[0]
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .map(|p| (p.attribute("name").unwrap(), p.attribute("value").unwrap()))
        .collect();
    for (k, v) in [
        ("dut", "band-x"),
        ("firmware", "1.2.3"),
        ("reader", "Virtual PCD 00 00"),
        ("atr", "3B8A800150415920544150434552544B"),
        ("suite-version", "1.2.0"),
        ("suite-sha256", r.suites[0].sha256.as_str()),
        ("tapcert-version", "0.1.0"),
    ] {
        assert_eq!(props.get(k), Some(&v), "property {k}");
    }

    let case = |id: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name").unwrap().starts_with(id))
            .unwrap_or_else(|| panic!("no testcase {id}"))
    };
    let gac = case("EMV.GAC.003");
    assert_eq!(gac.attribute("name"), Some("EMV.GAC.003 ARQC verifies under the issuer key"));
    assert_eq!(gac.attribute("classname"), Some("emv-contactless"));
    let time: f64 = gac.attribute("time").unwrap().parse().unwrap();
    let expected = r.suites[0].cases[2].runs[0].duration_us as f64 / 1e6;
    assert!((time - expected).abs() < 1e-3, "time {time} vs {expected}");
    let failure = gac.children().find(|n| n.has_tag_name("failure")).expect("fail is a <failure>");
    assert_eq!(failure.attribute("message"), Some("ARQC does not verify"));
    assert_eq!(failure.attribute("type"), Some("fail"));
    let text = failure.text().unwrap();
    assert!(text.contains("expected no finding EMV.AC.VERIFY; observed") && text.contains(GAC_OBSERVED), "{text}");
    assert!(text.contains("finding: error EMV.AC.VERIFY at GENERATE AC, 77.9F26"), "{text}");

    let cda = case("EMV.CDA.004");
    let error = cda.children().find(|n| n.has_tag_name("error")).expect("error is an <error>");
    assert_eq!(error.attribute("message"), Some("reader gone: SCardTransmit: card removed"));
    let tac = case("TU.PUR.002").children().find(|n| n.has_tag_name("failure")).expect("inconclusive is a <failure>");
    assert_eq!(tac.attribute("type"), Some("inconclusive"));
    assert!(tac.text().unwrap().contains("observed no DEBIT answer (not evaluated)"));
    for (id, ty, why) in [
        ("EMV.MSD.005", "not-applicable", "the DUT profile has no mag-stripe mode"),
        ("TU.PUR.001", "skipped", "waived (W-12): destructive on a production band"),
    ] {
        let skipped = case(id).children().find(|n| n.has_tag_name("skipped")).unwrap();
        assert_eq!((skipped.attribute("type"), skipped.attribute("message")), (Some(ty), Some(why)));
    }
    let pass = case("EMV.PPSE.001");
    assert!(pass.children().all(|n| !n.is_element() || n.has_tag_name("properties")), "a pass has no outcome child");
}

#[test]
fn transcript_replays_every_clear_exchange_in_run_order() {
    let r = run_report();
    let text = render_transcript(&r);
    let t = import_scriptor(&text).expect("transcript.txt is a scriptor script");
    // the ATR first, as a reset
    assert!(
        matches!(&t.events[0].kind, EventKind::Reset { atr } if hex::encode_upper(atr.as_bytes()) == r.reader.atr.clone().unwrap())
    );
    let clear: Vec<(String, Option<String>)> = r
        .cases()
        .flat_map(|(_, c)| c.runs.iter().flat_map(|run| &run.exchanges))
        .filter(|x| !x.command.contains('*') && !x.response.as_deref().unwrap_or("").contains('*'))
        .map(|x| (x.command.clone(), x.response.clone()))
        .collect();
    let replayed: Vec<(String, Option<String>)> =
        t.exchanges().map(|(c, resp)| (hex::encode_upper(c), resp.map(|r| hex::encode_upper(r.as_bytes())))).collect();
    assert_eq!(replayed, clear);
    let all = r.cases().flat_map(|(_, c)| c.runs.iter().flat_map(|run| &run.exchanges)).count();
    assert_eq!(clear.len() + 1, all, "only the READ RECORD with the PAN is masked");
    // the masked one is comments, with its masked bytes
    assert!(text.contains("# case EMV.READ.002 step 1: READ RECORD SFI 1 #1\n# masked > 00 B2 01 0C 00\n"), "{text}");
    assert!(text.contains("# masked < 70 10 5A 08 54 13 33 ** ** ** 00 10"), "{text}");
    assert!(text.contains("not replayable"));
    // every exchange is under its case and step, repeats numbered
    assert!(text.contains("# case EMV.GAC.003 step 2: GENERATE AC\n80 AE 80 00 1D"), "{text}");
    assert!(text.contains("# case TU.BAL.003 step 1 (run 3 of 3): GET BALANCE\n80 5C 00 02 04\n"), "{text}");
    // the exchange that got no answer stays a command with a KO comment
    assert!(text.contains("# case EMV.CDA.004 step 1: GENERATE AC CDA\n80 AE 90 00"), "{text}");
    assert!(!text.to_ascii_lowercase().contains("exit"));
}

#[test]
fn no_report_shows_a_clear_pan() {
    let r = run_report();
    let mut new = run_report_with(95_000);
    new.dut.firmware = "1.2.4".into();
    let d = diff_reports(&r, &new);
    let outputs = [
        ("report.json", r.to_json()),
        ("junit.xml", render_junit(&r).unwrap()),
        ("report.html", render_html(&r)),
        ("transcript.txt", render_transcript(&r)),
        ("diff text", d.to_text()),
        ("diff json", d.to_json()),
    ];
    for (name, text) in &outputs {
        assert!(!text.contains(CLEAR_PAN), "{name} has the clear PAN");
        assert_eq!(pan_shaped_runs(text), Vec::<String>::new(), "{name} has a PAN-shaped digit run");
    }
    // the detector itself finds a clear PAN
    assert_eq!(pan_shaped_runs(&format!("PAN {CLEAR_PAN}.")), [CLEAR_PAN]);
    assert_eq!(pan_shaped_runs(&format!("\"70105A08{CLEAR_PAN}5F24\"")), [CLEAR_PAN]);
    assert_eq!(pan_shaped_runs("70 10 5A 08 54 13 33 00 89 60 00 10 5F 24"), [CLEAR_PAN]);
    assert_eq!(pan_shaped_runs("started 1795314742000, AID A0000006320101059000"), Vec::<String>::new());
    // the reports that show record data show it masked
    for (name, text) in &outputs[..4] {
        if *name != "junit.xml" {
            assert!(text.contains(MASKED_PAN) || text.contains("54 13 33 ** ** ** 00 10"), "{name}");
        }
    }
}

/// The old build and a new one: GENERATE AC slower, balance now failing, CDA fixed, MSD now
/// applicable, a purchase case dropped, a new case, and the emv suite file changed.
fn new_build() -> RunReport {
    let mut n = run_report_with(95_000);
    n.run_id = "band-x-1.2.4".into();
    n.dut.firmware = "1.2.4".into();
    let emv = &mut n.suites[0];
    emv.version = "1.3.0".into();
    emv.sha256 = "0f".repeat(32);
    emv.cases[3].verdict = Verdict::Pass;
    emv.cases[3].reason = None;
    emv.cases[4].verdict = Verdict::Pass;
    emv.cases[4].reason = None;
    let mut kernel = emv.cases[0].clone();
    kernel.id = "EMV.KRN.006".into();
    emv.cases.push(kernel);
    let transit = &mut n.suites[1];
    transit.cases[0].verdict = Verdict::Fail;
    transit.cases[0].reason = Some("balance 5 bytes".into());
    transit.cases.remove(1);
    resummarise(&mut n);
    n
}

#[test]
fn diff_names_regressions_fixes_and_the_slower_generate_ac() {
    let old = run_report();
    let d = diff_reports(&old, &new_build());
    let ids = |v: &[tapcert_conformance::certify::CaseChange]| v.iter().map(|c| c.case.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&d.regressed), ["TU.BAL.003"]);
    assert_eq!((d.regressed[0].old, d.regressed[0].new), (Verdict::Pass, Verdict::Fail));
    assert_eq!(ids(&d.fixed), ["EMV.CDA.004"]);
    assert_eq!(ids(&d.unchanged_failing), ["EMV.GAC.003", "TU.PUR.002"]);
    assert_eq!(ids(&d.verdict_changes), ["EMV.MSD.005"]);
    assert_eq!(d.new_cases.iter().map(|c| c.case.as_str()).collect::<Vec<_>>(), ["EMV.KRN.006"]);
    assert_eq!(d.removed_cases.iter().map(|c| c.case.as_str()).collect::<Vec<_>>(), ["TU.PUR.001"]);
    assert_eq!(d.campaign_warnings.len(), 1, "{:?}", d.campaign_warnings);
    assert!(d.campaign_warnings[0].contains("suite emv-contactless changed: version 1.2.0"));

    assert_eq!(d.latency_regressions.len(), 1, "{:?}", d.latency_regressions);
    let lr = &d.latency_regressions[0];
    assert_eq!((lr.suite.as_str(), lr.case.as_str(), lr.metric.as_str()), ("emv-contactless", "EMV.GAC.003", "p95"));
    assert_eq!((lr.old_us, lr.new_us), (31_000, 95_000));
    assert_eq!(
        (lr.step_label.as_deref(), lr.step_old_us, lr.step_new_us),
        (Some("GENERATE AC"), Some(31_000), Some(95_000))
    );
    assert!(d.has_regressions() && d.has_verdict_regressions());
    assert_eq!((d.exit_code(false), d.exit_code(true)), (1, 1));
    // Latency alone: reported, failing only on request.
    let slower_only = ReportDiff { regressed: vec![], new_cases: vec![], ..d.clone() };
    assert!(slower_only.has_regressions() && !slower_only.has_verdict_regressions());
    assert_eq!((slower_only.exit_code(false), slower_only.exit_code(true)), (0, 1));
    // A case of the new run only that fails is a verdict regression; one that passes is not.
    let mut added = ReportDiff { latency_regressions: vec![], ..slower_only.clone() };
    added.new_cases = d.new_cases.clone();
    added.new_cases[0].verdict = Verdict::Pass;
    assert_eq!(added.exit_code(true), 0);
    added.new_cases[0].verdict = Verdict::Error;
    assert_eq!(added.exit_code(false), 1);

    let text = d.to_text();
    assert!(text.contains("WARNING: not the same campaign: suite emv-contactless changed"), "{text}");
    assert!(
        text.contains(
            "regressed: 1\n  transit-tunion TU.BAL.003 Balance reads as 4 bytes: pass -> fail: balance 5 bytes\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "emv-contactless EMV.GAC.003: p95 31.0 ms -> 95.0 ms; most growth in GENERATE AC: 31.0 ms -> 95.0 ms"
        ),
        "{text}"
    );
    let back: tapcert_conformance::certify::ReportDiff = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(back, d);
}

#[test]
fn diff_thresholds_and_campaign_identity() {
    let old = run_report();
    // the same run: nothing to say
    let same = diff_reports(&old, &old);
    assert!(!same.has_regressions() && same.campaign_warnings.is_empty() && same.verdict_changes.is_empty());
    assert_eq!(same.unchanged_failing.len(), 3, "fail, error and inconclusive stay failing");
    // +14 ms on GENERATE AC is under +20 ms
    assert!(diff_reports(&old, &run_report_with(45_000)).latency_regressions.is_empty());
    // ... but over a threshold of +10 % and +5 ms
    let strict = LatencyThreshold { ratio: 0.1, min_increase_us: 5_000 };
    assert_eq!(diff_reports_with(&old, &run_report_with(45_000), strict).latency_regressions.len(), 1);
    // +3 s is not +300 % of a 31 ms p95 when the threshold asks for +500 %
    let lax = LatencyThreshold { ratio: 200.0, min_increase_us: 20_000 };
    assert!(diff_reports_with(&old, &run_report_with(3_000_000), lax).latency_regressions.is_empty());
    // another DUT model and reader, a suite gone
    let mut other = run_report();
    other.dut.model = "band-y".into();
    other.reader.name = "ACS ACR1252 1S CL Reader PICC 0".into();
    other.suites.pop();
    resummarise(&mut other);
    let w = diff_reports(&old, &other).campaign_warnings;
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].starts_with("DUT model differs") && w[1].starts_with("reader differs"));
    assert_eq!(w[2], "suite transit-tunion 0.9.1 removed");
}

#[test]
fn run_folder_is_written_whole_and_read_back() {
    let dir = scratch("run");
    let r = run_report();
    let files = write_run(&dir, &r).unwrap();
    for p in [&files.report_json, &files.junit_xml, &files.report_html, &files.transcript_txt] {
        assert!(std::fs::metadata(p).unwrap().len() > 100, "{}", p.display());
    }
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 4, "no .tmp file left: {left:?}");
    assert_eq!(read_run(&dir).unwrap(), r);
    assert_eq!(std::fs::read_to_string(&files.report_html).unwrap(), render_html(&r));
    // a second write (the runner rewrites after each suite) replaces each file
    let mut later = r.clone();
    later.interrupted = Some("interrupted".into());
    write_run(&dir, &later).unwrap();
    assert_eq!(read_run(&dir).unwrap().interrupted.as_deref(), Some("interrupted"));
    // what read_run refuses
    assert!(matches!(read_run(&scratch("missing")), Err(ReportError::Io(_))));
    std::fs::write(&files.report_json, r.to_json().replace("\"schema\": 1", "\"schema\": 7")).unwrap();
    assert!(matches!(read_run(&dir), Err(ReportError::Schema { found: 7 })));
}

/// Keys of a JSON value, recursively, except inside `tlv` trees (documented in
/// docs/decode-json.md).
fn json_keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                out.insert(k.clone());
                if k != "tlv" {
                    json_keys(v, out);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_keys(v, out)),
        _ => {}
    }
}

#[test]
fn schema_doc_example_reads_and_every_key_is_documented() {
    let doc = include_str!("../../docs/report-json.md");
    let start = doc.find("```json\n").expect("an example") + "```json\n".len();
    let example = &doc[start..start + doc[start..].find("\n```").unwrap()];
    let r = RunReport::from_json(example).expect("the documented example is a report");
    assert_eq!(r.summary, tapcert_conformance::certify::Summary::of(&r.suites), "its summary adds up");

    let mut keys = std::collections::BTreeSet::new();
    json_keys(&serde_json::from_str(&run_report().to_json()).unwrap(), &mut keys);
    let mut stopped = run_report();
    stopped.interrupted = Some("interrupted".into());
    stopped.dut.sim_profile = Some("faulty-ac".into());
    json_keys(&serde_json::from_str(&stopped.to_json()).unwrap(), &mut keys);
    let d = diff_reports(&run_report(), &new_build());
    json_keys(&serde_json::from_str(&d.to_json()).unwrap(), &mut keys);
    let undocumented: Vec<_> = keys.iter().filter(|k| !doc.contains(&format!("`{k}`"))).collect();
    assert!(undocumented.is_empty(), "keys missing from docs/report-json.md: {undocumented:?}");
}
