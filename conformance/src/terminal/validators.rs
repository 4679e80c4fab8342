//! The parsers' validators run over what the card answered, their findings located in the
//! step that produced the bytes.

use tapcert_parsers::tlv::{decode_emv_tlv_padded, validate_emv_tlv};
use tapcert_parsers::{Finding, Location, Severity};

use super::observation::{Session, Step};

/// BER-TLV and EMV data-dictionary findings of a response (`validate_emv_tlv`). Bytes that do
/// not decode are left to the template views, which name the fault.
pub(crate) fn tlv_findings(s: &mut Session<'_>, step: Step, data: &[u8]) {
    let Ok((nodes, padding)) = decode_emv_tlv_padded(data) else { return };
    for f in validate_emv_tlv(&nodes, padding) {
        let severity = match f.severity {
            tapcert_parsers::tlv::Severity::Info => Severity::Info,
            tapcert_parsers::tlv::Severity::Warning => Severity::Warning,
            tapcert_parsers::tlv::Severity::Error => Severity::Error,
        };
        let mut location = Location::byte(f.offset).with_step(step.to_string());
        if let Some(tag) = f.tag {
            location = location.with_path(tag.to_string());
        }
        s.finding(Finding::new(f.rule.replace('_', "-"), severity, location, f.message));
    }
}

/// NDEF and Type 4 Tag findings of the parsers' validators, in `step`.
pub(crate) fn ndef_findings(s: &mut Session<'_>, step: Step, found: Vec<tapcert_parsers::ndef::NdefFinding>) {
    for f in found {
        let rule = f.rule.to_ascii_uppercase().replace('_', "-");
        let rule = if rule.starts_with("NDEF.") { rule } else { format!("NDEF.{rule}") };
        let location = Location::byte(f.offset).with_step(step.to_string());
        s.finding(Finding::new(rule, Severity::Warning, location, f.detail));
    }
}
