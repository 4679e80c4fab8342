//! Text record, well-known type `T` (NFC Forum Text RTD 1.0).
//!
//! ```text
//! status byte   b7: 0 UTF-8, 1 UTF-16   b6: reserved (0)   b5..b0: language code length
//! language      IANA language code (RFC 5646), US-ASCII
//! text          UTF-8, or UTF-16 with an optional BOM (big-endian when there is none)
//! ```

use std::borrow::Cow;

use crate::ndef::error::NdefError;
use crate::ndef::record::{NdefRecord, Tnf};

/// Record type of the Text RTD.
pub const TEXT_TYPE: &[u8] = b"T";

/// How the text is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8 (status bit 7 clear).
    Utf8,
    /// UTF-16 (status bit 7 set).
    Utf16 {
        /// Byte order: from the BOM, big-endian when there is none.
        big_endian: bool,
        /// A byte-order mark was present (it is not part of the text).
        bom: bool,
    },
}

impl TextEncoding {
    /// `utf-8`, `utf-16be` or `utf-16le`.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16 { big_endian: true, .. } => "utf-16be",
            TextEncoding::Utf16 { big_endian: false, .. } => "utf-16le",
        }
    }
}

/// A decoded Text record payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRecord<'a> {
    /// Language code, e.g. `en` or `en-US`.
    pub lang: &'a str,
    /// The text (BOM removed).
    pub text: Cow<'a, str>,
    /// How the text was (or will be) encoded.
    pub encoding: TextEncoding,
}

/// Decodes a Text record payload. Offsets are relative to the payload.
///
/// ```
/// use tapcert_parsers::ndef::{parse_ndef_text, NdefError, TextEncoding};
/// let t = parse_ndef_text(&[0x82, b'e', b'n', 0xFF, 0xFE, b'H', 0x00, b'i', 0x00]).unwrap();
/// assert_eq!((t.lang, &*t.text), ("en", "Hi"));
/// assert_eq!(t.encoding, TextEncoding::Utf16 { big_endian: false, bom: true });
/// assert!(matches!(parse_ndef_text(&[0x05, b'e', b'n']), Err(NdefError::LengthExceedsInput { .. })));
/// ```
pub fn parse_ndef_text(payload: &[u8]) -> Result<TextRecord<'_>, NdefError> {
    let Some(&status) = payload.first() else {
        return Err(NdefError::Truncated { offset: 0, expected: "text status byte", needed: 1, available: 0 });
    };
    let lang_len = usize::from(status & 0x3F);
    if lang_len > payload.len() - 1 {
        return Err(NdefError::LengthExceedsInput { offset: 0, declared: lang_len, available: payload.len() - 1 });
    }
    let lang_bytes = &payload[1..1 + lang_len];
    if !lang_bytes.is_ascii() {
        return Err(NdefError::Malformed { offset: 1, expected: "a US-ASCII language code" });
    }
    let lang = std::str::from_utf8(lang_bytes)
        .map_err(|_| NdefError::Malformed { offset: 1, expected: "a US-ASCII language code" })?;
    let body = &payload[1 + lang_len..];
    let at = 1 + lang_len;
    if status & 0x80 == 0 {
        let text = std::str::from_utf8(body)
            .map_err(|e| NdefError::Malformed { offset: at + e.valid_up_to(), expected: "UTF-8 text" })?;
        return Ok(TextRecord { lang, text: Cow::Borrowed(text), encoding: TextEncoding::Utf8 });
    }
    if body.len() % 2 != 0 {
        return Err(NdefError::Malformed {
            offset: at + body.len() - 1,
            expected: "UTF-16 text of an even byte count",
        });
    }
    let (big_endian, bom, units) = match body {
        [0xFE, 0xFF, rest @ ..] => (true, true, rest),
        [0xFF, 0xFE, rest @ ..] => (false, true, rest),
        _ => (true, false, body),
    };
    let code_units = units
        .chunks_exact(2)
        .map(|c| if big_endian { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) });
    // Sized once: a UTF-16 code unit (2 bytes) never takes more than 3 bytes of UTF-8, and a
    // surrogate pair (4 bytes) takes 4, so 3/2 of the byte count always suffices.
    let mut text = String::with_capacity(units.len() / 2 * 3);
    for c in char::decode_utf16(code_units) {
        text.push(c.map_err(|_| NdefError::Malformed { offset: at, expected: "UTF-16 text without lone surrogates" })?);
    }
    Ok(TextRecord { lang, text: Cow::Owned(text), encoding: TextEncoding::Utf16 { big_endian, bom } })
}

