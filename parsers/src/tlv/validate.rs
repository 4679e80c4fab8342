//! Validation of decoded BER-TLV against EMV rules. Parsing stays lenient; this names the rule
//! each object breaks, as a [`Finding`] located by byte offset and tag path (`77.9F36`).
//!
//! | rule | severity | what |
//! |---|---|---|
//! | `TLV.LENGTH.NON-MINIMAL` | warning | long-form length where a shorter one fits (EMV Book 3 Annex B2) |
//! | `TLV.PADDING` | info | `00` bytes before, between or after objects (allowed by Annex B, noted) |
//! | `EMV.TAG.CONSTRUCTED-BIT` | warning | unknown tag that is a dictionary tag with b6 flipped |
//! | `EMV.TAG.UNKNOWN` | info | tag not in the dictionary |
//! | `EMV.LENGTH.RANGE` | warning | value length outside the dictionary's rule |
//! | `EMV.FORMAT.N` / `.CN` / `.A` / `.AN` / `.ANS` | warning | value breaks its format (Book 3 §4.3) |
//! | `EMV.TEMPLATE.DUPLICATE` | warning | a tag twice in one template (Book 3 §10.2: terminates the transaction) |
//!
//! ```
//! use tapcert_parsers::tlv::{decode_emv_tlv_padded, validate_emv_tlv};
//! // 5F2A with a 3-byte non-BCD value, and a non-minimal length on 9A.
//! let bytes = [0x5F, 0x2A, 0x03, 0x09, 0x7A, 0x00, 0x9A, 0x81, 0x03, 0x26, 0x11, 0x22];
//! let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap();
//! let rules: Vec<_> = validate_emv_tlv(&nodes, pad)
//!     .into_iter()
//!     .map(|f| (f.rule, f.location.offset.unwrap(), f.location.path.unwrap()))
//!     .collect();
//! assert_eq!(
//!     rules,
//!     [("EMV.LENGTH.RANGE".into(), 0, "5F2A".into()), ("EMV.FORMAT.N".into(), 4, "5F2A".into()), ("TLV.LENGTH.NON-MINIMAL".into(), 7, "9A".into())]
//! );
//! ```

use super::dictionary::{DataFormat, lookup_emv_tag};
use std::collections::BTreeSet;

use super::{Tag, Tlv, TlvIter, TlvNode};
use crate::{Finding, Location, Severity};

/// Validates a decoded sequence (and the padding after it) against the EMV rules above.
pub fn validate_emv_tlv(nodes: &[TlvNode<'_>], trailing_padding: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    validate_level(nodes.iter().map(|n| n.tlv), &mut Vec::new(), &mut |f| out.push(f));
    if trailing_padding > 0 {
        let end = nodes.last().map_or(0, |n| n.tlv.offset + n.tlv.encoded_len());
        out.push(padding(end, &[], trailing_padding, "after the last object"));
    }
    out
}

/// [`validate_emv_tlv`] straight over the bytes of a well-formed sequence (one that
/// [`crate::tlv::decode_emv_tlv_padded`] accepts), without building the tree; each finding
/// goes to `sink` as it is found, so memory does not grow with the number of objects.
/// Objects that do not parse end the walk (the caller has rejected such input already).
pub fn validate_emv_tlv_bytes(bytes: &[u8], sink: &mut dyn FnMut(Finding)) {
    let mut it = TlvIter::new(bytes);
    let mut end = 0;
    validate_level(
        it.by_ref().map_while(Result::ok).inspect(|t| end = t.offset + t.encoded_len()),
        &mut Vec::new(),
        sink,
    );
    if it.trailing_padding() > 0 {
        sink(padding(end, &[], it.trailing_padding(), "after the last object"));
    }
}

/// The tag path of an object (`77.9F36`), its ancestors first.
fn tag_path(ancestors: &[Tag], tag: Option<Tag>) -> String {
    use core::fmt::Write as _;
    // Each tag is at most 8 hex digits and a dot: one allocation of the right size.
    let mut s = String::with_capacity(9 * (ancestors.len() + 1));
    for t in ancestors.iter().chain(tag.as_ref()) {
        if !s.is_empty() {
            s.push('.');
        }
        let _ = write!(s, "{t}");
    }
    s
}

/// A finding about object `tag` (inside `ancestors`) at byte `offset`.
fn at(rule: &'static str, severity: Severity, offset: usize, ancestors: &[Tag], tag: Tag, message: String) -> Finding {
    Finding::new(rule, severity, Location::byte(offset).with_path(tag_path(ancestors, Some(tag))), message)
}

fn padding(offset: usize, template: &[Tag], n: usize, where_: &str) -> Finding {
    let location = if template.is_empty() {
        Location::byte(offset)
    } else {
        Location::byte(offset).with_path(tag_path(template, None))
    };
    Finding::new("TLV.PADDING", Severity::Info, location, format!("{n} byte(s) of 00 padding {where_}"))
}

/// Tags EMV lets a template repeat: directory entries and script commands.
fn may_repeat(tag: Tag) -> bool {
    matches!(tag.0, 0x61 | 0x86)
}

fn validate_level<'a>(objects: impl Iterator<Item = Tlv<'a>>, path: &mut Vec<Tag>, out: &mut dyn FnMut(Finding)) {
    // Tags seen so far in this template: the duplicate check is one set lookup per object.
    let mut seen = BTreeSet::new();
    for t in objects {
        if t.padding_before > 0 {
            out(padding(t.offset - t.padding_before, path, t.padding_before, &format!("before {}", t.tag)));
        }
        validate_object(&t, path, out);
        if let Some(&parent) = path.last()
            && !may_repeat(t.tag)
            && !seen.insert(t.tag)
        {
            out(at(
                "EMV.TEMPLATE.DUPLICATE",
                Severity::Warning,
                t.offset,
                path,
                t.tag,
                format!("{} appears more than once in template {parent}", t.tag),
            ));
        }
        if t.is_constructed() {
            path.push(t.tag);
            let mut children = t.children();
            validate_level(children.by_ref().map_while(Result::ok), path, out);
            let trailing = children.trailing_padding();
            if trailing > 0 {
                let end = t.value_offset() + t.value.len() - trailing;
                out(padding(end, path, trailing, &format!("at the end of {}", t.tag)));
            }
            path.pop();
        }
    }
}

