//! # tapcert-conformance
//!
//! How tapcert reaches devices and what it runs against them:
//!
//! - [`transport`]: the [`transport::Transport`] trait and its links (in-process sim, replay,
//!   fuzz card, PC/SC with feature `pcsc`), the T=0 layer, the recorder and transcripts, and the
//!   card side of the vsmartcard vpcd driver;
//! - [`sim`]: the reference virtual band (PPSE, EMV contactless, transit e-purse, NDEF tag,
//!   UID) and its firmware profiles, faulty ones included;
//! - [`mask`]: masking of PANs and track data before anything is logged;
//! - [`terminal`]: the terminal engine: the procedures (EMV contactless transaction with ODA and
//!   cryptogram verification, e-purse read and purchase, Type 4 Tag NDEF read, UID) that every
//!   suite, fuzzer and test uses, returning observations and findings.
#![warn(missing_docs)]

pub mod mask;
pub mod sim;
pub mod terminal;
pub mod transport;

#[cfg(feature = "pcsc")]
#[doc(hidden)]
pub mod testing;
