//! Setup shared by the band tests (in-process) and the pcscd tests (real stack). The terminal
//! procedures themselves live in `tapcert_conformance::terminal`.
#![allow(dead_code)]

use std::time::Duration;

use tapcert_conformance::transport::ManualClock;

/// Hex as written in the tests (spaces allowed).
pub fn apdu(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).unwrap()
}

/// The terminal's clock: 2026-11-22 02:32:22 UTC, standing still unless the card sleeps on it.
pub fn terminal_clock() -> ManualClock {
    ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO)
}
