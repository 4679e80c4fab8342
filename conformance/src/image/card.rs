//! [`ImageCard`]: a card image served as a [`Card`], recording what the terminal sent.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tapcert_crypto::{AcData, AnyVisaIad, Cvn, MastercardIad, Tdes};
use tapcert_parsers::apdu::{CommandApdu, Ins, StatusWord};
use tapcert_parsers::bcd::{decode_bcd_byte, decode_bcd_cn};
use tapcert_parsers::tlv::{GpoResponse, Tag, TlvOwned, decode_emv_tlv_owned, encode_emv_tlv, parse_emv_dol};

use super::{Action, Application, Body, CardImage, CommandMatch, Cryptogram};
use crate::card::{Card, CardReply};
use crate::clock::Clock;
use crate::mask::{masked_command_hex, masked_hex};
use crate::terminal::PPSE_NAME;
use crate::transcript::{Event, EventKind, Transcript, TranscriptError};
use crate::transport::{RawAtr, RawResponse, TransportErrorKind};

/// Most events an [`ImageLog`] keeps (a long vpcd session keeps its first ones).
pub const MAX_LOGGED_EVENTS: usize = 1 << 18;
/// Up to this many events, [`ImageLog::save_masked_if_due`] writes after every event; beyond,
/// at most every [`SAVE_INTERVAL`] (each write rewrites the whole file).
pub const SAVE_EVERY_EVENT_UP_TO: usize = 2_000;
/// Shortest time between two writes of a long observation.
pub const SAVE_INTERVAL: Duration = Duration::from_millis(250);

/// What the card received and answered, shared with whoever holds a clone: every power-on
/// (`reset` with the ATR), command and answer (`exchange`; a mute card's has no response and
/// error kind `mute`), and power-off (`field-off`), stamped with the injected clock. The delay
/// the card took is the exchange's `latency_us`.
#[derive(Debug, Clone)]
pub struct ImageLog {
    inner: Arc<Mutex<Transcript>>,
    /// When the observation was last written, on the card's clock.
    saved_at: Arc<Mutex<Option<Duration>>>,
}

impl ImageLog {
    fn new(started_unix_us: u64) -> Self {
        ImageLog {
            inner: Arc::new(Mutex::new(Transcript::new(None, started_unix_us))),
            saved_at: Arc::new(Mutex::new(None)),
        }
    }

    fn push(&self, at: Duration, latency: Duration, kind: EventKind) {
        let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if t.events.len() >= MAX_LOGGED_EVENTS {
            return;
        }
        let at_us = (at.as_micros() as u64).saturating_sub(t.started_unix_us);
        t.events.push(Event { at_us, latency_us: latency.as_micros() as u64, kind });
    }

    /// A copy of everything recorded so far.
    pub fn transcript(&self) -> Transcript {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The commands received so far, in order.
    pub fn commands(&self) -> Vec<Vec<u8>> {
        self.transcript().exchanges().map(|(c, _)| c.to_vec()).collect()
    }

    /// Forgets what was recorded (between test cases on one card).
    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).events.clear();
    }

    /// Writes the record as a transcript JSON file (raw bytes: mask before sharing).
    pub fn save(&self, path: &Path) -> Result<(), TranscriptError> {
        self.transcript().save(path)
    }

    /// The record with PANs and track data masked ([`crate::mask`]). A transcript holds
    /// bytes, and masked bytes are not bytes: an exchange that masking changes keeps its masked
    /// hex in `error` (`masked response: 70..5A08541333******0010..`), its response left out
    /// and, for a command (PIN blocks), only its header kept. Exchanges masking leaves alone
    /// stay whole.
    pub fn masked_transcript(&self) -> Transcript {
        let mut t = self.transcript();
        for e in &mut t.events {
            if let EventKind::Exchange { command, response, error, .. } = &mut e.kind {
                let mut notes = Vec::new();
                let c = masked_command_hex(command);
                if c.contains('*') {
                    notes.push(format!("masked command: {c}"));
                    command.truncate(4);
                }
                if let Some(r) = response.as_ref().map(|r| masked_hex(&r.0)).filter(|r| r.contains('*')) {
                    notes.push(format!("masked response: {r}"));
                    *response = None;
                }
                if !notes.is_empty() {
                    notes.extend(error.take());
                    *error = Some(notes.join("; "));
                }
            }
        }
        t
    }

    /// [`ImageLog::save_masked`], after every event while the log is short, then at most every
    /// [`SAVE_INTERVAL`] of `now` (so that a long session does not rewrite a big file per
    /// command). Returns whether it wrote.
    pub fn save_masked_if_due(&self, path: &Path, now: Duration) -> Result<bool, TranscriptError> {
        let events = self.inner.lock().unwrap_or_else(|e| e.into_inner()).events.len();
        let mut saved_at = self.saved_at.lock().unwrap_or_else(|e| e.into_inner());
        let due = events <= SAVE_EVERY_EVENT_UP_TO || saved_at.is_none_or(|t| now.saturating_sub(t) >= SAVE_INTERVAL);
        if !due {
            return Ok(false);
        }
        self.save_masked(path)?;
        *saved_at = Some(now);
        Ok(true)
    }

    /// Writes [`ImageLog::masked_transcript`] to `path` (through a temporary file and a rename,
    /// so that a reader never sees half a file).
    pub fn save_masked(&self, path: &Path) -> Result<(), TranscriptError> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        self.masked_transcript().save(&tmp)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// An answer being delivered through GET RESPONSE.
