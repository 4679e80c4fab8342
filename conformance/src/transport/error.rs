//! Why a transport could not deliver an answer, as facts a runner can act on.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::CardPresence;

/// A PC/SC return code (`SCARD_E_*`, `SCARD_W_*`, `SCARD_F_*` of pcsc-lite's `pcsclite.h`,
/// the same values as WinSCard's). Open: a code this table does not name keeps its value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PcscCode(pub u32);

/// The codes pcsc-lite 1.9 defines (`/usr/include/PCSC/pcsclite.h`), in value order.
/// `0x8010001F` is both `SCARD_E_UNEXPECTED` and `SCARD_E_UNSUPPORTED_FEATURE` there; the first wins.
const PCSC_NAMES: &[(u32, &str)] = &[
    (0x80100001, "SCARD_F_INTERNAL_ERROR"),
    (0x80100002, "SCARD_E_CANCELLED"),
    (0x80100003, "SCARD_E_INVALID_HANDLE"),
    (0x80100004, "SCARD_E_INVALID_PARAMETER"),
    (0x80100005, "SCARD_E_INVALID_TARGET"),
    (0x80100006, "SCARD_E_NO_MEMORY"),
    (0x80100007, "SCARD_F_WAITED_TOO_LONG"),
    (0x80100008, "SCARD_E_INSUFFICIENT_BUFFER"),
    (0x80100009, "SCARD_E_UNKNOWN_READER"),
    (0x8010000A, "SCARD_E_TIMEOUT"),
    (0x8010000B, "SCARD_E_SHARING_VIOLATION"),
    (0x8010000C, "SCARD_E_NO_SMARTCARD"),
    (0x8010000D, "SCARD_E_UNKNOWN_CARD"),
    (0x8010000E, "SCARD_E_CANT_DISPOSE"),
    (0x8010000F, "SCARD_E_PROTO_MISMATCH"),
    (0x80100010, "SCARD_E_NOT_READY"),
    (0x80100011, "SCARD_E_INVALID_VALUE"),
    (0x80100012, "SCARD_E_SYSTEM_CANCELLED"),
    (0x80100013, "SCARD_F_COMM_ERROR"),
    (0x80100014, "SCARD_F_UNKNOWN_ERROR"),
    (0x80100015, "SCARD_E_INVALID_ATR"),
    (0x80100016, "SCARD_E_NOT_TRANSACTED"),
    (0x80100017, "SCARD_E_READER_UNAVAILABLE"),
    (0x80100019, "SCARD_E_PCI_TOO_SMALL"),
    (0x8010001A, "SCARD_E_READER_UNSUPPORTED"),
    (0x8010001B, "SCARD_E_DUPLICATE_READER"),
    (0x8010001C, "SCARD_E_CARD_UNSUPPORTED"),
    (0x8010001D, "SCARD_E_NO_SERVICE"),
    (0x8010001E, "SCARD_E_SERVICE_STOPPED"),
    (0x8010001F, "SCARD_E_UNEXPECTED"),
    (0x80100020, "SCARD_E_ICC_INSTALLATION"),
    (0x80100021, "SCARD_E_ICC_CREATEORDER"),
    (0x80100023, "SCARD_E_DIR_NOT_FOUND"),
    (0x80100024, "SCARD_E_FILE_NOT_FOUND"),
    (0x80100025, "SCARD_E_NO_DIR"),
    (0x80100026, "SCARD_E_NO_FILE"),
    (0x80100027, "SCARD_E_NO_ACCESS"),
    (0x80100028, "SCARD_E_WRITE_TOO_MANY"),
    (0x80100029, "SCARD_E_BAD_SEEK"),
    (0x8010002A, "SCARD_E_INVALID_CHV"),
    (0x8010002B, "SCARD_E_UNKNOWN_RES_MNG"),
    (0x8010002C, "SCARD_E_NO_SUCH_CERTIFICATE"),
    (0x8010002D, "SCARD_E_CERTIFICATE_UNAVAILABLE"),
    (0x8010002E, "SCARD_E_NO_READERS_AVAILABLE"),
    (0x8010002F, "SCARD_E_COMM_DATA_LOST"),
    (0x80100030, "SCARD_E_NO_KEY_CONTAINER"),
    (0x80100031, "SCARD_E_SERVER_TOO_BUSY"),
    (0x80100065, "SCARD_W_UNSUPPORTED_CARD"),
    (0x80100066, "SCARD_W_UNRESPONSIVE_CARD"),
    (0x80100067, "SCARD_W_UNPOWERED_CARD"),
    (0x80100068, "SCARD_W_RESET_CARD"),
    (0x80100069, "SCARD_W_REMOVED_CARD"),
    (0x8010006A, "SCARD_W_SECURITY_VIOLATION"),
    (0x8010006B, "SCARD_W_WRONG_CHV"),
    (0x8010006C, "SCARD_W_CHV_BLOCKED"),
    (0x8010006D, "SCARD_W_EOF"),
    (0x8010006E, "SCARD_W_CANCELLED_BY_USER"),
    (0x8010006F, "SCARD_W_CARD_NOT_AUTHENTICATED"),
];

