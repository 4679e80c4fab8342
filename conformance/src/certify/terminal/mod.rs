//! Certifying the terminal side: the card images are the lower tester, and the pass criteria
//! ([`criteria`], rule ids in [`rules`]) are evaluated on what the card saw the terminal send.
//!
//! A terminal suite ([`suite`]) lists cases, each on a card image with the transaction the
//! terminal is configured for and the outcome the image calls for. The runner ([`runner`])
//! serves each image to the terminal under test (the reference terminal in-process, or any
//! PC/SC terminal software through vpcd) and writes the same [`crate::certify::RunReport`]
//! as `certify` does, so JSON, JUnit, HTML, transcripts and diffs work unchanged.

pub mod criteria;
mod dol;
pub mod exchange;
pub mod rules;
pub mod runner;
pub mod suite;
mod taa;

pub use criteria::{
    CriterionResult, Outcome, Status, TransactionExpect, derive_outcome, evaluate_transaction,
    evaluate_unpredictable_numbers, unpredictable_number,
};
pub use exchange::SeenExchange;
pub use runner::{
    KeptCardTerminal, ReferenceTerminal, TERMINAL_IMAGES, Tap, TerminalRunOptions, TerminalUnderTest, VpcdTerminal,
    config_for, expand_command, external_terminal_identity, resolve_image, run_terminal_suites,
};
pub use suite::{
    TerminalCase, TerminalSuite, bundled_terminal_suites, iso_numeric_code, load_terminal_suite, parse_terminal_suite,
    transaction_type_code,
};

#[cfg(test)]
mod tests;
