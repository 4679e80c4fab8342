//! NFC Forum Type 2 Tag: the TLV blocks of the data area and a whole memory dump.
//!
//! ```text
//! page 0     UID0 UID1 UID2 BCC0          BCC0 = 88 ^ UID0 ^ UID1 ^ UID2
//! page 1     UID3 UID4 UID5 UID6
//! page 2     BCC1 internal lock0 lock1    BCC1 = UID3 ^ UID4 ^ UID5 ^ UID6
//! page 3     CC: E1, version (major high nibble), data area size / 8, access
//! page 4..   data area: TLV blocks
//!
//! TLV        00 NULL (no length)       01 Lock Control (3)    02 Memory Control (3)
//!            03 NDEF Message           FD Proprietary         FE Terminator (no length)
//! length     1 byte 00-FE, or FF + 2 bytes big-endian (00FF-FFFE)
//! ```

use nom::IResult;

use super::error::{NdefError, take};
use super::message::{DecodeOptions, NdefMessage, decode_message_at};
use super::validate::{push, validate_at};
use crate::Finding;

/// A TLV block type; an open newtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct T2tTlvType(pub u8);

impl T2tTlvType {
    /// 0x00: NULL, one byte of padding.
    pub const NULL: T2tTlvType = T2tTlvType(0x00);
    /// 0x01: Lock Control.
    pub const LOCK_CONTROL: T2tTlvType = T2tTlvType(0x01);
    /// 0x02: Memory Control.
    pub const MEMORY_CONTROL: T2tTlvType = T2tTlvType(0x02);
    /// 0x03: NDEF Message.
    pub const NDEF_MESSAGE: T2tTlvType = T2tTlvType(0x03);
    /// 0xFD: Proprietary.
    pub const PROPRIETARY: T2tTlvType = T2tTlvType(0xFD);
    /// 0xFE: Terminator.
    pub const TERMINATOR: T2tTlvType = T2tTlvType(0xFE);

    /// The spec's name.
    pub fn name(self) -> &'static str {
        match self.0 {
            0x00 => "null",
            0x01 => "lock-control",
            0x02 => "memory-control",
            0x03 => "ndef",
            0xFD => "proprietary",
            0xFE => "terminator",
            _ => "reserved",
        }
    }
}

/// One TLV block, borrowing its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T2tTlv<'a> {
    /// Block type.
    pub tlv_type: T2tTlvType,
    /// Offset of the type byte.
    pub offset: usize,
    /// The length used the 3-byte form (`FF xx xx`).
    pub long_length: bool,
    /// The value (empty for NULL and Terminator).
    pub value: &'a [u8],
}

impl<'a> T2tTlv<'a> {
    /// Offset of the first value byte.
    pub fn value_offset(&self) -> usize {
        match self.tlv_type {
            T2tTlvType::NULL | T2tTlvType::TERMINATOR => self.offset + 1,
            _ => self.offset + if self.long_length { 4 } else { 2 },
        }
    }

    /// For Lock and Memory Control TLVs: the byte address of the area (page address times
    /// bytes per page plus byte offset) and its size (in bits for lock control, bytes for
    /// memory control; 0 means 256).
    pub fn control_area(&self) -> Option<(usize, usize)> {
        let &[position, size, page_control] = self.value else { return None };
        if !matches!(self.tlv_type, T2tTlvType::LOCK_CONTROL | T2tTlvType::MEMORY_CONTROL) {
            return None;
        }
        let bytes_per_page = 1usize << (page_control & 0x0F);
        let address = usize::from(position >> 4) * bytes_per_page + usize::from(position & 0x0F);
        Some((address, if size == 0 { 256 } else { usize::from(size) }))
    }

