//! One transport layered on another: [`Layered`] forwards every [`Transport`] method to the
//! inner transport except those its [`Intercept`] overrides. A layer (the T=0 GET RESPONSE
//! loop, a recorder, a planted fault, a check, a test double) writes only what it changes.
//!
//! ```
//! use tapcert_conformance::card::{Card, CardReply};
//! use tapcert_conformance::transport::{InProcess, Intercept, Layered, RawResponse, Transport, TransportError};
//!
//! struct Echo;
//! impl Card for Echo {
//!     fn power_on(&mut self) -> Vec<u8> { vec![0x3B, 0x00] }
//!     fn process(&mut self, capdu: &[u8]) -> CardReply { CardReply::data(capdu, 0x9000) }
//! }
//!
//! /// Counts the commands; everything else goes straight through.
//! #[derive(Default)]
//! struct Count(usize);
//! impl<T: Transport> Intercept<T> for Count {
//!     fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
//!         self.0 += 1;
//!         inner.transmit(capdu)
//!     }
//! }
//!
//! let mut t = Layered::with(InProcess::new(Echo), Count::default());
//! t.reset().unwrap();
//! t.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
//! assert_eq!((t.layer().0, t.info().name.as_str()), (1, "in-process"));
//! ```

use std::time::Duration;

use super::{CardPresence, RawAtr, RawResponse, ReaderInfo, Transport, TransportError};

/// What a layer does with each call before (or instead of) the inner transport; every method
/// forwards unless overridden.
pub trait Intercept<T: Transport> {
    /// [`Transport::reset`].
    fn reset(&mut self, inner: &mut T) -> Result<RawAtr, TransportError> {
        inner.reset()
    }
    /// [`Transport::transmit`].
    fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        inner.transmit(capdu)
    }
    /// [`Transport::field_off`].
    fn field_off(&mut self, inner: &mut T, hold: Duration) -> Result<(), TransportError> {
        inner.field_off(hold)
    }
    /// [`Transport::presence`].
    fn presence(&mut self, inner: &mut T) -> Result<CardPresence, TransportError> {
        inner.presence()
    }
    /// [`Transport::wait_for`].
    fn wait_for(&mut self, inner: &mut T, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        inner.wait_for(want, timeout)
    }
    /// [`Transport::info`].
    fn info(&self, inner: &T) -> ReaderInfo {
        inner.info()
    }
}

/// A transport `T` with the layer `L` on top.
#[derive(Debug)]
pub struct Layered<T, L> {
    inner: T,
    layer: L,
}

impl<T, L> Layered<T, L> {
    /// `layer` on top of `inner`.
    pub fn with(inner: T, layer: L) -> Self {
        Layered { inner, layer }
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped transport, the layer dropped.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The layer.
    pub fn layer(&self) -> &L {
        &self.layer
    }

    /// The layer.
    pub fn layer_mut(&mut self) -> &mut L {
        &mut self.layer
    }

    /// The wrapped transport and the layer.
    pub fn split(self) -> (T, L) {
        (self.inner, self.layer)
    }
}

impl<T: Transport, L: Intercept<T>> Transport for Layered<T, L> {
    fn reset(&mut self) -> Result<RawAtr, TransportError> {
        self.layer.reset(&mut self.inner)
    }
    fn transmit(&mut self, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        self.layer.transmit(&mut self.inner, capdu)
    }
    fn field_off(&mut self, hold: Duration) -> Result<(), TransportError> {
        self.layer.field_off(&mut self.inner, hold)
    }
    fn presence(&mut self) -> Result<CardPresence, TransportError> {
        self.layer.presence(&mut self.inner)
    }
    fn wait_for(&mut self, want: CardPresence, timeout: Duration) -> Result<(), TransportError> {
        self.layer.wait_for(&mut self.inner, want, timeout)
    }
    fn info(&self) -> ReaderInfo {
        self.layer.info(&self.inner)
    }
}
