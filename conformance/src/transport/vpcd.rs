//! The card side of the vsmartcard `vpcd` driver: serve a [`Card`] to a real pcscd.
//!
//! vpcd (loaded by pcscd from `/etc/reader.conf.d/vpcd`) listens on TCP 35963 for slot 0
//! (reader `Virtual PCD 00 00`) and 35964 for slot 1; the card connects to it. Each message,
//! both ways, is a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is a
//! control code: `00` power off, `01` power on, `02` reset (no reply), `04` get ATR (reply:
//! the ATR). Longer payloads are C-APDUs, answered with data + SW. Closing the socket means
//! the card left the reader.
//!
//! Speed trap (measured on Debian 12): Linux delayed ACKs cost about 40 ms per APDU unless the
//! card side sets `TCP_QUICKACK` after *every* read (the kernel clears it) and writes the
//! length and the payload in one `write`. Both are done here; a round trip then costs tens of
//! microseconds.
//!
//! Any [`crate::transport::Transport`] can be served too, through [`crate::card::TransportCard`]
//! (a real card relayed, or a recorded session replayed to another application).
//!
//! A mute card cannot be expressed in the protocol (vpcd blocks on a 0-byte payload), so a mute
//! answer closes the connection: the card leaves the reader. The server then keeps the reader
//! empty for [`VpcdOptions::removal_hold`] (default [`DEFAULT_REMOVAL_HOLD`]) before it
//! reconnects or returns, so that pcscd's poll (about every 400 ms) sees the card gone: a card
//! back within one poll is taken by pcscd for the same, failed card and never powered again.
//! The same holds after a link that broke (an I/O error).

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::TransportError;
use crate::card::Card;
use crate::clock::{Clock, SystemClock};

/// Default vpcd address (slot 0).
pub const DEFAULT_VPCD_ADDR: &str = "127.0.0.1:35963";

/// vpcd control codes (1-byte payloads).
pub mod control {
    /// Power off.
    pub const POWER_OFF: u8 = 0x00;
    /// Power on.
    pub const POWER_ON: u8 = 0x01;
    /// Reset (no reply expected).
    pub const RESET: u8 = 0x02;
    /// Get ATR (reply with the ATR).
    pub const GET_ATR: u8 = 0x04;
}

/// How the card server behaves.
#[derive(Debug, Clone)]
pub struct VpcdOptions {
    /// vpcd address, `HOST:PORT`.
    pub addr: String,
    /// Reconnect when the connection drops (pcscd restart); otherwise return.
    pub reconnect: bool,
    /// First reconnect delay; doubles up to `max_backoff`.
    pub min_backoff: Duration,
    /// Longest reconnect delay.
    pub max_backoff: Duration,
    /// How often a blocked read wakes up to look at the stop flag.
    pub poll: Duration,
    /// How long the reader stays empty after the card went mute or the link broke, before the
    /// server reconnects or [`VpcdServer::run`] returns: long enough for pcscd to see the
    /// card gone (see the module documentation). The stop flag does not cut it short.
    pub removal_hold: Duration,
}

/// The default [`VpcdOptions::removal_hold`]: two and a half of pcscd's ~400 ms polls
/// (measured with this machine's pcscd and vpcd: a card back within one poll of a failed
/// command is never powered).
pub const DEFAULT_REMOVAL_HOLD: Duration = Duration::from_millis(1000);

impl Default for VpcdOptions {
    fn default() -> Self {
        VpcdOptions {
            addr: DEFAULT_VPCD_ADDR.into(),
            reconnect: true,
            min_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            poll: Duration::from_millis(100),
            removal_hold: DEFAULT_REMOVAL_HOLD,
        }
    }
}

/// What the server saw, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VpcdEvent<'a> {
    /// Connected to vpcd.
    Connected(SocketAddr),
    /// The connection dropped (pcscd stopped, or the card was "removed").
    Disconnected,
    /// Connecting failed (nothing listens: pcscd is not running or has no vpcd reader); the
    /// next try is in `retry_in`, the delay doubling up to `max_backoff`.
    ConnectFailed {
        /// Tries failed in a row so far (1 for the first).
        attempt: u32,
        /// Why.
        error: String,
        /// When the next try is.
        retry_in: Duration,
    },
    /// A control code (power on/off, reset, get ATR).
    Control(u8),
    /// A command was answered (`rapdu` empty: the card stayed mute).
    Apdu {
        /// The C-APDU.
        capdu: &'a [u8],
        /// What the card answered.
        rapdu: &'a [u8],
    },
}

