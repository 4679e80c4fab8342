//! NDEF messages (NFC Forum NDEF 1.0 §2.3, §3.2) and chunk reassembly (§2.3.3).
//!
//! A message is a sequence of wire records from the one with MB to the one with ME. A chunked
//! record is a series of wire records: the first carries TNF, TYPE and (optionally) ID with CF
//! set; middle chunks have CF set, TNF 6 (unchanged) and an empty TYPE and no ID; the last
//! chunk has CF clear. The logical record's payload is the concatenation of the chunks'.
//!
//! Decoding is lenient where a reader can still tell what was meant (MB missing or repeated,
//! ME missing at the end of input, a middle chunk carrying a TYPE, ID or a TNF other than 6:
//! the first chunk's TNF/TYPE/ID win) and strict where it cannot (lengths past the input, a
//! chunk series that never ends, bytes after the record with ME, a reassembled record over the
//! size limit). [`super::validate_ndef_message`] names every rule a lenient decode let pass.

use std::borrow::Cow;

use super::error::NdefError;
use super::record::{NdefRecord, RawRecord, parse_raw_at};

/// Default cap on the payload of one logical record after chunk reassembly (1 MiB, the limit
/// ndeflib also applies). Never more than the input length in any case, since chunks are
/// slices of the input.
pub const DEFAULT_MAX_RECORD_SIZE: usize = 1 << 20;

/// Default limit on levels of NDEF messages, the outer one included: 3 messages nested in
/// payloads (Smart Poster, Handover) are decoded, a 4th is a [`NdefError::DepthLimit`].
pub const DEFAULT_MAX_DEPTH: usize = 4;

/// Limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Largest payload of one logical record after chunk reassembly.
    pub max_record_size: usize,
    /// Levels of messages, the outer one included (see [`DEFAULT_MAX_DEPTH`]).
    pub max_depth: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { max_record_size: DEFAULT_MAX_RECORD_SIZE, max_depth: DEFAULT_MAX_DEPTH }
    }
}

/// A decoded NDEF message: its logical records in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NdefMessage<'a> {
    /// The logical records (chunks joined).
    pub records: Vec<NdefRecord<'a>>,
}

impl<'a> NdefMessage<'a> {
    /// A message of the given records.
    pub fn new(records: Vec<NdefRecord<'a>>) -> Self {
        NdefMessage { records }
    }

    /// Canonical encoding: see [`encode_ndef_message`].
    pub fn encode(&self) -> Vec<u8> {
        encode_ndef_message(&self.records)
    }

    /// The same message owning all its bytes.
    pub fn into_owned(self) -> NdefMessage<'static> {
        NdefMessage { records: self.records.into_iter().map(NdefRecord::into_owned).collect() }
    }
}

/// Iterates over the wire records of a message, stopping after the record with ME (or at the
/// end of input). Yields `Err` once and stops when the input is malformed.
#[derive(Debug, Clone)]
pub struct RawRecordIter<'a> {
    input: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
}

impl<'a> RawRecordIter<'a> {
    /// Iterates over the wire records of `input`; offsets are relative to `input`.
    pub fn new(input: &'a [u8]) -> Self {
        RawRecordIter { input, pos: 0, base: 0, done: false }
    }

    /// Iterates over the wire records of `input`, reporting offsets as `base + position`.
    pub fn with_base(input: &'a [u8], base: usize) -> Self {
        RawRecordIter { base, ..RawRecordIter::new(input) }
    }

