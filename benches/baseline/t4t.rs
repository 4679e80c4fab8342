//! Bench-only baseline: the hand-written T4T CC file parser as it was before the grammar became
//! nom combinators (issue 13), kept so `benches/ndef.rs` can time both in one run. Not a second
//! implementation of anything: nothing outside the benches uses it, and it goes once the
//! figures are recorded.
#![allow(dead_code, missing_docs, clippy::all)]

use tapcert_parsers::ndef::{CcFile, CcTlv, FileControl, NdefError};

fn take<'a>(input: &'a [u8], at: usize, needed: usize, expected: &'static str) -> Result<&'a [u8], NdefError> {
    let available = input.len().saturating_sub(at);
    if available < needed {
        return Err(NdefError::Truncated { offset: at, expected, needed, available });
    }
    Ok(&input[at..at + needed])
}

pub fn decode_t4t_cc(input: &[u8]) -> Result<CcFile<'_>, NdefError> {
    let head = take(input, 0, 2, "CCLEN")?;
    let cclen = u16::from_be_bytes([head[0], head[1]]);
    if usize::from(cclen) > input.len() {
        return Err(NdefError::LengthExceedsInput { offset: 0, declared: usize::from(cclen), available: input.len() });
    }
    let body = &input[..usize::from(cclen)];
    let fixed = take(body, 2, 5, "mapping version, MLe and MLc within CCLEN")?;
    let mut tlvs = Vec::new();
    let mut tlv_offsets = Vec::new();
    let mut pos = 7;
    while pos < body.len() {
        let (tag, value, end) = parse_tlv(body, pos)?;
        let fc = |size_len: usize| -> Result<CcTlv<'_>, NdefError> {
            if value.len() != 4 + size_len {
                return Err(NdefError::Malformed {
                    offset: pos,
                    expected: if size_len == 2 {
                        "a file control TLV of length 6"
                    } else {
                        "an extended file control TLV of length 8"
                    },
                });
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
        };
        tlvs.push(match tag {
            0x04 | 0x05 => fc(2)?,
            0x06 => fc(4)?,
            _ => CcTlv::Other { tag, value },
        });
        tlv_offsets.push(pos);
        pos = end;
    }
    Ok(CcFile {
        cclen,
        mapping_version: fixed[0],
        mle: u16::from_be_bytes([fixed[1], fixed[2]]),
        mlc: u16::from_be_bytes([fixed[3], fixed[4]]),
        tlvs,
        tlv_offsets,
        after_cclen: &input[usize::from(cclen)..],
    })
}

/// One TLV at `pos`: tag, 1-byte length or `FF` + 2-byte length, value.
fn parse_tlv(input: &[u8], pos: usize) -> Result<(u8, &[u8], usize), NdefError> {
    let head = take(input, pos, 2, "TLV tag and length")?;
    let (len, vpos) = if head[1] == 0xFF {
        let l = take(input, pos + 2, 2, "3-byte TLV length")?;
        (usize::from(u16::from_be_bytes([l[0], l[1]])), pos + 4)
    } else {
        (usize::from(head[1]), pos + 2)
    };
    if len > input.len() - vpos {
        return Err(NdefError::LengthExceedsInput { offset: pos, declared: len, available: input.len() - vpos });
    }
    Ok((head[0], &input[vpos..vpos + len], vpos + len))
}
