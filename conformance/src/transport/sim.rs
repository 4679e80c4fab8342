//! The in-process transport: a [`Card`] answered directly, no reader in between.

use std::sync::Arc;
use std::time::Duration;

use super::{Atr, Clock, RawResponse, ReaderInfo, SystemClock, Transport, TransportError, TransportKind};

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
/// in-process by [`Sim`] and to a real pcscd by [`super::vpcd`].
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

/// How long [`Sim`] reports waiting for a mute card.
pub const SIM_MUTE_TIMEOUT: Duration = Duration::from_secs(1);

/// An in-process card behind the [`Transport`] trait.
///
/// Card processing delays go through the injected [`Clock`], so a test with a
/// [`super::ManualClock`] sees exact latencies without sleeping.
pub struct Sim<C> {
    card: C,
    clock: Arc<dyn Clock>,
    powered: bool,
    present: bool,
    name: String,
}

impl<C> std::fmt::Debug for Sim<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim").field("name", &self.name).field("powered", &self.powered).finish_non_exhaustive()
    }
}

impl<C: Card> Sim<C> {
    /// A card in the field, with the system clock.
    pub fn new(card: C) -> Self {
        Self::with_clock(card, Arc::new(SystemClock::new()))
    }

    /// A card in the field, with an injected clock.
    pub fn with_clock(card: C, clock: Arc<dyn Clock>) -> Self {
        Sim { card, clock, powered: false, present: true, name: "sim".into() }
    }

    /// Names the reader (shown in [`ReaderInfo`]).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Takes the card out of the field: commands fail with [`TransportError::CardRemoved`].
    pub fn remove(&mut self) {
        if self.powered {
            self.card.power_off();
        }
        self.powered = false;
        self.present = false;
    }

    /// Puts the card back; it needs a reset before the next command.
    pub fn insert(&mut self) {
        self.present = true;
    }

    /// The card, to inspect its state.
    pub fn card(&self) -> &C {
        &self.card
    }

    /// The card, to change it.
    pub fn card_mut(&mut self) -> &mut C {
        &mut self.card
    }
}

impl<C: Card> Transport for Sim<C> {
    fn reset(&mut self) -> Result<Atr, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        if self.powered {
            self.card.power_off();
        }
        self.powered = true;
        Ok(Atr(self.card.power_on()))
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        if !self.present || !self.powered {
            return Err(TransportError::CardRemoved);
        }
        let reply = self.card.process(capdu);
        if reply.is_mute() {
            self.clock.sleep(SIM_MUTE_TIMEOUT);
            return Err(TransportError::Timeout(SIM_MUTE_TIMEOUT));
        }
        if !reply.delay.is_zero() {
            self.clock.sleep(reply.delay);
        }
        Ok(RawResponse(reply.rapdu))
    }

    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        if self.powered {
            self.card.power_off();
        }
        self.powered = false;
        self.clock.sleep(hold);
        Ok(())
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo { kind: TransportKind::Sim, name: self.name.clone(), protocol: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ManualClock;

    struct Slow;
    impl Card for Slow {
        fn power_on(&mut self) -> Vec<u8> {
            vec![0x3B, 0x00]
        }
        fn process(&mut self, capdu: &[u8]) -> CardReply {
            if capdu.first() == Some(&0xFF) {
                return CardReply::mute();
            }
            CardReply { rapdu: vec![0x90, 0x00], delay: Duration::from_millis(700) }
        }
    }

    #[test]
    fn delay_goes_through_the_clock_and_mute_is_a_timeout() {
        let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
        let mut sim = Sim::with_clock(Slow, Arc::new(clock.clone()));
        assert!(matches!(sim.transmit(&[0, 0, 0, 0]), Err(TransportError::CardRemoved)));
        sim.reset().unwrap();
        sim.transmit(&[0, 0, 0, 0]).unwrap();
        assert_eq!(clock.now(), Duration::from_millis(700));
        assert!(matches!(sim.transmit(&[0xFF, 0, 0, 0]), Err(TransportError::Timeout(_))));
        sim.remove();
        assert!(matches!(sim.reset(), Err(TransportError::CardRemoved)));
        sim.insert();
        assert_eq!(sim.reset().unwrap().as_bytes(), [0x3B, 0x00]);
    }
}
