//! Any [`Transport`] served as a [`Card`]: a real card or a recording relayed to a reader.

use std::time::Duration;

use super::{Card, CardReply};
use crate::transport::{Transport, TransportError};

/// Serves a [`Transport`] as a [`Card`], so that a real card behind a PC/SC reader, or a
/// [`crate::transport::Replay`] of a recorded session, can be put behind vpcd
/// ([`crate::transport::vpcd::VpcdServer`]) or [`crate::transport::InProcess`].
///
/// What the transport answers is passed on byte for byte. A transport error has no place in
/// what a card can say to a reader: the card stays mute (and, for `power_on`, answers an empty
/// ATR, which vpcd reads as "no card"). The last error is kept for the caller.
#[derive(Debug)]
pub struct TransportCard<T> {
    inner: T,
    last_error: Option<TransportError>,
}

impl<T: Transport> TransportCard<T> {
    /// Relays `inner`.
    pub fn new(inner: T) -> Self {
        TransportCard { inner, last_error: None }
    }

    /// The error behind the last mute answer or empty ATR, if any.
    pub fn last_error(&self) -> Option<&TransportError> {
        self.last_error.as_ref()
    }

    /// The relayed transport.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The relayed transport, when done.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport + Send> Card for TransportCard<T> {
    fn power_on(&mut self) -> Vec<u8> {
        match self.inner.reset() {
            Ok(atr) => atr.0,
            Err(e) => {
                self.last_error = Some(e);
                Vec::new()
            }
        }
    }

    fn process(&mut self, capdu: &[u8]) -> CardReply {
        match self.inner.transmit(capdu) {
            // The transport's latency has passed already (on its clock): no extra delay.
            Ok(r) => CardReply::new(r.0),
            Err(e) => {
                self.last_error = Some(e);
                CardReply::mute()
            }
        }
    }

    fn power_off(&mut self) {
        if let Err(e) = self.inner.field_off(Duration::ZERO) {
            self.last_error = Some(e);
        }
    }
}
