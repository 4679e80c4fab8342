//! NFC Forum Type 4 Tag containers: the Capability Container file (E103) and the NDEF file.
//!
//! ```text
//! CC file    CCLEN (2)  mapping version (1: major high nibble)  MLe (2)  MLc (2)  TLVs...
//! TLV 04 06  NDEF File Control: file ID (2), max NDEF file size (2), read access, write access
//! TLV 05 06  Proprietary File Control (same layout)
//! TLV 06 08  Extended NDEF File Control (mapping 3.0): file ID (2), max size (4), read, write
//! NDEF file  NLEN (2, big-endian) + NDEF message; NLEN 0 means no message
//! ```
//!
//! All multi-byte fields are big-endian. The CC file read from a tag may be longer than
//! CCLEN (a reader often reads 15 bytes or more); the bytes after CCLEN are kept apart.

use nom::IResult;

use super::error::{NdefError, take};
use super::message::{DecodeOptions, NdefMessage, decode_message_at};
use super::validate::push;
use crate::Finding;

/// File ID of the CC file.
pub const CC_FILE_ID: u16 = 0xE103;
/// AID of the NDEF Tag Application (mapping 2.0 and later).
pub const NDEF_TAG_APPLICATION_AID: [u8; 7] = [0xD2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01];

/// One file control TLV (04, 05 or 06).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileControl {
    /// TLV tag: 0x04 NDEF, 0x05 proprietary, 0x06 extended NDEF.
    pub tag: u8,
    /// File identifier.
    pub file_id: u16,
    /// Maximum file size (2 bytes on the wire for 04/05, 4 for 06).
    pub max_size: u32,
    /// Read access condition (00 granted; 80-FE proprietary).
    pub read_access: u8,
    /// Write access condition (00 granted; FF none; 80-FE proprietary).
    pub write_access: u8,
}

/// One TLV of the CC file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CcTlv<'a> {
    /// A file control TLV (04, 05, 06) with the length its tag requires.
    FileControl(FileControl),
    /// Any other TLV, kept as it is.
    Other {
        /// The tag.
        tag: u8,
        /// The value.
        value: &'a [u8],
    },
}

/// A decoded CC file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcFile<'a> {
    /// CCLEN as stated.
    pub cclen: u16,
    /// Mapping version: major in the high nibble (0x20 = 2.0, 0x30 = 3.0).
    pub mapping_version: u8,
    /// Maximum R-APDU data size (READ BINARY Le).
    pub mle: u16,
    /// Maximum C-APDU data size (UPDATE BINARY Lc).
    pub mlc: u16,
    /// TLVs in order.
    pub tlvs: Vec<CcTlv<'a>>,
    /// Offset of each TLV's tag byte (same order as `tlvs`).
    pub tlv_offsets: Vec<usize>,
    /// Bytes of the input after CCLEN.
    pub after_cclen: &'a [u8],
}

impl CcFile<'_> {
    /// The NDEF file control (TLV 04 or 06), the first one if several.
    pub fn ndef_file(&self) -> Option<FileControl> {
        self.tlvs.iter().find_map(|t| match t {
            CcTlv::FileControl(fc) if fc.tag == 0x04 || fc.tag == 0x06 => Some(*fc),
            _ => None,
        })
    }
}

/// Decodes a CC file.
///
/// ```
/// use tapcert_parsers::ndef::{decode_t4t_cc, NdefError};
/// let cc = decode_t4t_cc(&[0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x04, 0x00, 0x32, 0x00, 0x00]).unwrap();
/// assert_eq!(cc.ndef_file().unwrap().file_id, 0xE104);
/// assert_eq!(
///     decode_t4t_cc(&[0x00, 0x0F, 0x20]),
///     Err(NdefError::LengthExceedsInput { offset: 0, declared: 15, available: 3 })
/// );
/// ```
#[inline]
pub fn decode_t4t_cc(input: &[u8]) -> Result<CcFile<'_>, NdefError> {
    cc_file(input).map(|(_, cc)| cc).map_err(|e| NdefError::at_entry(e, input.len()))
}