impl VpcdEvent<'_> {
    /// The event as a line of an APDU log: `> C-APDU<TAB>< R-APDU` (PANs and track data
    /// masked), or a `#` comment for the connection's news.
    pub fn log_line(&self) -> String {
        match self {
            VpcdEvent::Connected(peer) => format!("# connected {peer}"),
            VpcdEvent::Disconnected => "# disconnected".into(),
            VpcdEvent::ConnectFailed { error, .. } => format!("# connect failed: {error}"),
            VpcdEvent::Control(code) => format!("# control {code:02X}"),
            VpcdEvent::Apdu { capdu, rapdu } => {
                format!("> {}\t< {}", crate::mask::masked_command_hex(capdu), crate::mask::masked_hex(rapdu))
            }
        }
    }

    /// Whether the event is an exchange with the card (a command or a control code).
    pub fn is_exchange(&self) -> bool {
        matches!(self, VpcdEvent::Control(_) | VpcdEvent::Apdu { .. })
    }
}

/// A vpcd card server: one card, one slot.
pub struct VpcdServer<C> {
    card: C,
    options: VpcdOptions,
    clock: Arc<dyn Clock>,
    stop: Arc<AtomicBool>,
    atr: Option<Vec<u8>>,
    went_mute: bool,
}

impl<C> std::fmt::Debug for VpcdServer<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VpcdServer").field("options", &self.options).finish_non_exhaustive()
    }
}

impl<C: Card> VpcdServer<C> {
    /// A server for `card`; card delays and reconnect backoff go through the system clock.
    pub fn new(card: C, options: VpcdOptions) -> Self {
        VpcdServer {
            card,
            options,
            clock: Arc::new(SystemClock::new()),
            stop: Arc::default(),
            atr: None,
            went_mute: false,
        }
    }

