//! Command APDUs (ISO/IEC 7816-4 §5.1).
//!
//! ```text
//! case  body after CLA INS P1 P2          Nc          Ne
//! 1     (empty)                           0           none
//! 2S    Le                                0           Le, 00 = 256
//! 3S    Lc data                           Lc 01-FF    none
//! 4S    Lc data Le                        Lc 01-FF    Le, 00 = 256
//! 2E    00 Le1 Le2                        0           Le1Le2, 0000 = 65536
//! 3E    00 Lc1 Lc2 data                   0001-FFFF   none
//! 4E    00 Lc1 Lc2 data Le1 Le2           0001-FFFF   Le1Le2, 0000 = 65536
//! ```
//!
//! A short Lc is never `00`: a first body byte of `00` followed by more bytes starts an
//! extended length field. With an extended Lc, Le is 2 bytes (no leading `00`); without Lc,
//! an extended Le is 3 bytes (`00` + 2). Short and extended fields never mix.
//!
//! An APDU is framed by its transport (T=0/T=1 block, PC/SC `SCardTransmit` buffer, NFC
//! frame), so [`CommandApdu::from_bytes`] is the usual entry point. [`parse_apdu_command`]
//! reads the body as its first byte announces it (Lc, then data, then Le if bytes remain)
//! and returns what follows.

use core::fmt;

use nom::bytes::complete::take;
use nom::combinator::opt;
use nom::number::complete::{be_u8, be_u16};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::ApduError;
use super::class::Cla;
use super::ins::Ins;

/// The ISO/IEC 7816-4 command case: which of Lc/data and Le are present, and in which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// No data, no Le.
    Case1,
    /// Short Le only.
    Case2S,
    /// Short Lc and data.
    Case3S,
    /// Short Lc, data and short Le.
    Case4S,
    /// Extended Le only (3 bytes).
    Case2E,
    /// Extended Lc (3 bytes) and data.
    Case3E,
    /// Extended Lc, data and extended Le (2 bytes).
    Case4E,
}

impl Case {
    /// The case as ISO/IEC 7816-3 names it: `1`, `2S`, `3S`, `4S`, `2E`, `3E`, `4E`.
    pub fn as_str(self) -> &'static str {
        match self {
            Case::Case1 => "1",
            Case::Case2S => "2S",
            Case::Case3S => "3S",
            Case::Case4S => "4S",
            Case::Case2E => "2E",
            Case::Case3E => "3E",
            Case::Case4E => "4E",
        }
    }

    /// True for the extended-length cases.
    pub fn is_extended(self) -> bool {
        matches!(self, Case::Case2E | Case::Case3E | Case::Case4E)
    }

    /// True when the command carries Lc and data.
    pub fn has_data(self) -> bool {
        matches!(self, Case::Case3S | Case::Case4S | Case::Case3E | Case::Case4E)
    }

    /// True when the command carries Le.
    pub fn has_le(self) -> bool {
        matches!(self, Case::Case2S | Case::Case4S | Case::Case2E | Case::Case4E)
    }

    /// The length form, when the command has a body.
    pub fn form(self) -> Option<LengthForm> {
        match self {
            Case::Case1 => None,
            c if c.is_extended() => Some(LengthForm::Extended),
            _ => Some(LengthForm::Short),
        }
    }

    fn from_parts(has_data: bool, has_le: bool, extended: bool) -> Case {
        match (has_data, has_le, extended) {
            (false, false, _) => Case::Case1,
            (false, true, false) => Case::Case2S,
            (true, false, false) => Case::Case3S,
            (true, true, false) => Case::Case4S,
            (false, true, true) => Case::Case2E,
            (true, false, true) => Case::Case3E,
            (true, true, true) => Case::Case4E,
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the Lc and Le fields are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthForm {
    /// One byte each.
    Short,
    /// Lc `00 xx xx`, Le 2 bytes after an Lc or `00 xx xx` alone.
    Extended,
}

/// A command APDU, borrowing its data field from the input. Built only by the parser, so its
/// case always agrees with its data and Ne.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandApdu<'a> {
    cla: Cla,
    ins: Ins,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    ne: Option<u32>,
    case: Case,
}

fn short_ne(le: u8) -> u32 {
    if le == 0 { 256 } else { u32::from(le) }
}

fn extended_ne(le: u16) -> u32 {
    match le {
        0 => 65536,
        n => u32::from(n),
    }
}

/// Where the fields of a command sit in its encoding, as byte ranges; an absent field is an
/// empty range where it would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFields {
    /// Lc: 1 byte (short), 3 bytes `00 hi lo` (extended), or none.
    pub lc: core::ops::Range<usize>,
    /// The data field (Nc bytes).
    pub data: core::ops::Range<usize>,
    /// Le: 1 byte (short), 2 bytes after an extended Lc, 3 bytes `00 hi lo` alone, or none.
    pub le: core::ops::Range<usize>,
}

