//! AES (FIPS 197) over the RustCrypto `aes` crate, which uses AES-NI when the CPU has it.
//!
//! [`Aes`] holds an expanded key of any of the three sizes so that EMV code can be written once
//! for AES-128/192/256 keys.

use ::aes::{Aes128, Aes192, Aes256};
use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use core::fmt;

use crate::CryptoError;

/// An expanded AES key (128, 192 or 256 bits).
#[derive(Clone)]
pub enum Aes {
    /// AES-128.
    Aes128(Aes128),
    /// AES-192.
    Aes192(Aes192),
    /// AES-256.
    Aes256(Aes256),
}

impl Aes {
    /// Expands a 16-, 24- or 32-byte key.
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let err = || CryptoError::KeyLength { algorithm: "AES", expected: "16, 24 or 32", got: key.len() };
        match key.len() {
            16 => Aes128::new_from_slice(key).map(Aes::Aes128).map_err(|_| err()),
            24 => Aes192::new_from_slice(key).map(Aes::Aes192).map_err(|_| err()),
            32 => Aes256::new_from_slice(key).map(Aes::Aes256).map_err(|_| err()),
            _ => Err(err()),
        }
    }

    /// Key length in bytes.
    pub fn key_len(&self) -> usize {
        match self {
            Aes::Aes128(_) => 16,
            Aes::Aes192(_) => 24,
            Aes::Aes256(_) => 32,
        }
    }

    /// Encrypts one 16-byte block (ECB).
    #[inline]
    pub fn encrypt(&self, block: [u8; 16]) -> [u8; 16] {
        let mut b = Array::from(block);
        match self {
            Aes::Aes128(c) => c.encrypt_block(&mut b),
            Aes::Aes192(c) => c.encrypt_block(&mut b),
            Aes::Aes256(c) => c.encrypt_block(&mut b),
        }
        b.into()
    }

    /// Decrypts one 16-byte block (ECB).
    #[inline]
    pub fn decrypt(&self, block: [u8; 16]) -> [u8; 16] {
        let mut b = Array::from(block);
        match self {
            Aes::Aes128(c) => c.decrypt_block(&mut b),
            Aes::Aes192(c) => c.decrypt_block(&mut b),
            Aes::Aes256(c) => c.decrypt_block(&mut b),
        }
        b.into()
    }
}

impl fmt::Debug for Aes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aes{} {{ .. }}", self.key_len() * 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 197 Appendix C.1 example vector.
    #[test]
    fn fips197_c1() {
        let key: Vec<u8> = (0u8..16).collect();
        let pt = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF];
        let aes = Aes::new(&key).unwrap();
        let ct = aes.encrypt(pt);
        assert_eq!(ct[..4], [0x69, 0xC4, 0xE0, 0xD8]);
        assert_eq!(ct[12..], [0x70, 0xB4, 0xC5, 0x5A]);
        assert_eq!(aes.decrypt(ct), pt);
        assert!(matches!(Aes::new(&[0; 15]), Err(CryptoError::KeyLength { got: 15, .. })));
    }
}
