//! The NDEF validator: every rule a lenient decode let pass, named.
//!
//! Rule ids are `<scope>.<rule>`: `ndef.*` for the record and message layer (NFC Forum NDEF
//! 1.0 §2.3 message and chunk rules, §3.2 field rules), then one scope per record type
//! (`text.*`, `uri.*`, `sp.*`, `aar.*`, `hs.*`, `hr.*`). Nested messages (Smart Poster,
//! Handover) are validated too, with their absolute offsets.
//!
//! | rule | what it says |
//! |---|---|
//! | `ndef.no-records` | a message has at least one record |
//! | `ndef.mb-first` | the first record has MB set |
//! | `ndef.mb-only-first` | no other record has MB set |
//! | `ndef.me-last` | the last record has ME set |
//! | `ndef.tnf-reserved` | TNF 7 is reserved and must not be used |
//! | `ndef.empty-record` | TNF 0: TYPE, ID and PAYLOAD lengths are 0 |
//! | `ndef.type-absent` | TNF 0, 5 and 6: TYPE_LENGTH is 0 |
//! | `ndef.type-required` | TNF 1 to 4: TYPE_LENGTH is not 0 |
//! | `ndef.unchanged-outside-chunk` | TNF 6 only on the middle and last chunks |
//! | `ndef.chunk-empty-tnf` | a chunked record is not TNF 0 |
//! | `ndef.chunk-tnf-unchanged` | middle and last chunks have TNF 6 |
//! | `ndef.chunk-type-on-middle` | middle and last chunks have TYPE_LENGTH 0 |
//! | `ndef.chunk-il-on-middle` | middle and last chunks have IL clear |
//! | `ndef.well-known-type-syntax` | TNF 1 TYPE uses the RTD (URN NSS) characters |
//! | `ndef.mime-type-syntax` | TNF 2 TYPE is an RFC 2046 media type |
//! | `ndef.absolute-uri-syntax` | TNF 3 TYPE is an RFC 3986 absolute URI |
//! | `ndef.external-type-syntax` | TNF 4 TYPE is `domain:type` |
//! | `<type>.payload` | the payload of a known type decodes (`text`, `uri`, `sp`, `hs`, ...) |
//! | `text.reserved-bit` | Text status bit 6 is 0 |
//! | `uri.reserved-code` | URI identifier code is 0x00-0x23 |
//! | `sp.one-uri` | a Smart Poster holds exactly one URI record |
//! | `sp.title-lang-unique` | at most one title per language |
//! | `sp.action-reserved` | action is 0, 1 or 2 |
//! | `aar.package-name` | the AAR payload is a Java package name |
//! | `hs.carrier-reference` | each `ac` references the ID of a record of the message |
//! | `hr.collision-resolution` | a Handover Request of version 1.2 or later has a `cr` record |

use std::collections::HashSet;

use super::message::{DecodeOptions, decode_message_at};
use super::record::{NdefRecord, RawRecord, Tnf, parse_raw_at};
use super::types::external::parse_external_type;
use super::types::handover::Handover;
use super::types::mime::parse_mime_type;
use super::types::smart_poster::SmartPosterAction;
use super::types::{KnownRecord, decode_known_at};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdefFinding {
    /// The rule id, e.g. `ndef.mb-first`.
    pub rule: &'static str,
    /// Offset of the record (or field) that breaks it.
    pub offset: usize,
    /// What was found.
    pub detail: String,
}

/// Validates a message with the default limits. Input that does not decode yields the
/// findings up to the fault (the decoder's error says the rest).
///
/// ```
/// use tapcert_parsers::ndef::validate_ndef_message;
/// // MB clear on the only record.
/// let findings = validate_ndef_message(&[0x50, 0x00, 0x00]);
/// assert_eq!(findings.iter().map(|f| f.rule).collect::<Vec<_>>(), ["ndef.mb-first"]);
/// assert!(validate_ndef_message(&[0xD0, 0x00, 0x00]).is_empty());
/// ```
pub fn validate_ndef_message(input: &[u8]) -> Vec<NdefFinding> {
    validate_ndef_message_with(input, &DecodeOptions::default())
}

