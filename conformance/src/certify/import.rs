//! `tapcert suite import`: an existing script becomes a suite file.
//!
//! - A scriptor script or log (pcsc-tools): each command whose answer was recorded becomes a
//!   step expecting that status word and those data bytes; `reset` lines become reset steps.
//!   Commands without a recorded answer become steps expecting any status word but a mute card
//!   (`XXXX`).
//! - An ETSI TS 101 955-style script: one command per line, `APDU [expected data] (SW, SW)`,
//!   `X` wildcard nibbles in the expected data and status words, `#` or `//` comments, `RESET`.
//!
//! The whole script becomes one case (its steps depend on each other); the result is TOML that
//! [`super::parse_suite`] accepts, to be edited and reviewed like any suite.

use std::fmt::Write as _;

use crate::transcript::{EventKind, import_scriptor};

/// Why a script could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A line that is neither a command, a comment nor `reset`.
    #[error("line {line}: {detail}")]
    Line {
        /// 1-based line.
        line: usize,
        /// What was wrong.
        detail: String,
    },
    /// The scriptor reader's error.
    #[error(transparent)]
    Scriptor(#[from] crate::transcript::ScriptorError),
    /// Nothing to import.
    #[error("the script holds no command")]
    Empty,
}

/// Where the script came from, for the suite's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// pcsc-tools scriptor script or log.
    Scriptor,
    /// ETSI TS 101 955-style `APDU [data] (SW)` lines.
    Etsi,
}

/// Which kind `text` looks like: any `(` status-word list or `[` data means ETSI style.
pub fn detect_script(text: &str) -> ScriptKind {
    let etsi = text.lines().map(str::trim).any(|l| !l.starts_with('#') && (l.contains('(') || l.contains('[')));
    if etsi { ScriptKind::Etsi } else { ScriptKind::Scriptor }
}

struct ImportedStep {
    apdu: Option<String>,
    data: Option<String>,
    sw: Vec<String>,
}

fn is_hex_or_x(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit() || c == 'X' || c == 'x')
}

fn etsi_steps(text: &str) -> Result<Vec<ImportedStep>, ImportError> {
    let mut steps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("").split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line.eq_ignore_ascii_case("reset") {
            steps.push(ImportedStep { apdu: None, data: None, sw: Vec::new() });
            continue;
        }
        let bad = |detail: &str| ImportError::Line { line: i + 1, detail: detail.to_string() };
        let (head, sw) = match line.find('(') {
            Some(p) => {
                let close = line[p..].find(')').ok_or_else(|| bad("'(' without ')'"))? + p;
                let sws: Vec<String> =
                    line[p + 1..close].split(',').map(|s| s.trim().replace(' ', "").to_ascii_uppercase()).collect();
                if sws.iter().any(|s| s.len() != 4 || !is_hex_or_x(s)) {
                    return Err(bad("status words are 4 hex digits or X"));
                }
                (&line[..p], sws)
            }
            None => (line, Vec::new()),
        };
        let (apdu, data) = match head.find('[') {
            Some(p) => {
                let close = head[p..].find(']').ok_or_else(|| bad("'[' without ']'"))? + p;
                let data = head[p + 1..close].replace(' ', "").to_ascii_uppercase();
                if !data.is_empty() && !is_hex_or_x(&data) {
                    return Err(bad("expected data is hex with X wildcards"));
                }
                (head[..p].replace(' ', ""), (!data.is_empty()).then_some(data))
            }
            None => (head.replace(' ', ""), None),
        };
        if apdu.len() < 8 || apdu.len() % 2 != 0 || !apdu.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad("the command is not an APDU in hex"));
        }
        steps.push(ImportedStep { apdu: Some(apdu.to_ascii_uppercase()), data, sw });
    }
    Ok(steps)
}

fn scriptor_steps(text: &str) -> Result<Vec<ImportedStep>, ImportError> {
    let transcript = import_scriptor(text)?;
    let mut steps = Vec::new();
    for e in &transcript.events {
        match &e.kind {
            EventKind::Reset { .. } => steps.push(ImportedStep { apdu: None, data: None, sw: Vec::new() }),
            EventKind::Exchange { command, response, .. } => {
                let (data, sw) = match response {
                    Some(r) if r.sw().is_some() => {
                        let sw = format!("{:04X}", r.sw().unwrap_or_default());
                        let data = (!r.data().is_empty()).then(|| hex::encode_upper(r.data()));
                        (data, vec![sw])
                    }
                    _ => (None, vec!["XXXX".to_string()]),
                };
                steps.push(ImportedStep { apdu: Some(hex::encode_upper(command)), data, sw });
            }
            EventKind::FieldOff { .. } => {}
        }
    }
    Ok(steps)
}

