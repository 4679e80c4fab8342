//! The EMVCo Merchant-Presented Mode grammar (EMV QRCPS MPM v1.1 §4.1-4.2):
//!
//! ```text
//! object   = ID LENGTH VALUE
//! ID       = 2 digits "00".."99"
//! LENGTH   = 2 digits, the number of CHARACTERS in VALUE (not bytes: template 64 may hold
//!            Chinese text, "0104最佳运输" is 4 characters and 12 UTF-8 bytes)
//! template = a VALUE that is itself a sequence of objects (which IDs are templates at which
//!            level is in `templates.rs`, never guessed from what a value looks like)
//! CRC      = the last object, ID 63 length 04, computed over the UTF-8 bytes up to and
//!            including "6304" (`crc.rs`)
//! ```
//!
//! The grammar keeps every object, in order, duplicates included; it does not check which IDs
//! are present or where `00` and `63` sit: that is the validators' job (`validate/`). Offsets are
//! character offsets from the start of the payload.

use core::fmt;

use nom::multi::fold_many0;
use nom::{IResult, Parser};

use super::QrError;
use super::crc::crc16_ccitt_false;
use super::templates::{is_root_template, nested_template};
use crate::compose::{OffsetError, nom_inner};

/// An MPM data-object ID, `00`..`99`. An open newtype: every ID parses and round-trips.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MpmId(pub u8);

impl MpmId {
    /// `00` Payload Format Indicator.
    pub const PAYLOAD_FORMAT_INDICATOR: MpmId = MpmId(0);
    /// `01` Point of Initiation Method.
    pub const POINT_OF_INITIATION: MpmId = MpmId(1);
    /// `52` Merchant Category Code.
    pub const MERCHANT_CATEGORY_CODE: MpmId = MpmId(52);
    /// `53` Transaction Currency.
    pub const TRANSACTION_CURRENCY: MpmId = MpmId(53);
    /// `54` Transaction Amount.
    pub const TRANSACTION_AMOUNT: MpmId = MpmId(54);
    /// `55` Tip or Convenience Indicator.
    pub const TIP_OR_CONVENIENCE_INDICATOR: MpmId = MpmId(55);
    /// `56` Value of Convenience Fee Fixed.
    pub const CONVENIENCE_FEE_FIXED: MpmId = MpmId(56);
    /// `57` Value of Convenience Fee Percentage.
    pub const CONVENIENCE_FEE_PERCENTAGE: MpmId = MpmId(57);
    /// `58` Country Code.
    pub const COUNTRY_CODE: MpmId = MpmId(58);
    /// `59` Merchant Name.
    pub const MERCHANT_NAME: MpmId = MpmId(59);
    /// `60` Merchant City.
    pub const MERCHANT_CITY: MpmId = MpmId(60);
    /// `61` Postal Code.
    pub const POSTAL_CODE: MpmId = MpmId(61);
    /// `62` Additional Data Field Template.
    pub const ADDITIONAL_DATA: MpmId = MpmId(62);
    /// `63` CRC.
    pub const CRC: MpmId = MpmId(63);
    /// `64` Merchant Information - Language Template.
    pub const LANGUAGE_TEMPLATE: MpmId = MpmId(64);
    /// `00` inside a template: Globally Unique Identifier (or AID).
    pub const GUID: MpmId = MpmId(0);
}

impl fmt::Display for MpmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl fmt::Debug for MpmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MpmId({:02})", self.0)
    }
}

/// One data object, borrowing its value from the payload text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpmObject<'a> {
    /// The ID.
    pub id: MpmId,
    /// The value as written (for a template, its encoded children).
    pub value: &'a str,
    /// Character offset of the ID from the start of the payload.
    pub offset: usize,
    /// Byte offset of the ID from the start of the payload.
    pub byte_offset: usize,
    /// `Some` when the ID is a template at this level: its children, in order.
    pub children: Option<Vec<MpmObject<'a>>>,
}

