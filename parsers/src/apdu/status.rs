//! Status words SW1 SW2 (ISO/IEC 7816-4 §5.6, Tables 5 and 6), with the EMV and common
//! proprietary values seen at payment and transit terminals.
//!
//! ```text
//! 9000        normal processing
//! 61xx, 6Cxx  T=0 transport artefacts (GET RESPONSE / resend with Le = xx), handled once
//!             above the transports
//! 62xx, 63xx  warnings (state unchanged / changed)
//! 64xx-66xx   execution errors
//! 67xx-6Fxx   checking errors
//! 9xxx        proprietary (except 9000)
//! others      not a status word (SW1 must be 6X or 9X, and 60 is the T=0 NULL byte)
//! ```

use core::fmt;
use std::borrow::Cow;

/// The status word SW1 SW2 as a big-endian `u16`. An open newtype: every value parses.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

/// The class of a status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SwCategory {
    /// `9000`.
    Normal,
    /// `62xx`, `63xx`: the command completed with a warning.
    Warning,
    /// `64xx`-`66xx`: the command failed while executing.
    ExecutionError,
    /// `67xx`-`6Fxx` (except `6Cxx`): the command was refused before executing.
    CheckingError,
    /// `61xx`, `6Cxx`: T=0 transport procedure, not an answer of the application.
    TransportArtefact,
    /// `9xxx` other than `9000`: defined by the application or the card vendor.
    Proprietary,
    /// SW1 outside `61`-`6F` and `90`-`9F`.
    Invalid,
}

impl SwCategory {
    /// A short lower-case label (used in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            SwCategory::Normal => "normal",
            SwCategory::Warning => "warning",
            SwCategory::ExecutionError => "execution error",
            SwCategory::CheckingError => "checking error",
            SwCategory::TransportArtefact => "transport artefact",
            SwCategory::Proprietary => "proprietary",
            SwCategory::Invalid => "invalid",
        }
    }
}

