//! NDEF records as they travel (NFC Forum NDEF 1.0 §3.2) and the logical records a message
//! holds after chunk reassembly.
//!
//! ```text
//! byte 0      MB ME CF SR IL TNF(3)       message begin/end, chunk flag, short record, ID present
//! byte 1      TYPE_LENGTH
//! 1 or 4      PAYLOAD_LENGTH              SR=1: one byte; SR=0: four bytes, big-endian
//! 0 or 1      ID_LENGTH                   present only when IL=1
//!             TYPE, ID, PAYLOAD
//! ```
//!
//! [`RawRecord`] is one wire record (a whole record or one chunk), borrowing the input.
//! [`NdefRecord`] is one logical record: borrowed when it was a single wire record, owned when
//! chunks were joined or when it was built ([`NdefRecord::uri`], [`NdefRecord::text`], ...).

use std::borrow::Cow;
use std::fmt;

use nom::IResult;

use super::error::NdefError;

/// Type Name Format (NDEF 1.0 §3.2.6): how the TYPE field is to be read. An open newtype:
/// all eight 3-bit values parse and round-trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tnf(pub u8);

impl Tnf {
    /// 0: empty record (no type, id or payload).
    pub const EMPTY: Tnf = Tnf(0);
    /// 1: NFC Forum well-known type (RTD), e.g. `U`, `T`, `Sp`.
    pub const WELL_KNOWN: Tnf = Tnf(1);
    /// 2: media type per RFC 2046, e.g. `text/plain`.
    pub const MIME: Tnf = Tnf(2);
    /// 3: absolute URI per RFC 3986.
    pub const ABSOLUTE_URI: Tnf = Tnf(3);
    /// 4: NFC Forum external type, `domain:type`.
    pub const EXTERNAL: Tnf = Tnf(4);
    /// 5: unknown (no type).
    pub const UNKNOWN: Tnf = Tnf(5);
    /// 6: unchanged, used by the middle and last chunks of a chunked record.
    pub const UNCHANGED: Tnf = Tnf(6);
    /// 7: reserved.
    pub const RESERVED: Tnf = Tnf(7);

    /// The spec's name for the value.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "empty",
            1 => "well-known",
            2 => "mime",
            3 => "absolute-uri",
            4 => "external",
            5 => "unknown",
            6 => "unchanged",
            _ => "reserved",
        }
    }
}

impl fmt::Debug for Tnf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tnf({} {})", self.0, self.name())
    }
}

/// The five flag bits of a record header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RecordFlags {
    /// Message Begin: first record of a message.
    pub mb: bool,
    /// Message End: last record of a message.
    pub me: bool,
    /// Chunk Flag: a chunk that another chunk follows.
    pub cf: bool,
    /// Short Record: PAYLOAD_LENGTH is one byte.
    pub sr: bool,
    /// ID_LENGTH and ID are present.
    pub il: bool,
}

impl RecordFlags {
    /// The flags of a header byte (the TNF bits are ignored).
    pub fn from_header(byte: u8) -> Self {
        RecordFlags {
            mb: byte & 0x80 != 0,
            me: byte & 0x40 != 0,
            cf: byte & 0x20 != 0,
            sr: byte & 0x10 != 0,
            il: byte & 0x08 != 0,
        }
    }

    /// The flag bits as they sit in a header byte.
    pub fn bits(self) -> u8 {
        u8::from(self.mb) << 7
            | u8::from(self.me) << 6
            | u8::from(self.cf) << 5
            | u8::from(self.sr) << 4
            | u8::from(self.il) << 3
    }
}

/// One wire record (a whole record or one chunk), borrowing the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// Header flags.
    pub flags: RecordFlags,
    /// Type Name Format.
    pub tnf: Tnf,
    /// TYPE field.
    pub record_type: &'a [u8],
    /// ID field (empty when IL is clear).
    pub id: &'a [u8],
    /// PAYLOAD field.
    pub payload: &'a [u8],
    /// Offset of the header byte from the start of the input given to the entry point.
    pub offset: usize,
}

impl<'a> RawRecord<'a> {
    /// Bytes the record takes on the wire.
    pub fn encoded_len(&self) -> usize {
        let header = 2 + if self.flags.sr { 1 } else { 4 } + usize::from(self.flags.il);
        header + self.record_type.len() + self.id.len() + self.payload.len()
    }

    /// Appends the record exactly as parsed (flags, SR form and IL as they were).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        encode_wire_record(self.flags, self.tnf, self.record_type, self.id, self.payload, out);
    }
}

