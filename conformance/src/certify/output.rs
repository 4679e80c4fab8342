//! The run folder: `report.json`, `junit.xml`, `report.html` and `transcript.txt`, each
//! written to `<name>.tmp` and renamed over the old file, so that a run stopped at any point
//! (Ctrl-C, reader gone, power cut between two files) leaves every file either whole at its
//! previous state or whole at the new one; never half-written.
//!
//! [`write_run_with`] also keeps what the run was given: `suites/<id>.toml` (each suite's text
//! as run, whose SHA-256 the report states), `dut.toml` and `waivers.toml`. Key files are
//! never copied: the report holds the keys' names and check values.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::html::render_html;
use super::junit::render_junit;
use super::report::{ReportError, RunReport};
use super::suite::Suite;
use super::transcript::render_transcript;

/// `report.json`: the complete record, the one [`read_run`] reads.
pub const REPORT_JSON: &str = "report.json";
/// `junit.xml`.
pub const JUNIT_XML: &str = "junit.xml";
/// `report.html`.
pub const REPORT_HTML: &str = "report.html";
/// `transcript.txt`.
pub const TRANSCRIPT_TXT: &str = "transcript.txt";

/// `dut.toml`: the DUT profile given with `--dut`.
pub const DUT_TOML: &str = "dut.toml";
/// `waivers.toml`: the waivers given with `--waivers`.
pub const WAIVERS_TOML: &str = "waivers.toml";
/// The folder of the suite files as run.
pub const SUITES_DIR: &str = "suites";

/// What a run was given, kept in its folder beside the reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunInputs<'a> {
    /// The suites as run (their text).
    pub suites: &'a [Suite],
    /// The DUT profile file's text.
    pub dut: Option<&'a str>,
    /// The waivers file's text.
    pub waivers: Option<&'a str>,
}

/// Where [`write_run`] put each report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFiles {
    /// The folder.
    pub dir: PathBuf,
    /// `report.json`.
    pub report_json: PathBuf,
    /// `junit.xml`.
    pub junit_xml: PathBuf,
    /// `report.html`.
    pub report_html: PathBuf,
    /// `transcript.txt`.
    pub transcript_txt: PathBuf,
}

/// Writes every report of `report` into `dir` (created if missing). `report.json` goes
/// first: whatever else a stop leaves undone, the complete record is there.
pub fn write_run(dir: &Path, report: &RunReport) -> io::Result<RunFiles> {
    write_run_with(dir, report, &RunInputs::default())
}

/// [`write_run`], and then the run's inputs: `suites/<id>.toml`, `dut.toml`, `waivers.toml`.
pub fn write_run_with(dir: &Path, report: &RunReport, inputs: &RunInputs<'_>) -> io::Result<RunFiles> {
    fs::create_dir_all(dir)?;
    let files = RunFiles {
        dir: dir.to_path_buf(),
        report_json: dir.join(REPORT_JSON),
        junit_xml: dir.join(JUNIT_XML),
        report_html: dir.join(REPORT_HTML),
        transcript_txt: dir.join(TRANSCRIPT_TXT),
    };
    replace_file(&files.report_json, report.to_json().as_bytes())?;
    replace_file(&files.junit_xml, render_junit(report)?.as_bytes())?;
    replace_file(&files.report_html, render_html(report).as_bytes())?;
    replace_file(&files.transcript_txt, render_transcript(report).as_bytes())?;
    if !inputs.suites.is_empty() {
        fs::create_dir_all(dir.join(SUITES_DIR))?;
    }
    for suite in inputs.suites {
        // Suite ids are file names here: keep only what is safe in one.
        let name: String =
            suite.id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
        replace_file(
            &dir.join(SUITES_DIR).join(format!("{}.toml", name.trim_start_matches('.'))),
            suite.text.as_bytes(),
        )?;
    }
    for (name, text) in [(DUT_TOML, inputs.dut), (WAIVERS_TOML, inputs.waivers)] {
        if let Some(text) = text {
            replace_file(&dir.join(name), text.as_bytes())?;
        }
    }
    Ok(files)
}

/// Reads the `report.json` of a run folder.
pub fn read_run(dir: &Path) -> Result<RunReport, ReportError> {
    RunReport::from_json(&crate::read_text_capped(&dir.join(REPORT_JSON), crate::MAX_RUN_FILE_BYTES)?)
}

/// Writes `path` through `path.tmp`, synced before the rename.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path)
}
