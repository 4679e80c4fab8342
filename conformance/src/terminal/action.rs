//! Terminal risk management and terminal action analysis: the Terminal Verification Results
//! (`95`, EMV Book 3 §10.3-§10.6 and Annex C5) the terminal builds from the card's data, and
//! the cryptogram type it asks for in the first GENERATE AC (Book 3 §10.7).
//!
//! Only what a terminal can evaluate from the data it has is set: offline data authentication
//! not performed or failed, ICC data missing, different application versions, expired or not
//! yet effective application, requested service not allowed, floor limit exceeded. Bits the
//! configuration sets ([`TerminalConfig::tvr`]) are kept.

use tapcert_parsers::bcd::decode_bcd_byte;

use super::config::TerminalConfig;

/// TVR byte 1 b8: offline data authentication was not performed.
pub const TVR_ODA_NOT_PERFORMED: (usize, u8) = (0, 0x80);
/// TVR byte 1 b7: SDA failed.
pub const TVR_SDA_FAILED: (usize, u8) = (0, 0x40);
/// TVR byte 1 b6: ICC data missing.
pub const TVR_ICC_DATA_MISSING: (usize, u8) = (0, 0x20);
/// TVR byte 1 b4: DDA failed.
pub const TVR_DDA_FAILED: (usize, u8) = (0, 0x08);
/// TVR byte 1 b3: CDA failed.
pub const TVR_CDA_FAILED: (usize, u8) = (0, 0x04);
/// TVR byte 1 b2: SDA selected.
pub const TVR_SDA_SELECTED: (usize, u8) = (0, 0x02);
/// TVR byte 2 b8: ICC and terminal have different application versions.
pub const TVR_DIFFERENT_VERSIONS: (usize, u8) = (1, 0x80);
/// TVR byte 2 b7: expired application.
pub const TVR_EXPIRED: (usize, u8) = (1, 0x40);
/// TVR byte 2 b6: application not yet effective.
pub const TVR_NOT_EFFECTIVE: (usize, u8) = (1, 0x20);
/// TVR byte 2 b5: requested service not allowed for card product.
pub const TVR_SERVICE_NOT_ALLOWED: (usize, u8) = (1, 0x10);
/// TVR byte 4 b8: transaction exceeds floor limit.
pub const TVR_FLOOR_LIMIT: (usize, u8) = (3, 0x80);

/// The cryptogram type of a GENERATE AC (P1 b8-b7, CID b8-b7: Book 3 §6.5.5, Table 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcType {
    /// Application Authentication Cryptogram: decline.
    Aac,
    /// Transaction Certificate: approve offline.
    Tc,
    /// Authorisation Request Cryptogram: go online.
    Arqc,
}

impl AcType {
    /// GENERATE AC P1 b8-b7.
    pub fn p1(self) -> u8 {
        match self {
            AcType::Aac => 0x00,
            AcType::Tc => 0x40,
            AcType::Arqc => 0x80,
        }
    }

    /// The type of a CID or P1 (b8-b7); `None` for the reserved `11`.
    pub fn from_bits(b: u8) -> Option<AcType> {
        match b & 0xC0 {
            0x00 => Some(AcType::Aac),
            0x40 => Some(AcType::Tc),
            0x80 => Some(AcType::Arqc),
            _ => None,
        }
    }

    /// Whether a card may answer `self` to a request for `asked` (Book 3 §9.3, Table 12): the
    /// card may lower the request (AAC below ARQC below TC), never raise it.
    pub fn allowed_for(self, asked: AcType) -> bool {
        let rank = |t: AcType| match t {
            AcType::Aac => 0,
            AcType::Arqc => 1,
            AcType::Tc => 2,
        };
        rank(self) <= rank(asked)
    }

    /// `AAC`, `TC`, `ARQC`.
    pub fn name(self) -> &'static str {
        match self {
            AcType::Aac => "AAC",
            AcType::Tc => "TC",
            AcType::Arqc => "ARQC",
        }
    }
}

