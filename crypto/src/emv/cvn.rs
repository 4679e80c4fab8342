//! Cryptogram versions: which key, session key, padding, data layout and ARPC method each CVN
//! uses. Public facts as modelled by pyemv 1.5.0 (`pyemv/cvn.py`, whose tests were verified
//! against an HSM) and the Visa/Mastercard IAD layouts in [`super::iad`].
//!
//! | CVN | ICC MK | session key | padding | AC input suffix | ARPC |
//! |---|---|---|---|---|---|
//! | Visa 10 | Option A | none (ICC MK) | method 1 | CVR (4 bytes) | method 1, ICC MK |
//! | Visa 18 | Option B | EMV CSK, R = ATC‖0 | method 2 | whole IAD | method 2, SK |
//! | Visa 22 | Option B | EMV CSK | method 2 | whole IAD | method 2, SK |
//! | MC 16 | Option A | MC SKD, R = ATC‖0000‖UN | method 2 | CVR (6) | method 1, ICC MK |
//! | MC 17 | Option A | MC SKD | method 2 | CVR ‖ counters | method 1, ICC MK |
//! | MC 20 | Option A | EMV CSK | method 2 | CVR (6) | method 1, SK |
//! | MC 21 | Option A | EMV CSK | method 2 | CVR ‖ counters | method 1, SK |

use super::iad::{AnyVisaIad, MastercardIad, VisaIad};
use super::{
    derive_icc_mk_option_a, derive_icc_mk_option_b, derive_session_key_emv_csk, emv_csk_r, generate_arpc_method1,
    generate_arpc_method2, mastercard_skd_r,
};
use crate::mac::mac_alg3_u64;
use crate::{CryptoError, Padding, Tdes};

/// The data elements of the EMV Book 2 §8.1.1 recommended minimum set, in their AC input order:
/// 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36 (33 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AcData {
    /// 9F02 Amount, Authorised (n12).
    pub amount_authorised: [u8; 6],
    /// 9F03 Amount, Other (n12).
    pub amount_other: [u8; 6],
    /// 9F1A Terminal Country Code.
    pub terminal_country: [u8; 2],
    /// 95 Terminal Verification Results.
    pub tvr: [u8; 5],
    /// 5F2A Transaction Currency Code.
    pub currency: [u8; 2],
    /// 9A Transaction Date (YYMMDD).
    pub date: [u8; 3],
    /// 9C Transaction Type.
    pub transaction_type: u8,
    /// 9F37 Unpredictable Number.
    pub un: [u8; 4],
    /// 82 Application Interchange Profile.
    pub aip: [u8; 2],
    /// 9F36 Application Transaction Counter.
    pub atc: [u8; 2],
}

impl AcData {
    /// Length of the encoded set.
    pub const LEN: usize = 33;

    /// The 33 bytes in AC input order.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut b = [0u8; 33];
        b[0..6].copy_from_slice(&self.amount_authorised);
        b[6..12].copy_from_slice(&self.amount_other);
        b[12..14].copy_from_slice(&self.terminal_country);
        b[14..19].copy_from_slice(&self.tvr);
        b[19..21].copy_from_slice(&self.currency);
        b[21..24].copy_from_slice(&self.date);
        b[24] = self.transaction_type;
        b[25..29].copy_from_slice(&self.un);
        b[29..31].copy_from_slice(&self.aip);
        b[31..33].copy_from_slice(&self.atc);
        b
    }

    /// Splits 33 bytes in AC input order.
    pub fn from_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        if b.len() != 33 {
            return Err(CryptoError::FieldLength { field: "AC data", expected: "33 bytes", got: b.len() });
        }
        let f = |r: core::ops::Range<usize>| b[r].to_vec();
        let arr = |r: core::ops::Range<usize>, out: &mut [u8]| out.copy_from_slice(&f(r));
        let mut d = AcData { transaction_type: b[24], ..AcData::default() };
        arr(0..6, &mut d.amount_authorised);
        arr(6..12, &mut d.amount_other);
        arr(12..14, &mut d.terminal_country);
        arr(14..19, &mut d.tvr);
        arr(19..21, &mut d.currency);
        arr(21..24, &mut d.date);
        arr(25..29, &mut d.un);
        arr(29..31, &mut d.aip);
        arr(31..33, &mut d.atc);
        Ok(d)
    }
}

