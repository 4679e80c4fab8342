//! Bench-only baseline: the hand-written ATR parser as it was before the grammar became nom
//! combinators (issue 13), kept so `benches/parse.rs` can time both in one run. Not a second
//! implementation of anything: nothing outside the benches uses it, and it goes once the
//! figures are recorded.
#![allow(dead_code, missing_docs, clippy::all)]

use tapcert_parsers::atr::{Atr, AtrByte, AtrError, Convention, InterfaceGroup};

fn xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

pub fn parse(input: &[u8]) -> Result<(Atr<'_>, usize), AtrError> {
    let byte =
        |offset: usize, expected: AtrByte| input.get(offset).copied().ok_or(AtrError::Truncated { offset, expected });
    let convention = match byte(0, AtrByte::Ts)? {
        0x3B => Convention::Direct,
        0x3F => Convention::Inverse,
        found => return Err(AtrError::BadTs { offset: 0, found }),
    };
    let t0 = byte(1, AtrByte::T0)?;
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut pos = 2;
    let mut groups = Vec::new();
    // Each further group needs a TD byte, so the loop runs at most input.len() times and the
    // vector never outgrows the input.
    loop {
        let i = groups.len() + 1;
        let mut group = InterfaceGroup::default();
        let mut take = |bit: u8, expected: AtrByte| -> Result<Option<u8>, AtrError> {
            if y & bit == 0 {
                return Ok(None);
            }
            let b = byte(pos, expected)?;
            pos += 1;
            Ok(Some(b))
        };
        group.ta = take(0x1, AtrByte::Ta(i))?;
        group.tb = take(0x2, AtrByte::Tb(i))?;
        group.tc = take(0x4, AtrByte::Tc(i))?;
        let td = take(0x8, AtrByte::Td(i))?;
        group.td = td.map(|b| b & 0x0F);
        groups.push(group);
        match td {
            Some(b) => y = b >> 4,
            None => break,
        }
    }
    let available = input.len() - pos;
    if available < k {
        return Err(AtrError::HistoricalTruncated { offset: pos, declared: k, available });
    }
    let historical = &input[pos..pos + k];
    pos += k;
    let mut atr = Atr { convention, groups, historical, tck: None };
    if atr.tck_required() {
        let stated = byte(pos, AtrByte::Tck)?;
        let computed = xor(&input[1..pos]);
        if stated != computed {
            return Err(AtrError::BadTck { offset: pos, stated, computed });
        }
        atr.tck = Some(stated);
        pos += 1;
    }
    Ok((atr, pos))
}