#[derive(Debug, Clone)]
struct Pending {
    data: Vec<u8>,
    sw: u16,
    chunk: usize,
}

/// A [`CardImage`] as a [`Card`].
///
/// SELECT `2PAY.SYS.DDF01` answers the PPSE (or `6A82`); SELECT by AID (exact, or a prefix of
/// at least 5 bytes) selects an application and answers its FCI; GET PROCESSING OPTIONS, READ
/// RECORD, GENERATE AC and GET DATA answer from the selected application (`6985` without
/// one, `6A83` for a record the image lacks, `6A88` for GET DATA of an absent object); GET
/// RESPONSE delivers a chained answer; other instructions get `6D00`. The card does not
/// check what the terminal sends (PDOL data lengths, CDOL1 data): the terminal's commands are
/// recorded in [`ImageLog`] for the pass criteria to judge. Behaviours act on top.
pub struct ImageCard {
    image: CardImage,
    clock: Arc<dyn Clock>,
    log: ImageLog,
    selected: Option<usize>,
    gpo_done: bool,
    muted: bool,
    matches: Vec<u32>,
    pending: Option<Pending>,
    /// GENERATE AC answered since the card was made (the ATC goes up with it).
    acs: u16,
    /// Commands received since the card was made.
    received: usize,
    /// After this many commands the card stays mute (a runaway terminal must not loop forever).
    limit: Option<usize>,
}

impl std::fmt::Debug for ImageCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageCard").field("image", &self.image.name).finish_non_exhaustive()
    }
}

impl ImageCard {
    /// Serves `image`; the log's times come from `clock`.
    pub fn new(image: CardImage, clock: Arc<dyn Clock>) -> Self {
        let log = ImageLog::new(clock.now().as_micros() as u64);
        let matches = vec![0; image.behaviours.len()];
        ImageCard {
            image,
            clock,
            log,
            selected: None,
            gpo_done: false,
            muted: false,
            matches,
            pending: None,
            acs: 0,
            received: 0,
            limit: None,
        }
    }

    /// The card stays mute once it has received `limit` commands (over all power-ons): a
    /// terminal that keeps sending ends up on a mute card instead of looping forever.
    pub fn with_exchange_limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Commands received since the card was made.
    pub fn received(&self) -> usize {
        self.received
    }

    /// Whether the exchange limit was reached.
    pub fn limit_reached(&self) -> bool {
        self.limit.is_some_and(|l| self.received > l)
    }

    /// The shared log of what the card received (clone it before handing the card over).
    pub fn log(&self) -> ImageLog {
        self.log.clone()
    }

    /// The image served.
    pub fn image(&self) -> &CardImage {
        &self.image
    }

