//! AES-CMAC (NIST SP 800-38B; RFC 4493 for AES-128) over the RustCrypto `cmac` crate.

use ::aes::{Aes128, Aes128Enc, Aes192, Aes192Enc, Aes256, Aes256Enc};
use ::cmac::{Cmac, KeyInit, Mac};
use cipher::{Array, BlockCipherEncrypt};
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

/// Doubling in GF(2^128) with the CMAC polynomial (SP 800-38B §6.1: K1 = L·x, K2 = K1·x).
#[inline(always)]
fn dbl(b: u128) -> u128 {
    (b << 1) ^ (0x87 * (b >> 127))
}

/// One-shot AES-CMAC with an encryption-only key expansion (SP 800-38B §6.1-6.2): for the
/// per-transaction session keys, where no decryption schedule is ever needed. Same output as
/// [`AesCmac`] (checked by the tests on the SP 800-38B vectors and random inputs).
pub(crate) fn aes_cmac_oneshot(key: &[u8], data: &[u8]) -> Result<[u8; 16], CryptoError> {
    fn run<C: BlockCipherEncrypt<BlockSize = cipher::consts::U16>>(c: &C, data: &[u8]) -> [u8; 16] {
        let enc = |x: u128| -> u128 {
            let mut b = Array::from(x.to_be_bytes());
            c.encrypt_block(&mut b);
            u128::from_be_bytes(b.into())
        };
        let k1 = dbl(enc(0));
        let full_last = !data.is_empty() && data.len() % 16 == 0;
        let n = if data.is_empty() { 1 } else { data.len().div_ceil(16) };
        let mut x = 0u128;
        for chunk in data.chunks(16).take(n - 1) {
            x = enc(x ^ u128::from_be_bytes(chunk.try_into().unwrap_or([0; 16])));
        }
        let rest = data.get(16 * (n - 1)..).unwrap_or(&[]);
        let mut last = [0u8; 16];
        last[..rest.len()].copy_from_slice(rest);
        let last = if full_last {
            u128::from_be_bytes(last) ^ k1
        } else {
            last[rest.len()] = 0x80;
            u128::from_be_bytes(last) ^ dbl(k1)
        };
        enc(x ^ last).to_be_bytes()
    }
    let err = || CryptoError::KeyLength { algorithm: "AES", expected: "16, 24 or 32", got: key.len() };
    match key.len() {
        16 => Ok(run(&Aes128Enc::new_from_slice(key).map_err(|_| err())?, data)),
        24 => Ok(run(&Aes192Enc::new_from_slice(key).map_err(|_| err())?, data)),
        32 => Ok(run(&Aes256Enc::new_from_slice(key).map_err(|_| err())?, data)),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oneshot_equals_cmac_crate_on_all_lengths() {
        for key_len in [16, 24, 32] {
            let key: Vec<u8> = (0..key_len as u8).map(|i| i.wrapping_mul(37)).collect();
            let cmac = AesCmac::new(&key).unwrap();
            for len in 0..70 {
                let data: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(11) ^ 0x5A).collect();
                assert_eq!(aes_cmac_oneshot(&key, &data).unwrap(), cmac.mac(&data), "key {key_len} len {len}");
            }
        }
        assert!(aes_cmac_oneshot(&[0; 15], b"").is_err());
    }
}