impl<'a> MpmObject<'a> {
    /// True when the object is a template (its value was parsed as objects).
    pub fn is_template(&self) -> bool {
        self.children.is_some()
    }

    /// The children of a template (empty for a primitive object).
    pub fn children(&self) -> &[MpmObject<'a>] {
        self.children.as_deref().unwrap_or(&[])
    }

    /// The first child with `id`.
    pub fn child(&self, id: MpmId) -> Option<&MpmObject<'a>> {
        self.children().iter().find(|c| c.id == id)
    }

    /// The value of the first child with `id`.
    pub fn child_value(&self, id: MpmId) -> Option<&'a str> {
        self.child(id).map(|c| c.value)
    }

    /// The template's GUID (child `00`), if any.
    pub fn guid(&self) -> Option<&'a str> {
        if self.is_template() { self.child_value(MpmId::GUID) } else { None }
    }

    /// Length of the value in characters (what the 2-digit length field states).
    pub fn value_chars(&self) -> usize {
        self.value.chars().count()
    }
}

/// The CRC object found by structure (the last top-level object is `63` with length `04`),
/// with the CRC computed over the bytes it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrcCheck<'a> {
    /// The four characters of ID 63, as written.
    pub stated: &'a str,
    /// CRC-16/CCITT-FALSE of the UTF-8 bytes from the start up to and including `6304`.
    pub computed: u16,
}

impl CrcCheck<'_> {
    /// True when the stated CRC is the computed one (hex digits in either case; upper case is a
    /// validator rule of its own).
    pub fn ok(&self) -> bool {
        // Hex digits only (no sign), at least one, the value within 16 bits.
        let mut value = 0u32;
        for b in self.stated.bytes() {
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return false,
            };
            value = value << 4 | u32::from(digit);
            if value > 0xFFFF {
                return false;
            }
        }
        !self.stated.is_empty() && value == u32::from(self.computed)
    }
}

/// A decoded Merchant-Presented Mode payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantQr<'a> {
    /// The payload text.
    pub text: &'a str,
    /// The top-level objects in order, duplicates kept.
    pub objects: Vec<MpmObject<'a>>,
    /// The CRC, when the last object is `63` with length `04`.
    pub crc: Option<CrcCheck<'a>>,
}

impl<'a> MerchantQr<'a> {
    /// The first top-level object with `id`.
    pub fn get(&self, id: MpmId) -> Option<&MpmObject<'a>> {
        self.objects.iter().find(|o| o.id == id)
    }

    /// The object at an id path (`"62.05"`: child 05 of the first 62), the first of each id.
    /// `None` when an object is absent or the path is not ids joined by dots.
    ///
    /// ```
    /// use tapcert_parsers::qr::decode_qr_mpm;
    /// let pix = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
    /// let qr = decode_qr_mpm(pix).unwrap();
    /// assert_eq!(qr.at_path("62.05").map(|o| (o.value, o.offset)), Some(("***", 122)));
    /// assert!(qr.at_path("62.09").is_none() && qr.at_path("02-51").is_none());
    /// ```
    pub fn at_path(&self, path: &str) -> Option<&MpmObject<'a>> {
        let mut ids = path.split('.').map(|s| if s.len() == 2 { s.parse::<u8>().ok() } else { None });
        let mut obj = self.get(MpmId(ids.next()??))?;
        for id in ids {
            obj = obj.child(MpmId(id?))?;
        }
        Some(obj)
    }

    /// The value of the first top-level object with `id`.
    pub fn value(&self, id: MpmId) -> Option<&'a str> {
        self.get(id).map(|o| o.value)
    }

    /// Top-level templates whose GUID (child `00`) equals `guid`, ignoring ASCII case.
    pub fn templates_with_guid<'s>(&'s self, guid: &'s str) -> impl Iterator<Item = &'s MpmObject<'a>> + 's {
        self.objects.iter().filter(move |o| o.guid().is_some_and(|g| g.eq_ignore_ascii_case(guid)))
    }
}

