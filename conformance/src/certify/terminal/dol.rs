//! EMV Book 3 §5.4, written out again for checking: what each slot of DOL data must hold,
//! from the data object's format and the case's configured values. Deliberately not the
//! parsers' `build_emv_dol_data` nor their dictionary's formats, which the terminal engine
//! fills its DOLs with: a check never uses the code it checks.
//!
//! | format | requested shorter | requested longer |
//! |---|---|---|
//! | n | rightmost bytes kept | leading `00` |
//! | cn | leftmost bytes kept | trailing `FF` |
//! | b, an, ans | leftmost bytes kept | trailing `00` |
//!
//! A tag the terminal cannot know (private class, `DFxx`, not in the table below) is zeros.

use tapcert_parsers::tlv::DolEntry;

use super::criteria::TransactionExpect;
use super::rules::{self, Rule};

/// The format of a terminal data object (EMV Book 3 Annex A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Numeric BCD, right-justified.
    N,
    /// Binary.
    B,
    /// Alphanumeric (special).
    Ans,
}

/// What the criteria know of a terminal tag: format, natural length in bytes, and the rule
/// its configured value is checked under.
struct Known {
    tag: u32,
    format: Format,
    len: usize,
}

const KNOWN: &[Known] = &[
    Known { tag: 0x9F02, format: Format::N, len: 6 },
    Known { tag: 0x9F03, format: Format::N, len: 6 },
    Known { tag: 0x9F1A, format: Format::N, len: 2 },
    Known { tag: 0x5F2A, format: Format::N, len: 2 },
    Known { tag: 0x9C, format: Format::N, len: 1 },
    Known { tag: 0x9A, format: Format::N, len: 3 },
    Known { tag: 0x9F21, format: Format::N, len: 3 },
    Known { tag: 0x9F35, format: Format::N, len: 1 },
    Known { tag: 0x9F37, format: Format::B, len: 4 },
    Known { tag: 0x95, format: Format::B, len: 5 },
    Known { tag: 0x9F66, format: Format::B, len: 4 },
    Known { tag: 0x9F33, format: Format::B, len: 3 },
    Known { tag: 0x9F40, format: Format::B, len: 5 },
    Known { tag: 0x9F34, format: Format::B, len: 3 },
    Known { tag: 0x9F4E, format: Format::Ans, len: 0 },
    Known { tag: 0x9F1C, format: Format::Ans, len: 8 },
];

/// `value` in BCD, `bytes` long (right-justified, zero-filled, high digits dropped as the n
/// format does). Its own encoder, not `tapcert_parsers::bcd`: the criterion checks what the
/// terminal built with that code, and `bcd` there saturates at 99..9 instead.
fn bcd(mut value: u64, bytes: usize) -> Vec<u8> {
    let mut out = vec![0u8; bytes];
    for b in out.iter_mut().rev() {
        let lo = (value % 10) as u8;
        value /= 10;
        let hi = (value % 10) as u8;
        value /= 10;
        *b = (hi << 4) | lo;
    }
    out
}

/// A numeric value fitted to `len` bytes: rightmost kept, leading zeros added.
fn fit_n(natural: &[u8], len: usize) -> Vec<u8> {
    if len <= natural.len() {
        natural[natural.len() - len..].to_vec()
    } else {
        let mut v = vec![0u8; len - natural.len()];
        v.extend_from_slice(natural);
        v
    }
}

fn is_bcd(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9)
}

fn bcd_value(b: u8) -> u8 {
    (b >> 4) * 10 + (b & 0x0F)
}

/// One problem found in a DOL slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SlotProblem {
    pub rule: Rule,
    pub message: String,
}

/// The configured value of `tag`, as the natural-length bytes, and the rule it is checked under.
fn configured(tag: u32, expect: &TransactionExpect) -> Option<(Vec<u8>, Rule)> {
    Some(match tag {
        0x9F02 => (bcd(expect.amount, 6), rules::DATA_AMOUNT),
        0x9F03 => (bcd(expect.amount_other, 6), rules::DATA_AMOUNT),
        0x5F2A => (expect.currency.to_vec(), rules::DATA_CURRENCY),
        0x9F1A => (expect.country.to_vec(), rules::DATA_COUNTRY),
        0x9C => (vec![expect.transaction_type], rules::DATA_TYPE),
        _ => return None,
    })
}

