//! Smart Poster record, well-known type `Sp` (NFC Forum Smart Poster RTD 1.0): the payload is
//! itself an NDEF message holding exactly one URI record, optional Text records as titles (at
//! most one per language), and optional `act` (action, 1 byte), `s` (size, 4 bytes
//! big-endian), `t` (media type of the target, UTF-8) and icon records (MIME `image/*` or
//! `video/*`).

use crate::ndef::error::NdefError;
use crate::ndef::message::{DecodeOptions, NdefMessage, decode_message_at, encode_ndef_message};
use crate::ndef::record::{NdefRecord, Tnf};
use crate::ndef::types::mime::parse_mime_type;
use crate::ndef::types::text::{TEXT_TYPE, TextRecord, parse_ndef_text};
use crate::ndef::types::uri::{URI_TYPE, UriRecord, parse_ndef_uri};

/// Record type of the Smart Poster RTD.
pub const SMART_POSTER_TYPE: &[u8] = b"Sp";
/// Local type of the action record.
pub const ACTION_TYPE: &[u8] = b"act";
/// Local type of the size record.
pub const SIZE_TYPE: &[u8] = b"s";
/// Local type of the type record.
pub const TARGET_TYPE_TYPE: &[u8] = b"t";

/// The recommended action (`act` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SmartPosterAction(pub u8);

impl SmartPosterAction {
    /// 0: do the action (open the URI, send the SMS, ...).
    pub const DO: SmartPosterAction = SmartPosterAction(0);
    /// 1: save for later.
    pub const SAVE: SmartPosterAction = SmartPosterAction(1);
    /// 2: open for editing.
    pub const EDIT: SmartPosterAction = SmartPosterAction(2);

    /// `do`, `save`, `edit` or `reserved`.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "do",
            1 => "save",
            2 => "edit",
            _ => "reserved",
        }
    }
}

/// A decoded Smart Poster payload. The fields borrow the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartPoster<'a> {
    /// The nested message as decoded.
    pub message: NdefMessage<'a>,
    /// The first URI record (the RTD requires exactly one).
    pub uri: Option<UriRecord<'a>>,
    /// Number of URI records (for the validator: must be 1).
    pub uri_count: usize,
    /// Title Text records in order.
    pub titles: Vec<TextRecord<'a>>,
    /// The recommended action.
    pub action: Option<SmartPosterAction>,
    /// Size of the referenced object in bytes.
    pub size: Option<u32>,
    /// Media type of the referenced object.
    pub target_type: Option<&'a str>,
    /// Icons: (media type, content).
    pub icons: Vec<(&'a str, &'a [u8])>,
}

/// Decodes a Smart Poster payload with the default limits. Offsets are relative to the payload.
///
/// ```
/// use tapcert_parsers::ndef::{decode_ndef_message, parse_ndef_smart_poster};
/// let bytes = [
///     0xD1, 0x02, 0x22, b'S', b'p', 0x91, 0x01, 0x0E, b'U', 0x04, b'n', b'f', b'c', b'-', b'f', b'o', b'r',
///     b'u', b'm', b'.', b'o', b'r', b'g', 0x51, 0x01, 0x0C, b'T', 0x02, b'e', b'n', b'N', b'F', b'C', b' ',
///     b'F', b'o', b'r', b'u', b'm',
/// ];
/// let msg = decode_ndef_message(&bytes).unwrap();
/// let sp = parse_ndef_smart_poster(&msg.records[0].payload).unwrap();
/// assert_eq!(sp.uri.unwrap().uri(), "https://nfc-forum.org");
/// assert_eq!(sp.titles[0].text, "NFC Forum");
/// assert!(parse_ndef_smart_poster(&[0xD1, 0x01, 0x09]).is_err());
/// ```
pub fn parse_ndef_smart_poster(payload: &[u8]) -> Result<SmartPoster<'_>, NdefError> {
    parse_smart_poster_at(payload, 0, &DecodeOptions::default(), 0)
}

