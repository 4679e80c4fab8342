//! Real PC/SC readers through pcsc-lite (cargo feature `pcsc`).

use std::ffi::{CStr, CString};
use std::sync::Arc;
use std::time::Duration;

use pcsc::{Context, Disposition, Error as PcscError, Protocols, Scope, ShareMode, State};

use super::{CardPresence, PcscCode, RawAtr, RawResponse, ReaderInfo, Transport, TransportError, TransportKind};
use crate::clock::{Clock, SystemClock};

/// Most reader state changes [`Pcsc::wait_for`] looks at before it gives up early: a reader
/// that flaps without ever reaching the wanted state cannot keep it waiting past its bound
/// when the clock does not move (a `ManualClock`).
const MAX_STATE_CHANGES: usize = 1000;

/// Which T= protocol to ask the reader for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PcscProtocol {
    /// T=0 only.
    T0,
    /// T=1 only.
    T1,
    /// Whatever the card and reader agree on.
    #[default]
    Any,
}

impl PcscProtocol {
    fn protocols(self) -> Protocols {
        match self {
            PcscProtocol::T0 => Protocols::T0,
            PcscProtocol::T1 => Protocols::T1,
            PcscProtocol::Any => Protocols::ANY,
        }
    }
}

/// How to connect.
#[derive(Debug, Clone, Default)]
pub struct PcscOptions {
    /// Reader name, or a part of it; `None`: the first reader with a card, else the first.
    pub reader: Option<String>,
    /// Protocol to negotiate.
    pub protocol: PcscProtocol,
    /// Exclusive access (no other application may talk to the card meanwhile).
    pub exclusive: bool,
}

/// A reader as listed by pcscd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderStatus {
    /// Reader name.
    pub name: String,
    /// State flags (`present`, `empty`, `exclusive`, `inuse`, `mute`, `unpowered`, `unavailable`).
    pub state: Vec<&'static str>,
    /// ATR of the card in the reader, if one is present.
    pub atr: Option<Vec<u8>>,
}

impl ReaderStatus {
    /// Whether a card is in the reader.
    pub fn card_present(&self) -> bool {
        self.state.contains(&"present")
    }
}

fn map_err(e: PcscError, reader: Option<&str>) -> TransportError {
    // pcsc::Error is `repr(u32)` with the SCARD_* values as discriminants.
    let code = PcscCode(e as u32);
    match e {
        PcscError::NoService | PcscError::ServiceStopped | PcscError::InvalidHandle => {
            TransportError::NoService { code }
        }
        PcscError::NoReadersAvailable | PcscError::UnknownReader | PcscError::ReaderUnavailable => {
            TransportError::NoReader { name: reader.map(str::to_string) }
        }
        PcscError::RemovedCard | PcscError::NoSmartcard => TransportError::CardRemoved,
        // The reader driver gave up on the card after a time of its own, which it does not report.
        PcscError::Timeout | PcscError::UnresponsiveCard => TransportError::Unresponsive,
        _ => TransportError::Pcsc { code },
    }
}

/// A reader state as a presence: a card that is in the field but gave no ATR (`MUTE`) counts
/// as absent, since nothing can talk to it.
fn presence_of(s: State) -> CardPresence {
    if s.contains(State::PRESENT) && !s.contains(State::MUTE) { CardPresence::Present } else { CardPresence::Absent }
}

fn state_names(s: State) -> Vec<&'static str> {
    let table = [
        (State::PRESENT, "present"),
        (State::EMPTY, "empty"),
        (State::EXCLUSIVE, "exclusive"),
        (State::INUSE, "inuse"),
        (State::MUTE, "mute"),
        (State::UNPOWERED, "unpowered"),
        (State::UNAVAILABLE, "unavailable"),
        (State::IGNORE, "ignore"),
    ];
    table.iter().filter(|(f, _)| s.contains(*f)).map(|(_, n)| *n).collect()
}

fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(|e| map_err(e, None))
}

