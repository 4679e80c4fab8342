//! Key handling: DES odd parity (FIPS 46-3: "the eighth bit of each byte is used for error
//! detection ... odd parity") and key check values.

use crate::{Aes, AesCmac, CryptoError, Tdes};

/// Sets the least significant bit of every byte so that each byte has odd parity.
pub fn adjust_key_parity(key: &mut [u8]) {
    for b in key {
        *b = (*b & 0xFE) | u8::from((*b & 0xFE).count_ones() % 2 == 0);
    }
}

/// Returns `key` with odd parity adjusted (see [`adjust_key_parity`]).
pub fn with_odd_parity<const N: usize>(mut key: [u8; N]) -> [u8; N] {
    adjust_key_parity(&mut key);
    key
}

/// True if every byte of `key` has odd parity.
pub fn has_odd_parity(key: &[u8]) -> bool {
    key.iter().all(|b| b.count_ones() % 2 == 1)
}

/// Block algorithm of a key, for key check values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// Two- or three-key TDES (16 or 24 bytes).
    Tdes,
    /// AES-128/192/256.
    Aes,
}

/// Key check value method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KcvMethod {
    /// Encrypt a zero block, keep the leftmost bytes (the classic TDES KCV, and the legacy AES
    /// one).
    EncryptZeros,
    /// AES-CMAC over a zero block, leftmost 5 bytes (ANSI X9.24-1:2017 for AES keys).
    CmacZeros,
}

/// Key check value: the whole output block of the chosen method. Callers show the leftmost 2
/// or 3 bytes (TDES convention) or 5 bytes (X9.24-1 AES-CMAC convention).
pub fn key_check_value(key: &[u8], algorithm: KeyAlgorithm, method: KcvMethod) -> Result<Vec<u8>, CryptoError> {
    match (algorithm, method) {
        (KeyAlgorithm::Tdes, KcvMethod::EncryptZeros) => Ok(Tdes::new(key)?.encrypt([0; 8]).to_vec()),
        (KeyAlgorithm::Aes, KcvMethod::EncryptZeros) => Ok(Aes::new(key)?.encrypt([0; 16]).to_vec()),
        (KeyAlgorithm::Aes, KcvMethod::CmacZeros) => Ok(AesCmac::new(key)?.mac(&[0; 16]).to_vec()),
        (KeyAlgorithm::Tdes, KcvMethod::CmacZeros) => {
            Err(CryptoError::Unsupported { operation: "CMAC key check value", algorithm: "TDES" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity() {
        let mut k = [0x00, 0x01, 0xFE, 0xFF, 0x1C, 0xF3];
        adjust_key_parity(&mut k);
        assert_eq!(k, [0x01, 0x01, 0xFE, 0xFE, 0x1C, 0xF2]);
        assert!(has_odd_parity(&k));
        assert!(!has_odd_parity(&[0x00]));
    }

    #[test]
    fn kcv_of_the_emv_test_imk() {
        // crypto-vectors.md §3: IMK 0123456789ABCDEFFEDCBA9876543210 has KCV 08D7.
        let imk = hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let kcv = key_check_value(&imk, KeyAlgorithm::Tdes, KcvMethod::EncryptZeros).unwrap();
        assert_eq!(kcv[..2], [0x08, 0xD7]);
        assert!(key_check_value(&imk, KeyAlgorithm::Tdes, KcvMethod::CmacZeros).is_err());
    }
}
