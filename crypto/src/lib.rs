//! # tapcert-crypto
//!
//! EMV key derivation, MACs, application cryptograms and dynamic payment codes, on RustCrypto
//! primitives (`aes`, `cmac`, `hmac`, `sha1`, `sha2`) and a table-driven DES of our own
//! ([`Des`], [`Tdes`]; proven equal to the RustCrypto `des` crate, about 2.5x faster per block
//! here).
//!
//! - Primitives and MACs: [`Tdes`], [`Aes`], [`iso9797_mac_alg1`], [`iso9797_mac_alg3`],
//!   [`AesCmac`], [`HmacKey`], [`adjust_key_parity`], [`key_check_value`].
//! - EMV (Book 2 Annex A1, §8): [`derive_icc_mk_option_a`]/`_b`/`_c`,
//!   [`derive_session_key_emv_csk`] (+ AES, Mastercard SKD, Visa SM), [`generate_ac_tdes`],
//!   [`generate_ac_aes`], ARPC methods 1 and 2, and per-CVN flows through [`Cvn`]
//!   (`Cvn::Visa18.generate_ac(..)` picks the key, padding and data layout) with
//!   [`VisaIad`]/[`MastercardIad`].
//! - Contactless mag-stripe: [`generate_ivcvc3`], [`generate_cvc3`], [`generate_dcvv`].
//! - One-time codes: [`hotp`], [`Totp`], [`WalletCode`].
//! - EMVCo CPM QR: [`generate_cpm_token`] (payload encoding by `tapcert_parsers::qr`).
//! - Offline data authentication: [`oda::recover_issuer_public_key`],
//!   [`oda::recover_icc_public_key`], [`oda::verify_signed_static_data`],
//!   [`oda::verify_signed_dynamic_data`] (RSA recovery, ISO/IEC 9796-2 framing, SHA-1).
//! - Throughput: [`batch_arqc_tdes_csk`] (bitsliced DES, 64 transactions per pass) and friends
//!   (one key schedule per batch, rayon).
//!
//! Inputs are validated ([`CryptoError`]); nothing here panics on bad input.
//!
//! ```
//! use tapcert_crypto::{Tdes, derive_icc_mk_option_a, derive_session_key_emv_csk, emv_csk_r};
//! use tapcert_crypto::{Padding, generate_ac_tdes};
//! // EMV test IMK (crypto-vectors.md §3), PAN 1234567890123456 / PSN 00, ATC 001C (§5c)
//! let imk = Tdes::new(&[0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
//!                       0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]).unwrap();
//! let mk = derive_icc_mk_option_a(&imk, "1234567890123456", 0).unwrap();
//! let sk = derive_session_key_emv_csk(&Tdes::new(&mk).unwrap(), emv_csk_r([0x00, 0x1C]));
//! let data = [0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
//!             0x24, 0x80, 0x00, 0x04, 0x80, 0x00, 0x01, 0x24, 0x19, 0x11, 0x05, 0x01, 0x52,
//!             0xBF, 0x45, 0x85, 0x18, 0x00, 0x00, 0x1C];
//! let arqc = generate_ac_tdes(&Tdes::new(&sk).unwrap(), &data, Padding::Method2);
//! assert_eq!(arqc, [0x73, 0x02, 0x4B, 0xD8, 0x95, 0x0A, 0xDE, 0x28]);
//! // a malformed PAN is an error, not a panic
//! assert!(derive_icc_mk_option_a(&imk, "12345678901234x6", 0).is_err());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aes;
mod batch;
mod cpm;
mod des;
mod emv;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod keys;
mod mac;
mod otp;
pub mod purse;
pub mod test_keys;

pub use crate::aes::Aes;
pub use batch::{
    ArqcJob, CardArqcJob, batch_arqc_aes_csk, batch_arqc_tdes_csk, batch_arqc_tdes_csk_cards, batch_cvc3, batch_totp,
    generate_arqc_aes_csk, generate_arqc_tdes_csk, generate_arqc_tdes_csk_x2,
};
pub use cpm::{CpmCard, CpmToken, generate_cpm_token, pan_to_5a};
pub use des::{Des, Tdes, TdesEde2, TdesEde3};
pub use emv::{
    AcData, AnyVisaIad, ArpcInput, ArpcMethod, CcdIad, Cvn, CvnCryptogram, IccMkDerivation, MastercardIad,
    SessionKeyDerivation, VisaIad, VisaIadFormat2, derive_icc_mk_option_a, derive_icc_mk_option_b,
    derive_icc_mk_option_c, derive_session_key_emv_csk, derive_session_key_emv_csk_aes,
    derive_session_key_emv2000_tree, derive_session_key_visa_sm, emv_csk_r, emv_csk_r_aes, format_cvc3,
    generate_ac_aes, generate_ac_tdes, generate_arpc_method1, generate_arpc_method1_aes, generate_arpc_method2,
    generate_arpc_method2_aes, generate_cvc3, generate_dcvv, generate_ivcvc3, generate_visa_cvv, mastercard_skd_r,
    verify_ac_aes, verify_ac_tdes, verify_cvc3, verify_dcvv,
};
pub use error::CryptoError;
pub use keys::{KcvMethod, KeyAlgorithm, adjust_key_parity, has_odd_parity, key_check_value, with_odd_parity};
pub use mac::{
    AesCmac, Cipher64, HmacAlgorithm, HmacKey, Padding, aes_cmac, hmac, iso9797_mac_alg1, iso9797_mac_alg3, pad_iso9797,
};
pub use otp::{Totp, Wallet, WalletCode, hotp, hotp_value};
pub mod oda;
