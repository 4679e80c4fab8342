//! Terminal-side procedures: what a POS terminal or a transit gate does with a card, written
//! over any [`Transport`] so that the same code runs against a real reader, the virtual band,
//! a recorded transcript or fuzzer bytes ([`crate::transport::FuzzCard`]).
//!
//! - [`read_emv_and_generate_ac`]: the EMV contactless read (SELECT PPSE, choose the AID,
//!   SELECT it, GET PROCESSING OPTIONS with the PDOL filled from terminal data, READ RECORD over
//!   the AFL) followed by a first GENERATE AC with the CDOL1 filled, parsed into
//!   [`EmvTransaction`].
//! - [`read_transit`]: the China T-Union e-purse read (SELECT, GET BALANCE, READ BINARY of the
//!   card information file SFI `15`, READ RECORD of the transaction log SFI `18`), parsed into
//!   [`TransitRead`].
//!
//! Every failure is a typed [`FlowError`] naming the [`Step`]; every loop is bounded
//! ([`MAX_AFL_ENTRIES`], [`MAX_RECORDS`], [`MAX_LOG_RECORDS`]; GET RESPONSE chains are bounded
//! by the [`crate::transport::T0`] layer the caller wraps the transport in). The unpredictable
//! number and the transaction date come from the injected [`UnpredictableSource`] and
//! [`Clock`], so a run reproduces exactly.
//!
//! [`UnpredictableSource`]: crate::clock::UnpredictableSource
//! [`Clock`]: crate::clock::Clock

mod emv;
mod error;
mod terminal;
mod transit;

#[doc(hidden)]
pub mod fuzzing;
#[cfg(test)]
mod tests;

use crate::transport::{RawResponse, Transport};

pub use emv::{
    AflEntry, CryptogramType, EmvTransaction, GenerateAcResponse, MAX_AFL_ENTRIES, MAX_RECORDS, PPSE_NAME, PpseEntry,
    RecordData, read_emv_and_generate_ac,
};
pub use error::{FlowError, Step};
pub use terminal::{TerminalConfig, TerminalData};
pub use transit::{
    CARD_INFO_LEN, CardInfo, LOG_RECORD_LEN, MAX_LOG_RECORDS, TRANSIT_AID, TransitLogRecord, TransitRead, read_transit,
};

/// `9000`: normal processing.
const SW_OK: u16 = 0x9000;

/// Sends one command and splits the answer into data and status word.
fn exchange(t: &mut dyn Transport, step: Step, capdu: &[u8]) -> Result<(Vec<u8>, u16), FlowError> {
    let resp: RawResponse = t.transmit(capdu).map_err(|source| FlowError::Transport { step, source })?;
    let sw = resp.sw().ok_or(FlowError::NoStatusWord { step, len: resp.as_bytes().len() })?;
    Ok((resp.data().to_vec(), sw))
}

/// [`exchange`] that accepts `9000` only.
fn exchange_ok(t: &mut dyn Transport, step: Step, capdu: &[u8]) -> Result<Vec<u8>, FlowError> {
    let (data, sw) = exchange(t, step, capdu)?;
    if sw != SW_OK {
        return Err(FlowError::Status { step, sw, expected: "9000" });
    }
    Ok(data)
}

/// A short case 3/4 command (ISO/IEC 7816-4 §5.1): `CLA INS P1 P2 Lc data [Le=00]`.
///
/// Callers bound `data` to 255 bytes before building; longer data is a flow error, not an
/// extended APDU (contactless payment cards answer short APDUs only).
fn short_command(header: [u8; 4], data: &[u8], with_le: bool) -> Vec<u8> {
    debug_assert!(!data.is_empty() && data.len() <= 255);
    let mut c = Vec::with_capacity(6 + data.len());
    c.extend_from_slice(&header);
    c.push(data.len() as u8);
    c.extend_from_slice(data);
    if with_le {
        c.push(0x00);
    }
    c
}

/// SELECT by DF name, first or only occurrence, FCI requested, Le = 00.
fn select_by_name(name: &[u8]) -> Vec<u8> {
    short_command([0x00, 0xA4, 0x04, 0x00], name, true)
}
