//! `apdu_structured`: command APDUs of every case built from a model (short and extended, Le
//! absent, `00` and `0000`), encoded by the parsers' encoder, then length-aware mutations.
//!
//! The unmutated encoding must parse to exactly the model (Nc, Ne, data, case, length form).
//! Mutations move Lc or Le by one, swap the short and extended forms of a field, drop or add
//! a byte at the end, or truncate: the parser must then answer `Ok` or a typed error with an
//! offset inside the input, and whatever it accepts must re-encode byte for byte.

use arbitrary::{Result, Unstructured};
use tapcert_parsers::apdu::{Cla, CommandApdu, CommandApduBuf, Ins};

/// `apdu_structured`.
pub fn fuzz_apdu_structured(data: &[u8]) {
    let _ = run(data);
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let header: [u8; 4] = u.arbitrary()?;
    let extended = u.ratio(1, 3)?;
    let max_nc = if extended { 1024 } else { 255 };
    let nc = if u.ratio(1, 2)? { 0 } else { u.int_in_range(1..=max_nc)? };
    let payload = u.bytes(nc.min(u.len()))?.to_vec();
    let ne = match u.int_in_range(0u8..=3)? {
        0 => None,
        1 => Some(if extended { 65536 } else { 256 }),
        _ => Some(u.int_in_range(1..=if extended { 65536 } else { 256 })?),
    };
    let mut model = CommandApduBuf::new(Cla(header[0]), Ins(header[1]), header[2], header[3]).with_data(payload);
    if let Some(ne) = ne {
        model = model.with_ne(ne);
    }
    if extended {
        model = model.with_extended();
    }
    let bytes = model.encode().unwrap_or_else(|e| panic!("a model within the limits must encode: {e}"));

    let parsed = CommandApdu::from_bytes(&bytes).unwrap_or_else(|e| panic!("encoder output rejected: {e}"));
    assert_eq!(parsed.data(), model.data.as_slice());
    assert_eq!(parsed.nc(), model.data.len());
    assert_eq!(parsed.ne(), model.ne);
    assert_eq!(parsed.case(), model.case().expect("encodable"));
    assert_eq!(parsed.to_buf().encode().expect("re-encodable"), bytes);

    let mut broken = bytes;
    for _ in 0..u.int_in_range(1u8..=3)? {
        mutate(&mut u, &mut broken)?;
    }
    match CommandApdu::from_bytes(&broken) {
        Ok(apdu) => assert_eq!(apdu.to_vec(), broken, "accepted command does not re-encode byte for byte"),
        Err(e) => {
            let offset = e.offset();
            assert!(offset.is_none_or(|o| o <= broken.len()), "error offset past the input: {e:?}");
        }
    }
    Ok(())
}

fn mutate(u: &mut Unstructured<'_>, b: &mut Vec<u8>) -> Result<()> {
    if b.len() <= 4 {
        b.push(u.arbitrary()?);
        return Ok(());
    }
    match u.int_in_range(0u8..=5)? {
        // Lc (or the first length byte) one more or one less.
        0 => b[4] = if u.ratio(1, 2)? { b[4].wrapping_add(1) } else { b[4].wrapping_sub(1) },
        // The last byte (usually Le) one more or one less, or 00.
        1 => {
            let last = b.len() - 1;
            b[last] = *u.choose(&[b[last].wrapping_add(1), b[last].wrapping_sub(1), 0x00])?;
        }
        // Short <-> extended marker: insert or remove a 00 after the header.
        2 => {
            if b[4] == 0 && b.len() > 5 {
                b.remove(4);
            } else {
                b.insert(4, 0);
            }
        }
        3 => {
            b.pop();
        }
        4 => b.push(u.arbitrary()?),
        _ => {
            let cut = u.int_in_range(4..=b.len())?;
            b.truncate(cut);
        }
    }
    Ok(())
}