/// Appends one wire record with the given flags. The caller guarantees that SR is only set
/// for payloads of at most 255 bytes and that TYPE and ID are at most 255 bytes.
pub(crate) fn encode_wire_record(
    flags: RecordFlags,
    tnf: Tnf,
    ty: &[u8],
    id: &[u8],
    payload: &[u8],
    out: &mut Vec<u8>,
) {
    out.push(flags.bits() | (tnf.0 & 0x07));
    out.push(ty.len() as u8);
    if flags.sr {
        out.push(payload.len() as u8);
    } else {
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    }
    if flags.il {
        out.push(id.len() as u8);
    }
    out.extend_from_slice(ty);
    out.extend_from_slice(id);
    out.extend_from_slice(payload);
}

/// The NDEF record combinator: header byte and TYPE_LENGTH, PAYLOAD_LENGTH (one byte or four
/// big-endian bytes as SR says), ID_LENGTH when IL is set, then TYPE, ID and PAYLOAD. The
/// declared lengths are checked against what is left before anything is sliced. Errors, and
/// the record's `offset`, count bytes left (the entry points translate them).
// The fixed fields are read with `split_first`/`split_first_chunk` rather than nom's
// `be_u8`/`be_u32`, as `ber_tag` reads the BER tag: nom 8.0's `Input for &[u8]` leaves
// `take_from` without #[inline], so each of those is an out-of-line call into nom on every
// record, and NDEF's decode is little else (issue 13 measured it).
#[inline]
pub(crate) fn ndef_record(input: &[u8]) -> IResult<&[u8], RawRecord<'_>, NdefError> {
    let Some((&[header, type_len], rest)) = input.split_first_chunk::<2>() else {
        return Err(truncated(input, 2, "record header and TYPE_LENGTH"));
    };
    let flags = RecordFlags::from_header(header);
    let (payload_len, rest) = if flags.sr {
        let Some((&len, r)) = rest.split_first() else {
            return Err(truncated(rest, 1, "PAYLOAD_LENGTH (SR)"));
        };
        (usize::from(len), r)
    } else {
        let Some((len, r)) = rest.split_first_chunk::<4>() else {
            return Err(truncated(rest, 4, "PAYLOAD_LENGTH (4 bytes, big-endian)"));
        };
        // u32 always fits: tapcert targets 32- and 64-bit platforms.
        (u32::from_be_bytes(*len) as usize, r)
    };
    let (id_len, rest) = if flags.il {
        let Some((&len, r)) = rest.split_first() else {
            return Err(truncated(rest, 1, "ID_LENGTH"));
        };
        (usize::from(len), r)
    } else {
        (0, rest)
    };
    let type_len = usize::from(type_len);
    // Checked before any slicing or allocation: a 4 GiB PAYLOAD_LENGTH on a short input stops here.
    let declared = type_len + id_len + payload_len;
    if declared > rest.len() {
        return Err(nom::Err::Error(NdefError::LengthExceedsInput {
            offset: input.len(),
            declared,
            available: rest.len(),
        }));
    }
    // The three fields fit: `declared` was checked against what is left.
    let (record_type, rest) = rest.split_at(type_len);
    let (id, rest) = rest.split_at(id_len);
    let (payload, rest) = rest.split_at(payload_len);
    let tnf = Tnf(header & 0x07);
    Ok((rest, RawRecord { flags, tnf, record_type, id, payload, offset: input.len() }))
}

/// [`NdefError::Truncated`] for a field of `needed` bytes where `left` remains.
#[cold]
fn truncated(left: &[u8], needed: usize, expected: &'static str) -> nom::Err<NdefError> {
    nom::Err::Error(NdefError::Truncated { offset: left.len(), expected, needed, available: left.len() })
}

/// Parses one wire record at `at` of `input`; offsets in the result and errors are `base + `
/// position in `input`. Returns the record and the position after it.
// Always inlined: the record iterator's one call site is the decode's hot loop, and with a
// plain #[inline] the message decode measured 1.14x the hand-written baseline (issue 13).
#[inline(always)]
pub(crate) fn parse_raw_at(input: &[u8], at: usize, base: usize) -> Result<(RawRecord<'_>, usize), NdefError> {
    let total = input.len();
    match ndef_record(input.get(at..).unwrap_or_default()) {
        Ok((rest, rec)) => Ok((RawRecord { offset: base + at, ..rec }, total - rest.len())),
        Err(e) => Err(NdefError::at_entry(e, total).shifted(base)),
    }
}