fn flip_constructed(tag: Tag) -> Tag {
    Tag(tag.0 ^ (0x20 << (8 * (tag.len() - 1))))
}

fn validate_object(t: &Tlv<'_>, path: &[Tag], out: &mut dyn FnMut(Finding)) {
    if !t.length.is_minimal() {
        out(at(
            "TLV.LENGTH.NON-MINIMAL",
            Severity::Warning,
            t.offset + t.tag.len(),
            path,
            t.tag,
            format!(
                "length {} encoded in {} bytes; the minimal form takes fewer",
                t.length.value, t.length.encoded_len
            ),
        ));
    }
    let Some(info) = lookup_emv_tag(t.tag) else {
        let twin = flip_constructed(t.tag);
        if let Some(ti) = lookup_emv_tag(twin) {
            let (was, is) = if t.tag.is_constructed() { ("primitive", "set") } else { ("constructed", "cleared") };
            out(at(
                "EMV.TAG.CONSTRUCTED-BIT",
                Severity::Warning,
                t.offset,
                path,
                t.tag,
                format!("{} is {twin} ({}, {was}) with the constructed bit {is}", t.tag, ti.name),
            ));
        } else {
            out(at(
                "EMV.TAG.UNKNOWN",
                Severity::Info,
                t.offset,
                path,
                t.tag,
                format!("{} is not in the EMV dictionary", t.tag),
            ));
        }
        return;
    };
    if !info.allows_len(t.value.len()) {
        let rule = if info.is_fixed_len() {
            format!("{}", info.min_len)
        } else {
            format!("{}-{}", info.min_len, info.max_len)
        };
        out(at(
            "EMV.LENGTH.RANGE",
            Severity::Warning,
            t.offset,
            path,
            t.tag,
            format!("{} ({}) has {} byte(s); the dictionary allows {rule}", t.tag, info.name, t.value.len()),
        ));
    }
    if let Some((rule, i, what)) = check_format(info.format, t.value) {
        out(at(
            rule,
            Severity::Warning,
            t.value_offset() + i,
            path,
            t.tag,
            format!("{} ({}, format {}): {what}", t.tag, info.name, info.format.as_str()),
        ));
    }
}

/// The first format violation: rule id, byte index within the value, description.
pub(crate) fn check_format(format: DataFormat, v: &[u8]) -> Option<(&'static str, usize, String)> {
    match format {
        DataFormat::N => v
            .iter()
            .position(|&b| b >> 4 > 9 || b & 0x0F > 9)
            .map(|i| ("EMV.FORMAT.N", i, format!("byte {:02X} is not two BCD digits", v[i]))),
        DataFormat::Cn => {
            let mut padding = false;
            for (i, &b) in v.iter().enumerate() {
                for nibble in [b >> 4, b & 0x0F] {
                    match nibble {
                        0..=9 if !padding => {}
                        0xF => padding = true,
                        _ => {
                            return Some((
                                "EMV.FORMAT.CN",
                                i,
                                format!("byte {b:02X}: expected BCD digits followed only by F padding"),
                            ));
                        }
                    }
                }
            }
            None
        }
        DataFormat::A => first_bad(v, "EMV.FORMAT.A", "a letter", |b| b.is_ascii_alphabetic()),
        DataFormat::An => first_bad(v, "EMV.FORMAT.AN", "a letter or digit", |b| b.is_ascii_alphanumeric()),
        DataFormat::Ans => {
            first_bad(v, "EMV.FORMAT.ANS", "a printable character (20-7E)", |b| (0x20..=0x7E).contains(&b))
        }
        DataFormat::B | DataFormat::Var => None,
    }
}

