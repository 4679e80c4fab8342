//! The answer-to-reset itself (ISO/IEC 7816-3 §8.2): TS, T0, the interface-byte groups, the
//! historical bytes and TCK.
//!
//! ```text
//! TS  T0=Y1|K  [TA1 TB1 TC1 TD1=Y2|T] [TA2 TB2 TC2 TD2=Y3|T] ... T1..TK  [TCK]
//! ```
//!
//! Yi (high nibble) says which of TAi/TBi/TCi/TDi follow (bits 1, 2, 4, 8); the low nibble of
//! TDi is the protocol the next group belongs to. TCK is present iff a TDi indicates a protocol
//! other than T=0 (T=15 included), and makes the XOR of T0..TCK zero.

use nom::IResult;

use super::AtrError;
use super::error::AtrByte;

/// The coding convention announced by TS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Convention {
    /// TS = `3B`.
    Direct,
    /// TS = `3F` (as seen after a reader has converted the bytes).
    Inverse,
}

impl Convention {
    /// The TS byte.
    pub fn ts(self) -> u8 {
        match self {
            Convention::Direct => 0x3B,
            Convention::Inverse => 0x3F,
        }
    }
}

/// One group i of interface bytes: TAi, TBi, TCi and the protocol of TDi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InterfaceGroup {
    /// TAi.
    pub ta: Option<u8>,
    /// TBi.
    pub tb: Option<u8>,
    /// TCi.
    pub tc: Option<u8>,
    /// The protocol T (0-15) in the low nibble of TDi. Present exactly when group i+1 exists:
    /// the high nibble of TDi is implied by which bytes that group has.
    pub td: Option<u8>,
}

impl InterfaceGroup {
    fn presence(&self, has_td: bool) -> u8 {
        u8::from(self.ta.is_some())
            | u8::from(self.tb.is_some()) << 1
            | u8::from(self.tc.is_some()) << 2
            | u8::from(has_td) << 3
    }
}

/// A parsed ATR, borrowing its historical bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atr<'a> {
    /// TS.
    pub convention: Convention,
    /// Interface groups; `groups[0]` is group 1 (TA1..TD1), and there is always at least one
    /// (possibly empty) group.
    pub groups: Vec<InterfaceGroup>,
    /// T1..TK.
    pub historical: &'a [u8],
    /// TCK as received (or as computed by [`Atr::new`]); `None` when not required.
    pub tck: Option<u8>,
}

fn xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// One byte of the ATR, or [`AtrError::Truncated`] naming it. Errors count bytes left.
#[inline(always)]
fn atr_byte(input: &[u8], expected: AtrByte) -> IResult<&[u8], u8, AtrError> {
    match input.split_first() {
        Some((&b, rest)) => Ok((rest, b)),
        None => Err(nom::Err::Error(AtrError::Truncated { offset: 0, expected })),
    }
}

/// TAi/TBi/TCi/TDi when bit `bit` of Yi says it is present.
#[inline(always)]
fn present(input: &[u8], y: u8, bit: u8, expected: AtrByte) -> IResult<&[u8], Option<u8>, AtrError> {
    if y & bit == 0 {
        return Ok((input, None));
    }
    let (rest, b) = atr_byte(input, expected)?;
    Ok((rest, Some(b)))
}

/// The TS combinator: the coding convention. Errors count bytes left.
#[inline]
fn ts(input: &[u8]) -> IResult<&[u8], Convention, AtrError> {
    let at = input.len();
    let (rest, b) = atr_byte(input, AtrByte::Ts)?;
    match b {
        0x3B => Ok((rest, Convention::Direct)),
        0x3F => Ok((rest, Convention::Inverse)),
        found => Err(nom::Err::Error(AtrError::BadTs { offset: at, found })),
    }
}

/// The interface-byte groups combinator: group 1 as Y1 (the high nibble of T0) announces it,
/// then one more group per TDi, each as the high nibble of that TDi announces it. Errors count
/// bytes left.
#[inline]
fn interface_groups(y1: u8) -> impl Fn(&[u8]) -> IResult<&[u8], Vec<InterfaceGroup>, AtrError> {
    move |mut input: &[u8]| {
        let mut y = y1;
        let mut groups = Vec::new();
        // Each further group needs a TD byte, so the loop runs at most input.len() times and
        // the vector never outgrows the input.
        loop {
            let i = groups.len() + 1;
            let (rest, ta) = present(input, y, 0x1, AtrByte::Ta(i))?;
            let (rest, tb) = present(rest, y, 0x2, AtrByte::Tb(i))?;
            let (rest, tc) = present(rest, y, 0x4, AtrByte::Tc(i))?;
            let (rest, td) = present(rest, y, 0x8, AtrByte::Td(i))?;
            input = rest;
            groups.push(InterfaceGroup { ta, tb, tc, td: td.map(|b| b & 0x0F) });
            match td {
                Some(b) => y = b >> 4,
                None => return Ok((input, groups)),
            }
        }
    }
}

