//! EMV offline data authentication (EMV 4.4 Book 2 §5 SDA, §6 DDA/fDDA/CDA): RSA public-key
//! recovery of the issuer and ICC public key certificates and of signed static and dynamic
//! application data, with ISO/IEC 9796-2 (digital signature scheme 1, message recovery) framing
//! (header `6A`, trailer `BC`) and the SHA-1 hash check.
//!
//! Only public-key operations happen here; nothing is signed. The certification authority keys
//! are looked up by the caller (RID + index); [`CaPublicKey::checksum`] computes the key check
//! value of Book 2 §11.2.2 (SHA-1 over RID ‖ index ‖ modulus ‖ exponent).

use num_bigint::BigUint;
use sha1::{Digest, Sha1};
use thiserror::Error;

/// Why a certificate or signature did not verify. Offsets are into the recovered data.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OdaError {
    /// The signature length differs from the modulus length.
    #[error("signature is {got} bytes, the key modulus {expected}")]
    SignatureLength {
        /// Modulus length.
        expected: usize,
        /// Signature length.
        got: usize,
    },
    /// The signature, as a number, is not below the modulus.
    #[error("signature is not below the modulus")]
    SignatureTooLarge,
    /// A public key is malformed (empty modulus or exponent, or a modulus too short for the
    /// recovered format).
    #[error("public key: {0}")]
    BadKey(&'static str),
    /// The recovered data header is not `6A`.
    #[error("recovered data header is {0:02X}, expected 6A")]
    Header(u8),
    /// The recovered data trailer is not `BC`.
    #[error("recovered data trailer is {0:02X}, expected BC")]
    Trailer(u8),
    /// The format byte is not the one of this object.
    #[error("recovered data format is {found:02X}, expected {expected:02X}")]
    Format {
        /// Expected format (02 issuer, 04 ICC, 03 SSAD, 05 SDAD).
        expected: u8,
        /// Found.
        found: u8,
    },
    /// The hash or public-key algorithm indicator is not SHA-1 / RSA (01).
    #[error("algorithm indicator at offset {offset} is {found:02X}, expected 01")]
    Algorithm {
        /// Offset in the recovered data.
        offset: usize,
        /// Found value.
        found: u8,
    },
    /// The SHA-1 in the recovered data does not match the data.
    #[error("hash result does not match")]
    Hash,
    /// The public key remainder does not have the length the certificate states.
    #[error("public key remainder is {got} bytes, the certificate needs {expected}")]
    Remainder {
        /// Needed.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// A length field in the recovered data is inconsistent with the data.
    #[error("length at offset {offset} is {value}, inconsistent with the data")]
    Length {
        /// Offset in the recovered data.
        offset: usize,
        /// The value.
        value: usize,
    },
    /// The PAN in the certificate does not match the application PAN.
    #[error("PAN in the certificate does not match the application PAN")]
    Pan,
}

/// An RSA public key (modulus and exponent, big-endian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl RsaPublicKey {
    /// A key from its big-endian modulus (leading zero bytes are not allowed: the byte length is
    /// N) and exponent.
    pub fn new(modulus: &[u8], exponent: &[u8]) -> Result<Self, OdaError> {
        if modulus.first().is_none_or(|&b| b == 0) {
            return Err(OdaError::BadKey("modulus empty or with a leading zero byte"));
        }
        if exponent.iter().all(|&b| b == 0) {
            return Err(OdaError::BadKey("exponent is zero"));
        }
        Ok(RsaPublicKey { modulus: modulus.to_vec(), exponent: exponent.to_vec() })
    }

    /// Modulus length N in bytes.
    pub fn len(&self) -> usize {
        self.modulus.len()
    }

    /// Always false (a key has a non-empty modulus).
    pub fn is_empty(&self) -> bool {
        self.modulus.is_empty()
    }

    /// The modulus.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The exponent.
    pub fn exponent(&self) -> &[u8] {
        &self.exponent
    }

    /// The RSA public operation (recovery): sig^e mod n, as N bytes.
    pub fn recover(&self, signature: &[u8]) -> Result<Vec<u8>, OdaError> {
        if signature.len() != self.len() {
            return Err(OdaError::SignatureLength { expected: self.len(), got: signature.len() });
        }
        let n = BigUint::from_bytes_be(&self.modulus);
        let s = BigUint::from_bytes_be(signature);
        if s >= n {
            return Err(OdaError::SignatureTooLarge);
        }
        let m = s.modpow(&BigUint::from_bytes_be(&self.exponent), &n).to_bytes_be();
        let mut out = vec![0u8; self.len() - m.len()];
        out.extend_from_slice(&m);
        Ok(out)
    }
}

