//! The band's keys and its single door to `tapcert_crypto`.
//!
//! Only published test keys: the EMV issuer master key of EMV/pyemv test material and the
//! other two pyemv test master keys (secure messaging) reused as e-purse keys.

use tapcert_crypto::{AcData, Cvn, Des, Padding, Tdes, derive_icc_mk_option_a, iso9797_mac_alg1};

/// Issuer master key for application cryptograms: `0123456789ABCDEFFEDCBA9876543210`
/// (the published EMV test IMK; KCV `08D7`).
pub const TEST_IMK_AC: [u8; 16] =
    [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];
/// The key the `arqc-wrong-key` firmware signs with: `FEDCBA98765432100123456789ABCDEF`
/// (pyemv's published test IMK-SMI), i.e. a test key that is not the AC key.
pub const WRONG_IMK_AC: [u8; 16] =
    [0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF];
/// E-purse purchase key (DPK): `89ABCDEF0123456776543210FEDCBA98` (pyemv's test IMK-SMC).
pub const TEST_DPK: [u8; 16] =
    [0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x76, 0x54, 0x32, 0x10, 0xFE, 0xDC, 0xBA, 0x98];
/// E-purse TAC key (DTK): `01234567899876543210012345678998` (pyemv's test IMK-CVC3).
pub const TEST_DTK: [u8; 16] =
    [0x01, 0x23, 0x45, 0x67, 0x89, 0x98, 0x76, 0x54, 0x32, 0x10, 0x01, 0x23, 0x45, 0x67, 0x89, 0x98];

/// Cryptogram version of the EMV application (Mastercard CVN 20: option A ICC MK, EMV common
/// session key, AC over the 33-byte data set ‖ CVR, ISO 9797-1 alg 3, padding 2).
pub(crate) const AC_CVN: Cvn = Cvn::Mastercard20;

/// The application cryptogram over the 33-byte data set (CDOL1 data ‖ AIP ‖ ATC) and the IAD.
/// `None` if the personalisation (PAN) is not valid for key derivation.
pub(crate) fn application_cryptogram(
    imk: &[u8; 16],
    pan: &str,
    psn: u8,
    ac_data: &[u8],
    iad: &[u8],
) -> Option<[u8; 8]> {
    let icc_mk = derive_icc_mk_option_a(&Tdes::new_2key(imk), pan, psn).ok()?;
    let data = AcData::from_bytes(ac_data).ok()?;
    AC_CVN.generate_ac(&icc_mk, &data, iad).ok().map(|c| c.ac)
}

/// E-purse purchase session key: 3DES(DPK) over random ‖ offline sequence ‖ terminal
/// sequence (rightmost 2 bytes).
pub(crate) fn purse_session_key(random: &[u8; 4], purse_seq: &[u8; 2], terminal_seq_low: &[u8]) -> [u8; 8] {
    purse_session_key_with(&TEST_DPK, random, purse_seq, terminal_seq_low)
}

/// The e-purse purchase session key under a given DPK (3DES over random ‖ offline sequence ‖
/// terminal sequence low bytes); terminals and tests compute MAC1 with it.
pub fn purse_session_key_with(
    dpk: &[u8; 16],
    random: &[u8; 4],
    purse_seq: &[u8; 2],
    terminal_seq_low: &[u8],
) -> [u8; 8] {
    let mut block = [0u8; 8];
    block[..4].copy_from_slice(random);
    block[4..6].copy_from_slice(purse_seq);
    let n = terminal_seq_low.len().min(2);
    block[6..6 + n].copy_from_slice(&terminal_seq_low[..n]);
    Tdes::new_2key(dpk).encrypt(block)
}

/// E-purse MAC: ISO 9797-1 alg 1, single DES, padding 2, leftmost 4 bytes.
pub fn purse_mac(key: &[u8; 8], data: &[u8]) -> [u8; 4] {
    let mac = iso9797_mac_alg1(&Des::new(key), data, Padding::Method2);
    [mac[0], mac[1], mac[2], mac[3]]
}

/// TAC: [`purse_mac`] under DTK-left ⊕ DTK-right.
pub(crate) fn purse_tac(data: &[u8]) -> [u8; 4] {
    purse_mac(&tac_key(&TEST_DTK), data)
}

/// The single-DES TAC key of a DTK.
pub fn tac_key(dtk: &[u8; 16]) -> [u8; 8] {
    let mut k = [0u8; 8];
    for i in 0..8 {
        k[i] = dtk[i] ^ dtk[i + 8];
    }
    k
}