    /// For an NDEF Message TLV: its message, decoded with the default limits and absolute
    /// offsets (`Ok(None)` for an empty value, the initialised state; `None` for other types).
    pub fn ndef_message(&self) -> Option<Result<Option<NdefMessage<'a>>, NdefError>> {
        (self.tlv_type == T2tTlvType::NDEF_MESSAGE).then(|| decode_ndef_tlv_value(self.value, self.value_offset()))
    }

    /// Appends the block in the length form it was read in (minimal form for built blocks
    /// with `long_length` false and a value of 255 bytes or more).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.tlv_type.0);
        if matches!(self.tlv_type, T2tTlvType::NULL | T2tTlvType::TERMINATOR) {
            return;
        }
        if self.long_length || self.value.len() >= 0xFF {
            out.push(0xFF);
            out.extend_from_slice(&(self.value.len() as u16).to_be_bytes());
        } else {
            out.push(self.value.len() as u8);
        }
        out.extend_from_slice(self.value);
    }
}

/// The TLV blocks of a data area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct T2tTlvArea<'a> {
    /// Blocks in order, the Terminator included when present.
    pub tlvs: Vec<T2tTlv<'a>>,
    /// A Terminator TLV ended the walk.
    pub terminated: bool,
    /// Bytes after the Terminator (unused memory).
    pub after_terminator: &'a [u8],
}

impl<'a> T2tTlvArea<'a> {
    /// The NDEF Message TLVs' messages, decoded with the default limits (`None` for an empty
    /// NDEF TLV, the initialised state).
    pub fn ndef_messages(&self) -> Vec<Result<Option<NdefMessage<'a>>, NdefError>> {
        self.tlvs.iter().filter_map(T2tTlv::ndef_message).collect()
    }

    /// Encodes the blocks (and the bytes after the Terminator) back.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for t in &self.tlvs {
            t.encode_into(&mut out);
        }
        out.extend_from_slice(self.after_terminator);
        out
    }
}

fn decode_ndef_tlv_value(value: &[u8], base: usize) -> Result<Option<NdefMessage<'_>>, NdefError> {
    if value.is_empty() {
        return Ok(None);
    }
    let (msg, end) = decode_message_at(value, base, &DecodeOptions::default())?;
    if end < value.len() {
        return Err(NdefError::TrailingData { offset: base + end });
    }
    Ok(Some(msg))
}

/// The TLV block combinator (T2T §2.3): the type; for NULL and Terminator nothing more, for
/// the others a 1-byte length (00-FE) or `FF` and a 2-byte big-endian length, then the value.
/// The block's `offset` is 0, the start of `input` (the walk sets the real one). Errors count
/// bytes left (the entry points translate them).
#[inline(always)]
fn t2t_block(input: &[u8]) -> IResult<&[u8], T2tTlv<'_>, NdefError> {
    let at = input.len();
    let Some((&first, rest)) = input.split_first() else {
        return Err(nom::Err::Error(NdefError::Truncated { offset: 0, expected: "TLV type", needed: 1, available: 0 }));
    };
    let tlv_type = T2tTlvType(first);
    if matches!(tlv_type, T2tTlvType::NULL | T2tTlvType::TERMINATOR) {
        return Ok((rest, T2tTlv { tlv_type, offset: 0, long_length: false, value: &[] }));
    }
    let Some((&len, rest)) = rest.split_first() else {
        return Err(nom::Err::Error(NdefError::Truncated {
            offset: 0,
            expected: "TLV length",
            needed: 1,
            available: 0,
        }));
    };
    let (rest, len, long_length) = if len == 0xFF {
        match rest.split_first_chunk::<2>() {
            Some((&l, rest)) => (rest, usize::from(u16::from_be_bytes(l)), true),
            None => {
                return Err(nom::Err::Error(NdefError::Truncated {
                    offset: rest.len(),
                    expected: "3-byte TLV length",
                    needed: 2,
                    available: rest.len(),
                }));
            }
        }
    } else {
        (rest, usize::from(len), false)
    };
    match rest.split_at_checked(len) {
        Some((value, rest)) => Ok((rest, T2tTlv { tlv_type, offset: 0, long_length, value })),
        None => {
            Err(nom::Err::Error(NdefError::LengthExceedsInput { offset: at, declared: len, available: rest.len() }))
        }
    }
}

