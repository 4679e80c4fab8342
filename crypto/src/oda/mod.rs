//! EMV offline data authentication (EMV Book 2 §5 SDA, §6 DDA and §6.6 CDA; Visa fDDA).
//!
//! The terminal side recovers and checks, in order:
//!
//! 1. the issuer public key from the Issuer Public Key Certificate `90` with the CA public key
//!    chosen by RID and index `8F` ([`recover_issuer_public_key`], Book 2 §5.3 / §6.3);
//! 2. for SDA, the Signed Static Application Data `93` ([`verify_signed_static_data`], §5.4);
//!    for DDA/fDDA/CDA, the ICC public key from `9F46` ([`recover_icc_public_key`], §6.4), then
//!    the Signed Dynamic Application Data `9F4B` ([`verify_signed_dynamic_data`],
//!    [`verify_fdda`], [`verify_cda`]; §6.5, §6.6).
//!
//! Every signature is ISO/IEC 9796-2 scheme 1 with message recovery and SHA-1 (Book 2 Annex
//! A2.1, [`recover_iso9796_message`]). Every check failure is a distinct [`OdaError`] variant.
//! Lengths are checked before any arithmetic or slicing; bad input never panics. Dates are
//! injected ([`EmvDate`]).
//!
//! The signing side ([`issue_issuer_certificate`], [`issue_icc_certificate`],
//! [`sign_static_data`], [`sign_dynamic_data`]) exists for tests and the virtual band, with the
//! self-generated keys of [`test_keys`] (TEST ONLY). The published scheme test CA public keys
//! are in [`test_keys::PUBLISHED_TEST_CA_KEYS`].
//!
//! ```
//! use tapcert_crypto::oda::{self, test_keys, CertExpiry, EmvDate, IssuerCertificateFields};
//!
//! let ca = test_keys::TEST_ONLY_CA.private_key();
//! let issuer = test_keys::TEST_ONLY_ISSUER.public_key();
//! let fields = IssuerCertificateFields {
//!     issuer_identifier: [0x47, 0x61, 0x73, 0xFF],
//!     expiry: CertExpiry { year: 2030, month: 12 },
//!     serial: [0, 0, 1],
//! };
//! let cert = oda::issue_issuer_certificate(&ca, &fields, &issuer).unwrap();
//! let pan = [0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10];
//! let today = EmvDate { year: 2026, month: 11, day: 22 };
//! let ca_pk = ca.public_key();
//! let got = oda::recover_issuer_public_key(ca_pk, &cert.certificate, &cert.remainder, &cert.exponent, &pan, today);
//! assert_eq!(got.unwrap().public_key, issuer);
//! // One flipped bit in the certificate: the recovered header or trailer is wrong.
//! let mut bad = cert.certificate.clone();
//! bad[10] ^= 1;
//! assert!(oda::recover_issuer_public_key(ca_pk, &bad, &cert.remainder, &cert.exponent, &pan, today).is_err());
//! ```

mod date;
mod dda;
mod error;
mod icc_cert;
mod issuer_cert;
mod recovery;
mod rsa;
mod sda;
pub mod test_keys;

pub use date::{CertExpiry, EmvDate};
pub use dda::{
    CdaSignedData, FddaTerminalData, SDAD_FORMAT, SignedDynamicData, cda_icc_dynamic_data, cda_transaction_data_hash,
    dda_icc_dynamic_data, sign_dynamic_data, verify_cda, verify_fdda, verify_signed_dynamic_data,
};
pub use error::{OdaError, SignedObject};
pub use icc_cert::{
    ICC_CERTIFICATE_FORMAT, IccCertificateFields, IccPublicKeyCertificate, issue_icc_certificate,
    recover_icc_public_key, static_data_to_authenticate,
};
pub use issuer_cert::{
    HASH_ALGORITHM_SHA1, ISSUER_CERTIFICATE_FORMAT, IssuedCertificate, IssuerCertificateFields,
    IssuerPublicKeyCertificate, PAD, PK_ALGORITHM_RSA, issue_issuer_certificate, recover_issuer_public_key,
};
pub use recovery::{
    HASH_LEN, HEADER, OVERHEAD, RecoveredMessage, TRAILER, recover_iso9796_message, sha1_concat, sign_iso9796_message,
};
pub use rsa::{MAX_MODULUS_LEN, MIN_MODULUS_LEN, RsaPrivateKey, RsaPublicKey};
pub use sda::{SSAD_FORMAT, SignedStaticData, sign_static_data, verify_signed_static_data};
