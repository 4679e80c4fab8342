//! The EMV data dictionary: EMV Book 3 v4.4 Annex A (data element definitions) plus the tags
//! the contactless kernels use (EMV Contactless Books B, C-2 for Mastercard and C-3 for Visa,
//! as far as they are public).
//!
//! A static table sorted by tag, searched by binary search: no allocation, no lazy init.
//! Lengths are in bytes (Annex A gives `n 12` as digits: 6 bytes). Where two kernels give the
//! same proprietary tag different meanings (`9F66`, `9F6B`, `9F6C`, ...), the entry names both
//! and its length rule covers both, so the validator never flags either reading.
//!
//! ```
//! use tapcert_parsers::tlv::{Tag, DataFormat, DataSource};
//! let info = Tag::AMOUNT_AUTHORISED.info().unwrap();
//! assert_eq!(info.name, "Amount, Authorised (Numeric)");
//! assert_eq!((info.format, info.source, info.min_len, info.max_len), (DataFormat::N, DataSource::Terminal, 6, 6));
//! assert_eq!(Tag(0x9F7F_01).name(), None);
//! ```

use super::Tag;

/// Who provides a data element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataSource {
    /// The card (ICC) or the band/phone emulating it.
    Icc,
    /// The terminal or reader (including kernel configuration and kernel-produced data).
    Terminal,
    /// The issuer (in the authorisation response, via the terminal).
    Issuer,
}

/// Data element format (EMV Book 3 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFormat {
    /// `a`: alphabetic (a-z, A-Z).
    A,
    /// `an`: alphanumeric.
    An,
    /// `ans`: alphanumeric and special characters (the common character set, ASCII 20-7E).
    Ans,
    /// `b`: binary.
    B,
    /// `cn`: compressed numeric, BCD left-justified, padded with trailing `F` nibbles.
    Cn,
    /// `n`: numeric, BCD right-justified, padded with leading `0` nibbles.
    N,
    /// `var.`: a template or a structure defined elsewhere (constructed objects, track data).
    Var,
}

impl DataFormat {
    /// The name the specification uses (`an`, `cn`, `var.`).
    pub fn as_str(self) -> &'static str {
        match self {
            DataFormat::A => "a",
            DataFormat::An => "an",
            DataFormat::Ans => "ans",
            DataFormat::B => "b",
            DataFormat::Cn => "cn",
            DataFormat::N => "n",
            DataFormat::Var => "var.",
        }
    }
}

/// One entry of the dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag.
    pub tag: Tag,
    /// Its name in the specification.
    pub name: &'static str,
    /// Who provides it.
    pub source: DataSource,
    /// Its format.
    pub format: DataFormat,
    /// Shortest value allowed, in bytes.
    pub min_len: u16,
    /// Longest value allowed, in bytes.
    pub max_len: u16,
    /// Templates it appears in (empty: none stated, e.g. terminal data).
    pub templates: &'static [Tag],
}

impl TagInfo {
    /// True when the length rule is one fixed size.
    pub fn is_fixed_len(&self) -> bool {
        self.min_len == self.max_len
    }

    /// True when `len` bytes satisfies the length rule.
    pub fn allows_len(&self, len: usize) -> bool {
        (usize::from(self.min_len)..=usize::from(self.max_len)).contains(&len)
    }
}

const fn e(
    tag: u32,
    name: &'static str,
    source: DataSource,
    format: DataFormat,
    min_len: u16,
    max_len: u16,
    templates: &'static [Tag],
) -> TagInfo {
    TagInfo { tag: Tag(tag), name, source, format, min_len, max_len, templates }
}

use DataFormat::{A, An, Ans, B, Cn, N, Var};
use DataSource::{Icc, Issuer, Terminal};

const NONE: &[Tag] = &[];
const T_REC: &[Tag] = &[Tag(0x70), Tag(0x77)];
const T_GPO: &[Tag] = &[Tag(0x77), Tag(0x80)];
const T_A5: &[Tag] = &[Tag(0xA5)];
const T_61: &[Tag] = &[Tag(0x61)];
const T_61_A5: &[Tag] = &[Tag(0x61), Tag(0xA5)];
const T_6F: &[Tag] = &[Tag(0x6F)];
const T_BF0C: &[Tag] = &[Tag(0xBF0C)];
const T_BF0C_73: &[Tag] = &[Tag(0xBF0C), Tag(0x73)];
const T_SCRIPT: &[Tag] = &[Tag(0x71), Tag(0x72)];
const T_61_BF0C: &[Tag] = &[Tag(0x61), Tag(0xBF0C)];
/// Longest value EMV records and templates carry.
const VAR: u16 = 252;
/// Public-key certificates and remainders: bounded by the longest key, not by a template.
const KEY: u16 = 248;

