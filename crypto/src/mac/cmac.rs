//! AES-CMAC (NIST SP 800-38B; RFC 4493 for AES-128) over the RustCrypto `cmac` crate.

use ::aes::{Aes128, Aes192, Aes256};
use ::cmac::{Cmac, KeyInit, Mac};
use core::fmt;

use crate::CryptoError;

/// An AES-CMAC key with its expanded AES key and subkeys K1/K2 computed once.
#[derive(Clone)]
pub enum AesCmac {
    /// AES-128-CMAC.
    Aes128(Cmac<Aes128>),
    /// AES-192-CMAC.
    Aes192(Cmac<Aes192>),
    /// AES-256-CMAC.
    Aes256(Cmac<Aes256>),
}

impl AesCmac {
    /// Prepares a 16-, 24- or 32-byte key.
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let err = || CryptoError::KeyLength { algorithm: "AES", expected: "16, 24 or 32", got: key.len() };
        match key.len() {
            16 => Cmac::<Aes128>::new_from_slice(key).map(AesCmac::Aes128).map_err(|_| err()),
            24 => Cmac::<Aes192>::new_from_slice(key).map(AesCmac::Aes192).map_err(|_| err()),
            32 => Cmac::<Aes256>::new_from_slice(key).map(AesCmac::Aes256).map_err(|_| err()),
            _ => Err(err()),
        }
    }

    /// The full 16-byte CMAC of `data` (truncate as the application requires).
    #[inline]
    pub fn mac(&self, data: &[u8]) -> [u8; 16] {
        fn run<M: Mac + Clone>(m: &M, data: &[u8]) -> [u8; 16] {
            let mut m = m.clone();
            m.update(data);
            let tag = m.finalize().into_bytes();
            let mut out = [0u8; 16];
            out.copy_from_slice(&tag[..16]);
            out
        }
        match self {
            AesCmac::Aes128(m) => run(m, data),
            AesCmac::Aes192(m) => run(m, data),
            AesCmac::Aes256(m) => run(m, data),
        }
    }

    /// The CMAC of the concatenation of `parts`, without building it.
    pub fn mac_parts(&self, parts: &[&[u8]]) -> [u8; 16] {
        fn run<M: Mac + Clone>(m: &M, parts: &[&[u8]]) -> [u8; 16] {
            let mut m = m.clone();
            for p in parts {
                m.update(p);
            }
            let tag = m.finalize().into_bytes();
            let mut out = [0u8; 16];
            out.copy_from_slice(&tag[..16]);
            out
        }
        match self {
            AesCmac::Aes128(m) => run(m, parts),
            AesCmac::Aes192(m) => run(m, parts),
            AesCmac::Aes256(m) => run(m, parts),
        }
    }
}

impl fmt::Debug for AesCmac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AesCmac { .. }")
    }
}

/// One-shot AES-CMAC (NIST SP 800-38B §6.2) of `data` under a 16/24/32-byte key.
pub fn aes_cmac(key: &[u8], data: &[u8]) -> Result<[u8; 16], CryptoError> {
    Ok(AesCmac::new(key)?.mac(data))
}
