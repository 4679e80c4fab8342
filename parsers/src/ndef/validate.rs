//! The NDEF validator: every rule a lenient decode let pass, named.
//!
//! Every rule is a [`Finding`] located by the byte offset of the record (or field) that breaks
//! it. Rule ids are `NDEF.<RULE>` for the record and message layer (NFC Forum NDEF 1.0 §2.3
//! message and chunk rules, §3.2 field rules) and `NDEF.<TYPE>.<RULE>` for the record types
//! (`TEXT`, `URI`, `SP`, `AAR`, `HS`, `HR`, ...). Nested messages (Smart Poster, Handover) are
//! validated too, with their absolute offsets. Every rule is a warning except
//! `NDEF.<TYPE>.PAYLOAD`, an error: the record cannot be read as its type says.
//!
//! | rule | what it says |
//! |---|---|
//! | `NDEF.NO-RECORDS` | a message has at least one record |
//! | `NDEF.MB-FIRST` | the first record has MB set |
//! | `NDEF.MB-ONLY-FIRST` | no other record has MB set |
//! | `NDEF.ME-LAST` | the last record has ME set |
//! | `NDEF.TNF-RESERVED` | TNF 7 is reserved and must not be used |
//! | `NDEF.EMPTY-RECORD` | TNF 0: TYPE, ID and PAYLOAD lengths are 0 |
//! | `NDEF.TYPE-ABSENT` | TNF 0, 5 and 6: TYPE_LENGTH is 0 |
//! | `NDEF.TYPE-REQUIRED` | TNF 1 to 4: TYPE_LENGTH is not 0 |
//! | `NDEF.UNCHANGED-OUTSIDE-CHUNK` | TNF 6 only on the middle and last chunks |
//! | `NDEF.CHUNK-EMPTY-TNF` | a chunked record is not TNF 0 |
//! | `NDEF.CHUNK-TNF-UNCHANGED` | middle and last chunks have TNF 6 |
//! | `NDEF.CHUNK-TYPE-ON-MIDDLE` | middle and last chunks have TYPE_LENGTH 0 |
//! | `NDEF.CHUNK-IL-ON-MIDDLE` | middle and last chunks have IL clear |
//! | `NDEF.WELL-KNOWN-TYPE-SYNTAX` | TNF 1 TYPE uses the RTD (URN NSS) characters |
//! | `NDEF.MIME-TYPE-SYNTAX` | TNF 2 TYPE is an RFC 2046 media type |
//! | `NDEF.ABSOLUTE-URI-SYNTAX` | TNF 3 TYPE is an RFC 3986 absolute URI |
//! | `NDEF.EXTERNAL-TYPE-SYNTAX` | TNF 4 TYPE is `domain:type` |
//! | `NDEF.<TYPE>.PAYLOAD` | the payload of a known type decodes (`TEXT`, `URI`, `SP`, `HS`, ...) |
//! | `NDEF.TEXT.RESERVED-BIT` | Text status bit 6 is 0 |
//! | `NDEF.URI.RESERVED-CODE` | URI identifier code is 0x00-0x23 |
//! | `NDEF.SP.ONE-URI` | a Smart Poster holds exactly one URI record |
//! | `NDEF.SP.TITLE-LANG-UNIQUE` | at most one title per language |
//! | `NDEF.SP.ACTION-RESERVED` | action is 0, 1 or 2 |
//! | `NDEF.AAR.PACKAGE-NAME` | the AAR payload is a Java package name |
//! | `NDEF.HS.CARRIER-REFERENCE` | each `ac` references the ID of a record of the message |
//! | `NDEF.HR.COLLISION-RESOLUTION` | a Handover Request of version 1.2 or later has a `cr` record |

use std::collections::HashSet;

use super::message::{DecodeOptions, NdefRecordIter, check_message_at};
use super::record::{NdefRecord, RawRecord, Tnf, parse_raw_at};
use super::types::external::parse_external_type;
use super::types::handover::Handover;
use super::types::mime::parse_mime_type;
use super::types::smart_poster::SmartPosterAction;
use super::types::{KnownRecord, decode_known_at};
use crate::{Finding, Location, Severity};

/// Validates a message with the default limits. Input that does not decode yields the
/// findings up to the fault (the decoder's error says the rest).
///
/// ```
/// use tapcert_parsers::ndef::validate_ndef_message;
/// // MB clear on the only record.
/// let findings = validate_ndef_message(&[0x50, 0x00, 0x00]);
/// assert_eq!(findings.iter().map(|f| &*f.rule).collect::<Vec<_>>(), ["NDEF.MB-FIRST"]);
/// assert!(validate_ndef_message(&[0xD0, 0x00, 0x00]).is_empty());
/// ```
pub fn validate_ndef_message(input: &[u8]) -> Vec<Finding> {
    validate_ndef_message_with(input, &DecodeOptions::default())
}

