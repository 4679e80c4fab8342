//! Masking of PANs, track data and cardholder names: the one rule every tapcert output uses
//! (decoded traces, APDU logs, transcripts, reports).
//!
//! PCI DSS lets at most the first six and the last four PAN digits be shown. tapcert's rule,
//! per tag (nibbles are counted high nibble first):
//!
//! | Tag | Shown | Hidden |
//! |---|---|---|
//! | `5A` PAN (cn) | first 6 and last 4 digits when there are more than 10; the trailing `F` padding | every other digit; all digits of a PAN of 10 digits or fewer |
//! | `57` track 2 equivalent data, `9F6B` track 2 data (b, `PAN D YYMM SSS discretionary F`) | the PAN digits kept by the PAN rule, the `D` separator | everything after the separator: expiry, service code, discretionary data, padding; all of it when there is no separator |
//! | `56` track 1 data (ans, `B PAN ^ NAME ^ YYMM SSS discretionary`) | the format code, the PAN characters kept by the PAN rule, the first `^` | everything after the first `^` (name, expiry, service code, discretionary data) |
//! | `9F1F` track 1 discretionary data, `9F20` track 2 discretionary data, `5F20` cardholder name, `9F0B` cardholder name extended | nothing | everything |
//!
//! Why expiry and service code are hidden too: they let a PAN be replayed on magnetic stripe
//! fallback, and no conformance check needs to read them from a log. Visa uses `9F6B` for a
//! 6-byte amount (card CVM limit): a `9F6B` value without a `D` nibble is not track data and
//! is left as is.
//!
//! Over raw bytes ([`mask_emv_hex`]) values are found by walking the bytes as EMV BER-TLV; when
//! that fails (a faulty card's record), a byte scan for the same tags masks every complete
//! value it finds, so a malformed response never leaks more than a well-formed one. An object
//! of these tags whose own length runs past the end of the bytes (a truncated record, a length
//! off by one) is hidden whole, from its first value byte to the end of the buffer, when what
//! is there has the shape of the tag's value (digits for a PAN, digits and the `D` separator
//! for track 2, text for track 1 and names): a PAN never shows because its object is broken.
//!
//! ```
//! use tapcert_parsers::tlv::{mask_emv_hex, mask_emv_value_hex, Tag};
//! assert_eq!(mask_emv_value_hex(Tag::PAN, &[0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10]).unwrap(), "541333******0010");
//! let record = [0x70, 0x0A, 0x5A, 0x08, 0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10, 0x90, 0x00];
//! assert_eq!(mask_emv_hex(&record), "700A5A08541333******00109000");
//! // Application label: nothing to hide.
//! assert_eq!(mask_emv_value_hex(Tag(0x50), b"VISA"), None);
//! ```

use super::{Tag, TlvIter, parse_emv_tag};

/// Tags whose values are masked in every output (see the module table).
pub const EMV_SENSITIVE_TAGS: [Tag; 8] = [
    Tag::PAN,
    Tag::TRACK2_EQUIVALENT_DATA,
    Tag::TRACK2_DATA,
    Tag::TRACK1_DATA,
    Tag(0x9F1F),
    Tag(0x9F20),
    Tag(0x5F20),
    Tag(0x9F0B),
];

/// Longest value the byte scan of a malformed buffer treats as a sensitive value (a track 1
/// is at most 79 characters); a longer "length" after a stray tag byte is not one.
const SCAN_MAX_VALUE: usize = 0x50;

/// Nesting depth of constructed objects walked before falling back to the byte scan.
const WALK_MAX_DEPTH: usize = 8;