/// `needed` bytes of a fixed field, or [`NdefError::Truncated`] naming it. Errors count bytes
/// left.
#[inline(always)]
fn field<'a>(input: &'a [u8], needed: usize, expected: &'static str) -> IResult<&'a [u8], &'a [u8], NdefError> {
    match input.split_at_checked(needed) {
        Some((bytes, rest)) => Ok((rest, bytes)),
        None => {
            Err(nom::Err::Error(NdefError::Truncated { offset: input.len(), expected, needed, available: input.len() }))
        }
    }
}

/// A big-endian 16-bit field.
#[inline(always)]
fn be16<'a>(input: &'a [u8], expected: &'static str) -> IResult<&'a [u8], u16, NdefError> {
    match input.split_first_chunk::<2>() {
        Some((&b, rest)) => Ok((rest, u16::from_be_bytes(b))),
        None => field(input, 2, expected).map(|_| unreachable!("split_first_chunk failed, so field does")),
    }
}

/// The fixed fields after CCLEN: mapping version, MLe, MLc (5 bytes, within CCLEN).
#[inline]
fn cc_fixed(input: &[u8]) -> IResult<&[u8], (u8, u16, u16), NdefError> {
    let (rest, f) = field(input, 5, "mapping version, MLe and MLc within CCLEN")?;
    Ok((rest, (f[0], u16::from_be_bytes([f[1], f[2]]), u16::from_be_bytes([f[3], f[4]]))))
}

/// The CC TLV combinator: tag, a 1-byte length or `FF` and a 2-byte length, the value; a
/// file control TLV (04, 05: 6 bytes; 06: 8 bytes) read into its fields. Errors count bytes
/// left (the entry points translate them).
#[inline]
fn cc_tlv(input: &[u8]) -> IResult<&[u8], CcTlv<'_>, NdefError> {
    let at = input.len();
    let (rest, head) = field(input, 2, "TLV tag and length")?;
    let (tag, first) = (head[0], head[1]);
    let (rest, len) = if first == 0xFF { be16(rest, "3-byte TLV length")? } else { (rest, u16::from(first)) };
    let len = usize::from(len);
    let Some((value, rest)) = rest.split_at_checked(len) else {
        return Err(nom::Err::Error(NdefError::LengthExceedsInput {
            offset: at,
            declared: len,
            available: rest.len(),
        }));
    };
    let tlv = match tag {
        0x04 | 0x05 => file_control(tag, value, 2, at, "a file control TLV of length 6")?,
        0x06 => file_control(tag, value, 4, at, "an extended file control TLV of length 8")?,
        _ => CcTlv::Other { tag, value },
    };
    Ok((rest, tlv))
}

/// The value of a file control TLV: file ID (2), maximum size (`size_len` bytes), read and
/// write access; anything but exactly those bytes is [`NdefError::Malformed`] at the tag.
#[inline(always)]
fn file_control(
    tag: u8,
    value: &[u8],
    size_len: usize,
    at: usize,
    expected: &'static str,
) -> Result<CcTlv<'static>, nom::Err<NdefError>> {
    if value.len() != 4 + size_len {
        return Err(nom::Err::Error(NdefError::Malformed { offset: at, expected }));
    }
    let max_size = if size_len == 2 {
        u32::from(u16::from_be_bytes([value[2], value[3]]))
    } else {
        u32::from_be_bytes([value[2], value[3], value[4], value[5]])
    };
    Ok(CcTlv::FileControl(FileControl {
        tag,
        file_id: u16::from_be_bytes([value[0], value[1]]),
        max_size,
        read_access: value[2 + size_len],
        write_access: value[3 + size_len],
    }))
}

