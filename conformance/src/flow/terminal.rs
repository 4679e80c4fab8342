//! The terminal's own data objects: what it puts into PDOL and CDOL1 data.

use std::time::Duration;

use tapcert_parsers::tlv::Tag;

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
    ///
    /// ```
    /// use tapcert_conformance::flow::TerminalConfig;
    /// use tapcert_parsers::tlv::{build_emv_dol_data, parse_emv_dol, Tag};
    /// let data = TerminalConfig::default().data([1, 2, 3, 4], [0x26, 0x11, 0x22], [0x02, 0x32, 0x22]);
    /// assert_eq!(data.value(Tag(0x9F02)), Some(&[0, 0, 0, 0, 0x01, 0x00][..]));
    /// // PDOL `9F02 04 9F37 04 9F7C 02`: amount cut to its rightmost 4 bytes (format n), an
    /// // unknown tag filled with zeros.
    /// let dol = parse_emv_dol(&[0x9F, 0x02, 0x04, 0x9F, 0x37, 0x04, 0x9F, 0x7C, 0x02]).unwrap();
    /// assert_eq!(build_emv_dol_data(&dol, |t| data.value(t)), [0, 0, 1, 0, 1, 2, 3, 4, 0, 0]);
    /// ```
    pub fn data(&self, unpredictable_number: [u8; 4], date: [u8; 3], time: [u8; 3]) -> TerminalData {
        let fixed = |tag: u32, value: &[u8]| (Tag(tag), value.to_vec());
        TerminalData {
            objects: vec![
                fixed(0x9F02, &bcd_n12(self.amount_authorised)),
                fixed(0x9F03, &bcd_n12(self.amount_other)),
                fixed(0x9F1A, &self.country_code),
                fixed(0x5F2A, &self.currency_code),
                fixed(0x9C, &[self.transaction_type]),
                fixed(0x9F35, &[self.terminal_type]),
                fixed(0x9F66, &self.ttq),
                fixed(0x95, &self.tvr),
                fixed(0x9F33, &self.capabilities),
                fixed(0x9F40, &self.additional_capabilities),
                fixed(0x9F34, &self.cvm_results),
                fixed(0x9F37, &unpredictable_number),
                fixed(0x9A, &date),
                fixed(0x9F21, &time),
            ],
        }
    }
}

/// The terminal's data objects for one transaction, looked up by tag when a DOL is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalData {
    objects: Vec<(Tag, Vec<u8>)>,
}

impl TerminalData {
    /// The value of `tag`, if the terminal knows it. DOL data is fitted from it by the EMV
    /// Book 3 §5.4 rules for the tag's format in the parsers' EMV dictionary.
    pub fn value(&self, tag: Tag) -> Option<&[u8]> {
        self.objects.iter().find(|(t, _)| *t == tag).map(|(_, v)| v.as_slice())
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