/// The dictionary, sorted by the tags' wire bytes (`5F57` before `61`; checked by a unit test).
pub static EMV_TAGS: &[TagInfo] = &[
    e(0x42, "Issuer Identification Number (IIN)", Icc, N, 3, 3, T_BF0C),
    e(0x4F, "Application Identifier (AID) - card", Icc, B, 5, 16, T_61),
    e(0x50, "Application Label", Icc, Ans, 1, 16, T_61_A5),
    e(0x56, "Track 1 Data", Icc, Ans, 1, 76, T_REC),
    e(0x57, "Track 2 Equivalent Data", Icc, B, 1, 19, T_REC),
    e(0x5A, "Application Primary Account Number (PAN)", Icc, Cn, 1, 10, T_REC),
    e(0x5F20, "Cardholder Name", Icc, Ans, 2, 26, T_REC),
    e(0x5F24, "Application Expiration Date", Icc, N, 3, 3, T_REC),
    e(0x5F25, "Application Effective Date", Icc, N, 3, 3, T_REC),
    e(0x5F28, "Issuer Country Code", Icc, N, 2, 2, T_REC),
    e(0x5F2A, "Transaction Currency Code", Terminal, N, 2, 2, NONE),
    e(0x5F2D, "Language Preference", Icc, An, 2, 8, T_A5),
    e(0x5F30, "Service Code", Icc, N, 2, 2, T_REC),
    e(0x5F34, "Application PAN Sequence Number", Icc, N, 1, 1, T_REC),
    e(0x5F36, "Transaction Currency Exponent", Terminal, N, 1, 1, NONE),
    e(0x5F50, "Issuer URL", Icc, Ans, 1, VAR, T_BF0C),
    e(0x5F53, "International Bank Account Number (IBAN)", Icc, Var, 1, 34, T_BF0C),
    e(0x5F54, "Bank Identifier Code (BIC)", Icc, Var, 8, 11, T_BF0C),
    e(0x5F55, "Issuer Country Code (alpha2 format)", Icc, A, 2, 2, T_BF0C),
    e(0x5F56, "Issuer Country Code (alpha3 format)", Icc, A, 3, 3, T_BF0C),
    e(0x5F57, "Account Type", Terminal, N, 1, 1, NONE),
    e(0x61, "Application Template", Icc, Var, 0, VAR, &[Tag(0x70), Tag(0xBF0C)]),
    e(0x6F, "File Control Information (FCI) Template", Icc, Var, 0, VAR, NONE),
    e(0x70, "READ RECORD Response Message Template", Icc, Var, 0, 0xFFFF, NONE),
    e(0x71, "Issuer Script Template 1", Issuer, Var, 0, VAR, NONE),
    e(0x72, "Issuer Script Template 2", Issuer, Var, 0, VAR, NONE),
    e(0x73, "Directory Discretionary Template", Icc, Var, 0, VAR, T_61),
    e(0x77, "Response Message Template Format 2", Icc, Var, 0, 0xFFFF, NONE),
    e(0x80, "Response Message Template Format 1", Icc, Var, 0, 0xFFFF, NONE),
    e(0x81, "Amount, Authorised (Binary)", Terminal, B, 4, 4, NONE),
    e(0x82, "Application Interchange Profile", Icc, B, 2, 2, T_GPO),
    e(0x83, "Command Template", Terminal, B, 0, VAR, NONE),
    e(0x84, "Dedicated File (DF) Name", Icc, B, 5, 16, T_6F),
    e(0x86, "Issuer Script Command", Issuer, B, 5, 261, T_SCRIPT),
    e(0x87, "Application Priority Indicator", Icc, B, 1, 1, T_61_A5),
    e(0x88, "Short File Identifier (SFI)", Icc, B, 1, 1, T_A5),
    e(0x89, "Authorisation Code", Issuer, Ans, 6, 6, NONE),
    e(0x8A, "Authorisation Response Code", Issuer, An, 2, 2, NONE),
    e(0x8C, "Card Risk Management Data Object List 1 (CDOL1)", Icc, B, 0, VAR, T_REC),
    e(0x8D, "Card Risk Management Data Object List 2 (CDOL2)", Icc, B, 0, VAR, T_REC),
    e(0x8E, "Cardholder Verification Method (CVM) List", Icc, B, 8, VAR, T_REC),
    e(0x8F, "Certification Authority Public Key Index", Icc, B, 1, 1, T_REC),
    e(0x90, "Issuer Public Key Certificate", Icc, B, 1, KEY, T_REC),
    e(0x91, "Issuer Authentication Data", Issuer, B, 8, 16, NONE),
    e(0x92, "Issuer Public Key Remainder", Icc, B, 1, KEY, T_REC),
    e(0x93, "Signed Static Application Data", Icc, B, 1, KEY, T_REC),
    e(0x94, "Application File Locator (AFL)", Icc, Var, 4, VAR, T_GPO),
    e(0x95, "Terminal Verification Results", Terminal, B, 5, 5, NONE),
    e(0x97, "Transaction Certificate Data Object List (TDOL)", Icc, B, 0, VAR, T_REC),
    e(0x98, "Transaction Certificate (TC) Hash Value", Terminal, B, 20, 20, NONE),
    e(0x99, "Transaction Personal Identification Number (PIN) Data", Terminal, B, 0, VAR, NONE),
    e(0x9A, "Transaction Date", Terminal, N, 3, 3, NONE),
    e(0x9B, "Transaction Status Information", Terminal, B, 2, 2, NONE),
    e(0x9C, "Transaction Type", Terminal, N, 1, 1, NONE),
    e(0x9D, "Directory Definition File (DDF) Name", Icc, B, 5, 16, T_61),
    e(0x9F01, "Acquirer Identifier", Terminal, N, 6, 6, NONE),
    e(0x9F02, "Amount, Authorised (Numeric)", Terminal, N, 6, 6, NONE),
    e(0x9F03, "Amount, Other (Numeric)", Terminal, N, 6, 6, NONE),
    e(0x9F04, "Amount, Other (Binary)", Terminal, B, 4, 4, NONE),
    e(0x9F05, "Application Discretionary Data", Icc, B, 1, 32, T_REC),
    e(0x9F06, "Application Identifier (AID) - terminal", Terminal, B, 5, 16, NONE),
    e(0x9F07, "Application Usage Control", Icc, B, 2, 2, T_REC),
    e(0x9F08, "Application Version Number (card)", Icc, B, 2, 2, T_REC),
    e(0x9F09, "Application Version Number (terminal)", Terminal, B, 2, 2, NONE),
    e(0x9F0A, "Application Selection Registered Proprietary Data", Icc, B, 0, VAR, T_61_BF0C),
    e(0x9F0B, "Cardholder Name Extended", Icc, Ans, 27, 45, T_REC),
    e(0x9F0C, "Issuer Identification Number Extended (IINE)", Icc, N, 3, 4, T_BF0C),
    e(0x9F0D, "Issuer Action Code - Default", Icc, B, 5, 5, T_REC),
    e(0x9F0E, "Issuer Action Code - Denial", Icc, B, 5, 5, T_REC),
    e(0x9F0F, "Issuer Action Code - Online", Icc, B, 5, 5, T_REC),
    e(0x9F10, "Issuer Application Data", Icc, B, 1, 32, T_GPO),
    e(0x9F11, "Issuer Code Table Index", Icc, N, 1, 1, T_A5),
    e(0x9F12, "Application Preferred Name", Icc, Ans, 1, 16, T_A5),
    e(0x9F13, "Last Online Application Transaction Counter (ATC) Register", Icc, B, 2, 2, NONE),
    e(0x9F14, "Lower Consecutive Offline Limit", Icc, B, 1, 1, T_REC),
    e(0x9F15, "Merchant Category Code", Terminal, N, 2, 2, NONE),
    e(0x9F16, "Merchant Identifier", Terminal, Ans, 15, 15, NONE),
    e(0x9F17, "Personal Identification Number (PIN) Try Counter", Icc, B, 1, 1, NONE),
    e(0x9F18, "Issuer Script Identifier", Issuer, B, 4, 4, T_SCRIPT),
    e(0x9F19, "Token Requestor ID", Icc, N, 6, 6, T_REC),
    e(0x9F1A, "Terminal Country Code", Terminal, N, 2, 2, NONE),
    e(0x9F1B, "Terminal Floor Limit", Terminal, B, 4, 4, NONE),
    e(0x9F1C, "Terminal Identification", Terminal, An, 8, 8, NONE),
    e(0x9F1D, "Terminal Risk Management Data", Terminal, B, 1, 8, NONE),
    e(0x9F1E, "Interface Device (IFD) Serial Number", Terminal, An, 8, 8, NONE),
    e(0x9F1F, "Track 1 Discretionary Data", Icc, Ans, 0, VAR, T_REC),
    e(0x9F20, "Track 2 Discretionary Data", Icc, Cn, 0, VAR, T_REC),
    e(0x9F21, "Transaction Time", Terminal, N, 3, 3, NONE),
    e(0x9F22, "Certification Authority Public Key Index (terminal)", Terminal, B, 1, 1, NONE),
    e(0x9F23, "Upper Consecutive Offline Limit", Icc, B, 1, 1, T_REC),
    e(0x9F24, "Payment Account Reference (PAR)", Icc, An, 29, 29, T_REC),
    e(0x9F25, "Last 4 Digits of PAN", Icc, N, 2, 2, T_REC),
    e(0x9F26, "Application Cryptogram", Icc, B, 8, 8, T_GPO),
    e(0x9F27, "Cryptogram Information Data", Icc, B, 1, 1, T_GPO),
    e(0x9F29, "Extended Selection", Icc, B, 0, VAR, T_61),
    e(0x9F2A, "Kernel Identifier", Icc, B, 1, 8, T_61),
    e(0x9F2D, "ICC PIN Encipherment Public Key Certificate", Icc, B, 1, KEY, T_REC),
    e(0x9F2E, "ICC PIN Encipherment Public Key Exponent", Icc, B, 1, 3, T_REC),
    e(0x9F2F, "ICC PIN Encipherment Public Key Remainder", Icc, B, 1, KEY, T_REC),
    e(0x9F32, "Issuer Public Key Exponent", Icc, B, 1, 3, T_REC),
    e(0x9F33, "Terminal Capabilities", Terminal, B, 3, 3, NONE),
    e(0x9F34, "Cardholder Verification Method (CVM) Results", Terminal, B, 3, 3, NONE),
    e(0x9F35, "Terminal Type", Terminal, N, 1, 1, NONE),
    e(0x9F36, "Application Transaction Counter (ATC)", Icc, B, 2, 2, T_GPO),
    e(0x9F37, "Unpredictable Number", Terminal, B, 4, 4, NONE),
    e(0x9F38, "Processing Options Data Object List (PDOL)", Icc, B, 0, VAR, T_A5),
    e(0x9F39, "Point-of-Service (POS) Entry Mode", Terminal, N, 1, 1, NONE),
    e(0x9F3A, "Amount, Reference Currency", Terminal, B, 4, 4, NONE),
    e(0x9F3B, "Application Reference Currency", Icc, N, 2, 8, T_REC),
    e(0x9F3C, "Transaction Reference Currency Code", Terminal, N, 2, 2, NONE),
    e(0x9F3D, "Transaction Reference Currency Exponent", Terminal, N, 1, 1, NONE),
    e(0x9F40, "Additional Terminal Capabilities", Terminal, B, 5, 5, NONE),
    e(0x9F41, "Transaction Sequence Counter", Terminal, N, 2, 4, NONE),
    e(0x9F42, "Application Currency Code", Icc, N, 2, 2, T_REC),
    e(0x9F43, "Application Reference Currency Exponent", Icc, N, 1, 4, T_REC),
    e(0x9F44, "Application Currency Exponent", Icc, N, 1, 1, T_REC),
    e(0x9F45, "Data Authentication Code", Icc, B, 2, 2, NONE),
    e(0x9F46, "ICC Public Key Certificate", Icc, B, 1, KEY, T_REC),
    e(0x9F47, "ICC Public Key Exponent", Icc, B, 1, 3, T_REC),
    e(0x9F48, "ICC Public Key Remainder", Icc, B, 1, KEY, T_REC),
    e(0x9F49, "Dynamic Data Authentication Data Object List (DDOL)", Icc, B, 0, VAR, T_REC),
    e(0x9F4A, "Static Data Authentication Tag List", Icc, Var, 0, VAR, T_REC),
    e(0x9F4B, "Signed Dynamic Application Data", Icc, B, 1, KEY, T_GPO),
    e(0x9F4C, "ICC Dynamic Number", Icc, B, 2, 8, NONE),
    e(0x9F4D, "Log Entry", Icc, B, 2, 2, T_BF0C_73),
    e(0x9F4E, "Merchant Name and Location", Terminal, Ans, 0, VAR, NONE),
    e(0x9F4F, "Log Format", Icc, B, 0, VAR, NONE),
    e(0x9F50, "Offline Accumulator Balance (C-2)", Icc, N, 6, 6, NONE),
    e(0x9F53, "Transaction Category Code (C-2)", Terminal, An, 1, 1, NONE),
    e(0x9F54, "DS ODS Card (C-2)", Icc, B, 0, 160, T_REC),
    e(0x9F5A, "Application Program Identifier (C-3)", Icc, B, 1, 16, T_BF0C),
    e(0x9F5B, "Issuer Script Results", Terminal, B, 0, VAR, NONE),
    e(0x9F5C, "DS Requested Operator ID (C-2)", Terminal, B, 8, 8, NONE),
    e(
        0x9F5D,
        "Application Capabilities Information (C-2) / Available Offline Spending Amount (C-3)",
        Icc,
        B,
        3,
        6,
        T_GPO,
    ),
    e(0x9F5E, "DS ID (C-2)", Icc, B, 8, 11, NONE),
    e(0x9F5F, "DS Slot Availability (C-2)", Icc, B, 1, 1, NONE),
    e(0x9F60, "CVC3 (Track1) (C-2)", Icc, B, 2, 2, T_GPO),
    e(0x9F61, "CVC3 (Track2) (C-2)", Icc, B, 2, 2, T_GPO),
    e(0x9F62, "PCVC3 (Track1) (C-2)", Icc, B, 6, 6, T_REC),
    e(0x9F63, "PUNATC (Track1) (C-2)", Icc, B, 6, 6, T_REC),
    e(0x9F64, "NATC (Track1) (C-2)", Icc, B, 1, 1, T_REC),
    e(0x9F65, "PCVC3 (Track2) (C-2)", Icc, B, 2, 2, T_REC),
    e(0x9F66, "Terminal Transaction Qualifiers (C-3) / PUNATC (Track2) (C-2)", Terminal, B, 2, 4, T_REC),
    e(0x9F67, "NATC (Track2) (C-2) / MSD Offset (C-3)", Icc, B, 1, 1, T_REC),
    e(0x9F68, "Mag-stripe CVM List (C-2) / Card Additional Processes (C-3)", Icc, B, 0, VAR, T_REC),
    e(0x9F69, "UDOL (C-2) / Card Authentication Related Data (C-3)", Icc, B, 0, VAR, T_REC),
    e(0x9F6A, "Unpredictable Number (Numeric) (C-2)", Terminal, N, 4, 4, NONE),
    e(0x9F6B, "Track 2 Data (C-2) / Card CVM Limit (C-3)", Icc, B, 6, 19, T_REC),
    e(
        0x9F6C,
        "Mag-stripe Application Version Number (Card) (C-2) / Card Transaction Qualifiers (C-3)",
        Icc,
        B,
        2,
        2,
        T_REC,
    ),
    e(0x9F6D, "Mag-stripe Application Version Number (Reader) (C-2)", Terminal, B, 2, 2, NONE),
    e(0x9F6E, "Third Party Data (C-2) / Form Factor Indicator (C-3)", Icc, B, 4, 32, T_REC),
    e(0x9F6F, "DS Slot Management Control (C-2)", Icc, B, 1, 1, NONE),
    e(0x9F70, "Protected Data Envelope 1 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F71, "Protected Data Envelope 2 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F72, "Protected Data Envelope 3 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F73, "Protected Data Envelope 4 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F74, "Protected Data Envelope 5 (C-2) / VLP Issuer Authorisation Code (C-3)", Icc, B, 0, 192, T_REC),
    e(0x9F75, "Unprotected Data Envelope 1 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F76, "Unprotected Data Envelope 2 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F77, "Unprotected Data Envelope 3 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F78, "Unprotected Data Envelope 4 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F79, "Unprotected Data Envelope 5 (C-2)", Icc, B, 0, 192, T_REC),
    e(0x9F7C, "Merchant Custom Data (C-2) / Customer Exclusive Data (C-3)", Icc, B, 0, 32, T_GPO),
    e(0x9F7D, "DS Summary 1 (C-2)", Icc, B, 8, 16, T_REC),
    e(0x9F7E, "Mobile Support Indicator (C-2)", Terminal, B, 1, 1, NONE),
    e(0x9F7F, "DS Unpredictable Number (C-2)", Terminal, B, 4, 4, NONE),
    e(0xA5, "File Control Information (FCI) Proprietary Template", Icc, Var, 0, VAR, T_6F),
    e(0xBF0C, "File Control Information (FCI) Issuer Discretionary Data", Icc, Var, 0, 222, T_A5),
    e(0xDF4B, "POS Cardholder Interaction Information (C-2)", Icc, B, 3, 3, T_GPO),
    e(0xDF8101, "DS Summary 2 (C-2)", Terminal, B, 8, 16, NONE),
    e(0xDF8102, "DS Summary 3 (C-2)", Terminal, B, 8, 16, NONE),
    e(0xDF8104, "Balance Read Before Gen AC (C-2)", Terminal, N, 6, 6, NONE),
    e(0xDF8105, "Balance Read After Gen AC (C-2)", Terminal, N, 6, 6, NONE),
    e(0xDF8106, "Data Needed (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF8107, "CDOL1 Related Data (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF8108, "DS AC Type (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8109, "DS Input (Term) (C-2)", Terminal, B, 8, 8, NONE),
    e(0xDF810A, "DS ODS Info For Reader (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF810B, "DS Summary Status (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF810C, "Kernel ID (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF810D, "DSVN Term (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF810E, "Post-Gen AC Put Data Status (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF810F, "Pre-Gen AC Put Data Status (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8110, "Proceed To First Write Flag (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8111, "PDOL Related Data (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF8112, "Tags To Read (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF8113, "DRDOL Related Data (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF8114, "Reference Control Parameter (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8115, "Error Indication (C-2)", Terminal, B, 6, 6, NONE),
    e(0xDF8116, "User Interface Request Data (C-2)", Terminal, B, 22, 22, NONE),
    e(0xDF8117, "Card Data Input Capability (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8118, "CVM Capability - CVM Required (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8119, "CVM Capability - No CVM Required (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF811A, "Default UDOL (C-2)", Terminal, B, 3, 3, NONE),
    e(0xDF811B, "Kernel Configuration (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF811C, "Max Lifetime of Torn Transaction Log Record (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF811D, "Max Number of Torn Transaction Log Records (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF811E, "Mag-stripe CVM Capability - CVM Required (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF811F, "Security Capability (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8120, "Terminal Action Code - Default (C-2)", Terminal, B, 5, 5, NONE),
    e(0xDF8121, "Terminal Action Code - Denial (C-2)", Terminal, B, 5, 5, NONE),
    e(0xDF8122, "Terminal Action Code - Online (C-2)", Terminal, B, 5, 5, NONE),
    e(0xDF8123, "Reader Contactless Floor Limit (C-2)", Terminal, N, 6, 6, NONE),
    e(0xDF8124, "Reader Contactless Transaction Limit (No On-device CVM) (C-2)", Terminal, N, 6, 6, NONE),
    e(0xDF8125, "Reader Contactless Transaction Limit (On-device CVM) (C-2)", Terminal, N, 6, 6, NONE),
    e(0xDF8126, "Reader CVM Required Limit (C-2)", Terminal, N, 6, 6, NONE),
    e(0xDF8127, "Time Out Value (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8128, "IDS Status (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8129, "Outcome Parameter Set (C-2)", Terminal, B, 8, 8, NONE),
    e(0xDF812A, "DD Card (Track1) (C-2)", Terminal, Ans, 0, 56, NONE),
    e(0xDF812B, "DD Card (Track2) (C-2)", Terminal, B, 0, 8, NONE),
    e(0xDF812C, "Mag-stripe CVM Capability - No CVM Required (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF812D, "Message Hold Time (C-2)", Terminal, N, 3, 3, NONE),
    e(0xDF8130, "Hold Time Value (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8131, "Phone Message Table (C-2)", Terminal, B, 0, VAR, NONE),
    e(0xDF8132, "Minimum Relay Resistance Grace Period (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8133, "Maximum Relay Resistance Grace Period (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8134, "Terminal Expected Transmission Time For Relay Resistance C-APDU (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8135, "Terminal Expected Transmission Time For Relay Resistance R-APDU (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8136, "Relay Resistance Accuracy Threshold (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8137, "Relay Resistance Transmission Time Mismatch Threshold (C-2)", Terminal, B, 1, 1, NONE),
    e(0xDF8301, "Terminal Relay Resistance Entropy (C-2)", Terminal, B, 4, 4, NONE),
    e(0xDF8302, "Device Relay Resistance Entropy (C-2)", Icc, B, 4, 4, NONE),
    e(0xDF8303, "Min Time For Processing Relay Resistance APDU (C-2)", Icc, B, 2, 2, NONE),
    e(0xDF8304, "Max Time For Processing Relay Resistance APDU (C-2)", Icc, B, 2, 2, NONE),
    e(0xDF8305, "Device Estimated Transmission Time For Relay Resistance R-APDU (C-2)", Icc, B, 2, 2, NONE),
    e(0xDF8306, "Measured Relay Resistance Processing Time (C-2)", Terminal, B, 2, 2, NONE),
    e(0xDF8307, "RRP Counter (C-2)", Terminal, B, 1, 1, NONE),
    e(0xFF8101, "Torn Record (C-2)", Terminal, Var, 0, 0xFFFF, NONE),
    e(0xFF8102, "Tags To Write Before Gen AC (C-2)", Terminal, Var, 0, 0xFFFF, NONE),
    e(0xFF8103, "Tags To Write After Gen AC (C-2)", Terminal, Var, 0, 0xFFFF, NONE),
    e(0xFF8104, "Data To Send (C-2)", Terminal, Var, 0, 0xFFFF, NONE),
    e(0xFF8105, "Data Record (C-2)", Terminal, Var, 0, 0xFFFF, NONE),
    e(0xFF8106, "Discretionary Data (C-2)", Terminal, Var, 0, 0xFFFF, NONE),
];

/// Looks a tag up in the dictionary.
pub fn lookup_emv_tag(tag: Tag) -> Option<&'static TagInfo> {
    // The keys of the table, computed once: a probe is then one integer comparison (the
    // validators look up every object, and under a fuzzer every comparison is traced).
    static KEYS: std::sync::LazyLock<Vec<u64>> =
        std::sync::LazyLock::new(|| EMV_TAGS.iter().map(|i| wire_order(i.tag)).collect());
    KEYS.binary_search(&wire_order(tag)).ok().map(|i| &EMV_TAGS[i])
}

/// A key that sorts tags as their wire bytes sort: left-aligned bytes, then length.
fn wire_order(tag: Tag) -> u64 {
    let len = tag.len();
    u64::from(tag.0 << (8 * (4 - len))) << 8 | len as u64
}

/// Named constants for the tags a contactless flow uses.
impl Tag {
    /// `4F` Application Identifier (AID) - card.
    pub const AID: Tag = Tag(0x4F);
    /// `50` Application Label.
    pub const APPLICATION_LABEL: Tag = Tag(0x50);
    /// `56` Track 1 Data.
    pub const TRACK1_DATA: Tag = Tag(0x56);
    /// `57` Track 2 Equivalent Data.
    pub const TRACK2_EQUIVALENT_DATA: Tag = Tag(0x57);
    /// `5A` Application PAN.
    pub const PAN: Tag = Tag(0x5A);
    /// `5F20` Cardholder Name.
    pub const CARDHOLDER_NAME: Tag = Tag(0x5F20);
    /// `5F24` Application Expiration Date.
    pub const EXPIRATION_DATE: Tag = Tag(0x5F24);
    /// `5F25` Application Effective Date.
    pub const EFFECTIVE_DATE: Tag = Tag(0x5F25);
    /// `5F28` Issuer Country Code.
    pub const ISSUER_COUNTRY_CODE: Tag = Tag(0x5F28);
    /// `5F2A` Transaction Currency Code.
    pub const TRANSACTION_CURRENCY_CODE: Tag = Tag(0x5F2A);
    /// `5F2D` Language Preference.
    pub const LANGUAGE_PREFERENCE: Tag = Tag(0x5F2D);
    /// `5F34` Application PAN Sequence Number.
    pub const PAN_SEQUENCE_NUMBER: Tag = Tag(0x5F34);
    /// `61` Application Template.
    pub const APPLICATION_TEMPLATE: Tag = Tag(0x61);
    /// `6F` FCI Template.
    pub const FCI_TEMPLATE: Tag = Tag(0x6F);
    /// `70` READ RECORD Response Message Template.
    pub const RECORD_TEMPLATE: Tag = Tag(0x70);
    /// `77` Response Message Template Format 2.
    pub const RESPONSE_FORMAT2: Tag = Tag(0x77);
    /// `80` Response Message Template Format 1.
    pub const RESPONSE_FORMAT1: Tag = Tag(0x80);
    /// `82` Application Interchange Profile.
    pub const AIP: Tag = Tag(0x82);
    /// `83` Command Template.
    pub const COMMAND_TEMPLATE: Tag = Tag(0x83);
    /// `84` DF Name.
    pub const DF_NAME: Tag = Tag(0x84);
    /// `87` Application Priority Indicator.
    pub const APPLICATION_PRIORITY: Tag = Tag(0x87);
    /// `88` Short File Identifier.
    pub const SFI: Tag = Tag(0x88);
    /// `8C` CDOL1.
    pub const CDOL1: Tag = Tag(0x8C);
    /// `8D` CDOL2.
    pub const CDOL2: Tag = Tag(0x8D);
    /// `8E` CVM List.
    pub const CVM_LIST: Tag = Tag(0x8E);
    /// `94` Application File Locator.
    pub const AFL: Tag = Tag(0x94);
    /// `95` Terminal Verification Results.
    pub const TVR: Tag = Tag(0x95);
    /// `97` TDOL.
    pub const TDOL: Tag = Tag(0x97);
    /// `9A` Transaction Date.
    pub const TRANSACTION_DATE: Tag = Tag(0x9A);
    /// `9C` Transaction Type.
    pub const TRANSACTION_TYPE: Tag = Tag(0x9C);
    /// `9F02` Amount, Authorised (Numeric).
    pub const AMOUNT_AUTHORISED: Tag = Tag(0x9F02);
    /// `9F03` Amount, Other (Numeric).
    pub const AMOUNT_OTHER: Tag = Tag(0x9F03);
    /// `9F0A` Application Selection Registered Proprietary Data.
    pub const ASRPD: Tag = Tag(0x9F0A);
    /// `9F10` Issuer Application Data.
    pub const IAD: Tag = Tag(0x9F10);
    /// `9F11` Issuer Code Table Index.
    pub const ISSUER_CODE_TABLE_INDEX: Tag = Tag(0x9F11);
    /// `9F12` Application Preferred Name.
    pub const APPLICATION_PREFERRED_NAME: Tag = Tag(0x9F12);
    /// `9F1A` Terminal Country Code.
    pub const TERMINAL_COUNTRY_CODE: Tag = Tag(0x9F1A);
    /// `9F26` Application Cryptogram.
    pub const APPLICATION_CRYPTOGRAM: Tag = Tag(0x9F26);
    /// `9F27` Cryptogram Information Data.
    pub const CID: Tag = Tag(0x9F27);
    /// `9F2A` Kernel Identifier.
    pub const KERNEL_IDENTIFIER: Tag = Tag(0x9F2A);
    /// `9F36` Application Transaction Counter.
    pub const ATC: Tag = Tag(0x9F36);
    /// `9F37` Unpredictable Number.
    pub const UNPREDICTABLE_NUMBER: Tag = Tag(0x9F37);
    /// `9F38` PDOL.
    pub const PDOL: Tag = Tag(0x9F38);
    /// `9F49` DDOL.
    pub const DDOL: Tag = Tag(0x9F49);
    /// `9F4B` Signed Dynamic Application Data.
    pub const SDAD: Tag = Tag(0x9F4B);
    /// `9F66` Terminal Transaction Qualifiers (Visa) / PUNATC (Track2) (Mastercard).
    pub const TTQ: Tag = Tag(0x9F66);
    /// `9F6B` Track 2 Data (Mastercard) / Card CVM Limit (Visa).
    pub const TRACK2_DATA: Tag = Tag(0x9F6B);
    /// `9F6C` Card Transaction Qualifiers (Visa).
    pub const CTQ: Tag = Tag(0x9F6C);
    /// `9F6E` Form Factor Indicator (Visa) / Third Party Data (Mastercard).
    pub const FORM_FACTOR_INDICATOR: Tag = Tag(0x9F6E);
    /// `A5` FCI Proprietary Template.
    pub const FCI_PROPRIETARY: Tag = Tag(0xA5);
    /// `BF0C` FCI Issuer Discretionary Data.
    pub const FCI_ISSUER_DISCRETIONARY: Tag = Tag(0xBF0C);

    /// The dictionary entry for this tag.
    pub fn info(self) -> Option<&'static TagInfo> {
        lookup_emv_tag(self)
    }

    /// The tag's name in the EMV dictionary.
    pub fn name(self) -> Option<&'static str> {
        lookup_emv_tag(self).map(|i| i.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_well_formed() {
        for w in EMV_TAGS.windows(2) {
            assert!(wire_order(w[0].tag) < wire_order(w[1].tag), "{} before {}", w[0].tag, w[1].tag);
        }
        for i in EMV_TAGS {
            assert!(i.tag.is_well_formed(), "{}", i.tag);
            assert!(i.min_len <= i.max_len, "{}", i.tag);
            // Constructed tags are templates (var.); 80 is the one primitive "template".
            if i.tag.is_constructed() {
                assert_eq!(i.format, DataFormat::Var, "{}", i.tag);
            }
        }
    }

    #[test]
    fn covers_book3_annex_a_and_the_contactless_tags() {
        let expected: &[u32] = &[
            0x42, 0x4F, 0x50, 0x56, 0x57, 0x5A, 0x5F20, 0x5F24, 0x5F25, 0x5F28, 0x5F2A, 0x5F2D, 0x5F30, 0x5F34, 0x5F36,
            0x5F50, 0x5F53, 0x5F54, 0x5F55, 0x5F56, 0x61, 0x6F, 0x70, 0x71, 0x72, 0x73, 0x77, 0x80, 0x81, 0x82, 0x83,
            0x84, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x97, 0x98,
            0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0xA5, 0xBF0C, 0x9F5D, 0x9F66, 0x9F6B, 0x9F6C, 0x9F6E, 0x9F7C, 0xDF4B,
            0xDF8129,
        ];
        for &t in expected {
            assert!(Tag(t).info().is_some(), "{} missing", Tag(t));
        }
        // 9F01..9F4F: every tag Annex A defines in that range.
        for t in (0x9F01..=0x9F4F).filter(|t| ![0x9F28, 0x9F2B, 0x9F2C, 0x9F30, 0x9F31, 0x9F3E, 0x9F3F].contains(t)) {
            assert!(Tag(t).info().is_some(), "{} missing", Tag(t));
        }
        // 9F60..9F6A, the Mastercard/Visa contactless block.
        for t in 0x9F60..=0x9F6A {
            assert!(Tag(t).info().is_some(), "{} missing", Tag(t));
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(Tag(0x9F38).name(), Some("Processing Options Data Object List (PDOL)"));
        assert_eq!(Tag::PAN.info().unwrap().format, DataFormat::Cn);
        assert_eq!(Tag(0x42).info().unwrap().templates, &[Tag(0xBF0C)]);
        assert_eq!(Tag(0xDF8129).info().unwrap().max_len, 8);
        assert!(Tag(0x9F7A).info().is_none());
        assert!(Tag(0x01).info().is_none());
        assert!(Tag(0xFFFF_FFFF).info().is_none());
        assert!(Tag::ATC.info().unwrap().allows_len(2));
        assert!(!Tag::ATC.info().unwrap().allows_len(3));
    }
}
