//! China e-purse purchase cryptography: the PBOC e-purse / JR/T 0025 purchase transaction as
//! T-Union and City Union transit cards (and the bands that emulate them) run it.
//!
//! ```text
//! INITIALIZE FOR PURCHASE -> balance, offline sequence (2), overdraft, key version, algorithm, random (4)
//! session key  = 3DES(DPK, random ‖ offline sequence ‖ terminal sequence[2..4])        (single-DES key)
//! MAC1 (terminal -> card) = MAC(session key, amount ‖ type ‖ terminal id ‖ date ‖ time)
//! MAC2 (card -> terminal) = MAC(session key, amount)
//! TAC  (card -> issuer)   = MAC(DTK-left ⊕ DTK-right, amount ‖ type ‖ terminal id ‖ terminal sequence ‖ date ‖ time)
//! MAC = ISO/IEC 9797-1 MAC algorithm 1, single DES, padding method 2, IV 0, leftmost 4 bytes
//! ```
//!
//! Amounts are 4 bytes big-endian in fen; the transaction type of a purchase is `06`; the
//! terminal id 6 bytes; the terminal transaction sequence 4 bytes; the date `YYYYMMDD` and the
//! time `HHMMSS` in BCD.
//!
//! Checked against pyemv (an independent implementation: its `encrypt_tdes_ecb` for the session
//! key and `encrypt_tdes_cbc` under `K ‖ K` for the single-DES CBC-MAC) in
//! `crypto/tests/purse_differential.rs`, and against the known answers in `vectors/crypto/`.
//!
//! ```
//! use tapcert_crypto::purse::{PurchaseMacData, purse_mac1, purse_mac2, purse_session_key};
//! let dpk = [0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x76, 0x54, 0x32, 0x10, 0xFE, 0xDC, 0xBA, 0x98];
//! let sk = purse_session_key(&dpk, &[0x11, 0x22, 0x33, 0x44], [0x00, 0x00], &[0x00, 0x00, 0x01, 0x02]);
//! let data = PurchaseMacData {
//!     amount: 150,
//!     transaction_type: 0x06,
//!     terminal_id: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66],
//!     date: [0x20, 0x26, 0x11, 0x22],
//!     time: [0x02, 0x30, 0x00],
//! };
//! let mac1 = purse_mac1(&sk, &data);
//! assert_ne!(mac1, purse_mac2(&sk, 150));
//! ```

use crate::{Des, Padding, Tdes, iso9797_mac_alg1};

/// Transaction type of a purchase (PBOC: `06`).
pub const PURCHASE_TRANSACTION_TYPE: u8 = 0x06;

/// The data MAC1 and the TAC cover, besides the terminal sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PurchaseMacData {
    /// Amount in fen.
    pub amount: u32,
    /// Transaction type (`06` purchase, `09` compound purchase).
    pub transaction_type: u8,
    /// Terminal identifier.
    pub terminal_id: [u8; 6],
    /// Transaction date, `YYYYMMDD` BCD.
    pub date: [u8; 4],
    /// Transaction time, `HHMMSS` BCD.
    pub time: [u8; 3],
}

/// The purchase session key: 3DES under the purchase key DPK over the card's random number,
/// its offline transaction sequence and the rightmost two bytes of the terminal transaction
/// sequence.
pub fn purse_session_key(
    dpk: &[u8; 16],
    random: &[u8; 4],
    offline_sequence: [u8; 2],
    terminal_sequence: &[u8; 4],
) -> [u8; 8] {
    let mut block = [0u8; 8];
    block[..4].copy_from_slice(random);
    block[4..6].copy_from_slice(&offline_sequence);
    block[6..].copy_from_slice(&terminal_sequence[2..]);
    Tdes::new_2key(dpk).encrypt(block)
}

/// The e-purse MAC: ISO/IEC 9797-1 algorithm 1 with single DES, padding method 2, leftmost 4
/// bytes.
pub fn purse_mac(key: &[u8; 8], data: &[u8]) -> [u8; 4] {
    let mac = iso9797_mac_alg1(&Des::new(key), data, Padding::Method2);
    [mac[0], mac[1], mac[2], mac[3]]
}

/// The single-DES TAC key of a DTK: its left half XOR its right half.
pub fn purse_tac_key(dtk: &[u8; 16]) -> [u8; 8] {
    core::array::from_fn(|i| dtk[i] ^ dtk[i + 8])
}

/// MAC1, the terminal's proof to the card (DEBIT FOR PURCHASE data).
pub fn purse_mac1(session_key: &[u8; 8], data: &PurchaseMacData) -> [u8; 4] {
    let mut input = [0u8; 18];
    input[..4].copy_from_slice(&data.amount.to_be_bytes());
    input[4] = data.transaction_type;
    input[5..11].copy_from_slice(&data.terminal_id);
    input[11..15].copy_from_slice(&data.date);
    input[15..18].copy_from_slice(&data.time);
    purse_mac(session_key, &input)
}

/// MAC2, the card's proof to the terminal that the debit happened.
pub fn purse_mac2(session_key: &[u8; 8], amount: u32) -> [u8; 4] {
    purse_mac(session_key, &amount.to_be_bytes())
}

/// The Transaction Authorisation Cryptogram the card gives for the issuer's clearing.
pub fn purse_tac(dtk: &[u8; 16], data: &PurchaseMacData, terminal_sequence: &[u8; 4]) -> [u8; 4] {
    let mut input = [0u8; 22];
    input[..4].copy_from_slice(&data.amount.to_be_bytes());
    input[4] = data.transaction_type;
    input[5..11].copy_from_slice(&data.terminal_id);
    input[11..15].copy_from_slice(terminal_sequence);
    input[15..19].copy_from_slice(&data.date);
    input[19..22].copy_from_slice(&data.time);
    purse_mac(&purse_tac_key(dtk), &input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tac_key_is_the_xor_of_the_halves() {
        let dtk = [1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1];
        assert_eq!(purse_tac_key(&dtk), [9, 5, 5, 1, 1, 5, 5, 9]);
    }

    /// The MAC is the CBC-MAC of `crate::mac` cut to 4 bytes; padding 2 always appends `80`.
    #[test]
    fn mac_is_alg1_pad2_truncated() {
        let key = [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF];
        let full = iso9797_mac_alg1(&Des::new(&key), b"12345678", Padding::Method2);
        assert_eq!(purse_mac(&key, b"12345678"), full[..4]);
        assert_ne!(purse_mac(&key, b"12345678"), purse_mac(&key, b"1234567"));
    }

    #[test]
    fn session_key_uses_the_low_terminal_sequence_bytes() {
        let dpk = [0x11; 16];
        let a = purse_session_key(&dpk, &[1, 2, 3, 4], [0, 1], &[0xAA, 0xBB, 0x01, 0x02]);
        let b = purse_session_key(&dpk, &[1, 2, 3, 4], [0, 1], &[0x00, 0x00, 0x01, 0x02]);
        let c = purse_session_key(&dpk, &[1, 2, 3, 4], [0, 1], &[0x00, 0x00, 0x01, 0x03]);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
