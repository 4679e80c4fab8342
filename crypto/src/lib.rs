//! # tapcert-crypto
//!
//! EMV key derivation, MACs, application cryptograms and dynamic payment codes, on RustCrypto
//! primitives. (In progress.)
#![forbid(unsafe_code)]

pub mod oda;
