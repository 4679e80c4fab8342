//! Recorded sessions: what was sent, what came back, when, and how long it took.
//!
//! A [`Transcript`] is written by [`crate::transport::Recorder`] over any transport, saved as
//! JSON, played back by [`crate::transport::Replay`], and exchanged with pcsc-tools as a
//! `scriptor` script or log ([`export_scriptor`], [`import_scriptor`]).

mod scriptor;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::transport::{RawAtr, RawResponse, ReaderInfo, TransportErrorKind};

pub use scriptor::{ScriptorError, export_scriptor, import_scriptor};

/// Current transcript format version.
pub const TRANSCRIPT_VERSION: u32 = 1;

/// A recorded session with one card, saved as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// Format version ([`TRANSCRIPT_VERSION`]).
    pub version: u32,
    /// The reader the session went through, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<ReaderInfo>,
    /// Start of the recording, microseconds since the Unix epoch (from the injected clock).
    #[serde(default)]
    pub started_unix_us: u64,
    /// Everything that happened, in order.
    pub events: Vec<Event>,
}

/// One thing that happened on the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When it started, microseconds after [`Transcript::started_unix_us`].
    #[serde(default)]
    pub at_us: u64,
    /// How long the transport took to complete it, in microseconds.
    #[serde(default)]
    pub latency_us: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EventKind {
    /// The card was reset and answered this ATR.
    Reset {
        /// The ATR.
        atr: RawAtr,
    },
    /// A command and its answer (or `None` if none came: `error` says why, `error_kind`
    /// whether the card was mute or gone, so that a replay fails the same way).
    Exchange {
        /// The C-APDU.
        #[serde(with = "crate::transport::hex_bytes")]
        command: Vec<u8>,
        /// The R-APDU.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<RawResponse>,
        /// The transport error, when there was no answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// What kind of failure `error` was (absent in transcripts written before it existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_kind: Option<TransportErrorKind>,
    },
    /// The field was switched off for `hold_us`.
    FieldOff {
        /// How long, in microseconds.
        hold_us: u64,
    },
}

/// Why a transcript could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    /// Not valid transcript JSON.
    #[error("transcript JSON at line {line}, column {column}: {detail}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde expected.
        detail: String,
    },
    /// A version this build does not read.
    #[error("transcript version {found} not supported (this build reads {TRANSCRIPT_VERSION})")]
    Version {
        /// The version in the file.
        found: u32,
    },
    /// File I/O.
    #[error("transcript file: {0}")]
    Io(#[from] std::io::Error),
}

impl Transcript {
    /// An empty transcript.
    pub fn new(reader: Option<ReaderInfo>, started_unix_us: u64) -> Self {
        Transcript { version: TRANSCRIPT_VERSION, reader, started_unix_us, events: Vec::new() }
    }

    /// The command/response pairs, in order (resets and field-off events skipped).
    pub fn exchanges(&self) -> impl Iterator<Item = (&[u8], Option<&RawResponse>)> {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::Exchange { command, response, .. } => Some((command.as_slice(), response.as_ref())),
            _ => None,
        })
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses JSON, checking the version.
    pub fn from_json(text: &str) -> Result<Self, TranscriptError> {
        let t: Transcript = serde_json::from_str(text).map_err(|e| TranscriptError::Json {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        })?;
        if t.version != TRANSCRIPT_VERSION {
            return Err(TranscriptError::Version { found: t.version });
        }
        Ok(t)
    }

    /// Writes JSON to `path`.
    pub fn save(&self, path: &Path) -> Result<(), TranscriptError> {
        Ok(std::fs::write(path, self.to_json())?)
    }

    /// Reads JSON from `path`.
    pub fn load(path: &Path) -> Result<Self, TranscriptError> {
        Self::from_json(&crate::read_text_capped(path, crate::MAX_RUN_FILE_BYTES)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_shape() {
        let mut t = Transcript::new(None, 1_000);
        t.events.push(Event { at_us: 0, latency_us: 3, kind: EventKind::Reset { atr: RawAtr(vec![0x3B, 0x80]) } });
        t.events.push(Event {
            at_us: 5,
            latency_us: 40,
            kind: EventKind::Exchange {
                command: vec![0x00, 0xB0],
                response: Some(RawResponse(vec![0x90, 0x00])),
                error: None,
                error_kind: None,
            },
        });
        let json = t.to_json();
        assert!(json.contains("\"type\": \"exchange\"") && json.contains("\"command\": \"00B0\""), "{json}");
        assert_eq!(Transcript::from_json(&json).unwrap(), t);
        let bad = json.replace("\"version\": 1", "\"version\": 9");
        assert!(matches!(Transcript::from_json(&bad), Err(TranscriptError::Version { found: 9 })));
        assert!(matches!(Transcript::from_json("{"), Err(TranscriptError::Json { line: 1, .. })));
    }
}
