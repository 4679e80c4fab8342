//! What the terminal is configured with: its data objects, the applications it accepts, the
//! keys it verifies with, and its e-purse identity. One [`TerminalConfig`] drives every
//! procedure.

use std::time::Duration;

use tapcert_parsers::bcd::{encode_bcd_byte, encode_bcd_n};
use tapcert_parsers::tlv::Tag;
use tapcert_parsers::transit::{CITY_UNION_AID, T_UNION_AID};

use super::fault::TerminalFault;
use super::keys::TerminalKeys;

/// The terminal's configuration (EMV Book 3 Annex A terminal tags, plus what the procedures
/// need to verify and to run a purchase).
#[derive(Debug, Clone)]
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
    /// Terminal Verification Results (95) bits the terminal sets whatever the card: the TVR
    /// sent in the CDOL1 is these plus what risk management finds ([`super::action`]).
    pub tvr: [u8; 5],
    /// Terminal Floor Limit (9F1B) in minor units: an amount equal to or above it sets "transaction
    /// exceeds floor limit" (EMV Book 3 §10.6.1). 0 (default): every transaction exceeds it.
    pub floor_limit: u64,
    /// Terminal Action Code - Denial (EMV Book 3 §10.7). Default `0000000000`.
    pub tac_denial: [u8; 5],
    /// Terminal Action Code - Online. Default `F45084800C` (the EMVCo Mastercard contactless
    /// kernel's value for online-capable terminals; it includes the floor-limit bit).
    pub tac_online: [u8; 5],
    /// Terminal Action Code - Default. Default `F45084800C`.
    pub tac_default: [u8; 5],
    /// Whether the terminal can go online: online-capable terminals request an ARQC or a TC,
    /// offline-only ones a TC or an AAC (Book 3 §10.7). Default true (terminal type 22).
    pub online_capable: bool,
    /// Application Version Number, terminal (9F09): when set and the card has a different
    /// 9F08, TVR "different application versions" (Book 3 §10.4.1). Default `None`.
    pub application_version: Option<[u8; 2]>,
    /// Terminal Capabilities (9F33).
    pub capabilities: [u8; 3],
    /// Additional Terminal Capabilities (9F40).
    pub additional_capabilities: [u8; 5],
    /// CVM Results (9F34).
    pub cvm_results: [u8; 3],
    /// AIDs the terminal supports, in preference order: selected one by one when the PPSE is
    /// absent or lists nothing usable (EMV Book B §3.3, list of AIDs).
    pub candidate_aids: Vec<Vec<u8>>,
    /// Ask for CDA in GENERATE AC when the card's AIP offers it.
    pub request_cda: bool,
    /// E-purse applications, in preference order.
    pub purse_aids: Vec<Vec<u8>>,
    /// The e-purse terminal identifier (6 bytes).
    pub purse_terminal_id: [u8; 6],
    /// The e-purse terminal transaction sequence number.
    pub purse_terminal_sequence: u32,
    /// Index of the purchase key the terminal asks for.
    pub purse_key_index: u8,
    /// The keys the terminal verifies cryptograms, MACs and signatures with.
    pub keys: TerminalKeys,
    /// Latency above which one exchange is a finding (`APDU.LATENCY`): the 500 ms a
    /// contactless transaction may take as a whole (EMV Contactless Book A §5.2).
    pub exchange_budget: Option<Duration>,
    /// Planted faults, for testing the terminal suite only (see [`super::TerminalFault`]):
    /// empty by default, and a real terminal never sets it.
    pub faults: Vec<TerminalFault>,
}

impl Default for TerminalConfig {
    /// A purchase of 1.00 CNY at an attended contactless terminal in China that accepts
    /// Mastercard, Visa and UnionPay and the T-Union and City Union purses, with the built-in
    /// band's published test keys.
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
            floor_limit: 0,
            tac_denial: [0x00; 5],
            tac_online: [0xF4, 0x50, 0x84, 0x80, 0x0C],
            tac_default: [0xF4, 0x50, 0x84, 0x80, 0x0C],
            online_capable: true,
            application_version: None,
            capabilities: [0xE0, 0x08, 0xC8],
            additional_capabilities: [0x60, 0x00, 0xF0, 0xA0, 0x01],
            cvm_results: [0x3F, 0x00, 0x00],
            candidate_aids: vec![
                vec![0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10],
                vec![0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10],
                vec![0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x02],
            ],
            request_cda: true,
            purse_aids: vec![T_UNION_AID.to_vec(), CITY_UNION_AID.to_vec()],
            purse_terminal_id: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66],
            purse_terminal_sequence: 0x0000_0102,
            purse_key_index: 0x01,
            keys: TerminalKeys::test_keys(),
            exchange_budget: Some(Duration::from_millis(500)),
            faults: Vec::new(),
        }
    }
}

impl TerminalConfig {
    /// Whether `fault` is planted.
    pub fn has_fault(&self, fault: TerminalFault) -> bool {
        self.faults.contains(&fault)
    }

