//! The RSA operations EMV offline data authentication uses (EMV Book 2 Annex B2.1).
//!
//! Verification only needs the public operation `m = s^e mod n`. Nothing secret is involved,
//! so `num-bigint`'s variable-time arithmetic is adequate. The private operation exists for
//! tests and the virtual band, under self-generated TEST ONLY keys.

use num_bigint::BigUint;

use super::error::{OdaError, SignedObject};

/// Shortest modulus accepted, in bytes (512 bits; EMV's smallest CA keys are 1024 bits, but
/// ICC keys may be shorter).
pub const MIN_MODULUS_LEN: usize = 64;
/// Longest modulus EMV allows, in bytes (1984 bits, Book 2 Annex B2.1).
pub const MAX_MODULUS_LEN: usize = 248;

/// An RSA public key as EMV carries it: big-endian modulus and exponent bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    n: BigUint,
    e: BigUint,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPublicKey {{ bits: {}, exponent: {:02X?} }}", self.n.bits(), self.exponent)
    }
}

impl RsaPublicKey {
    /// Builds a key after checking the limits of EMV Book 2 Annex B2.1: modulus 64..=248 bytes,
    /// no leading zero byte, odd; public exponent 3 or 2^16+1 (leading zero bytes tolerated, as
    /// some kernels' CAPK lists store `000003`).
    pub fn new(modulus: &[u8], exponent: &[u8]) -> Result<Self, OdaError> {
        if !(MIN_MODULUS_LEN..=MAX_MODULUS_LEN).contains(&modulus.len()) {
            return Err(OdaError::ModulusLength { got: modulus.len() });
        }
        if modulus[0] == 0 || modulus[modulus.len() - 1] & 1 == 0 {
            return Err(OdaError::ModulusMalformed { len: modulus.len() });
        }
        let trimmed = strip_leading_zeros(exponent);
        if trimmed != [0x03] && trimmed != [0x01, 0x00, 0x01] {
            return Err(OdaError::UnsupportedExponent { exponent: exponent.to_vec() });
        }
        Ok(RsaPublicKey {
            modulus: modulus.to_vec(),
            exponent: trimmed.to_vec(),
            n: BigUint::from_bytes_be(modulus),
            e: BigUint::from_bytes_be(trimmed),
        })
    }

    /// The modulus bytes.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The public exponent bytes (`03` or `010001`).
    pub fn exponent(&self) -> &[u8] {
        &self.exponent
    }

    /// The modulus length N in bytes.
    pub fn modulus_len(&self) -> usize {
        self.modulus.len()
    }

    /// The public-key operation `s^e mod n` of Book 2 Annex A2.1.2 step 1, as N bytes.
    ///
    /// The signature must be exactly N bytes and, as an integer, below the modulus; `object`
    /// names the signed object in the error.
    pub fn public_operation(&self, signature: &[u8], object: SignedObject) -> Result<Vec<u8>, OdaError> {
        if signature.len() != self.modulus.len() {
            return Err(OdaError::SignatureLength { object, expected: self.modulus.len(), got: signature.len() });
        }
        let s = BigUint::from_bytes_be(signature);
        if s >= self.n {
            return Err(OdaError::SignatureOutOfRange { object });
        }
        Ok(to_fixed_len(&s.modpow(&self.e, &self.n), self.modulus.len()))
    }
}

/// An RSA private key (modulus, public and private exponents). For TEST ONLY keys: the private
/// operation is plain, unblinded, variable-time modular exponentiation.
#[derive(Clone)]
pub struct RsaPrivateKey {
    public: RsaPublicKey,
    d: BigUint,
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The private exponent is never printed.
        f.debug_struct("RsaPrivateKey").field("public", &self.public).finish_non_exhaustive()
    }
}

impl RsaPrivateKey {
    /// Builds a private key from big-endian modulus, public exponent and private exponent.
    ///
    /// Checks the public part as [`RsaPublicKey::new`] does and that `1 <= d < n`. It does not
    /// prove that `d` inverts `e` (a wrong `d` gives signatures that fail to verify).
    pub fn new(modulus: &[u8], public_exponent: &[u8], private_exponent: &[u8]) -> Result<Self, OdaError> {
        let public = RsaPublicKey::new(modulus, public_exponent)?;
        if private_exponent.len() > modulus.len() {
            return Err(OdaError::PrivateExponent);
        }
        let d = BigUint::from_bytes_be(private_exponent);
        if d == BigUint::ZERO || d >= public.n {
            return Err(OdaError::PrivateExponent);
        }
        Ok(RsaPrivateKey { public, d })
    }

