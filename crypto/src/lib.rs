//! # tapcert-crypto
//!
//! EMV key derivation, MACs, application cryptograms and dynamic payment codes, on RustCrypto
//! primitives (`aes`, `cmac`, `hmac`, `sha1`, `sha2`) and a table-driven DES of our own.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aes;
mod batch;
mod cpm;
mod des;
mod emv;
mod error;
mod keys;
mod mac;
mod otp;

pub use crate::aes::Aes;
pub use batch::{
    ArqcJob, batch_arqc_aes_csk, batch_arqc_tdes_csk, batch_cvc3, batch_totp, generate_arqc_aes_csk,
    generate_arqc_tdes_csk, generate_arqc_tdes_csk_x2,
};
pub use cpm::{
    CPM_PAYLOAD_FORMAT, CpmApplication, CpmCard, CpmPayload, CpmToken, TlvList, encode_cpm_payload, encode_cpm_qr,
    generate_cpm_token, pan_to_5a,
};
pub use des::{Des, Tdes, TdesEde2, TdesEde3};
pub use emv::{
    AcData, ArpcInput, ArpcMethod, Cvn, CvnCryptogram, IccMkDerivation, MastercardIad, SessionKeyDerivation, VisaIad,
    derive_icc_mk_option_a, derive_icc_mk_option_b, derive_icc_mk_option_c, derive_session_key_emv_csk,
    derive_session_key_emv_csk_aes, derive_session_key_visa_sm, emv_csk_r, emv_csk_r_aes, format_cvc3, generate_ac_aes,
    generate_ac_tdes, generate_arpc_method1, generate_arpc_method2, generate_arpc_method2_aes, generate_cvc3,
    generate_dcvv, generate_ivcvc3, generate_visa_cvv, mastercard_skd_r, verify_ac_aes, verify_ac_tdes, verify_cvc3,
    verify_dcvv,
};
pub use error::CryptoError;
pub use keys::{KcvMethod, KeyAlgorithm, adjust_key_parity, has_odd_parity, key_check_value, with_odd_parity};
pub use mac::{
    AesCmac, Cipher64, HmacAlgorithm, HmacKey, Padding, aes_cmac, hmac, iso9797_mac_alg1, iso9797_mac_alg3, pad_iso9797,
};
pub use otp::{Totp, Wallet, WalletCode, hotp, hotp_value};
