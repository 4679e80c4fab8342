//! Data Object Lists as the terminal fills them (EMV Book 3 §5.4).
//!
//! A DOL is a list of `tag length` pairs without values. The terminal answers with the
//! concatenation of its values, each forced to the requested length:
//!
//! ```text
//! requested < actual   n: keep the rightmost bytes      other formats: keep the leftmost
//! requested > actual   n: pad with leading 00            cn: pad with trailing FF
//!                      other formats: pad with trailing 00
//! unknown tag, or a constructed tag: the requested number of 00 bytes
//! ```
//!
//! This is the terminal's side only; it walks the DOL with the BER-TLV core's tag and length
//! parsers.

use tapcert_parsers::tlv::{Tag, TlvError, parse_emv_length, parse_emv_tag};

use super::terminal::{DataFormat, TerminalData};

/// One DOL entry: the tag asked for and the length wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DolEntry {
    pub tag: Tag,
    pub len: usize,
}

/// Splits a DOL into its entries. Offsets in errors are relative to `dol`.
pub(crate) fn parse_dol(dol: &[u8]) -> Result<Vec<DolEntry>, TlvError> {
    let mut entries = Vec::new();
    let mut rest = dol;
    while !rest.is_empty() {
        let offset = dol.len() - rest.len();
        let (after_tag, tag) = parse_emv_tag(rest).map_err(|e| shift(e, offset))?;
        let (after_len, len) = parse_emv_length(after_tag).map_err(|e| shift(e, dol.len() - after_tag.len()))?;
        entries.push(DolEntry { tag, len: len.value });
        rest = after_len;
    }
    Ok(entries)
}

fn shift(e: nom::Err<TlvError>, base: usize) -> TlvError {
    let e = match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        // The core parsers are complete-input parsers; they never ask for more.
        nom::Err::Incomplete(_) => TlvError::TruncatedTag { offset: 0 },
    };
    match e {
        TlvError::TruncatedTag { offset } => TlvError::TruncatedTag { offset: offset + base },
        TlvError::TagTooLong { offset, max } => TlvError::TagTooLong { offset: offset + base, max },
        TlvError::TruncatedLength { offset, needed, available } => {
            TlvError::TruncatedLength { offset: offset + base, needed, available }
        }
        TlvError::IndefiniteLength { offset } => TlvError::IndefiniteLength { offset: offset + base },
        TlvError::UnsupportedLengthForm { offset, first_byte } => {
            TlvError::UnsupportedLengthForm { offset: offset + base, first_byte }
        }
        other => other,
    }
}

/// The total length the DOL asks for, or `None` when it exceeds `limit` (checked before any
/// allocation, so a DOL of `9F02 84FFFFFFFF` costs nothing).
pub(crate) fn dol_data_len(entries: &[DolEntry], limit: usize) -> Option<usize> {
    let mut total = 0usize;
    for e in entries {
        total = total.checked_add(e.len).filter(|&t| t <= limit)?;
    }
    Some(total)
}

/// Builds the DOL-related data. The caller has checked the total with [`dol_data_len`].
pub(crate) fn build_dol_data(entries: &[DolEntry], terminal: &TerminalData) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        match terminal.get(e.tag).filter(|_| !e.tag.is_constructed()) {
            Some((value, format)) => fit(value, e.len, format, &mut out),
            None => out.resize(out.len() + e.len, 0x00),
        }
    }
    out
}

fn fit(value: &[u8], want: usize, format: DataFormat, out: &mut Vec<u8>) {
    let have = value.len();
    match format {
        DataFormat::Numeric if want <= have => out.extend_from_slice(&value[have - want..]),
        DataFormat::Numeric => {
            out.resize(out.len() + (want - have), 0x00);
            out.extend_from_slice(value);
        }
        // `cn` data (padded with FF) is card data (PAN): the terminal never fills it.
        DataFormat::Other if want <= have => out.extend_from_slice(&value[..want]),
        DataFormat::Other => {
            out.extend_from_slice(value);
            out.resize(out.len() + (want - have), 0x00);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::TerminalConfig;

    fn terminal() -> TerminalData {
        TerminalConfig::default().data([0x11, 0x22, 0x33, 0x44], [0x26, 0x11, 0x22], [0x02, 0x32, 0x22])
    }

    #[test]
    fn parses_the_pdol_with_a_repeated_tag() {
        // From the Visa Electron SELECT response of samples.md: 9A appears twice.
        let pdol = hex::decode("9F66049F02069F03069F1A0295055F2A029A039C019F37049A03").unwrap();
        let entries = parse_dol(&pdol).unwrap();
        assert_eq!(entries.len(), 10);
        assert_eq!(entries[6], DolEntry { tag: Tag(0x9A), len: 3 });
        assert_eq!(entries[9], DolEntry { tag: Tag(0x9A), len: 3 });
        assert_eq!(dol_data_len(&entries, 252), Some(36));
        let data = build_dol_data(&entries, &terminal());
        assert_eq!(data.len(), 36);
        // 9F37 (the unpredictable number) sits after 4+6+6+2+5+2+3+1 = 29 bytes.
        assert_eq!(&data[29..33], [0x11, 0x22, 0x33, 0x44]);
        assert_eq!(&data[33..36], [0x26, 0x11, 0x22]);
    }

    #[test]
    fn pads_and_truncates_by_format() {
        let t = terminal();
        // Amount (n12 = 6 bytes 000000000100) asked as 4: keep the rightmost; as 8: leading zeros.
        let d = build_dol_data(&[DolEntry { tag: Tag(0x9F02), len: 4 }], &t);
        assert_eq!(d, [0x00, 0x00, 0x01, 0x00]);
        let d = build_dol_data(&[DolEntry { tag: Tag(0x9F02), len: 8 }], &t);
        assert_eq!(d, [0, 0, 0, 0, 0, 0, 0x01, 0x00]);
        // TTQ (b, 4 bytes) asked as 2: leftmost; as 6: trailing zeros.
        let d = build_dol_data(&[DolEntry { tag: Tag(0x9F66), len: 2 }], &t);
        assert_eq!(d, [0x36, 0x00]);
        let d = build_dol_data(&[DolEntry { tag: Tag(0x9F66), len: 6 }], &t);
        assert_eq!(d, [0x36, 0x00, 0x40, 0x00, 0, 0]);
        // Unknown and constructed tags: zeros.
        let d = build_dol_data(&[DolEntry { tag: Tag(0x9F7C), len: 3 }, DolEntry { tag: Tag(0x70), len: 2 }], &t);
        assert_eq!(d, [0; 5]);
    }

    #[test]
    fn huge_or_broken_dols_are_rejected_before_allocating() {
        let entries = parse_dol(&[0x9F, 0x02, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x9A, 0x03]).unwrap();
        assert_eq!(dol_data_len(&entries, 252), None);
        assert_eq!(parse_dol(&[0x9A, 0x03, 0x9F]), Err(TlvError::TruncatedTag { offset: 2 }));
        assert_eq!(parse_dol(&[0x9A, 0x03, 0x9F, 0x02, 0x80]), Err(TlvError::IndefiniteLength { offset: 4 }));
    }
}
