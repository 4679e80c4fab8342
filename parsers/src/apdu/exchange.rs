//! Checks over one command/response exchange: facts a conformance check reports, never parse
//! failures.
//!
//! - A card that answers a command without Le (case 1 or 3) with data: "very common for many
//!   real cards" (frankmorgner/vsmartcard #177), so a terminal must tolerate it, and a card
//!   under test should be told about it.
//! - More data than Ne. `Le = 00` means "up to 256", not "exactly 256" (onomondo/onomondo-uicc
//!   #167): fewer bytes are no finding.
//! - An extended-length command sent to a card whose ATR does not announce extended Lc/Le
//!   (onomondo/onomondo-uicc PR #70).
//!
//! | rule | severity | location | what |
//! |---|---|---|---|
//! | `APDU.DATA-WITHOUT-LE` | warning | `rapdu`, offset 0 | the command had no Le (case 1 or 3) but the response carries data |
//! | `APDU.DATA-EXCEEDS-NE` | error | `rapdu`, offset Ne | the response carries more data than Ne: the bytes from Ne on were never asked for |
//! | `APDU.EXTENDED-NOT-ANNOUNCED` | warning | `capdu`, offset 4 | an extended-length command to a card whose ATR (card capabilities, third software function table, b7) says it does not support extended Lc/Le |
//!
//! Byte offsets count in the bytes named by the path: `rapdu` the response (its data starts at
//! 0), `capdu` the command (its body starts at 4).

use super::command::CommandApdu;
use super::response::ResponseApdu;
use crate::{Finding, Location, Severity};

/// Checks one exchange. `card_extended_length` is what the card's ATR announces
/// ([`crate::atr::CardCapabilities::extended_length`]), `None` when it says nothing.
///
/// ```
/// use tapcert_parsers::apdu::{validate_apdu_exchange, CommandApdu, ResponseApdu};
/// use tapcert_parsers::{Location, Severity};
/// let select = CommandApdu::from_bytes(&[0x00, 0xA4, 0x04, 0x00]).unwrap(); // case 1
/// let answer = ResponseApdu::from_bytes(&[0x6F, 0x00, 0x90, 0x00]).unwrap();
/// let findings = validate_apdu_exchange(&select, &answer, None);
/// assert_eq!(findings.len(), 1);
/// assert_eq!((&*findings[0].rule, findings[0].severity), ("APDU.DATA-WITHOUT-LE", Severity::Warning));
/// assert_eq!(findings[0].location, Location::byte(0).with_path("rapdu"));
/// ```
pub fn validate_apdu_exchange(
    command: &CommandApdu<'_>,
    response: &ResponseApdu<'_>,
    card_extended_length: Option<bool>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let data_len = response.data.len();
    match command.ne() {
        None if data_len > 0 => findings.push(Finding::new(
            "APDU.DATA-WITHOUT-LE",
            Severity::Warning,
            Location::byte(0).with_path("rapdu"),
            format!("{data_len} byte(s) of response data to a case {} command, which has no Le", command.case()),
        )),
        Some(ne) if data_len as u64 > u64::from(ne) => findings.push(Finding::new(
            "APDU.DATA-EXCEEDS-NE",
            Severity::Error,
            // ne < data_len, so it fits in usize.
            Location::byte(ne as usize).with_path("rapdu"),
            format!("{data_len} byte(s) of response data; the command allows at most Ne = {ne}"),
        )),
        _ => {}
    }
    if command.case().is_extended() && card_extended_length == Some(false) {
        findings.push(Finding::new(
            "APDU.EXTENDED-NOT-ANNOUNCED",
            Severity::Warning,
            Location::byte(4).with_path("capdu"),
            format!(
                "an extended-length command (case {}) to a card whose ATR says it has no extended Lc/Le",
                command.case()
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| &*f.rule).collect()
    }

    #[test]
    fn le_00_means_up_to_256() {
        let read = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        let short = ResponseApdu::from_bytes(&[0x01, 0x02, 0x90, 0x00]).unwrap();
        assert!(validate_apdu_exchange(&read, &short, None).is_empty());
        let read1 = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x01]).unwrap();
        let f = validate_apdu_exchange(&read1, &short, None);
        assert_eq!(rules(&f), ["APDU.DATA-EXCEEDS-NE"]);
        assert_eq!((f[0].severity, f[0].location.offset), (Severity::Error, Some(1)));
    }

    #[test]
    fn extended_command_to_a_card_without_extended_length() {
        let read = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]).unwrap();
        let ok = ResponseApdu::from_bytes(&[0x90, 0x00]).unwrap();
        assert_eq!(rules(&validate_apdu_exchange(&read, &ok, Some(false))), ["APDU.EXTENDED-NOT-ANNOUNCED"]);
        assert!(validate_apdu_exchange(&read, &ok, Some(true)).is_empty());
        assert!(validate_apdu_exchange(&read, &ok, None).is_empty());
    }
}
