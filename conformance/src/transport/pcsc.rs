//! Real PC/SC readers through pcsc-lite (cargo feature `pcsc`).

use std::ffi::{CStr, CString};
use std::time::{Duration, Instant};

use pcsc::{Context, Disposition, Error as PcscError, Protocols, Scope, ShareMode, State};

use super::{Atr, RawResponse, ReaderInfo, Transport, TransportError, TransportKind};

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
    match e {
        PcscError::NoService | PcscError::ServiceStopped | PcscError::InvalidHandle => {
            TransportError::NoService { detail: e.to_string() }
        }
        PcscError::NoReadersAvailable | PcscError::UnknownReader | PcscError::ReaderUnavailable => {
            TransportError::NoReader { name: reader.map(str::to_string) }
        }
        PcscError::RemovedCard | PcscError::NoSmartcard => TransportError::CardRemoved,
        PcscError::Timeout => TransportError::Timeout(Duration::ZERO),
        PcscError::UnresponsiveCard => TransportError::Timeout(Duration::ZERO),
        other => TransportError::protocol(format!("PC/SC: {other}")),
    }
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
pub struct Pcsc {
    ctx: Context,
    reader: CString,
    options: PcscOptions,
    card: Option<pcsc::Card>,
    protocol: Option<pcsc::Protocol>,
    buf: Vec<u8>,
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
        let mut me =
            Pcsc { ctx, reader, options, card: None, protocol: None, buf: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED] };
        match me.connect() {
            Ok(()) | Err(TransportError::CardRemoved) => Ok(me),
            Err(e) => Err(e),
        }
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

    fn atr(&self) -> Result<Atr, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        let status = card.status2_owned().map_err(|e| map_err(e, None))?;
        Ok(Atr(status.atr().to_vec()))
    }

    /// Waits up to `timeout` for a card in the reader (after a removal), then connects.
    pub fn wait_for_card(&mut self, timeout: Duration) -> Result<Atr, TransportError> {
        let deadline = Instant::now() + timeout;
        let mut states = [pcsc::ReaderState::new(self.reader.clone(), State::UNAWARE)];
        loop {
            match self.ctx.get_status_change(Duration::ZERO, &mut states) {
                Ok(()) | Err(PcscError::Timeout) => {}
                Err(e) => return Err(map_err(e, None)),
            }
            let s = states[0].event_state();
            if s.contains(State::PRESENT) && !s.contains(State::MUTE) {
                self.connect()?;
                return self.atr();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::Timeout(timeout));
            }
            states[0].sync_current_state();
            match self.ctx.get_status_change(left, &mut states) {
                Ok(()) | Err(PcscError::Timeout) => {}
                Err(e) => return Err(map_err(e, None)),
            }
        }
    }
}

impl Transport for Pcsc {
    fn reset(&mut self) -> Result<Atr, TransportError> {
        let share = self.share();
        let protocols = self.options.protocol.protocols();
        let reconnected = match self.card.as_mut() {
            Some(card) => card.reconnect(share, protocols, Disposition::ResetCard).map_err(|e| map_err(e, None)),
            None => Err(TransportError::CardRemoved),
        };
        match reconnected {
            Ok(()) => {}
            // The handle died with the removed card: a fresh connect finds a reinserted one.
            Err(TransportError::CardRemoved | TransportError::Protocol { .. }) => self.connect()?,
            Err(e) => return Err(e),
        }
        self.protocol = self.card.as_ref().and_then(|c| c.status2_owned().ok()).and_then(|s| s.protocol2());
        self.atr()
    }

    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        match card.transmit(capdu, &mut self.buf) {
            // No status word at all: the card went mute and the reader gave up on it.
            Ok([]) => Err(TransportError::Timeout(Duration::ZERO)),
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
        std::thread::sleep(hold);
        Ok(())
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo {
            kind: TransportKind::Pcsc,
            name: self.reader.to_string_lossy().into_owned(),
            protocol: self.protocol.map(|p| format!("{p:?}").replace('T', "T=")),
        }
    }
}
