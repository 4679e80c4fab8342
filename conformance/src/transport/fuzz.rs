//! A card whose every answer comes from fuzzer bytes, to fuzz terminal and kernel flows.

use std::sync::Arc;
use std::time::Duration;

use super::{CardPresence, RawAtr, RawResponse, ReaderInfo, Transport, TransportError, TransportKind};
use crate::clock::{Clock, ManualClock, SeededRng, UnpredictableSource};

/// Bytes at the front of the fuzz input that seed the terminal's unpredictable numbers.
pub const FUZZ_SEED_LEN: usize = 8;
/// Longest ATR a [`FuzzCard`] produces (ISO/IEC 7816-3 caps ATRs at 33 bytes).
pub const FUZZ_MAX_ATR: usize = 33;
/// After this many exchanges the card is "removed", so that no flow runs forever.
pub const FUZZ_MAX_EXCHANGES: usize = 1024;
/// How long a mute [`FuzzCard`] makes the terminal wait (on the case's clock).
pub const FUZZ_MUTE_TIMEOUT: Duration = Duration::from_secs(1);

const LEN_REMOVED: u8 = 0xFF;
const LEN_MUTE: u8 = 0xFE;

/// A card that answers with fuzzer bytes.
///
/// Layout of the input (every part optional; running out means the card left the field):
///
/// ```text
/// seed[8]  atr_len atr[atr_len % 34]  (len resp[len])*
/// ```
///
/// A response length byte of `FE` is a mute card ([`TransportError::Timeout`] after
/// [`FUZZ_MUTE_TIMEOUT`] on the clock), `FF` a removed card. Bounded: at most
/// [`FUZZ_MAX_EXCHANGES`] answers, no allocation beyond the input size. The card is present
/// until it is removed or its input runs out. Its clock is the one of the case's
/// [`FuzzTerminalSource`], so mute waits and field-off holds move the terminal's time too.
#[derive(Debug, Clone)]
pub struct FuzzCard<'a> {
    data: &'a [u8],
    pos: usize,
    exchanges: usize,
    removed: bool,
    clock: ManualClock,
}

/// The terminal-side randomness and clock of a fuzz case, derived from the same input so that
/// a case reproduces exactly.
#[derive(Debug, Clone)]
pub struct FuzzTerminalSource {
    rng: SeededRng,
    clock: ManualClock,
}

impl FuzzTerminalSource {
    /// A clock that starts at a fixed date derived from the seed and advances 1 ms per reading.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(self.clock.clone())
    }
}

impl UnpredictableSource for FuzzTerminalSource {
    fn fill(&mut self, out: &mut [u8]) {
        self.rng.fill(out)
    }
}

impl<'a> FuzzCard<'a> {
    /// Splits a fuzz input into the card and the terminal's randomness/clock.
    pub fn split(data: &'a [u8]) -> (Self, FuzzTerminalSource) {
        let n = data.len().min(FUZZ_SEED_LEN);
        let mut seed = [0u8; FUZZ_SEED_LEN];
        seed[..n].copy_from_slice(&data[..n]);
        let seed = u64::from_be_bytes(seed);
        // 2020-01-01 plus up to ~4 years, so dates in the flow vary but stay plausible.
        let start = Duration::from_secs(1_577_836_800 + (seed % (4 * 365 * 86_400)));
        let clock = ManualClock::new(start, Duration::from_millis(1));
        let source = FuzzTerminalSource { rng: SeededRng::new(seed), clock: clock.clone() };
        (FuzzCard { data: &data[n..], pos: 0, exchanges: 0, removed: false, clock }, source)
    }

    fn take(&mut self, len: usize) -> &'a [u8] {
        let end = self.pos.saturating_add(len).min(self.data.len());
        let out = &self.data[self.pos..end];
        self.pos = end;
        out
    }

    fn next_len(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn removed(&mut self) -> TransportError {
        self.removed = true;
        TransportError::CardRemoved
    }

    fn presence_now(&self) -> CardPresence {
        if self.removed || self.pos >= self.data.len() || self.exchanges >= FUZZ_MAX_EXCHANGES {
            CardPresence::Absent
        } else {
            CardPresence::Present
        }
    }
}

