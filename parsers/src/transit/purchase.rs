//! The purchase messages: INITIALIZE FOR PURCHASE and DEBIT FOR PURCHASE, command data and
//! responses.

use super::{TransitError, fixed, take};

/// INITIALIZE FOR PURCHASE command data (`80 50 01 02 0B`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PurchaseInitCommand {
    /// Index of the purchase key (DPK) to use.
    pub key_index: u8,
    /// Amount, in fen.
    pub amount: u32,
    /// Terminal identifier.
    pub terminal_id: [u8; 6],
}

impl PurchaseInitCommand {
    /// Decodes exactly 11 bytes.
    pub fn from_bytes(d: &[u8]) -> Result<Self, TransitError> {
        let d: [u8; 11] = fixed(d, "INITIALIZE FOR PURCHASE data", "11 bytes")?;
        Ok(PurchaseInitCommand { key_index: d[0], amount: u32::from_be_bytes(take(&d, 1)), terminal_id: take(&d, 5) })
    }

    /// The 11 data bytes.
    pub fn to_bytes(&self) -> [u8; 11] {
        let mut out = [0u8; 11];
        out[0] = self.key_index;
        out[1..5].copy_from_slice(&self.amount.to_be_bytes());
        out[5..11].copy_from_slice(&self.terminal_id);
        out
    }
}

/// INITIALIZE FOR PURCHASE response data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PurchaseInitResponse {
    /// Balance before the purchase, in fen.
    pub balance: u32,
    /// E-purse offline transaction sequence number.
    pub offline_sequence: [u8; 2],
    /// Overdraft limit (3 bytes), in fen.
    pub overdraft_limit: u32,
    /// Version of the key used.
    pub key_version: u8,
    /// Algorithm identifier (`00` 3DES).
    pub algorithm: u8,
    /// The card's pseudo-random number, input to the session key.
    pub random: [u8; 4],
}

impl PurchaseInitResponse {
    /// Decodes exactly 15 bytes.
    pub fn from_bytes(d: &[u8]) -> Result<Self, TransitError> {
        let d: [u8; 15] = fixed(d, "INITIALIZE FOR PURCHASE response", "15 bytes")?;
        Ok(PurchaseInitResponse {
            balance: u32::from_be_bytes(take(&d, 0)),
            offline_sequence: take(&d, 4),
            overdraft_limit: u32::from_be_bytes([0, d[6], d[7], d[8]]),
            key_version: d[9],
            algorithm: d[10],
            random: take(&d, 11),
        })
    }

    /// The 15 response bytes (the overdraft limit keeps its low 3 bytes).
    pub fn to_bytes(&self) -> [u8; 15] {
        let mut out = [0u8; 15];
        out[0..4].copy_from_slice(&self.balance.to_be_bytes());
        out[4..6].copy_from_slice(&self.offline_sequence);
        out[6..9].copy_from_slice(&self.overdraft_limit.to_be_bytes()[1..]);
        out[9] = self.key_version;
        out[10] = self.algorithm;
        out[11..15].copy_from_slice(&self.random);
        out
    }
}

/// DEBIT FOR PURCHASE command data (`80 54 01 00 0F`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DebitCommand {
    /// Terminal transaction sequence number.
    pub terminal_sequence: [u8; 4],
    /// Date, `YYYYMMDD` BCD.
    pub date: [u8; 4],
    /// Time, `HHMMSS` BCD.
    pub time: [u8; 3],
    /// MAC1, the terminal's proof.
    pub mac1: [u8; 4],
}

impl DebitCommand {
    /// Decodes exactly 15 bytes.
    pub fn from_bytes(d: &[u8]) -> Result<Self, TransitError> {
        let d: [u8; 15] = fixed(d, "DEBIT FOR PURCHASE data", "15 bytes")?;
        Ok(DebitCommand { terminal_sequence: take(&d, 0), date: take(&d, 4), time: take(&d, 8), mac1: take(&d, 11) })
    }

    /// The 15 data bytes.
    pub fn to_bytes(&self) -> [u8; 15] {
        let mut out = [0u8; 15];
        out[0..4].copy_from_slice(&self.terminal_sequence);
        out[4..8].copy_from_slice(&self.date);
        out[8..11].copy_from_slice(&self.time);
        out[11..15].copy_from_slice(&self.mac1);
        out
    }
}

/// DEBIT FOR PURCHASE response data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DebitResponse {
    /// Transaction authorisation cryptogram, for the issuer.
    pub tac: [u8; 4],
    /// MAC2, the card's proof to the terminal.
    pub mac2: [u8; 4],
}

impl DebitResponse {
    /// Decodes exactly 8 bytes.
    pub fn from_bytes(d: &[u8]) -> Result<Self, TransitError> {
        let d: [u8; 8] = fixed(d, "DEBIT FOR PURCHASE response", "8 bytes")?;
        Ok(DebitResponse { tac: take(&d, 0), mac2: take(&d, 4) })
    }

    /// The 8 response bytes.
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&self.tac);
        out[4..].copy_from_slice(&self.mac2);
        out
    }
}