/// The CC file combinator, top-down as T4T §5.1 lays it out: CCLEN, then within CCLEN the
/// mapping version, MLe, MLc and the TLVs up to CCLEN's end. The remainder is what follows
/// CCLEN. Errors count bytes left (the entry points translate them).
#[inline]
fn cc_file(input: &[u8]) -> IResult<&[u8], CcFile<'_>, NdefError> {
    let (_, cclen) = be16(input, "CCLEN")?;
    let Some((body, after_cclen)) = input.split_at_checked(usize::from(cclen)) else {
        return Err(nom::Err::Error(NdefError::LengthExceedsInput {
            offset: input.len(),
            declared: usize::from(cclen),
            available: input.len(),
        }));
    };
    // Inside CCLEN, offsets are counted in the body; the bytes after it move them back.
    let outside = after_cclen.len();
    let shift = |e: nom::Err<NdefError>| e.map(|e| e.map_offsets(|left| left + outside));
    // CCLEN under 2 leaves no body after it: the fixed fields are missing at offset 2.
    let fixed = body.get(2..).ok_or(nom::Err::Error(NdefError::Truncated {
        offset: input.len() - 2,
        expected: "mapping version, MLe and MLc within CCLEN",
        needed: 5,
        available: 0,
    }))?;
    let (mut rest, (mapping_version, mle, mlc)) = cc_fixed(fixed).map_err(shift)?;
    let mut tlvs = Vec::new();
    let mut tlv_offsets = Vec::new();
    while !rest.is_empty() {
        let pos = body.len() - rest.len();
        let (next, tlv) = cc_tlv(rest).map_err(shift)?;
        tlvs.push(tlv);
        tlv_offsets.push(pos);
        rest = next;
    }
    Ok((after_cclen, CcFile { cclen, mapping_version, mle, mlc, tlvs, tlv_offsets, after_cclen }))
}

/// Parses a CC file at the start of `input` and returns what follows CCLEN (also kept as
/// [`CcFile::after_cclen`]). Errors count from the start of `input`.
///
/// ```
/// use nom::{Parser, combinator::all_consuming};
/// use tapcert_parsers::ndef::{parse_t4t_cc, NdefError};
/// let cc = [0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x04, 0x00, 0x32, 0x00, 0x00];
/// let (rest, parsed) = all_consuming(parse_t4t_cc).parse(&cc[..]).unwrap();
/// assert_eq!((parsed.mle, parsed.ndef_file().unwrap().file_id, rest), (0x3B, 0xE104, &[][..]));
/// assert_eq!(
///     parse_t4t_cc(&cc[..10]),
///     Err(nom::Err::Error(NdefError::LengthExceedsInput { offset: 0, declared: 15, available: 10 }))
/// );
/// ```
pub fn parse_t4t_cc(input: &[u8]) -> IResult<&[u8], CcFile<'_>, NdefError> {
    cc_file(input).map_err(|e| nom::Err::Error(NdefError::at_entry(e, input.len())))
}

/// Parses one TLV of a CC file (tag, 1- or 3-byte length, value; file control TLVs 04, 05 and
/// 06 read into their fields). Errors count from the start of `input`.
///
/// ```
/// use tapcert_parsers::ndef::{parse_t4t_cc_tlv, CcTlv, NdefError};
/// let (_, tlv) = parse_t4t_cc_tlv(&[0x04, 0x06, 0xE1, 0x04, 0x00, 0x32, 0x00, 0xFF]).unwrap();
/// assert!(matches!(tlv, CcTlv::FileControl(fc) if fc.max_size == 0x32 && fc.write_access == 0xFF));
/// assert_eq!(
///     parse_t4t_cc_tlv(&[0x05, 0xFF, 0x00]),
///     Err(nom::Err::Error(NdefError::Truncated { offset: 2, expected: "3-byte TLV length", needed: 2, available: 1 }))
/// );
/// ```
pub fn parse_t4t_cc_tlv(input: &[u8]) -> IResult<&[u8], CcTlv<'_>, NdefError> {
    cc_tlv(input).map_err(|e| nom::Err::Error(NdefError::at_entry(e, input.len())))
}