impl PcscCode {
    /// `SCARD_E_NO_SERVICE`: the resource manager (pcscd) is not running.
    pub const NO_SERVICE: PcscCode = PcscCode(0x8010_001D);
    /// `SCARD_E_SERVICE_STOPPED`: the resource manager has shut down.
    pub const SERVICE_STOPPED: PcscCode = PcscCode(0x8010_001E);
    /// `SCARD_E_SHARING_VIOLATION`: another application holds the card exclusively.
    pub const SHARING_VIOLATION: PcscCode = PcscCode(0x8010_000B);
    /// `SCARD_W_UNRESPONSIVE_CARD`: the card does not answer a reset.
    pub const UNRESPONSIVE_CARD: PcscCode = PcscCode(0x8010_0066);

    /// The `SCARD_*` name of the code, if pcsc-lite defines it.
    pub fn name(self) -> Option<&'static str> {
        PCSC_NAMES.binary_search_by_key(&self.0, |(code, _)| *code).ok().map(|i| PCSC_NAMES[i].1)
    }
}

impl fmt::Debug for PcscCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "PcscCode({:#010X})", self.0),
        }
    }
}

impl fmt::Display for PcscCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:#010X})", self.name().unwrap_or("unknown PC/SC code"), self.0)
    }
}

/// Why a transport could not deliver an answer.
///
/// Status words are not errors: a `6A82` is an answer. These are the faults that the runner
/// reports as transport `error`s (JUnit) rather than non-conformance `failure`s; every variant
/// is a fact, and commands inside them are masked (`crate::mask::masked_command_hex`).
/// [`TransportError::kind`] sorts them for a runner.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The smart card service (pcscd) is not running or not reachable.
    #[error("smart card service not available: {code}")]
    NoService {
        /// What the PC/SC layer returned.
        code: PcscCode,
    },
    /// No reader with that name, or no reader at all (a pulled USB reader ends up here).
    #[error("no reader{}", .name.as_deref().map(|n| format!(" named {n:?}")).unwrap_or_default())]
    NoReader {
        /// The reader that was asked for, if one was named.
        name: Option<String>,
    },
    /// The card left the field (or was never there).
    #[error("card removed")]
    CardRemoved,
    /// The card did not answer; the link waited `waited` for it.
    #[error("no answer within {waited:?}")]
    Timeout {
        /// How long the link waited, on its clock.
        waited: Duration,
    },
    /// The card did not answer, and the layer that gave up does not say after how long
    /// (a PC/SC reader driver's own timeout, an empty answer from the reader).
    #[error("card unresponsive")]
    Unresponsive,
    /// [`super::Transport::wait_for`] gave up: the card did not become `want` in time.
    #[error("card not {want} after {waited:?}")]
    PresenceTimeout {
        /// The state waited for.
        want: CardPresence,
        /// How long it waited, on the link's clock.
        waited: Duration,
    },
    /// The link cannot tell whether a card is in the field (a wrapper that does not forward
    /// [`super::Transport::presence`]).
    #[error("this link cannot tell whether a card is in the field")]
    PresenceUnknown,
    /// Any other PC/SC failure (sharing violation, protocol mismatch, reader fault).
    #[error("PC/SC: {code}")]
    Pcsc {
        /// What the PC/SC layer returned.
        code: PcscCode,
    },
    /// The card kept answering `61xx` (ISO/IEC 7816-4 §5.3.4): the T=0 layer stopped after
    /// `commands` GET RESPONSE commands.
    #[error("card still answered 61xx after {commands} GET RESPONSE commands")]
    GetResponseLoop {
        /// GET RESPONSE commands sent for the one command.
        commands: usize,
    },
    /// A GET RESPONSE was answered with fewer than two bytes.
    #[error("GET RESPONSE answered without a status word")]
    GetResponseWithoutSw,
    /// A replay in order was asked for more exchanges than were recorded.
    #[error("replay: transcript exhausted after {exchanges} exchanges")]
    ReplayExhausted {
        /// Exchanges recorded (and played).
        exchanges: usize,
    },
    /// A replay in order was sent another command than the one recorded next.
    #[error("replay: exchange {index} expected command {expected_masked}, got {got_masked}")]
    ReplayMismatch {
        /// Index of the recorded exchange (0-based).
        index: usize,
        /// The recorded command, masked.
        expected_masked: String,
        /// The command sent, masked.
        got_masked: String,
    },
    /// A replay by content has no recorded exchange with this command.
    #[error("replay: no recorded answer for {command_masked}")]
    ReplayNoAnswer {
        /// The command sent, masked.
        command_masked: String,
    },
    /// The recorded exchange that matched has no answer, and the recording does not say the
    /// card was mute or removed (a link fault, or a script without answers).
    #[error("replay: recorded exchange {index} has no answer")]
    ReplayUnanswered {
        /// Index of the recorded exchange (0-based).
        index: usize,
    },
    /// vpcd closed the connection inside a frame.
    #[error("vpcd: frame of {declared} bytes cut after {received}")]
    VpcdTruncatedFrame {
        /// Length the frame header declared (the 2 header bytes for a cut header).
        declared: usize,
        /// Bytes that came before the close.
        received: usize,
    },
    /// The vpcd address resolves to no socket address.
    #[error("vpcd: {addr:?} resolves to no address")]
    VpcdNoAddress {
        /// The address as given.
        addr: String,
    },
    /// Operating system I/O failure.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// What a runner does about a [`TransportError`]: report a link fault, a mute card, or a card