/// Validates a message with the given limits.
pub fn validate_ndef_message_with(input: &[u8], opts: &DecodeOptions) -> Vec<NdefFinding> {
    let mut out = Vec::new();
    validate_at(input, 0, opts, 0, &mut out);
    out
}

fn push(out: &mut Vec<NdefFinding>, rule: &'static str, offset: usize, detail: impl Into<String>) {
    out.push(NdefFinding { rule, offset, detail: detail.into() });
}

pub(crate) fn validate_at(input: &[u8], base: usize, opts: &DecodeOptions, depth: usize, out: &mut Vec<NdefFinding>) {
    if input.is_empty() {
        push(out, "ndef.no-records", base, "the message has no record");
        return;
    }
    validate_wire(input, base, out);
    let Ok((msg, _)) = decode_message_at(input, base, opts) else { return };
    let ids: HashSet<&[u8]> = msg.records.iter().map(|r| &*r.id).filter(|id| !id.is_empty()).collect();
    for rec in &msg.records {
        validate_logical(rec, &ids, opts, depth, out);
    }
}

/// The record and chunk layer, walked over wire records.
fn validate_wire(input: &[u8], base: usize, out: &mut Vec<NdefFinding>) {
    let mut pos = 0;
    let mut index = 0;
    let mut in_chunk = false;
    let mut last: Option<RawRecord<'_>> = None;
    while pos < input.len() {
        let Ok((r, end)) = parse_raw_at(input, pos, base) else { return };
        pos = end;
        let at = r.offset;
        if index == 0 && !r.flags.mb {
            push(out, "ndef.mb-first", at, "MB clear on the first record");
        }
        if index > 0 && r.flags.mb {
            push(out, "ndef.mb-only-first", at, "MB set on a record that is not the first");
        }
        if r.tnf == Tnf::RESERVED {
            push(out, "ndef.tnf-reserved", at, "TNF 7 (reserved)");
        }
        if in_chunk {
            if r.tnf != Tnf::UNCHANGED {
                push(out, "ndef.chunk-tnf-unchanged", at, format!("TNF {} on a middle or last chunk", r.tnf.0));
            }
            if !r.record_type.is_empty() {
                push(out, "ndef.chunk-type-on-middle", at, "TYPE on a middle or last chunk");
            }
            if r.flags.il {
                push(out, "ndef.chunk-il-on-middle", at, "IL set on a middle or last chunk");
            }
        } else {
            check_type_field(&r, out);
            if r.flags.cf && r.tnf == Tnf::EMPTY {
                push(out, "ndef.chunk-empty-tnf", at, "a chunked record with TNF 0");
            }
        }
        in_chunk = r.flags.cf;
        index += 1;
        let me = r.flags.me;
        last = Some(r);
        if me {
            break;
        }
    }
    if let Some(r) = last {
        if !r.flags.me {
            push(out, "ndef.me-last", r.offset, "ME clear on the last record");
        }
    }
}

