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

use super::QrError;
use super::crc::crc16_ccitt_false;
use super::templates::{is_root_template, nested_template};

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
    let bytes = &text.as_bytes()[..span.end];
    // A large payload is counted first, so that its objects take one allocation of the right
    // size instead of a doubling vector's (up to twice the room, three times while it grows).
    let capacity = match span.template_offset {
        None if span.end - span.start > 4096 => count_objects(&bytes[span.start..], ascii),
        None => 16,
        // An empty template allocates nothing (a million of them would take room for 4 each).
        Some(_) if span.start == span.end => 0,
        Some(_) => 4,
    };
    let mut objects = Vec::with_capacity(capacity);
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

/// How many objects follow one another from the start of `bytes` (up to the first that does
/// not read).
fn count_objects(bytes: &[u8], ascii: bool) -> usize {
    let (mut pos, mut count) = (0, 0);
    while let Some((_, value_len, _)) = header(&bytes[pos..], ascii) {
        pos += 4 + value_len;
        count += 1;
    }
    count
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

/// Parses one object at the start of `input` as a primitive (no template expansion) and
/// returns the remainder. Offsets in errors are character offsets into `input`.
///
/// ```
/// use tapcert_parsers::qr::{parse_qr_mpm_object, MpmId};
/// let (rest, obj) = parse_qr_mpm_object("5802CN5914BEST TRANSPORT").unwrap();
/// assert_eq!((obj.id, obj.value, rest), (MpmId::COUNTRY_CODE, "CN", "5914BEST TRANSPORT"));
/// ```
pub fn parse_qr_mpm_object(input: &str) -> nom::IResult<&str, MpmObject<'_>, QrError> {
    if input.is_empty() {
        return Err(nom::Err::Error(QrError::Empty));
    }
    let span = Span { start: 0, end: input.len(), chars: 0, template_offset: None };
    let (obj, next, _) = read_object(input, 0, 0, span, input.is_ascii()).map_err(nom::Err::Error)?;
    Ok((&input[next..], obj))
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
