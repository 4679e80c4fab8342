use std::time::Duration;

/// Why a transport could not deliver an answer.
///
/// Status words are not errors: a `6A82` is an answer. These are the faults that the runner
/// reports as transport `error`s (JUnit) rather than non-conformance `failure`s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The smart card service (pcscd) is not running or not reachable.
    #[error("smart card service not available: {detail}")]
    NoService {
        /// What the service layer said.
        detail: String,
    },
    /// No reader with that name, or no reader at all.
    #[error("no reader{}", .name.as_deref().map(|n| format!(" named {n:?}")).unwrap_or_default())]
    NoReader {
        /// The reader that was asked for, if one was named.
        name: Option<String>,
    },
    /// The card left the field (or was never there).
    #[error("card removed")]
    CardRemoved,
    /// No answer within the time allowed (a mute card).
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The link answered with something that breaks its own protocol (T=0 loop bound,
    /// replay mismatch, malformed frame, reader protocol error).
    #[error("protocol error: {detail}")]
    Protocol {
        /// What was wrong.
        detail: String,
    },
    /// Operating system I/O failure.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl TransportError {
    /// Shorthand for [`TransportError::Protocol`].
    pub fn protocol(detail: impl Into<String>) -> Self {
        TransportError::Protocol { detail: detail.into() }
    }
}
