use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::card::{Card, CardReply};
use crate::clock::{ManualClock, SeededRng};
use crate::sim::{Band, find_profile};
use crate::terminal::{TerminalConfig, TerminalFault, read_emv, terminal_link};
use crate::transport::InProcess;

type Log = Arc<Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// A card that keeps what it was sent (tests only; images record for themselves).
struct Recorded<C> {
    card: C,
    log: Log,
}

impl<C: Card> Card for Recorded<C> {
    fn power_on(&mut self) -> Vec<u8> {
        self.card.power_on()
    }
    fn process(&mut self, capdu: &[u8]) -> CardReply {
        let r = self.card.process(capdu);
        self.log.lock().unwrap().push((capdu.to_vec(), r.rapdu.clone()));
        r
    }
}

fn transact(profile: &str, config: &TerminalConfig, seed: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let card = Recorded { card: Band::new(find_profile(profile).unwrap()), log: log.clone() };
    let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
    let mut link = terminal_link(InProcess::with_clock(card, Arc::new(clock.clone())), config);
    read_emv(&mut link, config, &mut SeededRng::new(seed), &clock);
    log.lock().unwrap().clone()
}

fn seen(log: &[(Vec<u8>, Vec<u8>)]) -> Vec<SeenExchange<'_>> {
    log.iter().map(|(c, r)| SeenExchange { command: c, response: r }).collect()
}

fn violated(results: &[CriterionResult]) -> Vec<&'static str> {
    results.iter().filter(|r| r.is_violated()).map(|r| r.rule.id).collect()
}

#[test]
fn the_reference_terminal_meets_every_criterion_on_the_reference_band() {
    let log = transact("reference", &TerminalConfig::default(), 1);
    let expect = TransactionExpect { outcome: Some(Outcome::Online), ..TransactionExpect::default() };
    let r = evaluate_transaction(&seen(&log), &expect);
    assert_eq!(violated(&r), Vec::<&str>::new(), "{r:#?}");
    let met: Vec<_> = r.iter().filter(|r| r.status == Status::Met).map(|r| r.rule.id).collect();
    for id in [
        "TERMINAL.ORDER",
        "TERMINAL.GPO.PDOL-DATA",
        "TERMINAL.GENERATE-AC.CDOL1-DATA",
        "TERMINAL.AFL.COMPLETE",
        "TERMINAL.OUTCOME",
        "TERMINAL.DATA.AMOUNT",
    ] {
        assert!(met.contains(&id), "{id} not met: {r:#?}");
    }
}

#[test]
fn planted_faults_break_their_criterion_on_the_reference_band() {
    let expect = TransactionExpect { outcome: Some(Outcome::Online), ..TransactionExpect::default() };
    for (fault, rule) in [
        (TerminalFault::PdolShort, "TERMINAL.GPO.PDOL-DATA"),
        (TerminalFault::PdolLong, "TERMINAL.GPO.PDOL-DATA"),
        (TerminalFault::ReadPastAfl, "TERMINAL.AFL.OUTSIDE"),
        (TerminalFault::WrongAmount, "TERMINAL.DATA.AMOUNT"),
    ] {
        let config = TerminalConfig { faults: vec![fault], ..TerminalConfig::default() };
        let log = transact("reference", &config, 1);
        let r = evaluate_transaction(&seen(&log), &expect);
        assert!(violated(&r).contains(&rule), "{fault}: {:?}", violated(&r));
    }
    let runs = |config: &TerminalConfig| -> Vec<Option<[u8; 4]>> {
        (0..20).map(|i| unpredictable_number(&seen(&transact("reference", config, i)))).collect()
    };
    assert_eq!(evaluate_unpredictable_numbers(&runs(&TerminalConfig::default())).status, Status::Met);
    let constant =
        TerminalConfig { faults: vec![TerminalFault::ConstantUnpredictableNumber], ..TerminalConfig::default() };
    assert!(evaluate_unpredictable_numbers(&runs(&constant)).is_violated());
}
