//! A short C-APDU as the band sees it (ISO/IEC 7816-4 §5.1; the band takes short APDUs only).

use tapcert_parsers::apdu::{CommandApdu, LengthForm};

use super::sw;

/// Header, body and Le of one command. `le == Some(256)` stands for Le = `00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: &'a [u8],
    pub le: Option<usize>,
}

impl<'a> Command<'a> {
    /// Splits a C-APDU with `tapcert_parsers::apdu`; extended or malformed ones are `6700`
    /// (the band, like most contactless firmware, takes short APDUs only).
    pub(crate) fn parse(capdu: &'a [u8]) -> Result<Self, u16> {
        let apdu = CommandApdu::from_bytes(capdu).map_err(|_| sw::WRONG_LENGTH)?;
        if apdu.form() == Some(LengthForm::Extended) {
            return Err(sw::WRONG_LENGTH);
        }
        Ok(Command {
            cla: apdu.cla().0,
            ins: apdu.ins().0,
            p1: apdu.p1(),
            p2: apdu.p2(),
            data: apdu.data(),
            le: apdu.ne().map(|n| n as usize),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        let c = Command::parse(&[0x00, 0xA4, 0x04, 0x00, 0x02, 0xE1, 0x03, 0x00]).unwrap();
        assert_eq!((c.data, c.le), (&[0xE1, 0x03][..], Some(256)));
        assert_eq!(Command::parse(&[0x00, 0xB0, 0x00, 0x00, 0x0F]).unwrap().le, Some(15));
        assert_eq!(Command::parse(&[0x80, 0x5C, 0x00, 0x02]).unwrap().le, None);
        assert_eq!(Command::parse(&[0x00, 0xA4, 0x04]), Err(sw::WRONG_LENGTH));
        assert_eq!(Command::parse(&[0x00, 0xA4, 0x04, 0x00, 0x03, 0xE1]), Err(sw::WRONG_LENGTH));
        assert_eq!(Command::parse(&[0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x02]), Err(sw::WRONG_LENGTH));
    }
}