// ---- The grammar (§4.1), as nom combinators ----
//
// Each production is one combinator over the text, read top-down like the layout above:
// `mpm_objects` (*object up to the end of the payload or of a template's value) over
// `mpm_object` (ID LENGTH VALUE) over `mpm_id`, `mpm_length` and `mpm_value`. Like every tapcert
// parser, a combinator counts the character offsets of its errors from the start of the input it
// is given; `mpm_objects` is told where that input sits in the payload, so the objects and errors
// of a template carry payload offsets.

/// Where a sequence of objects sits: the whole payload or one template's value.
#[derive(Clone, Copy)]
struct Level {
    /// Byte offset of the level's first object in the payload.
    byte: usize,
    /// Character offset of the level's first object in the payload.
    chr: usize,
    /// The enclosing template's character offset, when inside one.
    template: Option<usize>,
}

impl Level {
    /// An error of the object at character `chr` of the payload: offsets moved there, and a
    /// value past the end of a template said as such.
    #[cold]
    #[inline(never)]
    fn place(self, e: QrError, chr: usize) -> QrError {
        match (e.shifted(chr), self.template) {
            (QrError::Truncated { offset, declared, available }, Some(template_offset)) => {
                QrError::ExceedsTemplate { offset, declared, available, template_offset }
            }
            (e, _) => e,
        }
    }
}

/// Two ASCII digits at the start of `input`, as a number.
#[inline(always)]
fn two_digits(input: &str) -> Option<u8> {
    let &[a, b, ..] = input.as_bytes() else { return None };
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    if a <= 9 && b <= 9 { Some(a * 10 + b) } else { None }
}

/// `ID = 2 digits "00".."99"`.
#[inline(always)]
fn mpm_id(input: &str) -> IResult<&str, MpmId, QrError> {
    match two_digits(input) {
        // Two ASCII digits end on a character boundary.
        Some(id) => Ok((&input[2..], MpmId(id))),
        None => Err(nom::Err::Error(field_error(input, |found| QrError::NonDigitId { offset: 0, found }))),
    }
}

/// `LENGTH = 2 digits`, the number of characters in the value.
#[inline(always)]
fn mpm_length(input: &str) -> IResult<&str, usize, QrError> {
    match two_digits(input) {
        Some(len) => Ok((&input[2..], usize::from(len))),
        None => Err(nom::Err::Error(field_error(input, |found| QrError::BadLength { offset: 0, found }))),
    }
}

/// The error of a 2-digit field that is not two digits, naming the two characters found.
#[cold]
#[inline(never)]
fn field_error(input: &str, error: impl FnOnce(String) -> QrError) -> QrError {
    error(input.chars().take(2).collect())
}

/// `VALUE`: `chars` characters. Too few is [`QrError::Truncated`] at offset 0: the object that
/// starts the field is the one cut short.
#[inline(always)]
fn mpm_value<'a>(chars: usize) -> impl Fn(&'a str) -> IResult<&'a str, &'a str, QrError> {
    move |input: &'a str| {
        let bytes = input.as_bytes();
        // An ASCII run ends on a character boundary (the fast path: only template 64 holds
        // other scripts); anything else is counted.
        let len = if bytes.get(..chars).is_some_and(|v| v.is_ascii()) {
            Some(chars)
        } else {
            byte_len_of_chars(bytes, chars)
        };
        match len {
            Some(len) => {
                let (value, rest) = input.split_at(len);
                Ok((rest, value))
            }
            None => Err(nom::Err::Error(truncated(input, chars))),
        }
    }
}

#[cold]
#[inline(never)]
fn truncated(value: &str, declared: usize) -> QrError {
    QrError::Truncated { offset: 0, declared, available: value.chars().count() }
}

