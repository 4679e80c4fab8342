//! HMAC (RFC 2104, FIPS 198-1) with SHA-1, SHA-256 and SHA-512 (FIPS 180-4), over the
//! RustCrypto `hmac`, `sha1` and `sha2` crates.

use ::hmac::{Hmac, KeyInit, Mac};
use core::fmt;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// Hash function of an HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HmacAlgorithm {
    /// HMAC-SHA-1 (20-byte output).
    Sha1,
    /// HMAC-SHA-256 (32-byte output).
    Sha256,
    /// HMAC-SHA-512 (64-byte output).
    Sha512,
}

impl HmacAlgorithm {
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HmacAlgorithm::Sha1 => 20,
            HmacAlgorithm::Sha256 => 32,
            HmacAlgorithm::Sha512 => 64,
        }
    }
}

/// An HMAC key with the inner and outer hash states precomputed, so each message costs only
/// the message blocks and one outer block.
#[derive(Clone)]
pub enum HmacKey {
    /// HMAC-SHA-1.
    Sha1(Hmac<Sha1>),
    /// HMAC-SHA-256.
    Sha256(Hmac<Sha256>),
    /// HMAC-SHA-512.
    Sha512(Hmac<Sha512>),
}

impl HmacKey {
    /// Prepares a key of any length (HMAC accepts every key length).
    pub fn new(algorithm: HmacAlgorithm, key: &[u8]) -> Self {
        // new_from_slice cannot fail for HMAC: every key length is valid.
        match algorithm {
            HmacAlgorithm::Sha1 => {
                HmacKey::Sha1(Hmac::new_from_slice(key).unwrap_or_else(|_| Hmac::new(&[0; 64].into())))
            }
            HmacAlgorithm::Sha256 => {
                HmacKey::Sha256(Hmac::new_from_slice(key).unwrap_or_else(|_| Hmac::new(&[0; 64].into())))
            }
            HmacAlgorithm::Sha512 => {
                HmacKey::Sha512(Hmac::new_from_slice(key).unwrap_or_else(|_| Hmac::new(&[0; 128].into())))
            }
        }
    }

    /// The algorithm of this key.
    pub fn algorithm(&self) -> HmacAlgorithm {
        match self {
            HmacKey::Sha1(_) => HmacAlgorithm::Sha1,
            HmacKey::Sha256(_) => HmacAlgorithm::Sha256,
            HmacKey::Sha512(_) => HmacAlgorithm::Sha512,
        }
    }

    /// Computes the MAC of `data` into `out` (at least [`HmacAlgorithm::output_len`] bytes) and
    /// returns the output length.
    #[inline]
    pub fn mac_into(&self, data: &[u8], out: &mut [u8; 64]) -> usize {
        fn run<M: Mac + Clone>(m: &M, data: &[u8], out: &mut [u8; 64]) -> usize {
            let mut m = m.clone();
            m.update(data);
            let tag = m.finalize().into_bytes();
            out[..tag.len()].copy_from_slice(&tag);
            tag.len()
        }
        match self {
            HmacKey::Sha1(m) => run(m, data, out),
            HmacKey::Sha256(m) => run(m, data, out),
            HmacKey::Sha512(m) => run(m, data, out),
        }
    }

    /// Computes the MAC of `data`.
    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        let mut out = [0u8; 64];
        let n = self.mac_into(data, &mut out);
        out[..n].to_vec()
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacKey({:?})", self.algorithm())
    }
}

/// One-shot HMAC of `data` under `key`.
pub fn hmac(algorithm: HmacAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    HmacKey::new(algorithm, key).mac(data)
}