/// Encodes a CC file; CCLEN is computed from the fields (the stated `cclen` and `after_cclen`
/// are not used).
pub fn encode_t4t_cc(cc: &CcFile<'_>) -> Vec<u8> {
    let mut out = vec![0, 0, cc.mapping_version];
    out.extend_from_slice(&cc.mle.to_be_bytes());
    out.extend_from_slice(&cc.mlc.to_be_bytes());
    for tlv in &cc.tlvs {
        match tlv {
            CcTlv::FileControl(fc) => {
                out.push(fc.tag);
                out.push(if fc.tag == 0x06 { 8 } else { 6 });
                out.extend_from_slice(&fc.file_id.to_be_bytes());
                if fc.tag == 0x06 {
                    out.extend_from_slice(&fc.max_size.to_be_bytes());
                } else {
                    out.extend_from_slice(&(fc.max_size as u16).to_be_bytes());
                }
                out.push(fc.read_access);
                out.push(fc.write_access);
            }
            CcTlv::Other { tag, value } => {
                out.push(*tag);
                if value.len() < 0xFF {
                    out.push(value.len() as u8);
                } else {
                    out.push(0xFF);
                    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
                }
                out.extend_from_slice(value);
            }
        }
    }
    let len = (out.len() as u16).to_be_bytes();
    out[..2].copy_from_slice(&len);
    out
}

/// File IDs the Type 4 Tag specification reserves (not usable for an NDEF file).
const RESERVED_FILE_IDS: [u16; 6] = [0x0000, 0xE102, 0xE103, 0x3F00, 0x3FFF, 0xFFFF];

/// Rules of the Type 4 Tag specification on a CC file, each a warning at the byte offset of the
/// field in the CC file:
///
/// | rule | what |
/// |---|---|
/// | `T4T.CCLEN` | CCLEN is at least 15 |
/// | `T4T.MAPPING-VERSION` | mapping version 1.x, 2.x or 3.x |
/// | `T4T.MLE-MIN` / `T4T.MLC-MIN` | MLe at least 15, MLc at least 1 |
/// | `T4T.NDEF-FILE-CONTROL` | the first TLV is an NDEF file control TLV (06 only from mapping 3.0) |
/// | `T4T.FILE-ID` | the file ID is not reserved (0000, E102, E103, 3F00, 3FFF, FFFF) |
/// | `T4T.MAX-SIZE` | the maximum file size is in range (0005-FFFE; FFFF-FFFFFFFE for 06) |
/// | `T4T.READ-ACCESS` / `T4T.WRITE-ACCESS` | access bytes are not reserved values |
///
/// ```
/// use tapcert_parsers::ndef::{decode_t4t_cc, validate_t4t_cc};
/// let cc = decode_t4t_cc(&[0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x03, 0x00, 0x32, 0x00, 0x00]).unwrap();
/// let f = validate_t4t_cc(&cc);
/// assert_eq!(f.iter().map(|f| (&*f.rule, f.location.offset)).collect::<Vec<_>>(), [("T4T.FILE-ID", Some(9))]);
/// ```
pub fn validate_t4t_cc(cc: &CcFile<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut f = |rule, offset, detail: String| push(&mut |x| out.push(x), rule, offset, detail);
    if cc.cclen < 0x0F {
        f("T4T.CCLEN", 0, format!("CCLEN {} is below 15", cc.cclen));
    }
    if !matches!(cc.mapping_version >> 4, 1..=3) {
        f("T4T.MAPPING-VERSION", 2, format!("mapping version {:02X}: expected 1.x, 2.x or 3.x", cc.mapping_version));
    }
    if cc.mle < 0x000F {
        f("T4T.MLE-MIN", 3, format!("MLe {} is below 15", cc.mle));
    }
    if cc.mlc < 0x0001 {
        f("T4T.MLC-MIN", 5, "MLc is 0".into());
    }
    match cc.tlvs.first() {
        Some(CcTlv::FileControl(fc)) if fc.tag == 0x04 || fc.tag == 0x06 => {
            if fc.tag == 0x06 && cc.mapping_version >> 4 < 3 {
                f("T4T.NDEF-FILE-CONTROL", 7, "extended NDEF file control (06) in a mapping before 3.0".into());
            }
        }
        _ => f("T4T.NDEF-FILE-CONTROL", 7, "the first TLV is not an NDEF file control TLV (04 or 06)".into()),
    }
    for (tlv, &at) in cc.tlvs.iter().zip(&cc.tlv_offsets) {
        let CcTlv::FileControl(fc) = tlv else { continue };
        // Field offsets inside a file control TLV: tag, length, file ID (2), size (2 or 4), access.
        let size_len = if fc.tag == 0x06 { 4 } else { 2 };
        if RESERVED_FILE_IDS.contains(&fc.file_id) {
            f("T4T.FILE-ID", at + 2, format!("file ID {:04X} is reserved", fc.file_id));
        }
        let max_ok = if fc.tag == 0x06 {
            fc.max_size >= 0xFFFF && fc.max_size <= 0xFFFF_FFFE
        } else {
            (0x0005..=0xFFFE).contains(&fc.max_size)
        };
        if !max_ok {
            f("T4T.MAX-SIZE", at + 4, format!("maximum file size {:X} is outside the allowed range", fc.max_size));
        }
        if !(fc.read_access == 0x00 || fc.read_access >= 0x80 && fc.read_access != 0xFF) {
            f("T4T.READ-ACCESS", at + 4 + size_len, format!("read access {:02X} is reserved", fc.read_access));
        }
        if !(fc.write_access == 0x00 || fc.write_access >= 0x80) {
            f("T4T.WRITE-ACCESS", at + 5 + size_len, format!("write access {:02X} is reserved", fc.write_access));
        }
    }
    out
}