/// Offsets are `base +` position in the payload.
pub(crate) fn parse_smart_poster_at<'a>(
    payload: &'a [u8],
    base: usize,
    opts: &DecodeOptions,
    depth: usize,
) -> Result<SmartPoster<'a>, NdefError> {
    if depth >= opts.max_depth {
        return Err(NdefError::DepthLimit { offset: base, limit: opts.max_depth });
    }
    let (message, end) = decode_message_at(payload, base, opts)?;
    if end < payload.len() {
        return Err(NdefError::TrailingData { offset: base + end });
    }
    let mut sp = SmartPoster {
        message: NdefMessage::default(),
        uri: None,
        uri_count: 0,
        titles: Vec::new(),
        action: None,
        size: None,
        target_type: None,
        icons: Vec::new(),
    };
    for rec in &message.records {
        let at = rec.payload_offset();
        // Nested records of a Smart Poster are single wire records in practice; chunked ones
        // own their payload and cannot be borrowed for the payload's lifetime, so they are
        // kept only in `message`.
        let std::borrow::Cow::Borrowed(p) = rec.payload else { continue };
        if rec.is_type(Tnf::WELL_KNOWN, URI_TYPE) {
            sp.uri_count += 1;
            if sp.uri.is_none() {
                sp.uri = Some(parse_ndef_uri(p).map_err(|e| e.shifted(at))?);
            }
        } else if rec.is_type(Tnf::WELL_KNOWN, TEXT_TYPE) {
            sp.titles.push(parse_ndef_text(p).map_err(|e| e.shifted(at))?);
        } else if rec.is_type(Tnf::WELL_KNOWN, ACTION_TYPE) {
            let &[a] = p else { return Err(NdefError::Malformed { offset: at, expected: "a 1-byte action" }) };
            sp.action = Some(SmartPosterAction(a));
        } else if rec.is_type(Tnf::WELL_KNOWN, SIZE_TYPE) {
            let &[a, b, c, d] = p else { return Err(NdefError::Malformed { offset: at, expected: "a 4-byte size" }) };
            sp.size = Some(u32::from_be_bytes([a, b, c, d]));
        } else if rec.is_type(Tnf::WELL_KNOWN, TARGET_TYPE_TYPE) {
            sp.target_type = Some(
                std::str::from_utf8(p)
                    .map_err(|_| NdefError::Malformed { offset: at, expected: "a UTF-8 media type" })?,
            );
        } else if rec.tnf == Tnf::MIME {
            if let (Some(m), std::borrow::Cow::Borrowed(ty)) = (parse_mime_type(&rec.record_type), &rec.record_type) {
                if m.top.eq_ignore_ascii_case("image") || m.top.eq_ignore_ascii_case("video") {
                    // `ty` is valid UTF-8: parse_mime_type checked it.
                    sp.icons.push((std::str::from_utf8(ty).unwrap_or_default(), p));
                }
            }
        }
    }
    sp.message = message;
    Ok(sp)
}

impl NdefRecord<'static> {
    /// A Smart Poster record: the URI, one title per `(lang, text)`, and the action if given.
    ///
    /// ```
    /// use tapcert_parsers::ndef::{NdefRecord, parse_ndef_smart_poster, SmartPosterAction};
    /// let sp = NdefRecord::smart_poster("https://nfc-forum.org", &[("en", "NFC Forum")], Some(SmartPosterAction::DO));
    /// let decoded = parse_ndef_smart_poster(&sp.payload).unwrap();
    /// assert_eq!(decoded.action, Some(SmartPosterAction::DO));
    /// ```
    pub fn smart_poster(uri: &str, titles: &[(&str, &str)], action: Option<SmartPosterAction>) -> Self {
        let mut records = vec![NdefRecord::uri(uri)];
        records.extend(titles.iter().map(|(lang, text)| NdefRecord::text(lang, text)));
        if let Some(a) = action {
            records.push(NdefRecord::new(Tnf::WELL_KNOWN, ACTION_TYPE.to_vec(), Vec::new(), vec![a.0]));
        }
        NdefRecord::new(Tnf::WELL_KNOWN, SMART_POSTER_TYPE.to_vec(), Vec::new(), encode_ndef_message(&records))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_fields() {
        let inner = encode_ndef_message(&[
            NdefRecord::uri("https://example.com/a"),
            NdefRecord::text("en", "A"),
            NdefRecord::text("fr", "Un"),
            NdefRecord::new(Tnf::WELL_KNOWN, b"act".to_vec(), Vec::new(), vec![1]),
            NdefRecord::new(Tnf::WELL_KNOWN, b"s".to_vec(), Vec::new(), vec![0, 0, 1, 0]),
            NdefRecord::new(Tnf::WELL_KNOWN, b"t".to_vec(), Vec::new(), b"text/html".to_vec()),
            NdefRecord::mime("image/png", &[0x89, b'P']),
        ]);
        let sp = parse_ndef_smart_poster(&inner).unwrap();
        assert_eq!(sp.uri.as_ref().unwrap().uri(), "https://example.com/a");
        assert_eq!(sp.titles.len(), 2);
        assert_eq!((sp.action, sp.size, sp.target_type), (Some(SmartPosterAction::SAVE), Some(256), Some("text/html")));
        assert_eq!(sp.icons, vec![("image/png", &[0x89, b'P'][..])]);
    }

    #[test]
    fn bad_action_has_offset() {
        let inner = encode_ndef_message(&[NdefRecord::new(Tnf::WELL_KNOWN, b"act".to_vec(), Vec::new(), vec![1, 2])]);
        assert_eq!(
            parse_ndef_smart_poster(&inner),
            Err(NdefError::Malformed { offset: 6, expected: "a 1-byte action" })
        );
    }

    #[test]
    fn depth_limit() {
        let opts = DecodeOptions { max_depth: 1, ..DecodeOptions::default() };
        assert!(parse_smart_poster_at(&[], 0, &opts, 0).is_ok());
        assert_eq!(parse_smart_poster_at(&[], 0, &opts, 1), Err(NdefError::DepthLimit { offset: 0, limit: 1 }));
    }
}
