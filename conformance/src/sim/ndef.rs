//! NFC Forum Type 4 Tag, mapping version 2.0 (NFC Forum T4T TS §5): NDEF application
//! `D2760000850101`, capability container file `E103`, NDEF file `E104` (2-byte NLEN, then
//! the message). The tag is read-only: UPDATE BINARY answers `6982`.

use tapcert_parsers::apdu::{CommandApdu, StatusWord};

use super::{Band, CardReply};

/// NDEF tag application AID.
pub(crate) const NDEF_AID: &[u8] = &[0xD2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01];
const CC_FILE: u16 = 0xE103;
const NDEF_FILE: u16 = 0xE104;

/// One URI record, `https://example.com/tapcert` (NFC Forum URI RTD, prefix code 04).
pub(crate) fn default_message() -> Vec<u8> {
    let uri = b"example.com/tapcert";
    let mut m = vec![0xD1, 0x01, (uri.len() + 1) as u8, b'U', 0x04];
    m.extend_from_slice(uri);
    m
}

impl Band {
    fn ndef_file_size(&self) -> usize {
        2 + self.config.ndef_message.len()
    }

    fn file(&self, id: u16) -> Option<Vec<u8>> {
        match id {
            CC_FILE => {
                let size = u16::try_from(self.ndef_file_size()).unwrap_or(u16::MAX).to_be_bytes();
                Some(vec![
                    0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x04, size[0], size[1], 0x00, 0xFF,
                ])
            }
            NDEF_FILE => {
                let msg = &self.config.ndef_message;
                let nlen = u16::try_from(msg.len()).unwrap_or(u16::MAX).saturating_add(self.faults().ndef_nlen_excess);
                let mut f = nlen.to_be_bytes().to_vec();
                f.extend_from_slice(msg);
                Some(f)
            }
            _ => None,
        }
    }

    pub(super) fn ndef_select_file(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        let [hi, lo] = *cmd.data() else { return CardReply::sw(StatusWord::WRONG_LENGTH.0) };
        let id = u16::from_be_bytes([hi, lo]);
        if self.file(id).is_none() {
            return CardReply::sw(StatusWord::FILE_NOT_FOUND.0);
        }
        self.session.ndef_file = Some(id);
        CardReply::sw(StatusWord::OK.0)
    }

    pub(super) fn ndef_process(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        match (cmd.cla().0, cmd.ins().0) {
            (0x00, 0xB0) => {
                let Some(file) = self.session.ndef_file.and_then(|id| self.file(id)) else {
                    return CardReply::sw(StatusWord::NO_CURRENT_EF.0);
                };
                if cmd.p1() & 0x80 != 0 {
                    return CardReply::sw(StatusWord::INCORRECT_P1_P2.0);
                }
                let offset = usize::from(u16::from_be_bytes([cmd.p1(), cmd.p2()]));
                if offset > file.len() {
                    return CardReply::sw(StatusWord::WRONG_P1_P2.0);
                }
                let Some(le) = cmd.ne().map(|n| n as usize) else { return CardReply::sw(StatusWord::WRONG_LENGTH.0) };
                let end = (offset + le).min(file.len());
                CardReply::data(&file[offset..end], StatusWord::OK.0)
            }
            (0x00, 0xD6) if self.session.ndef_file.is_some() => {
                CardReply::sw(StatusWord::SECURITY_STATUS_NOT_SATISFIED.0)
            }
            (0x00, 0xD6) => CardReply::sw(StatusWord::NO_CURRENT_EF.0),
            _ => CardReply::sw(StatusWord::INS_NOT_SUPPORTED.0),
        }
    }
}