    /// Position (relative to the input) after the last record returned.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for RawRecordIter<'a> {
    type Item = Result<RawRecord<'a>, NdefError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.input.len() {
            return None;
        }
        match parse_raw_at(self.input, self.pos, self.base) {
            Ok((rec, end)) => {
                self.pos = end;
                self.done = rec.flags.me;
                Some(Ok(rec))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Iterates over the logical records of a message (chunks joined), stopping after the record
/// with ME (or at the end of input): the records one at a time, so that a message of a million
/// records is walked without a million records in memory. Yields `Err` once and stops when
/// the input is malformed; [`NdefRecordIter::position`] then says where the message ended.
///
/// ```
/// use tapcert_parsers::ndef::{DecodeOptions, NdefRecordIter};
/// let mut it = NdefRecordIter::new(&[0x90, 0x00, 0x00, 0x50, 0x00, 0x00, 0xFE], DecodeOptions::default());
/// assert_eq!(it.by_ref().map(|r| r.unwrap().offset).collect::<Vec<_>>(), [0, 3]);
/// assert_eq!(it.position(), 6);
/// ```
#[derive(Debug, Clone)]
pub struct NdefRecordIter<'a> {
    input: &'a [u8],
    pos: usize,
    base: usize,
    opts: DecodeOptions,
    done: bool,
}

impl<'a> NdefRecordIter<'a> {
    /// Iterates over the records of `input` with the limits of `opts`; offsets are relative to
    /// `input`.
    pub fn new(input: &'a [u8], opts: DecodeOptions) -> Self {
        NdefRecordIter { input, pos: 0, base: 0, opts, done: false }
    }

    /// Iterates over the records of `input`, reporting offsets as `base + position`.
    pub fn with_base(input: &'a [u8], base: usize, opts: DecodeOptions) -> Self {
        NdefRecordIter { base, ..NdefRecordIter::new(input, opts) }
    }

    /// Position (relative to the input) after the last record returned.
    pub fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    fn read(&mut self) -> Result<NdefRecord<'a>, NdefError> {
        let (input, base, opts) = (self.input, self.base, &self.opts);
        let (first, next) = parse_raw_at(input, self.pos, base)?;
        let (record, me, end) = if first.flags.cf {
            reassemble_chunks(input, &first, next, base, opts)?
        } else {
            if first.payload.len() > opts.max_record_size {
                return Err(NdefError::ReassemblyLimit {
                    offset: first.offset,
                    size: first.payload.len(),
                    limit: opts.max_record_size,
                });
            }
            (NdefRecord::from_raw(&first), first.flags.me, next)
        };
        self.pos = end;
        self.done = me;
        Ok(record)
    }
}

impl<'a> Iterator for NdefRecordIter<'a> {
    type Item = Result<NdefRecord<'a>, NdefError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.input.len() {
            return None;
        }
        let record = self.read();
        if record.is_err() {
            self.done = true;
        }
        Some(record)
    }
}

/// Decodes the message at the start of `input`; returns it and the position after the record
/// with ME (or the end of input). Offsets are `base + position`.
// The decode path is marked #[inline] down to the record combinator, as the TLV walk is: its
// callers live in other crates (CLI, conformance, benches), and without LTO nothing crosses
// the crate boundary otherwise.
#[inline]
pub(crate) fn decode_message_at<'a>(
    input: &'a [u8],
    base: usize,
    opts: &DecodeOptions,
) -> Result<(NdefMessage<'a>, usize), NdefError> {
    // The first push would allocate room for 4 records anyway; doing it here skips the
    // growth path. A record takes at least 3 bytes, so the input always justifies this.
    let mut records = Vec::with_capacity((input.len() / 3).min(4));
    let mut it = NdefRecordIter::with_base(input, base, *opts);
    // The iterator's steps without its Option/Result wrapping: the decode's one hot loop.
    while !it.done && it.pos < input.len() {
        records.push(it.read()?);
    }
    Ok((NdefMessage { records }, it.position()))
}

/// Checks the message at the start of `input` without keeping its records: the errors of
/// [`decode_message_at`]; returns the number of records and the position after the last.
pub(crate) fn check_message_at(input: &[u8], base: usize, opts: &DecodeOptions) -> Result<(usize, usize), NdefError> {
    let mut it = NdefRecordIter::with_base(input, base, *opts);
    let mut count = 0;
    for record in it.by_ref() {
        record?;
        count += 1;
    }
    Ok((count, it.position()))
}

