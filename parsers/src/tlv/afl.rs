//! The Application File Locator, tag `94` (EMV Book 3 §10.2).
//!
//! ```text
//! byte 1   SFI in b8-b4 (1-30), b3-b1 = 000
//! byte 2   first record number (>= 1)
//! byte 3   last record number (>= first)
//! byte 4   number of records, from the first, that take part in offline data authentication
//! ```
//!
//! ```
//! use tapcert_parsers::tlv::{parse_emv_afl, AflError};
//! let afl = parse_emv_afl(&[0x08, 0x01, 0x02, 0x01, 0x10, 0x01, 0x01, 0x00]).unwrap();
//! let reads: Vec<_> = afl.iter().flat_map(|e| e.records()).map(|r| r.read_record_p1_p2()).collect();
//! assert_eq!(reads, [(1, 0x0C), (2, 0x0C), (1, 0x14)]);
//! assert_eq!(parse_emv_afl(&[0x08, 0x02, 0x01, 0x00]), Err(AflError::LastBeforeFirst { offset: 0, first: 2, last: 1 }));
//! ```

use nom::error::ErrorKind;
use nom::multi::count;
use nom::number::complete::be_u8;
use nom::{IResult, Parser};
use thiserror::Error;

use crate::compose::nom_error_traits;

/// One 4-byte AFL entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AflEntry {
    /// Short File Identifier, 1-30.
    pub sfi: u8,
    /// First record to read.
    pub first_record: u8,
    /// Last record to read.
    pub last_record: u8,
    /// Records, from the first, that feed offline data authentication.
    pub oda_records: u8,
}

/// A record the terminal reads: SFI and record number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AflRecord {
    /// Short File Identifier.
    pub sfi: u8,
    /// Record number.
    pub record: u8,
    /// True when the record takes part in offline data authentication.
    pub oda: bool,
}

impl AflRecord {
    /// P1 and P2 of the READ RECORD command for this record (P2 = SFI << 3 | 4).
    pub fn read_record_p1_p2(&self) -> (u8, u8) {
        (self.record, (self.sfi << 3) | 0x04)
    }
}

impl AflEntry {
    /// The records of this entry, first to last.
    pub fn records(&self) -> impl Iterator<Item = AflRecord> + '_ {
        let (sfi, first, oda) = (self.sfi, self.first_record, self.oda_records);
        (self.first_record..=self.last_record).map(move |record| AflRecord {
            sfi,
            record,
            oda: u16::from(record - first) < u16::from(oda),
        })
    }

    /// Number of records the entry covers.
    pub fn record_count(&self) -> usize {
        usize::from(self.last_record - self.first_record) + 1
    }

    /// The entry's 4 wire bytes.
    pub fn to_bytes(&self) -> [u8; 4] {
        [self.sfi << 3, self.first_record, self.last_record, self.oda_records]
    }
}

/// Why an AFL was rejected. Offsets are from the start of the AFL value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AflError {
    /// The value is not a whole number of 4-byte entries (or is empty).
    #[error("AFL length {len} is not a non-zero multiple of 4")]
    BadLength {
        /// The value's length.
        len: usize,
    },
    /// SFI 0 or above 30, or the low three bits of byte 1 set.
    #[error("AFL entry at offset {offset}: SFI byte {byte:02X} does not hold an SFI 1-30 in b8-b4")]
    BadSfi {
        /// Offset of the entry.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// First record number 0.
    #[error("AFL entry at offset {offset}: first record is 0")]
    FirstRecordZero {
        /// Offset of the entry.
        offset: usize,
    },
    /// Last record before the first.
    #[error("AFL entry at offset {offset}: last record {last} is before first record {first}")]
    LastBeforeFirst {
        /// Offset of the entry.
        offset: usize,
        /// First record number.
        first: u8,
        /// Last record number.
        last: u8,
    },
    /// More ODA records than the entry has.
    #[error("AFL entry at offset {offset}: {oda} ODA record(s) but only {records} record(s)")]
    OdaCountTooLarge {
        /// Offset of the entry.
        offset: usize,
        /// ODA count.
        oda: u8,
        /// Records in the entry.
        records: usize,
    },
    /// One of nom's own combinators failed (a composition, or an entry cut short).
    #[error("nom {kind:?} failed with {remaining} byte(s) left")]
    Nom {
        /// The combinator.
        kind: ErrorKind,
        /// Bytes left where it failed.
        remaining: usize,
    },
}

