//! A recorded transcript plays the card, at the recorded latencies.

use std::sync::Arc;
use std::time::Duration;

use super::{
    CardPresence, RawAtr, RawResponse, ReaderInfo, Transport, TransportError, TransportErrorKind, TransportKind,
};
use crate::clock::Clock;
use crate::mask::masked_command_hex;
use crate::transcript::{EventKind, Transcript};

/// How [`Replay`] picks the answer to a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayMode {
    /// The next recorded exchange answers; its command must equal the one sent.
    Order,
    /// The first not yet used exchange with the same command answers (then, once all are
    /// used, the last one with that command), as cardpeek's replay does; order is free.
    Content,
}

/// One recorded exchange.
#[derive(Debug, Clone)]
struct Recorded {
    command: Vec<u8>,
    response: Option<RawResponse>,
    error_kind: Option<TransportErrorKind>,
    latency: Duration,
}

/// A transport whose card is a recorded [`Transcript`].
///
/// Each reset, exchange and field-off takes the latency it was recorded with, slept on the
/// injected [`Clock`]: with a [`crate::clock::ManualClock`] a [`super::Recorder`] over a replay
/// writes the recorded latencies again, exactly; with a [`crate::clock::SystemClock`] the
/// replay keeps the device's real timing. A recorded failure fails again the same way: a mute
/// card after its recorded wait, a removed card as [`TransportError::CardRemoved`].
///
/// The card is in the field while there is something left to play: in [`ReplayMode::Order`]
/// until every recorded exchange has been played, in [`ReplayMode::Content`] whenever the
/// recording holds an exchange.
#[derive(Debug, Clone)]
pub struct Replay {
    exchanges: Vec<Recorded>,
    used: Vec<bool>,
    atrs: Vec<(RawAtr, Duration)>,
    field_offs: Vec<Duration>,
    resets: usize,
    field_offs_played: usize,
    next: usize,
    mode: ReplayMode,
    clock: Arc<dyn Clock>,
    name: String,
}

fn micros(us: u64) -> Duration {
    Duration::from_micros(us)
}

impl Replay {
    /// A replay of `transcript` whose latencies pass on `clock`.
    pub fn new(transcript: &Transcript, mode: ReplayMode, clock: Arc<dyn Clock>) -> Self {
        let mut exchanges = Vec::new();
        let mut atrs = Vec::new();
        let mut field_offs = Vec::new();
        for e in &transcript.events {
            match &e.kind {
                EventKind::Reset { atr } => atrs.push((atr.clone(), micros(e.latency_us))),
                EventKind::Exchange { command, response, error_kind, .. } => exchanges.push(Recorded {
                    command: command.clone(),
                    response: response.clone(),
                    error_kind: *error_kind,
                    latency: micros(e.latency_us),
                }),
                EventKind::FieldOff { .. } => field_offs.push(micros(e.latency_us)),
            }
        }
        let name = transcript.reader.as_ref().map_or_else(|| "replay".to_string(), |r| format!("replay:{}", r.name));
        Replay {
            used: vec![false; exchanges.len()],
            exchanges,
            atrs,
            field_offs,
            resets: 0,
            field_offs_played: 0,
            next: 0,
            mode,
            clock,
            name,
        }
    }

    /// How many recorded exchanges have not been played.
    pub fn remaining(&self) -> usize {
        self.used.iter().filter(|u| !**u).count()
    }

    /// Plays exchange `i`: its latency passes, then its answer or its failure.
    fn play(&mut self, i: usize) -> Result<RawResponse, TransportError> {
        self.used[i] = true;
        let e = &self.exchanges[i];
        self.clock.sleep(e.latency);
        match (&e.response, e.error_kind) {
            (Some(r), _) => Ok(r.clone()),
            (None, Some(TransportErrorKind::Mute)) => Err(TransportError::Timeout { waited: e.latency }),
            (None, Some(TransportErrorKind::Removed)) => Err(TransportError::CardRemoved),
            (None, Some(TransportErrorKind::Fault) | None) => Err(TransportError::ReplayUnanswered { index: i }),
        }
    }

    fn presence_now(&self) -> CardPresence {
        let left = match self.mode {
            ReplayMode::Order => self.next < self.exchanges.len(),
            ReplayMode::Content => !self.exchanges.is_empty(),
        };
        if left { CardPresence::Present } else { CardPresence::Absent }
    }
}