/// Joins the chunks that follow `first` (a wire record with CF set), the next one at `pos`:
/// returns the logical record, whether its last chunk has ME, and the position after it.
// Kept out of line so that the message loop reads records at one call site; most records
// are not chunked.
#[inline(never)]
fn reassemble_chunks<'a>(
    input: &'a [u8],
    first: &RawRecord<'a>,
    mut pos: usize,
    base: usize,
    opts: &DecodeOptions,
) -> Result<(NdefRecord<'a>, bool, usize), NdefError> {
    if first.flags.me {
        return Err(NdefError::UnterminatedChunk { offset: first.offset });
    }
    // First pass: find the end of the series and its total size without copying.
    let mut total = first.payload.len();
    let mut count = 1;
    let start = pos;
    let me = loop {
        if pos >= input.len() {
            return Err(NdefError::UnterminatedChunk { offset: first.offset });
        }
        let (chunk, end) = parse_raw_at(input, pos, base)?;
        pos = end;
        count += 1;
        total += chunk.payload.len();
        if total > opts.max_record_size {
            return Err(NdefError::ReassemblyLimit { offset: first.offset, size: total, limit: opts.max_record_size });
        }
        if !chunk.flags.cf {
            break chunk.flags.me;
        }
        if chunk.flags.me {
            return Err(NdefError::UnterminatedChunk { offset: first.offset });
        }
    };
    let mut payload = Vec::with_capacity(total);
    payload.extend_from_slice(first.payload);
    let mut p = start;
    while p < pos {
        let (chunk, end) = parse_raw_at(input, p, base)?;
        payload.extend_from_slice(chunk.payload);
        p = end;
    }
    let mut rec = NdefRecord::from_raw(first);
    rec.payload = Cow::Owned(payload);
    rec.chunks = count;
    Ok((rec, me, pos))
}

/// Parses one message at the start of `input` (up to and including the record with ME) and
/// returns the remainder, which a container may legitimately have (T2T TLV area).
///
/// ```
/// use tapcert_parsers::ndef::{parse_ndef_message, NdefError};
/// let (rest, msg) = parse_ndef_message(&[0xD0, 0x00, 0x00, 0xFE]).unwrap();
/// assert_eq!((msg.records.len(), rest), (1, &[0xFE][..]));
/// assert_eq!(parse_ndef_message(&[0xB0, 0x00, 0x00]), Err(nom::Err::Error(NdefError::UnterminatedChunk { offset: 0 })));
/// ```
#[inline]
pub fn parse_ndef_message(input: &[u8]) -> nom::IResult<&[u8], NdefMessage<'_>, NdefError> {
    let (msg, end) = decode_message_at(input, 0, &DecodeOptions::default()).map_err(nom::Err::Error)?;
    Ok((&input[end..], msg))
}

/// Decodes a whole NDEF message with the default limits; bytes after the record with ME are
/// an error.
///
/// ```
/// use tapcert_parsers::ndef::{decode_ndef_message, NdefError};
/// // Three chunks of a text/plain record: B2 (MB CF SR MIME), 36 (CF SR unchanged), 56 (ME SR unchanged).
/// let bytes = [
///     0xB2, 0x0A, 0x02, b't', b'e', b'x', b't', b'/', b'p', b'l', b'a', b'i', b'n', b'a', b'b',
///     0x36, 0x00, 0x02, b'c', b'd', 0x56, 0x00, 0x02, b'e', b'f',
/// ];
/// let msg = decode_ndef_message(&bytes).unwrap();
/// assert_eq!((&*msg.records[0].payload, msg.records[0].chunks), (&b"abcdef"[..], 3));
/// // A byte after the record with ME set is not silently dropped.
/// let mut longer = bytes.to_vec();
/// longer.push(0x00);
/// assert_eq!(decode_ndef_message(&longer), Err(NdefError::TrailingData { offset: 25 }));
/// ```
#[inline]
pub fn decode_ndef_message(input: &[u8]) -> Result<NdefMessage<'_>, NdefError> {
    decode_ndef_message_with(input, &DecodeOptions::default())
}

/// Decodes a whole NDEF message with the given limits.
///
/// ```
/// use tapcert_parsers::ndef::{decode_ndef_message_with, DecodeOptions, NdefError};
/// let opts = DecodeOptions { max_record_size: 1, ..DecodeOptions::default() };
/// assert!(decode_ndef_message_with(&[0xD5, 0x00, 0x01, 0xAA], &opts).is_ok());
/// assert_eq!(
///     decode_ndef_message_with(&[0xD5, 0x00, 0x02, 0xAA, 0xBB], &opts),
///     Err(NdefError::ReassemblyLimit { offset: 0, size: 2, limit: 1 })
/// );
/// ```
#[inline]
pub fn decode_ndef_message_with<'a>(input: &'a [u8], opts: &DecodeOptions) -> Result<NdefMessage<'a>, NdefError> {
    let (msg, end) = decode_message_at(input, 0, opts)?;
    if end < input.len() {
        return Err(NdefError::TrailingData { offset: end });
    }
    Ok(msg)
}

