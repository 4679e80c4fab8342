//! Records every exchange of any transport, with timestamps and latency.

use std::sync::Arc;
use std::time::Duration;

use super::{Intercept, Layered, RawAtr, RawResponse, Transport, TransportError};
use crate::clock::Clock;
use crate::transcript::{Event, EventKind, Transcript};

/// Wraps a transport and keeps a [`Transcript`] of everything that passes through it.
///
/// Time comes from the injected [`Clock`]: with a [`crate::clock::ManualClock`] the transcript is
/// byte-for-byte reproducible.
pub type Recorder<T> = Layered<T, Record>;

/// The layer of [`Recorder`]: the clock, when recording started, what was recorded.
pub struct Record {
    clock: Arc<dyn Clock>,
    start: Duration,
    transcript: Transcript,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("events", &self.transcript.events.len()).finish_non_exhaustive()
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl<T: Transport> Recorder<T> {
    /// Starts recording now.
    pub fn new(inner: T, clock: Arc<dyn Clock>) -> Self {
        let start = clock.now();
        let transcript = Transcript::new(Some(inner.info()), micros(start));
        Layered::with(inner, Record { clock, start, transcript })
    }

    /// What was recorded so far.
    pub fn transcript(&self) -> &Transcript {
        &self.layer().transcript
    }

    /// Stops recording: the transport and the transcript.
    pub fn into_parts(self) -> (T, Transcript) {
        let (inner, record) = self.split();
        (inner, record.transcript)
    }
}

impl Record {
    fn timed<T, R>(&mut self, inner: &mut T, f: impl FnOnce(&mut T) -> R) -> (u64, u64, R) {
        let t0 = self.clock.now();
        let r = f(inner);
        let t1 = self.clock.now();
        (micros(t0.saturating_sub(self.start)), micros(t1.saturating_sub(t0)), r)
    }
}

/// Presence and waits are forwarded, not recorded: a transcript holds what the card was sent
/// and answered.
impl<T: Transport> Intercept<T> for Record {
    fn reset(&mut self, inner: &mut T) -> Result<RawAtr, TransportError> {
        let (at_us, latency_us, r) = self.timed(inner, |t| t.reset());
        if let Ok(atr) = &r {
            self.transcript.events.push(Event { at_us, latency_us, kind: EventKind::Reset { atr: atr.clone() } });
        }
        r
    }

    fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        let (at_us, latency_us, r) = self.timed(inner, |t| t.transmit(capdu));
        let (response, error, error_kind) = match &r {
            Ok(resp) => (Some(resp.clone()), None, None),
            Err(e) => (None, Some(e.to_string()), Some(e.kind())),
        };
        self.transcript.events.push(Event {
            at_us,
            latency_us,
            kind: EventKind::Exchange { command: capdu.to_vec(), response, error, error_kind },
        });
        r
    }

    fn field_off(&mut self, inner: &mut T, hold: Duration) -> Result<(), TransportError> {
        let (at_us, latency_us, r) = self.timed(inner, |t| t.field_off(hold));
        self.transcript.events.push(Event { at_us, latency_us, kind: EventKind::FieldOff { hold_us: micros(hold) } });
        r
    }
}