/// `ID LENGTH` (4 bytes, or [`QrError::TruncatedHeader`]: a header is ASCII, so fewer than 4
/// bytes left is fewer than 4 characters, whatever they are).
#[inline(always)]
fn mpm_header(input: &str) -> IResult<&str, (MpmId, usize), QrError> {
    if input.len() < 4 {
        return Err(nom::Err::Error(truncated_header(input)));
    }
    let (rest, id) = mpm_id(input)?;
    let (rest, declared) = mpm_length(rest).map_err(|e| e.map(|e| e.shifted(2)))?;
    Ok((rest, (id, declared)))
}

#[cold]
#[inline(never)]
fn truncated_header(input: &str) -> QrError {
    QrError::TruncatedHeader { offset: 0, available: input.chars().count() }
}

/// `object = ID LENGTH VALUE`, a primitive (templates are expanded by the level above): its
/// ID, its value and the value's length in characters. (Parts rather than an [`MpmObject`]:
/// built where it is stored, with its offsets, the object is written once instead of built,
/// placed and copied, 1.2x slower on the annex example, issue 13.)
#[inline(always)]
fn mpm_object(input: &str) -> IResult<&str, (MpmId, &str, usize), QrError> {
    let (body, (id, declared)) = mpm_header(input)?;
    let (rest, value) = mpm_value(declared)(body)?;
    Ok((rest, (id, value, declared)))
}

/// `objects = *object` up to the end of the input (the payload, or one template's value), each
/// object placed at its payload offsets; once an object starts, a broken one is an error, not
/// the end of the list.
#[inline(always)]
fn mpm_objects<'a>(level: Level) -> impl Fn(&'a str) -> IResult<&'a str, Vec<MpmObject<'a>>, QrError> {
    move |input: &'a str| {
        // The annex example has 15 top-level objects and templates hold 2-4: one allocation
        // each. A large payload is counted first, so that its objects take one allocation of
        // the right size instead of a doubling vector's (up to twice the room, three times
        // while it grows); an empty template allocates nothing (a million of them would take
        // room for 4 each).
        let capacity = match level.template {
            None if input.len() > 4096 => mpm_count(input).map_or(0, |(_, n)| n),
            None => 16,
            Some(_) if input.is_empty() => 0,
            Some(_) => 4,
        };
        // `many0(cut(object))` written as the loop it is: through nom's `fold_many0` every object
        // (about 90 bytes with its result) was moved through memory three times, 1.9x slower
        // on the annex example than this loop (issue 13).
        let (mut objects, mut rest) = (Vec::with_capacity(capacity), input);
        let (mut byte, mut chr) = (level.byte, level.chr);
        while !rest.is_empty() {
            let (next, (id, value, declared)) = mpm_object(rest).map_err(|e| e.map(|e| level.place(e, chr)))?;
            objects.push(MpmObject { id, value, offset: chr, byte_offset: byte, children: None });
            byte += 4 + value.len();
            chr += 4 + declared;
            rest = next;
        }
        Ok((rest, objects))
    }
}

/// How many objects follow one another from the start of the input (up to the first that does
/// not read).
fn mpm_count(input: &str) -> IResult<&str, usize, QrError> {
    fold_many0(mpm_object, || 0, |n, _| n + 1).parse_complete(input)
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

/// `template = objects` inside a template's value, then the children that the template's
/// scheme makes templates in turn (one more level at most).
fn mpm_template<'a>(obj: &mut MpmObject<'a>, parent: Option<MpmId>) -> Result<(), nom::Err<QrError>> {
    let level = Level { byte: obj.byte_offset + 4, chr: obj.offset + 4, template: Some(obj.offset) };
    let (_, mut children) = mpm_objects(level)(obj.value)?;
    if parent.is_none() {
        let guid = children.iter().find(|c| c.id == MpmId::GUID).map(|c| c.value);
        for child in &mut children {
            if nested_template(obj.id, guid, child.id) {
                mpm_template(child, Some(obj.id))?;
            }
        }
    }
    obj.children = Some(children);
    Ok(())
}