/// Rules on the TNF and TYPE of an unchunked record or a first chunk.
fn check_type_field(r: &RawRecord<'_>, out: &mut Vec<NdefFinding>) {
    let at = r.offset;
    match r.tnf {
        Tnf::EMPTY if !(r.record_type.is_empty() && r.id.is_empty() && r.payload.is_empty()) => {
            push(out, "ndef.empty-record", at, "TNF 0 with a TYPE, ID or PAYLOAD");
        }
        Tnf::UNCHANGED => {
            push(out, "ndef.unchanged-outside-chunk", at, "TNF 6 on an unchunked record or a first chunk")
        }
        _ => {}
    }
    let needs_type = (1..=4).contains(&r.tnf.0);
    if needs_type && r.record_type.is_empty() {
        push(out, "ndef.type-required", at, format!("TNF {} with TYPE_LENGTH 0", r.tnf.0));
    }
    if matches!(r.tnf, Tnf::EMPTY | Tnf::UNKNOWN | Tnf::UNCHANGED) && !r.record_type.is_empty() {
        push(out, "ndef.type-absent", at, format!("TNF {} with a TYPE", r.tnf.0));
    }
    if r.record_type.is_empty() {
        return;
    }
    let ty = r.record_type;
    match r.tnf {
        Tnf::WELL_KNOWN if !ty.iter().all(|&b| is_urn_char(b)) => {
            push(out, "ndef.well-known-type-syntax", at, "well-known TYPE outside the RTD character set")
        }
        Tnf::MIME if parse_mime_type(ty).is_none() => {
            push(out, "ndef.mime-type-syntax", at, "TYPE is not type/subtype")
        }
        Tnf::ABSOLUTE_URI if !is_absolute_uri(ty) => {
            push(out, "ndef.absolute-uri-syntax", at, "TYPE is not an absolute URI")
        }
        Tnf::EXTERNAL if parse_external_type(ty).is_none() => {
            push(out, "ndef.external-type-syntax", at, "TYPE is not domain:type")
        }
        _ => {}
    }
}

/// Characters of a URN namespace-specific string (RFC 2141), which RTD type names use.
fn is_urn_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"()+,-.:=@;$_!*'%/?#".contains(&b)
}

/// `scheme ":" hier-part` with only URI characters (RFC 3986 §3, §4.3).
fn is_absolute_uri(ty: &[u8]) -> bool {
    let Some(colon) = ty.iter().position(|&b| b == b':') else { return false };
    let scheme = &ty[..colon];
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.iter().all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && ty[colon + 1..].iter().all(|&b| b.is_ascii_graphic())
}

/// The payload rules of known types.
fn validate_logical(
    rec: &NdefRecord<'_>,
    ids: &HashSet<&[u8]>,
    opts: &DecodeOptions,
    depth: usize,
    out: &mut Vec<NdefFinding>,
) {
    let at = rec.offset;
    let Some(decoded) = decode_known_at(rec, opts, depth) else { return };
    let known = match decoded {
        Ok(k) => k,
        Err(e) => {
            push(out, payload_rule(rec), e.offset(), e.to_string());
            return;
        }
    };
    let nested_base = rec.payload_offset();
    match known {
        KnownRecord::Text(_) if rec.payload.first().is_some_and(|s| s & 0x40 != 0) => {
            push(out, "text.reserved-bit", nested_base, "status bit 6 (reserved) set");
        }
        KnownRecord::Uri(u) if u.is_reserved_code() => {
            push(out, "uri.reserved-code", nested_base, format!("identifier code {:02X} is reserved", u.code));
        }
        KnownRecord::SmartPoster(sp) => {
            if sp.uri_count != 1 {
                push(out, "sp.one-uri", at, format!("{} URI records", sp.uri_count));
            }
            let mut langs = HashSet::new();
            for t in &sp.titles {
                if !langs.insert(t.lang.to_ascii_lowercase()) {
                    push(out, "sp.title-lang-unique", at, format!("two titles in language {:?}", t.lang));
                }
            }
            if let Some(a) = sp.action.filter(|a| a.0 > SmartPosterAction::EDIT.0) {
                push(out, "sp.action-reserved", at, format!("action {} is reserved", a.0));
            }
            validate_at(&rec.payload, nested_base, opts, depth + 1, out);
        }
        KnownRecord::HandoverSelect(h) => {
            check_handover_refs(&h, ids, at, out);
            validate_at(&rec.payload[1..], nested_base + 1, opts, depth + 1, out);
        }
        KnownRecord::HandoverRequest(h) => {
            check_handover_refs(&h, ids, at, out);
            if h.version >= 0x12 && h.collision_resolution.is_none() {
                push(out, "hr.collision-resolution", at, "Handover Request 1.2+ without a cr record");
            }
            validate_at(&rec.payload[1..], nested_base + 1, opts, depth + 1, out);
        }
        KnownRecord::Aar(a) if !a.is_valid_package_name() => {
            push(out, "aar.package-name", nested_base, format!("{:?} is not a package name", a.package));
        }
        _ => {}
    }
}