/// Validates a message with the given limits.
pub fn validate_ndef_message_with(input: &[u8], opts: &DecodeOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    validate_at(input, 0, opts, 0, &mut |f| out.push(f));
    out
}

/// Validates a message with the given limits, handing each finding to `sink` as it is found:
/// memory does not grow with the number of records or findings (a caller that keeps only
/// the first findings and counts the rest, as `tapcert decode` does, stays bounded).
///
/// ```
/// use tapcert_parsers::ndef::{DecodeOptions, validate_ndef_message_into};
/// let mut rules = Vec::new();
/// validate_ndef_message_into(&[0x50, 0x00, 0x00], &DecodeOptions::default(), &mut |f| rules.push(f.rule));
/// assert_eq!(rules, ["NDEF.MB-FIRST"]);
/// ```
pub fn validate_ndef_message_into(input: &[u8], opts: &DecodeOptions, sink: &mut dyn FnMut(Finding)) {
    validate_at(input, 0, opts, 0, sink);
}

/// A broken rule of the NDEF layer or of a record type: a warning at a byte offset.
pub(crate) fn push(out: &mut dyn FnMut(Finding), rule: &'static str, offset: usize, detail: impl Into<String>) {
    out(Finding::new(rule, Severity::Warning, Location::byte(offset), detail));
}

pub(crate) fn validate_at(input: &[u8], base: usize, opts: &DecodeOptions, depth: usize, out: &mut dyn FnMut(Finding)) {
    if input.is_empty() {
        push(out, "NDEF.NO-RECORDS", base, "the message has no record");
        return;
    }
    validate_wire(input, base, out);
    // The record layer only for a message that decodes whole; walked record by record.
    if check_message_at(input, base, opts).is_err() {
        return;
    }
    // The IDs of the message, collected when a Handover record asks for them.
    let mut ids = None;
    for rec in NdefRecordIter::with_base(input, base, *opts).map_while(Result::ok) {
        validate_logical(&rec, input, base, &mut ids, opts, depth, out);
    }
}

/// The non-empty record IDs of the message in `input` (decoded whole already).
fn message_ids(input: &[u8], base: usize, opts: &DecodeOptions) -> HashSet<Vec<u8>> {
    NdefRecordIter::with_base(input, base, *opts)
        .map_while(Result::ok)
        .filter(|r| !r.id.is_empty())
        .map(|r| r.id.into_owned())
        .collect()
}

