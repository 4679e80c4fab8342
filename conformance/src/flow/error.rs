//! Why a terminal flow stopped. Every variant names the step and the fact that ended it.

use std::fmt;

use tapcert_parsers::tlv::{DolError, Tag, TlvError};

use crate::transport::TransportError;

/// The step of a terminal flow an error or a command belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Powering the card (ATR).
    Reset,
    /// SELECT `2PAY.SYS.DDF01` (EMV Contactless Book B, Entry Point).
    SelectPpse,
    /// SELECT of the chosen payment application by AID.
    SelectApplication,
    /// GET PROCESSING OPTIONS (EMV Book 3 §6.5.8).
    GetProcessingOptions,
    /// READ RECORD of one AFL entry's record (EMV Book 3 §6.5.11).
    ReadRecord {
        /// Short file identifier.
        sfi: u8,
        /// Record number.
        record: u8,
    },
    /// GENERATE AC, first issuance (EMV Book 3 §6.5.5).
    GenerateAc,
    /// SELECT of the transit e-purse application.
    SelectTransit,
    /// GET BALANCE (`80 5C 00 02 04`).
    GetBalance,
    /// READ BINARY of the card information file (SFI `15`).
    ReadCardInfo,
    /// READ RECORD of the transaction log (SFI `18`).
    ReadTransactionLog {
        /// Record number.
        record: u8,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Reset => f.write_str("reset"),
            Step::SelectPpse => f.write_str("SELECT PPSE"),
            Step::SelectApplication => f.write_str("SELECT application"),
            Step::GetProcessingOptions => f.write_str("GET PROCESSING OPTIONS"),
            Step::ReadRecord { sfi, record } => write!(f, "READ RECORD SFI {sfi} record {record}"),
            Step::GenerateAc => f.write_str("GENERATE AC"),
            Step::SelectTransit => f.write_str("SELECT transit application"),
            Step::GetBalance => f.write_str("GET BALANCE"),
            Step::ReadCardInfo => f.write_str("READ BINARY SFI 15 (card information)"),
            Step::ReadTransactionLog { record } => write!(f, "READ RECORD SFI 18 record {record} (transaction log)"),
        }
    }
}

/// Why a terminal flow could not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The transport delivered no answer (card removed, mute, reader fault).
    #[error("{step}: transport: {source}")]
    Transport {
        /// Step in progress.
        step: Step,
        /// What the transport reported.
        source: TransportError,
    },
    /// The answer had fewer than the two status bytes.
    #[error("{step}: answer of {len} byte(s) has no status word")]
    NoStatusWord {
        /// Step in progress.
        step: Step,
        /// Bytes received.
        len: usize,
    },
    /// The card answered a status word that ends the flow.
    #[error("{step}: card answered {sw:04X}, expected {expected}")]
    Status {
        /// Step in progress.
        step: Step,
        /// The status word.
        sw: u16,
        /// What the step accepts.
        expected: &'static str,
    },
    /// The response data is not valid BER-TLV.
    #[error("{step}: response data: {source}")]
    Tlv {
        /// Step in progress.
        step: Step,
        /// The parser's error (offset into the response data).
        source: TlvError,
    },
    /// A data object the step needs is absent.
    #[error("{step}: missing data object {tag}")]
    MissingObject {
        /// Step in progress.
        step: Step,
        /// The tag that was looked for.
        tag: Tag,
    },
    /// A Data Object List (PDOL, CDOL1) the card sent is malformed.
    #[error("{step}: {which}: {source}")]
    Dol {
        /// Step in progress.
        step: Step,
        /// `PDOL` or `CDOL1`.
        which: &'static str,
        /// The parser's error (offset into the DOL).
        source: DolError,
    },
    /// A data object is present but its length or content cannot be used.
    #[error("{step}: data object {tag} unusable: {reason}")]
    BadObject {
        /// Step in progress.
        step: Step,
        /// The object's tag.
        tag: Tag,
        /// What was expected.
        reason: &'static str,
    },
    /// The PPSE listed no application with a usable AID.
    #[error("SELECT PPSE: no directory entry with a usable AID (61 with 4F of 5-16 bytes)")]
    NoApplication,
    /// An Application File Locator entry breaks EMV Book 3 §10.2.
    #[error("AFL entry {index}: {reason}")]
    BadAfl {
        /// Index of the 4-byte entry (0-based).
        index: usize,
        /// The rule broken.
        reason: &'static str,
    },
    /// The card asks the terminal to do more than the flow allows (records, DOL data size).
    #[error("{step}: {what} is {count}, the limit is {limit}")]
    Limit {
        /// Step in progress.
        step: Step,
        /// What was counted.
        what: &'static str,
        /// How many the card asked for.
        count: usize,
        /// The bound.
        limit: usize,
    },
    /// A fixed-length answer (balance, file, log record) has the wrong length.
    #[error("{step}: response data is {got} byte(s), expected {expected}")]
    BadLength {
        /// Step in progress.
        step: Step,
        /// Bytes expected (the minimum, for files with optional trailing bytes).
        expected: usize,
        /// Bytes received.
        got: usize,
    },
}

impl FlowError {
    /// The step the flow stopped at (`None` for errors found across steps).
    pub fn step(&self) -> Option<Step> {
        match self {
            FlowError::Transport { step, .. }
            | FlowError::NoStatusWord { step, .. }
            | FlowError::Status { step, .. }
            | FlowError::Tlv { step, .. }
            | FlowError::Dol { step, .. }
            | FlowError::MissingObject { step, .. }
            | FlowError::BadObject { step, .. }
            | FlowError::Limit { step, .. }
            | FlowError::BadLength { step, .. } => Some(*step),
            FlowError::NoApplication => Some(Step::SelectPpse),
            FlowError::BadAfl { .. } => Some(Step::GetProcessingOptions),
        }
    }
}