fn reader_states(ctx: &Context) -> Result<Vec<pcsc::ReaderState>, TransportError> {
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(PcscError::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(map_err(e, None)),
    };
    let mut states: Vec<_> = names.into_iter().map(|n| pcsc::ReaderState::new(n, State::UNAWARE)).collect();
    if !states.is_empty() {
        ctx.get_status_change(Duration::ZERO, &mut states).map_err(|e| map_err(e, None))?;
    }
    Ok(states)
}

/// Lists the readers pcscd knows, their state and the ATR of the card present.
pub fn list_readers() -> Result<Vec<ReaderStatus>, TransportError> {
    let ctx = establish()?;
    Ok(reader_states(&ctx)?
        .iter()
        .map(|s| {
            let state = state_names(s.event_state());
            let atr = state.contains(&"present").then(|| s.atr().to_vec());
            ReaderStatus { name: s.name().to_string_lossy().into_owned(), state, atr }
        })
        .collect())
}

/// A card in a PC/SC reader.
///
/// Field-off holds and presence waits are timed on the injected [`Clock`]
/// ([`SystemClock`] unless [`Pcsc::with_clock`] says otherwise).
pub struct Pcsc {
    ctx: Context,
    reader: CString,
    options: PcscOptions,
    card: Option<pcsc::Card>,
    protocol: Option<pcsc::Protocol>,
    buf: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Pcsc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pcsc").field("reader", &self.reader).field("protocol", &self.protocol).finish_non_exhaustive()
    }
}

impl Pcsc {
    /// Picks the reader; connects to the card if one is present (else on the first reset).
    pub fn open(options: PcscOptions) -> Result<Self, TransportError> {
        let ctx = establish()?;
        let states = reader_states(&ctx)?;
        let wanted = options.reader.as_deref();
        let pick = match wanted {
            Some(w) => states
                .iter()
                .find(|s| s.name().to_bytes() == w.as_bytes())
                .or_else(|| states.iter().find(|s| s.name().to_string_lossy().contains(w))),
            None => states.iter().find(|s| s.event_state().contains(State::PRESENT)).or_else(|| states.first()),
        };
        let reader = pick
            .map(|s| s.name().to_owned())
            .ok_or_else(|| TransportError::NoReader { name: wanted.map(str::to_string) })?;
        let mut me = Pcsc {
            ctx,
            reader,
            options,
            card: None,
            protocol: None,
            buf: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
            clock: Arc::new(SystemClock::new()),
        };
        match me.connect() {
            Ok(()) | Err(TransportError::CardRemoved) => Ok(me),
            Err(e) => Err(e),
        }
    }

    /// Replaces the clock that field-off holds and presence waits are timed on.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The reader's vendor name and firmware version (`SCARD_ATTR_VENDOR_NAME`,
    /// `SCARD_ATTR_VENDOR_IFD_VERSION`), each where the driver exposes it (many do not; vpcd
    /// does not). Needs a connected card; `(None, None)` without one.
    pub fn vendor_attributes(&self) -> (Option<String>, Option<String>) {
        let Some(card) = self.card.as_ref() else { return (None, None) };
        let mut buf = [0u8; 256];
        let vendor = card.get_attribute(pcsc::Attribute::VendorName, &mut buf).ok().and_then(|b| {
            let text = String::from_utf8_lossy(b.split(|&c| c == 0).next().unwrap_or_default()).trim().to_string();
            (!text.is_empty()).then_some(text)
        });
        // DWORD 0xMMmmbbbb: major, minor, build (PC/SC part 3).
        let firmware = card.get_attribute(pcsc::Attribute::VendorIfdVersion, &mut buf).ok().and_then(|b| {
            let v = u32::from_le_bytes(b.get(..4)?.try_into().ok()?);
            Some(format!("{}.{}.{}", v >> 24, (v >> 16) & 0xFF, v & 0xFFFF))
        });
        (vendor, firmware)
    }

    /// The reader name.
    pub fn reader_name(&self) -> &CStr {
        &self.reader
    }

