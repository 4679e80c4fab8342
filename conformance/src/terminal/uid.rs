//! The UID of a contactless card, through the PC/SC GET DATA pseudo-APDU (PC/SC Part 3
//! §3.2.2.1.3): `FF CA 00 00 00`.

use tapcert_parsers::apdu::{Cla, CommandApduBuf, Ins};

use super::observation::{Observation, Session, Step};
use super::rules::{self, finding};
use crate::clock::Clock;
use crate::transport::Transport;

/// The UID read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UidRead {
    /// The UID bytes.
    pub uid: Option<Vec<u8>>,
}

/// Reads the UID.
///
/// ```
/// use std::time::Duration;
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::terminal::read_uid;
/// use tapcert_conformance::clock::ManualClock;
/// use tapcert_conformance::transport::InProcess;
/// let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
/// let read = read_uid(&mut InProcess::new(Band::new(find_profile("reference").unwrap())), &clock);
/// assert_eq!(read.result.uid.map(|u| u.len()), Some(7));
/// ```
pub fn read_uid(t: &mut dyn Transport, clock: &dyn Clock) -> Observation<UidRead> {
    let mut s = Session::new(t, clock);
    let mut read = UidRead::default();
    let done = (|| {
        s.reset()?;
        let step = Step::GetUid;
        let uid =
            s.send_ok(step, &CommandApduBuf::new(Cla(0xFF), Ins::GET_DATA, 0, 0).with_ne(256), rules::UID_STATUS)?;
        if ![4, 7, 10].contains(&uid.len()) {
            s.finding(finding(rules::UID_LENGTH, step, format!("the UID has {} bytes", uid.len())));
        }
        read.uid = Some(uid);
        Ok::<(), super::observation::Halt>(())
    })()
    .is_ok();
    s.finish(read, done)
}
