//! What the card saw, as the criteria read it: the raw command/answer pairs in order, and the
//! same folded into the terminal's logical commands (a `61xx` chain joined with its GET
//! RESPONSEs, a `6Cxx` answer replaced by the re-sent command's).

use std::fmt;

use tapcert_parsers::apdu::{CommandApdu, ResponseApdu};

/// The PPSE directory name, spelled out here rather than taken from the terminal under test.
const PPSE: &[u8] = b"2PAY.SYS.DDF01";

/// One command the card received and what it answered (empty: it stayed mute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenExchange<'a> {
    /// The C-APDU as received.
    pub command: &'a [u8],
    /// The R-APDU as sent back; empty when the card stayed mute.
    pub response: &'a [u8],
}

/// What a command is, for the order of a contactless transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    SelectPpse,
    SelectAid,
    Gpo,
    ReadRecord,
    InternalAuthenticate,
    GenerateAc,
    GetResponse,
    Other,
}

impl Kind {
    /// The phase of the transaction the command belongs to (`None`: not part of it).
    pub(crate) fn phase(self) -> Option<u8> {
        Some(match self {
            Kind::SelectPpse => 0,
            Kind::SelectAid => 1,
            Kind::Gpo => 2,
            Kind::ReadRecord => 3,
            Kind::InternalAuthenticate => 4,
            Kind::GenerateAc => 5,
            Kind::GetResponse | Kind::Other => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::SelectPpse => "SELECT PPSE",
            Kind::SelectAid => "SELECT AID",
            Kind::Gpo => "GPO",
            Kind::ReadRecord => "READ RECORD",
            Kind::InternalAuthenticate => "INTERNAL AUTHENTICATE",
            Kind::GenerateAc => "GENERATE AC",
            Kind::GetResponse => "GET RESPONSE",
            Kind::Other => "command",
        })
    }
}

/// The kind of a raw command (`Other` when it does not parse as a C-APDU).
pub(crate) fn kind_of(command: &[u8]) -> Kind {
    let Ok(c) = CommandApdu::from_bytes(command) else { return Kind::Other };
    let cla = c.cla().0;
    match c.ins().0 {
        0xA4 if c.data() == PPSE => Kind::SelectPpse,
        0xA4 => Kind::SelectAid,
        0xA8 if cla & 0x80 != 0 => Kind::Gpo,
        0xB2 => Kind::ReadRecord,
        0x88 => Kind::InternalAuthenticate,
        0xAE if cla & 0x80 != 0 => Kind::GenerateAc,
        0xC0 => Kind::GetResponse,
        _ => Kind::Other,
    }
}

/// A status word of a raw answer.
pub(crate) fn sw_of(response: &[u8]) -> Option<u16> {
    ResponseApdu::from_bytes(response).ok().map(|r| r.sw.0)
}

/// One logical command of the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Logical<'a> {
    /// Index of its first raw exchange.
    pub index: usize,
    pub kind: Kind,
    /// The command as first sent.
    pub command: &'a [u8],
    /// Response data, GET RESPONSE parts joined.
    pub data: Vec<u8>,
    /// The final status word; `None` when the card stayed mute.
    pub sw: Option<u16>,
}

impl Logical<'_> {
    /// `#3 GPO`: where a finding points.
    pub(crate) fn at(&self) -> String {
        format!("#{} {}", self.index, self.kind)
    }

    pub(crate) fn ok(&self) -> bool {
        self.sw == Some(0x9000)
    }

    /// The command's data field (empty when it has none or does not parse).
    pub(crate) fn command_data(&self) -> &[u8] {
        CommandApdu::from_bytes(self.command).map(|c| c.data()).unwrap_or_default()
    }
}

/// Folds the raw exchanges into logical commands.
pub(crate) fn logical<'a>(seen: &[SeenExchange<'a>]) -> Vec<Logical<'a>> {
    let mut out: Vec<Logical<'a>> = Vec::new();
    let mut previous_sw: Option<u16> = None;
    for (index, e) in seen.iter().enumerate() {
        let kind = kind_of(e.command);
        let sw = sw_of(e.response);
        let data = ResponseApdu::from_bytes(e.response).map(|r| r.data.to_vec()).unwrap_or_default();
        let after_61 = previous_sw.is_some_and(|s| s >> 8 == 0x61);
        let after_6c = previous_sw.is_some_and(|s| s >> 8 == 0x6C);
        match out.last_mut() {
            Some(last) if after_61 && kind == Kind::GetResponse => {
                last.data.extend_from_slice(&data);
                last.sw = sw;
            }
            Some(last) if after_6c && same_command(last.command, e.command) => {
                last.data = data;
                last.sw = sw;
            }
            _ => out.push(Logical { index, kind, command: e.command, data, sw }),
        }
        previous_sw = sw;
    }
    out
}

/// Same header and data, whatever the Le.
pub(crate) fn same_command(a: &[u8], b: &[u8]) -> bool {
    match (CommandApdu::from_bytes(a), CommandApdu::from_bytes(b)) {
        (Ok(a), Ok(b)) => {
            (a.cla(), a.ins(), a.p1(), a.p2()) == (b.cla(), b.ins(), b.p1(), b.p2()) && a.data() == b.data()
        }
        _ => false,
    }
}
