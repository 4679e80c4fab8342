//! Transports: how tapcert reaches a card, band or phone.
//!
//! Everything above this module (runner, fuzzers, `tapcert sim`) talks to a [`Transport`]:
//!
//! - [`InProcess`]: an in-process [`Card`] (the reference virtual band, or any test double);
//! - [`Replay`]: a recorded [`Transcript`] answers, by order or by content match, at the
//!   recorded latencies on an injected clock;
//! - [`FuzzCard`]: ATR and responses drawn from fuzzer bytes, to fuzz a terminal flow;
//! - `Pcsc` (cargo feature `pcsc`): a real PC/SC reader through pcsc-lite.
//!
//! Two layers wrap any transport: [`T0`] resolves the T=0 artefacts (`61xx` GET RESPONSE,
//! `6Cxx` resend with the right Le) once, and [`Recorder`] keeps every exchange with its
//! timestamp and latency. The card side of the vsmartcard `vpcd` driver lives in [`vpcd`].
//!
//! Every link says whether a card is in the field ([`Transport::presence`]) and waits for a
//! tap or a removal ([`Transport::wait_for`]); its failures are [`TransportError`] facts,
//! sorted for a runner by [`TransportError::kind`]. Time comes from an injected
//! [`crate::clock::Clock`]. The card side ([`Card`]) lives in [`crate::card`], transcripts in
//! [`crate::transcript`].
//!
//! [`Card`]: crate::card::Card
//! [`Transcript`]: crate::transcript::Transcript
//!
//! ```
//! use tapcert_conformance::card::{Card, CardReply};
//! use tapcert_conformance::transport::{CardPresence, InProcess, Transport};
//! struct Echo;
//! impl Card for Echo {
//!     fn power_on(&mut self) -> Vec<u8> { vec![0x3B, 0x80, 0x80, 0x01, 0x01] }
//!     fn process(&mut self, capdu: &[u8]) -> CardReply {
//!         CardReply::new([&capdu[..1], &[0x90, 0x00][..]].concat())
//!     }
//! }
//! let mut t = InProcess::new(Echo);
//! assert_eq!(t.presence().unwrap(), CardPresence::Present);
//! assert_eq!(t.reset().unwrap().as_bytes(), [0x3B, 0x80, 0x80, 0x01, 0x01]);
//! let r = t.transmit(&[0x00, 0xA4, 0x04, 0x00]).unwrap();
//! assert_eq!((r.data(), r.sw()), (&[0x00][..], Some(0x9000)));
//! ```

mod error;
mod fuzz;
mod in_process;
mod layer;
#[cfg(feature = "pcsc")]
mod pcsc;
mod recorder;
mod replay;
mod t0;
pub mod vpcd;

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use error::{PcscCode, TransportError, TransportErrorKind};
pub use fuzz::{FUZZ_MAX_ATR, FUZZ_MAX_EXCHANGES, FUZZ_MUTE_TIMEOUT, FUZZ_SEED_LEN, FuzzCard, FuzzTerminalSource};
pub use in_process::{IN_PROCESS_MUTE_TIMEOUT, InProcess};
pub use layer::{Intercept, Layered};
#[cfg(feature = "pcsc")]
pub use pcsc::{Pcsc, PcscOptions, PcscProtocol, ReaderStatus, list_readers};
pub use recorder::{Record, Recorder};
pub use replay::{Replay, ReplayMode};
pub use t0::{GetResponse, MAX_GET_RESPONSE, T0};

/// An answer-to-reset (ISO/IEC 7816-3) or PC/SC contactless pseudo-ATR, as raw bytes.
///
/// Decoding belongs to `tapcert_parsers::atr` (whose `Atr` is the parsed view); transports
/// only carry the bytes, as [`RawResponse`] carries an R-APDU.
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawAtr(#[serde(with = "hex_bytes")] pub Vec<u8>);

impl RawAtr {
    /// The ATR bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RawAtr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawAtr({})", hex::encode_upper(&self.0))
    }
}

