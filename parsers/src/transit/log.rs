//! The e-purse transaction log (SFI `18`): one 23-byte record per transaction, newest first.

use super::{TransitError, fixed, take};

/// Length of a transaction log record.
pub const LOG_RECORD_LEN: usize = 23;

/// One transaction log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransitLogRecord {
    /// E-purse online or offline transaction sequence number.
    pub sequence: u16,
    /// Overdraft limit (3 bytes), in fen.
    pub overdraft_limit: u32,
    /// Transaction amount, in fen.
    pub amount: u32,
    /// Transaction type (`02` load, `06` purchase, `09` compound purchase, ...).
    pub transaction_type: u8,
    /// Terminal identifier.
    pub terminal_id: [u8; 6],
    /// Date, `YYYYMMDD` BCD.
    pub date: [u8; 4],
    /// Time, `HHMMSS` BCD.
    pub time: [u8; 3],
}

impl TransitLogRecord {
    /// Decodes exactly [`LOG_RECORD_LEN`] bytes.
    pub fn from_bytes(d: &[u8]) -> Result<Self, TransitError> {
        let d: [u8; LOG_RECORD_LEN] = fixed(d, "transaction log record", "23 bytes")?;
        Ok(TransitLogRecord {
            sequence: u16::from_be_bytes([d[0], d[1]]),
            overdraft_limit: u32::from_be_bytes([0, d[2], d[3], d[4]]),
            amount: u32::from_be_bytes(take(&d, 5)),
            transaction_type: d[9],
            terminal_id: take(&d, 10),
            date: take(&d, 16),
            time: take(&d, 20),
        })
    }

    /// The record's bytes (the overdraft limit keeps its low 3 bytes).
    pub fn to_bytes(&self) -> [u8; LOG_RECORD_LEN] {
        let mut out = [0u8; LOG_RECORD_LEN];
        out[0..2].copy_from_slice(&self.sequence.to_be_bytes());
        out[2..5].copy_from_slice(&self.overdraft_limit.to_be_bytes()[1..]);
        out[5..9].copy_from_slice(&self.amount.to_be_bytes());
        out[9] = self.transaction_type;
        out[10..16].copy_from_slice(&self.terminal_id);
        out[16..20].copy_from_slice(&self.date);
        out[20..23].copy_from_slice(&self.time);
        out
    }
}
