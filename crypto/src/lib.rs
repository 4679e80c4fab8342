//! # tapcert-crypto
//!
//! EMV key derivation, MACs, application cryptograms and dynamic payment codes, on RustCrypto
//! primitives (`aes`, `cmac`, `hmac`, `sha1`, `sha2`) and a table-driven DES of our own.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod des;
mod error;

pub use des::{Des, Tdes, TdesEde2, TdesEde3};
pub use error::CryptoError;
