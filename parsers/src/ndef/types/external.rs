//! NFC Forum external types (TNF 4; NFC Forum RTD 1.0, external type names): `domain:type`,
//! where the domain is the issuing organisation's DNS name and the type its own name.
//! External type names are compared without regard to ASCII case. The TYPE field carries the
//! name without the `urn:nfc:ext:` prefix.

use crate::ndef::record::{NdefRecord, Tnf};

/// An external type name split at its first `:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalType<'a> {
    /// The domain part, e.g. `android.com`.
    pub domain: &'a str,
    /// The type part, e.g. `pkg`.
    pub name: &'a str,
}

impl ExternalType<'_> {
    /// True when both names are the same ignoring ASCII case.
    pub fn matches(&self, other: &ExternalType<'_>) -> bool {
        self.domain.eq_ignore_ascii_case(other.domain) && self.name.eq_ignore_ascii_case(other.name)
    }
}

/// Characters allowed in the type part: those of a URN namespace-specific string (RFC 2141),
/// which the external type name is a part of (`urn:nfc:ext:domain:type`).
/// Bit `b` set when byte `b` may appear in an external type name (built at compile time).
const NAME_CHARS: u128 = {
    let mut set = 0u128;
    let mut b = 0u8;
    while b < 0x80 {
        if b.is_ascii_alphanumeric() {
            set |= 1 << b;
        }
        b += 1;
    }
    let extra = b"()+,-.:=@;$_!*'%";
    let mut i = 0;
    while i < extra.len() {
        set |= 1 << extra[i];
        i += 1;
    }
    set
};

fn is_name_char(b: u8) -> bool {
    b < 0x80 && NAME_CHARS & (1 << b) != 0
}

/// Splits and checks an external type name; `None` when the domain is not a DNS name
/// (letters, digits, `-`, `.`), there is no `:`, or the type part has characters outside the
/// URN set.
///
/// ```
/// use tapcert_parsers::ndef::parse_external_type;
/// let t = parse_external_type(b"Android.com:pkg").unwrap();
/// assert_eq!((t.domain, t.name), ("Android.com", "pkg"));
/// assert!(parse_external_type(b"pkg").is_none());
/// assert!(parse_external_type(b"android com:pkg").is_none());
/// ```
pub fn parse_external_type(record_type: &[u8]) -> Option<ExternalType<'_>> {
    let s = std::str::from_utf8(record_type).ok()?;
    let (domain, name) = s.split_once(':')?;
    let domain_ok = !domain.is_empty()
        && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !domain.starts_with('.')
        && !domain.ends_with('.');
    let name_ok = !name.is_empty() && name.bytes().all(is_name_char);
    (domain_ok && name_ok).then_some(ExternalType { domain, name })
}

impl NdefRecord<'static> {
    /// An external-type record (TNF 4) `domain:name` with the given payload.
    pub fn external(domain: &str, name: &str, payload: &[u8]) -> Self {
        NdefRecord::new(Tnf::EXTERNAL, format!("{domain}:{name}").into_bytes(), Vec::new(), payload.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_table_matches_nfc_forum_set() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"()+,-.:=@;$_!*'%".contains(&b);
            assert_eq!(is_name_char(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn case_insensitive_match() {
        let a = parse_external_type(b"example.com:Tag").unwrap();
        let b = parse_external_type(b"EXAMPLE.COM:tag").unwrap();
        assert!(a.matches(&b));
        assert!(parse_external_type(b"example.com:").is_none());
        assert!(parse_external_type(b".example.com:t").is_none());
        assert_eq!(parse_external_type(b"a.b:c:d").unwrap().name, "c:d");
    }
}