/// The command APDU combinator: the header `CLA INS P1 P2`, then the body as its first byte
/// announces it (see the module documentation). Errors count bytes left (the entry points
/// translate them, [`ApduError::at_entry`]).
fn command(input: &[u8]) -> IResult<&[u8], CommandApdu<'_>, ApduError> {
    let (body, (cla, ins, p1, p2)) = (be_u8::<_, ()>, be_u8, be_u8, be_u8)
        .parse_complete(input)
        .map_err(|_| nom::Err::Error(ApduError::TruncatedHeader { offset: 0, available: input.len() }))?;
    let make = |data, ne, case| CommandApdu { cla: Cla(cla), ins: Ins(ins), p1, p2, data, ne, case };
    let fail = |e| Err(nom::Err::Error(e));
    match body {
        [] => Ok((body, make(&[][..], None, Case::Case1))),
        [le] => Ok((&body[1..], make(&[][..], Some(short_ne(*le)), Case::Case2S))),
        [0, _] => fail(ApduError::ShortLcZero { offset: body.len() }),
        [0, ..] => {
            let (rest, lc) = preceded(be_u8::<_, ()>, be_u16).parse_complete(body).map_err(|_| unreachable_short())?;
            if rest.is_empty() {
                return Ok((rest, make(&[][..], Some(extended_ne(lc)), Case::Case2E)));
            }
            let nc = usize::from(lc);
            if nc == 0 {
                return fail(ApduError::ExtendedLcZero { offset: body.len() });
            }
            let (after, data) = data_field(nc, rest)?;
            match after {
                [] => Ok((after, make(data, None, Case::Case3E))),
                [_] => fail(ApduError::ExtendedLcWithShortLe { offset: after.len() }),
                _ => {
                    let (rest, le) = be_u16::<_, ()>(after).map_err(|_| unreachable_short())?;
                    Ok((rest, make(data, Some(extended_ne(le)), Case::Case4E)))
                }
            }
        }
        [lc, rest @ ..] => {
            let (after, data) = data_field(usize::from(*lc), rest)?;
            let (rest, le) = opt(be_u8::<_, ()>).parse_complete(after).map_err(|_| unreachable_short())?;
            let case = if le.is_some() { Case::Case4S } else { Case::Case3S };
            Ok((rest, make(data, le.map(short_ne), case)))
        }
    }
}

/// Nc data bytes, or [`ApduError::DataTruncated`] at the data field.
fn data_field(nc: usize, rest: &[u8]) -> IResult<&[u8], &[u8], ApduError> {
    take::<_, _, ()>(nc)(rest).map_err(|_| {
        nom::Err::Error(ApduError::DataTruncated { offset: rest.len(), declared: nc, available: rest.len() })
    })
}

/// The slice patterns above have checked the lengths these reads need.
#[cold]
fn unreachable_short() -> nom::Err<ApduError> {
    nom::Err::Error(ApduError::TruncatedHeader { offset: 0, available: 0 })
}

/// Parses one command APDU at the start of `input` and returns the remainder (see the module
/// documentation for how the body is delimited).
///
/// ```
/// use tapcert_parsers::apdu::{parse_apdu_command, ApduError, Case, Ins};
/// // SELECT PPSE: 00 A4 04 00 0E "2PAY.SYS.DDF01" 00
/// let bytes = hex_literal(b"00A404000E325041592E5359532E444446303100");
/// let (rest, apdu) = parse_apdu_command(&bytes).unwrap();
/// assert!(rest.is_empty());
/// assert_eq!((apdu.ins(), apdu.case(), apdu.nc(), apdu.ne()), (Ins::SELECT, Case::Case4S, 14, Some(256)));
/// assert_eq!(apdu.data(), b"2PAY.SYS.DDF01");
/// // Lc says 0E but only 3 data bytes follow.
/// assert_eq!(
///     parse_apdu_command(&bytes[..8]),
///     Err(nom::Err::Error(ApduError::DataTruncated { offset: 5, declared: 14, available: 3 }))
/// );
/// # fn hex_literal(h: &[u8]) -> Vec<u8> {
/// #     h.chunks(2).map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap()).collect()
/// # }
/// ```
pub fn parse_apdu_command(input: &[u8]) -> nom::IResult<&[u8], CommandApdu<'_>, ApduError> {
    command(input).map_err(|e| nom::Err::Error(ApduError::at_entry(e, input.len())))
}

