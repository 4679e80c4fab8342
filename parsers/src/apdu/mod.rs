//! ISO/IEC 7816-4 command and response APDUs, class and instruction bytes, status words and
//! command chaining.
//!
//! - [`CommandApdu`] is a zero-copy view of a parsed command (every case, 1 to 4E, with the
//!   length form kept so it re-encodes byte for byte); [`CommandApduBuf`] builds commands and
//!   encodes them in the shortest legal form.
//! - [`ResponseApdu`] is data + [`StatusWord`]; the status word catalogue gives each value a
//!   [`SwCategory`] and a meaning.
//! - [`Cla`] decodes logical channel, secure messaging and chaining; [`Ins`] names the
//!   instructions of ISO/IEC 7816-4, EMV and the China e-purse.
//! - [`split_command_chain`] / [`join_command_chain`] for command chaining.
//! - [`validate_apdu_exchange`] reports what a command/response pair strains (data without Le,
//!   more than Ne, extended length the card did not announce).
//!
//! Errors are [`ApduError`] values with the byte offset and what was expected.

mod chaining;
mod class;
mod command;
mod error;
mod exchange;
mod ins;
mod response;
mod status;

pub use chaining::{join_command_chain, split_command_chain};
pub use class::{CLA_CHAINING_BIT, Cla, ClassKind, SecureMessaging};
pub use command::{
    Case, CommandApdu, CommandApduBuf, CommandFields, LengthForm, encode_apdu_command, parse_apdu_command,
};
pub use error::ApduError;
pub use exchange::validate_apdu_exchange;
pub use ins::Ins;
pub use response::{ResponseApdu, encode_apdu_response, parse_apdu_response};
pub use status::{StatusWord, SwCategory};