macro_rules! status_words {
    ($($(#[$doc:meta])* $name:ident = $value:literal => $text:literal,)*) => {
        impl StatusWord {
            $($(#[$doc])* pub const $name: StatusWord = StatusWord($value);)*

            fn fixed_meaning(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }

            /// The name of the constant for this value, if it has one.
            pub fn const_name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

status_words! {
    /// `9000` normal processing.
    OK = 0x9000 => "normal processing: no further qualification",
    /// `6200` warning, state unchanged.
    WARNING_NO_INFO = 0x6200 => "warning, state of non-volatile memory unchanged: no information given",
    /// `6281` part of the returned data may be corrupted.
    DATA_MAY_BE_CORRUPTED = 0x6281 => "warning: part of returned data may be corrupted",
    /// `6282` end of file or record reached before reading Ne bytes.
    END_OF_FILE = 0x6282 => "warning: end of file or record reached before reading Ne bytes",
    /// `6283` selected file deactivated (EMV: application blocked, on SELECT).
    FILE_DEACTIVATED = 0x6283 => "warning: selected file deactivated (invalidated); EMV: application blocked",
    /// `6284` FCI not formatted per ISO/IEC 7816-4.
    FCI_NOT_FORMATTED = 0x6284 => "warning: file control information not formatted according to ISO/IEC 7816-4",
    /// `6285` selected file in termination state.
    FILE_TERMINATED = 0x6285 => "warning: selected file in termination state",
    /// `6286` no input data available from a sensor.
    NO_SENSOR_DATA = 0x6286 => "warning: no input data available from a sensor on the card",
    /// `6287` a referenced record is deactivated.
    RECORD_DEACTIVATED = 0x6287 => "warning: at least one of the referenced records is deactivated",
    /// `6300` warning, state changed.
    WARNING_STATE_CHANGED = 0x6300 => "warning, state of non-volatile memory changed: no information given (often: authentication failed)",
    /// `6381` file filled up by the last write.
    FILE_FILLED = 0x6381 => "warning: file filled up by the last write",
    /// `6400` execution error, state unchanged.
    EXECUTION_ERROR = 0x6400 => "execution error, state of non-volatile memory unchanged",
    /// `6401` immediate response required by the card.
    IMMEDIATE_RESPONSE_REQUIRED = 0x6401 => "execution error: immediate response required by the card",
    /// `6500` execution error, state changed.
    EXECUTION_ERROR_STATE_CHANGED = 0x6500 => "execution error, state of non-volatile memory changed",
    /// `6581` memory failure.
    MEMORY_FAILURE = 0x6581 => "execution error: memory failure",
    /// `6600` security-related issue.
    SECURITY_ISSUE = 0x6600 => "execution error: security-related issue",
    /// `6700` wrong length.
    WRONG_LENGTH = 0x6700 => "checking error: wrong length (Lc or Le)",
    /// `6800` functions in CLA not supported.
    CLA_FUNCTION_NOT_SUPPORTED = 0x6800 => "checking error: functions in CLA not supported",
    /// `6881` logical channel not supported.
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881 => "checking error: logical channel not supported",
    /// `6882` secure messaging not supported.
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882 => "checking error: secure messaging not supported",
    /// `6883` last command of the chain expected.
    LAST_COMMAND_EXPECTED = 0x6883 => "checking error: last command of the chain expected",
    /// `6884` command chaining not supported.
    CHAINING_NOT_SUPPORTED = 0x6884 => "checking error: command chaining not supported",
    /// `6900` command not allowed.
    COMMAND_NOT_ALLOWED = 0x6900 => "checking error: command not allowed",
    /// `6981` command incompatible with file structure.
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981 => "checking error: command incompatible with file structure",
    /// `6982` security status not satisfied.
    SECURITY_STATUS_NOT_SATISFIED = 0x6982 => "checking error: security status not satisfied",
    /// `6983` authentication method blocked (EMV: PIN try limit exceeded).
    AUTH_METHOD_BLOCKED = 0x6983 => "checking error: authentication method blocked",
    /// `6984` reference data not usable.
    REFERENCE_DATA_NOT_USABLE = 0x6984 => "checking error: reference data not usable (invalidated)",
    /// `6985` conditions of use not satisfied.
    CONDITIONS_NOT_SATISFIED = 0x6985 => "checking error: conditions of use not satisfied",
    /// `6986` command not allowed (no current EF).
    NO_CURRENT_EF = 0x6986 => "checking error: command not allowed (no current EF)",
    /// `6987` expected secure messaging data objects missing.
    SM_OBJECTS_MISSING = 0x6987 => "checking error: expected secure messaging data objects missing",
    /// `6988` incorrect secure messaging data objects.
    SM_OBJECTS_INCORRECT = 0x6988 => "checking error: incorrect secure messaging data objects",
    /// `6A00` wrong parameters P1-P2, no information.
    WRONG_PARAMETERS_NO_INFO = 0x6A00 => "checking error: wrong parameters P1-P2, no information given",
    /// `6A80` incorrect parameters in the data field.
    INCORRECT_DATA = 0x6A80 => "checking error: incorrect parameters in the command data field",
    /// `6A81` function not supported (EMV: card or application blocked, on SELECT).
    FUNCTION_NOT_SUPPORTED = 0x6A81 => "checking error: function not supported",
    /// `6A82` file or application not found.
    FILE_NOT_FOUND = 0x6A82 => "checking error: file or application not found",
    /// `6A83` record not found.
    RECORD_NOT_FOUND = 0x6A83 => "checking error: record not found",
    /// `6A84` not enough memory space in the file.
    NOT_ENOUGH_MEMORY = 0x6A84 => "checking error: not enough memory space in the file",
    /// `6A85` Nc inconsistent with TLV structure.
    NC_INCONSISTENT_WITH_TLV = 0x6A85 => "checking error: Nc inconsistent with TLV structure",
    /// `6A86` incorrect parameters P1-P2.
    INCORRECT_P1_P2 = 0x6A86 => "checking error: incorrect parameters P1-P2",
    /// `6A87` Nc inconsistent with P1-P2.
    NC_INCONSISTENT_WITH_P1_P2 = 0x6A87 => "checking error: Nc inconsistent with parameters P1-P2",
    /// `6A88` referenced data not found.
    REFERENCED_DATA_NOT_FOUND = 0x6A88 => "checking error: referenced data or reference data not found",
    /// `6A89` file already exists.
    FILE_EXISTS = 0x6A89 => "checking error: file already exists",
    /// `6A8A` DF name already exists.
    DF_NAME_EXISTS = 0x6A8A => "checking error: DF name already exists",
    /// `6B00` wrong parameters P1-P2 (offset outside the EF).
    WRONG_P1_P2 = 0x6B00 => "checking error: wrong parameters P1-P2",
    /// `6D00` instruction not supported.
    INS_NOT_SUPPORTED = 0x6D00 => "checking error: instruction code not supported or invalid",
    /// `6E00` class not supported.
    CLA_NOT_SUPPORTED = 0x6E00 => "checking error: class not supported",
    /// `6F00` no precise diagnosis.
    NO_PRECISE_DIAGNOSIS = 0x6F00 => "checking error: no precise diagnosis",
    /// `9302` MAC invalid (China e-purse, JR/T 0025).
    EPURSE_MAC_INVALID = 0x9302 => "proprietary (China e-purse): MAC invalid",
    /// `9303` application permanently locked (China e-purse).
    EPURSE_APP_LOCKED = 0x9303 => "proprietary (China e-purse): application permanently locked",
    /// `9401` insufficient balance (China e-purse).
    EPURSE_INSUFFICIENT_BALANCE = 0x9401 => "proprietary (China e-purse): insufficient balance",
    /// `9402` transaction counter at its maximum (China e-purse).
    EPURSE_COUNTER_MAX = 0x9402 => "proprietary (China e-purse): transaction counter reached its maximum",
    /// `9403` key index not supported (China e-purse).
    EPURSE_KEY_INDEX_NOT_SUPPORTED = 0x9403 => "proprietary (China e-purse): key index not supported",
    /// `9406` required MAC unavailable (China e-purse).
    EPURSE_MAC_UNAVAILABLE = 0x9406 => "proprietary (China e-purse): required MAC unavailable",
    /// `9100` MIFARE DESFire (ISO-wrapped native command): operation OK.
    DESFIRE_OK = 0x9100 => "proprietary (MIFARE DESFire): operation OK",
    /// `91AE` MIFARE DESFire: authentication error.
    DESFIRE_AUTHENTICATION_ERROR = 0x91AE => "proprietary (MIFARE DESFire): authentication error",
    /// `91AF` MIFARE DESFire: additional frame expected.
    DESFIRE_ADDITIONAL_FRAME = 0x91AF => "proprietary (MIFARE DESFire): additional frame expected",
    /// `919D` MIFARE DESFire: permission denied.
    DESFIRE_PERMISSION_DENIED = 0x919D => "proprietary (MIFARE DESFire): permission denied",
    /// `91A0` MIFARE DESFire: application not found.
    DESFIRE_APPLICATION_NOT_FOUND = 0x91A0 => "proprietary (MIFARE DESFire): application not found",
    /// `917E` MIFARE DESFire: length error.
    DESFIRE_LENGTH_ERROR = 0x917E => "proprietary (MIFARE DESFire): length error",
}

impl StatusWord {
    /// The status word from SW1 and SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }

    /// SW1.
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    /// SW1 SW2 as two bytes.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// True for `9000`.
    pub fn is_ok(self) -> bool {
        self == StatusWord::OK
    }

    /// The class of the status word.
    ///
    /// ```
    /// use tapcert_parsers::apdu::{StatusWord, SwCategory};
    /// assert_eq!(StatusWord(0x6110).category(), SwCategory::TransportArtefact);
    /// assert_eq!(StatusWord(0x63C2).category(), SwCategory::Warning);
    /// assert_eq!(StatusWord(0x6A82).category(), SwCategory::CheckingError);
    /// assert_eq!(StatusWord(0x1234).category(), SwCategory::Invalid);
    /// ```
    pub fn category(self) -> SwCategory {
        match self.sw1() {
            0x90 if self.sw2() == 0 => SwCategory::Normal,
            0x61 | 0x6C => SwCategory::TransportArtefact,
            0x62 | 0x63 => SwCategory::Warning,
            0x64..=0x66 => SwCategory::ExecutionError,
            0x67..=0x6F => SwCategory::CheckingError,
            0x90..=0x9F => SwCategory::Proprietary,
            _ => SwCategory::Invalid,
        }
    }

    /// What the status word means: the catalogue entry, the meaning of a parametrised
    /// family (`61xx`, `6Cxx`, `63Cx`, `9Fxx`), or what its category says.
    ///
    /// ```
    /// use tapcert_parsers::apdu::StatusWord;
    /// assert_eq!(StatusWord(0x63C2).meaning(), "warning: verification failed, 2 retries left (counter = 2)");
    /// assert_eq!(StatusWord(0x6C10).meaning(), "wrong Le: resend the command with Le = 10 (16 bytes available)");
    /// ```
    pub fn meaning(self) -> Cow<'static, str> {
        if let Some(text) = self.fixed_meaning() {
            return Cow::Borrowed(text);
        }
        let (sw1, sw2) = (self.sw1(), self.sw2());
        match (sw1, sw2) {
            (0x61, 0) => Cow::Borrowed("more data: 256 or more response bytes still available (send GET RESPONSE)"),
            (0x61, n) => Cow::Owned(format!(
                "more data: {n} response bytes still available (send GET RESPONSE with Le = {n:02X})"
            )),
            (0x6C, n) => Cow::Owned(format!(
                "wrong Le: resend the command with Le = {n:02X} ({} bytes available)",
                if n == 0 { 256 } else { usize::from(n) }
            )),
            (0x63, n) if n & 0xF0 == 0xC0 => {
                let x = n & 0x0F;
                Cow::Owned(format!("warning: verification failed, {x} retries left (counter = {x})"))
            }
            (0x9F, n) => Cow::Owned(format!("proprietary (GSM SIM, GSM 11.11): {n} response bytes available")),
            _ => Cow::Borrowed(match self.category() {
                SwCategory::Normal => "normal processing",
                SwCategory::Warning => "warning (unlisted value)",
                SwCategory::ExecutionError => "execution error (unlisted value)",
                SwCategory::CheckingError => "checking error (unlisted value)",
                SwCategory::TransportArtefact => "transport procedure",
                SwCategory::Proprietary => "proprietary status (no public meaning known)",
                SwCategory::Invalid => "not a valid status word (SW1 must be 61-6F or 90-9F)",
            }),
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.const_name() {
            Some(name) => write!(f, "{name}({:04X})", self.0),
            None => write!(f, "StatusWord({:04X})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert_eq!(StatusWord::OK.category(), SwCategory::Normal);
        assert_eq!(StatusWord(0x6283).category(), SwCategory::Warning);
        assert_eq!(StatusWord(0x6581).category(), SwCategory::ExecutionError);
        assert_eq!(StatusWord(0x6C00).category(), SwCategory::TransportArtefact);
        assert_eq!(StatusWord(0x6F00).category(), SwCategory::CheckingError);
        assert_eq!(StatusWord(0x9401).category(), SwCategory::Proprietary);
        assert_eq!(StatusWord(0x6000).category(), SwCategory::Invalid);
        assert_eq!(StatusWord(0x9001).category(), SwCategory::Proprietary);
    }

    #[test]
    fn meanings() {
        assert_eq!(StatusWord(0x6A82).meaning(), "checking error: file or application not found");
        assert!(StatusWord(0x6110).meaning().contains("16 response bytes"));
        assert!(StatusWord(0x6100).meaning().contains("256 or more"));
        assert!(StatusWord(0x6C00).meaning().contains("256 bytes"));
        assert!(StatusWord(0x63C0).meaning().contains("0 retries"));
        assert!(StatusWord(0x6310).meaning().contains("unlisted"));
        assert!(StatusWord(0x9F22).meaning().contains("34 response bytes"));
    }

    #[test]
    fn debug_and_display() {
        assert_eq!(format!("{:?}", StatusWord(0x6A82)), "FILE_NOT_FOUND(6A82)");
        assert_eq!(format!("{:?}", StatusWord(0x6A8B)), "StatusWord(6A8B)");
        assert_eq!(StatusWord::from_bytes(0x90, 0x00).to_string(), "9000");
    }
}