/// How the cryptogram session key is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionKeyDerivation {
    /// No session key: the ICC master key is used directly.
    None,
    /// EMV Common Session Key with R = ATC ‖ 00..00.
    EmvCsk,
    /// Mastercard SKD: EMV CSK function with R = ATC ‖ 0000 ‖ UN.
    MastercardSkd,
}

/// ARPC method and key of a cryptogram version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpcMethod {
    /// Method 1 under the ICC master key.
    Method1IccMk,
    /// Method 1 under the AC session key.
    Method1SessionKey,
    /// Method 2 under the AC session key.
    Method2SessionKey,
}

/// The response code input of an ARPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArpcInput {
    /// Method 1: the 2-byte authorisation response code.
    Method1 {
        /// ARC.
        arc: [u8; 2],
    },
    /// Method 2: card status update and optional proprietary authentication data.
    Method2 {
        /// CSU.
        csu: [u8; 4],
        /// Proprietary authentication data (0-8 bytes).
        proprietary: Vec<u8>,
    },
}

/// A cryptogram version number. `Cvn::Visa18` selects its ICC MK method, session key,
/// padding, AC data layout and ARPC method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cvn {
    /// Visa CVN 10 (`0A`).
    Visa10,
    /// Visa CVN 18 (`12`).
    Visa18,
    /// Visa CVN '22' (`22`), as pyemv models it (same cryptogram as CVN 18).
    Visa22,
    /// Mastercard CVN 16 (`10`), M/Chip 4 with MC SKD.
    Mastercard16,
    /// Mastercard CVN 17 (`11`), as 16 with counters in the AC input.
    Mastercard17,
    /// Mastercard CVN 20 (`14`), EMV CSK.
    Mastercard20,
    /// Mastercard CVN 21 (`15`), as 20 with counters in the AC input.
    Mastercard21,
}

/// A generated cryptogram and the session key that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CvnCryptogram {
    /// The key the AC was computed with (the ICC MK for Visa CVN 10).
    pub session_key: [u8; 16],
    /// The 8-byte application cryptogram.
    pub ac: [u8; 8],
}

impl Cvn {
    /// All supported versions.
    pub const ALL: [Cvn; 7] = [
        Cvn::Visa10,
        Cvn::Visa18,
        Cvn::Visa22,
        Cvn::Mastercard16,
        Cvn::Mastercard17,
        Cvn::Mastercard20,
        Cvn::Mastercard21,
    ];

    /// The CVN byte carried in the IAD.
    pub fn code(self) -> u8 {
        match self {
            Cvn::Visa10 => 0x0A,
            Cvn::Visa18 => 0x12,
            Cvn::Visa22 => 0x22,
            Cvn::Mastercard16 => 0x10,
            Cvn::Mastercard17 => 0x11,
            Cvn::Mastercard20 => 0x14,
            Cvn::Mastercard21 => 0x15,
        }
    }

    /// True for the Visa versions (Visa IAD layout).
    pub fn is_visa(self) -> bool {
        matches!(self, Cvn::Visa10 | Cvn::Visa18 | Cvn::Visa22)
    }

    /// ICC master key derivation of this version.
    pub fn icc_mk_derivation(self) -> super::IccMkDerivation {
        match self {
            Cvn::Visa18 | Cvn::Visa22 => super::IccMkDerivation::OptionB,
            _ => super::IccMkDerivation::OptionA,
        }
    }

    /// Session key derivation of this version.
    pub fn session_key_derivation(self) -> SessionKeyDerivation {
        match self {
            Cvn::Visa10 => SessionKeyDerivation::None,
            Cvn::Visa18 | Cvn::Visa22 | Cvn::Mastercard20 | Cvn::Mastercard21 => SessionKeyDerivation::EmvCsk,
            Cvn::Mastercard16 | Cvn::Mastercard17 => SessionKeyDerivation::MastercardSkd,
        }
    }

    /// ISO/IEC 9797-1 padding of the AC input.
    pub fn padding(self) -> Padding {
        match self {
            Cvn::Visa10 => Padding::Method1,
            _ => Padding::Method2,
        }
    }

    /// ARPC method of this version.
    pub fn arpc_method(self) -> ArpcMethod {
        match self {
            Cvn::Visa10 | Cvn::Mastercard16 | Cvn::Mastercard17 => ArpcMethod::Method1IccMk,
            Cvn::Mastercard20 | Cvn::Mastercard21 => ArpcMethod::Method1SessionKey,
            Cvn::Visa18 | Cvn::Visa22 => ArpcMethod::Method2SessionKey,
        }
    }

