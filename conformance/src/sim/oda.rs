//! Offline data authentication personalisation of the band's EMV application (EMV Book 2 §6,
//! CDA §6.6): the certificate chain and the ICC key, all TEST ONLY.
//!
//! - CA: [`test_keys::TEST_ONLY_CA`] (1408 bits), announced in `8F` as index
//!   [`TEST_ONLY_CA_INDEX`] under the application's RID `A000000004`. It is not a scheme's
//!   published test CA: a terminal checking the band must be given that key (tapcert's own
//!   verifier takes it from `tapcert_crypto::oda::test_keys`).
//! - Issuer: [`test_keys::TEST_ONLY_ISSUER`] (1152 bits), certificate `90` (+ remainder `92`,
//!   exponent `9F32`) for the issuer identifier of the PAN's first six digits.
//! - ICC: [`test_keys::TEST_ONLY_ICC`] (1024 bits), certificate `9F46` (+ `9F48`, `9F47`) over
//!   the static data to be authenticated: the values of the records the AFL flags for ODA (SFI 1
//!   records 1 and 2) and the AIP (`9F4A` = `82`).
//!
//! Certificates are computed once per personalisation (PAN and records) and cached for the
//! process: RSA signing is the expensive part, and many bands share one personalisation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tapcert_crypto::oda::{
    self, CertExpiry, IccCertificateFields, IssuedCertificate, IssuerCertificateFields, RsaPrivateKey, test_keys,
};

/// The CA public key index (`8F`) the band announces for [`test_keys::TEST_ONLY_CA`]. No
/// scheme publishes a test CA key with this index under `A000000004`.
pub const TEST_ONLY_CA_INDEX: u8 = 0xF0;

/// Expiry of the issuer certificate (MM/YYYY): after every ICC certificate it signs.
const ISSUER_CERT_EXPIRY: CertExpiry = CertExpiry { year: 2035, month: 12 };
/// Expiry of the ICC certificate: the card's own expiry month.
const ICC_CERT_EXPIRY: CertExpiry = CertExpiry { year: 2030, month: 12 };

/// The ODA objects of one personalisation.
#[derive(Debug)]
pub(crate) struct OdaPersonalisation {
    /// `90`, `92`, `9F32`.
    pub issuer: IssuedCertificate,
    /// `9F46`, `9F48`, `9F47`.
    pub icc: IssuedCertificate,
}

/// The ICC private key the band signs dynamic data with: the certified one, or (the
/// `bad-cda-signature` firmware) a key the certificate does not vouch for.
pub(crate) fn icc_signing_key(wrong_key: bool) -> &'static RsaPrivateKey {
    static ICC: OnceLock<RsaPrivateKey> = OnceLock::new();
    static WRONG: OnceLock<RsaPrivateKey> = OnceLock::new();
    if wrong_key {
        // Another TEST ONLY key pair: the issuer's, standing in for a key left over from a
        // development personalisation.
        WRONG.get_or_init(|| test_keys::TEST_ONLY_ISSUER.private_key())
    } else {
        ICC.get_or_init(|| test_keys::TEST_ONLY_ICC.private_key())
    }
}

/// The certificates for a PAN (BCD, `F`-padded) and its static data to be authenticated.
/// `None` if the PAN cannot be certified (a personalisation error, reported as such by the
/// band).
pub(crate) fn personalisation(pan: &[u8], static_data: &[u8]) -> Option<Arc<OdaPersonalisation>> {
    type Cache = Mutex<HashMap<(Vec<u8>, Vec<u8>), Arc<OdaPersonalisation>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (pan.to_vec(), static_data.to_vec());
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(p) = cache.lock().ok()?.get(&key) {
        return Some(Arc::clone(p));
    }
    let issuer_identifier = [*pan.first()?, *pan.get(1)?, *pan.get(2)?, 0xFF];
    let issuer = oda::issue_issuer_certificate(
        &test_keys::TEST_ONLY_CA.private_key(),
        &IssuerCertificateFields { issuer_identifier, expiry: ISSUER_CERT_EXPIRY, serial: [0x00, 0x00, 0x01] },
        &test_keys::TEST_ONLY_ISSUER.public_key(),
    )
    .ok()?;
    let icc = oda::issue_icc_certificate(
        &test_keys::TEST_ONLY_ISSUER.private_key(),
        &IccCertificateFields { pan, expiry: ICC_CERT_EXPIRY, serial: [0x00, 0x00, 0x02] },
        &test_keys::TEST_ONLY_ICC.public_key(),
        static_data,
    )
    .ok()?;
    let p = Arc::new(OdaPersonalisation { issuer, icc });
    cache.lock().ok()?.insert(key, Arc::clone(&p));
    Some(p)
}