/// A certification authority public key (Book 2 §11.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPublicKey {
    /// Registered application provider identifier.
    pub rid: [u8; 5],
    /// CA public key index (tag 8F).
    pub index: u8,
    /// The key.
    pub key: RsaPublicKey,
}

impl CaPublicKey {
    /// The CA public key check sum: SHA-1(RID ‖ index ‖ modulus ‖ exponent).
    pub fn checksum(&self) -> [u8; 20] {
        let mut h = Sha1::new();
        h.update(self.rid);
        h.update([self.index]);
        h.update(&self.key.modulus);
        h.update(&self.key.exponent);
        h.finalize().into()
    }
}

/// Recovers `signature` with `key`, checks header, trailer and format, the two SHA-1 algorithm
/// indicators where present, and the hash over `recovered[1..N-21] ‖ extra`.
fn recover_framed(key: &RsaPublicKey, signature: &[u8], format: u8, extra: &[&[u8]]) -> Result<Vec<u8>, OdaError> {
    let n = key.len();
    if n < 48 {
        return Err(OdaError::BadKey("modulus shorter than 48 bytes"));
    }
    let rec = key.recover(signature)?;
    if rec[0] != 0x6A {
        return Err(OdaError::Header(rec[0]));
    }
    if rec[n - 1] != 0xBC {
        return Err(OdaError::Trailer(rec[n - 1]));
    }
    if rec[1] != format {
        return Err(OdaError::Format { expected: format, found: rec[1] });
    }
    let mut h = Sha1::new();
    h.update(&rec[1..n - 21]);
    for e in extra {
        h.update(e);
    }
    let digest: [u8; 20] = h.finalize().into();
    if !crate::emv::ct_eq(&digest, &rec[n - 21..n - 1]) {
        return Err(OdaError::Hash);
    }
    Ok(rec)
}

fn check_alg(rec: &[u8], offset: usize) -> Result<(), OdaError> {
    if rec[offset] != 0x01 {
        return Err(OdaError::Algorithm { offset, found: rec[offset] });
    }
    Ok(())
}

/// Assembles a public key modulus from the certificate's leftmost digits and the remainder.
fn assemble_modulus(leftmost: &[u8], key_len: usize, remainder: &[u8]) -> Result<Vec<u8>, OdaError> {
    if key_len <= leftmost.len() {
        if !remainder.is_empty() {
            return Err(OdaError::Remainder { expected: 0, got: remainder.len() });
        }
        return Ok(leftmost[..key_len].to_vec());
    }
    let need = key_len - leftmost.len();
    if remainder.len() != need {
        return Err(OdaError::Remainder { expected: need, got: remainder.len() });
    }
    Ok([leftmost, remainder].concat())
}

/// A recovered issuer public key and its certificate fields (Book 2 §6.3, Table 13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerPublicKey {
    /// The issuer public key.
    pub key: RsaPublicKey,
    /// Issuer identifier: leftmost 3-8 PAN digits, right-padded with hex F.
    pub issuer_identifier: [u8; 4],
    /// Certificate expiration date MMYY (BCD).
    pub expiry_mmyy: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// Recovers and verifies the issuer public key certificate (tag 90) with the CA key (Book 2
