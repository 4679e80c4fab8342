//! Why offline data authentication failed: one variant per check of EMV Book 2 §5 and §6.

use thiserror::Error;

use super::date::{CertExpiry, EmvDate};

/// The signed object a check failed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignedObject {
    /// Issuer Public Key Certificate, tag `90` (Book 2 §5.3).
    IssuerCertificate,
    /// ICC Public Key Certificate, tag `9F46` (Book 2 §6.4).
    IccCertificate,
    /// Signed Static Application Data, tag `93` (Book 2 §5.4).
    SignedStaticData,
    /// Signed Dynamic Application Data, tag `9F4B` (Book 2 §6.5.2, §6.6.2).
    SignedDynamicData,
}

impl core::fmt::Display for SignedObject {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            SignedObject::IssuerCertificate => "issuer public key certificate (90)",
            SignedObject::IccCertificate => "ICC public key certificate (9F46)",
            SignedObject::SignedStaticData => "signed static application data (93)",
            SignedObject::SignedDynamicData => "signed dynamic application data (9F4B)",
        })
    }
}

/// Everything that can make EMV offline data authentication fail.
///
/// Each variant is one check of EMV Book 2 (§5.2-5.4 for SDA, §6.2-6.6 for DDA/CDA). Errors
/// never carry the PAN (it would leak into reports); they say which check failed and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OdaError {
    /// An RSA modulus outside the lengths EMV allows (Book 2 Annex B2.1: at most 248 bytes;
    /// tapcert also refuses fewer than 64).
    #[error("RSA modulus of {got} bytes: expected 64..=248 bytes")]
    ModulusLength {
        /// The modulus length given.
        got: usize,
    },
    /// An RSA modulus whose first byte is zero (its stated length would be wrong) or that is even.
    #[error("RSA modulus is not a {len}-byte odd number (leading zero byte or even)")]
    ModulusMalformed {
        /// The modulus length given.
        len: usize,
    },
    /// A public exponent other than 3 or 2^16+1 (Book 2 Annex B2.1).
    #[error("RSA public exponent {exponent:02X?}: expected 03 or 010001")]
    UnsupportedExponent {
        /// The exponent bytes given.
        exponent: Vec<u8>,
    },
    /// A private exponent that is zero, longer than the modulus, or not below it.
    #[error("RSA private exponent is not in 1..n")]
    PrivateExponent,
    /// The signature/certificate length differs from the modulus length (Book 2 §5.3 step 1,
    /// §6.4 step 1, §5.4 step 1, §6.5.2 step 1).
    #[error("{object}: {got} bytes, expected the key's modulus length {expected}")]
    SignatureLength {
        /// Which object.
        object: SignedObject,
        /// The modulus length.
        expected: usize,
        /// The object's length.
        got: usize,
    },
    /// The signature, read as an integer, is not below the modulus (Annex A2.1: not a value the
    /// signer could produce).
    #[error("{object}: signature is not below the modulus")]
    SignatureOutOfRange {
        /// Which object.
        object: SignedObject,
    },
    /// The recovered data does not start with the header `6A` (Annex A2.1.2 step 2).
    #[error("{object}: recovered data header {found:02X}, expected 6A")]
    BadHeader {
        /// Which object.
        object: SignedObject,
        /// The byte found.
        found: u8,
    },
    /// The recovered data does not end with the trailer `BC` (Annex A2.1.2 step 2).
    #[error("{object}: recovered data trailer {found:02X}, expected BC")]
    BadTrailer {
        /// Which object.
        object: SignedObject,
        /// The byte found.
        found: u8,
    },
    /// The format byte after the header is wrong (02 issuer, 04 ICC, 03 SSAD, 05 SDAD).
    #[error("{object}: format {found:02X}, expected {expected:02X}")]
    BadFormat {
        /// Which object.
        object: SignedObject,
        /// The format the object must have.
        expected: u8,
        /// The byte found.
        found: u8,
    },
    /// Hash algorithm indicator other than `01` (SHA-1, Book 2 Annex B3).
    #[error("{object}: hash algorithm indicator {found:02X}, expected 01 (SHA-1)")]
    UnsupportedHashAlgorithm {
        /// Which object.
        object: SignedObject,
        /// The byte found.
        found: u8,
    },
    /// Public key algorithm indicator other than `01` (RSA, Book 2 Annex B2).
    #[error("{object}: public key algorithm indicator {found:02X}, expected 01 (RSA)")]
    UnsupportedPublicKeyAlgorithm {
        /// Which object.
        object: SignedObject,
        /// The byte found.
        found: u8,
    },
    /// The SHA-1 hash in the recovered data differs from the one computed (Annex A2.1.2 step 4-5).
    #[error("{object}: hash result {stated:02X?} differs from computed {computed:02X?}")]
    HashMismatch {
        /// Which object.
        object: SignedObject,
        /// The hash stated in the recovered data.
        stated: [u8; 20],
        /// The hash computed over the data.
        computed: [u8; 20],
    },
    /// The issuer identifier is not 3-8 BCD digits padded with `F` (Book 2 §5.3).
    #[error("issuer identifier {identifier:02X?} is not 3-8 digits padded with F")]
    BadIssuerIdentifier {
        /// The recovered identifier.
        identifier: [u8; 4],
    },
    /// The issuer identifier does not match the leftmost digits of the PAN (Book 2 §5.3 step 7).
    #[error("issuer identifier {identifier:02X?} does not match the leftmost PAN digits")]
    IssuerIdentifierMismatch {
        /// The recovered identifier (a BIN prefix; the PAN itself is not reported).
        identifier: [u8; 4],
    },
    /// The PAN in the ICC certificate differs from the application PAN `5A` (Book 2 §6.4 step 8).
    #[error("PAN in the ICC public key certificate differs from the application PAN (5A)")]
    PanMismatch,
    /// The application PAN `5A` is not 1-19 BCD digits padded with `F`.
    #[error("application PAN (5A): byte {offset} is not BCD digits padded with F")]
    BadPan {
        /// Byte offset in the PAN value.
        offset: usize,
    },
    /// The certificate expiration date MMYY is not a valid BCD month and year.
    #[error("{object}: expiration date {found:02X?} is not a BCD MMYY date")]
    BadExpiry {
        /// Which object.
        object: SignedObject,
        /// The two bytes found.
        found: [u8; 2],
    },
    /// The certificate expired before today (Book 2 §5.3 step 8, §6.4 step 9).
    #[error("{object}: expired at the end of {expiry}, today is {today}")]
    Expired {
        /// Which object.
        object: SignedObject,
        /// The certificate's last valid month.
        expiry: CertExpiry,
        /// The date the check was made against.
        today: EmvDate,
    },
    /// The stated public key length does not fit the certificate or the remainder
    /// (Book 2 §5.3 step 10, §6.4 step 10).
    #[error(
        "{object}: public key of {stated} bytes but the certificate carries {in_certificate} and the remainder {remainder}"
    )]
    PublicKeyLength {
        /// Which object.
        object: SignedObject,
        /// Public key length stated in the certificate.
        stated: usize,
        /// Key bytes the certificate has room for.
        in_certificate: usize,
        /// Bytes in the public key remainder given.
        remainder: usize,
    },
    /// The stated exponent length differs from the exponent given (tag `9F32` or `9F47`).
    #[error("{object}: exponent length {stated} stated, {got} given")]
    ExponentLength {
        /// Which object.
        object: SignedObject,
        /// Exponent length stated in the certificate.
        stated: usize,
        /// The exponent given.
        got: usize,
    },
    /// The ICC dynamic data length byte of an SDAD does not fit (Book 2 §6.5.2).
    #[error("ICC dynamic data length {stated} exceeds the {available} bytes available")]
    DynamicDataLength {
        /// Length stated by the `L_DD` byte.
        stated: usize,
        /// Room in the recovered data.
        available: usize,
    },
    /// The ICC dynamic data do not hold a valid ICC dynamic number or, for CDA, the CID, AC and
    /// transaction data hash code (Book 2 §6.5.1, §6.6.1).
    #[error("ICC dynamic data at byte {offset}: {expected}")]
    BadDynamicData {
        /// Offset inside the ICC dynamic data.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// A record flagged for ODA by the AFL was not supplied.
    #[error("ODA record SFI {sfi} record {record} was not read")]
    MissingRecord {
        /// Short file identifier.
        sfi: u8,
        /// Record number.
        record: u8,
    },
    /// An ODA record of SFI 1-10 is not a single `70` template (Book 3 §10.3: that is an ODA failure).
    #[error("ODA record SFI {sfi} record {record} is not a '70' template")]
    RecordNotTemplate70 {
        /// Short file identifier.
        sfi: u8,
        /// Record number.
        record: u8,
    },
    /// The Static Data Authentication Tag List `9F4A` names something other than the AIP `82`
    /// (Book 3 §10.3), or the AIP is missing.
    #[error("static data authentication tag list (9F4A): {reason}")]
    BadSdaTagList {
        /// What is wrong.
        reason: &'static str,
    },
    /// CDA: the CID in the SDAD differs from the CID in the GENERATE AC response (Book 2 §6.6.2 step 8).
    #[error("CDA: cryptogram information data {in_signature:02X} in the SDAD, {in_response:02X} in the response")]
    CidMismatch {
        /// CID recovered from the SDAD.
        in_signature: u8,
        /// CID (`9F27`) of the GENERATE AC response.
        in_response: u8,
    },
    /// CDA: the transaction data hash code differs from the one computed (Book 2 §6.6.2 step 12).
    #[error("CDA: transaction data hash code {stated:02X?} differs from computed {computed:02X?}")]
    TransactionDataHashMismatch {
        /// Hash code recovered from the SDAD.
        stated: [u8; 20],
        /// Hash computed by the terminal.
        computed: [u8; 20],
    },
    /// Signing side: the data do not fit the key (the fixed fields plus data exceed the modulus).
    #[error("{object}: {needed} bytes of data do not fit a {modulus_len}-byte key")]
    DoesNotFit {
        /// Which object.
        object: SignedObject,
        /// Bytes the object needs.
        needed: usize,
        /// The signing key's modulus length.
        modulus_len: usize,
    },
    /// Signing side: a field value outside its allowed range.
    #[error("{field}: {expected}")]
    BadField {
        /// Which field.
        field: &'static str,
        /// What is allowed.
        expected: &'static str,
    },
}
