//! URI record, well-known type `U` (NFC Forum URI RTD 1.0): one identifier-code byte that
//! abbreviates a common prefix, then the rest of the URI in UTF-8 (RFC 3987).

use std::borrow::Cow;

use crate::ndef::error::NdefError;
use crate::ndef::record::{NdefRecord, Tnf};

/// Record type of the URI RTD.
pub const URI_TYPE: &[u8] = b"U";

/// The identifier codes 0x00-0x23 and the prefix each stands for. 0x24-0xFF are reserved.
pub const URI_PREFIXES: [&str; 36] = [
    "",
    "http://www.",
    "https://www.",
    "http://",
    "https://",
    "tel:",
    "mailto:",
    "ftp://anonymous:anonymous@",
    "ftp://ftp.",
    "ftps://",
    "sftp://",
    "smb://",
    "nfs://",
    "ftp://",
    "dav://",
    "news:",
    "telnet://",
    "imap:",
    "rtsp://",
    "urn:",
    "pop:",
    "sip:",
    "sips:",
    "tftp:",
    "btspp://",
    "btl2cap://",
    "btgoep://",
    "tcpobex://",
    "irdaobex://",
    "file://",
    "urn:epc:id:",
    "urn:epc:tag:",
    "urn:epc:pat:",
    "urn:epc:raw:",
    "urn:epc:",
    "urn:nfc:",
];

/// A decoded URI record payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriRecord<'a> {
    /// The identifier code (0x00-0x23 known; others reserved and read as "no prefix").
    pub code: u8,
    /// The URI field after the code.
    pub rest: Cow<'a, str>,
}

impl UriRecord<'_> {
    /// The prefix the code stands for (empty for 0x00 and reserved codes).
    pub fn prefix(&self) -> &'static str {
        URI_PREFIXES.get(usize::from(self.code)).copied().unwrap_or("")
    }

    /// True when the code is reserved (0x24-0xFF).
    pub fn is_reserved_code(&self) -> bool {
        usize::from(self.code) >= URI_PREFIXES.len()
    }

    /// The full URI: prefix + rest.
    pub fn uri(&self) -> String {
        let mut s = String::with_capacity(self.prefix().len() + self.rest.len());
        s.push_str(self.prefix());
        s.push_str(&self.rest);
        s
    }

    /// The shortest encoding of `uri`: the longest prefix in the table that starts it.
    pub fn from_uri(uri: &str) -> UriRecord<'_> {
        let (code, prefix) = URI_PREFIXES
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, p)| uri.starts_with(**p))
            .max_by_key(|(_, p)| p.len())
            .map(|(i, p)| (i as u8, *p))
            .unwrap_or((0, ""));
        UriRecord { code, rest: Cow::Borrowed(&uri[prefix.len()..]) }
    }
}

/// Decodes a URI record payload. Offsets are relative to the payload.
///
/// ```
/// use tapcert_parsers::ndef::{parse_ndef_uri, NdefError};
/// assert_eq!(parse_ndef_uri(b"\x04nfc-forum.org").unwrap().uri(), "https://nfc-forum.org");
/// assert!(matches!(parse_ndef_uri(&[]), Err(NdefError::Truncated { .. })));
/// ```
pub fn parse_ndef_uri(payload: &[u8]) -> Result<UriRecord<'_>, NdefError> {
    let Some((&code, rest)) = payload.split_first() else {
        return Err(NdefError::Truncated { offset: 0, expected: "URI identifier code", needed: 1, available: 0 });
    };
    let rest = std::str::from_utf8(rest)
        .map_err(|e| NdefError::Malformed { offset: 1 + e.valid_up_to(), expected: "a UTF-8 URI field" })?;
    Ok(UriRecord { code, rest: Cow::Borrowed(rest) })
}

/// Encodes a URI record payload.
pub fn encode_ndef_uri(uri: &UriRecord<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + uri.rest.len());
    out.push(uri.code);
    out.extend_from_slice(uri.rest.as_bytes());
    out
}

impl NdefRecord<'static> {
    /// A URI record with the longest matching prefix abbreviated.
    ///
    /// ```
    /// use tapcert_parsers::ndef::NdefRecord;
    /// assert_eq!(&*NdefRecord::uri("https://nfc-forum.org").payload, b"\x04nfc-forum.org");
    /// ```
    pub fn uri(uri: &str) -> Self {
        NdefRecord::new(Tnf::WELL_KNOWN, URI_TYPE.to_vec(), Vec::new(), encode_ndef_uri(&UriRecord::from_uri(uri)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_edges() {
        assert_eq!(URI_PREFIXES[0x23], "urn:nfc:");
        assert_eq!(URI_PREFIXES[0x01], "http://www.");
        assert_eq!(parse_ndef_uri(b"\x24abc").unwrap().uri(), "abc");
        assert!(parse_ndef_uri(b"\x24abc").unwrap().is_reserved_code());
    }

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(UriRecord::from_uri("https://www.example.com").code, 0x02);
        assert_eq!(UriRecord::from_uri("urn:epc:id:sgtin").code, 0x1E);
        assert_eq!(UriRecord::from_uri("urn:x").code, 0x13);
        assert_eq!(UriRecord::from_uri("geo:1,2").code, 0x00);
        for prefix in &URI_PREFIXES[1..] {
            let uri = format!("{prefix}x");
            let r = UriRecord::from_uri(&uri);
            assert_eq!(r.uri(), uri);
        }
    }

    #[test]
    fn bad_utf8() {
        assert_eq!(
            parse_ndef_uri(&[0x00, b'a', 0xFF]),
            Err(NdefError::Malformed { offset: 2, expected: "a UTF-8 URI field" })
        );
    }
}
