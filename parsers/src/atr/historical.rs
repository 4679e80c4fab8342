//! Historical bytes (ISO/IEC 7816-4 §8.1.1): a category indicator, then compact-TLV objects.
//!
//! ```text
//! 00      compact-TLV objects, then a mandatory status indicator LCS SW1 SW2 (last 3 bytes)
//! 10      DIR data reference (next byte)
//! 80      compact-TLV objects (a status indicator, if any, is object 8x)
//! 81-8F   reserved for future use
//! other   proprietary
//! compact-TLV: one byte tag (b8-b5) | length (b4-b1), then the value
//! ```
//!
//! Decoding is separate from ATR parsing: a card's historical bytes are often proprietary,
//! and a malformed compact-TLV is a finding about the card, not a reason to reject its ATR.

use super::AtrError;
use crate::apdu::StatusWord;

/// One compact-TLV object of the historical bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactTlv<'a> {
    /// The tag nibble (1 country code ... F application identifier).
    pub tag: u8,
    /// The value.
    pub value: &'a [u8],
    /// Offset of the tag-length byte (from TS when decoded from an ATR).
    pub offset: usize,
}

impl CompactTlv<'_> {
    /// The name ISO/IEC 7816-4 gives the tag.
    pub fn name(&self) -> &'static str {
        compact_tlv_tag_name(self.tag)
    }
}

/// Name of a compact-TLV tag nibble (ISO/IEC 7816-4 §8.1.1.2).
pub fn compact_tlv_tag_name(tag: u8) -> &'static str {
    match tag {
        0x1 => "country code",
        0x2 => "issuer identification number",
        0x3 => "card service data",
        0x4 => "initial access data",
        0x5 => "card issuer's data",
        0x6 => "pre-issuing data",
        0x7 => "card capabilities",
        0x8 => "status indicator",
        0xF => "application identifier",
        _ => "reserved",
    }
}

/// Parses `input` as a sequence of compact-TLV objects; offsets are `base + position`.
pub fn parse_compact_tlv(input: &[u8], base: usize) -> Result<Vec<CompactTlv<'_>>, AtrError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(&tl) = input.get(pos) {
        let len = usize::from(tl & 0x0F);
        let available = input.len() - pos - 1;
        if len > available {
            return Err(AtrError::CompactTlvTruncated { offset: base + pos, declared: len, available });
        }
        out.push(CompactTlv { tag: tl >> 4, value: &input[pos + 1..pos + 1 + len], offset: base + pos });
        pos += 1 + len;
    }
    Ok(out)
}

/// A status indicator: life cycle status (LCS) and/or a status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusIndicator {
    /// Card life cycle status byte.
    pub lcs: Option<u8>,
    /// SW1 SW2.
    pub sw: Option<StatusWord>,
}

impl StatusIndicator {
    fn from_value(v: &[u8]) -> Option<Self> {
        match *v {
            [lcs] => Some(StatusIndicator { lcs: Some(lcs), sw: None }),
            [sw1, sw2] => Some(StatusIndicator { lcs: None, sw: Some(StatusWord::from_bytes(sw1, sw2)) }),
            [lcs, sw1, sw2] => Some(StatusIndicator { lcs: Some(lcs), sw: Some(StatusWord::from_bytes(sw1, sw2)) }),
            _ => None,
        }
    }
}

/// The historical bytes, decoded by their category indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoricalBytes<'a> {
    /// No historical bytes.
    Empty,
    /// Category `00`: compact-TLV objects and a trailing status indicator.
    CompactTlvWithStatus {
        /// The objects before the status indicator.
        objects: Vec<CompactTlv<'a>>,
        /// LCS SW1 SW2 (the last 3 bytes).
        status: StatusIndicator,
    },
    /// Category `10`: a DIR data reference.
    DirDataReference {
        /// The bytes after the indicator.
        reference: &'a [u8],
    },
    /// Category `80`: compact-TLV objects.
    CompactTlv {
        /// The objects.
        objects: Vec<CompactTlv<'a>>,
        /// The status indicator object (tag 8), if present and well formed.
        status: Option<StatusIndicator>,
    },
    /// Category `81`-`8F`: reserved for future use.
    Reserved {
        /// The category indicator.
        category: u8,
        /// The bytes after it.
        data: &'a [u8],
    },
    /// Any other category indicator: proprietary format.
    Proprietary {
        /// The first byte.
        category: u8,
        /// The bytes after it.
        data: &'a [u8],
    },
}