    /// The public half.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The private operation `m^d mod n` (signature generation, Book 2 Annex A2.1.1 step 4),
    /// as N bytes. `message` must be N bytes and below the modulus.
    pub fn private_operation(&self, message: &[u8], object: SignedObject) -> Result<Vec<u8>, OdaError> {
        let n_len = self.public.modulus.len();
        if message.len() != n_len {
            return Err(OdaError::SignatureLength { object, expected: n_len, got: message.len() });
        }
        let m = BigUint::from_bytes_be(message);
        if m >= self.public.n {
            return Err(OdaError::SignatureOutOfRange { object });
        }
        Ok(to_fixed_len(&m.modpow(&self.d, &self.public.n), n_len))
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Big-endian bytes of `x` left-padded with zeros to `len` (x < n guarantees it fits).
fn to_fixed_len(x: &BigUint, len: usize) -> Vec<u8> {
    let bytes = x.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes[bytes.len().saturating_sub(len)..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJ: SignedObject = SignedObject::SignedDynamicData;

    fn small_key() -> RsaPrivateKey {
        let k = crate::oda::test_keys::TEST_ONLY_ICC;
        k.private_key()
    }

    #[test]
    fn rejects_bad_modulus_and_exponent() {
        assert_eq!(RsaPublicKey::new(&[0xFF; 63], &[3]), Err(OdaError::ModulusLength { got: 63 }));
        assert_eq!(RsaPublicKey::new(&[0xFF; 249], &[3]), Err(OdaError::ModulusLength { got: 249 }));
        assert_eq!(RsaPublicKey::new(&[], &[3]), Err(OdaError::ModulusLength { got: 0 }));
        let mut m = [0xFF; 64];
        m[0] = 0;
        assert_eq!(RsaPublicKey::new(&m, &[3]), Err(OdaError::ModulusMalformed { len: 64 }));
        m[0] = 0xC1;
        m[63] = 0xFE;
        assert_eq!(RsaPublicKey::new(&m, &[3]), Err(OdaError::ModulusMalformed { len: 64 }));
        m[63] = 0xFF;
        assert_eq!(RsaPublicKey::new(&m, &[5]), Err(OdaError::UnsupportedExponent { exponent: vec![5] }));
        assert_eq!(RsaPublicKey::new(&m, &[]), Err(OdaError::UnsupportedExponent { exponent: vec![] }));
        assert_eq!(RsaPublicKey::new(&m, &[0, 0, 3]).unwrap().exponent(), [3]);
        assert_eq!(RsaPublicKey::new(&m, &[1, 0, 1]).unwrap().exponent(), [1, 0, 1]);
    }

    #[test]
    fn private_then_public_is_identity() {
        let key = small_key();
        let n = key.public_key().modulus_len();
        let mut msg = vec![0x5A; n];
        msg[0] = 0x6A;
        let sig = key.private_operation(&msg, OBJ).unwrap();
        assert_ne!(sig, msg);
        assert_eq!(key.public_key().public_operation(&sig, OBJ).unwrap(), msg);
    }

    #[test]
    fn signature_length_and_range_checked_before_arithmetic() {
        let key = small_key();
        let pk = key.public_key();
        let n = pk.modulus_len();
        assert_eq!(
            pk.public_operation(&vec![0; n - 1], OBJ),
            Err(OdaError::SignatureLength { object: OBJ, expected: n, got: n - 1 })
        );
        assert_eq!(pk.public_operation(pk.modulus(), OBJ), Err(OdaError::SignatureOutOfRange { object: OBJ }));
        assert_eq!(pk.public_operation(&vec![0xFF; n], OBJ), Err(OdaError::SignatureOutOfRange { object: OBJ }));
        // Zero is below n and maps to zero: length stays N.
        assert_eq!(pk.public_operation(&vec![0; n], OBJ).unwrap(), vec![0; n]);
    }

    #[test]
    fn private_exponent_checked() {
        let k = crate::oda::test_keys::TEST_ONLY_ICC;
        let m = hex::decode(k.modulus).unwrap();
        assert_eq!(RsaPrivateKey::new(&m, &[1, 0, 1], &[0]).unwrap_err(), OdaError::PrivateExponent);
        assert_eq!(RsaPrivateKey::new(&m, &[1, 0, 1], &m).unwrap_err(), OdaError::PrivateExponent);
        let debug = format!("{:?}", k.private_key());
        assert!(!debug.contains(&k.private_exponent[..16]), "{debug}");
    }
}