/// Parses a whole Merchant-Presented Mode payload, to the end of `input`: `payload = objects`,
/// the templates expanded where the specification makes them templates, the CRC located by
/// structure and computed. A nom parser: give it the payload's extent (`take`, `take_until`,
/// a length prefix) inside a larger text; offsets in errors are character offsets into
/// `input`. [`decode_qr_mpm`] is the same for a text that is the whole payload.
///
/// ```
/// use nom::{Parser, bytes::complete::take_until, combinator::map_parser};
/// use tapcert_parsers::qr::{parse_qr_mpm, MpmId};
/// // A display log line: the payload, then a tab and the time it was shown.
/// let line = "000201520400005303986630445C8\t12:00:03";
/// let (rest, qr) = map_parser(take_until("\t"), parse_qr_mpm).parse(line).unwrap();
/// assert_eq!((qr.value(MpmId::TRANSACTION_CURRENCY), rest), (Some("986"), "\t12:00:03"));
/// ```
#[inline]
pub fn parse_qr_mpm(input: &str) -> IResult<&str, MerchantQr<'_>, QrError> {
    if input.is_empty() {
        return Err(nom::Err::Error(QrError::Empty));
    }
    let grammar = |input| {
        let (rest, mut objects) = mpm_objects(Level { byte: 0, chr: 0, template: None })(input)?;
        for obj in &mut objects {
            if is_root_template(obj.id) {
                mpm_template(obj, None)?;
            }
        }
        let crc = objects
            .last()
            .filter(|o| o.id == MpmId::CRC && o.value.len() == 4)
            .map(|o| CrcCheck { stated: o.value, computed: crc16_ccitt_false(&input.as_bytes()[..o.byte_offset + 4]) });
        Ok((rest, MerchantQr { text: input, objects, crc }))
    };
    // Like every tapcert parser, a malformed payload is a recoverable `Error` to the caller
    // (`cut` inside only keeps a broken object from ending the list quietly).
    grammar(input).map_err(|e| nom::Err::Error(nom_inner(e, || QrError::Empty)))
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
#[inline]
pub fn decode_qr_mpm(text: &str) -> Result<MerchantQr<'_>, QrError> {
    parse_qr_mpm(text).map(|(_, qr)| qr).map_err(|e| nom_inner(e, || QrError::Empty))
}

