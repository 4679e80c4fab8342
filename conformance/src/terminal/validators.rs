//! The parsers' validators run over what the card answered, their findings located in the
//! step that produced the bytes.

use tapcert_parsers::Finding;
use tapcert_parsers::tlv::{decode_emv_tlv_padded, validate_emv_tlv};

use super::observation::{Session, Step};

/// BER-TLV and EMV data-dictionary findings of a response (`validate_emv_tlv`). Bytes that do
/// not decode are left to the template views, which name the fault.
pub(crate) fn tlv_findings(s: &mut Session<'_>, step: Step, data: &[u8]) {
    let Ok((nodes, padding)) = decode_emv_tlv_padded(data) else { return };
    validator_findings(s, step, validate_emv_tlv(&nodes, padding));
}

/// Findings of a parsers validator, placed in `step`.
pub(crate) fn validator_findings(s: &mut Session<'_>, step: Step, found: Vec<Finding>) {
    for f in found {
        s.finding(f.in_step(step.to_string()));
    }
}
