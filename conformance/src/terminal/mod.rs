//! The terminal engine: one set of terminal procedures that every conformance suite, the
//! device fuzzer, the fuzz targets and the tests use to read cards.
//!
//! | procedure | what a terminal does |
//! |---|---|
//! | [`read_emv`] | EMV contactless: PPSE (fallback to the AID list), SELECT, GPO with PDOL data, READ RECORD over the AFL, SDA/DDA/CDA, GENERATE AC, the ARQC checked under a named issuer key |
//! | [`read_transit`] | e-purse read: SELECT, GET BALANCE, card information, transaction log |
//! | [`purchase_transit`] | e-purse purchase: INITIALIZE, DEBIT with MAC1, MAC2 and TAC verified, balance and log checked |
//! | [`read_ndef`] | NFC Forum Type 4 Tag: CC file, NDEF file, message decoded and validated |
//! | [`read_uid`] | PC/SC GET DATA UID |
//! | [`probe_emv_errors`] | negative checks: unknown AID, GPO without the PDOL data, liveness after it |
//!
//! [`check_atc_increases`] compares two transactions of one card.
//!
//! Each returns an [`Observation`]: every exchange with its latency, what it read (owned bytes
//! with typed views of the parsers on top), and findings ([`tapcert_parsers::Finding`], rule
//! ids in [`rules`]). A procedure goes on as far as the card allows; a transport fault ends it
//! and is kept apart ([`Observation::fault`]), never reported as a finding.
//!
//! Commands are built with the parsers' [`tapcert_parsers::apdu::CommandApduBuf`], answers
//! read with [`tapcert_parsers::apdu::StatusWord`] and the template views of
//! [`tapcert_parsers::tlv`]; cryptograms, signatures and MACs are verified with
//! `tapcert_crypto` under keys named in [`TerminalKeys`], never with the virtual band's code.
//! Randomness and time are injected.

pub mod action;
mod config;
mod emv;
mod fault;
#[doc(hidden)]
pub mod fuzzing;
mod keys;
mod keys_toml;
mod ndef;
mod observation;
mod probe;
mod qr;
pub mod rules;
mod transit;
mod uid;
mod validators;

#[cfg(test)]
mod tests;

pub use config::{TerminalConfig, TerminalData, Timestamp};
pub use emv::{Check, EmvRead, MAX_CANDIDATES, MAX_RECORDS, OdaMethod, PPSE_NAME, RecordRead, read_emv};
pub use fault::{
    CONSTANT_UNPREDICTABLE_NUMBER, FaultyLink, RESEND_61_LIMIT, TerminalFault, UnknownFault, terminal_link,
};
pub use keys::{CaKey, IssuerKey, PurseKey, TerminalKeys, kcv};
pub use keys_toml::{CVN_NAMES, KeyKcv, KeysError, cvn_name, load_keys_toml};
pub use ndef::{MAX_NDEF_READ, NdefRead, read_ndef};
pub use observation::{Exchange, Observation, Step, TransportFault};
pub use probe::{ProbeRead, UNKNOWN_AID, check_atc_increases, probe_emv_errors};
pub use qr::{CpmCodeCheck, verify_cpm_code};
pub use transit::{Mac1, PurchaseRead, TransitRead, purchase_transit, read_transit};
pub use uid::{UidRead, read_uid};