/// Parses one TLV block of a Type 2 Tag data area (NULL, Lock Control, Memory Control, NDEF
/// Message, Proprietary, Terminator or a reserved type; 1- or 3-byte length). The block's
/// `offset` is 0, the start of `input`; errors count from there too.
///
/// ```
/// use tapcert_parsers::ndef::{parse_t2t_tlv, NdefError, T2tTlvType};
/// let (rest, tlv) = parse_t2t_tlv(&[0x03, 0x03, 0xD0, 0x00, 0x00, 0xFE]).unwrap();
/// assert_eq!((tlv.tlv_type, tlv.value, rest), (T2tTlvType::NDEF_MESSAGE, &[0xD0, 0x00, 0x00][..], &[0xFE][..]));
/// assert_eq!(
///     parse_t2t_tlv(&[0x03, 0xFF, 0x01]),
///     Err(nom::Err::Error(NdefError::Truncated { offset: 2, expected: "3-byte TLV length", needed: 2, available: 1 }))
/// );
/// ```
pub fn parse_t2t_tlv(input: &[u8]) -> IResult<&[u8], T2tTlv<'_>, NdefError> {
    t2t_block(input).map_err(|e| nom::Err::Error(NdefError::at_entry(e, input.len())))
}

/// Walks the TLV blocks of a data area until a Terminator or the end. Offsets are relative
/// to `area` plus `base`.
///
/// ```
/// use tapcert_parsers::ndef::{decode_t2t_tlvs, T2tTlvType, NdefError};
/// let area = decode_t2t_tlvs(&[0x00, 0x03, 0x03, 0xD0, 0x00, 0x00, 0xFE, 0x00], 16).unwrap();
/// assert_eq!(area.tlvs[1].tlv_type, T2tTlvType::NDEF_MESSAGE);
/// assert_eq!((area.tlvs[1].offset, area.terminated), (17, true));
/// assert_eq!(
///     decode_t2t_tlvs(&[0x03, 0xFF, 0x01, 0x00, 0xD0], 0),
///     Err(NdefError::LengthExceedsInput { offset: 0, declared: 256, available: 1 })
/// );
/// ```
#[inline]
pub fn decode_t2t_tlvs(area: &[u8], base: usize) -> Result<T2tTlvArea<'_>, NdefError> {
    let mut it = T2tTlvIter::new(area, base);
    let tlvs = it.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok(T2tTlvArea { tlvs, terminated: it.terminated(), after_terminator: it.after_terminator() })
}

/// Iterates over the TLV blocks of a Type 2 Tag data area one at a time (what
/// [`decode_t2t_tlvs`] collects): a dump of a million blocks is walked without a million
/// blocks in memory. Stops after the Terminator TLV, at the end of the area, or after
/// yielding one `Err`.
///
/// ```
/// use tapcert_parsers::ndef::{T2tTlvIter, T2tTlvType};
/// let mut it = T2tTlvIter::new(&[0x00, 0x01, 0x00, 0xFE, 0xAA], 16);
/// let types: Vec<_> = it.by_ref().map(|t| t.unwrap().tlv_type).collect();
/// assert_eq!(types, [T2tTlvType::NULL, T2tTlvType::LOCK_CONTROL, T2tTlvType::TERMINATOR]);
/// assert_eq!((it.terminated(), it.after_terminator()), (true, &[0xAA][..]));
/// ```
#[derive(Debug, Clone)]
pub struct T2tTlvIter<'a> {
    area: &'a [u8],
    pos: usize,
    base: usize,
    terminated: bool,
    done: bool,
}

