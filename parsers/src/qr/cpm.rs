//! EMVCo Consumer-Presented Mode (EMV QRCPS CPM v1.0 §4-5): the QR text is standard base64
//! (RFC 4648 §4, with padding) of BER-TLV bytes, decoded with [`crate::tlv`]:
//!
//! ```text
//! 85  Payload Format Indicator, "CPV01"                     first, mandatory
//! 61  Application Template (repeatable, one per application) mandatory
//!       4F ADF Name (AID) mandatory, 50 label, 57 Track 2 / 5A PAN, 9F25 last 4 PAN digits,
//!       63 Application Specific Transparent Template { 9F26 cryptogram, 9F36 ATC, 9F10, ... }
//! 62  Common Data Template                                   optional
//!       5A / 57, 5F20 name, 5F2D language, 9F08 version,
//!       64 Common Data Transparent Template { 9F26, 9F36, 9F10, 9F37, ... }
//! ```
//!
//! There is no CRC: integrity comes from the cryptogram (9F26). The rules of the findings
//! (`QR.CPM.*`) are listed at [`validate_qr_cpm`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use nom::IResult;

use super::CpmError;
use crate::compose::nom_inner;
use crate::tlv::{Tag, Tlv, TlvIter, TlvNode, decode_emv_tlv};
use crate::{Finding, Location, Severity};

/// `85` Payload Format Indicator.
pub const TAG_PAYLOAD_FORMAT_INDICATOR: Tag = Tag(0x85);
/// `61` Application Template.
pub const TAG_APPLICATION_TEMPLATE: Tag = Tag(0x61);
/// `62` Common Data Template.
pub const TAG_COMMON_DATA_TEMPLATE: Tag = Tag(0x62);
/// `63` Application Specific Transparent Template.
pub const TAG_APPLICATION_TRANSPARENT_TEMPLATE: Tag = Tag(0x63);
/// `64` Common Data Transparent Template.
pub const TAG_COMMON_TRANSPARENT_TEMPLATE: Tag = Tag(0x64);
/// The only payload format indicator defined, `CPV01`.
pub const CPM_FORMAT_INDICATOR: &[u8] = b"CPV01";

// ---- The grammar, as nom combinators ----
//
// `text = base64` (RFC 4648 §4: the alphabet A-Z a-z 0-9 + /, `=` padding) decodes to
// `payload = 1*object`, BER-TLV objects to the end of the bytes (templates 61, 62, 63, 64 are
// constructed tags, so the tree is the BER-TLV tree). Decoding base64 is the base64 crate's;
// the tree is `crate::tlv`'s (its hand-tuned walk, held equal to the `ber_object` combinator by
// a proptest there). Which tags sit where is the validator's ([`validate_qr_cpm`]).

/// The bytes of base64 text: the RFC 4648 §4 alphabet and `=` padding.
const BASE64_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=');
        b += 1;
    }
    table
};

/// `base64 = *(ALPHA / DIGIT / "+" / "/" / "=")`: the run of base64 characters at the start of
/// the input (a byte scan: the run is ASCII, so it ends on a character boundary, and nom's
/// `take_while` would decode UTF-8 characters one by one to find the same end).
#[inline(always)]
fn base64_run(input: &str) -> IResult<&str, &str, CpmError> {
    let end = input.bytes().position(|b| !BASE64_CHARS[usize::from(b)]).unwrap_or(input.len());
    let (run, rest) = input.split_at(end);
    Ok((rest, run))
}

/// Parses base64 text at the start of `input` (up to the first character that is neither in
/// the RFC 4648 §4 alphabet nor `=`) into the CPM payload's bytes, and returns the remainder:
/// a QR payload inside a scanner's log line, a JSON string, a deep link. Offsets in errors are
/// character offsets into `input`; an empty run is `Ok` with no bytes (the payload grammar
/// then says [`CpmError::Empty`]).
///
/// ```
/// use nom::{Parser, bytes::complete::tag, sequence::preceded};
/// use tapcert_parsers::qr::{parse_qr_cpm_base64, CpmError};
/// let (rest, bytes) = preceded(tag("CPM:"), parse_qr_cpm_base64).parse("CPM:hQVDUFYwMQ== 12:00").unwrap();
/// assert_eq!((bytes.as_slice(), rest), (&b"\x85\x05CPV01"[..], " 12:00"));
/// let e = parse_qr_cpm_base64("hQVDUFYwMQ=").unwrap_err();
/// assert!(matches!(e, nom::Err::Error(CpmError::Base64 { offset: 11, .. })));
/// ```
#[inline]
pub fn parse_qr_cpm_base64(input: &str) -> IResult<&str, Vec<u8>, CpmError> {
    let (rest, text) = base64_run(input)?;
    let bytes = STANDARD.decode(text).map_err(|e| nom::Err::Error(base64_error(text, &e)))?;
    Ok((rest, bytes))
}