/// The record and chunk layer, walked over wire records.
fn validate_wire(input: &[u8], base: usize, out: &mut dyn FnMut(Finding)) {
    let mut pos = 0;
    let mut index = 0;
    let mut in_chunk = false;
    let mut last: Option<RawRecord<'_>> = None;
    while pos < input.len() {
        let Ok((r, end)) = parse_raw_at(input, pos, base) else { return };
        pos = end;
        let at = r.offset;
        if index == 0 && !r.flags.mb {
            push(out, "NDEF.MB-FIRST", at, "MB clear on the first record");
        }
        if index > 0 && r.flags.mb {
            push(out, "NDEF.MB-ONLY-FIRST", at, "MB set on a record that is not the first");
        }
        if r.tnf == Tnf::RESERVED {
            push(out, "NDEF.TNF-RESERVED", at, "TNF 7 (reserved)");
        }
        if in_chunk {
            if r.tnf != Tnf::UNCHANGED {
                push(out, "NDEF.CHUNK-TNF-UNCHANGED", at, format!("TNF {} on a middle or last chunk", r.tnf.0));
            }
            if !r.record_type.is_empty() {
                push(out, "NDEF.CHUNK-TYPE-ON-MIDDLE", at, "TYPE on a middle or last chunk");
            }
            if r.flags.il {
                push(out, "NDEF.CHUNK-IL-ON-MIDDLE", at, "IL set on a middle or last chunk");
            }
        } else {
            check_type_field(&r, out);
            if r.flags.cf && r.tnf == Tnf::EMPTY {
                push(out, "NDEF.CHUNK-EMPTY-TNF", at, "a chunked record with TNF 0");
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
            push(out, "NDEF.ME-LAST", r.offset, "ME clear on the last record");
        }
    }
}

/// Rules on the TNF and TYPE of an unchunked record or a first chunk.
fn check_type_field(r: &RawRecord<'_>, out: &mut dyn FnMut(Finding)) {
    let at = r.offset;
    match r.tnf {
        Tnf::EMPTY if !(r.record_type.is_empty() && r.id.is_empty() && r.payload.is_empty()) => {
            push(out, "NDEF.EMPTY-RECORD", at, "TNF 0 with a TYPE, ID or PAYLOAD");
        }
        Tnf::UNCHANGED => {
            push(out, "NDEF.UNCHANGED-OUTSIDE-CHUNK", at, "TNF 6 on an unchunked record or a first chunk")
        }
        _ => {}
    }
    let needs_type = (1..=4).contains(&r.tnf.0);
    if needs_type && r.record_type.is_empty() {
        push(out, "NDEF.TYPE-REQUIRED", at, format!("TNF {} with TYPE_LENGTH 0", r.tnf.0));
    }
    if matches!(r.tnf, Tnf::EMPTY | Tnf::UNKNOWN | Tnf::UNCHANGED) && !r.record_type.is_empty() {
        push(out, "NDEF.TYPE-ABSENT", at, format!("TNF {} with a TYPE", r.tnf.0));
    }
    if r.record_type.is_empty() {
        return;
    }
    let ty = r.record_type;
    match r.tnf {
        Tnf::WELL_KNOWN if !ty.iter().all(|&b| is_urn_char(b)) => {
            push(out, "NDEF.WELL-KNOWN-TYPE-SYNTAX", at, "well-known TYPE outside the RTD character set")
        }
        Tnf::MIME if parse_mime_type(ty).is_none() => {
            push(out, "NDEF.MIME-TYPE-SYNTAX", at, "TYPE is not type/subtype")
        }
        Tnf::ABSOLUTE_URI if !is_absolute_uri(ty) => {
            push(out, "NDEF.ABSOLUTE-URI-SYNTAX", at, "TYPE is not an absolute URI")
        }
        Tnf::EXTERNAL if parse_external_type(ty).is_none() => {
            push(out, "NDEF.EXTERNAL-TYPE-SYNTAX", at, "TYPE is not domain:type")
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
    input: &[u8],
    base: usize,
    ids: &mut Option<HashSet<Vec<u8>>>,
    opts: &DecodeOptions,
    depth: usize,
    out: &mut dyn FnMut(Finding),
) {
    let at = rec.offset;
    let Some(decoded) = decode_known_at(rec, opts, depth) else { return };
    let known = match decoded {
        Ok(k) => k,
        Err(e) => {
            out(Finding::new(payload_rule(rec), Severity::Error, Location::byte(e.offset()), e.to_string()));
            return;
        }
    };
    let nested_base = rec.payload_offset();
    match known {
        KnownRecord::Text(_) if rec.payload.first().is_some_and(|s| s & 0x40 != 0) => {
            push(out, "NDEF.TEXT.RESERVED-BIT", nested_base, "status bit 6 (reserved) set");
        }
        KnownRecord::Uri(u) if u.is_reserved_code() => {
            push(out, "NDEF.URI.RESERVED-CODE", nested_base, format!("identifier code {:02X} is reserved", u.code));
        }
        KnownRecord::SmartPoster(sp) => {
            if sp.uri_count != 1 {
                push(out, "NDEF.SP.ONE-URI", at, format!("{} URI records", sp.uri_count));
            }
            let mut langs = HashSet::new();
            for t in &sp.titles {
                if !langs.insert(t.lang.to_ascii_lowercase()) {
                    push(out, "NDEF.SP.TITLE-LANG-UNIQUE", at, format!("two titles in language {:?}", t.lang));
                }
            }
            if let Some(a) = sp.action.filter(|a| a.0 > SmartPosterAction::EDIT.0) {
                push(out, "NDEF.SP.ACTION-RESERVED", at, format!("action {} is reserved", a.0));
            }
            validate_at(&rec.payload, nested_base, opts, depth + 1, out);
        }
        KnownRecord::HandoverSelect(h) => {
            check_handover_refs(&h, ids.get_or_insert_with(|| message_ids(input, base, opts)), at, out);
            validate_at(&rec.payload[1..], nested_base + 1, opts, depth + 1, out);
        }
        KnownRecord::HandoverRequest(h) => {
            check_handover_refs(&h, ids.get_or_insert_with(|| message_ids(input, base, opts)), at, out);
            if h.version >= 0x12 && h.collision_resolution.is_none() {
                push(out, "NDEF.HR.COLLISION-RESOLUTION", at, "Handover Request 1.2+ without a cr record");
            }
            validate_at(&rec.payload[1..], nested_base + 1, opts, depth + 1, out);
        }
        KnownRecord::Aar(a) if !a.is_valid_package_name() => {
            push(out, "NDEF.AAR.PACKAGE-NAME", nested_base, format!("{:?} is not a package name", a.package));
        }
        _ => {}
    }
}

fn check_handover_refs(h: &Handover<'_>, ids: &HashSet<Vec<u8>>, at: usize, out: &mut dyn FnMut(Finding)) {
    for ac in &h.alternative_carriers {
        if !ids.contains(ac.carrier_data_reference) {
            push(out, "NDEF.HS.CARRIER-REFERENCE", at, format!("no record with ID {:02X?}", ac.carrier_data_reference));
        }
    }
}

fn payload_rule(rec: &NdefRecord<'_>) -> &'static str {
    match (rec.tnf, &*rec.record_type) {
        (Tnf::WELL_KNOWN, b"T") => "NDEF.TEXT.PAYLOAD",
        (Tnf::WELL_KNOWN, b"U") => "NDEF.URI.PAYLOAD",
        (Tnf::WELL_KNOWN, b"Sp") => "NDEF.SP.PAYLOAD",
        (Tnf::WELL_KNOWN, b"Hs") => "NDEF.HS.PAYLOAD",
        (Tnf::WELL_KNOWN, b"Hr") => "NDEF.HR.PAYLOAD",
        (Tnf::WELL_KNOWN, b"Hc") => "NDEF.HC.PAYLOAD",
        (Tnf::WELL_KNOWN, b"Sig") => "NDEF.SIG.PAYLOAD",
        (Tnf::EXTERNAL, _) => "NDEF.AAR.PAYLOAD",
        _ => "NDEF.MIME.PAYLOAD",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(bytes: &[u8]) -> Vec<String> {
        validate_ndef_message(bytes).into_iter().map(|f| f.rule.into_owned()).collect()
    }

    #[test]
    fn message_flags() {
        assert_eq!(rules(&[]), ["NDEF.NO-RECORDS"]);
        // two records, the second with MB and without ME
        assert_eq!(rules(&[0x90, 0x00, 0x00, 0x90, 0x00, 0x00]), ["NDEF.MB-ONLY-FIRST", "NDEF.ME-LAST"]);
    }

    #[test]
    fn chunk_rules() {
        // first chunk TNF 2 "a/b", middle chunk TNF 2 with type and IL, last chunk fine
        let bytes =
            [0xB2, 0x03, 0x01, b'a', b'/', b'b', 0x01, 0x3A, 0x01, 0x01, 0x00, b'x', 0x02, 0x56, 0x00, 0x01, 0x03];
        assert_eq!(rules(&bytes), ["NDEF.CHUNK-TNF-UNCHANGED", "NDEF.CHUNK-TYPE-ON-MIDDLE", "NDEF.CHUNK-IL-ON-MIDDLE"]);
    }

    #[test]
    fn field_rules() {
        assert_eq!(rules(&[0xD0, 0x00, 0x01, 0x00]), ["NDEF.EMPTY-RECORD"]);
        assert_eq!(rules(&[0xD5, 0x01, 0x00, b'x']), ["NDEF.TYPE-ABSENT"]);
        assert_eq!(rules(&[0xD1, 0x00, 0x00]), ["NDEF.TYPE-REQUIRED"]);
        assert_eq!(rules(&[0xD6, 0x00, 0x00]), ["NDEF.UNCHANGED-OUTSIDE-CHUNK"]);
        assert_eq!(rules(&[0xD7, 0x00, 0x00]), ["NDEF.TNF-RESERVED"]);
        assert_eq!(rules(&[0xD2, 0x01, 0x00, b'x']), ["NDEF.MIME-TYPE-SYNTAX"]);
        assert_eq!(rules(&[0xD3, 0x01, 0x00, b'x']), ["NDEF.ABSOLUTE-URI-SYNTAX"]);
        assert_eq!(rules(&[0xD4, 0x01, 0x00, b'x']), ["NDEF.EXTERNAL-TYPE-SYNTAX"]);
        assert_eq!(rules(&[0xD1, 0x01, 0x00, 0xFF]), ["NDEF.WELL-KNOWN-TYPE-SYNTAX"]);
    }

    #[test]
    fn payload_rules() {
        assert_eq!(rules(&[0xD1, 0x01, 0x02, b'U', 0x24, b'x']), ["NDEF.URI.RESERVED-CODE"]);
        assert_eq!(rules(&[0xD1, 0x01, 0x02, b'T', 0x42, b'x']), ["NDEF.TEXT.PAYLOAD"]);
        assert_eq!(rules(&[0xD1, 0x01, 0x01, b'T', 0x40]), ["NDEF.TEXT.RESERVED-BIT"]);
        let f = validate_ndef_message(&[0xD1, 0x01, 0x02, b'T', 0x00, 0xFF]);
        assert_eq!((&*f[0].rule, f[0].location.offset, f[0].severity), ("NDEF.TEXT.PAYLOAD", Some(5), Severity::Error));
    }
}
