//! Bench-only baseline: the hand-written EMVCo MPM decoder as it was before the grammar became
//! nom combinators (issue 13), kept so `benches/qr.rs` can time both in one run.
#![allow(dead_code, missing_docs, clippy::all)]

use tapcert_parsers::qr::{
    CrcCheck, MerchantQr, MpmId, MpmObject, QrError, crc16_ccitt_false, is_root_template, nested_template,
};

/// Where objects are being read: the whole payload or one template's value.
#[derive(Clone, Copy)]
struct Span {
    /// Byte range in the payload.
    start: usize,
    end: usize,
    /// Character offset of `start`.
    chars: usize,
    /// The template's character offset, when inside one.
    template_offset: Option<usize>,
}

/// Reads the objects of one level, flat (no recursion).
fn read_level<'a>(text: &'a str, span: Span, ascii: bool) -> Result<Vec<MpmObject<'a>>, QrError> {
    // The annex example has 15 top-level objects and templates hold 2-4: one allocation each.
    let mut objects = Vec::with_capacity(if span.template_offset.is_none() { 16 } else { 4 });
    let bytes = &text.as_bytes()[..span.end];
    let (mut byte, mut chr) = (span.start, span.chars);
    while byte < span.end {
        let Some((id, value_len, declared)) = header(&bytes[byte..], ascii) else {
            return Err(object_error(text, byte, chr, span, ascii));
        };
        let start = byte + 4;
        let value = &text[start..start + value_len];
        objects.push(MpmObject { id, value, offset: chr, byte_offset: byte, children: None });
        byte = start + value_len;
        chr += 4 + declared;
    }
    Ok(objects)
}

fn count_chars(s: &str, ascii: bool) -> usize {
    if ascii { s.len() } else { s.chars().count() }
}

fn two_chars(s: &str) -> String {
    s.chars().take(2).collect()
}

/// Bytes taken by the first `chars` characters of UTF-8 text, or `None` when it has fewer.
/// Counts character starts (bytes that are not `10xxxxxx` continuations).
fn byte_len_of_chars(text: &[u8], chars: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, &b) in text.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == chars {
                return Some(i);
            }
            seen += 1;
        }
    }
    (seen == chars).then_some(text.len())
}

/// The header of the object starting `b` (which ends where the level ends): its ID, the
/// value's length in bytes and its declared length in characters; `None` when the object is
/// malformed ([`object_error`] says how).
#[inline(always)]
fn header(b: &[u8], ascii: bool) -> Option<(MpmId, usize, usize)> {
    let &[i0, i1, l0, l1, ref body @ ..] = b else { return None };
    let (i0, i1, l0, l1) = (i0.wrapping_sub(b'0'), i1.wrapping_sub(b'0'), l0.wrapping_sub(b'0'), l1.wrapping_sub(b'0'));
    if i0 > 9 || i1 > 9 || l0 > 9 || l1 > 9 {
        return None;
    }
    let id = MpmId(i0 * 10 + i1);
    let declared = usize::from(l0 * 10 + l1);
    let value_len = if ascii || body.get(..declared).is_some_and(|v| v.is_ascii()) {
        (declared <= body.len()).then_some(declared)
    } else {
        byte_len_of_chars(body, declared)
    }?;
    Some((id, value_len, declared))
}

/// The error for a malformed object at `byte` (character `chr`), out of the hot loop.
#[cold]
#[inline(never)]
fn object_error(text: &str, byte: usize, chr: usize, span: Span, ascii: bool) -> QrError {
    let rest = &text[byte..span.end];
    let b = rest.as_bytes();
    if b.len() < 4 {
        // Fewer than 4 bytes is fewer than 4 characters, whatever they are.
        return QrError::TruncatedHeader { offset: chr, available: count_chars(rest, ascii) };
    }
    if !(b[0].is_ascii_digit() && b[1].is_ascii_digit()) {
        return QrError::NonDigitId { offset: chr, found: two_chars(rest) };
    }
    if !(b[2].is_ascii_digit() && b[3].is_ascii_digit()) {
        return QrError::BadLength { offset: chr + 2, found: two_chars(&rest[2..]) };
    }
    let declared = usize::from((b[2] - b'0') * 10 + (b[3] - b'0'));
    let available = count_chars(&rest[4..], ascii);
    match span.template_offset {
        None => QrError::Truncated { offset: chr, declared, available },
        Some(template_offset) => QrError::ExceedsTemplate { offset: chr, declared, available, template_offset },
    }
}

