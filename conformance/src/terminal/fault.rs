//! Planted terminal faults: deliberate mistakes the reference terminal makes on request, so
//! that the terminal suite (`certify::terminal`) can be shown to catch each one.
//!
//! For testing the terminal suite only. [`TerminalConfig::faults`](super::TerminalConfig) is
//! empty by default and nothing in tapcert sets it except `--terminal-fault` and the tests.
//! Faults in the transaction (unpredictable number, PDOL data, amount, AID-list fallback, AFL)
//! live in [`super::read_emv`] behind [`TerminalConfig::has_fault`](super::TerminalConfig);
//! faults of the T=0 layer (61xx, 6Cxx) live in [`FaultyLink`], which [`terminal_link`] puts
//! under [`crate::transport::T0`].

use std::fmt;
use tapcert_parsers::apdu::StatusWord;

use super::config::TerminalConfig;
use crate::transport::{Intercept, Layered, RawResponse, T0, Transport, TransportError};

/// One planted terminal fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TerminalFault {
    /// The unpredictable number (9F37) is [`CONSTANT_UNPREDICTABLE_NUMBER`] in every
    /// transaction.
    ConstantUnpredictableNumber,
    /// The PDOL data sent in GPO is one byte short (its last byte dropped).
    PdolShort,
    /// The PDOL data sent in GPO is one byte long (a `00` appended).
    PdolLong,
    /// When the PPSE is absent the terminal gives up instead of selecting from its AID list.
    NoAidFallback,
    /// After the AFL's records, the terminal reads one record past the last AFL entry.
    ReadPastAfl,
    /// On `61xx` the terminal re-sends the command ([`RESEND_61_LIMIT`] times) before it asks
    /// for the data with GET RESPONSE.
    Resend61,
    /// On `6Cxx` the terminal first re-sends the command with its old Le.
    Ignore6C,
    /// The amount (9F02) sent is one minor unit off the configured one (its lowest bit
    /// flipped, so that every amount changes, the largest n12 one included).
    WrongAmount,
    /// Terminal action analysis is skipped: the first GENERATE AC always asks for an ARQC,
    /// whatever the TVR, the IACs and the TACs call for (a declined or offline-approvable card
    /// is sent online).
    AlwaysArqc,
}

/// The unpredictable number of [`TerminalFault::ConstantUnpredictableNumber`].
pub const CONSTANT_UNPREDICTABLE_NUMBER: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

/// How often [`TerminalFault::Resend61`] re-sends a command answered with `61xx`: bounded, so
/// that the faulty terminal still ends.
pub const RESEND_61_LIMIT: usize = 8;

impl TerminalFault {
    /// Every fault, in declaration order.
    pub const ALL: [TerminalFault; 9] = [
        TerminalFault::ConstantUnpredictableNumber,
        TerminalFault::PdolShort,
        TerminalFault::PdolLong,
        TerminalFault::NoAidFallback,
        TerminalFault::ReadPastAfl,
        TerminalFault::Resend61,
        TerminalFault::Ignore6C,
        TerminalFault::WrongAmount,
        TerminalFault::AlwaysArqc,
    ];

    /// The name `--terminal-fault` takes (`constant-un`, `pdol-short`, ...).
    pub fn name(self) -> &'static str {
        match self {
            TerminalFault::ConstantUnpredictableNumber => "constant-un",
            TerminalFault::PdolShort => "pdol-short",
            TerminalFault::PdolLong => "pdol-long",
            TerminalFault::NoAidFallback => "no-aid-fallback",
            TerminalFault::ReadPastAfl => "read-past-afl",
            TerminalFault::Resend61 => "resend-on-61",
            TerminalFault::Ignore6C => "ignore-6c",
            TerminalFault::WrongAmount => "wrong-amount",
            TerminalFault::AlwaysArqc => "always-arqc",
        }
    }

    /// The fault named `name`.
    pub fn from_name(name: &str) -> Option<TerminalFault> {
        TerminalFault::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The faults named (`--terminal-fault` values), in order.
    pub fn from_names(names: &[String]) -> Result<Vec<TerminalFault>, UnknownFault> {
        names.iter().map(|n| TerminalFault::from_name(n).ok_or_else(|| UnknownFault(n.clone()))).collect()
    }
}

/// A name that is no [`TerminalFault`]; the message lists the names there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<&str> = TerminalFault::ALL.iter().map(|f| f.name()).collect();
        write!(f, "--terminal-fault {:?}: one of {}", self.0, all.join(", "))
    }
}

impl std::error::Error for UnknownFault {}

impl fmt::Display for TerminalFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reference terminal's link to a card: the T=0 layer over `t`, with the T=0 faults of
/// `config` planted beneath it (none by default).
pub fn terminal_link<T: Transport>(t: T, config: &TerminalConfig) -> T0<FaultyLink<T>> {
    T0::new(Layered::with(
        t,
        T0Faults {
            resend_61: config.has_fault(TerminalFault::Resend61),
            ignore_6c: config.has_fault(TerminalFault::Ignore6C),
        },
    ))
}

/// A link that answers `61xx` and `6Cxx` wrongly before handing them up to the T=0 layer.
pub type FaultyLink<T> = Layered<T, T0Faults>;

/// The layer of [`FaultyLink`]: which T=0 faults are planted.
#[derive(Debug, Clone, Copy, Default)]
pub struct T0Faults {
    resend_61: bool,
    ignore_6c: bool,
}

impl<T: Transport> Intercept<T> for T0Faults {
    fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        let mut resp = inner.transmit(capdu)?;
        let sw1 = |r: &RawResponse| r.sw().map(|sw| StatusWord(sw).sw1());
        if self.ignore_6c && sw1(&resp) == Some(0x6C) {
            resp = inner.transmit(capdu)?;
        }
        // GET RESPONSE itself is answered by the T=0 layer above; re-sending it is not the
        // fault planted here.
        let is_get_response = capdu.get(1) == Some(&0xC0);
        if self.resend_61 && !is_get_response {
            for _ in 0..RESEND_61_LIMIT {
                if sw1(&resp) != Some(0x61) {
                    break;
                }
                resp = inner.transmit(capdu)?;
            }
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in TerminalFault::ALL {
            assert_eq!(TerminalFault::from_name(f.name()), Some(f));
        }
        assert_eq!(TerminalFault::from_name("nope"), None);
    }
}