/// A response APDU as the transport delivered it: data followed by SW1 SW2.
///
/// It is kept raw on purpose: a malformed answer (one byte, none) is a finding for the checks,
/// not a transport failure.
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawResponse(#[serde(with = "hex_bytes")] pub Vec<u8>);

impl RawResponse {
    /// All bytes, data and status word.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The status word, if the response has at least two bytes.
    pub fn sw(&self) -> Option<u16> {
        let n = self.0.len();
        (n >= 2).then(|| u16::from_be_bytes([self.0[n - 2], self.0[n - 1]]))
    }

    /// The response data (everything before the status word; empty if there is no status word).
    pub fn data(&self) -> &[u8] {
        self.0.len().checked_sub(2).map_or(&[], |n| &self.0[..n])
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawResponse({})", hex::encode_upper(&self.0))
    }
}

/// What kind of link a transport is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransportKind {
    /// A PC/SC reader.
    Pcsc,
    /// An in-process card ([`InProcess`]); transcripts written before the rename say `sim`.
    #[serde(alias = "sim")]
    InProcess,
    /// A recorded transcript.
    Replay,
    /// Fuzzer-driven card responses.
    Fuzz,
}

/// Identity of the reader a transport talks through, recorded in every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderInfo {
    /// Link type.
    pub kind: TransportKind,
    /// Reader name (`Virtual PCD 00 00`, `in-process`, ...).
    pub name: String,
    /// Active protocol, when the link has one (`T=0`, `T=1`).
    pub protocol: Option<String>,
}

/// Whether a card is in the field of a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardPresence {
    /// No card (or one that cannot be talked to).
    Absent,
    /// A card is in the field.
    Present,
}

impl fmt::Display for CardPresence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CardPresence::Absent => "absent",
            CardPresence::Present => "present",
        })
    }
}

/// A link to one card.
///
/// `transmit` returns what the card answered, status word included; it fails only when no
/// answer came (removed card, mute card, dead reader). Status words are never errors here.
///
/// A runner waits for a tap with `wait_for(CardPresence::Present, ..)`, resets, runs, and
/// notices a removal through `presence` or [`TransportError::is_card_gone`]. Every link of this
/// module implements `presence` and `wait_for`; a wrapper is a [`Layered`] transport, which
/// forwards them. The defaults answer [`TransportError::PresenceUnknown`].
pub trait Transport {
    /// Powers the card (cold or warm reset) and returns its ATR.
    fn reset(&mut self) -> Result<RawAtr, TransportError>;
    /// Sends one C-APDU and returns the raw R-APDU.
    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError>;
    /// Switches the RF field (or card power) off for `hold`; the next command needs a reset.
    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError>;
    /// Whether a card is in the field now.
    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        Err(TransportError::PresenceUnknown)
    }
    /// Waits up to `timeout` (on the link's clock) until the card is `want`; returns at once if
    /// it already is, else [`TransportError::PresenceTimeout`].
    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        let _ = (want, timeout);
        Err(TransportError::PresenceUnknown)
    }
    /// The reader this transport talks through.
    fn info(&self) -> ReaderInfo;
}

/// The `wait_for` of a link whose card cannot come or go while the caller holds it (in-process,
/// replay, fuzz): at once if it is `want`, else the whole `timeout` passes on `clock`.
pub(crate) fn wait_without_events(
    now: CardPresence,
    want: CardPresence,
    timeout: Duration,
    clock: &dyn crate::clock::Clock,
) -> Result<(), TransportError> {
    if now == want {
        return Ok(());
    }
    clock.sleep(timeout);
    Err(TransportError::PresenceTimeout { want, waited: timeout })
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        (**self).reset()
    }
    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        (**self).transmit(capdu)
    }
    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        (**self).field_off(hold)
    }
    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        (**self).presence()
    }
    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        (**self).wait_for(want, timeout)
    }
    fn info(&self) -> ReaderInfo {
        (**self).info()
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        (**self).reset()
    }
    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        (**self).transmit(capdu)
    }
    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        (**self).field_off(hold)
    }
    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        (**self).presence()
    }
    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        (**self).wait_for(want, timeout)
    }
    fn info(&self) -> ReaderInfo {
        (**self).info()
    }
}

/// Upper-case hex (de)serialisation of byte strings in transcripts ([`RawAtr`], [`RawResponse`],
/// commands).
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode_upper(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        hex::decode(text.as_ref()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_response_splits_sw() {
        let r = RawResponse(vec![0x01, 0x02, 0x90, 0x00]);
        assert_eq!((r.data(), r.sw()), (&[1u8, 2][..], Some(0x9000)));
        let short = RawResponse(vec![0x90]);
        assert_eq!((short.data(), short.sw()), (&[][..], None));
    }
}
