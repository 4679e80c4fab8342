//! Issuer application data (tag 9F10) for the Visa and Mastercard cryptogram versions this
//! crate implements. Layouts are the publicly documented ones: Visa "format 0/1/3" (VIS 1.5
//! Appendix; the first byte is the length 06 of the Visa discretionary data), Visa "format 2"
//! (32 bytes, first byte 1F; the IAD format is the CVN's high nibble, so CVN 22 uses it) and
//! Mastercard M/Chip 4 / M/Chip Advance (KDI, CVN, 6-byte CVR, DAC/IDN, 8-byte counters), and the
//! EMV Common Core Definitions "Format Code A" IAD (EMV 4.4 Book 3 Annex C9, 32 bytes, 0F ‖ CCI).

use crate::CryptoError;

/// Visa IAD, formats 0/1/3: `06 ‖ DKI ‖ CVN ‖ CVR(4, first byte = CVR length 03)` optionally
/// followed by `len ‖ issuer discretionary data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisaIad {
    /// Derivation key index.
    pub dki: u8,
    /// Cryptogram version number (0A, 12, 22 ...).
    pub cvn: u8,
    /// Card verification results, 4 bytes including the leading length byte (03).
    pub cvr: [u8; 4],
    /// Issuer discretionary data (without its length byte); empty if absent.
    pub issuer_discretionary: Vec<u8>,
}

impl VisaIad {
    /// Encodes the 9F10 value.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0x06, self.dki, self.cvn];
        out.extend_from_slice(&self.cvr);
        if !self.issuer_discretionary.is_empty() {
            out.push(self.issuer_discretionary.len() as u8);
            out.extend_from_slice(&self.issuer_discretionary);
        }
        out
    }

    /// Parses a 9F10 value; rejects a wrong Visa discretionary data length or a truncated or
    /// overlong issuer discretionary data field.
    pub fn parse(iad: &[u8]) -> Result<Self, CryptoError> {
        if iad.first() != Some(&0x06) {
            return Err(CryptoError::Iad { offset: 0, expected: "Visa discretionary data length 06" });
        }
        if iad.len() < 7 {
            return Err(CryptoError::Iad { offset: iad.len(), expected: "7 bytes: 06, DKI, CVN, 4-byte CVR" });
        }
        let mut idd = Vec::new();
        if iad.len() > 7 {
            let n = usize::from(iad[7]);
            if iad.len() != 8 + n {
                return Err(CryptoError::Iad { offset: 7, expected: "issuer discretionary data length = rest" });
            }
            idd.extend_from_slice(&iad[8..]);
        }
        Ok(VisaIad { dki: iad[1], cvn: iad[2], cvr: [iad[3], iad[4], iad[5], iad[6]], issuer_discretionary: idd })
    }
}

/// Visa IAD format 2 (32 bytes): `1F ‖ CVN ‖ DKI ‖ CVR(5) ‖ IDD option ID ‖ IDD(23)`. The first
/// byte is the length of what follows (31); the CVN's high nibble is the format (2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisaIadFormat2 {
    /// Cryptogram version number (22 ...).
    pub cvn: u8,
    /// Derivation key index.
    pub dki: u8,
    /// Card verification results (5 bytes in this format).
    pub cvr: [u8; 5],
    /// Issuer discretionary data option ID (which layout the IDD uses).
    pub idd_option_id: u8,
    /// Issuer discretionary data, always 23 bytes (zero-filled when unused).
    pub idd: [u8; 23],
}

impl VisaIadFormat2 {
    /// Length of a format 2 IAD.
    pub const LEN: usize = 32;

    /// Encodes the 9F10 value (always 32 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.extend_from_slice(&[0x1F, self.cvn, self.dki]);
        out.extend_from_slice(&self.cvr);
        out.push(self.idd_option_id);
        out.extend_from_slice(&self.idd);
        out
    }

    /// Parses a 9F10 value: exactly 32 bytes, first byte 1F, CVN with high nibble 2.
    pub fn parse(iad: &[u8]) -> Result<Self, CryptoError> {
        if iad.first() != Some(&0x1F) {
            return Err(CryptoError::Iad { offset: 0, expected: "Visa format 2 length 1F" });
        }
        if iad.len() != Self::LEN {
            let offset = iad.len().min(Self::LEN);
            return Err(CryptoError::Iad { offset, expected: "32 bytes: 1F, CVN, DKI, CVR(5), IDD option, IDD(23)" });
        }
        if iad[1] >> 4 != 2 {
            return Err(CryptoError::Iad { offset: 1, expected: "a CVN whose high nibble is the format, 2" });
        }
        let mut cvr = [0u8; 5];
        cvr.copy_from_slice(&iad[3..8]);
        let mut idd = [0u8; 23];
        idd.copy_from_slice(&iad[9..]);
        Ok(VisaIadFormat2 { cvn: iad[1], dki: iad[2], cvr, idd_option_id: iad[8], idd })
    }
}

/// A Visa IAD in either layout, told apart by the first byte (06: format 0/1/3, 1F: format 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyVisaIad {
    /// Formats 0, 1 and 3.
    Format013(VisaIad),
    /// Format 2.
    Format2(VisaIadFormat2),
}

impl AnyVisaIad {
    /// Parses either layout.
    pub fn parse(iad: &[u8]) -> Result<Self, CryptoError> {
        match iad.first() {
            Some(0x1F) => VisaIadFormat2::parse(iad).map(AnyVisaIad::Format2),
            Some(0x06) => VisaIad::parse(iad).map(AnyVisaIad::Format013),
            _ => {
                Err(CryptoError::Iad { offset: 0, expected: "Visa IAD length byte 06 (format 0/1/3) or 1F (format 2)" })
            }
        }
    }