/// Reads one object at `byte` (character `chr`); returns it and where the next one starts.
fn read_object<'a>(
    text: &'a str,
    byte: usize,
    chr: usize,
    span: Span,
    ascii: bool,
) -> Result<(MpmObject<'a>, usize, usize), QrError> {
    let Some((id, value_len, declared)) = header(&text.as_bytes()[byte..span.end], ascii) else {
        return Err(object_error(text, byte, chr, span, ascii));
    };
    let start = byte + 4;
    let obj = MpmObject { id, value: &text[start..start + value_len], offset: chr, byte_offset: byte, children: None };
    Ok((obj, start + value_len, chr + 4 + declared))
}

/// Parses a template's value into children, then the children that the template's scheme makes
/// templates in turn (one more level at most).
fn expand<'a>(text: &'a str, obj: &mut MpmObject<'a>, parent: Option<MpmId>, ascii: bool) -> Result<(), QrError> {
    let start = obj.byte_offset + 4;
    let span = Span { start, end: start + obj.value.len(), chars: obj.offset + 4, template_offset: Some(obj.offset) };
    let mut children = read_level(text, span, ascii)?;
    if parent.is_none() {
        let guid = children.iter().find(|c| c.id == MpmId::GUID).map(|c| c.value);
        for child in &mut children {
            if nested_template(obj.id, guid, child.id) {
                expand(text, child, Some(obj.id), ascii)?;
            }
        }
    }
    obj.children = Some(children);
    Ok(())
}

/// Decodes a whole Merchant-Presented Mode payload: every object, templates expanded where
/// the specification makes them templates, and the CRC located by structure and computed.
/// Nothing is validated here beyond the grammar (see [`super::validate_qr_mpm`]).
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_mpm, MpmId, QrError};
/// let qr = decode_qr_mpm("000201520400005303986630445C8").unwrap();
/// assert_eq!(qr.value(MpmId::TRANSACTION_CURRENCY), Some("986"));
/// assert_eq!(qr.crc.unwrap().stated, "45C8");
/// // "5303" announces 3 characters, "98" holds 2.
/// assert_eq!(decode_qr_mpm("00020152040000530398"), Err(QrError::Truncated { offset: 14, declared: 3, available: 2 }));
/// ```
pub fn decode_qr_mpm(text: &str) -> Result<MerchantQr<'_>, QrError> {
    if text.is_empty() {
        return Err(QrError::Empty);
    }
    let ascii = text.is_ascii();
    let span = Span { start: 0, end: text.len(), chars: 0, template_offset: None };
    let mut objects = read_level(text, span, ascii)?;
    for obj in &mut objects {
        if is_root_template(obj.id) {
            expand(text, obj, None, ascii)?;
        }
    }
    let crc = objects
        .last()
        .filter(|o| o.id == MpmId::CRC && o.value.len() == 4)
        .map(|o| CrcCheck { stated: o.value, computed: crc16_ccitt_false(&text.as_bytes()[..o.byte_offset + 4]) });
    Ok(MerchantQr { text, objects, crc })
}

/// The CPM entry points as they were: the whole text to the base64 crate, the bytes to the
/// BER-TLV tree decoder.
pub mod cpm {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use tapcert_parsers::tlv::{TlvNode, decode_emv_tlv};

    pub fn decode_qr_cpm_base64(text: &str) -> Option<Vec<u8>> {
        STANDARD.decode(text).ok()
    }

    pub fn parse_qr_cpm(bytes: &[u8]) -> Option<Vec<TlvNode<'_>>> {
        if bytes.is_empty() {
            return None;
        }
        decode_emv_tlv(bytes).ok()
    }
}