/// Parses the decoded bytes of a CPM payload, to the end of `input`, into a BER-TLV tree (order
/// and duplicates kept: the EMVCo example has two `61` templates); no bytes at all is
/// [`CpmError::Empty`]. A nom parser: give it the payload's extent (a length prefix) inside a
/// larger record; offsets in errors are byte offsets into `input`.
///
/// ```
/// use nom::{Parser, multi::length_value, number::complete::be_u8};
/// use tapcert_parsers::qr::{parse_qr_cpm_payload, CpmError};
/// use tapcert_parsers::tlv::TlvError;
/// // A one-byte length, then the payload, then a status byte.
/// let record = [0x07, 0x85, 0x05, b'C', b'P', b'V', b'0', b'1', 0x00];
/// let (rest, nodes) = length_value(be_u8, parse_qr_cpm_payload).parse(&record[..]).unwrap();
/// assert_eq!((nodes[0].tlv.value, rest), (&b"CPV01"[..], &[0x00][..]));
/// let e = parse_qr_cpm_payload(&[0x85, 0x05, b'C']).unwrap_err();
/// assert_eq!(e, nom::Err::Error(CpmError::Tlv(TlvError::LengthExceedsInput { offset: 0, declared: 5, available: 1 })));
/// ```
#[inline]
pub fn parse_qr_cpm_payload(input: &[u8]) -> IResult<&[u8], Vec<TlvNode<'_>>, CpmError> {
    if input.is_empty() {
        return Err(nom::Err::Error(CpmError::Empty));
    }
    let nodes = decode_emv_tlv(input).map_err(|e| nom::Err::Error(CpmError::Tlv(e)))?;
    Ok((&input[input.len()..], nodes))
}

/// Decodes the base64 text of a CPM payload into its bytes: what [`parse_qr_cpm_base64`] reads
/// when the whole text is the run (the decoder accepts exactly the texts that are all base64
/// characters and decode), with the decoder's own account of a text that is not, which names
/// the fault it meets first (a bad length can come before a bad byte). One decode, not a scan
/// and then a decode: most texts a fuzzer or a scanner gives are not base64. Surrounding ASCII
/// whitespace is not accepted here: the caller trims what its input channel adds.
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_cpm_base64, CpmError};
/// assert_eq!(decode_qr_cpm_base64("hQVDUFYwMQ==").unwrap(), b"\x85\x05CPV01");
/// assert!(matches!(decode_qr_cpm_base64("hQVDUFYwMQ"), Err(CpmError::Base64 { .. })));
/// let e = decode_qr_cpm_base64("hQVD*FYwMQ==").unwrap_err();
/// assert_eq!(e.to_string(), "invalid base64 at character 4: byte 0x2A '*' is not in the base64 alphabet");
/// ```
#[inline]
pub fn decode_qr_cpm_base64(text: &str) -> Result<Vec<u8>, CpmError> {
    STANDARD.decode(text).map_err(|e| base64_error(text, &e))
}

/// The error of base64 `text` that the decoder rejected, at a character offset.
#[cold]
fn base64_error(text: &str, e: &base64::DecodeError) -> CpmError {
    let offset = match *e {
        base64::DecodeError::InvalidByte(o, _) | base64::DecodeError::InvalidLastSymbol(o, _) => {
            // `o` is a byte offset, possibly inside a multi-byte character: name that character.
            text.char_indices().take_while(|&(i, _)| i <= o).count().saturating_sub(1)
        }
        _ => text.chars().count(),
    };
    CpmError::Base64 { offset, reason: base64_reason(e) }
}

/// What was wrong, with the bad byte in hex (and as a character when it is a printable one):
/// `byte 0x2A '*' is not in the base64 alphabet`.
fn base64_reason(e: &base64::DecodeError) -> String {
    let byte = |b: u8| {
        if b.is_ascii_graphic() { format!("byte 0x{b:02X} '{}'", char::from(b)) } else { format!("byte 0x{b:02X}") }
    };
    match *e {
        base64::DecodeError::InvalidByte(_, b'=') => "padding '=' before the end".to_owned(),
        base64::DecodeError::InvalidByte(_, b) => format!("{} is not in the base64 alphabet", byte(b)),
        base64::DecodeError::InvalidLastSymbol(_, b) => {
            format!("{} as the last symbol leaves bits that are not zero", byte(b))
        }
        base64::DecodeError::InvalidLength(n) => {
            format!("{n} symbols: standard base64 comes in groups of 4 (padded with '=')")
        }
        base64::DecodeError::InvalidPadding => "missing or wrong '=' padding".to_owned(),
    }
}

