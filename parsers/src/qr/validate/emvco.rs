//! EMVCo QRCPS Merchant-Presented Mode v1.1 base rules (§3.2 character sets, §4.2-4.4 data
//! objects, §4.7.3 CRC). Rule ids of the findings (warnings, but for `QR.CRC`), each located
//! by the id path and, when the object is present, its character offset:
//!
//! | rule | what |
//! |---|---|
//! | `QR.EMVCO.ORDER-00-FIRST` / `QR.EMVCO.ORDER-63-LAST` | 00 must be the first object, 63 the last (§4.2) |
//! | `QR.EMVCO.MANDATORY` | 00, 52, 53, 58, 59, 60, 63 present |
//! | `QR.EMVCO.MERCHANT-ACCOUNT` | at least one of 02-51 |
//! | `QR.EMVCO.DUPLICATE-ID` | a top-level ID appears more than once |
//! | `QR.EMVCO.PAYLOAD-FORMAT` | 00 = "01" |
//! | `QR.EMVCO.POINT-OF-INITIATION` | 01 in {11 static, 12 dynamic} |
//! | `QR.EMVCO.MCC-FORMAT` | 52 four digits |
//! | `QR.EMVCO.CURRENCY` | 53 an ISO 4217 numeric code |
//! | `QR.EMVCO.AMOUNT-FORMAT` | 54 (and 56) digits, one optional '.', at most 13 characters, not zero |
//! | `QR.EMVCO.TIP-INDICATOR` | 55 in {01, 02, 03}; 02 needs 56, 03 needs 57; 56/57 need the matching 55 |
//! | `QR.EMVCO.FEE-PERCENTAGE` | 57 digits and '.', at most 5 characters, between 00.01 and 99.99 |
//! | `QR.EMVCO.COUNTRY` | 58 an ISO 3166-1 alpha-2 code |
//! | `QR.EMVCO.MAX-LENGTH` | 59 <= 25, 60 <= 15, 61 <= 10 characters; 62 sub-IDs 01-08 <= 25 |
//! | `QR.EMVCO.CHARSET` | values outside template 64 use the common character set (printable ASCII) |
//! | `QR.CRC-FORMAT` / `QR.CRC` | 63 is 4 upper-case hex digits equal to the computed CRC; `QR.CRC` (the CRC does not match) is an error |
//! | `QR.EMVCO.TEMPLATE-GUID` | templates 26-51 and 80-99 carry a GUID in 00 |
//! | `QR.EMVCO.RFU-ID` | IDs reserved for future use (65-79 top level, 12-49 in 62, 03-99 in 64) |
//! | `QR.EMVCO.CONSUMER-DATA-REQUEST` | 62.09 a combination of A, M, E, each at most once |
//! | `QR.EMVCO.MERCHANT-CHANNEL` | 62.11 three characters |
//! | `QR.EMVCO.LANGUAGE-TEMPLATE` | 64 holds 00 (2 letters) and 01 |

use super::super::{MerchantQr, MpmId, MpmObject, crc_hex};
use super::iso::{is_iso3166_alpha2, is_iso4217_numeric};
use super::{Findings, all_digits, amount_problem, child_path};

/// Which top-level IDs are present, one bit each: one pass instead of a search per rule.
#[derive(Clone, Copy)]
struct Present(u128);

impl Present {
    fn has(self, id: u8) -> bool {
        self.0 & (1u128 << id) != 0
    }
}

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    let present = order(qr, f);
    mandatory(present, f);
    for obj in &qr.objects {
        object(obj, f);
    }
    tip(qr, present, f);
    crc(qr, f);
}

fn order(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) -> Present {
    if let Some(first) = qr.objects.first()
        && first.id != MpmId::PAYLOAD_FORMAT_INDICATOR
    {
        f.at("QR.EMVCO.ORDER-00-FIRST", first.id, format!("the payload starts with {}: 00 must be first", first.id));
    }
    if let Some(last) = qr.objects.last()
        && last.id != MpmId::CRC
    {
        f.at("QR.EMVCO.ORDER-63-LAST", last.id, format!("the payload ends with {}: 63 (CRC) must be last", last.id));
    }
    let mut seen = Present(0);
    for obj in &qr.objects {
        if seen.has(obj.id.0) {
            f.at_char(
                "QR.EMVCO.DUPLICATE-ID",
                obj.id,
                obj.offset,
                format!("{} appears more than once (again at character {})", obj.id, obj.offset),
            );
        }
        seen.0 |= 1u128 << obj.id.0;
    }
    seen
}

fn mandatory(present: Present, f: &mut Findings<'_, '_>) {
    for id in [0u8, 52, 53, 58, 59, 60, 63] {
        if !present.has(id) {
            f.at("QR.EMVCO.MANDATORY", MpmId(id), format!("{} is mandatory and absent", label(MpmId(id))));
        }
    }
    // IDs 02-51, one mask instead of 50 shifts.
    const MERCHANT_ACCOUNT: u128 = ((1u128 << 52) - 1) & !0b11;
    if present.0 & MERCHANT_ACCOUNT == 0 {
        f.at(
            "QR.EMVCO.MERCHANT-ACCOUNT",
            "02-51",
            "at least one Merchant Account Information object (02-51) is mandatory",
        );
    }
}

