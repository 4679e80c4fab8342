//! China transit e-purse files and purchase messages: the PBOC e-purse application as the
//! T-Union (JT/T 978) and City Union (MoHURD) transit cards use it, and the bands that emulate
//! them. Layouts, parsers and encoders only; the cryptography (session key, MAC1, MAC2, TAC)
//! is `tapcert_crypto::purse`.
//!
//! | what | where | layout |
//! |---|---|---|
//! | balance | GET BALANCE `80 5C 00 02 04` | 4 bytes, big-endian, in fen |
//! | [`CardInfo`] | READ BINARY SFI `15` | issuer id 8, app type 1, app version 1, serial 10 (BCD), valid from 4, valid until 4 (YYYYMMDD BCD), issuer data |
//! | [`TransitLogRecord`] | READ RECORD SFI `18` | sequence 2, overdraft 3, amount 4, type 1, terminal 6, date 4, time 3 (23 bytes) |
//! | [`PurchaseInitCommand`] | INITIALIZE FOR PURCHASE `80 50 01 02 0B` data | key index 1, amount 4, terminal id 6 |
//! | [`PurchaseInitResponse`] | its response | balance 4, offline sequence 2, overdraft 3, key version 1, algorithm 1, random 4 (15 bytes) |
//! | [`DebitCommand`] | DEBIT FOR PURCHASE `80 54 01 00 0F` data | terminal sequence 4, date 4, time 3, MAC1 4 |
//! | [`DebitResponse`] | its response | TAC 4, MAC2 4 |
//!
//! Every `from_bytes` rejects a wrong length with the offset and what was expected; every
//! type has `to_bytes`, and `from_bytes(to_bytes(x)) == x`.
//!
//! ```
//! use tapcert_parsers::transit::{TransitError, TransitLogRecord};
//! // sequence 0001, overdraft 0, amount 150 fen, purchase (06), terminal, 2026-11-22 02:30:00
//! let bytes = [
//!     0x00, 0x01, 0, 0, 0, 0x00, 0x00, 0x00, 0x96, 0x06, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
//!     0x20, 0x26, 0x11, 0x22, 0x02, 0x30, 0x00,
//! ];
//! let record = TransitLogRecord::from_bytes(&bytes).unwrap();
//! assert_eq!((record.sequence, record.amount, record.transaction_type), (1, 150, 0x06));
//! assert_eq!(record.to_bytes().as_slice(), bytes.as_slice());
//! assert_eq!(TransitLogRecord::from_bytes(&bytes[..20]), Err(TransitError::Length { what: "transaction log record", expected: "23 bytes", found: 20 }));
//! ```

mod card_info;
mod log;
mod purchase;

pub use card_info::{CARD_INFO_MIN_LEN, CardInfo};
pub use log::{LOG_RECORD_LEN, TransitLogRecord};
pub use purchase::{DebitCommand, DebitResponse, PurchaseInitCommand, PurchaseInitResponse};

/// T-Union (interconnected transport card) e-purse application identifier.
pub const T_UNION_AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x06, 0x32, 0x01, 0x01, 0x05];
/// City Union (MoHURD city card interconnection) e-purse application identifier.
pub const CITY_UNION_AID: [u8; 9] = [0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01];
/// Short file identifier of the card information file.
pub const CARD_INFO_SFI: u8 = 0x15;
/// Short file identifier of the transaction log (a cyclic file).
pub const LOG_SFI: u8 = 0x18;
/// Records the transaction log keeps (the PBOC e-purse log is a cyclic file of 10).
pub const LOG_RECORDS: u8 = 10;

/// Why transit bytes were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitError {
    /// The message has the wrong length.
    #[error("{what}: {found} byte(s), expected {expected}")]
    Length {
        /// Which message.
        what: &'static str,
        /// The length the layout needs.
        expected: &'static str,
        /// The length found.
        found: usize,
    },
}

/// Decodes a GET BALANCE answer: 4 bytes, big-endian, in fen.
pub fn decode_transit_balance(data: &[u8]) -> Result<u32, TransitError> {
    let b: [u8; 4] = fixed(data, "balance", "4 bytes")?;
    Ok(u32::from_be_bytes(b))
}

/// `data` as an array of exactly `N` bytes.
pub(crate) fn fixed<const N: usize>(
    data: &[u8],
    what: &'static str,
    expected: &'static str,
) -> Result<[u8; N], TransitError> {
    data.try_into().map_err(|_| TransitError::Length { what, expected, found: data.len() })
}

/// `N` bytes at `at` of a slice whose length was checked.
pub(crate) fn take<const N: usize>(d: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&d[at..at + N]);
    out
}