    /// Replaces the clock that card processing delays and reconnect backoff sleep on.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A flag that, once set, makes [`VpcdServer::run`] return within `poll`.
    pub fn stop_handle(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// The card, to inspect its state after the run.
    pub fn into_card(self) -> C {
        self.card
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Connects (retrying with backoff) and serves until stopped, or until the connection
    /// drops when `reconnect` is off. `on_event` sees every connection change and APDU. After
    /// a mute answer or a broken link the reader stays empty for
    /// [`VpcdOptions::removal_hold`] first.
    pub fn run(&mut self, on_event: &mut dyn FnMut(VpcdEvent<'_>)) -> Result<(), TransportError> {
        let mut backoff = self.options.min_backoff;
        let mut attempt = 0u32;
        loop {
            if self.stopped() {
                return Ok(());
            }
            let stream = match connect(&self.options.addr) {
                Ok(s) => s,
                Err(e) if self.options.reconnect => {
                    // A bad address stays bad: only a refused or dropped connection is retried.
                    let unusable = match &e {
                        TransportError::VpcdNoAddress { .. } => true,
                        TransportError::Io(io) => matches!(io.kind(), ErrorKind::InvalidInput | ErrorKind::InvalidData),
                        _ => false,
                    };
                    if unusable {
                        return Err(e);
                    }
                    attempt = attempt.saturating_add(1);
                    on_event(VpcdEvent::ConnectFailed { attempt, error: e.to_string(), retry_in: backoff });
                    self.sleep_unless_stopped(backoff);
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    continue;
                }
                Err(e) => return Err(e),
            };
            backoff = self.options.min_backoff;
            attempt = 0;
            if let Ok(peer) = stream.peer_addr() {
                on_event(VpcdEvent::Connected(peer));
            }
            self.went_mute = false;
            let r = self.serve_connection(stream, on_event);
            self.card.power_off();
            self.atr = None;
            on_event(VpcdEvent::Disconnected);
            if self.went_mute || r.is_err() {
                // Not cut short by the stop flag: whoever serves this slot next must find a
                // reader pcscd has seen empty.
                self.clock.sleep(self.options.removal_hold);
            }
            match r {
                Ok(()) if self.stopped() => return Ok(()),
                Ok(()) | Err(_) if self.options.reconnect => self.sleep_unless_stopped(self.options.min_backoff),
                Ok(()) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn sleep_unless_stopped(&self, d: Duration) {
        let step = Duration::from_millis(10);
        let mut left = d;
        while !left.is_zero() && !self.stopped() {
            let s = left.min(step);
            self.clock.sleep(s);
            left -= s;
        }
    }

    /// Serves one connection; returns `Ok` when vpcd closes it or the stop flag is set.
    pub fn serve_connection(
        &mut self,
        stream: TcpStream,
        on_event: &mut dyn FnMut(VpcdEvent<'_>),
    ) -> Result<(), TransportError> {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(self.options.poll))?;
        let sock = socket2::SockRef::from(&stream);
        let mut buf = vec![0u8; 2 + 0xFFFF];
        let mut out = Vec::with_capacity(2 + 0xFFFF);
        loop {
            // Re-armed after every read: the kernel drops QUICKACK once it has acked.
            let _ = sock.set_tcp_quickack(true);
            if !self.read_full(&stream, &mut buf[..2])? {
                return Ok(());
            }
            let len = usize::from(u16::from_be_bytes([buf[0], buf[1]]));
            if !self.read_full(&stream, &mut buf[..len])? {
                return Ok(());
            }
            let _ = sock.set_tcp_quickack(true);
            out.clear();
            out.extend_from_slice(&[0, 0]);
            if len == 1 {
                let code = buf[0];
                on_event(VpcdEvent::Control(code));
                match code {
                    control::POWER_OFF => {
                        self.card.power_off();
                        self.atr = None;
                        continue;
                    }
                    control::POWER_ON | control::RESET => {
                        if self.atr.is_some() {
                            self.card.power_off();
                        }
                        self.atr = Some(self.card.power_on());
                        continue;
                    }
                    control::GET_ATR => {
                        let atr = match &self.atr {
                            Some(a) => a.clone(),
                            None => {
                                let a = self.card.power_on();
                                self.atr = Some(a.clone());
                                a
                            }
                        };
                        out.extend_from_slice(&atr);
                    }
                    _ => continue,
                }
            } else {
                let reply = self.card.process(&buf[..len]);
                if !reply.delay.is_zero() {
                    self.clock.sleep(reply.delay);
                }
                on_event(VpcdEvent::Apdu { capdu: &buf[..len], rapdu: &reply.rapdu });
                if reply.is_mute() {
                    // vpcd cannot carry "no answer": a 0-byte frame blocks its recv for good.
                    // A mute card is what a reader then sees as a card that left the field.
                    self.went_mute = true;
                    return Ok(());
                }
                out.extend_from_slice(&reply.rapdu);
            }
            let n = u16::try_from(out.len() - 2).unwrap_or(u16::MAX);
            out[..2].copy_from_slice(&n.to_be_bytes());
            out.truncate(2 + usize::from(n));
            // Length and payload in one write: two small writes would meet Nagle/delayed ACK.
            (&stream).write_all(&out)?;
        }
    }

    /// Fills `buf`; `Ok(false)` on a clean close or on stop before the first byte.
    fn read_full(&self, mut stream: &TcpStream, buf: &mut [u8]) -> Result<bool, TransportError> {
        let mut got = 0;
        while got < buf.len() {
            match stream.read(&mut buf[got..]) {
                Ok(0) if got == 0 => return Ok(false),
                Ok(0) => return Err(TransportError::VpcdTruncatedFrame { declared: buf.len(), received: got }),
                Ok(n) => got += n,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if self.stopped() {
                        return Ok(false);
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(true)
    }
}

fn connect(addr: &str) -> Result<TcpStream, TransportError> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&a, Duration::from_secs(2)) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(|| TransportError::VpcdNoAddress { addr: addr.to_string() }, TransportError::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardReply;
    use std::net::TcpListener;

    struct Counter(u8);
    impl Card for Counter {
        fn power_on(&mut self) -> Vec<u8> {
            self.0 = 0;
            vec![0x3B, 0x80, 0x80, 0x01, 0x01]
        }
        fn process(&mut self, capdu: &[u8]) -> CardReply {
            self.0 += 1;
            CardReply::data(&[capdu[1], self.0], 0x9000)
        }
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut v = (payload.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(payload);
        v
    }

    fn read_frame(s: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut v = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut v).unwrap();
        v
    }

    #[test]
    fn a_frame_cut_by_the_close_is_a_truncated_frame() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let card_side = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut vpcd_side, _) = listener.accept().unwrap();
        // A 5-byte C-APDU announced, 2 bytes of it sent, then the connection closes.
        vpcd_side.write_all(&[0x00, 0x05, 0x00, 0xA4]).unwrap();
        drop(vpcd_side);
        let mut server = VpcdServer::new(Counter(0), VpcdOptions::default());
        let err = server.serve_connection(card_side, &mut |_| {}).unwrap_err();
        assert!(matches!(err, TransportError::VpcdTruncatedFrame { declared: 5, received: 2 }), "{err:?}");
    }

    /// Plays vpcd's side of the protocol against the server, over loopback.
    #[test]
    fn speaks_vpcd_framing_and_controls_and_reconnects() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let opts = VpcdOptions { addr, poll: Duration::from_millis(20), ..VpcdOptions::default() };
        let mut server = VpcdServer::new(Counter(0), opts);
        let stop = server.stop_handle();
        let th = std::thread::spawn(move || {
            let mut events = Vec::new();
            server
                .run(&mut |e| {
                    events.push(match e {
                        VpcdEvent::Connected(_) => "connected".to_string(),
                        VpcdEvent::Disconnected => "disconnected".into(),
                        VpcdEvent::ConnectFailed { attempt, .. } => format!("connect failed {attempt}"),
                        VpcdEvent::Control(c) => format!("control {c:02X}"),
                        VpcdEvent::Apdu { capdu, rapdu } => format!("{} -> {}", hex::encode(capdu), hex::encode(rapdu)),
                    })
                })
                .unwrap();
            events
        });
        for round in 0..2 {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(&frame(&[control::POWER_ON])).unwrap();
            s.write_all(&frame(&[control::GET_ATR])).unwrap();
            assert_eq!(read_frame(&mut s), [0x3B, 0x80, 0x80, 0x01, 0x01]);
            s.write_all(&frame(&[0x00, 0xB0, 0x00, 0x00, 0x00])).unwrap();
            assert_eq!(read_frame(&mut s), [0xB0, 0x01, 0x90, 0x00]);
            s.write_all(&frame(&[control::RESET])).unwrap();
            s.write_all(&frame(&[0x00, 0xCA, 0x00, 0x00, 0x00])).unwrap();
            assert_eq!(read_frame(&mut s), [0xCA, 0x01, 0x90, 0x00], "round {round}: reset restarts the card");
            drop(s);
        }
        stop.store(true, Ordering::Relaxed);
        let events = th.join().unwrap();
        assert!(events.iter().filter(|e| *e == "connected").count() >= 2, "{events:?}");
        assert!(events.contains(&"00b0000000 -> b0019000".to_string()), "{events:?}");
    }

    #[test]
    fn events_log_as_masked_lines() {
        let peer: SocketAddr = "127.0.0.1:35963".parse().unwrap();
        assert_eq!(VpcdEvent::Connected(peer).log_line(), "# connected 127.0.0.1:35963");
        assert_eq!(VpcdEvent::Control(4).log_line(), "# control 04");
        let failed = VpcdEvent::ConnectFailed { attempt: 1, error: "refused".into(), retry_in: Duration::ZERO };
        assert_eq!(failed.log_line(), "# connect failed: refused");
        assert!(!failed.is_exchange() && !VpcdEvent::Disconnected.is_exchange());
        let record = hex::decode("70105A0854133300896000105F24032512319000").unwrap();
        let apdu = VpcdEvent::Apdu { capdu: &[0x00, 0xB2, 0x01, 0x0C, 0x00], rapdu: &record };
        assert!(apdu.is_exchange());
        let line = apdu.log_line();
        assert!(line.starts_with("> 00B2010C00\t< 70") && !line.contains("5413330089600010"), "{line}");
    }

    /// A card that goes mute on its second command.
    struct MuteSecond(u8);
    impl Card for MuteSecond {
        fn power_on(&mut self) -> Vec<u8> {
            vec![0x3B, 0x00]
        }
        fn process(&mut self, _capdu: &[u8]) -> CardReply {
            self.0 += 1;
            if self.0 >= 2 { CardReply::mute() } else { CardReply::data(&[], 0x9000) }
        }
    }

    /// After a mute answer the reader stays empty for the removal hold: on the server's clock,
    /// `run` returns no sooner; a clean close by vpcd holds nothing.
    #[test]
    fn a_mute_card_keeps_the_reader_empty_for_the_removal_hold() {
        use crate::clock::ManualClock;
        for mute in [true, false] {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap().to_string();
            let hold = Duration::from_millis(1500);
            let opts = VpcdOptions { addr, reconnect: false, removal_hold: hold, ..VpcdOptions::default() };
            let clock = ManualClock::new(Duration::ZERO, Duration::ZERO);
            let mut server = VpcdServer::new(MuteSecond(0), opts).with_clock(Arc::new(clock.clone()));
            let th = std::thread::spawn(move || server.run(&mut |_| {}));
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(&frame(&[0x00, 0xB0, 0x00, 0x00, 0x00])).unwrap();
            assert_eq!(read_frame(&mut s), [0x90, 0x00]);
            if mute {
                s.write_all(&frame(&[0x00, 0xB0, 0x00, 0x00, 0x00])).unwrap();
            }
            drop(s);
            th.join().unwrap().unwrap();
            let want = if mute { hold } else { Duration::ZERO };
            assert_eq!(clock.now(), want, "mute: {mute}");
        }
    }
}
