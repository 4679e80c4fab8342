//! ISO/IEC 7816-3 answer-to-reset and PC/SC contactless pseudo-ATRs.
//!
//! - [`Atr`] holds TS, the interface-byte groups, the historical bytes (borrowed) and TCK,
//!   which is checked when required ([`AtrError::BadTck`]) and recomputed on encoding, so a
//!   parsed ATR re-encodes byte for byte.
//! - The interface bytes are interpreted on demand: [`Atr::clock_rate`] (TA1),
//!   [`Atr::extra_guard_time`] (TC1), [`Atr::specific_mode`] (TA2), [`Atr::t1_parameters`],
//!   [`Atr::global_t15`].
//! - [`decode_historical_bytes`] reads the category indicator and compact-TLV objects.
//! - [`ContactlessAtr::recognise`] names the PC/SC Part 3 pseudo-ATRs of contactless cards.

mod answer;
mod contactless;
mod error;
mod historical;
mod interface;

pub use answer::{
    Atr, Convention, InterfaceGroup, decode_atr, encode_atr, parse_atr, parse_atr_interface_groups, parse_atr_ts,
};
pub use contactless::{ContactlessAtr, PCSC_RID, storage_card_name, storage_standard_name};
pub use error::{AtrByte, AtrError};
pub use historical::{
    CardCapabilities, CompactTlv, HistoricalBytes, StatusIndicator, compact_tlv_tag_name, decode_historical_bytes,
    parse_compact_tlv,
};
pub use interface::{ClockRate, ErrorDetection, GlobalT15, SpecificMode, T1Parameters};