/// Parses one wire record (NDEF 1.0 §3.2) and returns the remainder.
///
/// ```
/// use tapcert_parsers::ndef::{parse_ndef_record, NdefError, Tnf};
/// let bytes = hex_literal(b"D1010E55016E66632D666F72756D2E6F7267");
/// let (rest, rec) = parse_ndef_record(&bytes).unwrap();
/// assert!(rest.is_empty() && rec.flags.mb && rec.flags.me);
/// assert_eq!((rec.tnf, rec.record_type), (Tnf::WELL_KNOWN, &b"U"[..]));
/// // SR clear and a 4 GiB PAYLOAD_LENGTH on 10 bytes: rejected before allocating.
/// let bad = [0xC1, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0x01, 0x02, 0x03];
/// assert_eq!(
///     parse_ndef_record(&bad),
///     Err(nom::Err::Error(NdefError::LengthExceedsInput { offset: 0, declared: 0xFFFF_FFFF + 1, available: 4 }))
/// );
/// # fn hex_literal(h: &[u8]) -> Vec<u8> {
/// #     h.chunks(2).map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap()).collect()
/// # }
/// ```
pub fn parse_ndef_record(input: &[u8]) -> IResult<&[u8], RawRecord<'_>, NdefError> {
    match ndef_record(input) {
        Ok((rest, rec)) => Ok((rest, RawRecord { offset: 0, ..rec })),
        Err(e) => Err(nom::Err::Error(NdefError::at_entry(e, input.len()))),
    }
}

/// One logical NDEF record: TNF, TYPE, ID and the whole payload (chunks joined).
///
/// Fields borrow the input when the record was a single wire record and own their bytes when
/// chunks were joined or the record was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdefRecord<'a> {
    /// Type Name Format (of the first chunk).
    pub tnf: Tnf,
    /// TYPE field (of the first chunk).
    pub record_type: Cow<'a, [u8]>,
    /// ID field (of the first chunk).
    pub id: Cow<'a, [u8]>,
    /// The payload; the concatenation of all chunks' payloads for a chunked record.
    pub payload: Cow<'a, [u8]>,
    /// Number of wire records the record took (1 when not chunked).
    pub chunks: usize,
    /// Header flags of the first chunk as received (for a built record: all clear).
    pub flags: RecordFlags,
    /// Offset of the first chunk's header byte (0 for a built record).
    pub offset: usize,
}

impl<'a> NdefRecord<'a> {
    /// A record with the given TNF, type, ID and payload, as a builder makes it.
    pub fn new(
        tnf: Tnf,
        record_type: impl Into<Cow<'a, [u8]>>,
        id: impl Into<Cow<'a, [u8]>>,
        payload: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        NdefRecord {
            tnf,
            record_type: record_type.into(),
            id: id.into(),
            payload: payload.into(),
            chunks: 1,
            flags: RecordFlags::default(),
            offset: 0,
        }
    }