/// How offline data authentication went before the first GENERATE AC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdaState {
    /// Neither card nor terminal could run one.
    NotPerformed,
    /// SDA ran; whether it verified.
    Sda(bool),
    /// DDA ran; whether it verified.
    Dda(bool),
    /// CDA will run on the GENERATE AC answer (its outcome comes after action analysis).
    CdaRequested,
}

/// What the terminal read from the card that risk management needs (values as on the card).
#[derive(Debug, Clone, Copy, Default)]
pub struct CardData<'a> {
    /// Application Expiration Date (`5F24`, YYMMDD).
    pub expiry: Option<&'a [u8]>,
    /// Application Effective Date (`5F25`, YYMMDD).
    pub effective: Option<&'a [u8]>,
    /// Application Usage Control (`9F07`).
    pub auc: Option<&'a [u8]>,
    /// Issuer Country Code (`5F28`).
    pub issuer_country: Option<&'a [u8]>,
    /// Application Version Number, card (`9F08`).
    pub version: Option<&'a [u8]>,
    /// Whether a mandatory object (PAN, expiry date, CDOL1) is missing.
    pub missing_mandatory: bool,
}

/// The three Issuer Action Codes (`9F0E` denial, `9F0F` online, `9F0D` default) as read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IssuerActionCodes {
    /// IAC-Denial (`9F0E`).
    pub denial: Option<[u8; 5]>,
    /// IAC-Online (`9F0F`).
    pub online: Option<[u8; 5]>,
    /// IAC-Default (`9F0D`).
    pub default: Option<[u8; 5]>,
}

/// A YYMMDD date as a comparable number (20YYMMDD for YY < 50, 19YYMMDD otherwise: Book 3
/// §10.4.3 leaves the century to the terminal; this is the common windowing).
fn date_number(yymmdd: &[u8]) -> Option<u32> {
    let [y, m, d] = <[u8; 3]>::try_from(yymmdd).ok()?;
    let (y, m, d) = (decode_bcd_byte(y)?, decode_bcd_byte(m)?, decode_bcd_byte(d)?);
    let century = if y < 50 { 2000 } else { 1900 };
    Some((century + u32::from(y)) * 10_000 + u32::from(m) * 100 + u32::from(d))
}

fn set(tvr: &mut [u8; 5], (byte, bit): (usize, u8)) {
    tvr[byte] |= bit;
}

/// Whether the Application Usage Control allows this transaction (Book 3 §10.4.3): ATMs (types
/// 14, 15, 16) need "valid at ATMs", other terminals "valid at terminals other than ATMs"; a
/// purchase (`9C` 00) needs goods or services, cash (01) cash, cashback (09) cashback,
/// domestic when the issuer country equals the terminal country, international otherwise (not
/// checked without an issuer country).
fn service_allowed(auc: &[u8], config: &TerminalConfig, issuer_country: Option<&[u8]>) -> bool {
    let [a, b] = <[u8; 2]>::try_from(auc).unwrap_or([0xFF, 0xFF]);
    let atm = matches!(config.terminal_type, 0x14..=0x16);
    let where_ok = if atm { a & 0x02 != 0 } else { a & 0x01 != 0 };
    let Some(country) = issuer_country else { return where_ok };
    let domestic = country == config.country_code;
    let (cash, goods, services, cashback) =
        if domestic { (a & 0x80, a & 0x20, a & 0x08, b & 0x80) } else { (a & 0x40, a & 0x10, a & 0x04, b & 0x40) };
    let what_ok = match config.transaction_type {
        0x00 => goods | services != 0,
        0x01 => cash != 0,
        0x09 => cashback != 0,
        _ => true,
    };
    where_ok && what_ok
}

