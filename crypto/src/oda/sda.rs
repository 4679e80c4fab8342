//! Static Data Authentication: Signed Static Application Data (tag `93`), EMV Book 2 §5.4.
//!
//! ```text
//! recovered data (N_I bytes), §5.4
//! 6A | 03 | hash algo 01 | data authentication code (2) | BB padding (N_I-26) | SHA-1 (20) | BC
//! hash input: 03 .. padding || static data to be authenticated
//! ```

use super::error::{OdaError, SignedObject};
use super::issuer_cert::{HASH_ALGORITHM_SHA1, PAD};
use super::recovery::{OVERHEAD, recover_iso9796_message, sign_iso9796_message};
use super::rsa::{RsaPrivateKey, RsaPublicKey};

/// Signed data format of the signed static application data.
pub const SSAD_FORMAT: u8 = 0x03;

/// What a verified SSAD yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedStaticData {
    /// Data Authentication Code, stored by the terminal in tag `9F45`.
    pub data_authentication_code: [u8; 2],
}

/// Verifies the Signed Static Application Data `93` with the issuer public key over the static
/// data to be authenticated (Book 2 §5.4 steps 1-7).
pub fn verify_signed_static_data(
    issuer: &RsaPublicKey,
    ssad: &[u8],
    static_data: &[u8],
) -> Result<SignedStaticData, OdaError> {
    let object = SignedObject::SignedStaticData;
    let rec = recover_iso9796_message(issuer, ssad, object)?;
    let body = rec.body();
    if body[0] != SSAD_FORMAT {
        return Err(OdaError::BadFormat { object, expected: SSAD_FORMAT, found: body[0] });
    }
    if body[1] != HASH_ALGORITHM_SHA1 {
        return Err(OdaError::UnsupportedHashAlgorithm { object, found: body[1] });
    }
    rec.verify_hash(&[static_data])?;
    Ok(SignedStaticData { data_authentication_code: [body[2], body[3]] })
}

/// Signs static application data with a (TEST ONLY) issuer private key: the signing side of
/// Book 2 §5.4.
pub fn sign_static_data(
    issuer: &RsaPrivateKey,
    data_authentication_code: [u8; 2],
    static_data: &[u8],
) -> Result<Vec<u8>, OdaError> {
    let n = issuer.public_key().modulus_len();
    let mut body = Vec::with_capacity(n - OVERHEAD);
    body.extend_from_slice(&[SSAD_FORMAT, HASH_ALGORITHM_SHA1]);
    body.extend_from_slice(&data_authentication_code);
    body.resize(n - OVERHEAD, PAD);
    sign_iso9796_message(issuer, &body, &[static_data], SignedObject::SignedStaticData)
}
