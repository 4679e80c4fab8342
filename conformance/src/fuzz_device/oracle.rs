//! What counts as an anomaly after a case, and the response signatures that steer the run.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tapcert_parsers::tlv::decode_emv_tlv;

use crate::transport::{TransportError, TransportErrorKind};

/// The kinds of anomaly a case can show (`findings.json` `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The card did not answer (a transport timeout), to the case or to the liveness check.
    Mute,
    /// The link failed otherwise (card gone, reader fault).
    Transport,
    /// A status word the specification does not allow for that mutation (9000 to a malformed
    /// GPO, `6Fxx` no precise diagnosis, an undefined SW1), or a liveness check not answered
    /// `9000`.
    UnexpectedSw,
    /// `9000` with data that does not parse where it must be BER-TLV, or no status word.
    Unparsable,
    /// Balance or ATC changed when nothing in the case may change it.
    State,
    /// The answer came after the latency budget.
    Latency,
}

impl FindingKind {
    /// Every kind.
    pub const ALL: [FindingKind; 6] = [
        FindingKind::Mute,
        FindingKind::Transport,
        FindingKind::UnexpectedSw,
        FindingKind::Unparsable,
        FindingKind::State,
        FindingKind::Latency,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Mute => "mute",
            FindingKind::Transport => "transport",
            FindingKind::UnexpectedSw => "unexpected-sw",
            FindingKind::Unparsable => "unparsable",
            FindingKind::State => "state",
            FindingKind::Latency => "latency",
        }
    }

    /// The kind of a transport error: a mute card, or another link fault.
    pub fn of_error(e: &TransportError) -> FindingKind {
        if e.kind() == TransportErrorKind::Mute { FindingKind::Mute } else { FindingKind::Transport }
    }

    /// Whether the card may need recovering after it.
    pub fn is_crash(self) -> bool {
        matches!(self, FindingKind::Mute | FindingKind::Transport)
    }

    /// The requirement a reproducer of this kind cites.
    pub fn requirement(self) -> &'static str {
        match self {
            FindingKind::Mute | FindingKind::Transport => {
                "ISO/IEC 7816-4 §5.6: after an error answer the card still answers the next command"
            }
            FindingKind::UnexpectedSw => "ISO/IEC 7816-4 §5.6, EMV Book 3 §6.5: status words the command allows",
            FindingKind::Unparsable => "EMV Book 3 Annex B: response data is BER-TLV",
            FindingKind::State => "EMV Book 3 §9.3 (ATC), JR/T 0025 e-purse: a refused command changes no counter",
            FindingKind::Latency => "EMV Contactless Book A §5.2: 500 ms transaction time",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One anomaly a case showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// What kind.
    pub kind: FindingKind,
    /// What was seen, in words.
    pub detail: String,
    /// Part of the dedup key beyond kind and step (the status word of an unexpected-sw).
    pub key: String,
}

/// Response shape classes for the feedback signature.
fn length_class(n: usize) -> u8 {
    match n {
        0 => 0,
        1..=15 => 1,
        16..=63 => 2,
        64..=255 => 3,
        _ => 4,
    }
}

/// What a response looked like, coarse enough that novelty means new behaviour: the step, the
/// SW (or the transport error kind), a length class, the parse shape (empty, BER-TLV with its
/// first tag, not BER-TLV) and a timing bucket (log2 of milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    step: usize,
    sw: u32,
    length: u8,
    shape: u32,
    timing: u8,
}

impl Signature {
    /// The signature of one answer (or of its absence).
    pub fn of(step: usize, response: Result<&[u8], &TransportError>, latency: Duration) -> Signature {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        let timing = (64 - ms.leading_zeros()) as u8;
        match response {
            Err(e) => Signature { step, sw: 0x1_0000 + e.kind() as u32, length: 0, shape: 0, timing },
            Ok(r) => {
                let n = r.len();
                let sw = if n >= 2 { u32::from(u16::from_be_bytes([r[n - 2], r[n - 1]])) } else { 0x2_0000 };
                let data = &r[..n.saturating_sub(2)];
                let shape = match decode_emv_tlv(data) {
                    _ if data.is_empty() => 0,
                    Ok(nodes) => 0x100_0000 | nodes.first().map_or(0, |n| n.tlv.tag.0 & 0xFF_FFFF),
                    Err(_) => 1,
                };
                Signature { step, sw, length: length_class(data.len()), shape, timing }
            }
        }
    }
}