/// Checks one slot of DOL data (`value` is exactly `entry.len` bytes).
pub(crate) fn check_slot(entry: &DolEntry, value: &[u8], expect: &TransactionExpect) -> Vec<SlotProblem> {
    let tag = entry.tag.0;
    let len = usize::from(entry.len);
    let mut out = Vec::new();
    let mut problem = |rule: Rule, message: String| out.push(SlotProblem { rule, message });
    let hexv = hex::encode_upper(value);
    let Some(known) = KNOWN.iter().find(|k| k.tag == tag) else {
        // Private class (b8 b7 = 11): issuer or kernel proprietary, unknown to a terminal that
        // was not told about it.
        let first = tag.to_be_bytes().into_iter().find(|b| *b != 0).unwrap_or(0);
        if first & 0xC0 == 0xC0 && value.iter().any(|b| *b != 0) {
            problem(rules::DOL_UNKNOWN_TAG, format!("{tag:X} (unknown) sent as {hexv}, expected {len} zero bytes"));
        }
        return out;
    };
    if let Some((natural, rule)) = configured(tag, expect) {
        let want = fit_n(&natural, len);
        if value != want.as_slice() {
            problem(rule, format!("{tag:X} ({len} bytes) sent as {hexv}, expected {}", hex::encode_upper(&want)));
        }
        return out;
    }
    match known.format {
        Format::N => {
            if !is_bcd(value) {
                problem(rules::DOL_FORMAT, format!("{tag:X} is format n, sent {hexv}: not BCD"));
            } else if len > known.len && value[..len - known.len].iter().any(|b| *b != 0) {
                problem(
                    rules::DOL_FORMAT,
                    format!("{tag:X} asked {len} bytes (n{}), sent {hexv}: padding must lead with 00", known.len * 2),
                );
            } else if len == known.len && (tag == 0x9A || tag == 0x9F21) {
                let (a, b, c) = (bcd_value(value[0]), bcd_value(value[1]), bcd_value(value[2]));
                let ok = if tag == 0x9A {
                    (1..=12).contains(&b) && (1..=31).contains(&c)
                } else {
                    a < 24 && b < 60 && c < 60
                };
                if !ok {
                    let what = if tag == 0x9A { "date YYMMDD" } else { "time HHMMSS" };
                    problem(rules::DOL_FORMAT, format!("{tag:X} sent {hexv}: not a valid {what}"));
                }
            }
        }
        Format::B | Format::Ans => {
            if known.len > 0 && len > known.len && value[known.len..].iter().any(|b| *b != 0) {
                problem(
                    rules::DOL_FORMAT,
                    format!(
                        "{tag:X} asked {len} bytes ({} natural), sent {hexv}: padding must trail with 00",
                        known.len
                    ),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tapcert_parsers::tlv::Tag;

    fn entry(tag: u32, len: u8) -> DolEntry {
        DolEntry { tag: Tag(tag), len, offset: 0 }
    }

    #[test]
    fn numeric_values_fit_right_justified() {
        let e = TransactionExpect { amount: 123_456, ..TransactionExpect::default() };
        assert!(check_slot(&entry(0x9F02, 6), &[0, 0, 0, 0x12, 0x34, 0x56], &e).is_empty());
        assert!(check_slot(&entry(0x9F02, 2), &[0x34, 0x56], &e).is_empty());
        assert!(check_slot(&entry(0x9F02, 8), &[0, 0, 0, 0, 0, 0x12, 0x34, 0x56], &e).is_empty());
        let p = check_slot(&entry(0x9F02, 2), &[0x00, 0x12], &e);
        assert_eq!(p[0].rule, rules::DATA_AMOUNT, "{p:?}");
        assert_eq!(check_slot(&entry(0x5F2A, 2), &[0x09, 0x78], &e)[0].rule, rules::DATA_CURRENCY);
    }

    #[test]
    fn binary_pads_trailing_and_unknown_private_tags_are_zero() {
        let e = TransactionExpect::default();
        assert!(check_slot(&entry(0x9F37, 6), &[1, 2, 3, 4, 0, 0], &e).is_empty());
        assert_eq!(check_slot(&entry(0x9F37, 6), &[0, 0, 1, 2, 3, 4], &e)[0].rule, rules::DOL_FORMAT);
        assert!(check_slot(&entry(0xDF7F, 3), &[0, 0, 0], &e).is_empty());
        assert_eq!(check_slot(&entry(0xDF7F, 3), &[0, 1, 0], &e)[0].rule, rules::DOL_UNKNOWN_TAG);
        assert_eq!(check_slot(&entry(0x9A, 3), &[0x26, 0x13, 0x01], &e)[0].rule, rules::DOL_FORMAT);
        assert!(check_slot(&entry(0x9A, 3), &[0x26, 0x12, 0x06], &e).is_empty());
    }
}
