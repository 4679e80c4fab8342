//! `report.html`: one self-contained page for the people who sign a build off (inline CSS,
//! no script, no external resource).
//!
//! The summary (DUT, firmware, reader, ATR, suites with versions and hashes, verdict counts,
//! exit status, a banner when the run was interrupted), a case table per suite, the details
//! of every case (unmet expectation next to what was observed, findings, exchanges with their
//! decoded TLV tree; open for the cases that did not pass), the requirement coverage, and the
//! repeat statistics. Every text from the report goes through [`escape_html`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::Value;

use super::digest::{
    case_duration_us, case_exchanges, case_findings, format_us, spaced_hex, suite_label, unmet_expectations,
};
use super::report::{CaseResult, RunReport, SuiteResult, Summary, Verdict};
use crate::terminal::Timestamp;

/// How deep a TLV tree is drawn (EMV templates nest three or four levels).
const TLV_DEPTH_LIMIT: usize = 16;

const STYLE: &str = "\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;padding:24px 32px;color:#1d232b;background:#f6f7f9}
h1{font-size:22px;margin:0 0 16px}h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid #d5d9e0;padding-bottom:4px}
h3{font-size:15px;margin:0}
tr.reader-specific td{background:#fff1e6}
table{border-collapse:collapse;background:#fff;margin:6px 0 14px;width:100%}
th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
table.kv{width:auto}table.kv th{width:11em}
code,.hex{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12.5px}
.hex{word-break:break-all}
.badge{display:inline-block;min-width:7em;text-align:center;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;color:#fff}
.v-pass{background:#1f8a4c}.v-fail{background:#c62828}.v-error{background:#7b1fa2}
.v-inconclusive{background:#d48a00}.v-not-applicable{background:#78849a}.v-skipped{background:#9aa3b2}
.counts .badge{margin:1px 6px 1px 0;min-width:0}
.banner{background:#fff4d6;border:2px solid #d48a00;padding:10px 14px;margin:0 0 16px;font-weight:600}
.exit{font-weight:700}.exit-0{color:#1f8a4c}.exit-1{color:#c62828}.exit-3{color:#7b1fa2}
details.case{background:#fff;border:1px solid #d5d9e0;border-radius:6px;margin:8px 0;padding:6px 12px}
details.case summary{cursor:pointer;display:flex;gap:10px;align-items:center}
td.unmet{background:#fdecea}td.observed{background:#fff8e1}
ul.tlv{margin:2px 0;padding-left:18px;list-style:square}ul.tlv li{margin:1px 0}
.name{color:#52606d}.muted{color:#6b7785}
";

/// Renders the HTML page of a run.
pub fn render_html(report: &RunReport) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!("tapcert certification: {} {}", report.dut.model, report.dut.firmware);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        escape_html(&title)
    );
    if let Some(why) = &report.interrupted {
        let _ = writeln!(
            h,
            "<div class=\"banner\" id=\"interrupted\">Run interrupted: {}. Cases after that point did not run.</div>",
            escape_html(why)
        );
    }
    let _ = writeln!(h, "<h1>{}</h1>", escape_html(&title));
    write_summary(&mut h, report);
    write_matrix(&mut h, report);
    for suite in &report.suites {
        write_suite(&mut h, report, suite);
    }
    write_coverage(&mut h, report);
    write_repeat_stats(&mut h, report);
    h.push_str("</body>\n</html>\n");
    h
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn badge(v: Verdict) -> String {
    format!("<span class=\"badge v-{0}\">{0}</span>", v.as_str())
}

fn exit_meaning(code: u8) -> &'static str {
    match code {
        0 => "passed (not-applicable and skipped cases allowed)",
        1 => "non-conformance: a case failed or was inconclusive",
        3 => "transport or environment errors",
        _ => "unknown",
    }
}

fn write_summary(h: &mut String, r: &RunReport) {
    h.push_str("<h2>Summary</h2>\n<table class=\"kv\" id=\"summary\">\n");
    let mut row = |k: &str, v: &str| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{v}</td></tr>", escape_html(k));
    };
    row("DUT", &escape_html(&r.dut.model));
    row("Firmware", &escape_html(&r.dut.firmware));
    if let Some(p) = &r.dut.sim_profile {
        row("Band profile", &escape_html(p));
    }
    if let Some(k) = &r.dut.kind {
        row("Kind", &escape_html(k));
    }
    if !r.dut.apps.is_empty() {
        row("Applications", &escape_html(&r.dut.apps.join(", ")));
    }
    let mut reader = format!("{} ({}", escape_html(&r.reader.name), escape_html(&r.reader.kind));
    if let Some(p) = &r.reader.protocol {
        let _ = write!(reader, ", {}", escape_html(p));
    }
    reader.push(')');
    row("Reader", &reader);
    row("ATR", &format!("<code class=\"hex\">{}</code>", escape_html(r.reader.atr.as_deref().unwrap_or("none"))));
    row("tapcert", &escape_html(&r.tapcert_version));
    row("Run", &escape_html(&r.run_id));
    row("Started", &escape_html(&utc_datetime(r.started_unix_ms)));
    row("Duration", &format_us(r.duration_ms.saturating_mul(1_000)));
    row("Repeat", &r.repeat.to_string());
    let code = r.summary.exit_code();
    row("Exit status", &format!("<span class=\"exit exit-{code}\">{code}</span>: {}", escape_html(exit_meaning(code))));
    row("Verdicts", &counts(&r.summary));
    row("Exchanges", &r.summary.apdus.to_string());
    if !r.keys.is_empty() {
        let keys: Vec<String> = r
            .keys
            .iter()
            .map(|k| {
                format!(
                    "{} <span class=\"muted\">{}</span> KCV <code class=\"hex\">{}</code>",
                    escape_html(&k.name),
                    escape_html(&k.role),
                    escape_html(&k.kcv)
                )
            })
            .collect();
        row("Keys", &keys.join("<br>"));
    }
    h.push_str("</table>\n");

    h.push_str("<table id=\"suites\">\n<tr><th>Suite</th><th>Title</th><th>Version</th><th>SHA-256</th><th>Verdicts</th></tr>\n");
    for s in &r.suites {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#suite-{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td><code class=\"hex\">{3}</code></td><td>{4}</td></tr>",
            escape_html(&s.id),
            escape_html(&s.title),
            escape_html(&s.version),
            escape_html(&s.sha256),
            counts(&Summary::of(std::slice::from_ref(s)))
        );
    }
    h.push_str("</table>\n");
}

fn counts(s: &Summary) -> String {
    let all = [
        (Verdict::Pass, s.pass),
        (Verdict::Fail, s.fail),
        (Verdict::Error, s.error),
        (Verdict::Inconclusive, s.inconclusive),
        (Verdict::NotApplicable, s.not_applicable),
        (Verdict::Skipped, s.skipped),
    ];
    let mut out = format!("<span class=\"counts\">{} cases: ", s.cases);
    for (v, n) in all.into_iter().filter(|(_, n)| *n > 0) {
        let _ = write!(out, "<span class=\"badge v-{0}\">{n} {0}</span>", v.as_str());
    }
    out.push_str("</span>");
    out
}

fn write_suite(h: &mut String, r: &RunReport, s: &SuiteResult) {
    let _ = writeln!(
        h,
        "<h2 id=\"suite-{}\">{} <span class=\"muted\">{} {}</span></h2>",
        escape_html(&s.id),
        escape_html(&suite_label(r, s)),
        escape_html(&s.title),
        escape_html(&s.version)
    );
    h.push_str(
        "<table class=\"cases\">\n<tr><th>Case</th><th>Title</th><th>Verdict</th><th>Reason</th><th>Time</th></tr>\n",
    );
    for c in &s.cases {
        let title = match &c.reader {
            Some(reader) => format!("{} [{}]", c.title, reader.name),
            None => c.title.clone(),
        };
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#{0}\"><code>{1}</code></a></td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td></tr>",
            case_anchor(r, c),
            escape_html(&c.id),
            escape_html(&title),
            badge(c.verdict),
            escape_html(c.reason.as_deref().unwrap_or("")),
            format_us(case_duration_us(c))
        );
    }
    h.push_str("</table>\n");
    for c in &s.cases {
        write_case(h, r, c);
    }
}

/// The element id of a case's details: `case-ID`, with the reader's column (`case-ID-r2`) in a
/// report of several readers.
fn case_anchor(r: &RunReport, c: &CaseResult) -> String {
    let col = c.reader.as_ref().and_then(|reader| r.readers.iter().position(|l| l.reader.name == reader.name));
    match col {
        Some(i) => format!("case-{}-r{}", escape_html(&c.id), i + 1),
        None => format!("case-{}", escape_html(&c.id)),
    }
}

/// The reader-by-case matrix of a report of several readers; reader-specific failures
/// (failing on some readers, passing on others) are marked and listed first.
fn write_matrix(h: &mut String, r: &RunReport) {
    if r.readers.is_empty() {
        return;
    }
    h.push_str("<h2>Readers</h2>\n<table id=\"readers\">\n<tr><th>#</th><th>Reader</th><th>Vendor / firmware</th><th>Protocol</th><th>ATR</th><th>Device</th></tr>\n");
    for (i, l) in r.readers.iter().enumerate() {
        let vendor =
            [l.reader.vendor.as_deref(), l.reader.firmware.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        let _ = writeln!(
            h,
            "<tr><td>r{}</td><td>{}</td><td>{}</td><td>{}</td><td><code class=\"hex\">{}</code></td><td>{} {}</td></tr>",
            i + 1,
            escape_html(&l.reader.name),
            escape_html(&if vendor.is_empty() { "not exposed".to_string() } else { vendor.join(" ") }),
            escape_html(l.reader.protocol.as_deref().unwrap_or("")),
            escape_html(l.reader.atr.as_deref().unwrap_or("none")),
            escape_html(&l.dut.model),
            escape_html(&l.dut.firmware)
        );
    }
    h.push_str("</table>\n");
    let specific = r.matrix.iter().filter(|m| m.reader_specific).count();
    let _ = writeln!(
        h,
        "<h2>Reader-by-case matrix</h2>\n<p>{specific} reader-specific failure(s): cases that fail on some readers and pass on others.</p>"
    );
    h.push_str("<table id=\"matrix\">\n<tr><th>Suite</th><th>Case</th>");
    for i in 0..r.readers.len() {
        let _ = write!(h, "<th>r{}</th>", i + 1);
    }
    h.push_str("<th>Reader-specific</th></tr>\n");
    let rows = r.matrix.iter().filter(|m| m.reader_specific).chain(r.matrix.iter().filter(|m| !m.reader_specific));
    for m in rows {
        let class = if m.reader_specific { " class=\"reader-specific\"" } else { "" };
        let _ =
            write!(h, "<tr{class}><td>{}</td><td><code>{}</code></td>", escape_html(&m.suite), escape_html(&m.case));
        for v in &m.verdicts {
            let _ = write!(h, "<td>{}</td>", v.map_or_else(|| "-".to_string(), badge));
        }
        let _ = writeln!(h, "<td>{}</td></tr>", if m.reader_specific { "yes" } else { "" });
    }
    h.push_str("</table>\n");
}

fn write_case(h: &mut String, r: &RunReport, c: &CaseResult) {
    let open = if c.verdict == Verdict::Pass { "" } else { " open" };
    let title = match &c.reader {
        Some(reader) => format!("{} [{}]", c.title, reader.name),
        None => c.title.clone(),
    };
    let _ = writeln!(
        h,
        "<details class=\"case\" id=\"{3}\"{open}>\n<summary>{1} <h3><code>{0}</code> {2}</h3></summary>",
        escape_html(&c.id),
        badge(c.verdict),
        escape_html(&title),
        case_anchor(r, c)
    );
    for hook in c.runs.iter().flat_map(|run| &run.hooks) {
        let status = match (hook.timed_out, hook.exit) {
            (true, _) => "timed out".to_string(),
            (false, Some(code)) => format!("exit {code}"),
            (false, None) => "no exit status".to_string(),
        };
        let _ = writeln!(
            h,
            "<p><b>{} hook</b> <code>{}</code> ({status}, {} ms)</p><pre class=\"hook\">{}</pre>",
            escape_html(&hook.hook),
            escape_html(&hook.command),
            hook.duration_ms,
            escape_html(&hook.output)
        );
    }
    if let Some(reason) = &c.reason {
        let _ = writeln!(h, "<p><b>Reason:</b> {}</p>", escape_html(reason));
    }
    if !c.requirements.is_empty() {
        let reqs: Vec<String> = c.requirements.iter().map(|q| escape_html(q)).collect();
        let _ = writeln!(h, "<p><b>Requirements:</b> {}</p>", reqs.join(", "));
    }
    let unmet = unmet_expectations(c);
    if !unmet.is_empty() {
        h.push_str("<table class=\"unmet\">\n<tr><th>Step</th><th>Expected</th><th>Observed</th><th>State</th></tr>\n");
        for e in unmet {
            let state = if e.met.is_none() { "not evaluated" } else { "not met" };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"unmet\">{}</td><td class=\"observed\">{}</td><td>{state}</td></tr>",
                e.step,
                escape_html(&e.expected),
                escape_html(&e.observed)
            );
        }
        h.push_str("</table>\n");
    }
    let findings = case_findings(c);
    if !findings.is_empty() {
        h.push_str("<p><b>Findings</b></p>\n<ul class=\"findings\">\n");
        for f in findings {
            let _ = writeln!(
                h,
                "<li><b>{}</b> <code>{}</code> at {}: {}</li>",
                escape_html(f.severity.as_str()),
                escape_html(&f.rule),
                escape_html(&f.location.to_string()),
                escape_html(&f.message)
            );
        }
        h.push_str("</ul>\n");
    }
    let repeated = c.runs.len() > 1;
    let mut any = false;
    for (run, x) in case_exchanges(c) {
        if !any {
            let run_col = if repeated { "<th>Run</th>" } else { "" };
            let _ = writeln!(
                h,
                "<table class=\"exchanges\">\n<tr>{run_col}<th>Step</th><th>Label</th><th>Command</th><th>Response</th><th>SW</th><th>Latency</th></tr>"
            );
            any = true;
        }
        let run_cell = if repeated { format!("<td>{}</td>", run + 1) } else { String::new() };
        let mut response = match &x.response {
            Some(r) => format!("<code class=\"hex\">{}</code>", escape_html(&spaced_hex(r))),
            None => "<span class=\"muted\">no answer</span>".to_string(),
        };
        if let Some(tree) = &x.tlv {
            response.push_str(&tlv_tree(tree));
        }
        let _ = writeln!(
            h,
            "<tr>{run_cell}<td>{}</td><td>{}</td><td><code class=\"hex\">{}</code></td><td>{response}</td><td><code>{}</code></td><td>{}</td></tr>",
            x.step,
            escape_html(&x.label),
            escape_html(&spaced_hex(&x.command)),
            escape_html(x.sw.as_deref().unwrap_or("")),
            format_us(x.latency_us)
        );
    }
    if any {
        h.push_str("</table>\n");
    }
    h.push_str("</details>\n");
}

/// The TLV tree of a response as nested lists. Takes the `decode tlv --json` document
/// (`{"tlv": [NODE, ...]}`), its NODE array, or one NODE.
fn tlv_tree(tree: &Value) -> String {
    let nodes: &[Value] = match tree {
        Value::Object(o) => match o.get("tlv") {
            Some(Value::Array(a)) => a,
            _ => std::slice::from_ref(tree),
        },
        Value::Array(a) => a,
        _ => return String::new(),
    };
    let mut out = String::new();
    tlv_list(nodes, 0, &mut out);
    out
}

fn tlv_list(nodes: &[Value], depth: usize, out: &mut String) {
    if depth >= TLV_DEPTH_LIMIT {
        out.push_str("<ul class=\"tlv\"><li class=\"muted\">(deeper levels not drawn)</li></ul>");
        return;
    }
    out.push_str("<ul class=\"tlv\">");
    for n in nodes {
        let s = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or("");
        let _ = write!(out, "<li><code>{}</code>", escape_html(s("tag")));
        if !s("name").is_empty() {
            let _ = write!(out, " <span class=\"name\">{}</span>", escape_html(s("name")));
        }
        if let Some(len) = n.get("len").and_then(Value::as_u64) {
            let _ = write!(out, " <span class=\"muted\">({len})</span>");
        }
        if let Some(v) = n.get("value").and_then(Value::as_str) {
            let _ = write!(out, " = <code class=\"hex\">{}</code>", escape_html(v));
            if n.get("masked").and_then(Value::as_bool) == Some(true) {
                out.push_str(" <span class=\"muted\">(masked)</span>");
            }
        }
        if let Some(children) = n.get("children").and_then(Value::as_array) {
            tlv_list(children, depth + 1, out);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

fn write_coverage(h: &mut String, r: &RunReport) {
    let mut by_req: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for (_, c) in r.cases() {
        for q in &c.requirements {
            by_req.entry(q.as_str()).or_default().push(c);
        }
    }
    h.push_str("<h2 id=\"coverage\">Requirement coverage</h2>\n");
    if by_req.is_empty() {
        h.push_str("<p class=\"muted\">No case names a requirement.</p>\n");
        return;
    }
    h.push_str("<table>\n<tr><th>Requirement</th><th>Cases</th><th>Verdicts</th></tr>\n");
    for (req, cases) in by_req {
        let ids: Vec<String> =
            cases.iter().map(|c| format!("<a href=\"#case-{0}\"><code>{0}</code></a>", escape_html(&c.id))).collect();
        let verdicts: Vec<String> = cases.iter().map(|c| badge(c.verdict)).collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(req),
            ids.join("<br>"),
            verdicts.join("<br>")
        );
    }
    h.push_str("</table>\n");
}

fn write_repeat_stats(h: &mut String, r: &RunReport) {
    let repeated: Vec<&CaseResult> = r.cases().map(|(_, c)| c).filter(|c| c.stats.is_some()).collect();
    if repeated.is_empty() {
        return;
    }
    h.push_str("<h2 id=\"repeat\">Repeat statistics</h2>\n<table>\n<tr><th>Case</th><th>Runs</th><th>Passed</th><th>Pass rate</th><th>p50</th><th>p95</th><th>max</th></tr>\n");
    for c in repeated {
        let Some(s) = &c.stats else { continue };
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#case-{0}\"><code>{0}</code></a></td><td>{1}</td><td>{2}</td><td>{3:.1}%</td><td>{4}</td><td>{5}</td><td>{6}</td></tr>",
            escape_html(&c.id),
            s.runs,
            s.passed,
            s.pass_rate * 100.0,
            format_us(s.latency_p50_us),
            format_us(s.latency_p95_us),
            format_us(s.latency_max_us)
        );
    }
    h.push_str("</table>\n");
}

/// `2026-11-22 02:32:22 UTC` from milliseconds since the Unix epoch.
fn utc_datetime(unix_ms: u64) -> String {
    let t = Timestamp::from_unix(Duration::from_millis(unix_ms));
    let s = t.seconds;
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month, t.day, s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape_html("<script>alert('x&y')</script> \"q\""),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt; &quot;q&quot;"
        );
        assert_eq!(escape_html("9000 ok"), "9000 ok");
    }

    #[test]
    fn dates_are_utc_civil() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_datetime(1_795_314_742_000), "2026-11-22 02:32:22 UTC");
        assert_eq!(utc_datetime(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn tlv_tree_accepts_document_array_or_node_and_stops_deep() {
        let node = serde_json::json!({"tag": "5A", "name": "PAN", "len": 8, "offset": 2, "value": "541333******0010", "masked": true});
        let doc = serde_json::json!({"tlv": [{"tag": "70", "len": 10, "offset": 0, "children": [node.clone()]}]});
        for v in [&doc, &doc["tlv"], &node] {
            let html = tlv_tree(v);
            assert!(
                html.contains("<code>5A</code>") && html.contains("541333******0010") && html.contains("(masked)"),
                "{html}"
            );
        }
        assert!(tlv_tree(&doc).matches("<ul").count() == 2);
        let mut deep = node;
        for _ in 0..40 {
            deep = serde_json::json!({"tag": "70", "len": 1, "offset": 0, "children": [deep]});
        }
        let html = tlv_tree(&deep);
        assert_eq!(html.matches("<ul").count(), TLV_DEPTH_LIMIT + 1);
        assert!(html.contains("deeper levels not drawn"));
    }
}
