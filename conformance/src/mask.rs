//! Masking of PANs and track data before bytes reach a log or a report.
//!
//! PCI DSS allows the first six and last four PAN digits to be shown; everything else in a
//! PAN, track 2 equivalent data (after PAN, expiry and service code) and the cardholder name
//! becomes `*`. Values are found by walking the response as EMV BER-TLV; if it does not
//! parse (a faulty band), a byte scan for the same tags masks conservatively.

use tapcert_parsers::tlv::{Tag, TlvIter};

const PAN: u32 = 0x5A;
const TRACK2: u32 = 0x57;
const TRACK2_MAG: u32 = 0x9F6B;
const TRACK1: u32 = 0x56;
const NAME: u32 = 0x5F20;

/// Upper-case hex of `bytes` with sensitive nibbles replaced by `*`.
///
/// ```
/// use tapcert_conformance::mask::masked_hex;
/// let record = [0x70, 0x0A, 0x5A, 0x08, 0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10, 0x90, 0x00];
/// assert_eq!(masked_hex(&record), "700A5A08541333******00109000");
/// ```
pub fn masked_hex(bytes: &[u8]) -> String {
    let mut hide = vec![false; bytes.len() * 2];
    // Whole buffer, then without a trailing status word, then a byte scan.
    let without_sw = &bytes[..bytes.len().saturating_sub(2)];
    if !walk(bytes, 0, 0, &mut hide) && !walk(without_sw, 0, 0, &mut hide) {
        hide.iter_mut().for_each(|h| *h = false);
        scan(bytes, &mut hide);
    }
    let digits = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for (i, b) in bytes.iter().enumerate() {
        for (k, nib) in [b >> 4, b & 0x0F].into_iter().enumerate() {
            out.push(if hide[2 * i + k] { '*' } else { char::from(digits[usize::from(nib)]) });
        }
    }
    out
}

/// Marks sensitive values inside `bytes` (at `base` in the whole buffer). False if the bytes
/// are not a clean TLV sequence.
fn walk(bytes: &[u8], base: usize, depth: usize, hide: &mut [bool]) -> bool {
    if depth > 8 {
        return false;
    }
    let mut it = TlvIter::with_base(bytes, base);
    let mut any = false;
    for item in it.by_ref() {
        let Ok(tlv) = item else { return false };
        any = true;
        let at = tlv.value_offset();
        if tlv.is_constructed() {
            if !walk(tlv.value, at, depth + 1, hide) {
                // A constructed value that does not parse may still hide a PAN.
                scan_at(tlv.value, at, hide);
            }
        } else {
            mark(tlv.tag, tlv.value, at, hide);
        }
    }
    any
}

fn mark(tag: Tag, value: &[u8], at: usize, hide: &mut [bool]) {
    let nibbles = value.len() * 2;
    let range = |from: usize, to: usize, hide: &mut [bool]| {
        for n in from..to.min(nibbles) {
            hide[2 * at + n] = true;
        }
    };
    match tag.0 {
        PAN => {
            let digits = value.iter().flat_map(|b| [b >> 4, b & 0x0F]).take_while(|n| *n != 0x0F).count();
            range(6, digits.saturating_sub(4), hide);
        }
        TRACK2 | TRACK2_MAG => {
            let sep = value.iter().flat_map(|b| [b >> 4, b & 0x0F]).position(|n| n == 0x0D).unwrap_or(nibbles);
            range(6, sep.saturating_sub(4), hide);
            // Expiry (4) and service code (3) stay; discretionary data goes.
            range(sep + 8, nibbles, hide);
        }
        TRACK1 | NAME => range(0, nibbles, hide),
        _ => {}
    }
}

fn scan(bytes: &[u8], hide: &mut [bool]) {
    scan_at(bytes, 0, hide)
}

fn scan_at(bytes: &[u8], base: usize, hide: &mut [bool]) {
    for i in 0..bytes.len().saturating_sub(1) {
        let (tag, len_at) = match bytes[i] {
            0x5A | 0x57 | 0x56 => (Tag(u32::from(bytes[i])), i + 1),
            0x5F if bytes.get(i + 1) == Some(&0x20) => (Tag(NAME), i + 2),
            0x9F if bytes.get(i + 1) == Some(&0x6B) => (Tag(TRACK2_MAG), i + 2),
            _ => continue,
        };
        let Some(&len) = bytes.get(len_at) else { continue };
        let start = len_at + 1;
        let end = start + usize::from(len);
        // Only complete values: a stray 5A in a UID or a MAC is not a PAN.
        if len == 0 || len > 0x50 || end > bytes.len() {
            continue;
        }
        mark(tag, &bytes[start..end], base + start, hide);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track2_keeps_bin_last4_expiry_service_code() {
        // 57 13 5413330089600010 D 2512 201 0000000000000F
        let t2 = hex::decode("57135413330089600010D25122010000000000000F").unwrap();
        assert_eq!(masked_hex(&t2), "5713541333******0010D2512201**************");
    }

    #[test]
    fn malformed_tlv_is_still_masked() {
        // Record length off by one: 70 0B but only 10 bytes follow.
        let rec = hex::decode("700B5A0854133300896000109000").unwrap();
        assert!(masked_hex(&rec).contains("541333******0010"), "{}", masked_hex(&rec));
    }

    #[test]
    fn uid_bytes_are_not_taken_for_a_pan() {
        let uid = hex::decode("045A3B129C61809000").unwrap();
        assert_eq!(masked_hex(&uid), "045A3B129C61809000");
    }

    #[test]
    fn name_is_hidden_and_other_tags_untouched() {
        let b = hex::decode("5F20034142439F360200019000").unwrap();
        assert_eq!(masked_hex(&b), "5F2003******9F360200019000");
    }
}