/// The TVR before the first GENERATE AC (Book 3 §10.3 ODA, §10.4 processing restrictions,
/// §10.6 floor limit), `today` the transaction date (`9A`).
pub fn terminal_verification_results(
    config: &TerminalConfig,
    card: &CardData<'_>,
    oda: OdaState,
    today: [u8; 3],
) -> [u8; 5] {
    let mut tvr = config.tvr;
    match oda {
        OdaState::NotPerformed => set(&mut tvr, TVR_ODA_NOT_PERFORMED),
        OdaState::Sda(ok) => {
            set(&mut tvr, TVR_SDA_SELECTED);
            if !ok {
                set(&mut tvr, TVR_SDA_FAILED);
            }
        }
        OdaState::Dda(false) => set(&mut tvr, TVR_DDA_FAILED),
        OdaState::Dda(true) | OdaState::CdaRequested => {}
    }
    if card.missing_mandatory {
        set(&mut tvr, TVR_ICC_DATA_MISSING);
    }
    if let (Some(card_version), Some(ours)) = (card.version, config.application_version)
        && card_version != ours
    {
        set(&mut tvr, TVR_DIFFERENT_VERSIONS);
    }
    let today = date_number(&today);
    if let (Some(expiry), Some(today)) = (card.expiry.and_then(date_number), today)
        && expiry < today
    {
        set(&mut tvr, TVR_EXPIRED);
    }
    if let (Some(effective), Some(today)) = (card.effective.and_then(date_number), today)
        && effective > today
    {
        set(&mut tvr, TVR_NOT_EFFECTIVE);
    }
    if let Some(auc) = card.auc
        && !service_allowed(auc, config, card.issuer_country)
    {
        set(&mut tvr, TVR_SERVICE_NOT_ALLOWED);
    }
    if config.amount_authorised >= config.floor_limit {
        set(&mut tvr, TVR_FLOOR_LIMIT);
    }
    tvr
}

fn matches(tvr: &[u8; 5], code: &[u8; 5]) -> bool {
    tvr.iter().zip(code).any(|(t, c)| t & c != 0)
}