/// Decodes an NDEF file (NLEN + message) with the default limits. `Ok(None)` when NLEN is 0
/// (no message). Bytes after NLEN + message are free file space and are not read.
///
/// ```
/// use tapcert_parsers::ndef::{decode_t4t_ndef_file, NdefError};
/// let msg = decode_t4t_ndef_file(&[0x00, 0x03, 0xD0, 0x00, 0x00, 0xFF]).unwrap().unwrap();
/// assert_eq!(msg.records.len(), 1);
/// assert_eq!(
///     decode_t4t_ndef_file(&[0x00, 0x09, 0xD0, 0x00, 0x00]),
///     Err(NdefError::LengthExceedsInput { offset: 0, declared: 9, available: 3 })
/// );
/// ```
pub fn decode_t4t_ndef_file(input: &[u8]) -> Result<Option<NdefMessage<'_>>, NdefError> {
    let head = take(input, 0, 2, "NLEN")?;
    decode_file_body(input, usize::from(u16::from_be_bytes([head[0], head[1]])), 2)
}

/// Decodes an extended NDEF file (mapping 3.0: 4-byte ENLEN + message).
///
/// ```
/// use tapcert_parsers::ndef::decode_t4t_ndef_file_extended;
/// assert_eq!(decode_t4t_ndef_file_extended(&[0, 0, 0, 3, 0xD0, 0, 0]).unwrap().unwrap().records.len(), 1);
/// assert!(decode_t4t_ndef_file_extended(&[0xFF, 0xFF, 0xFF, 0xFF, 0xD0]).is_err());
/// ```
pub fn decode_t4t_ndef_file_extended(input: &[u8]) -> Result<Option<NdefMessage<'_>>, NdefError> {
    let head = take(input, 0, 4, "ENLEN")?;
    decode_file_body(input, u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize, 4)
}

