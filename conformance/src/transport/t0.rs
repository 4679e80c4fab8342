//! T=0 artefacts, resolved once above every transport (ISO/IEC 7816-4 §5.3.4, §12.7.1).
//!
//! - `61xx`: more data waits; fetch it with GET RESPONSE (`00 C0 00 00 xx`) until the card
//!   answers with another status word; the data parts are concatenated.
//! - `6Cxx`: wrong Le; send the same command again with `Le = xx`.
//!
//! Both loops are bounded: a card that keeps answering `61xx` is a protocol error, not a hang.

use tapcert_parsers::apdu::{Cla, CommandApdu, CommandApduBuf, Ins, StatusWord};

use super::{Intercept, Layered, RawResponse, Transport, TransportError};

/// Most GET RESPONSE commands sent for one command before giving up.
pub const MAX_GET_RESPONSE: usize = 64;

/// Wraps a transport and hides `61xx`/`6Cxx` from the layers above.
pub type T0<T> = Layered<T, GetResponse>;

/// The layer of [`T0`]: the GET RESPONSE and Le-retry loops.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetResponse;

impl<T: Transport> T0<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Layered::with(inner, GetResponse)
    }
}

fn ne_of(sw2: u8) -> u32 {
    if sw2 == 0 { 256 } else { u32::from(sw2) }
}

/// The command with its Le set from `sw2` (short APDUs only; `None` for extended or malformed
/// ones): parsed and re-encoded with the parsers' APDU codec.
fn with_le(capdu: &[u8], sw2: u8) -> Option<Vec<u8>> {
    let cmd = CommandApdu::from_bytes(capdu).ok()?;
    if cmd.case().is_extended() {
        return None;
    }
    cmd.to_buf().with_ne(ne_of(sw2)).encode().ok()
}

/// GET RESPONSE for `sw2` more bytes, on the logical channel of the command (first
/// interindustry CLA values keep their channel bits; everything else asks with CLA 00).
fn get_response(cla: u8, sw2: u8) -> Vec<u8> {
    let cla = if cla & 0xE0 == 0x00 { cla & 0x03 } else { 0x00 };
    CommandApduBuf::new(Cla(cla), Ins::GET_RESPONSE, 0x00, 0x00).with_ne(ne_of(sw2)).encode().unwrap_or_default()
}

/// SW1 of a response, when it has a status word.
fn sw1(r: &RawResponse) -> Option<u8> {
    r.sw().map(|sw| StatusWord(sw).sw1())
}

impl<T: Transport> Intercept<T> for GetResponse {
    fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        let mut resp = inner.transmit(capdu)?;
        if sw1(&resp) == Some(0x6C)
            && let Some(again) = with_le(capdu, resp.sw().unwrap_or_default() as u8)
        {
            resp = inner.transmit(&again)?;
        }
        let Some(sw) = resp.sw() else { return Ok(resp) };
        if StatusWord(sw).sw1() != 0x61 {
            return Ok(resp);
        }
        let cla = capdu.first().copied().unwrap_or(0);
        let mut data = resp.data().to_vec();
        let mut sw2 = StatusWord(sw).sw2();
        for _ in 0..MAX_GET_RESPONSE {
            let mut next = inner.transmit(&get_response(cla, sw2))?;
            if sw1(&next) == Some(0x6C) {
                next = inner.transmit(&get_response(cla, next.sw().unwrap_or_default() as u8))?;
            }
            let Some(sw) = next.sw().map(StatusWord) else {
                return Err(TransportError::GetResponseWithoutSw);
            };
            data.extend_from_slice(next.data());
            if sw.sw1() != 0x61 {
                data.extend_from_slice(&sw.to_bytes());
                return Ok(RawResponse(data));
            }
            sw2 = sw.sw2();
        }
        Err(TransportError::GetResponseLoop { commands: MAX_GET_RESPONSE })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{Card, CardReply};
    use crate::transport::InProcess;