fn check_handover_refs(h: &Handover<'_>, ids: &HashSet<&[u8]>, at: usize, out: &mut Vec<NdefFinding>) {
    for ac in &h.alternative_carriers {
        if !ids.contains(ac.carrier_data_reference) {
            push(out, "hs.carrier-reference", at, format!("no record with ID {:02X?}", ac.carrier_data_reference));
        }
    }
}

fn payload_rule(rec: &NdefRecord<'_>) -> &'static str {
    match (rec.tnf, &*rec.record_type) {
        (Tnf::WELL_KNOWN, b"T") => "text.payload",
        (Tnf::WELL_KNOWN, b"U") => "uri.payload",
        (Tnf::WELL_KNOWN, b"Sp") => "sp.payload",
        (Tnf::WELL_KNOWN, b"Hs") => "hs.payload",
        (Tnf::WELL_KNOWN, b"Hr") => "hr.payload",
        (Tnf::WELL_KNOWN, b"Hc") => "hc.payload",
        (Tnf::WELL_KNOWN, b"Sig") => "sig.payload",
        (Tnf::EXTERNAL, _) => "aar.payload",
        _ => "mime.payload",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(bytes: &[u8]) -> Vec<&'static str> {
        validate_ndef_message(bytes).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn message_flags() {
        assert_eq!(rules(&[]), ["ndef.no-records"]);
        // two records, the second with MB and without ME
        assert_eq!(rules(&[0x90, 0x00, 0x00, 0x90, 0x00, 0x00]), ["ndef.mb-only-first", "ndef.me-last"]);
    }

    #[test]
    fn chunk_rules() {
        // first chunk TNF 2 "a/b", middle chunk TNF 2 with type and IL, last chunk fine
        let bytes =
            [0xB2, 0x03, 0x01, b'a', b'/', b'b', 0x01, 0x3A, 0x01, 0x01, 0x00, b'x', 0x02, 0x56, 0x00, 0x01, 0x03];
        assert_eq!(rules(&bytes), ["ndef.chunk-tnf-unchanged", "ndef.chunk-type-on-middle", "ndef.chunk-il-on-middle"]);
    }

    #[test]
    fn field_rules() {
        assert_eq!(rules(&[0xD0, 0x00, 0x01, 0x00]), ["ndef.empty-record"]);
        assert_eq!(rules(&[0xD5, 0x01, 0x00, b'x']), ["ndef.type-absent"]);
        assert_eq!(rules(&[0xD1, 0x00, 0x00]), ["ndef.type-required"]);
        assert_eq!(rules(&[0xD6, 0x00, 0x00]), ["ndef.unchanged-outside-chunk"]);
        assert_eq!(rules(&[0xD7, 0x00, 0x00]), ["ndef.tnf-reserved"]);
        assert_eq!(rules(&[0xD2, 0x01, 0x00, b'x']), ["ndef.mime-type-syntax"]);
        assert_eq!(rules(&[0xD3, 0x01, 0x00, b'x']), ["ndef.absolute-uri-syntax"]);
        assert_eq!(rules(&[0xD4, 0x01, 0x00, b'x']), ["ndef.external-type-syntax"]);
        assert_eq!(rules(&[0xD1, 0x01, 0x00, 0xFF]), ["ndef.well-known-type-syntax"]);
    }

    #[test]
    fn payload_rules() {
        assert_eq!(rules(&[0xD1, 0x01, 0x02, b'U', 0x24, b'x']), ["uri.reserved-code"]);
        assert_eq!(rules(&[0xD1, 0x01, 0x02, b'T', 0x42, b'x']), ["text.payload"]);
        assert_eq!(rules(&[0xD1, 0x01, 0x01, b'T', 0x40]), ["text.reserved-bit"]);
        let f = validate_ndef_message(&[0xD1, 0x01, 0x02, b'T', 0x00, 0xFF]);
        assert_eq!((f[0].rule, f[0].offset), ("text.payload", 5));
    }
}
