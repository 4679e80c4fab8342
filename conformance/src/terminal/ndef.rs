//! NFC Forum Type 4 Tag NDEF read, reader side (NFC Forum T4T TS §5.4, mapping 2.0): select
//! the NDEF tag application, read the capability container, select and read the NDEF file,
//! decode and validate the message with `tapcert_parsers::ndef`.

use tapcert_parsers::apdu::{Cla, CommandApduBuf, Ins, StatusWord};
use tapcert_parsers::ndef::{
    CC_FILE_ID, NDEF_TAG_APPLICATION_AID, NdefMessage, decode_ndef_message, decode_t4t_cc, validate_t4t_cc,
};

use super::observation::{Halt, Observation, Session, Step};
use super::rules::{self, finding};
use super::validators::validator_findings;
use crate::clock::Clock;
use crate::transport::Transport;

/// Most message bytes read (a short READ BINARY reaches offset 32767).
pub const MAX_NDEF_READ: usize = 0x7FFF - 2;

/// What the reader read from the tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NdefRead {
    /// The capability container file.
    pub cc: Option<Vec<u8>>,
    /// The NDEF file identifier the CC names.
    pub file_id: Option<u16>,
    /// The NDEF file's maximum size, as the CC states it.
    pub max_size: Option<u32>,
    /// NLEN as the file states it.
    pub nlen: Option<u16>,
    /// The message bytes read.
    pub message: Vec<u8>,
}

impl NdefRead {
    /// The decoded message.
    pub fn message_view(&self) -> Option<NdefMessage<'_>> {
        decode_ndef_message(&self.message).ok()
    }
}

/// Reads the NDEF message of a Type 4 Tag.
///
/// ```
/// use std::time::Duration;
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::terminal::read_ndef;
/// use tapcert_conformance::clock::ManualClock;
/// use tapcert_conformance::transport::{InProcess, T0};
///
/// let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
/// let read = read_ndef(&mut T0::new(InProcess::new(Band::new(find_profile("reference").unwrap()))), &clock);
/// assert!(read.is_clean(), "{:?}", read.findings);
/// assert_eq!(read.result.message_view().unwrap().records.len(), 1);
///
/// let read = read_ndef(&mut T0::new(InProcess::new(Band::new(find_profile("ndef-nlen-overflow").unwrap()))), &clock);
/// assert!(read.has("NDEF.T4T.NLEN-RANGE"));
/// ```
pub fn read_ndef(t: &mut dyn Transport, clock: &dyn Clock) -> Observation<NdefRead> {
    let mut s = Session::new(t, clock);
    let mut read = NdefRead::default();
    let done = ndef(&mut s, &mut read).is_ok();
    s.finish(read, done)
}

fn select_file(id: u16) -> CommandApduBuf {
    CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x00, 0x0C).with_data(id.to_be_bytes().to_vec())
}

fn read_binary(offset: u16, ne: u32) -> CommandApduBuf {
    let [p1, p2] = offset.to_be_bytes();
    CommandApduBuf::new(Cla(0x00), Ins::READ_BINARY, p1, p2).with_ne(ne)
}

fn ndef(s: &mut Session<'_>, read: &mut NdefRead) -> Result<(), Halt> {
    s.reset()?;
    let app = CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x04, 0x00)
        .with_data(NDEF_TAG_APPLICATION_AID.to_vec())
        .with_ne(256);
    s.send_ok(Step::SelectNdefApplication, &app, rules::NDEF_T4T_SELECT)?;
    s.send_ok(Step::SelectCc, &select_file(CC_FILE_ID), rules::NDEF_T4T_CC)?;
    let step = Step::ReadCc;
    let cc_bytes = s.send_ok(step, &read_binary(0, 15), rules::NDEF_T4T_CC)?;
    read.cc = Some(cc_bytes.clone());
    let cc = match decode_t4t_cc(&cc_bytes) {
        Ok(cc) => cc,
        Err(e) => {
            s.finding(finding(rules::NDEF_T4T_CC, step, e.to_string()));
            return Err(Halt::Card);
        }
    };
    validator_findings(s, step, validate_t4t_cc(&cc));
    let Some(fc) = cc.ndef_file() else {
        s.finding(finding(rules::NDEF_T4T_CC, step, "the CC names no NDEF file"));
        return Err(Halt::Card);
    };
    read.file_id = Some(fc.file_id);
    read.max_size = Some(fc.max_size);
    // MLe below 15 breaks T4T §5.1 (the validator says so); reading at least 15 bytes a time
    // keeps a hostile CC from turning one message into thousands of READ BINARYs.
    let chunk = u32::from(cc.mle.clamp(15, 255));

    s.send_ok(Step::SelectNdefFile, &select_file(fc.file_id), rules::NDEF_T4T_FILE)?;
    let step = Step::ReadNdef { offset: 0 };
    let nlen = s.send_ok(step, &read_binary(0, 2), rules::NDEF_T4T_FILE)?;
    let Ok(nlen) = <[u8; 2]>::try_from(nlen.as_slice()) else {
        s.finding(finding(
            rules::NDEF_T4T_FILE,
            step,
            format!("NLEN read returned {} byte(s), expected 2", nlen.len()),
        ));
        return Err(Halt::Card);
    };
    let nlen = u16::from_be_bytes(nlen);
    read.nlen = Some(nlen);
    let room = usize::try_from(fc.max_size).unwrap_or(usize::MAX).saturating_sub(2);
    if usize::from(nlen) > room {
        let msg = format!("NLEN {nlen} exceeds the NDEF file's {room} byte(s) of message space");
        s.finding(finding(rules::NDEF_T4T_NLEN, step, msg));
    }
    let want = usize::from(nlen).min(room).min(MAX_NDEF_READ);
    while read.message.len() < want {
        let offset = (2 + read.message.len()) as u16;
        let step = Step::ReadNdef { offset };
        let ask = chunk.min((want - read.message.len()) as u32);
        let a = s.send(step, &read_binary(offset, ask))?;
        if a.sw != StatusWord::OK || a.data.is_empty() {
            let msg = format!("NLEN {nlen}: reading at {offset} answered {} with {} byte(s)", a.sw, a.data.len());
            s.finding(finding(rules::NDEF_T4T_NLEN, step, msg));
            return Err(Halt::Card);
        }
        let take = a.data.len().min(want - read.message.len());
        read.message.extend_from_slice(&a.data[..take]);
    }
    if usize::from(nlen) > want {
        return Err(Halt::Card);
    }
    let step = Step::ReadNdef { offset: 2 };
    if nlen > 0 {
        if let Err(e) = decode_ndef_message(&read.message) {
            s.finding(finding(rules::NDEF_MESSAGE, step, e.to_string()));
        }
        validator_findings(s, step, tapcert_parsers::ndef::validate_ndef_message(&read.message));
    }
    Ok(())
}