    /// Answers a 300-byte record in chunks of 100 through 61xx, and wants Le = 0x10 for B0.
    struct Chunky {
        left: usize,
        sent: Vec<Vec<u8>>,
    }
    impl Card for Chunky {
        fn power_on(&mut self) -> Vec<u8> {
            vec![0x3B, 0x00]
        }
        fn process(&mut self, capdu: &[u8]) -> CardReply {
            self.sent.push(capdu.to_vec());
            match capdu {
                [_, 0xB2, ..] => {
                    self.left = 300;
                    CardReply::sw(0x6100)
                }
                [0x00, 0xC0, 0, 0, le] => {
                    let n = self.left.min(if *le == 0 { 256 } else { usize::from(*le) }).min(100);
                    self.left -= n;
                    let sw = if self.left == 0 { 0x9000 } else { 0x6100 | self.left.min(255) as u16 };
                    CardReply::data(&vec![0xAB; n], sw)
                }
                [_, 0xB0, _, _, 0x10] => CardReply::data(&[0x11; 16], 0x9000),
                [_, 0xB0, ..] => CardReply::sw(0x6C10),
                [_, 0xCA, ..] => CardReply::sw(0x6101),
                _ => CardReply::sw(0x6D00),
            }
        }
    }

    #[test]
    fn get_response_loop_concatenates() {
        let mut t = T0::new(InProcess::new(Chunky { left: 0, sent: vec![] }));
        t.reset().unwrap();
        let r = t.transmit(&[0x00, 0xB2, 0x01, 0x0C, 0x00]).unwrap();
        assert_eq!((r.data().len(), r.sw()), (300, Some(0x9000)));
        assert_eq!(t.inner_mut().card().sent.len(), 4);
    }

    #[test]
    fn wrong_le_is_resent_with_the_right_one() {
        let mut t = T0::new(InProcess::new(Chunky { left: 0, sent: vec![] }));
        t.reset().unwrap();
        let r = t.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!((r.data().len(), r.sw()), (16, Some(0x9000)));
        assert_eq!(t.inner_mut().card().sent[1], [0x00, 0xB0, 0x00, 0x00, 0x10]);
    }

    #[test]
    fn endless_61xx_is_bounded() {
        let mut t = T0::new(InProcess::new(Chunky { left: 0, sent: vec![] }));
        t.reset().unwrap();
        // CA answers 6101, and GET RESPONSE with left == 0 answers 0 bytes + 9000: bounded anyway.
        let r = t.transmit(&[0x00, 0xCA, 0x9F, 0x36, 0x00]).unwrap();
        assert_eq!(r.sw(), Some(0x9000));
        struct Forever;
        impl Card for Forever {
            fn power_on(&mut self) -> Vec<u8> {
                vec![0x3B, 0x00]
            }
            fn process(&mut self, _: &[u8]) -> CardReply {
                CardReply::data(&[1], 0x6101)
            }
        }
        let mut t = T0::new(InProcess::new(Forever));
        t.reset().unwrap();
        assert!(matches!(
            t.transmit(&[0, 0xB2, 1, 0x0C, 0]),
            Err(TransportError::GetResponseLoop { commands: MAX_GET_RESPONSE })
        ));
    }

    #[test]
    fn get_response_without_sw_is_its_own_error() {
        struct Cut;
        impl Card for Cut {
            fn power_on(&mut self) -> Vec<u8> {
                vec![0x3B, 0x00]
            }
            fn process(&mut self, capdu: &[u8]) -> CardReply {
                match capdu {
                    [_, 0xC0, ..] => CardReply::new(vec![0x90]),
                    _ => CardReply::sw(0x6110),
                }
            }
        }
        let mut t = T0::new(InProcess::new(Cut));
        t.reset().unwrap();
        assert!(matches!(t.transmit(&[0, 0xB2, 1, 0x0C, 0]), Err(TransportError::GetResponseWithoutSw)));
    }

    #[test]
    fn le_rewrite_by_case() {
        assert_eq!(with_le(&[0, 0xB0, 0, 0], 5).unwrap(), [0, 0xB0, 0, 0, 5]);
        assert_eq!(with_le(&[0, 0xB0, 0, 0, 0], 5).unwrap(), [0, 0xB0, 0, 0, 5]);
        assert_eq!(with_le(&[0, 0xA4, 4, 0, 2, 1, 2], 5).unwrap(), [0, 0xA4, 4, 0, 2, 1, 2, 5]);
        assert_eq!(with_le(&[0, 0xA4, 4, 0, 2, 1, 2, 0], 5).unwrap(), [0, 0xA4, 4, 0, 2, 1, 2, 5]);
        assert_eq!(with_le(&[0, 0xA4, 4, 0, 0, 0, 2, 1, 2], 5), None);
        assert_eq!(with_le(&[0, 0xA4], 5), None);
    }
}