/// The historical bytes combinator: K bytes. Errors count bytes left.
#[inline]
fn historical(k: usize) -> impl Fn(&[u8]) -> IResult<&[u8], &[u8], AtrError> {
    move |input: &[u8]| match input.split_at_checked(k) {
        Some((bytes, rest)) => Ok((rest, bytes)),
        None => Err(nom::Err::Error(AtrError::HistoricalTruncated {
            offset: input.len(),
            declared: k,
            available: input.len(),
        })),
    }
}

/// The ATR combinator, top-down as §8.2 lays it out: TS, T0, the interface bytes, the
/// historical bytes, then TCK when a TDi requires it (checked against the XOR of T0 up to
/// it). Errors count bytes left (the entry points translate them, [`AtrError::at_entry`]).
#[inline]
fn atr(input: &[u8]) -> IResult<&[u8], Atr<'_>, AtrError> {
    let (rest, convention) = ts(input)?;
    let (rest, t0) = atr_byte(rest, AtrByte::T0)?;
    let (rest, groups) = interface_groups(t0 >> 4)(rest)?;
    let (rest, historical) = historical(usize::from(t0 & 0x0F))(rest)?;
    let mut atr = Atr { convention, groups, historical, tck: None };
    if !atr.tck_required() {
        return Ok((rest, atr));
    }
    let at = rest.len();
    let (rest, stated) = atr_byte(rest, AtrByte::Tck)?;
    let computed = xor(&input[1..input.len() - at]);
    if stated != computed {
        return Err(nom::Err::Error(AtrError::BadTck { offset: at, stated, computed }));
    }
    atr.tck = Some(stated);
    Ok((rest, atr))
}

/// Parses an ATR at the start of `input` and returns the remainder.
///
/// ```
/// use tapcert_parsers::atr::{parse_atr, AtrError};
/// // MIFARE Classic 1K through a PC/SC reader (pcsc-tools smartcard_list.txt)
/// let bytes = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01,
///              0x00, 0x00, 0x00, 0x00, 0x6A];
/// let (rest, atr) = parse_atr(&bytes).unwrap();
/// assert!(rest.is_empty());
/// assert_eq!((atr.protocols(), atr.historical.len(), atr.tck), (vec![0, 1], 15, Some(0x6A)));
/// let mut bad = bytes;
/// bad[19] = 0x6B;
/// assert_eq!(parse_atr(&bad), Err(nom::Err::Error(AtrError::BadTck { offset: 19, stated: 0x6B, computed: 0x6A })));
/// ```
pub fn parse_atr(input: &[u8]) -> nom::IResult<&[u8], Atr<'_>, AtrError> {
    atr(input).map_err(|e| nom::Err::Error(AtrError::at_entry(e, input.len())))
}

/// Parses TS, the initial character: the coding convention.
///
/// ```
/// use tapcert_parsers::atr::{parse_atr_ts, AtrError, Convention};
/// assert_eq!(parse_atr_ts(&[0x3B, 0x00]), Ok((&[0x00][..], Convention::Direct)));
/// assert_eq!(parse_atr_ts(&[0x12]), Err(nom::Err::Error(AtrError::BadTs { offset: 0, found: 0x12 })));
/// ```
pub fn parse_atr_ts(input: &[u8]) -> nom::IResult<&[u8], Convention, AtrError> {
    ts(input).map_err(|e| nom::Err::Error(AtrError::at_entry(e, input.len())))
}

/// A parser of the interface-byte groups that T0 announces: group 1 as the high nibble of
/// `t0` says, then one group per TDi. Offsets count from the first interface byte.
///
/// ```
/// use nom::{Parser, number::complete::be_u8};
/// use tapcert_parsers::atr::{parse_atr_interface_groups, AtrByte, AtrError};
/// // T0 = 80: TD1 follows; TD1 = 31: TA2 and TB2 follow, T=1.
/// let (rest, groups) = parse_atr_interface_groups(0x80).parse(&[0x31, 0x96, 0x00, 0xAA][..]).unwrap();
/// assert_eq!((groups.len(), groups[0].td, groups[1].ta, rest), (2, Some(1), Some(0x96), &[0xAA][..]));
/// assert_eq!(
///     parse_atr_interface_groups(0x80).parse(&[0x31, 0x96][..]),
///     Err(nom::Err::Error(AtrError::Truncated { offset: 2, expected: AtrByte::Tb(2) }))
/// );
/// ```
pub fn parse_atr_interface_groups(t0: u8) -> impl Fn(&[u8]) -> nom::IResult<&[u8], Vec<InterfaceGroup>, AtrError> {
    let groups = interface_groups(t0 >> 4);
    move |input: &[u8]| groups(input).map_err(|e| nom::Err::Error(AtrError::at_entry(e, input.len())))
}