    /// The empty record (TNF 0), which is what an empty NDEF message holds.
    pub fn empty() -> NdefRecord<'static> {
        NdefRecord::new(Tnf::EMPTY, Vec::new(), Vec::new(), Vec::new())
    }

    /// A logical record made of one wire record, borrowing it.
    pub fn from_raw(raw: &RawRecord<'a>) -> Self {
        NdefRecord {
            tnf: raw.tnf,
            record_type: Cow::Borrowed(raw.record_type),
            id: Cow::Borrowed(raw.id),
            payload: Cow::Borrowed(raw.payload),
            chunks: 1,
            flags: raw.flags,
            offset: raw.offset,
        }
    }

    /// The same record owning all its bytes.
    pub fn into_owned(self) -> NdefRecord<'static> {
        NdefRecord {
            tnf: self.tnf,
            record_type: Cow::Owned(self.record_type.into_owned()),
            id: Cow::Owned(self.id.into_owned()),
            payload: Cow::Owned(self.payload.into_owned()),
            chunks: self.chunks,
            flags: self.flags,
            offset: self.offset,
        }
    }

    /// Offset of the first payload byte (of the first chunk) in the decoded input.
    pub fn payload_offset(&self) -> usize {
        let lengths = 2 + if self.flags.sr { 1 } else { 4 } + usize::from(self.flags.il);
        self.offset + lengths + self.record_type.len() + self.id.len()
    }

    /// The record with its ID set (IL will be set when encoded).
    pub fn with_id(mut self, id: impl Into<Cow<'a, [u8]>>) -> Self {
        self.id = id.into();
        self
    }

    /// True for TNF and TYPE equal to the given ones. Well-known types compare byte for byte
    /// (RTD 1.0 §2.2: case-sensitive); MIME and external types ignore ASCII case (RFC 2046,
    /// RTD 1.0 §2.4).
    pub fn is_type(&self, tnf: Tnf, record_type: &[u8]) -> bool {
        if self.tnf != tnf {
            return false;
        }
        match tnf {
            Tnf::MIME | Tnf::EXTERNAL => self.record_type.eq_ignore_ascii_case(record_type),
            _ => *self.record_type == *record_type,
        }
    }

    /// True when the record's fields fit one wire record as [`Self::encode_into`] writes it
    /// (TYPE and ID at most 255 bytes, payload below 4 GiB).
    pub fn is_encodable(&self) -> bool {
        self.record_type.len() <= 255 && self.id.len() <= 255 && u32::try_from(self.payload.len()).is_ok()
    }

    /// Appends the record as one wire record in canonical form: SR when the payload is at most
    /// 255 bytes, IL when the ID is not empty, MB/ME as given, CF clear.
    ///
    /// Panics if [`Self::is_encodable`] is false (a caller's bug, not input).
    pub fn encode_into(&self, mb: bool, me: bool, out: &mut Vec<u8>) {
        assert!(self.is_encodable(), "NDEF TYPE/ID over 255 bytes or payload over 4 GiB");
        let flags = RecordFlags { mb, me, cf: false, sr: self.payload.len() <= 255, il: !self.id.is_empty() };
        encode_wire_record(flags, self.tnf, &self.record_type, &self.id, &self.payload, out);
    }

    /// Appends the record as a series of chunks of at most `chunk_size` payload bytes each
    /// (NDEF 1.0 §2.3.3): the first chunk carries TNF, TYPE and ID with CF set; the others are
    /// TNF 6 (unchanged) with empty TYPE and no ID; the last has CF clear. A payload that fits
    /// one chunk is written unchunked. MB goes on the first chunk, ME on the last.
    ///
    /// Panics if `chunk_size` is 0 or [`Self::is_encodable`] is false.
    pub fn encode_chunked_into(&self, chunk_size: usize, mb: bool, me: bool, out: &mut Vec<u8>) {
        assert!(chunk_size > 0, "chunk size must be at least 1");
        if self.payload.len() <= chunk_size {
            return self.encode_into(mb, me, out);
        }
        assert!(self.is_encodable(), "NDEF TYPE/ID over 255 bytes or payload over 4 GiB");
        let parts: Vec<&[u8]> = self.payload.chunks(chunk_size).collect();
        let last = parts.len() - 1;
        for (i, part) in parts.iter().enumerate() {
            let first = i == 0;
            let flags = RecordFlags {
                mb: mb && first,
                me: me && i == last,
                cf: i != last,
                sr: part.len() <= 255,
                il: first && !self.id.is_empty(),
            };
            if first {
                encode_wire_record(flags, self.tnf, &self.record_type, &self.id, part, out);
            } else {
                encode_wire_record(flags, Tnf::UNCHANGED, &[], &[], part, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_payload_length_is_big_endian() {
        let mut bytes = vec![0xC2, 0x01, 0x00, 0x00, 0x01, 0x2C, b'x'];
        bytes.extend(std::iter::repeat_n(0xAB, 300));
        let (rest, rec) = parse_ndef_record(&bytes).unwrap();
        assert!(rest.is_empty());
        assert_eq!(rec.payload.len(), 300);
        assert!(!rec.flags.sr);
        let mut out = Vec::new();
        rec.encode_into(&mut out);
        assert_eq!(out, bytes);
    }

    #[test]
    fn four_gib_length_on_ten_bytes_fails_before_allocating() {
        let bad = [0xC1, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0x01, 0x02, 0x03];
        let err = parse_raw_at(&bad, 0, 0).unwrap_err();
        assert_eq!(err, NdefError::LengthExceedsInput { offset: 0, declared: 1 + 0xFFFF_FFFF, available: 4 });
    }

    #[test]
    fn truncated_header_fields_name_the_field() {
        assert_eq!(
            parse_raw_at(&[0xD1], 0, 0).unwrap_err(),
            NdefError::Truncated { offset: 0, expected: "record header and TYPE_LENGTH", needed: 2, available: 1 }
        );
        assert_eq!(parse_raw_at(&[0xC1, 0x01, 0x00], 0, 5).unwrap_err().offset(), 7);
        assert!(matches!(
            parse_raw_at(&[0xD9, 0x01, 0x00], 0, 0),
            Err(NdefError::Truncated { expected: "ID_LENGTH", .. })
        ));
    }

    #[test]
    fn flags_round_trip() {
        for b in 0..=255u8 {
            assert_eq!(RecordFlags::from_header(b).bits(), b & 0xF8);
        }
    }

    #[test]
    fn chunked_encoding_layout() {
        let rec = NdefRecord::new(Tnf::MIME, &b"text/plain"[..], &b"i"[..], &b"abcdef"[..]);
        let mut out = Vec::new();
        rec.encode_chunked_into(2, true, true, &mut out);
        assert_eq!(out[0], 0xB2 | 0x08);
        assert_eq!(&out[out.len() - 5..], [0x56, 0x00, 0x02, b'e', b'f']);
    }
}