impl<'a> T2tTlvIter<'a> {
    /// The blocks of `area`, offsets relative to `area` plus `base`.
    pub fn new(area: &'a [u8], base: usize) -> Self {
        T2tTlvIter { area, pos: 0, base, terminated: false, done: false }
    }

    /// Whether a Terminator TLV was read.
    pub fn terminated(&self) -> bool {
        self.terminated
    }

    /// The bytes after the Terminator TLV (empty when none was read).
    pub fn after_terminator(&self) -> &'a [u8] {
        if self.terminated { &self.area[self.pos..] } else { &[] }
    }

    /// One block with [`t2t_block`], its offset and errors moved to the area's plus `base`.
    #[inline(always)]
    fn read(&mut self) -> Result<T2tTlv<'a>, NdefError> {
        let (area, pos, base) = (self.area, self.pos, self.base);
        let (rest, mut tlv) =
            t2t_block(&area[pos..]).map_err(|e| NdefError::at_entry(e, area.len()).map_offsets(|o| o + base))?;
        tlv.offset = base + pos;
        self.pos = area.len() - rest.len();
        if tlv.tlv_type == T2tTlvType::TERMINATOR {
            self.terminated = true;
            self.done = true;
        }
        Ok(tlv)
    }
}

impl<'a> Iterator for T2tTlvIter<'a> {
    type Item = Result<T2tTlv<'a>, NdefError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.area.len() {
            return None;
        }
        let tlv = self.read();
        if tlv.is_err() {
            self.done = true;
        }
        Some(tlv)
    }
}

/// The Capability Container (page 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T2tCc {
    /// Magic number, E1 for NDEF-formatted tags.
    pub magic: u8,
    /// Mapping version (0x10 = 1.0).
    pub version: u8,
    /// Data area size in bytes (CC byte 2 times 8).
    pub data_area_size: usize,
    /// Read/write access (00 read/write granted, 0F read-only).
    pub access: u8,
}

/// A decoded Type 2 Tag memory dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct T2tMemory<'a> {
    /// The 7-byte UID.
    pub uid: [u8; 7],
    /// BCC0 and BCC1 as read.
    pub bcc: [u8; 2],
    /// Static lock bytes (page 2, bytes 2-3).
    pub static_lock: [u8; 2],
    /// The Capability Container.
    pub cc: T2tCc,
    /// The data area's TLV blocks (from byte 16, up to the CC's size or the dump's end).
    pub area: T2tTlvArea<'a>,
    /// The dump is shorter than 16 + the CC's data area size.
    pub truncated: bool,
}

/// Decodes a Type 2 Tag memory dump (pages from 0).
///
/// ```
/// use tapcert_parsers::ndef::decode_t2t_memory;
/// let mut dump = vec![0x04, 0x6F, 0xD5, 0x36, 0xAA, 0x32, 0x5C, 0x80, 0x44, 0x48, 0x00, 0x00, 0xE1, 0x10, 0x12, 0x00];
/// dump.extend_from_slice(&[0x03, 0x03, 0xD0, 0x00, 0x00, 0xFE]);
/// let mem = decode_t2t_memory(&dump).unwrap();
/// assert_eq!((mem.cc.magic, mem.cc.data_area_size), (0xE1, 144));
/// assert!(decode_t2t_memory(&dump[..10]).is_err());
/// ```
pub fn decode_t2t_memory(dump: &[u8]) -> Result<T2tMemory<'_>, NdefError> {
    let (mut mem, area) = decode_t2t_memory_header(dump)?;
    mem.area = decode_t2t_tlvs(area, 16)?;
    Ok(mem)
}