/// Parses a whole ATR; bytes after it are an error.
pub fn decode_atr(input: &[u8]) -> Result<Atr<'_>, AtrError> {
    Atr::from_bytes(input)
}

impl<'a> Atr<'a> {
    /// Parses a whole ATR; bytes after it (after TCK, or after the historical bytes when no
    /// TCK is required) are [`AtrError::TrailingData`].
    ///
    /// ```
    /// use tapcert_parsers::atr::{Atr, AtrError};
    /// // Schlumberger Multiflex 3k (smartcard_list.txt): T=0 only, so no TCK
    /// let atr = Atr::from_bytes(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
    /// assert_eq!((atr.protocols(), atr.historical, atr.tck), (vec![0], &[0x14, 0x50][..], None));
    /// assert_eq!(Atr::from_bytes(&[0x3B, 0x02, 0x14, 0x50, 0x00]), Err(AtrError::TrailingData { offset: 4 }));
    /// ```
    #[inline]
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, AtrError> {
        let (rest, atr) = atr(input).map_err(|e| AtrError::at_entry(e, input.len()))?;
        let used = input.len() - rest.len();
        if used < input.len() {
            return Err(AtrError::TrailingData { offset: used });
        }
        Ok(atr)
    }

    /// Builds an ATR from its parts, filling in TCK when it is required. An empty group list
    /// stands for one empty group 1 (T0 announcing no interface bytes).
    pub fn new(convention: Convention, groups: Vec<InterfaceGroup>, historical: &'a [u8]) -> Result<Self, AtrError> {
        let groups = if groups.is_empty() { vec![InterfaceGroup::default()] } else { groups };
        let mut atr = Atr { convention, groups, historical, tck: None };
        let bytes = atr.encode_body()?;
        if atr.tck_required() {
            atr.tck = Some(xor(&bytes[1..]));
        }
        Ok(atr)
    }

    /// True when some TDi indicates a protocol other than T=0: TCK must then be present.
    pub fn tck_required(&self) -> bool {
        self.groups.iter().any(|g| g.td.is_some_and(|t| t != 0))
    }

    /// The protocols offered, in the order first indicated, T=15 (global bytes) excluded.
    /// Without TD1 the only offer is T=0.
    pub fn protocols(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for t in self.groups.iter().filter_map(|g| g.td) {
            if t != 15 && !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            out.push(0);
        }
        out
    }

    /// True when a TDi indicates T=15 (global interface bytes follow).
    pub fn has_global_t15(&self) -> bool {
        self.groups.iter().any(|g| g.td == Some(15))
    }

    /// Group i (1-based), if present.
    pub fn group(&self, i: usize) -> Option<&InterfaceGroup> {
        i.checked_sub(1).and_then(|j| self.groups.get(j))
    }

    /// T0: Y1 (which of TA1-TD1 follow) in the high nibble, K (the number of historical bytes)
    /// in the low one.
    pub fn t0(&self) -> u8 {
        let y1 = self.groups.first().map_or(0, |g| g.presence(g.td.is_some()));
        y1 << 4 | (self.historical.len() as u8 & 0x0F)
    }

    /// The whole TDi byte of group `i` (1-based): Y(i+1), which bytes group i+1 holds, in the
    /// high nibble, the protocol in the low one. `None` when group i has no TD.
    pub fn td_byte(&self, i: usize) -> Option<u8> {
        let t = self.group(i)?.td?;
        let next = self.group(i + 1)?;
        Some(next.presence(next.td.is_some()) << 4 | t)
    }

    /// Byte offset of the first historical byte: after TS, T0 and the interface bytes.
    ///
    /// ```
    /// use tapcert_parsers::atr::Atr;
    /// // 3B 8F 80 01 | 80 4F 0C ...: TD1 and TD2, then the historical bytes at offset 4.
    /// let bytes = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A];
    /// let atr = Atr::from_bytes(&bytes).unwrap();
    /// assert_eq!((atr.t0(), atr.td_byte(1), atr.historical_offset()), (0x8F, Some(0x80), 4));
    /// ```
    pub fn historical_offset(&self) -> usize {
        let interface: usize = self
            .groups
            .iter()
            .map(|g| {
                usize::from(g.ta.is_some())
                    + usize::from(g.tb.is_some())
                    + usize::from(g.tc.is_some())
                    + usize::from(g.td.is_some())
            })
            .sum();
        2 + interface
    }

