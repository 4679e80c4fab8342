//! Injected time and randomness, so that every run can be reproduced.
//!
//! Transports, the virtual band and the terminal flows read time only through a [`Clock`]
//! and draw unpredictable numbers only from an [`UnpredictableSource`]. [`SystemClock`] is the
//! one place that reads the system clock and sleeps; [`ManualClock`] moves only when told to.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of time. Transports and the virtual band never read the system clock directly.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Time since the Unix epoch; monotonic for the life of the clock.
    fn now(&self) -> Duration;
    /// Waits for `d` (a [`ManualClock`] only advances).
    fn sleep(&self, d: Duration);
}

/// The real clock: wall time at creation plus a monotonic `Instant` since then.
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Instant,
    origin_unix: Duration,
}

impl SystemClock {
    /// A clock anchored now.
    pub fn new() -> Self {
        SystemClock {
            origin: Instant::now(),
            origin_unix: SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin_unix + self.origin.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// A clock that moves only when told to (by [`ManualClock::advance`], by `sleep`, or by a
/// fixed `tick` per reading), for reproducible tests and fuzz targets.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<(Duration, Duration)>>,
}

impl ManualClock {
    /// A clock at `start` that advances by `tick` on every [`Clock::now`].
    pub fn new(start: Duration, tick: Duration) -> Self {
        ManualClock { state: Arc::new(Mutex::new((start, tick))) }
    }

    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = s.0.saturating_add(d);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let t = s.0;
        s.0 = s.0.saturating_add(s.1);
        t
    }
    fn sleep(&self, d: Duration) {
        self.advance(d);
    }
}

/// Unpredictable numbers for a terminal or card flow (EMV tag 9F37, transit random numbers).
pub trait UnpredictableSource: Send {
    /// Fills `out` with the next bytes.
    fn fill(&mut self, out: &mut [u8]);

    /// The next 4-byte unpredictable number.
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        u32::from_be_bytes(b)
    }
}

/// A seeded SplitMix64 generator: deterministic, fast, and not for keys.
#[derive(Debug, Clone)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    /// A generator that always yields the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        SeededRng { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl UnpredictableSource for SeededRng {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_be_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_rng_reproduces() {
        let (mut a, mut b) = (SeededRng::new(7), SeededRng::new(7));
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        assert_ne!(SeededRng::new(8).next_u32(), SeededRng::new(7).next_u32());
    }

    #[test]
    fn manual_clock_ticks_and_sleeps() {
        let c = ManualClock::new(Duration::from_secs(10), Duration::from_micros(5));
        assert_eq!(c.now(), Duration::from_secs(10));
        c.sleep(Duration::from_millis(1));
        assert_eq!(c.now(), Duration::from_secs(10) + Duration::from_micros(1005));
    }
}