fn label(id: MpmId) -> String {
    match super::super::mpm_id_name(None, id) {
        Some(n) => format!("{id} ({n})"),
        None => id.to_string(),
    }
}

fn max_chars(f: &mut Findings<'_, '_>, path: impl core::fmt::Display, v: &str, max: usize) {
    if v.len() <= max {
        return; // never more characters than bytes
    }
    let n = v.chars().count();
    if n > max {
        f.at("QR.EMVCO.MAX-LENGTH", path, format!("{n} characters: at most {max}"));
    }
}

/// True when every byte is printable ASCII (0x20..=0x7E). Eight bytes at a time: a byte below
/// 0x20 borrows into its top bit when 0x20 is subtracted, one above 0x7E carries into it when
/// 0x01 is added (or has it set already); both tests are exact for "some byte is out".
fn common_charset(v: &str) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut chunks = v.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w);
        let below = x.wrapping_sub(ONES * 0x20) & !x;
        let above = x.wrapping_add(ONES) | x;
        if (below | above) & HIGH != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(|b| (0x20..=0x7E).contains(b))
}

fn object(obj: &MpmObject<'_>, f: &mut Findings<'_, '_>) {
    let v = obj.value;
    if obj.id != MpmId::LANGUAGE_TEMPLATE && !common_charset(v) {
        f.at(
            "QR.EMVCO.CHARSET",
            obj.id,
            "only template 64 may use characters outside the common (printable ASCII) set",
        );
    }
    match obj.id.0 {
        0 if v != "01" => {
            f.at("QR.EMVCO.PAYLOAD-FORMAT", obj.id, format!("{v:?}: the Payload Format Indicator is \"01\""))
        }
        1 if v != "11" && v != "12" => {
            f.at("QR.EMVCO.POINT-OF-INITIATION", obj.id, format!("{v:?}: expected \"11\" (static) or \"12\" (dynamic)"))
        }
        26..=51 | 80..=99 if obj.guid().is_none() => {
            f.at("QR.EMVCO.TEMPLATE-GUID", obj.id, "the template has no Globally Unique Identifier (00)")
        }
        52 if !(v.len() == 4 && all_digits(v)) => {
            f.at("QR.EMVCO.MCC-FORMAT", obj.id, format!("{v:?}: expected 4 digits"))
        }
        53 if !(v.len() == 3 && all_digits(v) && is_iso4217_numeric(v)) => {
            f.at("QR.EMVCO.CURRENCY", obj.id, format!("{v:?}: expected an ISO 4217 numeric currency code"))
        }
        54 | 56 => {
            if let Some(why) = amount_problem(v) {
                f.at("QR.EMVCO.AMOUNT-FORMAT", obj.id, format!("{v:?}: {why}"));
            }
        }
        57 => fee_percentage(obj, f),
        58 if !is_iso3166_alpha2(v) => {
            f.at("QR.EMVCO.COUNTRY", obj.id, format!("{v:?}: expected an ISO 3166-1 alpha-2 country code"))
        }
        59 => max_chars(f, obj.id, v, 25),
        60 => max_chars(f, obj.id, v, 15),
        61 => max_chars(f, obj.id, v, 10),
        62 => additional_data(obj, f),
        63 => {}
        64 => language(obj, f),
        65..=79 => f.at("QR.EMVCO.RFU-ID", obj.id, format!("{} is reserved for future use by EMVCo", obj.id)),
        _ => {}
    }
}

fn fee_percentage(obj: &MpmObject<'_>, f: &mut Findings<'_, '_>) {
    let v = obj.value;
    let well_formed = !v.is_empty()
        && v.len() <= 5
        && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && v.bytes().filter(|&b| b == b'.').count() <= 1;
    let in_range = well_formed && v.parse::<f64>().is_ok_and(|p| (0.01..=99.99).contains(&p));
    if !in_range {
        f.at(
            "QR.EMVCO.FEE-PERCENTAGE",
            obj.id,
            format!("{v:?}: expected a percentage 00.01 to 99.99, at most 5 characters"),
        );
    }
}