/// Parses one object at the start of `input` as a primitive (no template expansion) and
/// returns the remainder. Offsets in errors are character offsets into `input`.
///
/// ```
/// use tapcert_parsers::qr::{parse_qr_mpm_object, MpmId};
/// let (rest, obj) = parse_qr_mpm_object("5802CN5914BEST TRANSPORT").unwrap();
/// assert_eq!((obj.id, obj.value, rest), (MpmId::COUNTRY_CODE, "CN", "5914BEST TRANSPORT"));
/// ```
#[inline]
pub fn parse_qr_mpm_object(input: &str) -> IResult<&str, MpmObject<'_>, QrError> {
    if input.is_empty() {
        return Err(nom::Err::Error(QrError::Empty));
    }
    let (rest, (id, value, _)) = mpm_object(input)?;
    Ok((rest, MpmObject { id, value, offset: 0, byte_offset: 0, children: None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNEX: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

    #[test]
    fn annex_example_counts_characters_and_checks_crc() {
        let qr = decode_qr_mpm(ANNEX).unwrap();
        let ids: Vec<u8> = qr.objects.iter().map(|o| o.id.0).collect();
        assert_eq!(ids, [0, 1, 29, 31, 52, 58, 59, 60, 64, 54, 53, 55, 62, 91, 63]);
        let lang = qr.get(MpmId::LANGUAGE_TEMPLATE).unwrap();
        assert_eq!(lang.child_value(MpmId(1)), Some("最佳运输"));
        assert_eq!(lang.child_value(MpmId(2)), Some("北京"));
        // Offsets after the Chinese text are in characters: 54 follows 64 (4 + 20 characters).
        assert_eq!(qr.get(MpmId::TRANSACTION_AMOUNT).unwrap().offset, lang.offset + 24);
        let crc = qr.crc.unwrap();
        assert_eq!((crc.stated, crc.computed), ("A13A", 0xA13A));
        assert!(crc.ok());
    }

    #[test]
    fn primitive_ids_stay_primitive_even_when_the_value_looks_like_tlv() {
        let qr = decode_qr_mpm("52040000").unwrap();
        assert!(!qr.objects[0].is_template());
        // 02-25 are primitive scheme IDs: "0000" in ID 15 is a value, not an empty child 00.
        let qr = decode_qr_mpm("15040000").unwrap();
        assert_eq!(qr.objects[0].children, None);
        // 26 is a template, so the same text becomes a child.
        let qr = decode_qr_mpm("26040000").unwrap();
        assert_eq!(qr.objects[0].children().len(), 1);
    }

    #[test]
    fn errors_carry_character_offsets() {
        assert_eq!(decode_qr_mpm(""), Err(QrError::Empty));
        assert_eq!(decode_qr_mpm("0002010"), Err(QrError::TruncatedHeader { offset: 6, available: 1 }));
        assert_eq!(decode_qr_mpm("0A0201"), Err(QrError::NonDigitId { offset: 0, found: "0A".into() }));
        assert_eq!(decode_qr_mpm("000X01"), Err(QrError::BadLength { offset: 2, found: "0X".into() }));
        // The value holds 3 characters (9 bytes); 4 are declared.
        assert_eq!(decode_qr_mpm("5904北京市"), Err(QrError::Truncated { offset: 0, declared: 4, available: 3 }));
        assert_eq!(
            decode_qr_mpm("00020164110002ZH0109最"),
            Err(QrError::ExceedsTemplate { offset: 16, declared: 9, available: 1, template_offset: 6 })
        );
        // Non-ASCII where an ID is expected: reported, not sliced through.
        assert_eq!(decode_qr_mpm("5902北京最佳").unwrap_err(), QrError::NonDigitId { offset: 6, found: "最佳".into() });
    }

    #[test]
    fn crc_is_located_by_structure_not_by_search() {
        // "6304" appears inside the merchant name; the CRC is still the last object only.
        let body = "0002015908AB6304CD6304";
        let crc = crate::qr::crc::crc_hex(crc16_ccitt_false(body.as_bytes()));
        let text = format!("{body}{crc}");
        let qr = decode_qr_mpm(&text).unwrap();
        assert_eq!(qr.value(MpmId::MERCHANT_NAME), Some("AB6304CD"));
        assert!(qr.crc.unwrap().ok());
        // 63 not last, or not 4 long: no CRC located.
        assert_eq!(decode_qr_mpm("63041234000201").unwrap().crc, None);
        assert_eq!(decode_qr_mpm("630212").unwrap().crc, None);
    }

    #[test]
    fn crc_ok_reads_hex_digits_only() {
        let check = |stated| CrcCheck { stated, computed: 0xA13A }.ok();
        assert!(check("A13A") && check("a13a") && check("0A13A") && check("0000a13A"));
        for bad in ["", "A13B", "+A13A", "A13A ", "1A13A", "A1 3A", "G13A", "A13"] {
            assert!(!check(bad), "{bad:?}");
        }
        assert!(CrcCheck { stated: "0000", computed: 0 }.ok());
    }

    #[test]
    fn nom_entry_returns_the_remainder() {
        assert_eq!(parse_qr_mpm_object(""), Err(nom::Err::Error(QrError::Empty)));
        let (rest, obj) = parse_qr_mpm_object("0104最佳运输0202").unwrap();
        assert_eq!((obj.value, rest), ("最佳运输", "0202"));
    }
}
