//! `report.html` of a hand-built run: what the page says, that it needs nothing from outside,
//! that report text cannot inject markup, and that a real browser (headless Chromium) renders
//! it: the DOM text holds the summary and the failing case with what it observed, and the
//! screenshot is a real page.

#[path = "../../tests/support/external.rs"]
mod external;

mod certify_fixture;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use certify_fixture::{GAC_OBSERVED, MASKED_PAN, SCRIPT_IN_MESSAGE, run_report};
use tapcert_conformance::certify::{escape_html, render_html, write_run};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_html").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn page_is_self_contained_and_escapes_report_text() {
    let html = render_html(&run_report());
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<html").count(), 1, "one page");
    for outside in ["<script", "<link", "src=", "http://", "https://", "@import", "url("] {
        assert!(!html.contains(outside), "the page refers to {outside}");
    }
    // the finding message carries markup: it shows as text
    assert!(html.contains(&escape_html(SCRIPT_IN_MESSAGE)));
    assert!(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
}

#[test]
fn page_has_summary_failures_exchanges_coverage_and_repeats() {
    let r = run_report();
    let html = render_html(&r);
    for summary in
        ["band-x", "1.2.3", "Virtual PCD 00 00", "3B8A800150415920544150434552544B", "2026-11-22 02:32:22 UTC"]
    {
        assert!(html.contains(summary), "summary lacks {summary}");
    }
    for (suite, version) in [("emv-contactless", "1.2.0"), ("transit-tunion", "0.9.1")] {
        assert!(html.contains(&format!("<a href=\"#suite-{suite}\">{suite}</a>")) && html.contains(version));
    }
    assert!(html.contains(&r.suites[0].sha256));
    assert!(html.contains("<span class=\"exit exit-1\">1</span>"), "exit status 1: a case failed");
    // the failing expectation next to what was observed
    let gac = &html[html.find("<details class=\"case\" id=\"case-EMV.GAC.003\" open>").expect("failing case open")..];
    let gac = &gac[..gac.find("</details>").unwrap()];
    assert!(gac.contains(
        "<td class=\"unmet\">no finding EMV.AC.VERIFY</td><td class=\"observed\">EMV.AC.VERIFY: ARQC 1F3C2A7E9B004D51 does not verify</td>"
    ));
    assert!(gac.contains("<code>EMV.AC.VERIFY</code> at GENERATE AC, 77.9F26"));
    assert!(gac.contains("<td>GENERATE AC</td><td><code class=\"hex\">80 AE 80 00 1D"));
    assert!(
        gac.contains("<code>9F26</code> <span class=\"name\">Application Cryptogram</span>"),
        "TLV tree of the answer"
    );
    // a passing case's details stay closed; its record shows the masked PAN in the tree
    assert!(html.contains("<details class=\"case\" id=\"case-EMV.READ.002\">"));
    assert!(html.contains(&format!("<code class=\"hex\">{MASKED_PAN}</code> <span class=\"muted\">(masked)</span>")));
    // coverage: a requirement two cases cite
    let cov = &html[html.find("id=\"coverage\"").unwrap()..];
    let row = &cov[cov.find("<td>EMV Book B §3.3.2</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("EMV.PPSE.001") && row.contains("EMV.READ.002") && row.matches("v-pass").count() == 2,
        "{row}"
    );
    // repeat statistics
    let rep = &html[html.find("id=\"repeat\"").expect("repeat table")..];
    assert!(rep.contains("<code>TU.BAL.003</code></a></td><td>3</td><td>3</td><td>100.0%</td><td>2.0 ms</td><td>2.5 ms</td><td>2.5 ms</td>"));
    // no interrupted banner unless the run was
    assert!(!html.contains("id=\"interrupted\""));
    let mut stopped = r.clone();
    stopped.interrupted = Some("reader gone: <b>SCardTransmit</b>".into());
    let html = render_html(&stopped);
    assert!(html.contains("id=\"interrupted\">Run interrupted: reader gone: &lt;b&gt;SCardTransmit&lt;/b&gt;."));
}

/// Runs chromium with a deadline; its stdout.
fn run_chromium(chromium: &Path, profile: &Path, args: &[String]) -> Vec<u8> {
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).map(|_| out)
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut out);
        out
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let err = err_reader.join().unwrap();
            assert!(status.success(), "chromium {args:?}: {status}\n{err}");
            return reader.join().unwrap().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The text of an HTML document: tags dropped, the entities the page uses decoded.
fn dom_text(dom: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in dom.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    text.replace("&amp;", "&").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn chromium_renders_the_page() {
    let Some(chromium) = external::chromium() else { return };
    let dir = scratch("chromium");
    let files = write_run(&dir.join("run"), &run_report()).unwrap();
    let url = format!("file://{}", files.report_html.canonicalize().unwrap().display());
    let png = dir.join("report.png");
    let profile = dir.join("profile");

    let dom = String::from_utf8(run_chromium(&chromium, &profile, &["--dump-dom".into(), url.clone()])).unwrap();
    let text = dom_text(&dom);
    for want in [
        "Summary",
        "DUT band-x",
        "Firmware 1.2.3",
        "Reader Virtual PCD 00 00 (pcsc, T=1)",
        "Exit status 1",
        "EMV.GAC.003",
        GAC_OBSERVED,
        SCRIPT_IN_MESSAGE,
    ] {
        assert!(text.contains(want), "the rendered DOM text lacks {want:?}:\n{text}");
    }
    assert!(!dom.contains("<script>alert"), "the message stayed text in the DOM");

    run_chromium(
        &chromium,
        &profile,
        &[format!("--screenshot={}", png.display()), "--window-size=1280,2000".into(), "--hide-scrollbars".into(), url],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    // a blank or one-colour page compresses to a few kilobytes; text and tables do not
    assert!(bytes.len() > 40_000, "screenshot only {} bytes: blank page?", bytes.len());
}