fn additional_data(obj: &MpmObject<'_>, f: &mut Findings<'_, '_>) {
    for c in obj.children() {
        let path = child_path(obj, c.id);
        match c.id.0 {
            1..=8 => max_chars(f, path, c.value, 25),
            9 => {
                let ok = !c.value.is_empty()
                    && c.value.len() <= 3
                    && c.value.bytes().all(|b| matches!(b, b'A' | b'M' | b'E'))
                    && !(1..c.value.len()).any(|i| c.value.as_bytes()[..i].contains(&c.value.as_bytes()[i]));
                if !ok {
                    f.at(
                        "QR.EMVCO.CONSUMER-DATA-REQUEST",
                        path,
                        format!("{:?}: expected A, M and/or E, each once", c.value),
                    );
                }
            }
            10 => max_chars(f, path, c.value, 20),
            11 if c.value.chars().count() != 3 => {
                f.at("QR.EMVCO.MERCHANT-CHANNEL", path, format!("{:?}: expected 3 characters", c.value))
            }
            12..=49 => {
                f.at("QR.EMVCO.RFU-ID", path, "sub-IDs 12-49 of template 62 are reserved for future use by EMVCo")
            }
            _ => {}
        }
    }
}

fn language(obj: &MpmObject<'_>, f: &mut Findings<'_, '_>) {
    match obj.child_value(MpmId(0)) {
        Some(l) if l.len() == 2 && l.bytes().all(|b| b.is_ascii_alphabetic()) => {}
        Some(l) => {
            f.at("QR.EMVCO.LANGUAGE-TEMPLATE", child_path(obj, MpmId(0)), format!("{l:?}: expected an ISO 639-1 code"))
        }
        None => f.at("QR.EMVCO.LANGUAGE-TEMPLATE", obj.id, "Language Preference (00) is mandatory in template 64"),
    }
    match obj.child_value(MpmId(1)) {
        Some(n) => max_chars(f, child_path(obj, MpmId(1)), n, 25),
        None => f.at(
            "QR.EMVCO.LANGUAGE-TEMPLATE",
            obj.id,
            "Merchant Name - Alternate Language (01) is mandatory in template 64",
        ),
    }
    if let Some(c) = obj.child_value(MpmId(2)) {
        max_chars(f, child_path(obj, MpmId(2)), c, 15);
    }
    for c in obj.children() {
        if c.id.0 >= 3 {
            f.at("QR.EMVCO.RFU-ID", child_path(obj, c.id), "sub-IDs 03-99 of template 64 are reserved for future use");
        }
    }
}

fn tip(qr: &MerchantQr<'_>, present: Present, f: &mut Findings<'_, '_>) {
    let indicator = if present.has(55) { qr.value(MpmId::TIP_OR_CONVENIENCE_INDICATOR) } else { None };
    let fixed = present.has(56);
    let pct = present.has(57);
    match indicator {
        None => {
            if fixed || pct {
                f.at(
                    "QR.EMVCO.TIP-INDICATOR",
                    if fixed { "56" } else { "57" },
                    "a convenience fee without 55 saying which kind",
                );
            }
        }
        Some("01") if fixed || pct => {
            f.at("QR.EMVCO.TIP-INDICATOR", "55", "01 (prompt for tip) must not come with a convenience fee (56/57)")
        }
        Some("01") => {}
        Some("02") if !fixed || pct => {
            f.at("QR.EMVCO.TIP-INDICATOR", "55", "02 (fixed convenience fee) needs 56 and no 57")
        }
        Some("03") if !pct || fixed => {
            f.at("QR.EMVCO.TIP-INDICATOR", "55", "03 (percentage convenience fee) needs 57 and no 56")
        }
        Some("02" | "03") => {}
        Some(v) => f.at("QR.EMVCO.TIP-INDICATOR", "55", format!("{v:?}: expected 01, 02 or 03")),
    }
}

fn crc(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    let Some(crc) = qr.crc else {
        if let Some(o) = qr.get(MpmId::CRC) {
            f.at("QR.CRC-FORMAT", o.id, format!("{:?}: the CRC is 4 hex digits in the last object", o.value));
        }
        return;
    };
    if !crc.stated.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) {
        f.at("QR.CRC-FORMAT", "63", format!("{:?}: expected 4 upper-case hex digits", crc.stated));
    }
    if !crc.ok() {
        f.error(
            "QR.CRC",
            "63",
            format!(
                "stated {:?}, computed {} over the bytes up to and including \"6304\"",
                crc.stated,
                crc_hex(crc.computed)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::common_charset;

    #[test]
    fn charset_word_test_agrees_with_the_byte_test() {
        // Every byte value at every position of a 1..=20 byte value (both the 8-byte words and
        // the tail), among printable neighbours.
        for len in 1..=20 {
            for pos in 0..len {
                for b in 0..=0x7Fu8 {
                    let mut v = vec![b'~'; len];
                    v[pos] = b;
                    let s = core::str::from_utf8(&v).unwrap();
                    assert_eq!(common_charset(s), (0x20..=0x7E).contains(&b), "len {len} pos {pos} byte {b:#x}");
                }
                let mut v = "~".repeat(len);
                v.replace_range(pos..pos + 1, "é");
                assert!(!common_charset(&v), "len {len} pos {pos}");
            }
        }
        assert!(common_charset("") && common_charset(" BEST TRANSPORT ~"));
    }
}