impl<'a> CommandApdu<'a> {
    /// Parses a whole command APDU; bytes after its Le field are an error.
    ///
    /// ```
    /// use tapcert_parsers::apdu::{ApduError, Case, CommandApdu};
    /// // case 2E: READ BINARY with a 3-byte extended Le 00 02 00 (Ne = 512)
    /// let apdu = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]).unwrap();
    /// assert_eq!((apdu.case(), apdu.ne()), (Case::Case2E, Some(512)));
    /// // an extended Lc followed by a single (short) Le byte
    /// assert_eq!(
    ///     CommandApdu::from_bytes(&[0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x01, 0xAA, 0x00]),
    ///     Err(ApduError::ExtendedLcWithShortLe { offset: 8 })
    /// );
    /// ```
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, ApduError> {
        let (rest, apdu) = command(input).map_err(|e| ApduError::at_entry(e, input.len()))?;
        if !rest.is_empty() {
            return Err(ApduError::TrailingData { offset: input.len() - rest.len(), case: apdu.case });
        }
        Ok(apdu)
    }

    /// Where Lc, the data and Le sit in the command's encoding (which the parser read, or
    /// [`CommandApdu::to_vec`] writes).
    ///
    /// ```
    /// use tapcert_parsers::apdu::CommandApdu;
    /// // case 4E: extended Lc 00 00 02, two data bytes, Le 01 00
    /// let apdu = CommandApdu::from_bytes(&[0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0x01, 0x00]).unwrap();
    /// let f = apdu.fields();
    /// assert_eq!((f.lc, f.data, f.le), (4..7, 7..9, 9..11));
    /// let case2 = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x10]).unwrap().fields();
    /// assert_eq!((case2.lc, case2.data, case2.le), (4..4, 4..4, 4..5));
    /// ```
    pub fn fields(&self) -> CommandFields {
        let nc = self.data.len();
        let (lc_len, le_len) = match self.case {
            Case::Case1 => (0, 0),
            Case::Case2S => (0, 1),
            Case::Case2E => (0, 3),
            Case::Case3S => (1, 0),
            Case::Case3E => (3, 0),
            Case::Case4S => (1, 1),
            Case::Case4E => (3, 2),
        };
        let data_start = 4 + lc_len;
        let le_start = data_start + nc;
        CommandFields { lc: 4..data_start, data: data_start..le_start, le: le_start..le_start + le_len }
    }

    /// The class byte.
    pub fn cla(&self) -> Cla {
        self.cla
    }

    /// The instruction byte.
    pub fn ins(&self) -> Ins {
        self.ins
    }

    /// Parameter byte P1.
    pub fn p1(&self) -> u8 {
        self.p1
    }

    /// Parameter byte P2.
    pub fn p2(&self) -> u8 {
        self.p2
    }

    /// The command data field (empty for cases 1 and 2).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Nc, the number of data bytes.
    pub fn nc(&self) -> usize {
        self.data.len()
    }

    /// Ne, the maximum number of response data bytes expected (`None`: no Le field).
    /// `Le = 00` is 256 and extended `Le = 0000` is 65536: "up to", not "exactly".
    pub fn ne(&self) -> Option<u32> {
        self.ne
    }

    /// The command case, which fixes the length form.
    pub fn case(&self) -> Case {
        self.case
    }

    /// The length form of Lc/Le, when there is a body.
    pub fn form(&self) -> Option<LengthForm> {
        self.case.form()
    }

    /// Bytes the command takes on the wire.
    pub fn encoded_len(&self) -> usize {
        encoded_len(self.data.len(), self.case)
    }

    /// Appends the command exactly as it was parsed (same case and length form).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        encode_parts([self.cla.0, self.ins.0, self.p1, self.p2], self.data, self.ne, self.case, out);
    }

    /// The command's bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// An owned copy that encodes to the same bytes.
    pub fn to_buf(&self) -> CommandApduBuf {
        CommandApduBuf {
            cla: self.cla,
            ins: self.ins,
            p1: self.p1,
            p2: self.p2,
            data: self.data.to_vec(),
            ne: self.ne,
            extended: self.case.is_extended(),
        }
    }
}

fn encoded_len(nc: usize, case: Case) -> usize {
    4 + match case {
        Case::Case1 => 0,
        Case::Case2S => 1,
        Case::Case3S => 1 + nc,
        Case::Case4S => 2 + nc,
        Case::Case2E => 3,
        Case::Case3E => 3 + nc,
        Case::Case4E => 5 + nc,
    }
}

