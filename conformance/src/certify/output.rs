//! The run folder: `report.json`, `junit.xml`, `report.html` and `transcript.txt`, each
//! written to `<name>.tmp` and renamed over the old file, so that a run stopped at any point
//! (Ctrl-C, reader gone, power cut between two files) leaves every file either whole at its
//! previous state or whole at the new one; never half-written.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::html::render_html;
use super::junit::render_junit;
use super::report::{ReportError, RunReport};
use super::transcript::render_transcript;

/// `report.json`: the complete record, the one [`read_run`] reads.
pub const REPORT_JSON: &str = "report.json";
/// `junit.xml`.
pub const JUNIT_XML: &str = "junit.xml";
/// `report.html`.
pub const REPORT_HTML: &str = "report.html";
/// `transcript.txt`.
pub const TRANSCRIPT_TXT: &str = "transcript.txt";

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
    Ok(files)
}

/// Reads the `report.json` of a run folder.
pub fn read_run(dir: &Path) -> Result<RunReport, ReportError> {
    RunReport::from_json(&fs::read_to_string(dir.join(REPORT_JSON))?)
}

/// Writes `path` through `path.tmp`, synced before the rename.
fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path)
}