/// Which nibbles of `value` (two per byte, high nibble first) the value of `tag` hides;
/// `None` when the tag carries nothing sensitive (or is a Visa `9F6B` amount).
pub fn emv_sensitive_nibbles(tag: Tag, value: &[u8]) -> Option<Vec<bool>> {
    let nibbles: Vec<u8> = value.iter().flat_map(|b| [b >> 4, b & 0x0F]).collect();
    let mut hide = vec![false; nibbles.len()];
    match tag {
        Tag::PAN => {
            let digits = nibbles.iter().rposition(|n| *n != 0x0F).map_or(0, |p| p + 1);
            hide_pan_digits(&mut hide[..digits]);
        }
        Tag::TRACK2_EQUIVALENT_DATA | Tag::TRACK2_DATA => {
            let sep = nibbles.iter().position(|n| *n == 0x0D);
            if tag == Tag::TRACK2_DATA && sep.is_none() {
                return None;
            }
            match sep {
                Some(sep) => {
                    hide_pan_digits(&mut hide[..sep]);
                    hide[sep + 1..].iter_mut().for_each(|h| *h = true);
                }
                None => hide.iter_mut().for_each(|h| *h = true),
            }
        }
        Tag::TRACK1_DATA => {
            // Per character: both nibbles of a hidden byte.
            let mut chars = vec![false; value.len()];
            if value.len() > 1 {
                let rest = &mut chars[1..];
                match value[1..].iter().position(|b| *b == b'^') {
                    Some(caret) => {
                        hide_pan_digits(&mut rest[..caret]);
                        rest[caret + 1..].iter_mut().for_each(|h| *h = true);
                    }
                    None => rest.iter_mut().for_each(|h| *h = true),
                }
            }
            hide = chars.iter().flat_map(|h| [*h, *h]).collect();
        }
        t if EMV_SENSITIVE_TAGS.contains(&t) => hide.iter_mut().for_each(|h| *h = true),
        _ => return None,
    }
    Some(hide)
}

/// The PAN rule over a run of digits: first 6 and last 4 shown when there are more than 10.
fn hide_pan_digits(digits: &mut [bool]) {
    let n = digits.len();
    let hidden = if n <= 10 { 0..n } else { 6..n - 4 };
    digits[hidden].iter_mut().for_each(|h| *h = true);
}

/// The value of `tag` as upper-case hex with hidden nibbles as `*`; `None` when nothing in it
/// is sensitive.
pub fn mask_emv_value_hex(tag: Tag, value: &[u8]) -> Option<String> {
    let hide = emv_sensitive_nibbles(tag, value)?;
    Some(render_hex(value, &hide))
}

/// Track 1 data (`56`, ans) as text with hidden characters as `*` (bytes outside printable
/// ASCII shown as `?`).
pub fn mask_emv_track1_text(value: &[u8]) -> String {
    let hide = emv_sensitive_nibbles(Tag::TRACK1_DATA, value).unwrap_or_default();
    value
        .iter()
        .enumerate()
        .map(|(i, b)| match (hide.get(2 * i), b) {
            (Some(true), _) => '*',
            (_, 0x20..=0x7E) => char::from(*b),
            _ => '?',
        })
        .collect()
}

/// Upper-case hex of a whole buffer (a response, a record, a command, with or without the
/// status word) with every sensitive nibble replaced by `*`.
pub fn mask_emv_hex(bytes: &[u8]) -> String {
    render_hex(bytes, &emv_sensitive_buffer_nibbles(bytes))
}

/// Like [`mask_emv_hex`] for a clean BER-TLV sequence; for data that is not TLV (terminal data
/// in a GENERATE AC, say, where a stray `5A` is not a PAN), only objects whose value has the
/// shape of the tag's value (a PAN of digits, a track 2 with its separator) are hidden.
pub fn mask_emv_tlv_hex(bytes: &[u8]) -> String {
    let mut hide = vec![false; bytes.len() * 2];
    if !walk(bytes, 0, 0, &mut hide) {
        hide.iter_mut().for_each(|h| *h = false);
        scan(bytes, 0, Scan::ShapedOnly, &mut hide);
    }
    render_hex(bytes, &hide)
}

/// The data field of a command APDU with instruction `ins`, as upper-case hex with what must not
/// be shown replaced by `*`:
/// - PIN commands (VERIFY `20`/`21`, CHANGE REFERENCE DATA `24`/`25`, RESET RETRY COUNTER
///   `2C`/`2D`): all of it (a plaintext PIN block shows the PIN);
/// - write and personalisation commands (WRITE/UPDATE BINARY, WRITE/UPDATE RECORD, PUT DATA,
///   STORE DATA/APPEND RECORD `E2`): PANs and track data as [`mask_emv_hex`] finds them (TLV
///   walk, else byte scan: DGI framing is not BER-TLV);
/// - anything else: PANs and track data only when the data is clean TLV
///   ([`mask_emv_tlv_hex`]), so terminal data such as CDOL values is never hidden by chance.
pub fn mask_command_data_hex(ins: u8, data: &[u8]) -> String {
    match ins {
        0x20 | 0x21 | 0x24 | 0x25 | 0x2C | 0x2D => "*".repeat(data.len() * 2),
        0xD0 | 0xD1 | 0xD2 | 0xD3 | 0xD6 | 0xD7 | 0xDA | 0xDB | 0xDC | 0xDD | 0xE2 => mask_emv_hex(data),
        _ => mask_emv_tlv_hex(data),
    }
}