/// Encodes a command whose case is already known to fit its data and Ne.
fn encode_parts(header: [u8; 4], data: &[u8], ne: Option<u32>, case: Case, out: &mut Vec<u8>) {
    out.extend_from_slice(&header);
    // Ne 256 (short) and 65536 (extended) encode as all-zero Le; the casts cannot truncate
    // anything else because the case was chosen from the ranges.
    let le_short = ne.map_or(0, |n| if n >= 256 { 0 } else { n as u8 });
    let le_ext = ne.map_or(0, |n| if n >= 65536 { 0 } else { n as u16 }).to_be_bytes();
    let nc = data.len();
    match case {
        Case::Case1 => {}
        Case::Case2S => out.push(le_short),
        Case::Case3S | Case::Case4S => {
            out.push(nc as u8);
            out.extend_from_slice(data);
            if case == Case::Case4S {
                out.push(le_short);
            }
        }
        Case::Case2E => {
            out.push(0);
            out.extend_from_slice(&le_ext);
        }
        Case::Case3E | Case::Case4E => {
            out.push(0);
            out.extend_from_slice(&(nc as u16).to_be_bytes());
            out.extend_from_slice(data);
            if case == Case::Case4E {
                out.extend_from_slice(&le_ext);
            }
        }
    }
}

/// An owned command APDU for building and encoding. The encoder picks the shortest legal form
/// unless `extended` asks for the extended one (which a case-1 command, having no length
/// fields, ignores).
///
/// ```
/// use tapcert_parsers::apdu::{Case, Cla, CommandApduBuf, Ins};
/// let select = CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x04, 0x00)
///     .with_data(b"2PAY.SYS.DDF01".to_vec())
///     .with_ne(256);
/// assert_eq!(select.case().unwrap(), Case::Case4S);
/// assert_eq!(select.encode().unwrap()[..5], [0x00, 0xA4, 0x04, 0x00, 0x0E]);
/// let big = CommandApduBuf::new(Cla(0x00), Ins::READ_BINARY, 0, 0).with_ne(65536);
/// assert_eq!(big.encode().unwrap(), [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommandApduBuf {
    /// The class byte.
    pub cla: Cla,
    /// The instruction byte.
    pub ins: Ins,
    /// P1.
    pub p1: u8,
    /// P2.
    pub p2: u8,
    /// The data field (Nc = its length, at most 65535).
    pub data: Vec<u8>,
    /// Ne: 1 to 65536, or `None` for no Le field.
    pub ne: Option<u32>,
    /// Use the extended length form even where the short one would do.
    pub extended: bool,
}

impl CommandApduBuf {
    /// A case-1 command.
    pub fn new(cla: Cla, ins: Ins, p1: u8, p2: u8) -> Self {
        CommandApduBuf { cla, ins, p1, p2, data: Vec::new(), ne: None, extended: false }
    }

    /// The same command with this data field.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// The same command with this Ne.
    pub fn with_ne(mut self, ne: u32) -> Self {
        self.ne = Some(ne);
        self
    }

    /// The same command, asking for the extended length form.
    pub fn with_extended(mut self) -> Self {
        self.extended = true;
        self
    }

    /// The case the encoder will use, or why the command cannot be encoded.
    pub fn case(&self) -> Result<Case, ApduError> {
        let nc = self.data.len();
        if nc > 65535 {
            return Err(ApduError::DataTooLong { nc });
        }
        if let Some(ne) = self.ne {
            if ne == 0 || ne > 65536 {
                return Err(ApduError::NeOutOfRange { ne });
            }
        }
        let extended = self.extended || nc > 255 || self.ne.is_some_and(|ne| ne > 256);
        Ok(Case::from_parts(nc > 0, self.ne.is_some(), extended))
    }

    /// Appends the encoded command.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), ApduError> {
        let case = self.case()?;
        encode_parts([self.cla.0, self.ins.0, self.p1, self.p2], &self.data, self.ne, case, out);
        Ok(())
    }

    /// The encoded command.
    pub fn encode(&self) -> Result<Vec<u8>, ApduError> {
        let case = self.case()?;
        let mut out = Vec::with_capacity(encoded_len(self.data.len(), case));
        encode_parts([self.cla.0, self.ins.0, self.p1, self.p2], &self.data, self.ne, case, &mut out);
        Ok(out)
    }
}

