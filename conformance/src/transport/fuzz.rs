//! A card whose every answer comes from fuzzer bytes, to fuzz terminal and kernel flows.

use std::sync::Arc;
use std::time::Duration;

use super::UnpredictableSource;
use super::{Atr, Clock, ManualClock, RawResponse, ReaderInfo, SeededRng, Transport, TransportError, TransportKind};

/// Bytes at the front of the fuzz input that seed the terminal's unpredictable numbers.
pub const FUZZ_SEED_LEN: usize = 8;
/// Longest ATR a [`FuzzCard`] produces (ISO/IEC 7816-3 caps ATRs at 33 bytes).
pub const FUZZ_MAX_ATR: usize = 33;
/// After this many exchanges the card is "removed", so that no flow runs forever.
pub const FUZZ_MAX_EXCHANGES: usize = 1024;

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
/// A response length byte of `FE` is a mute card ([`TransportError::Timeout`]), `FF` a removed
/// card. Bounded: at most [`FUZZ_MAX_EXCHANGES`] answers, no allocation beyond the input size.
#[derive(Debug, Clone)]
pub struct FuzzCard<'a> {
    data: &'a [u8],
    pos: usize,
    exchanges: usize,
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
        let source =
            FuzzTerminalSource { rng: SeededRng::new(seed), clock: ManualClock::new(start, Duration::from_millis(1)) };
        (FuzzCard { data: &data[n..], pos: 0, exchanges: 0 }, source)
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
}

impl Transport for FuzzCard<'_> {
    fn reset(&mut self) -> Result<Atr, TransportError> {
        let len = self.next_len().ok_or(TransportError::CardRemoved)?;
        Ok(Atr(self.take(usize::from(len) % (FUZZ_MAX_ATR + 1)).to_vec()))
    }

    fn transmit(&mut self, _capdu: &[u8]) -> Result<RawResponse, TransportError> {
        if self.exchanges >= FUZZ_MAX_EXCHANGES {
            return Err(TransportError::CardRemoved);
        }
        self.exchanges += 1;
        match self.next_len().ok_or(TransportError::CardRemoved)? {
            LEN_REMOVED => Err(TransportError::CardRemoved),
            LEN_MUTE => Err(TransportError::Timeout(Duration::from_secs(1))),
            len => Ok(RawResponse(self.take(usize::from(len)).to_vec())),
        }
    }

    fn field_off(&mut self, _hold: Duration) -> Result<(), TransportError> {
        Ok(())
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
        assert_eq!(card.reset().unwrap(), Atr(vec![0x3B, 0x00]));
        assert_eq!(card.transmit(&[]).unwrap().sw(), Some(0x9000));
        assert!(matches!(card.transmit(&[]), Err(TransportError::Timeout(_))));
        assert!(matches!(card.transmit(&[]), Err(TransportError::CardRemoved)));
        assert!(matches!(card.transmit(&[]), Err(TransportError::CardRemoved)));
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
