//! Dates for certificate expiry checks (EMV Book 2 §5.3 step 8, §6.4 step 9).
//!
//! The clock is injected: every verification takes `today` as an [`EmvDate`], so runs are
//! reproducible and expiry can be tested.

use super::error::{OdaError, SignedObject};
use tapcert_parsers::bcd::{decode_bcd_byte, encode_bcd_byte};

/// A calendar date, as the terminal's Transaction Date `9A` (YYMMDD) gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EmvDate {
    /// Four-digit year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
}

impl EmvDate {
    /// Reads a Transaction Date `9A` value (BCD YYMMDD; YY 00-49 is 20YY, 50-99 is 19YY as in
    /// Book 4 §6.7.3). Returns `None` for anything that is not a BCD date with month 1-12 and
    /// day 1-31.
    pub fn from_yymmdd(bcd: [u8; 3]) -> Option<EmvDate> {
        let yy = decode_bcd_byte(bcd[0])?;
        let month = decode_bcd_byte(bcd[1])?;
        let day = decode_bcd_byte(bcd[2])?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(EmvDate { year: century(yy), month, day })
    }
}

impl core::fmt::Display for EmvDate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A certificate expiration date MMYY: the certificate is valid through the last day of that
/// month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertExpiry {
    /// Four-digit year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
}

impl CertExpiry {
    /// Reads the 2-byte BCD MMYY field of a certificate.
    pub fn from_mmyy(bcd: [u8; 2], object: SignedObject) -> Result<CertExpiry, OdaError> {
        let bad = OdaError::BadExpiry { object, found: bcd };
        let month = decode_bcd_byte(bcd[0]).ok_or(bad.clone())?;
        let yy = decode_bcd_byte(bcd[1]).ok_or(bad.clone())?;
        if !(1..=12).contains(&month) {
            return Err(bad);
        }
        Ok(CertExpiry { year: century(yy), month })
    }

    /// The 2-byte BCD MMYY encoding (years 1950-2049).
    pub fn to_mmyy(self) -> [u8; 2] {
        let yy = (self.year % 100) as u8;
        [encode_bcd_byte(self.month), encode_bcd_byte(yy)]
    }

    /// True when `today` is after the last day of the expiry month.
    pub fn has_expired(self, today: EmvDate) -> bool {
        (today.year, today.month) > (self.year, self.month)
    }

    /// Fails with [`OdaError::Expired`] when the certificate has expired on `today`.
    pub(crate) fn check(self, today: EmvDate, object: SignedObject) -> Result<(), OdaError> {
        if self.has_expired(today) {
            return Err(OdaError::Expired { object, expiry: self, today });
        }
        Ok(())
    }
}

impl core::fmt::Display for CertExpiry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:02}/{:04}", self.month, self.year)
    }
}

fn century(yy: u8) -> u16 {
    if yy < 50 { 2000 + u16::from(yy) } else { 1900 + u16::from(yy) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJ: SignedObject = SignedObject::IssuerCertificate;

    #[test]
    fn expiry_is_end_of_month() {
        let exp = CertExpiry::from_mmyy([0x12, 0x30], OBJ).unwrap();
        assert_eq!(exp, CertExpiry { year: 2030, month: 12 });
        assert_eq!(exp.to_mmyy(), [0x12, 0x30]);
        assert!(!exp.has_expired(EmvDate { year: 2030, month: 12, day: 31 }));
        assert!(exp.has_expired(EmvDate { year: 2031, month: 1, day: 1 }));
        let old = CertExpiry::from_mmyy([0x06, 0x99], OBJ).unwrap();
        assert_eq!(old.year, 1999);
    }

    #[test]
    fn bad_bcd_rejected() {
        for bad in [[0x13, 0x30], [0x00, 0x30], [0x1A, 0x30], [0x12, 0x3F]] {
            assert_eq!(CertExpiry::from_mmyy(bad, OBJ), Err(OdaError::BadExpiry { object: OBJ, found: bad }));
        }
        assert_eq!(EmvDate::from_yymmdd([0x26, 0x11, 0x22]), Some(EmvDate { year: 2026, month: 11, day: 22 }));
        assert_eq!(EmvDate::from_yymmdd([0x26, 0x13, 0x01]), None);
        assert_eq!(EmvDate::from_yymmdd([0x26, 0x01, 0x00]), None);
    }
}