    fn answer(&mut self, capdu: &[u8]) -> CardReply {
        self.received = self.received.saturating_add(1);
        if self.muted || self.limit.is_some_and(|l| self.received > l) {
            return CardReply::mute();
        }
        let Ok(cmd) = CommandApdu::from_bytes(capdu) else {
            return CardReply::sw(StatusWord::WRONG_LENGTH.0);
        };
        let mut actions = Vec::new();
        for (i, b) in self.image.behaviours.iter().enumerate() {
            if command_matches(&b.on, &cmd) {
                self.matches[i] = self.matches[i].saturating_add(1);
                if b.nth.is_none_or(|n| n == self.matches[i]) {
                    actions.push(b.action.clone());
                }
            }
        }
        if actions.contains(&Action::MuteNow) {
            self.muted = true;
            return CardReply::mute();
        }
        let (data, sw) = match actions.iter().find_map(|a| if let Action::Sw(sw) = a { Some(*sw) } else { None }) {
            Some(sw) => (Vec::new(), sw),
            None => self.dispatch(&cmd),
        };
        let mut reply = CardReply::data(&data, sw);
        let mut shaped = false;
        for action in &actions {
            match action {
                Action::WrongLe
                    if !shaped && !data.is_empty() && data.len() <= 256 && cmd.ne() != Some(data.len() as u32) =>
                {
                    reply = CardReply::sw(0x6C00 | (data.len() & 0xFF) as u16);
                    shaped = true;
                }
                Action::Chain(n) if !shaped && !data.is_empty() => {
                    let chunk = usize::from(*n).clamp(1, 256);
                    reply = CardReply::sw(0x6100 | (data.len().min(chunk) & 0xFF) as u16);
                    self.pending = Some(Pending { data: data.clone(), sw, chunk });
                    shaped = true;
                }
                Action::Delay(d) => reply.delay = reply.delay.saturating_add(*d),
                Action::MuteAfter => self.muted = true,
                _ => {}
            }
        }
        reply
    }

    fn app(&self) -> Option<&Application> {
        self.selected.and_then(|i| self.image.applications.get(i))
    }

    fn dispatch(&mut self, cmd: &CommandApdu<'_>) -> (Vec<u8>, u16) {
        let not_allowed = (Vec::new(), StatusWord::CONDITIONS_NOT_SATISFIED.0);
        match cmd.ins() {
            Ins::SELECT => self.select(cmd),
            Ins::GET_RESPONSE => self.get_response(cmd),
            Ins::GET_PROCESSING_OPTIONS => match self.app() {
                Some(a) => {
                    let r = (a.gpo.data(), a.gpo.sw);
                    self.gpo_done = true;
                    r
                }
                None => not_allowed,
            },
            Ins::READ_RECORD => {
                if cmd.p2() & 0x07 != 0x04 || cmd.p1() == 0 {
                    return (Vec::new(), StatusWord::INCORRECT_P1_P2.0);
                }
                let (sfi, number) = (cmd.p2() >> 3, cmd.p1());
                let Some(a) = self.app() else { return not_allowed };
                match a.records.iter().find(|r| (r.sfi, r.number) == (sfi, number)) {
                    Some(r) => (r.response.data(), r.response.sw),
                    None => (Vec::new(), StatusWord::RECORD_NOT_FOUND.0),
                }
            }
            Ins::GENERATE_AC => {
                if !self.gpo_done {
                    return not_allowed;
                }
                match self.selected {
                    Some(i) => self.generate_ac(i, cmd.data()),
                    None => not_allowed,
                }
            }
            Ins::GET_DATA => {
                let tag = u16::from_be_bytes([cmd.p1(), cmd.p2()]);
                match self.app().and_then(|a| a.get_data.iter().find(|(t, _)| *t == tag)) {
                    Some((_, r)) => (r.data(), r.sw),
                    None => (Vec::new(), StatusWord::REFERENCED_DATA_NOT_FOUND.0),
                }
            }
            _ => (Vec::new(), StatusWord::INS_NOT_SUPPORTED.0),
        }
    }

