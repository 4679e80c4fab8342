//! UPI deep links (NPCI "UPI Linking Specification" v1.6 §2): `upi://pay?pa=...&pn=...`.
//!
//! Parameters are split on `&`, then each on its FIRST `=` only: NPCI's own sample carries
//! `url=https://mystar.com/orderid=9298...` with a further `=` in the value. Keys and values are
//! percent-decoded (`%20`); `+` is kept literally (this is a URI, not a form body). Order and
//! duplicates are kept; empty segments (`&&`) are skipped.
//!
//! Findings (warnings located by the key in `path` and, when the key is present, the character
//! offset of the parameter):
//!
//! | rule | what |
//! |---|---|
//! | `QR.UPI.PAYEE-ADDRESS` | `pa` present, `name@psp` |
//! | `QR.UPI.PAYEE-NAME` | `pn` present and not empty |
//! | `QR.UPI.AMOUNT-FORMAT` | `am` / `mam`: digits, optional `.` with at most 2 decimals |
//! | `QR.UPI.CURRENCY` | `cu` = INR |
//! | `QR.UPI.MCC-FORMAT` | `mc` 4 digits |
//! | `QR.UPI.DUPLICATE-KEY` | a key appears once |

use super::UpiLinkError;
use crate::{Finding, Location, Severity};

/// A decoded UPI link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpiLink {
    /// What the link asks for (`pay`, `mandate`, ...), as written after `upi://`.
    pub verb: String,
    /// Decoded `key=value` parameters, in order, duplicates kept.
    pub params: Vec<(String, String)>,
    /// The character offset of each parameter (of its key) in the link text, one per param.
    pub offsets: Vec<usize>,
}

impl UpiLink {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Where the first `key` parameter starts in the link text, in characters.
    pub fn offset_of(&self, key: &str) -> Option<usize> {
        self.params.iter().position(|(k, _)| k == key).and_then(|i| self.offsets.get(i).copied())
    }
}

fn percent_decode(s: &str, offset: usize) -> Result<String, UpiLinkError> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => return Err(UpiLinkError::BadEscape { offset: offset + s[..i].chars().count() }),
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| UpiLinkError::NotUtf8 { offset })
}

/// Parses a UPI deep link.
///
/// ```
/// use tapcert_parsers::qr::{parse_upi_link, UpiLinkError};
/// let link = parse_upi_link("upi://pay?pa=shop@npci&pn=My%20Shop&url=https://x.in/a=b").unwrap();
/// assert_eq!(link.get("pn"), Some("My Shop"));
/// assert_eq!(link.get("url"), Some("https://x.in/a=b"));
/// assert_eq!(parse_upi_link("upi://pay?pa=x%2"), Err(UpiLinkError::BadEscape { offset: 14 }));
/// ```
pub fn parse_upi_link(text: &str) -> Result<UpiLink, UpiLinkError> {
    const SCHEME: &str = "upi://";
    if !text.get(..SCHEME.len()).is_some_and(|s| s.eq_ignore_ascii_case(SCHEME)) {
        return Err(UpiLinkError::NotUpiLink);
    }
    let rest = &text[SCHEME.len()..];
    let Some((verb, query)) = rest.split_once('?') else {
        return Err(UpiLinkError::MissingQuery { offset: text.chars().count() });
    };
    let mut offset = SCHEME.len() + verb.chars().count() + 1;
    // One allocation each, of the right size: a link of many parameters does not leave a
    // doubling vector's spare room behind.
    let segments = query.bytes().filter(|&b| b == b'&').count() + 1;
    let mut params = Vec::with_capacity(segments);
    let mut offsets = Vec::with_capacity(segments);
    for segment in query.split('&') {
        let seg_chars = segment.chars().count();
        if !segment.is_empty() {
            let Some((k, v)) = segment.split_once('=') else {
                return Err(UpiLinkError::MissingEquals { offset });
            };
            let key = percent_decode(k, offset)?;
            let value = percent_decode(v, offset + k.chars().count() + 1)?;
            params.push((key, value));
            offsets.push(offset);
        }
        offset += seg_chars + 1;
    }
    Ok(UpiLink { verb: verb.to_owned(), params, offsets })
}

fn upi_amount_ok(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(v.contains('.') && frac.is_empty())
}