    /// Encodes the 9F10 value.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            AnyVisaIad::Format013(i) => i.to_bytes(),
            AnyVisaIad::Format2(i) => i.to_bytes(),
        }
    }

    /// The cryptogram version number.
    pub fn cvn(&self) -> u8 {
        match self {
            AnyVisaIad::Format013(i) => i.cvn,
            AnyVisaIad::Format2(i) => i.cvn,
        }
    }

    /// The card verification results as carried (4 bytes with the length byte in formats
    /// 0/1/3, 5 bytes in format 2).
    pub fn cvr(&self) -> &[u8] {
        match self {
            AnyVisaIad::Format013(i) => &i.cvr,
            AnyVisaIad::Format2(i) => &i.cvr,
        }
    }
}

/// EMV Common Core Definitions IAD, Format Code A (EMV 4.4 Book 3 Annex C9): `0F ‖ CCI ‖ DKI ‖
/// CVR(5) ‖ counters(8) ‖ 0F ‖ issuer discretionary data(15)`. The Common Core Identifier's high
/// nibble is the format code (A), its low nibble the cryptogram version (5: Triple DES, EMV CSK
/// and MAC algorithm 3; 6: AES, AES CSK and CMAC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcdIad {
    /// Common Core Identifier (A5, A6).
    pub cci: u8,
    /// Derivation key index.
    pub dki: u8,
    /// Card verification results (5 bytes).
    pub cvr: [u8; 5],
    /// Counters (payment-system or issuer discretionary, 8 bytes).
    pub counters: [u8; 8],
    /// Issuer discretionary data (15 bytes).
    pub idd: [u8; 15],
}

impl CcdIad {
    /// Length of a Format Code A IAD.
    pub const LEN: usize = 32;

    /// The cryptogram version: the CCI's low nibble (5 TDES, 6 AES).
    pub fn cryptogram_version(&self) -> u8 {
        self.cci & 0x0F
    }

    /// Encodes the 9F10 value (always 32 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.extend_from_slice(&[0x0F, self.cci, self.dki]);
        out.extend_from_slice(&self.cvr);
        out.extend_from_slice(&self.counters);
        out.push(0x0F);
        out.extend_from_slice(&self.idd);
        out
    }

    /// Parses a 9F10 value: exactly 32 bytes, length indicators 0F at bytes 1 and 17, format
    /// code A in the CCI.
    pub fn parse(iad: &[u8]) -> Result<Self, CryptoError> {
        if iad.first() != Some(&0x0F) {
            return Err(CryptoError::Iad { offset: 0, expected: "CCD length indicator 0F" });
        }
        if iad.len() != Self::LEN {
            let offset = iad.len().min(Self::LEN);
            return Err(CryptoError::Iad {
                offset,
                expected: "32 bytes: 0F, CCI, DKI, CVR(5), counters(8), 0F, IDD(15)",
            });
        }
        if iad[1] >> 4 != 0xA {
            return Err(CryptoError::Iad { offset: 1, expected: "a Common Core Identifier with format code A" });
        }
        if iad[16] != 0x0F {
            return Err(CryptoError::Iad { offset: 16, expected: "issuer discretionary data length 0F" });
        }
        let mut cvr = [0u8; 5];
        cvr.copy_from_slice(&iad[3..8]);
        let mut counters = [0u8; 8];
        counters.copy_from_slice(&iad[8..16]);
        let mut idd = [0u8; 15];
        idd.copy_from_slice(&iad[17..]);
        Ok(CcdIad { cci: iad[1], dki: iad[2], cvr, counters, idd })
    }
}

/// Mastercard IAD (M/Chip 4, M/Chip Advance): `KDI ‖ CVN ‖ CVR(6) ‖ DAC/IDN(2) ‖ counters(8)`
/// optionally followed by further bytes (e.g. last online ATC in M/Chip Advance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MastercardIad {
    /// Key derivation index.
    pub kdi: u8,
    /// Cryptogram version number (10, 11, 14, 15 ...).
    pub cvn: u8,
    /// Card verification results.
    pub cvr: [u8; 6],
    /// Data authentication code or ICC dynamic number (2 bytes).
    pub dac_idn: [u8; 2],
    /// Plaintext or encrypted counters (8 bytes).
    pub counters: [u8; 8],
    /// Bytes after the counters.
    pub extra: Vec<u8>,
}

impl MastercardIad {
    /// Encodes the 9F10 value.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.kdi, self.cvn];
        out.extend_from_slice(&self.cvr);
        out.extend_from_slice(&self.dac_idn);
        out.extend_from_slice(&self.counters);
        out.extend_from_slice(&self.extra);
        out
    }

    /// Parses a 9F10 value of at least 18 bytes.
    pub fn parse(iad: &[u8]) -> Result<Self, CryptoError> {
        if iad.len() < 18 {
            return Err(CryptoError::Iad {
                offset: iad.len(),
                expected: "18 bytes: KDI, CVN, CVR(6), DAC(2), counters(8)",
            });
        }
        let mut cvr = [0u8; 6];
        cvr.copy_from_slice(&iad[2..8]);
        let mut counters = [0u8; 8];
        counters.copy_from_slice(&iad[10..18]);
        Ok(MastercardIad {
            kdi: iad[0],
            cvn: iad[1],
            cvr,
            dac_idn: [iad[8], iad[9]],
            counters,
            extra: iad[18..].to_vec(),
        })
    }
}