/// §6.3): format 02, SHA-1 over the certificate fields ‖ issuer key remainder (92) ‖ issuer
/// exponent (9F32), and the issuer identifier against the PAN.
pub fn recover_issuer_public_key(
    ca: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    pan: &str,
) -> Result<IssuerPublicKey, OdaError> {
    let rec = recover_framed(ca, certificate, 0x02, &[remainder, exponent])?;
    let n = ca.len();
    check_alg(&rec, 11)?;
    check_alg(&rec, 12)?;
    let key_len = usize::from(rec[13]);
    if usize::from(rec[14]) != exponent.len() {
        return Err(OdaError::Length { offset: 14, value: usize::from(rec[14]) });
    }
    let modulus = assemble_modulus(&rec[15..n - 21], key_len, remainder)?;
    let mut issuer_identifier = [0u8; 4];
    issuer_identifier.copy_from_slice(&rec[2..6]);
    // identifier digits (until the F padding) must be the leftmost PAN digits
    let id_digits: String = hex_nibbles(&issuer_identifier).take_while(|&c| c != 'F').collect();
    if id_digits.len() < 3 || !pan.starts_with(&id_digits) {
        return Err(OdaError::Pan);
    }
    Ok(IssuerPublicKey {
        key: RsaPublicKey::new(&modulus, exponent)?,
        issuer_identifier,
        expiry_mmyy: [rec[6], rec[7]],
        serial: [rec[8], rec[9], rec[10]],
    })
}

fn hex_nibbles(b: &[u8]) -> impl Iterator<Item = char> + '_ {
    b.iter()
        .flat_map(|x| [x >> 4, x & 0xF])
        .map(|n| char::from_digit(u32::from(n), 16).unwrap_or('?').to_ascii_uppercase())
}

/// A recovered ICC public key and its certificate fields (Book 2 §6.4, Table 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccPublicKey {
    /// The ICC public key.
    pub key: RsaPublicKey,
    /// Certificate expiration date MMYY.
    pub expiry_mmyy: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// Recovers and verifies the ICC public key certificate (tag 9F46) with the issuer key (Book 2
/// §6.4): format 04, SHA-1 over the certificate fields ‖ ICC key remainder (9F48) ‖ ICC
/// exponent (9F47) ‖ static data to be authenticated, and the PAN (10 bytes, F-padded).
pub fn recover_icc_public_key(
    issuer: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    static_data: &[u8],
    pan: &str,
) -> Result<IccPublicKey, OdaError> {
    let n = issuer.len();
    if n < 64 {
        return Err(OdaError::BadKey("issuer modulus shorter than 64 bytes"));
    }
    let rec = recover_framed(issuer, certificate, 0x04, &[remainder, exponent, static_data])?;
    let cert_pan: String = hex_nibbles(&rec[2..12]).take_while(|&c| c != 'F').collect();
    if cert_pan != pan {
        return Err(OdaError::Pan);
    }
    check_alg(&rec, 17)?;
    check_alg(&rec, 18)?;
    let key_len = usize::from(rec[19]);
    if usize::from(rec[20]) != exponent.len() {
        return Err(OdaError::Length { offset: 20, value: usize::from(rec[20]) });
    }
    let modulus = assemble_modulus(&rec[21..n - 21], key_len, remainder)?;
    Ok(IccPublicKey {
        key: RsaPublicKey::new(&modulus, exponent)?,
        expiry_mmyy: [rec[12], rec[13]],
        serial: [rec[14], rec[15], rec[16]],
    })
}

/// Verifies signed static application data (tag 93, SDA; Book 2 §5.4) with the issuer key and
/// returns the data authentication code (9F45).
pub fn verify_ssad(issuer: &RsaPublicKey, ssad: &[u8], static_data: &[u8]) -> Result<[u8; 2], OdaError> {
    let rec = recover_framed(issuer, ssad, 0x03, &[static_data])?;
    check_alg(&rec, 2)?;
    Ok([rec[3], rec[4]])
}

/// Verifies signed dynamic application data (tag 9F4B, DDA/fDDA/CDA; Book 2 §6.5.2) with the
/// ICC key over the terminal dynamic data (the DDOL data, or the UN for fDDA/CDA) and returns
/// the ICC dynamic data (for CDA: IDN length ‖ IDN ‖ CID ‖ AC ‖ transaction data hash code).
pub fn verify_sdad(icc: &RsaPublicKey, sdad: &[u8], terminal_dynamic_data: &[u8]) -> Result<Vec<u8>, OdaError> {
    let rec = recover_framed(icc, sdad, 0x05, &[terminal_dynamic_data])?;
    check_alg(&rec, 2)?;
    let ldd = usize::from(rec[3]);
    if 4 + ldd > icc.len() - 21 {
        return Err(OdaError::Length { offset: 3, value: ldd });
    }
    Ok(rec[4..4 + ldd].to_vec())
}