/// Parses the decoded bytes of a CPM payload into a BER-TLV tree (order and duplicates kept:
/// the EMVCo example has two `61` templates): [`parse_qr_cpm_payload`] over all the bytes.
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_cpm_base64, parse_qr_cpm};
/// let bytes = decode_qr_cpm_base64("hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==").unwrap();
/// let nodes = parse_qr_cpm(&bytes).unwrap();
/// assert_eq!(nodes.iter().filter(|n| n.tlv.tag.0 == 0x61).count(), 2);
/// ```
#[inline]
pub fn parse_qr_cpm(bytes: &[u8]) -> Result<Vec<TlvNode<'_>>, CpmError> {
    parse_qr_cpm_payload(bytes).map(|(_, nodes)| nodes).map_err(|e| nom_inner(e, || CpmError::Empty))
}

/// A broken rule (a warning) of object `path`, at byte `offset` of the decoded payload.
fn finding(rule: &'static str, offset: usize, path: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding::new(rule, Severity::Warning, Location::byte(offset).with_path(path), message)
}

fn has(node: &Tlv<'_>, tag: u32) -> bool {
    node.children().map_while(Result::ok).any(|c| c.tag == Tag(tag))
}

/// Checks the mandatory tags of each template. Findings are located by a path (`61[1].4F`:
/// the ADF name of the second application template) and the byte offset, in the decoded
/// payload, of the object concerned (of its template when it is absent).
///
/// | rule | what |
/// |---|---|
/// | `QR.CPM.PFI-FIRST` / `QR.CPM.PFI-VALUE` | the payload starts with 85 = `CPV01` |
/// | `QR.CPM.APPLICATION-TEMPLATE` | at least one 61 |
/// | `QR.CPM.AID` | each 61 holds 4F |
/// | `QR.CPM.PAN-OR-TRACK2` | each 61 (or the 62) holds 57 or 5A |
/// | `QR.CPM.CRYPTOGRAM` / `QR.CPM.ATC` | a transparent template (63/64) holds 9F26, and 9F36 beside it |
/// | `QR.CPM.TEMPLATE-PLACEMENT` | 63 only in 61, 64 only in 62 |
/// | `QR.CPM.UNEXPECTED-TAG` | only 85, 61 and 62 at the top level, 85 once |
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_cpm_base64, parse_qr_cpm, validate_qr_cpm};
/// let bytes = decode_qr_cpm_base64("hQVDUFYwMg==").unwrap(); // 85 "CPV02", nothing else
/// let rules: Vec<_> = validate_qr_cpm(&parse_qr_cpm(&bytes).unwrap()).into_iter().map(|f| f.rule).collect();
/// assert_eq!(rules, ["QR.CPM.PFI-VALUE", "QR.CPM.APPLICATION-TEMPLATE", "QR.CPM.CRYPTOGRAM"]);
/// ```
pub fn validate_qr_cpm(nodes: &[TlvNode<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    validate_objects(|| nodes.iter().map(|n| n.tlv), &mut |f| out.push(f));
    out
}

/// [`validate_qr_cpm`] of a decoded payload that [`parse_qr_cpm`] accepts, walked object by
/// object without a tree, each finding handed to `sink` as it is found: memory does not grow
/// with the number of templates or findings.
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_cpm_base64, validate_qr_cpm_into};
/// let bytes = decode_qr_cpm_base64("hQVDUFYwMg==").unwrap();
/// let mut rules = Vec::new();
/// validate_qr_cpm_into(&bytes, &mut |f| rules.push(f.rule));
/// assert_eq!(rules, ["QR.CPM.PFI-VALUE", "QR.CPM.APPLICATION-TEMPLATE", "QR.CPM.CRYPTOGRAM"]);
/// ```
pub fn validate_qr_cpm_into(bytes: &[u8], sink: &mut dyn FnMut(Finding)) {
    validate_objects(|| TlvIter::new(bytes).map_while(Result::ok), sink);
}