nom_error_traits!(AflError, &'a [u8], <[u8]>::len);

impl AflError {
    /// The offset the error refers to (0 for a bad overall length and for `Nom`).
    pub fn offset(&self) -> usize {
        match *self {
            AflError::BadLength { .. } | AflError::Nom { .. } => 0,
            AflError::BadSfi { offset, .. }
            | AflError::FirstRecordZero { offset }
            | AflError::LastBeforeFirst { offset, .. }
            | AflError::OdaCountTooLarge { offset, .. } => offset,
        }
    }
}

/// One 4-byte AFL entry with its checks; errors carry the bytes left at the entry (the
/// entry point turns them into offsets).
fn afl_entry(input: &[u8]) -> IResult<&[u8], AflEntry, AflError> {
    let offset = input.len();
    let (rest, (b1, first, last, oda)) = (be_u8, be_u8, be_u8, be_u8).parse_complete(input)?;
    let fail = |e| Err(nom::Err::Error(e));
    let sfi = b1 >> 3;
    if b1 & 0x07 != 0 || sfi == 0 || sfi > 30 {
        return fail(AflError::BadSfi { offset, byte: b1 });
    }
    if first == 0 {
        return fail(AflError::FirstRecordZero { offset });
    }
    if last < first {
        return fail(AflError::LastBeforeFirst { offset, first, last });
    }
    let entry = AflEntry { sfi, first_record: first, last_record: last, oda_records: oda };
    if usize::from(oda) > entry.record_count() {
        return fail(AflError::OdaCountTooLarge { offset, oda, records: entry.record_count() });
    }
    Ok((rest, entry))
}

/// Parses an AFL value (the value of tag `94`, or what follows the AIP in GPO format 1).
pub fn parse_emv_afl(value: &[u8]) -> Result<Vec<AflEntry>, AflError> {
    if value.is_empty() || value.len() % 4 != 0 {
        return Err(AflError::BadLength { len: value.len() });
    }
    let total = value.len();
    match count(afl_entry, total / 4).parse_complete(value) {
        Ok((_, entries)) => Ok(entries),
        Err(e) => Err(match crate::compose::nom_inner(e, || AflError::BadLength { len: total }) {
            AflError::BadSfi { offset, byte } => AflError::BadSfi { offset: total - offset, byte },
            AflError::FirstRecordZero { offset } => AflError::FirstRecordZero { offset: total - offset },
            AflError::LastBeforeFirst { offset, first, last } => {
                AflError::LastBeforeFirst { offset: total - offset, first, last }
            }
            AflError::OdaCountTooLarge { offset, oda, records } => {
                AflError::OdaCountTooLarge { offset: total - offset, oda, records }
            }
            other => other,
        }),
    }
}

/// Every record an AFL asks for, in order.
pub fn emv_afl_records(entries: &[AflEntry]) -> impl Iterator<Item = AflRecord> + '_ {
    entries.iter().flat_map(AflEntry::records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_records_and_p2() {
        // Mastercard GPO format 2 AFL from vectors/emv (08 01 01 00 | 10 01 01 01 | 18 01 02 00 | 20 01 02 00)
        let afl = parse_emv_afl(&[0x08, 1, 1, 0, 0x10, 1, 1, 1, 0x18, 1, 2, 0, 0x20, 1, 2, 0]).unwrap();
        assert_eq!(afl.len(), 4);
        let recs: Vec<_> = emv_afl_records(&afl).collect();
        assert_eq!(recs.len(), 6);
        assert_eq!(recs[1], AflRecord { sfi: 2, record: 1, oda: true });
        assert_eq!(recs[5].read_record_p1_p2(), (2, 0x24));
        assert_eq!(afl[2].to_bytes(), [0x18, 1, 2, 0]);
    }

    #[test]
    fn errors() {
        assert_eq!(parse_emv_afl(&[]), Err(AflError::BadLength { len: 0 }));
        assert_eq!(parse_emv_afl(&[0x08, 1, 1]), Err(AflError::BadLength { len: 3 }));
        assert_eq!(parse_emv_afl(&[0x08, 1, 1, 0, 0x00, 1, 1, 0]), Err(AflError::BadSfi { offset: 4, byte: 0 }));
        assert_eq!(parse_emv_afl(&[0xF8, 1, 1, 0]), Err(AflError::BadSfi { offset: 0, byte: 0xF8 }));
        assert_eq!(parse_emv_afl(&[0x09, 1, 1, 0]), Err(AflError::BadSfi { offset: 0, byte: 0x09 }));
        assert_eq!(parse_emv_afl(&[0xF0, 1, 1, 0]).unwrap()[0].sfi, 30);
        assert_eq!(parse_emv_afl(&[0x08, 0, 1, 0]), Err(AflError::FirstRecordZero { offset: 0 }));
        assert_eq!(parse_emv_afl(&[0x08, 1, 2, 3]), Err(AflError::OdaCountTooLarge { offset: 0, oda: 3, records: 2 }));
        // 255 records, all ODA: no overflow in the record walk.
        let big = parse_emv_afl(&[0x08, 1, 255, 255]).unwrap();
        assert_eq!(big[0].records().count(), 255);
        assert!(big[0].records().all(|r| r.oda));
    }
}
