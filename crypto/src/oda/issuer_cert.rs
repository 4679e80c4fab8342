//! Issuer Public Key Certificate (tag `90`): recovery with a CA public key (EMV Book 2 §5.3
//! for SDA, §6.3 for DDA/CDA) and issuance with a TEST ONLY CA key.
//!
//! ```text
//! recovered data (N_CA bytes), §5.3 / §6.3
//! 6A | 02 | issuer id (4) | expiry MMYY (2) | serial (3) | hash algo 01 | PK algo 01
//!    | N_I (1) | exponent length (1) | issuer PK or its leftmost N_CA-36 bytes | SHA-1 (20) | BC
//! hash input: 02 .. issuer PK field || remainder (92) || exponent (9F32)
//! ```
//!
//! The ICC certificate (§6.4) has the same shape with a 10-byte PAN in place of the issuer
//! identifier, so the shared machinery lives here.

use super::date::{CertExpiry, EmvDate};
use super::error::{OdaError, SignedObject};
use super::recovery::{OVERHEAD, recover_iso9796_message, sign_iso9796_message};
use super::rsa::{RsaPrivateKey, RsaPublicKey};

/// Hash algorithm indicator for SHA-1 (Book 2 Annex B3.1).
pub const HASH_ALGORITHM_SHA1: u8 = 0x01;
/// Public key algorithm indicator for RSA (Book 2 Annex B2.1).
pub const PK_ALGORITHM_RSA: u8 = 0x01;
/// Certificate format of the issuer public key certificate.
pub const ISSUER_CERTIFICATE_FORMAT: u8 = 0x02;
/// Padding byte of certificates and signed data (Book 2 §5.1, "BB").
pub const PAD: u8 = 0xBB;

/// The fields of a recovered issuer public key certificate and the issuer public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerPublicKeyCertificate {
    /// Issuer identifier: leftmost 3-8 PAN digits, padded with `F`.
    pub issuer_identifier: [u8; 4],
    /// Certificate expiration date.
    pub expiry: CertExpiry,
    /// Certificate serial number (binary, assigned by the CA).
    pub serial: [u8; 3],
    /// The recovered issuer public key.
    pub public_key: RsaPublicKey,
}

/// Recovers and verifies the issuer public key certificate (EMV Book 2 §5.3 steps 1-10, §6.3).
///
/// * `ca`: the CA public key selected by RID and index `8F`.
/// * `certificate`: tag `90`; `remainder`: tag `92` (empty when absent); `exponent`: tag `9F32`.
/// * `pan`: the application PAN `5A`, for the issuer identifier check.
/// * `today`: the transaction date the expiry is checked against.
///
/// The revocation check (step 10) is the terminal's list, not part of this function.
pub fn recover_issuer_public_key(
    ca: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    pan: &[u8],
    today: EmvDate,
) -> Result<IssuerPublicKeyCertificate, OdaError> {
    let object = SignedObject::IssuerCertificate;
    let pan_digits = pan_digits(pan)?;
    let cert = recover_public_key_certificate(ca, certificate, remainder, exponent, &[], object, 4)?;
    let mut id = [0u8; 4];
    id.copy_from_slice(&cert.identity);
    let id_digits = padded_bcd_digits(&id).ok_or(OdaError::BadIssuerIdentifier { identifier: id })?;
    if !(3..=8).contains(&id_digits.len()) {
        return Err(OdaError::BadIssuerIdentifier { identifier: id });
    }
    if !pan_digits.starts_with(&id_digits) {
        return Err(OdaError::IssuerIdentifierMismatch { identifier: id });
    }
    cert.expiry.check(today, object)?;
    Ok(IssuerPublicKeyCertificate {
        issuer_identifier: id,
        expiry: cert.expiry,
        serial: cert.serial,
        public_key: cert.public_key,
    })
}