impl Transport for FuzzCard<'_> {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        if self.removed {
            return Err(TransportError::CardRemoved);
        }
        let Some(len) = self.next_len() else { return Err(self.removed()) };
        Ok(RawAtr(self.take(usize::from(len) % (FUZZ_MAX_ATR + 1)).to_vec()))
    }

    fn transmit(&mut self, _capdu: &[u8]) -> Result<RawResponse, TransportError> {
        if self.removed || self.exchanges >= FUZZ_MAX_EXCHANGES {
            return Err(self.removed());
        }
        self.exchanges += 1;
        match self.next_len() {
            None | Some(LEN_REMOVED) => Err(self.removed()),
            Some(LEN_MUTE) => {
                self.clock.sleep(FUZZ_MUTE_TIMEOUT);
                Err(TransportError::Timeout { waited: FUZZ_MUTE_TIMEOUT })
            }
            Some(len) => Ok(RawResponse(self.take(usize::from(len)).to_vec())),
        }
    }

    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        self.clock.sleep(hold);
        Ok(())
    }

    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        Ok(self.presence_now())
    }

    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        super::wait_without_events(self.presence_now(), want, timeout, &self.clock)
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo { kind: TransportKind::Fuzz, name: "fuzz".into(), protocol: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn layout_is_seed_atr_then_responses() {
        let data = [0, 0, 0, 0, 0, 0, 0, 1, 2, 0x3B, 0x00, 2, 0x90, 0x00, LEN_MUTE, LEN_REMOVED];
        let (mut card, mut src) = FuzzCard::split(&data);
        assert_eq!(src.next_u32(), SeededRng::new(1).next_u32());
        assert_eq!(card.reset().unwrap(), RawAtr(vec![0x3B, 0x00]));
        assert_eq!(card.transmit(&[]).unwrap().sw(), Some(0x9000));
        let clock = src.clock();
        let before = clock.now();
        assert!(matches!(card.transmit(&[]), Err(TransportError::Timeout { waited: FUZZ_MUTE_TIMEOUT })));
        card.field_off(Duration::from_millis(50)).unwrap();
        // One 1 ms tick for the reading `before`, then the mute wait and the hold.
        assert_eq!(clock.now() - before, Duration::from_millis(1) + FUZZ_MUTE_TIMEOUT + Duration::from_millis(50));
        assert_eq!(card.presence().unwrap(), CardPresence::Present);
        assert!(matches!(card.transmit(&[]), Err(TransportError::CardRemoved)));
        assert_eq!(card.presence().unwrap(), CardPresence::Absent);
        assert!(matches!(card.transmit(&[]), Err(TransportError::CardRemoved)));
        assert!(matches!(card.reset(), Err(TransportError::CardRemoved)), "removed stays removed");
    }

    #[test]
    fn running_out_of_input_is_a_removal() {
        let (mut card, _) = FuzzCard::split(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 0x3B, 2, 0x90]);
        assert_eq!(card.presence().unwrap(), CardPresence::Present);
        card.reset().unwrap();
        assert_eq!(card.transmit(&[]).unwrap().as_bytes(), [0x90], "a short answer is still an answer");
        assert_eq!(card.presence().unwrap(), CardPresence::Absent);
        card.wait_for(CardPresence::Absent, Duration::ZERO).unwrap();
        assert!(card.wait_for(CardPresence::Present, Duration::from_secs(1)).unwrap_err().is_card_gone());
    }

    proptest! {
        #[test]
        fn any_input_is_bounded(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let (mut card, _) = FuzzCard::split(&data);
            let _ = card.reset();
            let mut total = 0;
            for _ in 0..FUZZ_MAX_EXCHANGES + 5 {
                if let Ok(r) = card.transmit(&[0]) { total += r.as_bytes().len(); }
            }
            prop_assert!(total <= data.len());
        }
    }
}