fn first_bad(
    v: &[u8],
    rule: &'static str,
    expected: &str,
    ok: impl Fn(u8) -> bool,
) -> Option<(&'static str, usize, String)> {
    v.iter().position(|&b| !ok(b)).map(|i| (rule, i, format!("byte {:02X} is not {expected}", v[i])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::decode_emv_tlv_padded;

    fn rules(bytes: &[u8]) -> Vec<(String, usize)> {
        let (nodes, pad) = decode_emv_tlv_padded(bytes).unwrap();
        validate_emv_tlv(&nodes, pad).into_iter().map(|f| (f.rule.into_owned(), f.location.offset.unwrap())).collect()
    }

    fn pairs(want: &[(&str, usize)]) -> Vec<(String, usize)> {
        want.iter().map(|&(r, o)| (r.to_owned(), o)).collect()
    }

    #[test]
    fn each_rule_fires_where_it_should() {
        // Clean: 5A cn with F padding, 50 ans, 5F2D an.
        assert_eq!(rules(&[0x5A, 0x02, 0x12, 0x34, 0x50, 0x02, b'A', b' ', 0x5F, 0x2D, 0x02, b'e', b'n']), pairs(&[]));
        // cn: digit after F padding.
        assert_eq!(rules(&[0x5A, 0x02, 0x1F, 0x23]), pairs(&[("EMV.FORMAT.CN", 3)]));
        // an: space not allowed.
        assert_eq!(rules(&[0x5F, 0x2D, 0x02, b'e', b' ']), pairs(&[("EMV.FORMAT.AN", 4)]));
        // ans: control char.
        assert_eq!(rules(&[0x50, 0x01, 0x07]), pairs(&[("EMV.FORMAT.ANS", 2)]));
        // a: digit.
        assert_eq!(rules(&[0x5F, 0x55, 0x02, b'G', b'1']), pairs(&[("EMV.FORMAT.A", 4)]));
        // 7A is 5A with b6 set; 9F7A unknown.
        assert_eq!(
            rules(&[0x7A, 0x00, 0x9F, 0x7A, 0x00]),
            pairs(&[("EMV.TAG.CONSTRUCTED-BIT", 0), ("EMV.TAG.UNKNOWN", 2)])
        );
        // 85 is A5 with b6 cleared.
        assert_eq!(rules(&[0x85, 0x00]), pairs(&[("EMV.TAG.CONSTRUCTED-BIT", 0)]));
        // Padding before, inside, after; duplicate 9F36 in 77; 61 may repeat.
        assert_eq!(
            rules(&[0x00, 0x77, 0x0A, 0x9F, 0x36, 0x01, 0x01, 0x9F, 0x36, 0x01, 0x02, 0x00, 0x00, 0x00]),
            pairs(&[
                ("TLV.PADDING", 0),
                ("EMV.LENGTH.RANGE", 3),
                ("EMV.LENGTH.RANGE", 7),
                ("EMV.TEMPLATE.DUPLICATE", 7),
                ("TLV.PADDING", 11),
                ("TLV.PADDING", 13),
            ])
        );
        assert_eq!(rules(&[0xBF, 0x0C, 0x04, 0x61, 0x00, 0x61, 0x00]), pairs(&[]));
    }

    #[test]
    fn findings_carry_the_tag_path() {
        // 77 { 9F36 0001, 9F36 0002 }: the duplicate is 77.9F36 at byte 7.
        let bytes = [0x77, 0x0A, 0x9F, 0x36, 0x02, 0x00, 0x01, 0x9F, 0x36, 0x02, 0x00, 0x02];
        let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap();
        let f = validate_emv_tlv(&nodes, pad);
        let dup = f.iter().find(|f| f.rule == "EMV.TEMPLATE.DUPLICATE").unwrap();
        assert_eq!(dup.location, Location::byte(7).with_path("77.9F36"));
        assert_eq!(dup.severity, Severity::Warning);
    }
}