/// Which nibbles of a whole buffer are sensitive: a BER-TLV walk of the buffer, else of the
/// buffer without its last two bytes (a status word), else the byte scan.
pub fn emv_sensitive_buffer_nibbles(bytes: &[u8]) -> Vec<bool> {
    let mut hide = vec![false; bytes.len() * 2];
    let without_sw = &bytes[..bytes.len().saturating_sub(2)];
    if !walk(bytes, 0, 0, &mut hide) && !walk(without_sw, 0, 0, &mut hide) {
        hide.iter_mut().for_each(|h| *h = false);
        scan(bytes, 0, Scan::Complete, &mut hide);
    }
    hide
}

/// Upper-case hex without separators, the form every rendered document uses.
#[cfg(feature = "serde")]
pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    render_hex(bytes, &[])
}

fn render_hex(bytes: &[u8], hide: &[bool]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for (i, b) in bytes.iter().enumerate() {
        for (k, nib) in [b >> 4, b & 0x0F].into_iter().enumerate() {
            let hidden = hide.get(2 * i + k).copied().unwrap_or(false);
            out.push(if hidden { '*' } else { char::from(DIGITS[usize::from(nib)]) });
        }
    }
    out
}

/// Marks sensitive values inside `bytes` (found at `base` in the whole buffer). False if the
/// bytes are not a clean TLV sequence.
fn walk(bytes: &[u8], base: usize, depth: usize, hide: &mut [bool]) -> bool {
    if depth > WALK_MAX_DEPTH {
        return false;
    }
    let mut any = false;
    for item in TlvIter::with_base(bytes, base) {
        let Ok(tlv) = item else { return false };
        any = true;
        let at = tlv.value_offset();
        if tlv.is_constructed() {
            if !walk(tlv.value, at, depth + 1, hide) {
                // A constructed value that does not parse may still hold a PAN.
                scan(tlv.value, at, Scan::Complete, hide);
            }
        } else {
            mark(tlv.tag, tlv.value, at, hide);
        }
    }
    any
}

fn mark(tag: Tag, value: &[u8], at: usize, hide: &mut [bool]) {
    if let Some(marks) = emv_sensitive_nibbles(tag, value) {
        for (n, h) in marks.into_iter().enumerate() {
            match hide.get_mut(2 * at + n) {
                Some(slot) if h => *slot = true,
                _ => {}
            }
        }
    }
}

/// Which complete values the byte scan hides (truncated ones are hidden only when shaped).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Every complete value of a sensitive tag, by the tag's rule.
    Complete,
    /// Only values shaped like the tag's value.
    ShapedOnly,
}

/// Whether `value` looks like a value of `tag`: a PAN is BCD digits with `F` padding (6 to 10
/// bytes when the value is `complete`: 12 to 19 digits), track 2 is digits, the `D` separator
/// and `F` padding (the separator required in a complete value, and for `9F6B`, which Visa
/// also uses for an amount), track 1, names and discretionary data are printable text. A value
/// cut short by the end of the data is judged by what is there.
fn shaped_like(tag: Tag, value: &[u8], complete: bool) -> bool {
    let nibbles = || value.iter().flat_map(|b| [b >> 4, b & 0x0F]);
    !value.is_empty()
        && match tag {
            Tag::PAN => nibbles().all(|n| n <= 9 || n == 0x0F) && (!complete || (6..=10).contains(&value.len())),
            Tag::TRACK2_EQUIVALENT_DATA => {
                nibbles().all(|n| n <= 9 || n == 0x0D || n == 0x0F) && (!complete || nibbles().any(|n| n == 0x0D))
            }
            Tag::TRACK2_DATA => nibbles().all(|n| n <= 9 || n == 0x0D || n == 0x0F) && nibbles().any(|n| n == 0x0D),
            _ => value.iter().all(|b| (0x20..=0x7E).contains(b)),
        }
}

