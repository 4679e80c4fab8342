//! Binary-coded decimal as payment data carries it: EMV format `n` (right-justified, leading
//! zeros: amounts `9F02`, dates `9A`), format `cn` (left-justified, padded with `F`: the PAN
//! `5A`), track 2 equivalent data (`D` separator), and the BCD dates, times and serial numbers
//! of transit e-purse files. The one BCD implementation of the workspace.
//!
//! ```
//! use tapcert_parsers::bcd::{decode_bcd_n, encode_bcd_n, encode_bcd_cn, decode_bcd_cn};
//! assert_eq!(encode_bcd_n::<6>(1234), [0x00, 0x00, 0x00, 0x00, 0x12, 0x34]);
//! assert_eq!(decode_bcd_n(&[0x00, 0x12, 0x34]), Some(1234));
//! assert_eq!(decode_bcd_n(&[0x1A]), None);
//! assert_eq!(encode_bcd_cn("541333008960001").unwrap(), [0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x1F]);
//! assert_eq!(decode_bcd_cn(&[0x54, 0x13, 0x3F, 0xFF]).as_deref(), Some("54133"));
//! ```

/// The value 0-99 of one BCD byte; `None` if a nibble is above 9.
pub fn decode_bcd_byte(b: u8) -> Option<u8> {
    let (hi, lo) = (b >> 4, b & 0x0F);
    (hi <= 9 && lo <= 9).then_some(hi * 10 + lo)
}

/// One BCD byte for 0-99 (values above 99 keep their last two digits).
pub fn encode_bcd_byte(v: u8) -> u8 {
    let v = v % 100;
    ((v / 10) << 4) | (v % 10)
}

/// Format `n`: `value` as `2N` BCD digits, right-justified with leading zeros; a value with
/// more digits saturates at all nines (an amount cannot wrap to a small one).
pub fn encode_bcd_n<const N: usize>(value: u64) -> [u8; N] {
    let mut out = [0u8; N];
    let max_digits = 2 * N;
    if max_digits < 20 && value >= 10u64.pow(max_digits as u32) {
        return [0x99; N];
    }
    let mut v = value;
    for b in out.iter_mut().rev() {
        let lo = (v % 10) as u8;
        v /= 10;
        let hi = (v % 10) as u8;
        v /= 10;
        *b = (hi << 4) | lo;
    }
    out
}

/// Format `n`: the value of BCD digits; `None` for a nibble above 9 or more than 19 digits.
pub fn decode_bcd_n(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 9 && bytes[..bytes.len() - 9].iter().any(|&b| b != 0) {
        return None;
    }
    bytes.iter().try_fold(0u64, |acc, &b| Some(acc * 100 + u64::from(decode_bcd_byte(b)?)))
}

/// Format `cn` (and track 2 equivalent data): digits packed two per byte, left-justified, an
/// odd count padded with a final `F`. `D` (or `d`) is the track 2 field separator. `None` for
/// any other character.
pub fn encode_bcd_cn(digits: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(digits.len().div_ceil(2));
    let mut high: Option<u8> = None;
    for c in digits.bytes() {
        let nibble = match c {
            b'0'..=b'9' => c - b'0',
            b'D' | b'd' => 0x0D,
            _ => return None,
        };
        match high.take() {
            Some(h) => out.push((h << 4) | nibble),
            None => high = Some(nibble),
        }
    }
    if let Some(h) = high {
        out.push((h << 4) | 0x0F);
    }
    Some(out)
}

/// The digits of a `cn` value up to its `F` padding (`D` kept as the track 2 separator);
/// `None` if a nibble is `A`-`C` or `E`, or a digit follows the padding.
pub fn decode_bcd_cn(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut padding = false;
    for nibble in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
        match nibble {
            0..=9 if !padding => out.push(char::from(b'0' + nibble)),
            0x0D if !padding => out.push('D'),
            0x0F => padding = true,
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn n_saturates_and_rejects_bad_nibbles() {
        assert_eq!(encode_bcd_n::<6>(123_456_789_012), [0x12, 0x34, 0x56, 0x78, 0x90, 0x12]);
        assert_eq!(encode_bcd_n::<6>(u64::MAX), [0x99; 6]);
        assert_eq!(encode_bcd_n::<1>(100), [0x99]);
        assert_eq!(encode_bcd_n::<10>(u64::MAX)[0..2], [0x18, 0x44]);
        assert_eq!(decode_bcd_n(&[0x9A]), None);
        assert_eq!(decode_bcd_n(&[]), Some(0));
        assert_eq!(decode_bcd_n(&[0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
    }

    #[test]
    fn cn_track2_separator_and_padding() {
        assert_eq!(encode_bcd_cn("5413D3012").unwrap(), [0x54, 0x13, 0xD3, 0x01, 0x2F]);
        assert_eq!(decode_bcd_cn(&[0x54, 0x13, 0xD3, 0x01, 0x2F]).as_deref(), Some("5413D3012"));
        assert_eq!(encode_bcd_cn("12x"), None);
        assert_eq!(decode_bcd_cn(&[0x1F, 0x23]), None, "digit after the padding");
        assert_eq!(decode_bcd_cn(&[0x1A]), None);
    }

    proptest! {
        #[test]
        fn n_round_trips(v in 0u64..=999_999_999_999) {
            prop_assert_eq!(decode_bcd_n(&encode_bcd_n::<6>(v)), Some(v));
        }

        #[test]
        fn cn_round_trips(digits in "[0-9]{0,19}(D[0-9]{0,15})?") {
            let bytes = encode_bcd_cn(&digits).unwrap();
            prop_assert_eq!(decode_bcd_cn(&bytes), Some(digits));
        }

        #[test]
        fn byte_round_trips(v in 0u8..100) {
            prop_assert_eq!(decode_bcd_byte(encode_bcd_byte(v)), Some(v));
        }
    }
}