/// Decodes historical bytes by their category indicator; `base` is the offset of the first
/// historical byte (for error offsets).
///
/// ```
/// use tapcert_parsers::atr::{decode_historical_bytes, HistoricalBytes};
/// use tapcert_parsers::apdu::StatusWord;
/// // 80 | 31 80 (card service data) | 83 00 90 00 (status indicator LCS 00, SW 9000)
/// let h = decode_historical_bytes(&[0x80, 0x31, 0x80, 0x83, 0x00, 0x90, 0x00], 4).unwrap();
/// let HistoricalBytes::CompactTlv { objects, status } = h else { panic!() };
/// assert_eq!((objects.len(), objects[1].offset), (2, 7));
/// assert_eq!(status.unwrap().sw, Some(StatusWord::OK));
/// // tag 4 announcing 15 bytes where 2 remain
/// assert_eq!(
///     decode_historical_bytes(&[0x80, 0x4F, 0x0C, 0xA0], 4),
///     Err(tapcert_parsers::atr::AtrError::CompactTlvTruncated { offset: 5, declared: 15, available: 2 })
/// );
/// ```
pub fn decode_historical_bytes(bytes: &[u8], base: usize) -> Result<HistoricalBytes<'_>, AtrError> {
    let Some((&category, rest)) = bytes.split_first() else {
        return Ok(HistoricalBytes::Empty);
    };
    Ok(match category {
        0x00 => {
            if rest.len() < 3 {
                return Err(AtrError::StatusIndicatorMissing { offset: base, available: rest.len() });
            }
            let (tlv, status) = rest.split_at(rest.len() - 3);
            HistoricalBytes::CompactTlvWithStatus {
                objects: parse_compact_tlv(tlv, base + 1)?,
                status: StatusIndicator::from_value(status).unwrap_or(StatusIndicator { lcs: None, sw: None }),
            }
        }
        0x10 => HistoricalBytes::DirDataReference { reference: rest },
        0x80 => {
            let objects = parse_compact_tlv(rest, base + 1)?;
            let status = objects.iter().find(|o| o.tag == 0x8).and_then(|o| StatusIndicator::from_value(o.value));
            HistoricalBytes::CompactTlv { objects, status }
        }
        0x81..=0x8F => HistoricalBytes::Reserved { category, data: rest },
        _ => HistoricalBytes::Proprietary { category, data: rest },
    })
}

/// Card capabilities (compact-TLV tag 7, ISO/IEC 7816-4 §8.1.1.2.7): up to three software
/// function tables. `None` members: the table is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardCapabilities {
    /// First table: selection methods (DF name, path, file identifier, ...).
    pub selection_methods: u8,
    /// Second table: the data coding byte.
    pub data_coding: Option<u8>,
    /// Third table b8: command chaining supported.
    pub command_chaining: Option<bool>,
    /// Third table b7: extended Lc and Le fields supported.
    pub extended_length: Option<bool>,
    /// Third table b3-b1: maximum number of logical channels minus one (7: eight or more).
    pub max_logical_channels: Option<u8>,
}

impl CardCapabilities {
    /// Decodes the value of a tag-7 object (1 to 3 bytes; `None` for an empty value).
    pub fn from_value(value: &[u8]) -> Option<Self> {
        let (&first, rest) = value.split_first()?;
        let third = rest.get(1).copied();
        Some(CardCapabilities {
            selection_methods: first,
            data_coding: rest.first().copied(),
            command_chaining: third.map(|b| b & 0x80 != 0),
            extended_length: third.map(|b| b & 0x40 != 0),
            max_logical_channels: third.map(|b| (b & 0x07) + 1),
        })
    }
}

impl HistoricalBytes<'_> {
    /// The compact-TLV objects, for the categories that have them.
    pub fn objects(&self) -> &[CompactTlv<'_>] {
        match self {
            HistoricalBytes::CompactTlvWithStatus { objects, .. } | HistoricalBytes::CompactTlv { objects, .. } => {
                objects
            }
            _ => &[],
        }
    }

    /// The card capabilities object (tag 7), when present.
    pub fn card_capabilities(&self) -> Option<CardCapabilities> {
        self.objects().iter().find(|o| o.tag == 0x7).and_then(|o| CardCapabilities::from_value(o.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_00_keeps_status_apart() {
        // BNP bank card historical bytes (smartcard_list.txt, 3B 6F 00 FF ...)
        let h = [0x00, 0x31, 0xC1, 0x73, 0xC8, 0x21, 0x10, 0x64, 0x41, 0x4D, 0x33, 0x48, 0x07, 0x90, 0x00];
        let HistoricalBytes::CompactTlvWithStatus { objects, status } = decode_historical_bytes(&h, 4).unwrap() else {
            panic!("category 00 expected");
        };
        assert_eq!(objects.iter().map(|o| o.tag).collect::<Vec<_>>(), [3, 7, 6]);
        assert_eq!(status, StatusIndicator { lcs: Some(0x07), sw: Some(StatusWord::OK) });
    }

    #[test]
    fn card_capabilities_third_table() {
        // BNP: 73 C8 21 10 -> no chaining, no extended length, 1 logical channel
        let h = [0x00, 0x73, 0xC8, 0x21, 0x10, 0x07, 0x90, 0x00];
        let caps = decode_historical_bytes(&h, 0).unwrap().card_capabilities().unwrap();
        assert_eq!(
            (caps.command_chaining, caps.extended_length, caps.max_logical_channels),
            (Some(false), Some(false), Some(1))
        );
        let caps = CardCapabilities::from_value(&[0x00, 0x00, 0xC3]).unwrap();
        assert_eq!(
            (caps.command_chaining, caps.extended_length, caps.max_logical_channels),
            (Some(true), Some(true), Some(4))
        );
        assert_eq!(CardCapabilities::from_value(&[0xFF]).unwrap().extended_length, None);
    }

    #[test]
    fn malformed_compact_tlv_has_offset() {
        assert_eq!(
            decode_historical_bytes(&[0x80, 0x4F, 0x0C, 0xA0], 4),
            Err(AtrError::CompactTlvTruncated { offset: 5, declared: 15, available: 2 })
        );
        assert_eq!(
            decode_historical_bytes(&[0x00, 0x90], 4),
            Err(AtrError::StatusIndicatorMissing { offset: 4, available: 1 })
        );
        assert_eq!(
            decode_historical_bytes(&[0x3B, 0x01], 4).unwrap(),
            HistoricalBytes::Proprietary { category: 0x3B, data: &[0x01] }
        );
    }
}