    fn select(&mut self, cmd: &CommandApdu<'_>) -> (Vec<u8>, u16) {
        if cmd.p1() != 0x04 {
            return (Vec::new(), StatusWord::INCORRECT_P1_P2.0);
        }
        let name = cmd.data();
        self.gpo_done = false;
        if name == PPSE_NAME {
            self.selected = None;
            return match &self.image.ppse {
                Some(r) => (r.data(), r.sw),
                None => (Vec::new(), StatusWord::FILE_NOT_FOUND.0),
            };
        }
        let found = self
            .image
            .applications
            .iter()
            .position(|a| a.aid == name)
            .or_else(|| self.image.applications.iter().position(|a| name.len() >= 5 && a.aid.starts_with(name)));
        self.selected = found;
        match found.and_then(|i| self.image.applications.get(i)) {
            Some(a) => (a.fci.data(), a.fci.sw),
            None => (Vec::new(), StatusWord::FILE_NOT_FOUND.0),
        }
    }

    fn get_response(&mut self, cmd: &CommandApdu<'_>) -> (Vec<u8>, u16) {
        let Some(mut p) = self.pending.take() else {
            return (Vec::new(), StatusWord::CONDITIONS_NOT_SATISFIED.0);
        };
        let ne = cmd.ne().map_or(256, |n| n as usize).max(1);
        let n = p.data.len().min(p.chunk).min(ne);
        let part: Vec<u8> = p.data.drain(..n).collect();
        if p.data.is_empty() {
            return (part, p.sw);
        }
        let sw = 0x6100 | (p.data.len().min(p.chunk) & 0xFF) as u16;
        self.pending = Some(p);
        (part, sw)
    }

    fn generate_ac(&mut self, app: usize, cdol1_data: &[u8]) -> (Vec<u8>, u16) {
        let Some(a) = self.image.applications.get(app) else { return (Vec::new(), 0x6985) };
        let g = &a.generate_ac;
        if let Some(r) = &g.raw {
            return (r.data(), r.sw);
        }
        let atc = g.atc.wrapping_add(self.acs);
        self.acs = self.acs.wrapping_add(1);
        let ac = match &g.cryptogram {
            Cryptogram::Fixed(c) => *c,
            Cryptogram::Key(name) => match compute_cryptogram(a, name, cdol1_data, atc) {
                Some(c) => c,
                // The personalisation cannot make a cryptogram (no PAN, no IAD, unknown CVN).
                None => return (Vec::new(), StatusWord::NO_PRECISE_DIAGNOSIS.0),
            },
        };
        let mut out = Vec::new();
        if g.format == 1 {
            let mut value = vec![g.cid];
            value.extend_from_slice(&atc.to_be_bytes());
            value.extend_from_slice(&ac);
            value.extend_from_slice(g.iad.as_deref().unwrap_or_default());
            encode_emv_tlv(Tag(0x80), &value, &mut out);
        } else {
            let mut objects = vec![
                TlvOwned::primitive(Tag(0x9F27), [g.cid]),
                TlvOwned::primitive(Tag(0x9F36), atc.to_be_bytes()),
                TlvOwned::primitive(Tag(0x9F26), ac),
            ];
            if let Some(iad) = &g.iad {
                objects.push(TlvOwned::primitive(Tag(0x9F10), iad.clone()));
            }
            objects.extend(g.extra.iter().cloned());
            TlvOwned::constructed(Tag(0x77), objects).encode_into(&mut out);
        }
        (out, g.sw)
    }
}

/// The first value of `tag` in the application's records, in image order (raw records are
/// decoded; ones that do not decode are skipped).
fn record_object(app: &Application, tag: Tag) -> Option<Vec<u8>> {
    app.records.iter().find_map(|r| {
        let decoded;
        let objects = match &r.response.body {
            Body::Objects(o) => o,
            Body::Raw(b) => {
                decoded = decode_emv_tlv_owned(b).ok()?;
                &decoded
            }
        };
        objects.iter().find_map(|o| o.find(tag)).and_then(|o| o.bytes().map(<[u8]>::to_vec))
    })
}

