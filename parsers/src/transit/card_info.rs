//! The card information file (SFI `15`), read with READ BINARY.

use super::{TransitError, take};

/// Length of the fields decoded; issuer-defined bytes may follow.
pub const CARD_INFO_MIN_LEN: usize = 28;

/// The card information file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CardInfo {
    /// Issuer identifier (bytes 1-8).
    pub issuer_id: [u8; 8],
    /// Application type (byte 9; `02` e-purse).
    pub app_type: u8,
    /// Issuer application version (byte 10).
    pub app_version: u8,
    /// Application serial number, the card number (bytes 11-20, BCD).
    pub serial: [u8; 10],
    /// Start of validity, `YYYYMMDD` BCD (bytes 21-24).
    pub valid_from: [u8; 4],
    /// End of validity, `YYYYMMDD` BCD (bytes 25-28).
    pub valid_until: [u8; 4],
    /// Issuer-defined bytes after the decoded fields.
    pub issuer_data: Vec<u8>,
}

impl CardInfo {
    /// Decodes the file; at least [`CARD_INFO_MIN_LEN`] bytes.
    pub fn from_bytes(d: &[u8]) -> Result<Self, TransitError> {
        if d.len() < CARD_INFO_MIN_LEN {
            return Err(TransitError::Length {
                what: "card information file",
                expected: "at least 28 bytes",
                found: d.len(),
            });
        }
        Ok(CardInfo {
            issuer_id: take(d, 0),
            app_type: d[8],
            app_version: d[9],
            serial: take(d, 10),
            valid_from: take(d, 20),
            valid_until: take(d, 24),
            issuer_data: d[CARD_INFO_MIN_LEN..].to_vec(),
        })
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CARD_INFO_MIN_LEN + self.issuer_data.len());
        out.extend_from_slice(&self.issuer_id);
        out.extend_from_slice(&[self.app_type, self.app_version]);
        out.extend_from_slice(&self.serial);
        out.extend_from_slice(&self.valid_from);
        out.extend_from_slice(&self.valid_until);
        out.extend_from_slice(&self.issuer_data);
        out
    }
}
