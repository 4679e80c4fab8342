//! Bench-only baseline: the hand-written NDEF message decoder as it was before the grammar
//! became nom combinators (issue 13), kept so `benches/ndef.rs` can time both in one run.
#![allow(dead_code, missing_docs, clippy::all)]

use std::borrow::Cow;

use tapcert_parsers::ndef::{DecodeOptions, NdefError, NdefMessage, NdefRecord, RawRecord, RecordFlags, Tnf};

/// Reads `needed` bytes at `at` of `input` or fails with [`NdefError::Truncated`].
pub fn take<'a>(input: &'a [u8], at: usize, needed: usize, expected: &'static str) -> Result<&'a [u8], NdefError> {
    let available = input.len().saturating_sub(at);
    if available < needed {
        return Err(NdefError::Truncated { offset: at, expected, needed, available });
    }
    Ok(&input[at..at + needed])
}
/// Parses one wire record at `at` of `input`; offsets in the result and errors are `base + `
/// position in `input`. Returns the record and the position after it.
pub fn parse_raw_at(input: &[u8], at: usize, base: usize) -> Result<(RawRecord<'_>, usize), NdefError> {
    let header = take(input, at, 2, "record header and TYPE_LENGTH").map_err(|e| e.shifted(base))?;
    let flags = RecordFlags::from_header(header[0]);
    let tnf = Tnf(header[0] & 0x07);
    let type_len = usize::from(header[1]);
    let mut pos = at + 2;
    let payload_len = if flags.sr {
        let b = take(input, pos, 1, "PAYLOAD_LENGTH (SR)").map_err(|e| e.shifted(base))?;
        pos += 1;
        usize::from(b[0])
    } else {
        let b = take(input, pos, 4, "PAYLOAD_LENGTH (4 bytes, big-endian)").map_err(|e| e.shifted(base))?;
        pos += 4;
        // u32 always fits: tapcert targets 32- and 64-bit platforms.
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
    };
    let id_len = if flags.il {
        let b = take(input, pos, 1, "ID_LENGTH").map_err(|e| e.shifted(base))?;
        pos += 1;
        usize::from(b[0])
    } else {
        0
    };
    // Checked before any slicing or allocation: a 4 GiB PAYLOAD_LENGTH on a short input stops here.
    let declared = type_len + id_len + payload_len;
    let available = input.len() - pos;
    if declared > available {
        return Err(NdefError::LengthExceedsInput { offset: base + at, declared, available });
    }
    let record_type = &input[pos..pos + type_len];
    pos += type_len;
    let id = &input[pos..pos + id_len];
    pos += id_len;
    let payload = &input[pos..pos + payload_len];
    pos += payload_len;
    Ok((RawRecord { flags, tnf, record_type, id, payload, offset: base + at }, pos))
}

/// Decodes the message at the start of `input`; returns it and the position after the record
/// with ME (or the end of input). Offsets are `base + position`.
pub fn decode_message_at<'a>(
    input: &'a [u8],
    base: usize,
    opts: &DecodeOptions,
) -> Result<(NdefMessage<'a>, usize), NdefError> {
    // The first push would allocate room for 4 records anyway; doing it here skips the
    // growth path. A record takes at least 3 bytes, so the input always justifies this.
    let mut records = Vec::with_capacity((input.len() / 3).min(4));
    let mut pos = 0;
    while pos < input.len() {
        let (first, next) = parse_raw_at(input, pos, base)?;
        pos = next;
        let (record, me) = if first.flags.cf {
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
                    return Err(NdefError::ReassemblyLimit {
                        offset: first.offset,
                        size: total,
                        limit: opts.max_record_size,
                    });
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
            let mut rec = NdefRecord::from_raw(&first);
            rec.payload = Cow::Owned(payload);
            rec.chunks = count;
            (rec, me)
        } else {
            if first.payload.len() > opts.max_record_size {
                return Err(NdefError::ReassemblyLimit {
                    offset: first.offset,
                    size: first.payload.len(),
                    limit: opts.max_record_size,
                });
            }
            (NdefRecord::from_raw(&first), first.flags.me)
        };
        records.push(record);
        if me {
            break;
        }
    }
    Ok((NdefMessage { records }, pos))
}

pub fn decode_ndef_message_with<'a>(input: &'a [u8], opts: &DecodeOptions) -> Result<NdefMessage<'a>, NdefError> {
    let (msg, end) = decode_message_at(input, 0, opts)?;
    if end < input.len() {
        return Err(NdefError::TrailingData { offset: end });
    }
    Ok(msg)
}
