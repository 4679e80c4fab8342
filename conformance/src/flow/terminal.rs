//! The terminal's own data objects: what it puts into PDOL and CDOL1 data.

use std::time::Duration;

use tapcert_parsers::tlv::Tag;

/// How a data element is padded or truncated into a DOL slot (EMV Book 3 §4.3 formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataFormat {
    /// `n`: BCD, right-justified.
    Numeric,
    /// `b`, `an`, `ans`: left-justified.
    Other,
}

/// What the terminal is configured with for a transaction (EMV Book 3 Annex A terminal tags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalConfig {
    /// Amount, Authorised (9F02) in minor units; encoded as n12.
    pub amount_authorised: u64,
    /// Amount, Other (9F03) in minor units; encoded as n12.
    pub amount_other: u64,
    /// Terminal Country Code (9F1A), ISO 3166-1 numeric as n3 (`0156` China).
    pub country_code: [u8; 2],
    /// Transaction Currency Code (5F2A), ISO 4217 numeric as n3 (`0156` CNY).
    pub currency_code: [u8; 2],
    /// Transaction Type (9C): `00` purchase.
    pub transaction_type: u8,
    /// Terminal Type (9F35): `22` attended, offline with online capability, merchant.
    pub terminal_type: u8,
    /// Terminal Transaction Qualifiers (9F66), EMV Contactless Book C-3.
    pub ttq: [u8; 4],
    /// Terminal Verification Results (95) sent in the CDOL1.
    pub tvr: [u8; 5],
    /// Terminal Capabilities (9F33).
    pub capabilities: [u8; 3],
    /// Additional Terminal Capabilities (9F40).
    pub additional_capabilities: [u8; 5],
    /// CVM Results (9F34).
    pub cvm_results: [u8; 3],
}

impl Default for TerminalConfig {
    /// A purchase of 1.00 CNY at an attended contactless terminal in China.
    fn default() -> Self {
        TerminalConfig {
            amount_authorised: 100,
            amount_other: 0,
            country_code: [0x01, 0x56],
            currency_code: [0x01, 0x56],
            transaction_type: 0x00,
            terminal_type: 0x22,
            ttq: [0x36, 0x00, 0x40, 0x00],
            tvr: [0x00; 5],
            capabilities: [0xE0, 0x08, 0xC8],
            additional_capabilities: [0x60, 0x00, 0xF0, 0xA0, 0x01],
            cvm_results: [0x3F, 0x00, 0x00],
        }
    }
}

impl TerminalConfig {
    /// The data objects of one transaction: the configuration plus the unpredictable number,
    /// the transaction date (9A, YYMMDD) and time (9F21, HHMMSS), all BCD where the format is n.
    pub fn data(&self, unpredictable_number: [u8; 4], date: [u8; 3], time: [u8; 3]) -> TerminalData {
        let fixed = |tag: u32, value: &[u8], format| (Tag(tag), value.to_vec(), format);
        TerminalData {
            objects: vec![
                fixed(0x9F02, &bcd_n12(self.amount_authorised), DataFormat::Numeric),
                fixed(0x9F03, &bcd_n12(self.amount_other), DataFormat::Numeric),
                fixed(0x9F1A, &self.country_code, DataFormat::Numeric),
                fixed(0x5F2A, &self.currency_code, DataFormat::Numeric),
                fixed(0x9C, &[self.transaction_type], DataFormat::Numeric),
                fixed(0x9F35, &[self.terminal_type], DataFormat::Numeric),
                fixed(0x9F66, &self.ttq, DataFormat::Other),
                fixed(0x95, &self.tvr, DataFormat::Other),
                fixed(0x9F33, &self.capabilities, DataFormat::Other),
                fixed(0x9F40, &self.additional_capabilities, DataFormat::Other),
                fixed(0x9F34, &self.cvm_results, DataFormat::Other),
                fixed(0x9F37, &unpredictable_number, DataFormat::Other),
                fixed(0x9A, &date, DataFormat::Numeric),
                fixed(0x9F21, &time, DataFormat::Numeric),
            ],
        }
    }
}

/// The terminal's data objects for one transaction, looked up by tag when a DOL is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalData {
    objects: Vec<(Tag, Vec<u8>, DataFormat)>,
}

impl TerminalData {
    /// The value of `tag` and its format, if the terminal knows the tag.
    pub(crate) fn get(&self, tag: Tag) -> Option<(&[u8], DataFormat)> {
        self.objects.iter().find(|(t, ..)| *t == tag).map(|(_, v, f)| (v.as_slice(), *f))
    }

    /// The value of `tag`, if the terminal knows it.
    pub fn value(&self, tag: Tag) -> Option<&[u8]> {
        self.get(tag).map(|(v, _)| v)
    }
}

/// `n12`: 12 BCD digits in 6 bytes; amounts above 999 999 999 999 saturate.
fn bcd_n12(mut v: u64) -> [u8; 6] {
    v = v.min(999_999_999_999);
    let mut out = [0u8; 6];
    for b in out.iter_mut().rev() {
        let lo = (v % 10) as u8;
        v /= 10;
        let hi = (v % 10) as u8;
        v /= 10;
        *b = (hi << 4) | lo;
    }
    out
}

fn bcd2(v: u64) -> u8 {
    (((v / 10) % 10) << 4 | (v % 10)) as u8
}

/// Date (YYMMDD) and time (HHMMSS) in BCD for a time since the Unix epoch (UTC).
pub(crate) fn bcd_date_time(since_epoch: Duration) -> ([u8; 3], [u8; 3]) {
    let secs = since_epoch.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    let date = [bcd2(y % 100), bcd2(m), bcd2(d)];
    let time = [bcd2(rem / 3600), bcd2(rem / 60 % 60), bcd2(rem % 60)];
    (date, time)
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_n12() {
        assert_eq!(bcd_n12(100), [0, 0, 0, 0, 0x01, 0x00]);
        assert_eq!(bcd_n12(123_456_789_012), [0x12, 0x34, 0x56, 0x78, 0x90, 0x12]);
        assert_eq!(bcd_n12(u64::MAX), [0x99; 6]);
    }

    #[test]
    fn dates_are_bcd_yymmdd() {
        // 2026-11-22 02:32:22 UTC
        assert_eq!(bcd_date_time(Duration::from_secs(1_795_314_742)), ([0x26, 0x11, 0x22], [0x02, 0x32, 0x22]));
        // 2000-02-29 (leap day) 23:59:59
        assert_eq!(bcd_date_time(Duration::from_secs(951_868_799)), ([0x00, 0x02, 0x29], [0x23, 0x59, 0x59]));
    }
}