/// What a CA certifies about an issuer key (the certificate fields other than the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuerCertificateFields {
    /// Issuer identifier: leftmost 3-8 PAN digits, padded with `F`.
    pub issuer_identifier: [u8; 4],
    /// Certificate expiration date.
    pub expiry: CertExpiry,
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// A certificate as the card stores it: certificate, public key remainder and exponent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    /// The certificate (tag `90` or `9F46`), as long as the signer's modulus.
    pub certificate: Vec<u8>,
    /// The public key remainder (tag `92` or `9F48`); empty when the key fits the certificate.
    pub remainder: Vec<u8>,
    /// The public key exponent (tag `9F32` or `9F47`).
    pub exponent: Vec<u8>,
}

/// Issues an issuer public key certificate with a (TEST ONLY) CA private key: the signing side
/// of Book 2 §5.3 (built as Annex A2.1.1 says). N_I must not exceed N_CA.
pub fn issue_issuer_certificate(
    ca: &RsaPrivateKey,
    fields: &IssuerCertificateFields,
    issuer_key: &RsaPublicKey,
) -> Result<IssuedCertificate, OdaError> {
    if padded_bcd_digits(&fields.issuer_identifier).is_none_or(|d| !(3..=8).contains(&d.len())) {
        return Err(OdaError::BadField { field: "issuer identifier", expected: "3-8 BCD digits padded with F" });
    }
    issue_public_key_certificate(
        ca,
        SignedObject::IssuerCertificate,
        &fields.issuer_identifier,
        fields.expiry,
        fields.serial,
        issuer_key,
        &[],
    )
}

/// A certificate recovered and hashed, before the checks that differ between issuer and ICC.
pub(crate) struct RecoveredCertificate {
    pub(crate) identity: Vec<u8>,
    pub(crate) expiry: CertExpiry,
    pub(crate) serial: [u8; 3],
    pub(crate) public_key: RsaPublicKey,
}

fn format_of(object: SignedObject) -> u8 {
    match object {
        SignedObject::IssuerCertificate => ISSUER_CERTIFICATE_FORMAT,
        SignedObject::IccCertificate => super::icc_cert::ICC_CERTIFICATE_FORMAT,
        SignedObject::SignedStaticData => super::sda::SSAD_FORMAT,
        SignedObject::SignedDynamicData => super::dda::SDAD_FORMAT,
    }
}

/// Steps common to Book 2 §5.3 and §6.4: length, recovery, header/trailer, format, hash
/// algorithm, key and exponent lengths, hash, public key algorithm, key assembly.
///
/// `identity_len` is 4 (issuer identifier) or 10 (application PAN). `extra` is hashed after the
/// exponent (the static data to be authenticated, for the ICC certificate).
pub(crate) fn recover_public_key_certificate(
    signer: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    extra: &[u8],
    object: SignedObject,
    identity_len: usize,
) -> Result<RecoveredCertificate, OdaError> {
    let rec = recover_iso9796_message(signer, certificate, object)?;
    let body = rec.body();
    let fixed = 1 + identity_len + 2 + 3 + 4;
    // body = format | identity | expiry | serial | hash algo | pk algo | pk len | exp len | key field
    let format = body[0];
    if format != format_of(object) {
        return Err(OdaError::BadFormat { object, expected: format_of(object), found: format });
    }
    let hash_algo = body[fixed - 4];
    if hash_algo != HASH_ALGORITHM_SHA1 {
        return Err(OdaError::UnsupportedHashAlgorithm { object, found: hash_algo });
    }
    let pk_algo = body[fixed - 3];
    let key_len = usize::from(body[fixed - 2]);
    let exp_len = usize::from(body[fixed - 1]);
    let key_field = &body[fixed..];
    let in_certificate = key_field.len();
    let expected_remainder = key_len.saturating_sub(in_certificate);
    if remainder.len() != expected_remainder {
        return Err(OdaError::PublicKeyLength { object, stated: key_len, in_certificate, remainder: remainder.len() });
    }
    if exp_len != exponent.len() {
        return Err(OdaError::ExponentLength { object, stated: exp_len, got: exponent.len() });
    }
    rec.verify_hash(&[remainder, exponent, extra])?;
    if pk_algo != PK_ALGORITHM_RSA {
        return Err(OdaError::UnsupportedPublicKeyAlgorithm { object, found: pk_algo });
    }
    let mut modulus = Vec::with_capacity(key_len);
    modulus.extend_from_slice(&key_field[..key_len.min(in_certificate)]);
    modulus.extend_from_slice(remainder);
    let public_key = RsaPublicKey::new(&modulus, exponent)?;
    let expiry = CertExpiry::from_mmyy([body[1 + identity_len], body[2 + identity_len]], object)?;
    let mut serial = [0u8; 3];
    serial.copy_from_slice(&body[3 + identity_len..6 + identity_len]);
    let identity = body[1..1 + identity_len].to_vec();
    Ok(RecoveredCertificate { identity, expiry, serial, public_key })
}

