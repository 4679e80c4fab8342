//! MIME-typed records (TNF 2): the TYPE is a media type per RFC 2046 (`type/subtype`, optional
//! `; parameter=value`), compared without regard to ASCII case; the payload is the content.

use crate::ndef::record::{NdefRecord, Tnf};

/// A media type split into its parts, borrowing the TYPE field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MimeType<'a> {
    /// Top-level type, e.g. `text`.
    pub top: &'a str,
    /// Subtype, e.g. `plain`.
    pub sub: &'a str,
    /// Parameters after the first `;`, untouched (empty when none).
    pub params: &'a str,
}

impl MimeType<'_> {
    /// `top/sub` in lower case (what comparisons use).
    pub fn essence(&self) -> String {
        format!("{}/{}", self.top, self.sub).to_ascii_lowercase()
    }
}

/// True for an RFC 2045 token character: printable US-ASCII except space and tspecials.
/// Bit `b` set when byte `b` is an RFC 2045 token character (built once, at compile time).
const TOKEN_CHARS: u128 = {
    let mut set = 0u128;
    let mut b = 0x21u8;
    while b < 0x7F {
        set |= 1 << b;
        b += 1;
    }
    let specials = b"()<>@,;:\\\"/[]?=";
    let mut i = 0;
    while i < specials.len() {
        set &= !(1 << specials[i]);
        i += 1;
    }
    set
};

fn is_token_char(b: u8) -> bool {
    b < 0x80 && TOKEN_CHARS & (1 << b) != 0
}

/// Splits a TNF 2 TYPE field into a [`MimeType`]; `None` when it is not `token/token[;...]`.
///
/// ```
/// use tapcert_parsers::ndef::parse_mime_type;
/// let m = parse_mime_type(b"text/plain; charset=utf-8").unwrap();
/// assert_eq!((m.top, m.sub, m.params), ("text", "plain", " charset=utf-8"));
/// assert!(parse_mime_type(b"text").is_none());
/// ```
pub fn parse_mime_type(record_type: &[u8]) -> Option<MimeType<'_>> {
    // One pass over the bytes: `top` runs to the first '/', `sub` to the first ';' (or the
    // end); both are tokens, so any other special or non-ASCII byte there rejects. Tokens and
    // ASCII parameters make the whole type ASCII, hence valid UTF-8.
    let slash = record_type.iter().position(|&b| !is_token_char(b))?;
    if slash == 0 || record_type[slash] != b'/' {
        return None;
    }
    let rest = &record_type[slash + 1..];
    let sub_len = rest.iter().position(|&b| !is_token_char(b)).unwrap_or(rest.len());
    if sub_len == 0 || (sub_len < rest.len() && rest[sub_len] != b';') || !rest[sub_len..].is_ascii() {
        return None;
    }
    let s = std::str::from_utf8(record_type).ok()?;
    let params = s.get(slash + 2 + sub_len..).unwrap_or("");
    Some(MimeType { top: &s[..slash], sub: &s[slash + 1..slash + 1 + sub_len], params })
}

impl NdefRecord<'static> {
    /// A MIME record (TNF 2) with the given media type and content.
    pub fn mime(media_type: &str, content: &[u8]) -> Self {
        NdefRecord::new(Tnf::MIME, media_type.as_bytes().to_vec(), Vec::new(), content.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_table_matches_rfc2045() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b);
            assert_eq!(is_token_char(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn media_types_match_the_split_definition() {
        // The one-pass parser against the plain definition (UTF-8, split at the first ';' then
        // the first '/', two tokens, ASCII parameters) over every short type from an alphabet
        // of the bytes that matter.
        fn reference(t: &[u8]) -> Option<MimeType<'_>> {
            let s = std::str::from_utf8(t).ok()?;
            let (essence, params) = s.split_once(';').unwrap_or((s, ""));
            let (top, sub) = essence.split_once('/')?;
            let ok = |t: &str| !t.is_empty() && t.bytes().all(is_token_char);
            (ok(top) && ok(sub) && params.is_ascii()).then_some(MimeType { top, sub, params })
        }
        let alphabet = [b'a', b'/', b';', b' ', b'=', 0xC3, 0xA9, 0xFF];
        let mut buf = Vec::new();
        for len in 0..=5u32 {
            for n in 0..alphabet.len().pow(len) {
                buf.clear();
                let mut k = n;
                for _ in 0..len {
                    buf.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                assert_eq!(parse_mime_type(&buf), reference(&buf), "{buf:02X?}");
            }
        }
    }

    #[test]
    fn media_types() {
        assert_eq!(parse_mime_type(b"Application/VND.wfa.wsc").unwrap().essence(), "application/vnd.wfa.wsc");
        assert!(parse_mime_type(b"text/").is_none());
        assert!(parse_mime_type(b"te xt/plain").is_none());
        assert!(parse_mime_type(b"a/b/c").is_none());
        assert!(parse_mime_type(&[0xC3, 0xA9, b'/', b'a']).is_none());
    }
}
