//! EMV key management and cryptograms (EMV 4.4 Book 2 Annex A1, §8), per-CVN flows, issuer
//! application data, and the contactless magstripe codes (Mastercard CVC3, Visa dCVV).

mod cryptogram;
mod cvc3;
mod cvn;
mod dcvv;
mod digits;
mod iad;
mod icc_mk;
mod session;

pub(crate) use cryptogram::ct_eq;
pub use cryptogram::{
    generate_ac_aes, generate_ac_tdes, generate_arpc_method1, generate_arpc_method1_aes, generate_arpc_method2,
    generate_arpc_method2_aes, verify_ac_aes, verify_ac_tdes,
};
pub use cvc3::{format_cvc3, generate_cvc3, generate_ivcvc3, verify_cvc3};
pub use cvn::{AcData, ArpcInput, ArpcMethod, Cvn, CvnCryptogram, SessionKeyDerivation};
pub use dcvv::{generate_dcvv, generate_visa_cvv, verify_dcvv};
pub(crate) use digits::check_pan;
pub use iad::{AnyVisaIad, CcdIad, MastercardIad, VisaIad, VisaIadFormat2};
pub use icc_mk::{IccMkDerivation, derive_icc_mk_option_a, derive_icc_mk_option_b, derive_icc_mk_option_c};
pub(crate) use session::emv_csk_schedule;
pub use session::{
    derive_session_key_emv_csk, derive_session_key_emv_csk_aes, derive_session_key_emv2000_tree,
    derive_session_key_visa_sm, emv_csk_r, emv_csk_r_aes, mastercard_skd_r,
};
