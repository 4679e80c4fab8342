//! Application cryptograms (ARQC, TC, AAC) and issuer authentication (ARPC), EMV 4.4 Book 2
//! §8.1 and §8.2.

use crate::mac::mac_alg3_u64;
use crate::{Aes, AesCmac, Padding, Tdes};

/// Constant-time equality of two byte strings of equal length (false if lengths differ).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Generates an 8-byte application cryptogram with a TDES session key (EMV Book 2 §8.1.2):
/// ISO/IEC 9797-1 MAC algorithm 3 over the padded data (method 1 for Visa CVN 10, method 2
/// for the EMV CSK CVNs).
#[inline]
pub fn generate_ac_tdes(sk: &Tdes, data: &[u8], padding: Padding) -> [u8; 8] {
    mac_alg3_u64(sk, data, padding).to_be_bytes()
}

/// Verifies a TDES application cryptogram (constant-time comparison).
pub fn verify_ac_tdes(sk: &Tdes, data: &[u8], padding: Padding, ac: &[u8]) -> bool {
    ct_eq(&generate_ac_tdes(sk, data, padding), ac)
}

/// Generates an 8-byte application cryptogram with an AES session key (EMV Book 2 §8.1.2,
/// AES): the leftmost 8 bytes of AES-CMAC (NIST SP 800-38B) over the data.
#[inline]
pub fn generate_ac_aes(sk: &AesCmac, data: &[u8]) -> [u8; 8] {
    let t = sk.mac(data);
    let mut ac = [0u8; 8];
    ac.copy_from_slice(&t[..8]);
    ac
}

/// Verifies an AES application cryptogram (constant-time comparison).
pub fn verify_ac_aes(sk: &AesCmac, data: &[u8], ac: &[u8]) -> bool {
    ct_eq(&generate_ac_aes(sk, data), ac)
}

/// ARPC method 1 (EMV Book 2 §8.2.1): ARPC = TDES(K)\[ARQC ⊕ (ARC ‖ 00..00)\], with K the ICC
/// master key or the session key depending on the cryptogram version.
pub fn generate_arpc_method1(key: &Tdes, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
    let y = u64::from_be_bytes([arc[0], arc[1], 0, 0, 0, 0, 0, 0]);
    key.encrypt_u64(u64::from_be_bytes(arqc) ^ y).to_be_bytes()
}

/// ARPC method 1 with AES (EMV 4.4 Book 2 §8.2.1): Y = ARQC ⊕ (ARC ‖ 00..00) as for TDES, then
/// the leftmost 8 bytes of AES(K)\[Y ‖ 00×8\].
pub fn generate_arpc_method1_aes(key: &Aes, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
    let mut block = [0u8; 16];
    block[..8].copy_from_slice(&arqc);
    block[0] ^= arc[0];
    block[1] ^= arc[1];
    let out = key.encrypt(block);
    [out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7]]
}

/// ARPC method 2 (EMV Book 2 §8.2.2), TDES: the leftmost 4 bytes of ISO/IEC 9797-1 MAC
/// algorithm 3 with padding method 2 over ARQC ‖ CSU ‖ proprietary authentication data.
pub fn generate_arpc_method2(key: &Tdes, arqc: [u8; 8], csu: [u8; 4], proprietary: &[u8]) -> [u8; 4] {
    let mut data = Vec::with_capacity(12 + proprietary.len());
    data.extend_from_slice(&arqc);
    data.extend_from_slice(&csu);
    data.extend_from_slice(proprietary);
    let mac = mac_alg3_u64(key, &data, Padding::Method2).to_be_bytes();
    [mac[0], mac[1], mac[2], mac[3]]
}

/// ARPC method 2 (EMV Book 2 §8.2.2), AES: the leftmost 4 bytes of AES-CMAC over
/// ARQC ‖ CSU ‖ proprietary authentication data.
pub fn generate_arpc_method2_aes(key: &AesCmac, arqc: [u8; 8], csu: [u8; 4], proprietary: &[u8]) -> [u8; 4] {
    let t = key.mac_parts(&[&arqc, &csu, proprietary]);
    [t[0], t[1], t[2], t[3]]
}