/// Signing side shared by issuer and ICC certificates.
pub(crate) fn issue_public_key_certificate(
    signer: &RsaPrivateKey,
    object: SignedObject,
    identity: &[u8],
    expiry: CertExpiry,
    serial: [u8; 3],
    key: &RsaPublicKey,
    extra: &[u8],
) -> Result<IssuedCertificate, OdaError> {
    let n = signer.public_key().modulus_len();
    let fixed = 1 + identity.len() + 2 + 3 + 4;
    let room = n - OVERHEAD - fixed;
    let key_len = key.modulus_len();
    if key_len > n {
        return Err(OdaError::DoesNotFit { object, needed: key_len, modulus_len: n });
    }
    let mut body = Vec::with_capacity(n - OVERHEAD);
    body.push(format_of(object));
    body.extend_from_slice(identity);
    body.extend_from_slice(&expiry.to_mmyy());
    body.extend_from_slice(&serial);
    body.push(HASH_ALGORITHM_SHA1);
    body.push(PK_ALGORITHM_RSA);
    body.push(key_len as u8); // <= 248
    body.push(key.exponent().len() as u8); // 1 or 3
    let in_cert = key_len.min(room);
    body.extend_from_slice(&key.modulus()[..in_cert]);
    body.resize(n - OVERHEAD, PAD);
    let remainder = key.modulus()[in_cert..].to_vec();
    let exponent = key.exponent().to_vec();
    let certificate = sign_iso9796_message(signer, &body, &[&remainder, &exponent, extra], object)?;
    Ok(IssuedCertificate { certificate, remainder, exponent })
}

/// The digits of a BCD number padded on the right with `F` nibbles; `None` if a nibble is
/// A-E, or a digit follows an `F`.
pub(crate) fn padded_bcd_digits(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut digits = Vec::with_capacity(bytes.len() * 2);
    let mut padding = false;
    for nibble in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
        match nibble {
            0..=9 if !padding => digits.push(nibble),
            0x0F => padding = true,
            _ => return None,
        }
    }
    Some(digits)
}

/// The digits of the application PAN `5A` (cn: BCD padded with `F`), 1-19 digits.
pub(crate) fn pan_digits(pan: &[u8]) -> Result<Vec<u8>, OdaError> {
    if pan.is_empty() || pan.len() > 10 {
        return Err(OdaError::BadPan { offset: pan.len().min(10) });
    }
    let digits = padded_bcd_digits(pan).ok_or_else(|| {
        // Find the first offending byte for the error offset.
        let offset = (1..=pan.len()).find(|&i| padded_bcd_digits(&pan[..i]).is_none()).unwrap_or(0);
        OdaError::BadPan { offset: offset.saturating_sub(1) }
    })?;
    if digits.is_empty() || digits.len() > 19 {
        return Err(OdaError::BadPan { offset: 0 });
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcd_digits() {
        assert_eq!(padded_bcd_digits(&[0x47, 0x61, 0x73, 0xFF]), Some(vec![4, 7, 6, 1, 7, 3]));
        assert_eq!(padded_bcd_digits(&[0x47, 0xF1]), None);
        assert_eq!(padded_bcd_digits(&[0x4A]), None);
        assert_eq!(pan_digits(&[0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10]).unwrap().len(), 16);
        assert_eq!(pan_digits(&[0x47, 0x6B]), Err(OdaError::BadPan { offset: 1 }));
        assert_eq!(pan_digits(&[]), Err(OdaError::BadPan { offset: 0 }));
        assert_eq!(pan_digits(&[0xFF]), Err(OdaError::BadPan { offset: 0 }));
    }
}
