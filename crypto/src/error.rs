use thiserror::Error;

/// Everything that can be wrong with the inputs of a `tapcert-crypto` operation.
///
/// Cryptographic operations themselves cannot fail; only their inputs can be malformed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoError {
    /// A key has a length the algorithm does not accept.
    #[error("{algorithm} key must be {expected} bytes, got {got}")]
    KeyLength {
        /// The algorithm (e.g. "TDES", "AES").
        algorithm: &'static str,
        /// The accepted lengths.
        expected: &'static str,
        /// The given length.
        got: usize,
    },
    /// A field that must be decimal digits contains something else.
    #[error("{field}: character {offset} is {found:?}, expected a decimal digit")]
    NotDecimal {
        /// Which field (e.g. "PAN").
        field: &'static str,
        /// Character offset of the first bad character.
        offset: usize,
        /// The bad character.
        found: char,
    },
    /// A field has a length outside the accepted range.
    #[error("{field} must be {expected}, got {got}")]
    FieldLength {
        /// Which field (e.g. "PAN", "UN").
        field: &'static str,
        /// The accepted lengths, in the field's unit.
        expected: &'static str,
        /// The given length.
        got: usize,
    },
    /// A parameter is out of its accepted range.
    #[error("{parameter} = {got} is out of range ({expected})")]
    OutOfRange {
        /// Which parameter.
        parameter: &'static str,
        /// The accepted range.
        expected: &'static str,
        /// The given value.
        got: u64,
    },
    /// Issuer application data could not be parsed for the stated cryptogram version.
    #[error("issuer application data: at byte {offset}: {expected}")]
    Iad {
        /// Byte offset in the IAD.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// An operation was asked of a key type that does not support it.
    #[error("{operation} is not defined for {algorithm} keys")]
    Unsupported {
        /// The operation.
        operation: &'static str,
        /// The key algorithm.
        algorithm: &'static str,
    },
}