    /// The data objects of one transaction: the configuration plus the unpredictable number
    /// and the transaction date (9A) and time (9F21) of `now` (UTC).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tapcert_conformance::terminal::TerminalConfig;
    /// use tapcert_parsers::tlv::{build_emv_dol_data, parse_emv_dol, Tag};
    /// // 2026-11-22 02:32:22 UTC
    /// let data = TerminalConfig::default().data([1, 2, 3, 4], Duration::from_secs(1_795_314_742));
    /// assert_eq!(data.value(Tag(0x9F02)), Some(&[0, 0, 0, 0, 0x01, 0x00][..]));
    /// assert_eq!(data.value(Tag(0x9A)), Some(&[0x26, 0x11, 0x22][..]));
    /// // PDOL `9F02 04 9F37 04 9F7C 02`: amount cut to its rightmost 4 bytes (format n), an
    /// // unknown tag filled with zeros.
    /// let dol = parse_emv_dol(&[0x9F, 0x02, 0x04, 0x9F, 0x37, 0x04, 0x9F, 0x7C, 0x02]).unwrap();
    /// assert_eq!(build_emv_dol_data(&dol, |t| data.value(t)), [0, 0, 1, 0, 1, 2, 3, 4, 0, 0]);
    /// ```
    pub fn data(&self, unpredictable_number: [u8; 4], now: Duration) -> TerminalData {
        let stamp = Timestamp::from_unix(now);
        let fixed = |tag: u32, value: &[u8]| (Tag(tag), value.to_vec());
        TerminalData {
            objects: vec![
                fixed(0x9F02, &encode_bcd_n::<6>(self.amount_authorised)),
                fixed(0x9F03, &encode_bcd_n::<6>(self.amount_other)),
                fixed(0x9F1A, &self.country_code),
                fixed(0x5F2A, &self.currency_code),
                fixed(0x9C, &[self.transaction_type]),
                fixed(0x9F35, &[self.terminal_type]),
                fixed(0x9F66, &self.ttq),
                fixed(0x95, &self.tvr),
                fixed(0x9F33, &self.capabilities),
                fixed(0x9F1B, &u32::try_from(self.floor_limit).unwrap_or(u32::MAX).to_be_bytes()),
                fixed(0x9F40, &self.additional_capabilities),
                fixed(0x9F34, &self.cvm_results),
                fixed(0x9F37, &unpredictable_number),
                fixed(0x9F09, &self.application_version.unwrap_or_default()),
                fixed(0x9A, &stamp.yymmdd()),
                fixed(0x9F21, &stamp.hhmmss()),
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

    /// Sets the value of `tag` (the TVR once risk management has built it).
    pub fn set(&mut self, tag: Tag, value: &[u8]) {
        match self.objects.iter_mut().find(|(t, _)| *t == tag) {
            Some((_, v)) => *v = value.to_vec(),
            None => self.objects.push((tag, value.to_vec())),
        }
    }
}

/// A UTC date and time from the injected clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Year (four digits).
    pub year: u64,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Seconds since midnight.
    pub seconds: u32,
}

impl Timestamp {
    /// The UTC date and time of a time since the Unix epoch.
    pub fn from_unix(since_epoch: Duration) -> Self {
        let secs = since_epoch.as_secs();
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (year, month, day) = civil_from_days(days);
        Timestamp { year, month, day, seconds: rem as u32 }
    }

    /// `YYMMDD` BCD (EMV `9A`).
    pub fn yymmdd(&self) -> [u8; 3] {
        [encode_bcd_byte((self.year % 100) as u8), encode_bcd_byte(self.month), encode_bcd_byte(self.day)]
    }

    /// `YYYYMMDD` BCD (e-purse dates).
    pub fn yyyymmdd(&self) -> [u8; 4] {
        let [yy, mm, dd] = self.yymmdd();
        [encode_bcd_byte((self.year / 100 % 100) as u8), yy, mm, dd]
    }

    /// `HHMMSS` BCD (EMV `9F21`, e-purse times).
    pub fn hhmmss(&self) -> [u8; 3] {
        let s = self.seconds;
        [encode_bcd_byte((s / 3600) as u8), encode_bcd_byte((s / 60 % 60) as u8), encode_bcd_byte((s % 60) as u8)]
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
fn civil_from_days(days: u64) -> (u64, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m as u8, d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_bcd() {
        // 2026-11-22 02:32:22 UTC
        let t = Timestamp::from_unix(Duration::from_secs(1_795_314_742));
        assert_eq!((t.yymmdd(), t.hhmmss()), ([0x26, 0x11, 0x22], [0x02, 0x32, 0x22]));
        assert_eq!(t.yyyymmdd(), [0x20, 0x26, 0x11, 0x22]);
        // 2000-02-29 (leap day) 23:59:59
        let t = Timestamp::from_unix(Duration::from_secs(951_868_799));
        assert_eq!((t.yymmdd(), t.hhmmss()), ([0x00, 0x02, 0x29], [0x23, 0x59, 0x59]));
    }
}
