//! Waivers (`--waivers FILE`): cases a lab decided not to run on this device, each with its
//! reason and, optionally, the last day the waiver holds.
//!
//! ```toml
//! [[waiver]]
//! case = "TU.PUR.*"                 # glob on case ids: `*` any run of characters, `?` one
//! reason = "purchase key not personalised on EVT units"
//! expires = "2027-01-31"            # optional, inclusive, compared with the run's clock (UTC)
//! ```
//!
//! A waived case is not run and is reported `skipped` with the reason. A waiver whose day has
//! passed waives nothing: each case it matches is reported `fail` with
//! `waiver expired: ...`, so the run fails until someone renews or removes it.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::lab_file::{LabFileError, from_toml, invalid_at};
use crate::terminal::Timestamp;

/// A calendar day (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// Year.
    pub year: u64,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
}

impl Day {
    /// The UTC day of a time since the Unix epoch (the run's clock).
    pub fn from_unix(since_epoch: Duration) -> Day {
        let t = Timestamp::from_unix(since_epoch);
        Day { year: t.year, month: t.month, day: t.day }
    }

    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            text.get(r).filter(|s| s.bytes().all(|c| c.is_ascii_digit())).and_then(|s| s.parse::<u64>().ok())
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Day {
            year,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One waiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Glob on case ids.
    pub case: String,
    /// Why the cases are waived.
    pub reason: String,
    /// Last day the waiver holds.
    pub expires: Option<Day>,
}

/// What a waiver does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverStatus<'a> {
    /// The case is waived: not run, `skipped`.
    Waived(&'a Waiver),
    /// The waiver expired: the case `fail`s.
    Expired(&'a Waiver),
}

impl WaiverStatus<'_> {
    /// The case's reason line.
    pub fn reason(&self) -> String {
        match self {
            WaiverStatus::Waived(w) => format!("waived ({}): {}", w.case, w.reason),
            WaiverStatus::Expired(w) => format!(
                "waiver expired: {} (expired {}): {}",
                w.case,
                w.expires.map(|d| d.to_string()).unwrap_or_default(),
                w.reason
            ),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiversFile {
    #[serde(default)]
    waiver: Vec<WaiverEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverEntry {
    case: Spanned<String>,
    reason: Spanned<String>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

/// Reads a waivers file; `file` names it in errors.
///
/// ```
/// use tapcert_conformance::certify::parse_waivers;
/// let w = parse_waivers("w.toml", "[[waiver]]\ncase = \"TU.PUR.*\"\nreason = \"no key\"\nexpires = \"2027-01-31\"\n").unwrap();
/// assert_eq!(w[0].expires.unwrap().to_string(), "2027-01-31");
/// let err = parse_waivers("w.toml", "[[waiver]]\ncase = \"X\"\nreason = \"\"\n").unwrap_err();
/// assert_eq!(err.to_string(), "w.toml:3: waiver[0].reason: a waiver states its reason");
/// ```
pub fn parse_waivers(file: &str, text: &str) -> Result<Vec<Waiver>, LabFileError> {
    let f: WaiversFile = from_toml(file, text)?;
    f.waiver
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            if w.case.get_ref().trim().is_empty() {
                return Err(invalid_at(file, text, &w.case, format!("waiver[{i}].case"), "a case id or glob"));
            }
            if w.reason.get_ref().trim().is_empty() {
                return Err(invalid_at(
                    file,
                    text,
                    &w.reason,
                    format!("waiver[{i}].reason"),
                    "a waiver states its reason",
                ));
            }
            let expires =
                match &w.expires {
                    Some(d) => Some(Day::parse(d.get_ref()).ok_or_else(|| {
                        invalid_at(file, text, d, format!("waiver[{i}].expires"), "a date YYYY-MM-DD")
                    })?),
                    None => None,
                };
            Ok(Waiver { case: w.case.into_inner(), reason: w.reason.into_inner(), expires })
        })
        .collect()
}

/// The first waiver whose glob matches `case_id`, and whether it still holds on `today`.
pub fn waiver_for<'a>(waivers: &'a [Waiver], case_id: &str, today: Day) -> Option<WaiverStatus<'a>> {
    let w = waivers.iter().find(|w| glob_match(&w.case, case_id))?;
    Some(if w.expires.is_some_and(|last| today > last) { WaiverStatus::Expired(w) } else { WaiverStatus::Waived(w) })
}

/// `*` matches any run of characters, `?` one character, anything else itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative wildcard match with one backtrack point: linear in practice, never recursive.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_case_ids() {
        assert!(glob_match("TU.PUR.*", "TU.PUR.001") && !glob_match("TU.PUR.*", "TU.BAL.001"));
        assert!(glob_match("*", "") && glob_match("EMV.???.00*", "EMV.SEL.003") && !glob_match("EMV.?", "EMV.10"));
        assert!(glob_match("*.00*3", "EMV.SEL.003") && !glob_match("TU.PUR.001", "TU.PUR.0011"));
    }

    #[test]
    fn expiry_is_inclusive_of_its_day() {
        let w = parse_waivers("w", "[[waiver]]\ncase = \"A.*\"\nreason = \"r\"\nexpires = \"2027-01-31\"\n").unwrap();
        let day = |s| Day::parse(s).unwrap();
        assert!(matches!(waiver_for(&w, "A.1", day("2027-01-31")), Some(WaiverStatus::Waived(_))));
        let expired = waiver_for(&w, "A.1", day("2027-02-01")).unwrap();
        assert_eq!(expired.reason(), "waiver expired: A.* (expired 2027-01-31): r");
        assert_eq!(waiver_for(&w, "B.1", day("2027-02-01")), None);
        // 2026-11-22 02:32:22 UTC
        assert_eq!(Day::from_unix(Duration::from_secs(1_795_314_742)), day("2026-11-22"));
    }

    #[test]
    fn bad_files_name_the_line_and_field() {
        let err = |t: &str| parse_waivers("w.toml", t).unwrap_err().to_string();
        assert_eq!(
            err("[[waiver]]\ncase = \"A\"\nreason = \"r\"\nexpires = \"2027-13-01\"\n"),
            "w.toml:4: waiver[0].expires: a date YYYY-MM-DD"
        );
        assert!(err("[[waiver]]\ncase = \"A\"\n").contains("reason"));
        assert!(err("[[waiver]]\ncase = \"A\"\nreason = \"r\"\nuntil = 1\n").contains("until"));
        assert!(Day::parse("2027-1-31").is_none() && Day::parse("２０２７-01-31").is_none());
    }
}
