//! The one finding type every validator and every terminal procedure returns.
//!
//! A [`Finding`] is a fact about bytes or text a device produced: which rule it breaks (a
//! stable [rule id](Finding::rule)), how serious that is, where it is, and a message for people.
//! Parse failures are errors, not findings: a finding is always about input that decoded.
//!
//! Rule ids have one style across formats: upper-case segments joined by dots, each segment made
//! of `A-Z`, `0-9` and `-`, the first segment naming the format or application
//! (`TLV.PADDING`, `EMV.AFL.RECORD-RANGE`, `NDEF.MB-FIRST`, `QR.CRC`, `APDU.DATA-WITHOUT-LE`,
//! `TRANSIT.TAC`). Expectations, waivers and `decode --strict` key on them.
//!
//! ```
//! use tapcert_parsers::{Finding, Location, Severity, is_rule_id};
//! let f = Finding::new("EMV.FORMAT.N", Severity::Warning, Location::byte(4).with_path("9A"), "byte 7A is not BCD");
//! assert!(is_rule_id(&f.rule));
//! assert!(f.is_violation());
//! assert_eq!(f.to_string(), "warning EMV.FORMAT.N at 9A, offset 4: byte 7A is not BCD");
//! assert!(!is_rule_id("ndef.mb-first"));
//! ```

use core::fmt;
use std::borrow::Cow;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Severity {
    /// Worth knowing; not a violation (padding, unknown proprietary tags).
    Info,
    /// A rule of the specification is broken.
    Warning,
    /// The data cannot be used as intended (a cryptogram that does not verify, a record the
    /// AFL names but the card cannot find).
    Error,
}

impl Severity {
    /// Lower-case name (`info`, `warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is. Every part is optional; a finding about a payload as a whole has none.
///
/// - `step`: the terminal procedure step (`READ RECORD SFI 1 #3`), for findings of procedures;
/// - `path`: a TLV tag path (`70.5A`), an EMV QR id path (`62.05`) or an NDEF record index;
/// - `offset`: a byte offset into the bytes validated (the response data, for a step);
/// - `char_offset`: a character offset into validated text (QR payloads).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    /// The procedure step.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub step: Option<String>,
    /// The object path.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub path: Option<String>,
    /// Byte offset.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub offset: Option<usize>,
    /// Character offset (text formats).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub char_offset: Option<usize>,
}

impl Location {
    /// The payload as a whole.
    pub fn whole() -> Self {
        Location::default()
    }

    /// A byte offset.
    pub fn byte(offset: usize) -> Self {
        Location { offset: Some(offset), ..Location::default() }
    }

    /// A character offset in text.
    pub fn char(offset: usize) -> Self {
        Location { char_offset: Some(offset), ..Location::default() }
    }

    /// An object path (TLV tags, QR ids) without an offset.
    pub fn path(path: impl Into<String>) -> Self {
        Location { path: Some(path.into()), ..Location::default() }
    }

    /// A procedure step.
    pub fn step(step: impl Into<String>) -> Self {
        Location { step: Some(step.into()), ..Location::default() }
    }

    /// The same location with an object path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The same location inside a procedure step.
    pub fn with_step(mut self, step: impl Into<String>) -> Self {
        self.step = Some(step.into());
        self
    }

    /// The same location with a byte offset.
    pub fn with_offset(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Whether no part is set.
    pub fn is_whole(&self) -> bool {
        *self == Location::default()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(step) = &self.step {
            write!(f, "{step}")?;
            sep = ", ";
        }
        if let Some(path) = &self.path {
            write!(f, "{sep}{path}")?;
            sep = ", ";
        }
        if let Some(o) = self.offset {
            write!(f, "{sep}offset {o}")?;
            sep = ", ";
        }
        if let Some(o) = self.char_offset {
            write!(f, "{sep}character {o}")?;
            sep = ", ";
        }
        if sep.is_empty() {
            f.write_str("the whole input")?;
        }
        Ok(())
    }
}

/// One broken (or noteworthy) rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Finding {
    /// Stable rule id in the one style ([`is_rule_id`]), e.g. `EMV.FORMAT.N`.
    pub rule: Cow<'static, str>,
    /// How serious.
    pub severity: Severity,
    /// Where.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub location: Location,
    /// What is wrong, in words.
    pub message: String,
}

impl Finding {
    /// A finding.
    pub fn new(
        rule: impl Into<Cow<'static, str>>,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        let rule = rule.into();
        debug_assert!(is_rule_id(&rule), "rule id {rule:?} breaks the rule-id style");
        Finding { rule, severity, location, message: message.into() }
    }

    /// Whether the finding breaks a rule (warning or error). Info findings never fail
    /// `decode --strict` or a certification case.
    pub fn is_violation(&self) -> bool {
        self.severity >= Severity::Warning
    }

    /// Whether the rule id is `rule` or lies under it (`EMV.FORMAT` matches `EMV.FORMAT.N`).
    pub fn matches(&self, rule: &str) -> bool {
        let r: &str = &self.rule;
        r == rule || (r.len() > rule.len() && r.starts_with(rule) && r.as_bytes()[rule.len()] == b'.')
    }

    /// The same finding located inside a procedure step.
    pub fn in_step(mut self, step: impl Into<String>) -> Self {
        self.location.step = Some(step.into());
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} at {}: {}", self.severity, self.rule, self.location, self.message)
    }
}

/// Whether `id` follows the rule-id style: dot-separated upper-case segments of `A-Z`, `0-9`
/// and `-`, at least two segments, none empty.
pub fn is_rule_id(id: &str) -> bool {
    let mut segments = 0;
    for seg in id.split('.') {
        segments += 1;
        let ok = !seg.is_empty()
            && !seg.starts_with('-')
            && !seg.ends_with('-')
            && seg.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return false;
        }
    }
    segments >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_id_style() {
        for ok in ["QR.CRC", "EMV.AFL.RECORD-RANGE", "NDEF.MB-FIRST", "TLV.LENGTH.NON-MINIMAL", "QR.PIX.MANDATORY"] {
            assert!(is_rule_id(ok), "{ok}");
        }
        for bad in ["QR", "qr.crc", "EMV..X", "EMV.X_Y", ".EMV", "EMV.", "EMV.-X", "EMV.X-", "EMV X"] {
            assert!(!is_rule_id(bad), "{bad}");
        }
    }

    #[test]
    fn matching_is_by_segment() {
        let f = Finding::new("EMV.FORMAT.N", Severity::Warning, Location::whole(), "x");
        assert!(f.matches("EMV.FORMAT.N") && f.matches("EMV.FORMAT") && f.matches("EMV"));
        assert!(!f.matches("EMV.FORM") && !f.matches("EMV.FORMAT.N.X") && !f.matches("TLV"));
    }

    #[test]
    fn locations_print_what_they_have() {
        assert_eq!(Location::whole().to_string(), "the whole input");
        assert_eq!(Location::char(12).with_path("62.05").to_string(), "62.05, character 12");
        assert_eq!(
            Location::byte(3).with_path("70.5A").with_step("READ RECORD SFI 1 #2").to_string(),
            "READ RECORD SFI 1 #2, 70.5A, offset 3"
        );
    }
}
