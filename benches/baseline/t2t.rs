//! Bench-only baseline: the hand-written T2T TLV block walk as it was before the grammar became
//! nom combinators (issue 13), kept so `benches/ndef.rs` can time both in one run. Not a second
//! implementation of anything: nothing outside the benches uses it, and it goes once the
//! figures are recorded.
#![allow(dead_code, missing_docs, clippy::all)]

use tapcert_parsers::ndef::{NdefError, T2tTlv, T2tTlvArea, T2tTlvType};

fn take<'a>(input: &'a [u8], at: usize, needed: usize, expected: &'static str) -> Result<&'a [u8], NdefError> {
    let available = input.len().saturating_sub(at);
    if available < needed {
        return Err(NdefError::Truncated { offset: at, expected, needed, available });
    }
    Ok(&input[at..at + needed])
}

pub fn decode_t2t_tlvs(area: &[u8], base: usize) -> Result<T2tTlvArea<'_>, NdefError> {
    let mut it = T2tTlvIter::new(area, base);
    let tlvs = it.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok(T2tTlvArea { tlvs, terminated: it.terminated(), after_terminator: it.after_terminator() })
}

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

    fn read(&mut self) -> Result<T2tTlv<'a>, NdefError> {
        let (area, pos, base) = (self.area, self.pos, self.base);
        let tlv_type = T2tTlvType(area[pos]);
        let offset = base + pos;
        match tlv_type {
            T2tTlvType::NULL => {
                self.pos = pos + 1;
                Ok(T2tTlv { tlv_type, offset, long_length: false, value: &[] })
            }
            T2tTlvType::TERMINATOR => {
                self.pos = pos + 1;
                self.terminated = true;
                self.done = true;
                Ok(T2tTlv { tlv_type, offset, long_length: false, value: &[] })
            }
            _ => {
                let first = take(area, pos + 1, 1, "TLV length").map_err(|e| e.shifted(base))?[0];
                let (len, vpos, long_length) = if first == 0xFF {
                    let l = take(area, pos + 2, 2, "3-byte TLV length").map_err(|e| e.shifted(base))?;
                    (usize::from(u16::from_be_bytes([l[0], l[1]])), pos + 4, true)
                } else {
                    (usize::from(first), pos + 2, false)
                };
                if len > area.len() - vpos {
                    return Err(NdefError::LengthExceedsInput { offset, declared: len, available: area.len() - vpos });
                }
                self.pos = vpos + len;
                Ok(T2tTlv { tlv_type, offset, long_length, value: &area[vpos..vpos + len] })
            }
        }
    }
}

impl<'a> Iterator for T2tTlvIter<'a> {
    type Item = Result<T2tTlv<'a>, NdefError>;

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