/// Encodes a command APDU in its shortest legal form (or extended when it asks for it).
pub fn encode_apdu_command(apdu: &CommandApduBuf) -> Result<Vec<u8>, ApduError> {
    apdu.encode()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<CommandApdu<'_>, ApduError> {
        CommandApdu::from_bytes(bytes)
    }

    #[test]
    fn every_case() {
        let c1 = parse(&[0x00, 0xA4, 0x04, 0x00]).unwrap();
        assert_eq!((c1.case(), c1.nc(), c1.ne(), c1.form()), (Case::Case1, 0, None, None));
        let c2 = parse(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!((c2.case(), c2.ne()), (Case::Case2S, Some(256)));
        let c2 = parse(&[0x00, 0xB0, 0x00, 0x00, 0x10]).unwrap();
        assert_eq!(c2.ne(), Some(16));
        let c3 = parse(&[0x00, 0xD6, 0x00, 0x00, 0x02, 0xAA, 0xBB]).unwrap();
        assert_eq!((c3.case(), c3.data(), c3.ne()), (Case::Case3S, &[0xAA, 0xBB][..], None));
        let c4 = parse(&[0x00, 0xD6, 0x00, 0x00, 0x01, 0xAA, 0x00]).unwrap();
        assert_eq!((c4.case(), c4.ne()), (Case::Case4S, Some(256)));
        let c2e = parse(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!((c2e.case(), c2e.ne()), (Case::Case2E, Some(65536)));
        let c3e = parse(&[0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x01, 0xAA]).unwrap();
        assert_eq!((c3e.case(), c3e.nc(), c3e.ne()), (Case::Case3E, 1, None));
        let c4e = parse(&[0x00, 0x2A, 0x9E, 0x9A, 0x00, 0x00, 0x01, 0x55, 0x00, 0x00]).unwrap();
        assert_eq!((c4e.case(), c4e.nc(), c4e.ne()), (Case::Case4E, 1, Some(65536)));
    }

    #[test]
    fn malformed_bodies() {
        assert_eq!(parse(&[0x00, 0xA4, 0x04]), Err(ApduError::TruncatedHeader { offset: 3, available: 3 }));
        assert_eq!(parse(&[0x00, 0xA4, 0x04, 0x00, 0x00, 0x05]), Err(ApduError::ShortLcZero { offset: 4 }));
        assert_eq!(
            parse(&[0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01]),
            Err(ApduError::ExtendedLcZero { offset: 4 })
        );
        assert_eq!(
            parse(&[0x00, 0xA4, 0x04, 0x00, 0x03, 0x01]),
            Err(ApduError::DataTruncated { offset: 5, declared: 3, available: 1 })
        );
        assert_eq!(
            parse(&[0x00, 0xA4, 0x04, 0x00, 0x00, 0x01, 0x00, 0x01]),
            Err(ApduError::DataTruncated { offset: 7, declared: 256, available: 1 })
        );
        assert_eq!(
            parse(&[0x00, 0xA4, 0x04, 0x00, 0x01, 0xAA, 0x00, 0x00]),
            Err(ApduError::TrailingData { offset: 7, case: Case::Case4S })
        );
        assert_eq!(
            parse(&[0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x01, 0xAA, 0x00, 0x00, 0x00]),
            Err(ApduError::TrailingData { offset: 10, case: Case::Case4E })
        );
    }

    #[test]
    fn builder_picks_shortest_form() {
        let b = CommandApduBuf::new(Cla(0), Ins::UPDATE_BINARY, 0, 0).with_data(vec![1; 255]).with_ne(256);
        assert_eq!(b.case().unwrap(), Case::Case4S);
        assert_eq!(b.clone().with_data(vec![1; 256]).case().unwrap(), Case::Case4E);
        assert_eq!(b.clone().with_ne(257).case().unwrap(), Case::Case4E);
        assert_eq!(b.clone().with_extended().case().unwrap(), Case::Case4E);
        assert_eq!(CommandApduBuf::new(Cla(0), Ins(0), 0, 0).with_extended().case().unwrap(), Case::Case1);
        assert_eq!(b.clone().with_ne(0).case(), Err(ApduError::NeOutOfRange { ne: 0 }));
        assert_eq!(b.clone().with_ne(65537).case(), Err(ApduError::NeOutOfRange { ne: 65537 }));
        assert_eq!(b.with_data(vec![0; 65536]).case(), Err(ApduError::DataTooLong { nc: 65536 }));
    }

    #[test]
    fn extended_forced_on_small_command_round_trips() {
        let b = CommandApduBuf::new(Cla(0), Ins::READ_BINARY, 0, 0).with_ne(512);
        let bytes = b.encode().unwrap();
        assert_eq!(bytes, [0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]);
        assert_eq!(parse(&bytes).unwrap().to_buf(), b.with_extended());
    }
}