    fn share(&self) -> ShareMode {
        if self.options.exclusive { ShareMode::Exclusive } else { ShareMode::Shared }
    }

    fn connect(&mut self) -> Result<(), TransportError> {
        self.card = None;
        let card = self
            .ctx
            .connect(&self.reader, self.share(), self.options.protocol.protocols())
            .map_err(|e| map_err(e, Some(&self.reader.to_string_lossy())))?;
        self.protocol = card.status2_owned().ok().and_then(|s| s.protocol2());
        self.card = Some(card);
        Ok(())
    }

    fn atr(&self) -> Result<RawAtr, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        let status = card.status2_owned().map_err(|e| map_err(e, None))?;
        Ok(RawAtr(status.atr().to_vec()))
    }

    /// The reader's state now, from pcscd's `SCardGetStatusChange`.
    fn reader_state(&self) -> Result<pcsc::ReaderState, TransportError> {
        let mut states = [pcsc::ReaderState::new(self.reader.clone(), State::UNAWARE)];
        match self.ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(PcscError::Timeout) => {}
            Err(e) => return Err(map_err(e, Some(&self.reader.to_string_lossy()))),
        }
        let [state] = states;
        Ok(state)
    }
}

impl Transport for Pcsc {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        let share = self.share();
        let protocols = self.options.protocol.protocols();
        let reconnected = match self.card.as_mut() {
            Some(card) => card.reconnect(share, protocols, Disposition::ResetCard).map_err(|e| map_err(e, None)),
            None => Err(TransportError::CardRemoved),
        };
        match reconnected {
            Ok(()) => {}
            // The handle died with the removed card: a fresh connect finds a reinserted one.
            Err(TransportError::CardRemoved | TransportError::Pcsc { .. }) => self.connect()?,
            Err(e) => return Err(e),
        }
        self.protocol = self.card.as_ref().and_then(|c| c.status2_owned().ok()).and_then(|s| s.protocol2());
        self.atr()
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        match card.transmit(capdu, &mut self.buf) {
            // No status word at all: the card went mute and the reader gave up on it.
            Ok([]) => Err(TransportError::Unresponsive),
            Ok(r) => Ok(RawResponse(r.to_vec())),
            Err(e) => {
                let err = map_err(e, None);
                if matches!(err, TransportError::CardRemoved) {
                    self.card = None;
                }
                Err(err)
            }
        }
    }

    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        if let Some(card) = self.card.take() {
            card.disconnect(Disposition::UnpowerCard).map_err(|(_, e)| map_err(e, None))?;
        }
        self.clock.sleep(hold);
        Ok(())
    }

    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        Ok(presence_of(self.reader_state()?.event_state()))
    }

    /// Blocks in `SCardGetStatusChange` until pcscd reports the wanted state (it polls its
    /// readers about every 400 ms), for at most `timeout` on the clock and
    /// 1000 state changes. A card that arrives is not connected yet: the next
    /// [`Transport::reset`] does that.
    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        let start = self.clock.now();
        let mut state = self.reader_state()?;
        for _ in 0..MAX_STATE_CHANGES {
            if presence_of(state.event_state()) == want {
                return Ok(());
            }
            let left = timeout.saturating_sub(self.clock.now().saturating_sub(start));
            if left.is_zero() {
                break;
            }
            state.sync_current_state();
            let mut states = [state];
            match self.ctx.get_status_change(left, &mut states) {
                Ok(()) | Err(PcscError::Timeout) => {}
                Err(e) => return Err(map_err(e, Some(&self.reader.to_string_lossy()))),
            }
            [state] = states;
        }
        Err(TransportError::PresenceTimeout { want, waited: self.clock.now().saturating_sub(start) })
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo {
            kind: TransportKind::Pcsc,
            name: self.reader.to_string_lossy().into_owned(),
            protocol: self.protocol.map(|p| format!("{p:?}").replace('T', "T=")),
        }
    }
}