    /// Derives the ICC AC master key from the issuer master key with this version's method.
    pub fn derive_icc_mk(self, imk: &Tdes, pan: &str, psn: u8) -> Result<[u8; 16], CryptoError> {
        match self.icc_mk_derivation() {
            super::IccMkDerivation::OptionB => derive_icc_mk_option_b(imk, pan, psn),
            _ => derive_icc_mk_option_a(imk, pan, psn),
        }
    }

    /// The AC session key for a transaction (the ICC MK itself for Visa CVN 10).
    pub fn session_key(self, icc_mk: &Tdes, icc_mk_bytes: &[u8; 16], atc: [u8; 2], un: [u8; 4]) -> [u8; 16] {
        match self.session_key_derivation() {
            SessionKeyDerivation::None => *icc_mk_bytes,
            SessionKeyDerivation::EmvCsk => derive_session_key_emv_csk(icc_mk, emv_csk_r(atc)),
            SessionKeyDerivation::MastercardSkd => derive_session_key_emv_csk(icc_mk, mastercard_skd_r(atc, un)),
        }
    }

    /// The bytes this version appends to the 33-byte [`AcData`], taken from the IAD (9F10).
    pub fn ac_input_suffix(self, iad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            Cvn::Visa10 => Ok(VisaIad::parse(iad)?.cvr.to_vec()),
            Cvn::Visa18 | Cvn::Visa22 => {
                // the whole IAD is MACed, in whichever layout the card uses (CVN 22 cards
                // normally send the 32-byte format 2)
                AnyVisaIad::parse(iad)?;
                Ok(iad.to_vec())
            }
            Cvn::Mastercard16 | Cvn::Mastercard20 => Ok(MastercardIad::parse(iad)?.cvr.to_vec()),
            Cvn::Mastercard17 | Cvn::Mastercard21 => {
                let m = MastercardIad::parse(iad)?;
                Ok([&m.cvr[..], &m.counters[..]].concat())
            }
        }
    }

    /// Generates the AC (ARQC, TC or AAC: the computation is the same) from the ICC AC master
    /// key, the transaction data and the IAD.
    pub fn generate_ac(self, icc_mk: &[u8; 16], data: &AcData, iad: &[u8]) -> Result<CvnCryptogram, CryptoError> {
        let mk = Tdes::new_2key(icc_mk);
        let suffix = self.ac_input_suffix(iad)?;
        let session_key = self.session_key(&mk, icc_mk, data.atc, data.un);
        let mut input = Vec::with_capacity(AcData::LEN + suffix.len());
        input.extend_from_slice(&data.to_bytes());
        input.extend_from_slice(&suffix);
        let ac = mac_alg3_u64(&Tdes::new_2key(&session_key), &input, self.padding()).to_be_bytes();
        Ok(CvnCryptogram { session_key, ac })
    }

    /// Generates the ARPC for an ARQC. The response input must match [`Cvn::arpc_method`].
    pub fn generate_arpc(
        self,
        icc_mk: &[u8; 16],
        data: &AcData,
        arqc: [u8; 8],
        input: &ArpcInput,
    ) -> Result<Vec<u8>, CryptoError> {
        let mk = Tdes::new_2key(icc_mk);
        let key = match self.arpc_method() {
            ArpcMethod::Method1IccMk => mk,
            _ => Tdes::new_2key(&self.session_key(&mk, icc_mk, data.atc, data.un)),
        };
        match (self.arpc_method(), input) {
            (ArpcMethod::Method1IccMk | ArpcMethod::Method1SessionKey, ArpcInput::Method1 { arc }) => {
                Ok(generate_arpc_method1(&key, arqc, *arc).to_vec())
            }
            (ArpcMethod::Method2SessionKey, ArpcInput::Method2 { csu, proprietary }) => {
                if proprietary.len() > 8 {
                    return Err(CryptoError::FieldLength {
                        field: "proprietary authentication data",
                        expected: "0 to 8 bytes",
                        got: proprietary.len(),
                    });
                }
                Ok(generate_arpc_method2(&key, arqc, *csu, proprietary).to_vec())
            }
            _ => Err(CryptoError::Unsupported { operation: "this ARPC method", algorithm: "this CVN" }),
        }
    }
}