    /// The bytes before TCK: TS, T0, interface bytes, historical bytes.
    fn encode_body(&self) -> Result<Vec<u8>, AtrError> {
        let k = self.historical.len();
        if k > 15 {
            return Err(AtrError::HistoricalTooLong { len: k });
        }
        let last = self.groups.len().saturating_sub(1);
        for (j, g) in self.groups.iter().enumerate() {
            let ok = match g.td {
                Some(t) => j < last && t <= 15,
                None => j == last,
            };
            if !ok {
                return Err(AtrError::GroupChain { index: j + 1 });
            }
        }
        let mut out = Vec::with_capacity(2 + 4 * self.groups.len() + k + 1);
        out.push(self.convention.ts());
        out.push(self.t0());
        for (j, g) in self.groups.iter().enumerate() {
            out.extend(g.ta);
            out.extend(g.tb);
            out.extend(g.tc);
            out.extend(self.td_byte(j + 1));
        }
        out.extend_from_slice(self.historical);
        Ok(out)
    }

    /// Appends the ATR; TCK is computed, so a parsed ATR re-encodes byte for byte.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), AtrError> {
        let body = self.encode_body()?;
        out.extend_from_slice(&body);
        if self.tck_required() {
            out.push(xor(&body[1..]));
        }
        Ok(())
    }

    /// The ATR's bytes.
    pub fn to_vec(&self) -> Result<Vec<u8>, AtrError> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }
}

/// Encodes an ATR (TCK computed when required).
pub fn encode_atr(atr: &Atr<'_>) -> Result<Vec<u8>, AtrError> {
    atr.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncations_name_the_byte() {
        assert_eq!(Atr::from_bytes(&[]), Err(AtrError::Truncated { offset: 0, expected: AtrByte::Ts }));
        assert_eq!(Atr::from_bytes(&[0x3B]), Err(AtrError::Truncated { offset: 1, expected: AtrByte::T0 }));
        assert_eq!(Atr::from_bytes(&[0x3B, 0x80]), Err(AtrError::Truncated { offset: 2, expected: AtrByte::Td(1) }));
        assert_eq!(
            Atr::from_bytes(&[0x3B, 0x80, 0x31]),
            Err(AtrError::Truncated { offset: 3, expected: AtrByte::Ta(2) })
        );
        // TD1 = 01 (T=1): TCK required
        assert_eq!(
            Atr::from_bytes(&[0x3B, 0x80, 0x01]),
            Err(AtrError::Truncated { offset: 3, expected: AtrByte::Tck })
        );
        assert_eq!(Atr::from_bytes(&[0x12]), Err(AtrError::BadTs { offset: 0, found: 0x12 }));
        assert_eq!(
            Atr::from_bytes(&[0x3B, 0x03, 0x01]),
            Err(AtrError::HistoricalTruncated { offset: 2, declared: 3, available: 1 })
        );
    }

    #[test]
    fn t15_requires_tck_and_is_not_a_protocol() {
        // TD1 = 80 (T=0, TD2 follows), TD2 = 1F (T=15, TA3 follows), TA3 = 41
        let body = [0x3B, 0x80, 0x80, 0x1F, 0x41];
        let tck = xor(&body[1..]);
        let mut bytes = body.to_vec();
        bytes.push(tck);
        let atr = Atr::from_bytes(&bytes).unwrap();
        assert_eq!((atr.protocols(), atr.has_global_t15(), atr.tck), (vec![0], true, Some(tck)));
        assert_eq!(atr.to_vec().unwrap(), bytes);
    }

    #[test]
    fn new_rejects_broken_group_chain() {
        let g = InterfaceGroup { td: Some(1), ..Default::default() };
        assert_eq!(Atr::new(Convention::Direct, vec![g], &[]), Err(AtrError::GroupChain { index: 1 }));
        let open = InterfaceGroup::default();
        assert_eq!(Atr::new(Convention::Direct, vec![open, open], &[]), Err(AtrError::GroupChain { index: 1 }));
        assert_eq!(Atr::new(Convention::Direct, vec![open], &[0; 16]), Err(AtrError::HistoricalTooLong { len: 16 }));
    }
}