impl Transport for Replay {
    /// The ATR of the n-th recorded reset (the last one once they run out), after its latency.
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        let (atr, latency) = self.atrs.get(self.resets).or(self.atrs.last()).cloned().unwrap_or_default();
        self.resets += 1;
        self.clock.sleep(latency);
        Ok(atr)
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        match self.mode {
            ReplayMode::Order => {
                let Some(e) = self.exchanges.get(self.next) else {
                    return Err(TransportError::ReplayExhausted { exchanges: self.exchanges.len() });
                };
                if e.command != capdu {
                    return Err(TransportError::ReplayMismatch {
                        index: self.next,
                        expected_masked: masked_command_hex(&e.command),
                        got_masked: masked_command_hex(capdu),
                    });
                }
                let i = self.next;
                self.next += 1;
                self.play(i)
            }
            ReplayMode::Content => {
                let same = |i: &usize| self.exchanges[*i].command == capdu;
                let unused = (0..self.exchanges.len()).find(|i| !self.used[*i] && same(i));
                let Some(i) = unused.or_else(|| (0..self.exchanges.len()).rev().find(same)) else {
                    return Err(TransportError::ReplayNoAnswer { command_masked: masked_command_hex(capdu) });
                };
                self.play(i)
            }
        }
    }

    /// The n-th recorded field-off's latency passes (it holds the recorded hold); past the
    /// recorded ones, `hold`.
    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        let latency = self.field_offs.get(self.field_offs_played).copied().unwrap_or(hold);
        self.field_offs_played += 1;
        self.clock.sleep(latency);
        Ok(())
    }

    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        Ok(self.presence_now())
    }

    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        super::wait_without_events(self.presence_now(), want, timeout, self.clock.as_ref())
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo { kind: TransportKind::Replay, name: self.name.clone(), protocol: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::transcript::Event;

    fn exchange(c: &[u8], r: Option<&[u8]>, kind: Option<TransportErrorKind>, latency_us: u64) -> Event {
        Event {
            at_us: 0,
            latency_us,
            kind: EventKind::Exchange {
                command: c.to_vec(),
                response: r.map(|r| RawResponse(r.to_vec())),
                error: kind.map(|_| "recorded failure".into()),
                error_kind: kind,
            },
        }
    }

    fn transcript() -> Transcript {
        let mut t = Transcript::new(None, 0);
        t.events.push(Event { at_us: 0, latency_us: 5, kind: EventKind::Reset { atr: RawAtr(vec![0x3B]) } });
        t.events.push(exchange(&[1], Some(&[0x90, 0x00]), None, 100));
        t.events.push(exchange(&[2], Some(&[0x6A, 0x82]), None, 200));
        t.events.push(exchange(&[1], Some(&[0x62, 0x83]), None, 300));
        t
    }

    fn still() -> (ManualClock, Arc<dyn Clock>) {
        let c = ManualClock::new(Duration::ZERO, Duration::ZERO);
        (c.clone(), Arc::new(c))
    }

    #[test]
    fn order_mode_checks_commands_and_plays_latencies() {
        let (clock, c) = still();
        let mut r = Replay::new(&transcript(), ReplayMode::Order, c);
        assert_eq!(r.reset().unwrap(), RawAtr(vec![0x3B]));
        assert_eq!(clock.now(), micros(5));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x9000));
        assert_eq!(clock.now(), micros(105));
        let err = r.transmit(&[1]).unwrap_err();
        assert!(
            matches!(&err, TransportError::ReplayMismatch { index: 1, expected_masked, got_masked }
                if expected_masked == "02" && got_masked == "01"),
            "{err:?}"
        );
        assert_eq!(clock.now(), micros(105), "a mismatch takes no time");
        assert_eq!(r.transmit(&[2]).unwrap().sw(), Some(0x6A82));
        assert_eq!(r.presence().unwrap(), CardPresence::Present);
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x6283));
        assert_eq!(clock.now(), micros(605));
        assert_eq!(r.presence().unwrap(), CardPresence::Absent, "the recorded session is over");
        assert!(matches!(r.transmit(&[1]), Err(TransportError::ReplayExhausted { exchanges: 3 })));
        r.wait_for(CardPresence::Absent, Duration::from_secs(1)).unwrap();
        assert!(matches!(
            r.wait_for(CardPresence::Present, Duration::from_secs(1)),
            Err(TransportError::PresenceTimeout { want: CardPresence::Present, .. })
        ));
        assert_eq!(clock.now(), micros(605) + Duration::from_secs(1));
    }

    #[test]
    fn content_mode_matches_out_of_order_then_repeats_last() {
        let (_, c) = still();
        let mut r = Replay::new(&transcript(), ReplayMode::Content, c);
        assert_eq!(r.transmit(&[2]).unwrap().sw(), Some(0x6A82));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x9000));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x6283));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x6283));
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.presence().unwrap(), CardPresence::Present);
        let err = r.transmit(&[3]).unwrap_err();
        assert!(matches!(&err, TransportError::ReplayNoAnswer { command_masked } if command_masked == "03"), "{err:?}");
    }

    #[test]
    fn recorded_failures_fail_again_the_same_way() {
        let (clock, c) = still();
        let mut t = Transcript::new(None, 0);
        t.events.push(exchange(&[1], None, Some(TransportErrorKind::Mute), 1_000_000));
        t.events.push(exchange(&[2], None, Some(TransportErrorKind::Removed), 10));
        t.events.push(exchange(&[3], None, None, 0));
        t.events.push(Event { at_us: 0, latency_us: 40_000, kind: EventKind::FieldOff { hold_us: 40_000 } });
        let mut r = Replay::new(&t, ReplayMode::Order, c);
        let err = r.transmit(&[1]).unwrap_err();
        assert!(matches!(err, TransportError::Timeout { waited } if waited == Duration::from_secs(1)), "{err:?}");
        assert!(r.transmit(&[2]).unwrap_err().is_card_gone());
        assert!(matches!(r.transmit(&[3]), Err(TransportError::ReplayUnanswered { index: 2 })));
        let before = clock.now();
        r.field_off(Duration::from_millis(1)).unwrap();
        assert_eq!(clock.now() - before, Duration::from_millis(40), "the recorded field-off, not the asked one");
        r.field_off(Duration::from_millis(1)).unwrap();
        assert_eq!(clock.now() - before, Duration::from_millis(41), "past the recording: the hold asked for");
    }
}
