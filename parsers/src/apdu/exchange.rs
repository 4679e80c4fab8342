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

use super::command::CommandApdu;
use super::response::ResponseApdu;

/// A fact about an exchange that breaks or strains ISO/IEC 7816-4 §5.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeFinding {
    /// The command had no Le field (case 1 or 3) but the response carries data.
    DataWithoutLe {
        /// Response data length.
        data_len: usize,
    },
    /// The response carries more data than Ne allows.
    DataExceedsNe {
        /// Response data length.
        data_len: usize,
        /// Ne of the command.
        ne: u32,
    },
    /// An extended-length command, while the card's ATR says (card capabilities, third
    /// software function table, b7) that it does not support extended Lc/Le.
    ExtendedLengthNotAnnounced,
}

/// Checks one exchange. `card_extended_length` is what the card's ATR announces
/// ([`crate::atr::CardCapabilities::extended_length`]), `None` when it says nothing.
///
/// ```
/// use tapcert_parsers::apdu::{validate_apdu_exchange, CommandApdu, ExchangeFinding, ResponseApdu};
/// let select = CommandApdu::from_bytes(&[0x00, 0xA4, 0x04, 0x00]).unwrap(); // case 1
/// let answer = ResponseApdu::from_bytes(&[0x6F, 0x00, 0x90, 0x00]).unwrap();
/// assert_eq!(validate_apdu_exchange(&select, &answer, None), [ExchangeFinding::DataWithoutLe { data_len: 2 }]);
/// ```
pub fn validate_apdu_exchange(
    command: &CommandApdu<'_>,
    response: &ResponseApdu<'_>,
    card_extended_length: Option<bool>,
) -> Vec<ExchangeFinding> {
    let mut findings = Vec::new();
    let data_len = response.data.len();
    match command.ne() {
        None if data_len > 0 => findings.push(ExchangeFinding::DataWithoutLe { data_len }),
        Some(ne) if data_len as u64 > u64::from(ne) => findings.push(ExchangeFinding::DataExceedsNe { data_len, ne }),
        _ => {}
    }
    if command.case().is_extended() && card_extended_length == Some(false) {
        findings.push(ExchangeFinding::ExtendedLengthNotAnnounced);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn le_00_means_up_to_256() {
        let read = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        let short = ResponseApdu::from_bytes(&[0x01, 0x02, 0x90, 0x00]).unwrap();
        assert!(validate_apdu_exchange(&read, &short, None).is_empty());
        let read16 = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x01]).unwrap();
        assert_eq!(
            validate_apdu_exchange(&read16, &short, None),
            [ExchangeFinding::DataExceedsNe { data_len: 2, ne: 1 }]
        );
    }

    #[test]
    fn extended_command_to_a_card_without_extended_length() {
        let read = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]).unwrap();
        let ok = ResponseApdu::from_bytes(&[0x90, 0x00]).unwrap();
        assert_eq!(validate_apdu_exchange(&read, &ok, Some(false)), [ExchangeFinding::ExtendedLengthNotAnnounced]);
        assert!(validate_apdu_exchange(&read, &ok, Some(true)).is_empty());
        assert!(validate_apdu_exchange(&read, &ok, None).is_empty());
    }
}