/// Encodes records as a message in canonical form: MB on the first, ME on the last, each
/// record unchunked with SR when its payload is at most 255 bytes and IL when it has an ID.
/// No records encode to no bytes (an "empty" message in the NFC Forum sense is one TNF 0
/// record: [`NdefRecord::empty`]).
///
/// Panics if a record is not [`NdefRecord::is_encodable`].
pub fn encode_ndef_message(records: &[NdefRecord<'_>]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(records.iter().map(|r| 7 + r.record_type.len() + r.id.len() + r.payload.len()).sum());
    let last = records.len().saturating_sub(1);
    for (i, rec) in records.iter().enumerate() {
        rec.encode_into(i == 0, i == last, &mut out);
    }
    out
}

/// Encodes records as a message, splitting every payload longer than `chunk_size` into chunks
/// ([`NdefRecord::encode_chunked_into`]).
pub fn encode_ndef_message_chunked(records: &[NdefRecord<'_>], chunk_size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let last = records.len().saturating_sub(1);
    for (i, rec) in records.iter().enumerate() {
        rec.encode_chunked_into(chunk_size, i == 0, i == last, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ndef::Tnf;

    fn three_chunks() -> Vec<u8> {
        hex("B20A02746578742F706C61696E616236000263645600026566")
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn reassembles_three_chunks() {
        let bytes = three_chunks();
        let msg = decode_ndef_message(&bytes).unwrap();
        assert_eq!(msg.records.len(), 1);
        let r = &msg.records[0];
        assert_eq!((r.tnf, &*r.record_type, &*r.payload, r.chunks), (Tnf::MIME, &b"text/plain"[..], &b"abcdef"[..], 3));
        assert!(r.flags.mb && r.flags.cf && !r.flags.me);
    }

    #[test]
    fn reassembly_limit() {
        let bytes = three_chunks();
        let opts = DecodeOptions { max_record_size: 5, ..DecodeOptions::default() };
        assert_eq!(
            decode_ndef_message_with(&bytes, &opts),
            Err(NdefError::ReassemblyLimit { offset: 0, size: 6, limit: 5 })
        );
    }

    #[test]
    fn unterminated_chunks() {
        let bytes = three_chunks();
        // Drop the last chunk: the series never ends.
        assert_eq!(decode_ndef_message(&bytes[..20]), Err(NdefError::UnterminatedChunk { offset: 0 }));
        // ME on a chunk with CF set.
        let mut me_on_middle = bytes.clone();
        me_on_middle[15] |= 0x40;
        assert_eq!(decode_ndef_message(&me_on_middle), Err(NdefError::UnterminatedChunk { offset: 0 }));
    }

    #[test]
    fn trailing_data_and_missing_me() {
        let two = hex("91010C55046578616D706C652E636F6D51010A5402656E4578616D706C65");
        assert_eq!(decode_ndef_message(&two).unwrap().records.len(), 2);
        let mut trailing = two.clone();
        trailing.extend_from_slice(&[0xFE]);
        assert_eq!(decode_ndef_message(&trailing), Err(NdefError::TrailingData { offset: two.len() }));
        let (rest, msg) = parse_ndef_message(&trailing).unwrap();
        assert_eq!((rest, msg.records.len()), (&[0xFE][..], 2));
        // ME missing on the last record: decoded leniently (the validator flags it).
        let mut no_me = two.clone();
        no_me[16] &= !0x40;
        assert_eq!(decode_ndef_message(&no_me).unwrap().records.len(), 2);
    }

    #[test]
    fn canonical_reencode() {
        let bytes = three_chunks();
        let msg = decode_ndef_message(&bytes).unwrap();
        assert_eq!(encode_ndef_message_chunked(&msg.records, 2), bytes);
        assert_eq!(encode_ndef_message(&msg.records), hex("D20A06746578742F706C61696E616263646566"));
    }
}