/// Pages 0-3 of a dump: the memory with no TLV blocks yet, and the bytes of its data area
/// (at offset 16).
pub(crate) fn decode_t2t_memory_header(dump: &[u8]) -> Result<(T2tMemory<'_>, &[u8]), NdefError> {
    let head = take(dump, 0, 16, "pages 0-3 (UID, lock bytes, CC)")?;
    let uid = [head[0], head[1], head[2], head[4], head[5], head[6], head[7]];
    let cc = T2tCc { magic: head[12], version: head[13], data_area_size: usize::from(head[14]) * 8, access: head[15] };
    let end = 16 + cc.data_area_size;
    let truncated = end > dump.len();
    let area = T2tTlvArea { tlvs: Vec::new(), terminated: false, after_terminator: &[] };
    let mem = T2tMemory { uid, bcc: [head[3], head[8]], static_lock: [head[10], head[11]], cc, area, truncated };
    Ok((mem, &dump[16..end.min(dump.len())]))
}

/// Rules of the Type 2 Tag specification and of the NDEF messages inside, each a warning at
/// the byte offset in the dump (or the NDEF rule's own severity):
///
/// | rule | what |
/// |---|---|
/// | `T2T.BCC0` / `T2T.BCC1` | the UID check bytes are right |
/// | `T2T.CC-MAGIC` / `T2T.CC-VERSION` | CC byte 0 is E1, the mapping version 1.x |
/// | `T2T.DUMP-SHORT` | the dump holds the whole data area the CC declares |
/// | `T2T.CONTROL-LENGTH` | Lock and Memory Control TLVs have 3 bytes of value |
/// | `T2T.TLV-RESERVED` | TLV types 04-FC and FF are reserved |
/// | `T2T.LENGTH-FORM` | the 3-byte length form only from 255 bytes on |
/// | `T2T.NDEF-TLV` | the area holds an NDEF Message TLV |
/// | `NDEF.*` | the rules of [`super::validate_ndef_message`] on each NDEF message |
pub fn validate_t2t_memory(mem: &T2tMemory<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let sink = &mut |f| out.push(f);
    validate_memory_header(mem, sink);
    validate_blocks(mem.area.tlvs.iter().copied(), sink);
    out
}

/// [`validate_t2t_memory`] of a dump that [`decode_t2t_memory`] accepts, each finding handed to
/// `sink` as it is found, the blocks walked one at a time: memory does not grow with the
/// number of blocks or findings.
pub fn validate_t2t_memory_into(dump: &[u8], sink: &mut dyn FnMut(Finding)) {
    let Ok((mem, area)) = decode_t2t_memory_header(dump) else { return };
    validate_memory_header(&mem, sink);
    validate_blocks(T2tTlvIter::new(area, 16).map_while(Result::ok), sink);
}

fn validate_memory_header(mem: &T2tMemory<'_>, out: &mut dyn FnMut(Finding)) {
    let u = mem.uid;
    if mem.bcc[0] != 0x88 ^ u[0] ^ u[1] ^ u[2] {
        push(out, "T2T.BCC0", 3, format!("BCC0 {:02X} != 88^UID0^UID1^UID2", mem.bcc[0]));
    }
    if mem.bcc[1] != u[3] ^ u[4] ^ u[5] ^ u[6] {
        push(out, "T2T.BCC1", 8, format!("BCC1 {:02X} != UID3^UID4^UID5^UID6", mem.bcc[1]));
    }
    if mem.cc.magic != 0xE1 {
        push(out, "T2T.CC-MAGIC", 12, format!("CC magic {:02X}, expected E1", mem.cc.magic));
    }
    if mem.cc.version >> 4 != 1 {
        push(out, "T2T.CC-VERSION", 13, format!("mapping version {:02X}, expected 1.x", mem.cc.version));
    }
    if mem.truncated {
        push(out, "T2T.DUMP-SHORT", 14, "the dump ends before the data area the CC declares");
    }
}

/// Rules on TLV blocks (the `T2T.*` TLV rules of [`validate_t2t_memory`]) and the NDEF
/// messages inside (`NDEF.*`).
pub fn validate_t2t_tlvs(area: &T2tTlvArea<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    validate_blocks(area.tlvs.iter().copied(), &mut |f| out.push(f));
    out
}