/// The rules over the top-level objects `top()` yields (walked several times, never kept).
fn validate_objects<'a, I: Iterator<Item = Tlv<'a>>>(top: impl Fn() -> I, out: &mut dyn FnMut(Finding)) {
    match top().next() {
        Some(n) if n.tag == TAG_PAYLOAD_FORMAT_INDICATOR => {
            if n.value != CPM_FORMAT_INDICATOR {
                out(finding(
                    "QR.CPM.PFI-VALUE",
                    n.offset,
                    "85",
                    format!("{:?}: the payload format indicator is \"CPV01\"", String::from_utf8_lossy(n.value)),
                ));
            }
        }
        _ => out(finding("QR.CPM.PFI-FIRST", 0, "85", "the payload must start with 85 (payload format indicator)")),
    }
    let apps = || top().filter(|n| n.tag == TAG_APPLICATION_TEMPLATE);
    let common = top().find(|n| n.tag == TAG_COMMON_DATA_TEMPLATE);
    let end = top().last().map_or(0, |n| n.offset + n.encoded_len());
    if apps().next().is_none() {
        out(finding("QR.CPM.APPLICATION-TEMPLATE", end, "61", "at least one application template (61) is mandatory"));
    }
    let child =
        |node: &Tlv<'_>, tag: u32| node.children().map_while(Result::ok).find(|c| c.tag == Tag(tag)).map(|c| c.offset);
    let common_has_card = common.as_ref().is_some_and(|c| has(c, 0x57) || has(c, 0x5A));
    for (i, app) in apps().enumerate() {
        let id = format!("61[{i}]");
        let at = app.offset;
        if !has(&app, 0x4F) {
            out(finding("QR.CPM.AID", at, format!("{id}.4F"), "the application template has no ADF name (4F)"));
        }
        if !(has(&app, 0x57) || has(&app, 0x5A) || common_has_card) {
            out(finding(
                "QR.CPM.PAN-OR-TRACK2",
                at,
                id.clone(),
                "neither the application template nor the common data template holds 57 or 5A",
            ));
        }
        if let Some(o) = child(&app, 0x64) {
            out(finding(
                "QR.CPM.TEMPLATE-PLACEMENT",
                o,
                format!("{id}.64"),
                "64 belongs in the common data template (62)",
            ));
        }
    }
    if let Some(o) = common.as_ref().and_then(|c| child(c, 0x63)) {
        out(finding("QR.CPM.TEMPLATE-PLACEMENT", o, "62.63", "63 belongs in an application template (61)"));
    }
    // The transparent templates (63 in each 61, 64 in the 62), in order, with their paths.
    let transparent = || {
        apps()
            .enumerate()
            .flat_map(|(i, a)| {
                a.children()
                    .map_while(Result::ok)
                    .filter(|c| c.tag == TAG_APPLICATION_TRANSPARENT_TEMPLATE)
                    .map(move |c| (Path::App(i), c))
            })
            .chain(common.into_iter().flat_map(|c| {
                c.children()
                    .map_while(Result::ok)
                    .filter(|t| t.tag == TAG_COMMON_TRANSPARENT_TEMPLATE)
                    .map(|t| (Path::Common, t))
            }))
    };
    if !transparent().any(|(_, t)| has(&t, 0x9F26)) {
        out(Finding::new(
            "QR.CPM.CRYPTOGRAM",
            Severity::Warning,
            Location::whole(),
            "no application cryptogram (9F26) in a transparent template (63/64)",
        ));
    }
    for (path, t) in transparent() {
        if has(&t, 0x9F26) && !has(&t, 0x9F36) {
            out(finding("QR.CPM.ATC", t.offset, path.to_string(), "a cryptogram (9F26) without its ATC (9F36)"));
        }
    }
    for n in top().skip(1) {
        if ![TAG_PAYLOAD_FORMAT_INDICATOR, TAG_APPLICATION_TEMPLATE, TAG_COMMON_DATA_TEMPLATE].contains(&n.tag)
            || n.tag == TAG_PAYLOAD_FORMAT_INDICATOR
        {
            out(finding(
                "QR.CPM.UNEXPECTED-TAG",
                n.offset,
                n.tag.to_string(),
                "only 85, 61 and 62 belong at the top level (85 once)",
            ));
        }
    }
}

/// Where a transparent template sits: `61[i].63` or `62.64`.
#[derive(Clone, Copy)]
enum Path {
    App(usize),
    Common,
}

impl core::fmt::Display for Path {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Path::App(i) => write!(f, "61[{i}].63"),
            Path::Common => f.write_str("62.64"),
        }
    }
}