/// Encodes a Text record payload. UTF-16 little-endian is always written with its BOM (without
/// one a reader must assume big-endian). Panics if the language code is over 63 bytes.
pub fn encode_ndef_text(text: &TextRecord<'_>) -> Vec<u8> {
    assert!(text.lang.len() <= 0x3F, "language code over 63 bytes");
    let mut out = Vec::with_capacity(1 + text.lang.len() + 2 * text.text.len() + 2);
    let utf16 = matches!(text.encoding, TextEncoding::Utf16 { .. });
    out.push(u8::from(utf16) << 7 | text.lang.len() as u8);
    out.extend_from_slice(text.lang.as_bytes());
    match text.encoding {
        TextEncoding::Utf8 => out.extend_from_slice(text.text.as_bytes()),
        TextEncoding::Utf16 { big_endian, bom } => {
            if bom || !big_endian {
                out.extend_from_slice(if big_endian { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
            }
            for unit in text.text.encode_utf16() {
                out.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
            }
        }
    }
    out
}

impl NdefRecord<'static> {
    /// A Text record in UTF-8. Panics if the language code is over 63 bytes.
    ///
    /// ```
    /// use tapcert_parsers::ndef::{encode_ndef_message, NdefRecord};
    /// let bytes = encode_ndef_message(&[NdefRecord::text("en", "Hello, world!")]);
    /// assert_eq!(&bytes[..6], &[0xD1, 0x01, 0x10, b'T', 0x02, b'e']);
    /// ```
    pub fn text(lang: &str, text: &str) -> Self {
        let payload = encode_ndef_text(&TextRecord { lang, text: Cow::Borrowed(text), encoding: TextEncoding::Utf8 });
        NdefRecord::new(Tnf::WELL_KNOWN, TEXT_TYPE.to_vec(), Vec::new(), payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_bom_is_big_endian() {
        let t = parse_ndef_text(&[0x82, b'd', b'e', 0x00, b'H', 0x00, b'i']).unwrap();
        assert_eq!((&*t.text, t.encoding), ("Hi", TextEncoding::Utf16 { big_endian: true, bom: false }));
        assert_eq!(encode_ndef_text(&t), [0x82, b'd', b'e', 0x00, b'H', 0x00, b'i']);
    }

    #[test]
    fn utf16_be_bom() {
        let t = parse_ndef_text(&[0x80, 0xFE, 0xFF, 0x00, b'A']).unwrap();
        assert_eq!((t.lang, &*t.text), ("", "A"));
        assert_eq!(encode_ndef_text(&t), [0x80, 0xFE, 0xFF, 0x00, b'A']);
    }

    #[test]
    fn bad_text() {
        assert!(matches!(parse_ndef_text(&[]), Err(NdefError::Truncated { .. })));
        assert_eq!(parse_ndef_text(&[0x00, 0xC3]), Err(NdefError::Malformed { offset: 1, expected: "UTF-8 text" }));
        assert!(matches!(parse_ndef_text(&[0x80, 0x00]), Err(NdefError::Malformed { offset: 1, .. })));
        assert!(matches!(parse_ndef_text(&[0x80, 0xD8, 0x00]), Err(NdefError::Malformed { .. })));
        assert!(matches!(parse_ndef_text(&[0x01, 0xE9]), Err(NdefError::Malformed { offset: 1, .. })));
    }
}