/// Checks a UPI link against the linking specification's rules.
///
/// ```
/// use tapcert_parsers::qr::{parse_upi_link, validate_upi_link};
/// let f = validate_upi_link(&parse_upi_link("upi://pay?pa=shop@npci&am=1.234").unwrap());
/// assert_eq!(f.iter().map(|f| &*f.rule).collect::<Vec<_>>(), ["QR.UPI.PAYEE-NAME", "QR.UPI.AMOUNT-FORMAT"]);
/// assert_eq!((f[1].location.path.as_deref(), f[1].location.char_offset), (Some("am"), Some(23)));
/// ```
pub fn validate_upi_link(link: &UpiLink) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |rule: &'static str, key: &str, offset: Option<usize>, msg: String| {
        let location = match offset {
            Some(o) => Location::char(o).with_path(key),
            None => Location::path(key),
        };
        out.push(Finding::new(rule, Severity::Warning, location, msg));
    };
    let at = |key: &str| link.offset_of(key);
    match link.get("pa") {
        Some(pa) if super::validate::is_vpa(pa) => {}
        Some(pa) => push("QR.UPI.PAYEE-ADDRESS", "pa", at("pa"), format!("{pa:?}: expected a VPA name@psp")),
        None => push("QR.UPI.PAYEE-ADDRESS", "pa", None, "the payee address (pa) is mandatory".into()),
    }
    match link.get("pn") {
        Some(pn) if !pn.trim().is_empty() => {}
        _ => push("QR.UPI.PAYEE-NAME", "pn", at("pn"), "the payee name (pn) is mandatory".into()),
    }
    for key in ["am", "mam"] {
        if let Some(v) = link.get(key)
            && !upi_amount_ok(v)
        {
            push("QR.UPI.AMOUNT-FORMAT", key, at(key), format!("{v:?}: expected digits with at most 2 decimals"));
        }
    }
    if let Some(cu) = link.get("cu")
        && cu != "INR"
    {
        push("QR.UPI.CURRENCY", "cu", at("cu"), format!("{cu:?}: UPI settles in INR"));
    }
    if let Some(mc) = link.get("mc")
        && !(mc.len() == 4 && mc.bytes().all(|b| b.is_ascii_digit()))
    {
        push("QR.UPI.MCC-FORMAT", "mc", at("mc"), format!("{mc:?}: expected 4 digits"));
    }
    // One set lookup per key: a link of 100k keys used to take seconds (issue 14).
    let mut seen = std::collections::HashSet::new();
    for (i, (k, _)) in link.params.iter().enumerate() {
        if !seen.insert(k.as_str()) {
            push("QR.UPI.DUPLICATE-KEY", k, link.offsets.get(i).copied(), format!("{k} appears more than once"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NPCI: &str = "upi://pay?pa=nadeem@npci&pn=nadeem%20chinna&mc=0000&tid=cxnkjcnkjdfdvjndkjfvn&tr=4894398cndhcd23&tn=Pay%20to%20mystar%20store&am=10&mam=null&cu=INR&url=https://mystar.com/orderid=9298yw89e8973e87389e78923ue892";

    #[test]
    fn npci_sample_splits_on_the_first_equals() {
        let link = parse_upi_link(NPCI).unwrap();
        assert_eq!(link.verb, "pay");
        assert_eq!(link.params.len(), 10);
        assert_eq!(link.get("url"), Some("https://mystar.com/orderid=9298yw89e8973e87389e78923ue892"));
        assert_eq!(link.get("tn"), Some("Pay to mystar store"));
        let rules: Vec<_> = validate_upi_link(&link).into_iter().map(|f| (f.rule, f.location.path.unwrap())).collect();
        // The specification's own sample writes mam=null.
        assert_eq!(rules, [("QR.UPI.AMOUNT-FORMAT".into(), "mam".to_owned())]);
    }

    #[test]
    fn errors() {
        assert_eq!(parse_upi_link("http://pay?pa=x"), Err(UpiLinkError::NotUpiLink));
        assert_eq!(parse_upi_link("upi://pay"), Err(UpiLinkError::MissingQuery { offset: 9 }));
        assert_eq!(parse_upi_link("upi://pay?pa=a@b&pn"), Err(UpiLinkError::MissingEquals { offset: 17 }));
        assert_eq!(parse_upi_link("upi://pay?pn=%FF"), Err(UpiLinkError::NotUtf8 { offset: 13 }));
        assert_eq!(parse_upi_link("upi://pay?pn=€%zz"), Err(UpiLinkError::BadEscape { offset: 14 }));
        assert_eq!(parse_upi_link("UPI://pay?&&pa=a@b").unwrap().params.len(), 1);
    }
}