/// The suite TOML for a script.
pub fn import_script(text: &str, id: &str, title: &str) -> Result<String, ImportError> {
    let kind = detect_script(text);
    let mut steps = match kind {
        ScriptKind::Etsi => etsi_steps(text)?,
        ScriptKind::Scriptor => scriptor_steps(text)?,
    };
    // A leading reset is what every case starts with anyway.
    while steps.first().is_some_and(|s| s.apdu.is_none()) {
        steps.remove(0);
    }
    if steps.iter().all(|s| s.apdu.is_none()) {
        return Err(ImportError::Empty);
    }
    let source = match kind {
        ScriptKind::Scriptor => "a scriptor script (pcsc-tools)",
        ScriptKind::Etsi => "an ETSI TS 101 955-style script",
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Imported by `tapcert suite import` from {source}: review the expectations and the");
    let _ = writeln!(out, "# requirement before relying on it.");
    let _ = writeln!(out, "id = {}", toml_str(id));
    let _ = writeln!(out, "version = \"0.1.0\"");
    let _ = writeln!(out, "title = {}\n", toml_str(title));
    let _ = writeln!(out, "[[case]]");
    let _ = writeln!(out, "id = {}", toml_str(&format!("{}.001", id.to_ascii_uppercase().replace(['_', ' '], "-"))));
    let _ = writeln!(out, "title = {}", toml_str(&format!("{title}: the recorded exchanges")));
    let _ = writeln!(out, "requirements = [\"the imported script\"]");
    let _ = writeln!(out, "steps = [");
    for s in &steps {
        match &s.apdu {
            None => {
                let _ = writeln!(out, "  {{ reset = true }},");
            }
            Some(apdu) => {
                let mut expect = Vec::new();
                if !s.sw.is_empty() {
                    let list: Vec<String> = s.sw.iter().map(|w| toml_str(w)).collect();
                    expect.push(format!("sw = [{}]", list.join(", ")));
                }
                if let Some(d) = &s.data {
                    expect.push(format!("data = {}", toml_str(d)));
                }
                let expect =
                    if expect.is_empty() { String::new() } else { format!(", expect = {{ {} }}", expect.join(", ")) };
                let _ = writeln!(out, "  {{ apdu = {}{expect} }},", toml_str(apdu));
            }
        }
    }
    let _ = writeln!(out, "]");
    Ok(out)
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::parse_suite;

    #[test]
    fn etsi_lines_become_steps_with_their_expectations() {
        let script = "# select PPSE\n00A404000E325041592E5359532E444446303100 [6FXX] (9000, 61XX)\nRESET\n00B2010C00 (6A83) // absent record\n";
        let toml = import_script(script, "my-card", "My card").unwrap();
        let suite = parse_suite("imported", &toml).unwrap();
        let steps = &suite.cases[0].steps;
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].expect.sw, ["9000", "61XX"]);
        assert_eq!(steps[0].expect.data.as_deref(), Some("6FXX"));
        assert!(steps[1].reset);
        assert_eq!(steps[2].expect.sw, ["6A83"]);
        assert_eq!(suite.cases[0].id, "MY-CARD.001");
        let err = import_script("00A4 (90)", "x", "x").unwrap_err().to_string();
        assert!(err.starts_with("line 1:"), "{err}");
        assert!(matches!(import_script("# nothing\n", "x", "x"), Err(ImportError::Empty)));
    }

    #[test]
    fn scriptor_logs_become_exact_expectations() {
        let log = "> 00 A4 04 00 07 A0 00 00 00 04 10 10 00\n< 6F 02 84 00 90 00 : Normal processing.\n> 00 B2 05 0C 00\n< 6A 83 : Record not found.\n";
        let toml = import_script(log, "band", "Band \"log\"").unwrap();
        let suite = parse_suite("imported", &toml).unwrap();
        assert_eq!(suite.title, "Band \"log\"");
        let steps = &suite.cases[0].steps;
        assert_eq!(steps[0].apdu.as_deref(), Some("00A4040007A000000004101000"));
        assert_eq!(
            (steps[0].expect.sw.clone(), steps[0].expect.data.clone()),
            (vec!["9000".to_string()], Some("6F028400".to_string()))
        );
        assert_eq!(steps[1].expect.sw, ["6A83"]);
    }
}