fn decode_file_body(input: &[u8], nlen: usize, at: usize) -> Result<Option<NdefMessage<'_>>, NdefError> {
    if nlen > input.len() - at {
        return Err(NdefError::LengthExceedsInput { offset: 0, declared: nlen, available: input.len() - at });
    }
    if nlen == 0 {
        return Ok(None);
    }
    let body = &input[at..at + nlen];
    let (msg, end) = decode_message_at(body, at, &DecodeOptions::default())?;
    if end < body.len() {
        return Err(NdefError::TrailingData { offset: at + end });
    }
    Ok(Some(msg))
}

/// Encodes an NDEF file: NLEN + message, padded with zeros to `file_size` when given.
/// Panics if the message is over 65535 bytes.
pub fn encode_t4t_ndef_file(message: &[u8], file_size: Option<usize>) -> Vec<u8> {
    let mut out = u16::try_from(message.len()).expect("NDEF message over 65535 bytes").to_be_bytes().to_vec();
    out.extend_from_slice(message);
    if let Some(size) = file_size {
        if size > out.len() {
            out.resize(size, 0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CC: [u8; 15] = [0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x04, 0x00, 0x32, 0x00, 0x00];

    #[test]
    fn cc_round_trip_and_rules() {
        let cc = decode_t4t_cc(&CC).unwrap();
        assert_eq!((cc.mapping_version, cc.mle, cc.mlc), (0x20, 0x3B, 0x34));
        assert_eq!(encode_t4t_cc(&cc), CC);
        assert!(validate_t4t_cc(&cc).is_empty());
        let mut bad = CC;
        bad[9..11].copy_from_slice(&[0xE1, 0x03]);
        bad[14] = 0x10;
        let found: Vec<_> =
            validate_t4t_cc(&decode_t4t_cc(&bad).unwrap()).into_iter().map(|f| (f.rule, f.location.offset)).collect();
        assert_eq!(found, [("T4T.FILE-ID".into(), Some(9)), ("T4T.WRITE-ACCESS".into(), Some(14))]);
    }

    #[test]
    fn extended_control_mapping_3() {
        let bytes =
            [0x00, 0x11, 0x30, 0x00, 0xFF, 0x00, 0xFF, 0x06, 0x08, 0xE1, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00];
        let cc = decode_t4t_cc(&bytes).unwrap();
        assert_eq!(cc.ndef_file().unwrap().max_size, 0x0001_0000);
        assert_eq!(encode_t4t_cc(&cc), bytes);
        assert!(validate_t4t_cc(&cc).is_empty());
    }

    #[test]
    fn bad_cc() {
        let mut short_tlv = CC;
        short_tlv[8] = 0x05;
        assert!(matches!(decode_t4t_cc(&short_tlv), Err(NdefError::Malformed { offset: 7, .. })));
        let mut long_tlv = CC;
        long_tlv[8] = 0x07;
        assert_eq!(
            decode_t4t_cc(&long_tlv),
            Err(NdefError::LengthExceedsInput { offset: 7, declared: 7, available: 6 })
        );
        assert!(matches!(decode_t4t_cc(&[0x00, 0x03, 0x20]), Err(NdefError::Truncated { offset: 2, .. })));
    }

    #[test]
    fn ndef_file_errors_are_absolute() {
        assert_eq!(decode_t4t_ndef_file(&[0x00, 0x00, 0xAA]), Ok(None));
        assert_eq!(
            decode_t4t_ndef_file(&[0x00, 0x04, 0xD0, 0x00, 0x00, 0x00]),
            Err(NdefError::TrailingData { offset: 5 })
        );
        let file = encode_t4t_ndef_file(&[0xD0, 0x00, 0x00], Some(16));
        assert_eq!(file.len(), 16);
        assert_eq!(decode_t4t_ndef_file(&file).unwrap().unwrap().records.len(), 1);
    }
}
