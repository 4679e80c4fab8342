//! # tapcert-conformance
//!
//! How tapcert reaches devices and what it runs against them:
//!
//! - [`transport`]: the [`transport::Transport`] trait (exchanges, card presence, typed
//!   errors) and its links (in-process, replay, fuzz card, PC/SC with feature `pcsc`), the T=0
//!   layer, the recorder, and the card side of the vsmartcard vpcd driver;
//! - [`image`]: card images (TOML data files, a base plus named differences) served as a
//!   [`card::Card`] that records what the terminal sent;
//! - [`card`]: the [`card::Card`] trait that in-process and vpcd serve, and
//!   [`card::TransportCard`], which serves any transport as a card (relay, replay to a reader);
//! - [`clock`]: the injected clock and unpredictable numbers;
//! - [`transcript`]: recorded sessions, as JSON and as pcsc-tools `scriptor` text;
//! - [`sim`]: the reference virtual band (PPSE, EMV contactless, transit e-purse, NDEF tag,
//!   UID) and its firmware profiles, faulty ones included;
//! - [`mask`]: masking of PANs and track data before anything is logged;
//! - [`terminal`]: the terminal engine: the procedures (EMV contactless transaction with ODA and
//!   cryptogram verification, e-purse read and purchase, Type 4 Tag NDEF read, UID) that every
//!   suite, fuzzer and test uses, returning observations and findings.
#![warn(missing_docs)]

pub mod card;
pub mod certify;
pub mod clock;
pub mod fuzz_device;
pub mod image;
pub mod mask;
pub mod sim;
pub mod terminal;
pub mod transcript;
pub mod transport;
