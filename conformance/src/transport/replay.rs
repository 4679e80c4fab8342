//! A recorded transcript plays the card.

use std::time::Duration;

use super::{Atr, EventKind, RawResponse, ReaderInfo, Transcript, Transport, TransportError, TransportKind};

/// How [`Replay`] picks the answer to a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayMode {
    /// The next recorded exchange answers; its command must equal the one sent.
    Order,
    /// The first not yet used exchange with the same command answers (then, once all are
    /// used, the last one with that command), as cardpeek's replay does; order is free.
    Content,
}

/// A transport whose card is a recorded [`Transcript`].
#[derive(Debug, Clone)]
pub struct Replay {
    exchanges: Vec<(Vec<u8>, Option<RawResponse>)>,
    used: Vec<bool>,
    atrs: Vec<Atr>,
    resets: usize,
    next: usize,
    mode: ReplayMode,
    name: String,
}

impl Replay {
    /// A replay of `transcript`.
    pub fn new(transcript: &Transcript, mode: ReplayMode) -> Self {
        let mut exchanges = Vec::new();
        let mut atrs = Vec::new();
        for e in &transcript.events {
            match &e.kind {
                EventKind::Reset { atr } => atrs.push(atr.clone()),
                EventKind::Exchange { command, response, .. } => exchanges.push((command.clone(), response.clone())),
                EventKind::FieldOff { .. } => {}
            }
        }
        let name = transcript.reader.as_ref().map_or_else(|| "replay".to_string(), |r| format!("replay:{}", r.name));
        Replay { used: vec![false; exchanges.len()], exchanges, atrs, resets: 0, next: 0, mode, name }
    }

    /// How many recorded exchanges have not been played.
    pub fn remaining(&self) -> usize {
        self.used.iter().filter(|u| !**u).count()
    }

    fn answer(&self, i: usize) -> Result<RawResponse, TransportError> {
        self.exchanges[i].1.clone().ok_or(TransportError::Timeout(Duration::ZERO))
    }
}

impl Transport for Replay {
    fn reset(&mut self) -> Result<Atr, TransportError> {
        let atr = self.atrs.get(self.resets).or(self.atrs.last()).cloned().unwrap_or_default();
        self.resets += 1;
        Ok(atr)
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        match self.mode {
            ReplayMode::Order => {
                let Some((cmd, _)) = self.exchanges.get(self.next) else {
                    return Err(TransportError::protocol(format!(
                        "replay: transcript exhausted after {} exchanges",
                        self.next
                    )));
                };
                if cmd != capdu {
                    return Err(TransportError::protocol(format!(
                        "replay: exchange {} expected command {}, got {}",
                        self.next,
                        crate::mask::masked_command_hex(cmd),
                        crate::mask::masked_command_hex(capdu)
                    )));
                }
                let i = self.next;
                self.next += 1;
                self.used[i] = true;
                self.answer(i)
            }
            ReplayMode::Content => {
                let same = |i: &usize| self.exchanges[*i].0 == capdu;
                let unused = (0..self.exchanges.len()).find(|i| !self.used[*i] && same(i));
                let Some(i) = unused.or_else(|| (0..self.exchanges.len()).rev().find(same)) else {
                    return Err(TransportError::protocol(format!(
                        "replay: no recorded answer for {}",
                        crate::mask::masked_command_hex(capdu)
                    )));
                };
                self.used[i] = true;
                self.answer(i)
            }
        }
    }

    fn field_off(&mut self, _hold: Duration) -> Result<(), TransportError> {
        Ok(())
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo { kind: TransportKind::Replay, name: self.name.clone(), protocol: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Event;

    fn transcript() -> Transcript {
        let mut t = Transcript::new(None, 0);
        let ex = |c: &[u8], r: &[u8]| Event {
            at_us: 0,
            latency_us: 0,
            kind: EventKind::Exchange { command: c.to_vec(), response: Some(RawResponse(r.to_vec())), error: None },
        };
        t.events.push(Event { at_us: 0, latency_us: 0, kind: EventKind::Reset { atr: Atr(vec![0x3B]) } });
        t.events.push(ex(&[1], &[0x90, 0x00]));
        t.events.push(ex(&[2], &[0x6A, 0x82]));
        t.events.push(ex(&[1], &[0x62, 0x83]));
        t
    }

    #[test]
    fn order_mode_checks_commands() {
        let mut r = Replay::new(&transcript(), ReplayMode::Order);
        assert_eq!(r.reset().unwrap(), Atr(vec![0x3B]));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x9000));
        let err = r.transmit(&[1]).unwrap_err();
        assert!(err.to_string().contains("expected command 02, got 01"), "{err}");
        assert_eq!(r.transmit(&[2]).unwrap().sw(), Some(0x6A82));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x6283));
        assert!(r.transmit(&[1]).is_err());
    }

    #[test]
    fn content_mode_matches_out_of_order_then_repeats_last() {
        let mut r = Replay::new(&transcript(), ReplayMode::Content);
        assert_eq!(r.transmit(&[2]).unwrap().sw(), Some(0x6A82));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x9000));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x6283));
        assert_eq!(r.transmit(&[1]).unwrap().sw(), Some(0x6283));
        assert_eq!(r.remaining(), 0);
        assert!(r.transmit(&[3]).is_err());
    }
}
