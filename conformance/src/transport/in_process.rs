//! The in-process transport: a [`Card`] answered directly, no reader in between.

use std::sync::Arc;
use std::time::Duration;

use super::{CardPresence, RawAtr, RawResponse, ReaderInfo, Transport, TransportError, TransportKind};
use crate::card::Card;
use crate::clock::{Clock, SystemClock};

/// How long [`InProcess`] waits (on its clock) for a mute card before it reports the timeout.
pub const IN_PROCESS_MUTE_TIMEOUT: Duration = Duration::from_secs(1);

/// An in-process card behind the [`Transport`] trait.
///
/// Card processing delays, mute waits and field-off holds go through the injected [`Clock`], so
/// a test with a [`crate::clock::ManualClock`] sees exact latencies without sleeping.
/// [`InProcess::remove`] and [`InProcess::insert`] take the card out of the field and back.
pub struct InProcess<C> {
    card: C,
    clock: Arc<dyn Clock>,
    powered: bool,
    present: bool,
    name: String,
}

impl<C> std::fmt::Debug for InProcess<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("name", &self.name)
            .field("powered", &self.powered)
            .field("present", &self.present)
            .finish_non_exhaustive()
    }
}

impl<C: Card> InProcess<C> {
    /// A card in the field, with the system clock.
    pub fn new(card: C) -> Self {
        Self::with_clock(card, Arc::new(SystemClock::new()))
    }

    /// A card in the field, with an injected clock.
    pub fn with_clock(card: C, clock: Arc<dyn Clock>) -> Self {
        InProcess { card, clock, powered: false, present: true, name: "in-process".into() }
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

    /// The card, when done.
    pub fn into_card(self) -> C {
        self.card
    }

    fn presence_now(&self) -> CardPresence {
        if self.present { CardPresence::Present } else { CardPresence::Absent }
    }
}

impl<C: Card> Transport for InProcess<C> {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        if self.powered {
            self.card.power_off();
        }
        self.powered = true;
        Ok(RawAtr(self.card.power_on()))
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        if !self.present || !self.powered {
            return Err(TransportError::CardRemoved);
        }
        let reply = self.card.process(capdu);
        if reply.is_mute() {
            self.clock.sleep(IN_PROCESS_MUTE_TIMEOUT);
            return Err(TransportError::Timeout { waited: IN_PROCESS_MUTE_TIMEOUT });
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

    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        Ok(self.presence_now())
    }

    /// Nobody else can insert or remove the card while the caller holds the transport: at
    /// once if it already is `want`, else the whole timeout passes on the clock.
    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        super::wait_without_events(self.presence_now(), want, timeout, self.clock.as_ref())
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo { kind: TransportKind::InProcess, name: self.name.clone(), protocol: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardReply;
    use crate::clock::ManualClock;

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
        let mut t = InProcess::with_clock(Slow, Arc::new(clock.clone()));
        assert!(matches!(t.transmit(&[0, 0, 0, 0]), Err(TransportError::CardRemoved)));
        t.reset().unwrap();
        t.transmit(&[0, 0, 0, 0]).unwrap();
        assert_eq!(clock.now(), Duration::from_millis(700));
        let err = t.transmit(&[0xFF, 0, 0, 0]).unwrap_err();
        assert!(matches!(err, TransportError::Timeout { waited } if waited == IN_PROCESS_MUTE_TIMEOUT), "{err:?}");
        assert_eq!(clock.now(), Duration::from_millis(1700), "the mute wait passed on the clock");
        t.field_off(Duration::from_millis(300)).unwrap();
        assert_eq!(clock.now(), Duration::from_secs(2), "the field-off hold passed on the clock");
        t.remove();
        assert!(matches!(t.reset(), Err(TransportError::CardRemoved)));
        t.insert();
        assert_eq!(t.reset().unwrap().as_bytes(), [0x3B, 0x00]);
    }

    #[test]
    fn presence_follows_remove_and_insert_and_waiting_uses_the_clock() {
        let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
        let mut t = InProcess::with_clock(Slow, Arc::new(clock.clone()));
        assert_eq!(t.presence().unwrap(), CardPresence::Present);
        t.wait_for(CardPresence::Present, Duration::from_secs(5)).unwrap();
        assert_eq!(clock.now(), Duration::ZERO, "already there: no wait");
        t.remove();
        assert_eq!(t.presence().unwrap(), CardPresence::Absent);
        let err = t.wait_for(CardPresence::Present, Duration::from_secs(5)).unwrap_err();
        assert!(
            matches!(err, TransportError::PresenceTimeout { want: CardPresence::Present, waited }
                if waited == Duration::from_secs(5)),
            "{err:?}"
        );
        assert!(err.is_card_gone());
        assert_eq!(clock.now(), Duration::from_secs(5));
        t.wait_for(CardPresence::Absent, Duration::from_secs(5)).unwrap();
        t.insert();
        assert_eq!(t.presence().unwrap(), CardPresence::Present);
    }
}
