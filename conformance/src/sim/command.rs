//! A short C-APDU as the band sees it (ISO/IEC 7816-4 §5.1; the band takes short APDUs only).

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
    /// Splits a C-APDU into its cases 1-4; anything else (extended, inconsistent Lc) is `6700`.
    pub(crate) fn parse(capdu: &'a [u8]) -> Result<Self, u16> {
        let [cla, ins, p1, p2, body @ ..] = capdu else { return Err(sw::WRONG_LENGTH) };
        let le_of = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let (data, le): (&[u8], _) = match body {
            [] => (&[], None),
            [le] => (&[], Some(le_of(*le))),
            [0, ..] => return Err(sw::WRONG_LENGTH),
            [lc, rest @ ..] if rest.len() == usize::from(*lc) => (rest, None),
            [lc, rest @ ..] if rest.len() == usize::from(*lc) + 1 => {
                (&rest[..usize::from(*lc)], Some(le_of(rest[usize::from(*lc)])))
            }
            _ => return Err(sw::WRONG_LENGTH),
        };
        Ok(Command { cla: *cla, ins: *ins, p1: *p1, p2: *p2, data, le })
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