fn scan(bytes: &[u8], base: usize, which: Scan, hide: &mut [bool]) {
    for i in 0..bytes.len() {
        let Ok((rest, tag)) = parse_emv_tag(&bytes[i..]) else { continue };
        if !EMV_SENSITIVE_TAGS.contains(&tag) {
            continue;
        }
        // One-byte lengths and the 81 form (a track 1 of 128 or more bytes).
        let (len, len_bytes) = match rest {
            [0x81, n, ..] => (usize::from(*n), 2),
            [n, ..] if *n < 0x80 => (usize::from(*n), 1),
            _ => continue,
        };
        let start = bytes.len() - rest.len() + len_bytes;
        if len == 0 || start >= bytes.len() {
            continue;
        }
        let end = start + len;
        if end > bytes.len() {
            // The object runs past the data: hide what is there, whole, when it is shaped like
            // the tag's value (a stray 5A in a UID followed by non-digits is not a PAN).
            if shaped_like(tag, &bytes[start..], false) {
                let from = 2 * (base + start);
                let to = (2 * (base + bytes.len())).min(hide.len());
                hide[from.min(to)..to].iter_mut().for_each(|h| *h = true);
            }
            continue;
        }
        // Only complete values: a stray 5A in a UID or a MAC is not a PAN.
        if len > SCAN_MAX_VALUE || (which == Scan::ShapedOnly && !shaped_like(tag, &bytes[start..end], true)) {
            continue;
        }
        mark(tag, &bytes[start..end], base + start, hide);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn tlv_only_masking_hides_only_pan_shaped_values_in_data_that_is_not_tlv() {
        // a clean TLV sequence: masked as by mask_emv_hex
        let tlv = hex("5A085413330089600010");
        assert_eq!(mask_emv_tlv_hex(&tlv), mask_emv_hex(&tlv));
        assert_eq!(mask_emv_tlv_hex(&tlv), "5A08541333******0010");
        // not TLV (tag 01 announces 0x5A bytes): a PAN of digits is still hidden
        let raw = hex("015A085413330089600010");
        assert_eq!(mask_emv_tlv_hex(&raw), "015A08541333******0010");
        // terminal data with a stray 5A before bytes that are no PAN: left as is
        let cdol = hex("015A08ABCDEF0089600010");
        assert!(mask_emv_hex(&cdol).contains('*'));
        assert_eq!(mask_emv_tlv_hex(&cdol), "015A08ABCDEF0089600010");
    }

    #[test]
    fn objects_running_past_the_data_are_hidden_whole() {
        // 5A announces 9 bytes, 8 follow (issue 14): the data line used to show the PAN.
        assert_eq!(mask_emv_hex(&hex("5A094761739001010010")), format!("5A09{}", "*".repeat(16)));
        let t2 = hex("57124761739001010010D2512201123456789F");
        assert_eq!(mask_emv_hex(&t2), format!("5712{}", "*".repeat(34)));
        // long-form length, inside a record whose own length is off too
        let rec = hex("708190568181423431323334353637383930313233345E");
        assert!(!mask_emv_hex(&rec).contains("31323334353637383930"), "{}", mask_emv_hex(&rec));
        assert_eq!(mask_command_data_hex(0xA4, &hex("5A094761739001010010")), format!("5A09{}", "*".repeat(16)));
    }

    #[test]
    fn pan_keeps_six_and_four_only_when_longer_than_ten() {
        assert_eq!(mask_emv_value_hex(Tag::PAN, &hex("5413330089600010")).unwrap(), "541333******0010");
        assert_eq!(mask_emv_value_hex(Tag::PAN, &hex("374245001771004F")).unwrap(), "374245*****1004F");
        // 10 digits: showing 6 + 4 would show them all.
        assert_eq!(mask_emv_value_hex(Tag::PAN, &hex("5413330089")).unwrap(), "**********");
        assert_eq!(mask_emv_value_hex(Tag::PAN, &hex("12345F")).unwrap(), "*****F");
    }

    #[test]
    fn track2_hides_everything_after_the_separator() {
        let t2 = hex("5413330089600010D25122010123409172");
        assert_eq!(mask_emv_value_hex(Tag::TRACK2_EQUIVALENT_DATA, &t2).unwrap(), "541333******0010D*****************");
        assert_eq!(mask_emv_value_hex(Tag::TRACK2_DATA, &t2).unwrap(), "541333******0010D*****************");
        // No separator: all of it.
        assert_eq!(mask_emv_value_hex(Tag::TRACK2_EQUIVALENT_DATA, &hex("54133300")).unwrap(), "********");
        // Visa's 9F6B (card CVM limit, n12) has no separator: not track data.
        assert_eq!(mask_emv_value_hex(Tag::TRACK2_DATA, &hex("000000010000")), None);
    }

    #[test]
    fn track1_text_keeps_format_code_and_pan_rule() {
        assert_eq!(mask_emv_track1_text(b"B5413330089600010^TIP/PAYPASS^2512"), "B541333******0010^****************");
        assert_eq!(mask_emv_track1_text(b"B5413330089600010"), "B****************");
        assert_eq!(mask_emv_track1_text(b""), "");
        assert_eq!(mask_emv_value_hex(Tag::TRACK1_DATA, b"B1^"), Some("42**5E".into()));
    }

    #[test]
    fn discretionary_data_and_names_are_hidden_whole() {
        for tag in [Tag(0x9F1F), Tag(0x9F20), Tag(0x5F20), Tag(0x9F0B)] {
            assert_eq!(mask_emv_value_hex(tag, b"AB").unwrap(), "****", "{tag}");
        }
        assert_eq!(mask_emv_value_hex(Tag(0x9F36), &[0, 1]), None);
    }

    #[test]
    fn buffer_walk_masks_inside_templates_and_keeps_the_rest() {
        let rec = hex("701B57135413330089600010D25122010000000000000F5F20034142439000");
        let t2 = format!("541333******0010D{}", "*".repeat(21));
        assert_eq!(mask_emv_hex(&rec), format!("701B5713{t2}5F2003******9000"));
        let b = hex("9F360200019F1F0231329000");
        assert_eq!(mask_emv_hex(&b), "9F360200019F1F02****9000");
    }

    #[test]
    fn malformed_buffer_is_still_masked_by_the_scan() {
        // Record length off by one: 70 0B but only 10 bytes follow.
        let rec = hex("700B5A0854133300896000109000");
        assert_eq!(mask_emv_hex(&rec), "700B5A08541333******00109000");
        // A bogus constructed value: the scan runs inside it.
        let rec = hex("7005A503FFFFFF5A0854133300896000109000");
        assert!(mask_emv_hex(&rec).contains("541333******0010"), "{}", mask_emv_hex(&rec));
    }

    /// No run of 11 or more PAN digits survives, whatever the declared length of the PAN or
    /// track object and wherever the data is cut.
    fn assert_no_pan_run(masked: &str, pan: &str) {
        for w in pan.as_bytes().windows(11) {
            let run = std::str::from_utf8(w).unwrap();
            assert!(!masked.contains(run), "{run} of {pan} shows in {masked}");
        }
    }

    proptest::proptest! {
        #[test]
        fn truncated_and_overrunning_pan_objects_never_show_the_pan(
            digits in proptest::collection::vec(0u8..10, 13..20),
            tag in proptest::sample::select(vec![0x5Au8, 0x57]),
            extra in 0usize..4,
            cut in 0usize..4,
            sw in proptest::bool::ANY,
        ) {
            let mut nibbles = digits.clone();
            if tag == 0x57 { nibbles.extend_from_slice(&[0x0D, 2, 5, 1, 2, 2, 0, 1]); }
            if nibbles.len() % 2 == 1 { nibbles.push(0x0F); }
            let value: Vec<u8> = nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
            let mut bytes = vec![tag, (value.len() + extra) as u8];
            bytes.extend_from_slice(&value[..value.len() - cut.min(value.len() - 7)]);
            if sw { bytes.extend_from_slice(&[0x90, 0x00]); }
            let pan: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            assert_no_pan_run(&mask_emv_hex(&bytes), &pan);
            assert_no_pan_run(&mask_emv_tlv_hex(&bytes), &pan);
        }
    }

    #[test]
    fn uid_bytes_are_not_taken_for_a_pan() {
        assert_eq!(mask_emv_hex(&hex("045A3B129C61809000")), "045A3B129C61809000");
        assert_eq!(mask_emv_hex(&[]), "");
    }

    proptest::proptest! {
        /// Any bytes: no panic, one character per nibble, and every shown character is the real one.
        #[test]
        fn masking_only_ever_hides(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96)) {
            let masked = mask_emv_hex(&bytes);
            let real = hex::encode_upper(&bytes);
            proptest::prop_assert_eq!(masked.len(), real.len());
            for (m, r) in masked.chars().zip(real.chars()) {
                proptest::prop_assert!(m == '*' || m == r);
            }
        }

        /// A PAN in a record never shows more than 6 + 4 of its digits.
        #[test]
        fn pan_in_a_record_shows_at_most_ten_digits(digits in proptest::collection::vec(0u8..10, 8..20)) {
            let mut nibbles = digits.clone();
            if nibbles.len() % 2 == 1 { nibbles.push(0x0F); }
            let pan: Vec<u8> = nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
            let mut rec = vec![0x70, pan.len() as u8 + 2, 0x5A, pan.len() as u8];
            rec.extend_from_slice(&pan);
            let masked = mask_emv_hex(&rec);
            let shown = masked[8..8 + digits.len()].chars().filter(|c| *c != '*').count();
            proptest::prop_assert!(shown <= 10 && (digits.len() > 10 || shown == 0), "{}", masked);
        }
    }
}
