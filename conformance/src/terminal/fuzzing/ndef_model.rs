//! `ndef_structured`: NDEF messages built from a model (every TNF, short and long payloads, IDs,
//! chunked records), encoded by the parsers' encoder, then header-aware mutations.
//!
//! The unmutated encoding must decode to exactly the model's records (chunks reassembled).
//! Mutations flip a header flag (MB, ME, CF, SR, IL), change the TNF, move a length by one, or
//! truncate: the decoder must then answer `Ok` or a typed error with an offset inside the input.

use arbitrary::{Result, Unstructured};
use tapcert_parsers::ndef::{
    NdefRecord, RawRecordIter, Tnf, decode_ndef_message, encode_ndef_message, encode_ndef_message_chunked,
};

const TYPES: &[&[u8]] = &[b"U", b"T", b"Sp", b"Hs", b"text/plain", b"android.com:pkg", b"https://example.com/t"];

/// `ndef_structured`.
pub fn fuzz_ndef_structured(data: &[u8]) {
    let _ = run(data);
}

fn arbitrary_record(u: &mut Unstructured<'_>) -> Result<NdefRecord<'static>> {
    // TNF 0 (empty) has no type, ID or payload; 5 (unknown) has no type; 1-4 need a type.
    let tnf = *u.choose(&[0u8, 1, 2, 3, 4, 5])?;
    if tnf == 0 {
        return Ok(NdefRecord::empty());
    }
    let record_type: Vec<u8> = match tnf {
        5 => Vec::new(),
        _ if u.ratio(1, 2)? => u.choose(TYPES)?.to_vec(),
        _ => {
            let n = u.int_in_range(1..=16)?;
            u.bytes(n)?.to_vec()
        }
    };
    if tnf != 5 && record_type.is_empty() {
        return Err(arbitrary::Error::NotEnoughData);
    }
    let id_len = if u.ratio(1, 4)? { u.int_in_range(1..=8)? } else { 0 };
    let id = u.bytes(id_len)?.to_vec();
    let n = if u.ratio(1, 6)? { u.int_in_range(256..=600)? } else { u.int_in_range(0..=64)? };
    let payload = u.bytes(n.min(u.len()))?.to_vec();
    Ok(NdefRecord::new(Tnf(tnf), record_type, id, payload))
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let count = u.int_in_range(1..=4)?;
    let mut records = Vec::with_capacity(count);
    for _ in 0..count {
        records.push(arbitrary_record(&mut u)?);
    }
    // An empty record (TNF 0) alone makes the empty message; mixed with others it is legal too.
    let chunk = if u.ratio(1, 4)? { Some(u.int_in_range(1..=40)?) } else { None };
    let bytes = match chunk {
        Some(size) => encode_ndef_message_chunked(&records, size),
        None => encode_ndef_message(&records),
    };

    let msg = decode_ndef_message(&bytes).unwrap_or_else(|e| panic!("encoder output rejected: {e}"));
    assert_eq!(msg.records.len(), records.len(), "record count differs");
    for (got, want) in msg.records.iter().zip(&records) {
        assert_eq!(
            (got.tnf, &got.record_type, &got.id, &got.payload),
            (want.tnf, &want.record_type, &want.id, &want.payload)
        );
    }

    let mut broken = bytes;
    for _ in 0..u.int_in_range(1u8..=3)? {
        mutate(&mut u, &mut broken)?;
    }
    if let Err(e) = decode_ndef_message(&broken) {
        assert!(e.offset() <= broken.len(), "error offset past the input: {e:?}");
    }
    Ok(())
}

fn mutate(u: &mut Unstructured<'_>, b: &mut Vec<u8>) -> Result<()> {
    // Header offsets of the records that parse.
    let mut headers = Vec::new();
    {
        let mut it = RawRecordIter::new(b);
        let mut pos = 0;
        while let Some(Ok(_)) = it.next() {
            headers.push(pos);
            pos = it.position();
        }
    }
    if headers.is_empty() || b.is_empty() {
        return Ok(());
    }
    let h = headers[u.choose_index(headers.len())?];
    match u.int_in_range(0u8..=4)? {
        0 => b[h] ^= *u.choose(&[0x80u8, 0x40, 0x20, 0x10, 0x08])?,
        1 => b[h] = (b[h] & !0x07) | u.int_in_range(0u8..=7)?,
        2 => {
            // Type length, or the first payload-length byte, one more or one less.
            let at = (h + u.int_in_range(1..=2)?).min(b.len() - 1);
            b[at] = if u.ratio(1, 2)? { b[at].wrapping_add(1) } else { b[at].wrapping_sub(1) };
        }
        3 => {
            let cut = u.int_in_range(0..=b.len())?;
            b.truncate(cut);
        }
        _ => b.push(u.arbitrary()?),
    }
    Ok(())
}