/// The card's cryptogram (EMV Book 2 §8.1.1 data set from the terminal's CDOL1 data, AIP of
/// the image's GPO answer, the ATC) with the CVN its IAD declares.
fn compute_cryptogram(app: &Application, key: &str, cdol1_data: &[u8], atc: u16) -> Option<[u8; 8]> {
    let imk = super::test_key(key)?;
    let iad = app.generate_ac.iad.as_deref()?;
    let code =
        MastercardIad::parse(iad).ok().map(|i| i.cvn).or_else(|| AnyVisaIad::parse(iad).ok().map(|i| i.cvn()))?;
    let cvn = Cvn::ALL.into_iter().find(|c| c.code() == code)?;
    let pan = decode_bcd_cn(&record_object(app, Tag::PAN)?)?;
    let psn = record_object(app, Tag::PAN_SEQUENCE_NUMBER).and_then(|v| v.first().copied()).and_then(decode_bcd_byte);
    let cdol1 = parse_emv_dol(&record_object(app, Tag::CDOL1)?).ok()?;
    let mut values: Vec<(Tag, &[u8])> = Vec::with_capacity(cdol1.len());
    let mut at = 0usize;
    for e in &cdol1 {
        let end = at.checked_add(usize::from(e.len))?;
        values.push((e.tag, cdol1_data.get(at..end)?));
        at = end;
    }
    let mut data = Vec::with_capacity(AcData::LEN);
    for (tag, len) in [(0x9F02, 6), (0x9F03, 6), (0x9F1A, 2), (0x95, 5), (0x5F2A, 2), (0x9A, 3), (0x9C, 1), (0x9F37, 4)]
    {
        match values.iter().find(|(t, v)| t.0 == tag && v.len() == len) {
            Some((_, v)) => data.extend_from_slice(v),
            None => data.extend(std::iter::repeat_n(0, len)),
        }
    }
    let aip = GpoResponse::from_bytes(&app.gpo.data()).ok().map_or([0, 0], |g| g.aip);
    data.extend_from_slice(&aip);
    data.extend_from_slice(&atc.to_be_bytes());
    let mk = cvn.derive_icc_mk(&Tdes::new_2key(&imk), &pan, psn.unwrap_or(0)).ok()?;
    let ac_data = AcData::from_bytes(&data).ok()?;
    cvn.generate_ac(&mk, &ac_data, iad).ok().map(|c| c.ac)
}

fn command_matches(m: &CommandMatch, cmd: &CommandApdu<'_>) -> bool {
    let ins = cmd.ins();
    match m {
        CommandMatch::Any => true,
        CommandMatch::SelectPpse => ins == Ins::SELECT && cmd.data() == PPSE_NAME,
        CommandMatch::Select => ins == Ins::SELECT && cmd.data() != PPSE_NAME,
        CommandMatch::Gpo => ins == Ins::GET_PROCESSING_OPTIONS,
        CommandMatch::GenerateAc => ins == Ins::GENERATE_AC,
        CommandMatch::GetData => ins == Ins::GET_DATA,
        CommandMatch::GetResponse => ins == Ins::GET_RESPONSE,
        CommandMatch::ReadRecord { sfi, record } => {
            ins == Ins::READ_RECORD && sfi.is_none_or(|s| cmd.p2() >> 3 == s) && record.is_none_or(|r| cmd.p1() == r)
        }
        CommandMatch::Prefix(p) => cmd.to_vec().starts_with(p),
    }
}

impl Card for ImageCard {
    fn power_on(&mut self) -> Vec<u8> {
        self.selected = None;
        self.gpo_done = false;
        self.muted = false;
        self.pending = None;
        self.matches.iter_mut().for_each(|m| *m = 0);
        let atr = self.image.atr.clone();
        self.log.push(self.clock.now(), Duration::ZERO, EventKind::Reset { atr: RawAtr(atr.clone()) });
        atr
    }

    fn process(&mut self, capdu: &[u8]) -> CardReply {
        let at = self.clock.now();
        let reply = self.answer(capdu);
        let kind = if reply.is_mute() {
            EventKind::Exchange {
                command: capdu.to_vec(),
                response: None,
                error: Some("the card image stayed mute".into()),
                error_kind: Some(TransportErrorKind::Mute),
            }
        } else {
            EventKind::Exchange {
                command: capdu.to_vec(),
                response: Some(RawResponse(reply.rapdu.clone())),
                error: None,
                error_kind: None,
            }
        };
        self.log.push(at, reply.delay, kind);
        reply
    }

    fn power_off(&mut self) {
        self.log.push(self.clock.now(), Duration::ZERO, EventKind::FieldOff { hold_us: 0 });
    }
}