/// [`validate_t2t_tlvs`] of an area that [`decode_t2t_tlvs`] accepts, each finding handed to
/// `sink` as it is found, the blocks walked one at a time.
pub fn validate_t2t_tlvs_into(area: &[u8], base: usize, sink: &mut dyn FnMut(Finding)) {
    validate_blocks(T2tTlvIter::new(area, base).map_while(Result::ok), sink);
}

fn validate_blocks<'a>(tlvs: impl Iterator<Item = T2tTlv<'a>>, out: &mut dyn FnMut(Finding)) {
    let mut ndef_count = 0;
    let mut first = None;
    for t in tlvs {
        first.get_or_insert(t.offset);
        match t.tlv_type {
            T2tTlvType::LOCK_CONTROL | T2tTlvType::MEMORY_CONTROL if t.value.len() != 3 => {
                push(
                    out,
                    "T2T.CONTROL-LENGTH",
                    t.offset,
                    format!("{} TLV of length {}, expected 3", t.tlv_type.name(), t.value.len()),
                );
            }
            T2tTlvType::NDEF_MESSAGE => {
                ndef_count += 1;
                if !t.value.is_empty() {
                    validate_at(t.value, t.value_offset(), &DecodeOptions::default(), 0, out);
                }
            }
            T2tTlvType(0x04..=0xFC) | T2tTlvType(0xFF) => {
                push(out, "T2T.TLV-RESERVED", t.offset, format!("TLV type {:02X} is reserved", t.tlv_type.0));
            }
            _ => {}
        }
        if t.long_length && t.value.len() < 0xFF {
            push(out, "T2T.LENGTH-FORM", t.offset, "3-byte length for a value under 255 bytes");
        }
    }
    if ndef_count == 0 {
        push(out, "T2T.NDEF-TLV", first.unwrap_or(0), "no NDEF Message TLV");
    }
}

/// Wraps an NDEF message in an NDEF Message TLV followed by a Terminator (the length in the
/// 3-byte form from 255 bytes on). Panics if the message is over 65534 bytes.
pub fn encode_t2t_ndef_tlv(message: &[u8]) -> Vec<u8> {
    assert!(message.len() <= 0xFFFE, "NDEF message over 65534 bytes");
    let mut out = Vec::with_capacity(message.len() + 5);
    T2tTlv { tlv_type: T2tTlvType::NDEF_MESSAGE, offset: 0, long_length: false, value: message }.encode_into(&mut out);
    out.push(0xFE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_length_form() {
        let msg = vec![0u8; 300];
        let bytes = encode_t2t_ndef_tlv(&msg);
        assert_eq!(&bytes[..4], &[0x03, 0xFF, 0x01, 0x2C]);
        let area = decode_t2t_tlvs(&bytes, 0).unwrap();
        assert!(area.tlvs[0].long_length && area.terminated);
        assert_eq!(area.encode(), bytes);
    }

    #[test]
    fn lock_control_area() {
        // Position E0: page 14, byte 0; 37 lock bits; page control 42: 4-byte pages.
        let area = decode_t2t_tlvs(&[0x01, 0x03, 0xE0, 0x25, 0x42, 0xFE], 0).unwrap();
        assert_eq!(area.tlvs[0].control_area(), Some((56, 37)));
    }

    #[test]
    fn truncated_tlvs() {
        assert!(matches!(decode_t2t_tlvs(&[0x03], 16), Err(NdefError::Truncated { offset: 17, .. })));
        assert!(matches!(decode_t2t_tlvs(&[0x03, 0xFF, 0x00], 0), Err(NdefError::Truncated { offset: 2, .. })));
        let area = decode_t2t_tlvs(&[0x00, 0x00], 0).unwrap();
        assert!(!area.terminated);
        let rules: Vec<_> = validate_t2t_tlvs(&area).into_iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["T2T.NDEF-TLV"]);
    }
}
