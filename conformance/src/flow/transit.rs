//! The China T-Union e-purse read, terminal side (JT/T 978 and the PBOC e-purse commands it
//! builds on).
//!
//! ```text
//! SELECT A000000632010105            -> FCI, 9000
//! GET BALANCE 80 5C 00 02 04          -> balance (4 bytes, big-endian, in fen), 9000
//! READ BINARY 00 B0 95 00 00          -> card information file (SFI 15), 9000
//! READ RECORD 00 B2 nn C4 00, n=1..   -> 23-byte transaction log records (SFI 18), 9000;
//!                                        6A83 after the last record
//! ```

use super::{FlowError, SW_OK, Step, exchange, exchange_ok, select_by_name};
use crate::transport::{RawAtr, Transport};

/// The T-Union (interconnected transport card) application identifier.
pub const TRANSIT_AID: &[u8] = &[0xA0, 0x00, 0x00, 0x06, 0x32, 0x01, 0x01, 0x05];
/// Most transaction log records read (the e-purse log is a cyclic file of 10).
pub const MAX_LOG_RECORDS: u8 = 10;
/// Length of a transaction log record.
pub const LOG_RECORD_LEN: usize = 23;
/// Minimum length of the card information file (the fields decoded below; 2 more bytes of
/// issuer-defined FCI data may follow and are kept raw).
pub const CARD_INFO_LEN: usize = 28;

/// `6A83`: record not found, the normal end of the log.
const SW_RECORD_NOT_FOUND: u16 = 0x6A83;

/// The card information file (SFI `15`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInfo {
    /// Issuer identifier (bytes 1-8).
    pub issuer_id: [u8; 8],
    /// Application type (byte 9).
    pub app_type: u8,
    /// Issuer application version (byte 10).
    pub app_version: u8,
    /// Application serial number, the card number (bytes 11-20, BCD).
    pub serial: [u8; 10],
    /// Start of validity, YYYYMMDD BCD (bytes 21-24).
    pub valid_from: [u8; 4],
    /// End of validity, YYYYMMDD BCD (bytes 25-28).
    pub valid_until: [u8; 4],
    /// Bytes after the decoded fields (issuer-defined).
    pub rest: Vec<u8>,
}

/// One e-purse transaction log record (SFI `18`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitLogRecord {
    /// Record number it was read from.
    pub record: u8,
    /// E-purse online or offline transaction serial number.
    pub serial: u16,
    /// Overdraft limit (3 bytes), in fen.
    pub overdraft_limit: u32,
    /// Transaction amount, in fen.
    pub amount: u32,
    /// Transaction type (`02` load, `06` purchase, `09` compound purchase, ...).
    pub kind: u8,
    /// Terminal number (6 bytes).
    pub terminal: [u8; 6],
    /// Date, YYYYMMDD BCD.
    pub date: [u8; 4],
    /// Time, HHMMSS BCD.
    pub time: [u8; 3],
}

/// What a gate learns from one transit read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitRead {
    /// The card's ATR.
    pub atr: RawAtr,
    /// Balance as the card states it, in fen.
    pub balance: u32,
    /// The card information file.
    pub card_info: CardInfo,
    /// The transaction log, most recent first, as the card orders it.
    pub log: Vec<TransitLogRecord>,
}

/// Reads balance, card information and transaction log from a T-Union e-purse.
///
/// ```
/// use tapcert_conformance::flow::read_transit;
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::transport::{InProcess, T0};
///
/// let band = Band::new(find_profile("reference").unwrap());
/// let balance = band.balance();
/// let read = read_transit(&mut T0::new(InProcess::new(band))).unwrap();
/// assert_eq!(read.balance, balance);
/// assert_eq!(read.card_info.serial, [0x31, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
/// ```
pub fn read_transit(t: &mut dyn Transport) -> Result<TransitRead, FlowError> {
    let atr = t.reset().map_err(|source| FlowError::Transport { step: Step::Reset, source })?;
    exchange_ok(t, Step::SelectTransit, &select_by_name(TRANSIT_AID))?;

    let step = Step::GetBalance;
    let balance = exchange_ok(t, step, &[0x80, 0x5C, 0x00, 0x02, 0x04])?;
    let balance: [u8; 4] =
        balance.as_slice().try_into().map_err(|_| FlowError::BadLength { step, expected: 4, got: balance.len() })?;

    let step = Step::ReadCardInfo;
    let info = exchange_ok(t, step, &[0x00, 0xB0, 0x80 | 0x15, 0x00, 0x00])?;
    let card_info =
        parse_card_info(&info).ok_or(FlowError::BadLength { step, expected: CARD_INFO_LEN, got: info.len() })?;

    let mut log = Vec::new();
    for record in 1..=MAX_LOG_RECORDS {
        let step = Step::ReadTransactionLog { record };
        let (data, sw) = exchange(t, step, &[0x00, 0xB2, record, (0x18 << 3) | 0x04, 0x00])?;
        match sw {
            SW_OK => {}
            SW_RECORD_NOT_FOUND => break,
            sw => return Err(FlowError::Status { step, sw, expected: "9000 or 6A83" }),
        }
        let entry = parse_log_record(record, &data).ok_or(FlowError::BadLength {
            step,
            expected: LOG_RECORD_LEN,
            got: data.len(),
        })?;
        log.push(entry);
    }
    Ok(TransitRead { atr, balance: u32::from_be_bytes(balance), card_info, log })
}

fn parse_card_info(d: &[u8]) -> Option<CardInfo> {
    if d.len() < CARD_INFO_LEN {
        return None;
    }
    Some(CardInfo {
        issuer_id: d[0..8].try_into().ok()?,
        app_type: d[8],
        app_version: d[9],
        serial: d[10..20].try_into().ok()?,
        valid_from: d[20..24].try_into().ok()?,
        valid_until: d[24..28].try_into().ok()?,
        rest: d[28..].to_vec(),
    })
}

fn parse_log_record(record: u8, d: &[u8]) -> Option<TransitLogRecord> {
    let d: &[u8; LOG_RECORD_LEN] = d.try_into().ok()?;
    Some(TransitLogRecord {
        record,
        serial: u16::from_be_bytes([d[0], d[1]]),
        overdraft_limit: u32::from_be_bytes([0, d[2], d[3], d[4]]),
        amount: u32::from_be_bytes([d[5], d[6], d[7], d[8]]),
        kind: d[9],
        terminal: d[10..16].try_into().ok()?,
        date: d[16..20].try_into().ok()?,
        time: d[20..23].try_into().ok()?,
    })
}
