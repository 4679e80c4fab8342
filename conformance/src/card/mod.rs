//! The card side: what a card (band, phone in card emulation) does with the commands a reader
//! sends, as a [`Card`], whoever serves it.
//!
//! A [`Card`] is served in-process by [`crate::transport::InProcess`] and to a real pcscd by
//! [`crate::transport::vpcd`]. [`TransportCard`] turns any [`crate::transport::Transport`] back
//! into a [`Card`], so that a real card behind a PC/SC reader or a recorded
//! [`crate::transport::Replay`] can be relayed through vpcd to another application.

mod relay;

use std::time::Duration;

pub use relay::TransportCard;

/// What a card did with one command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardReply {
    /// Response data and status word; empty means the card stayed mute.
    pub rapdu: Vec<u8>,
    /// Processing time the card takes before answering (injected, never measured).
    pub delay: Duration,
}

impl CardReply {
    /// An immediate answer.
    pub fn new(rapdu: Vec<u8>) -> Self {
        CardReply { rapdu, delay: Duration::ZERO }
    }

    /// No answer at all.
    pub fn mute() -> Self {
        CardReply::default()
    }

    /// Status word only.
    pub fn sw(sw: u16) -> Self {
        CardReply::new(sw.to_be_bytes().to_vec())
    }

    /// Data followed by a status word.
    pub fn data(data: &[u8], sw: u16) -> Self {
        let mut rapdu = Vec::with_capacity(data.len() + 2);
        rapdu.extend_from_slice(data);
        rapdu.extend_from_slice(&sw.to_be_bytes());
        CardReply::new(rapdu)
    }

    /// Whether the card stayed silent.
    pub fn is_mute(&self) -> bool {
        self.rapdu.is_empty()
    }
}

/// A card (or band, or phone in card emulation) as seen from the reader.
///
/// Implemented by the reference virtual band ([`crate::sim::Band`]) and by test doubles; served
/// in-process by [`crate::transport::InProcess`] and to a real pcscd by [`crate::transport::vpcd`].
pub trait Card: Send {
    /// The field came on (or the card was reset): return the ATR and start from the initial state.
    fn power_on(&mut self) -> Vec<u8>;
    /// Processes one C-APDU.
    fn process(&mut self, capdu: &[u8]) -> CardReply;
    /// The field went off. Volatile state is lost; persistent state (counters, balance) stays.
    fn power_off(&mut self) {}
}

impl<C: Card + ?Sized> Card for Box<C> {
    fn power_on(&mut self) -> Vec<u8> {
        (**self).power_on()
    }
    fn process(&mut self, capdu: &[u8]) -> CardReply {
        (**self).process(capdu)
    }
    fn power_off(&mut self) {
        (**self).power_off()
    }
}