/// Terminal action analysis (Book 3 §10.7): AAC when a TVR bit is in TAC-Denial or IAC-Denial;
/// otherwise, online-capable, ARQC when one is in TAC-Online or IAC-Online, else TC;
/// offline-only, AAC when one is in TAC-Default or IAC-Default, else TC. An absent IAC-Denial
/// counts as all zeros, absent IAC-Online and IAC-Default as all ones.
pub fn action_analysis(tvr: &[u8; 5], iac: &IssuerActionCodes, config: &TerminalConfig) -> AcType {
    let denial = iac.denial.unwrap_or([0x00; 5]);
    if matches(tvr, &config.tac_denial) || matches(tvr, &denial) {
        return AcType::Aac;
    }
    if config.online_capable {
        let online = iac.online.unwrap_or([0xFF; 5]);
        if matches(tvr, &config.tac_online) || matches(tvr, &online) { AcType::Arqc } else { AcType::Tc }
    } else {
        let default = iac.default.unwrap_or([0xFF; 5]);
        if matches(tvr, &config.tac_default) || matches(tvr, &default) { AcType::Aac } else { AcType::Tc }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: [u8; 3] = [0x26, 0x11, 0x22];

    fn base_card() -> CardData<'static> {
        CardData {
            expiry: Some(&[0x30, 0x12, 0x31]),
            effective: Some(&[0x20, 0x01, 0x01]),
            auc: Some(&[0xFF, 0x00]),
            issuer_country: Some(&[0x08, 0x26]),
            version: Some(&[0x00, 0x02]),
            missing_mandatory: false,
        }
    }

    #[test]
    fn tvr_bits_follow_book_3_annex_c5() {
        let c = TerminalConfig::default();
        // §10.3: no ODA; §10.6.1: 1.00 >= floor limit 0.
        assert_eq!(
            terminal_verification_results(&c, &base_card(), OdaState::NotPerformed, TODAY),
            [0x80, 0, 0, 0x80, 0]
        );
        let c = TerminalConfig { floor_limit: 101, ..TerminalConfig::default() };
        assert_eq!(terminal_verification_results(&c, &base_card(), OdaState::CdaRequested, TODAY), [0; 5]);
        assert_eq!(terminal_verification_results(&c, &base_card(), OdaState::Sda(false), TODAY), [0x42, 0, 0, 0, 0]);
        assert_eq!(terminal_verification_results(&c, &base_card(), OdaState::Dda(false), TODAY), [0x08, 0, 0, 0, 0]);
        // §10.4.3: expired on 2025-12-31, not effective until 2027-01-01, AUC domestic only
        // (AB00) at a Chinese terminal for a UK card; §10.4.1: versions 0002 vs 0003.
        let card = CardData {
            expiry: Some(&[0x25, 0x12, 0x31]),
            effective: Some(&[0x27, 0x01, 0x01]),
            auc: Some(&[0xAB, 0x00]),
            missing_mandatory: true,
            ..base_card()
        };
        let c = TerminalConfig { application_version: Some([0x00, 0x03]), ..c };
        assert_eq!(terminal_verification_results(&c, &card, OdaState::CdaRequested, TODAY), [0x20, 0xF0, 0, 0, 0]);
        // The same AUC for a domestic card allows the purchase; equal versions set nothing.
        let base = CardData { version: Some(&[0x00, 0x03]), ..base_card() };
        let card = CardData { auc: Some(&[0xAB, 0x00]), issuer_country: Some(&[0x01, 0x56]), ..base };
        assert_eq!(terminal_verification_results(&c, &card, OdaState::CdaRequested, TODAY), [0; 5]);
        // Expiry today is not expired (earlier than the current date only).
        let card = CardData { expiry: Some(&TODAY), ..base };
        assert_eq!(terminal_verification_results(&c, &card, OdaState::CdaRequested, TODAY), [0; 5]);
    }

    #[test]
    fn action_analysis_follows_book_3_section_10_7() {
        let c = TerminalConfig::default();
        let none = IssuerActionCodes::default();
        let zeros = IssuerActionCodes { denial: Some([0; 5]), online: Some([0; 5]), default: Some([0; 5]) };
        // Default TAC-Online F45084800C has the floor-limit bit: online, as before.
        assert_eq!(action_analysis(&[0x80, 0, 0, 0x80, 0], &none, &c), AcType::Arqc);
        // Nothing set and zero IACs: TC. Absent IAC-Online counts as all ones: ARQC on any bit.
        assert_eq!(action_analysis(&[0; 5], &zeros, &c), AcType::Tc);
        assert_eq!(action_analysis(&[0, 0, 0, 0, 0x01], &none, &c), AcType::Arqc);
        assert_eq!(action_analysis(&[0, 0, 0, 0, 0x01], &zeros, &c), AcType::Tc);
        // IAC-Denial hit (requested service not allowed): AAC before anything else.
        let deny = IssuerActionCodes { denial: Some([0, 0x10, 0, 0, 0]), ..zeros };
        assert_eq!(action_analysis(&[0, 0x10, 0, 0x80, 0], &deny, &c), AcType::Aac);
        // Offline-only: the Default codes decide between TC and AAC.
        let off = TerminalConfig { online_capable: false, ..TerminalConfig::default() };
        assert_eq!(action_analysis(&[0, 0, 0, 0x80, 0], &zeros, &off), AcType::Aac);
        assert_eq!(action_analysis(&[0, 0, 0, 0, 0x01], &zeros, &off), AcType::Tc);
        assert_eq!(action_analysis(&[0, 0, 0, 0, 0x01], &none, &off), AcType::Aac);
    }

    #[test]
    fn a_card_may_lower_the_request_never_raise_it() {
        use AcType::*;
        assert!(Aac.allowed_for(Aac) && !Tc.allowed_for(Aac) && !Arqc.allowed_for(Aac));
        assert!(Aac.allowed_for(Arqc) && Arqc.allowed_for(Arqc) && !Tc.allowed_for(Arqc));
        assert!(Aac.allowed_for(Tc) && Arqc.allowed_for(Tc) && Tc.allowed_for(Tc));
        assert_eq!([Aac.p1(), Tc.p1(), Arqc.p1()], [0x00, 0x40, 0x80]);
        assert_eq!(AcType::from_bits(0xC0), None);
    }
}