/// that is not (or no longer) in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransportErrorKind {
    /// The link failed (service, reader, protocol of the link itself, replay out of step).
    Fault,
    /// The card is there but did not answer.
    Mute,
    /// No card in the field.
    Removed,
}

impl TransportError {
    /// Which of the three a runner must tell apart this error is.
    pub fn kind(&self) -> TransportErrorKind {
        match self {
            TransportError::CardRemoved | TransportError::PresenceTimeout { want: CardPresence::Present, .. } => {
                TransportErrorKind::Removed
            }
            TransportError::Timeout { .. } | TransportError::Unresponsive => TransportErrorKind::Mute,
            _ => TransportErrorKind::Fault,
        }
    }

    /// Whether the card is gone from the field (removed, or never came).
    pub fn is_card_gone(&self) -> bool {
        self.kind() == TransportErrorKind::Removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcsc_codes_have_their_names_and_unknown_ones_keep_the_value() {
        assert!(PCSC_NAMES.windows(2).all(|w| w[0].0 < w[1].0), "sorted for the binary search");
        assert_eq!(PcscCode::NO_SERVICE.name(), Some("SCARD_E_NO_SERVICE"));
        assert_eq!(PcscCode::SHARING_VIOLATION.to_string(), "SCARD_E_SHARING_VIOLATION (0x8010000B)");
        assert_eq!(format!("{:?}", PcscCode(0x8010_0066)), "SCARD_W_UNRESPONSIVE_CARD");
        assert_eq!(format!("{:?}", PcscCode(0x1234)), "PcscCode(0x00001234)");
    }

    #[test]
    fn kinds_separate_fault_mute_and_removed() {
        let waited = Duration::from_millis(5);
        assert_eq!(TransportError::CardRemoved.kind(), TransportErrorKind::Removed);
        assert!(TransportError::PresenceTimeout { want: CardPresence::Present, waited }.is_card_gone());
        assert_eq!(
            TransportError::PresenceTimeout { want: CardPresence::Absent, waited }.kind(),
            TransportErrorKind::Fault
        );
        assert_eq!(TransportError::Timeout { waited }.kind(), TransportErrorKind::Mute);
        assert_eq!(TransportError::Unresponsive.kind(), TransportErrorKind::Mute);
        assert_eq!(TransportError::GetResponseLoop { commands: 64 }.kind(), TransportErrorKind::Fault);
        assert_eq!(TransportError::NoService { code: PcscCode::NO_SERVICE }.kind(), TransportErrorKind::Fault);
    }
}
