//! Setup shared by the band tests (in-process) and the pcscd tests (real stack). The terminal
//! procedures themselves live in `tapcert_conformance::terminal`.
#![allow(dead_code)]

use std::time::Duration;

use tapcert_conformance::clock::{ManualClock, SeededRng};
use tapcert_conformance::terminal::{TerminalConfig, read_emv, read_transit};
use tapcert_conformance::transport::Transport;

/// Hex as written in the tests (spaces allowed).
pub fn apdu(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).unwrap()
}

/// The terminal's clock: 2026-11-22 02:32:22 UTC, standing still unless the card sleeps on it.
pub fn terminal_clock() -> ManualClock {
    ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO)
}

/// An EMV transaction (no CDA) and an e-purse read, with the terminal's fixed clock and seed:
/// whether the ARQC verified, and the balance.
pub fn emv_and_balance(t: &mut dyn Transport) -> (bool, Option<u32>) {
    let config = TerminalConfig { request_cda: false, ..TerminalConfig::default() };
    let e = read_emv(t, &config, &mut SeededRng::new(5), &terminal_clock());
    let verified = e.result.cryptogram_check.is_some_and(|c| c.is_verified());
    (verified, read_transit(t, &config, &terminal_clock()).result.balance)
}
