//! Validators over the one MPM grammar: the EMVCo base rules (`emvco.rs`) and national
//! profiles layered on top, one file each, with their rule tables. A validator never fails: it
//! returns [`Finding`]s whose rule id names the profile and the rule (`QR.EMVCO.MANDATORY`,
//! `QR.PIX.TXID`; the CRC is `QR.CRC`), located by the id path (`54`, or `62.05` inside a
//! template) and, when the object is present, its character offset.
//!
//! Profiles are detected from the GUIDs/AIDs the payload carries ([`detect_profiles`]); the
//! EMVCo base always applies.

mod bharatqr;
mod duitnow;
mod emvco;
mod iso;
mod pix;
mod promptpay;
mod qris;
mod sgqr;
mod unionpay;
mod vietqr;

use core::fmt;

pub(crate) use bharatqr::is_vpa;
pub use iso::{is_iso3166_alpha2, is_iso4217_numeric};
pub use pix::{PixKeyKind, pix_key_kind};

use super::{MerchantQr, MpmId, MpmObject};
use crate::{Finding, Location, Severity};

/// A rule set applied to a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// EMVCo QRCPS MPM base rules.
    Emvco,
    /// Brazil: Pix BR Code (Banco Central do Brasil).
    Pix,
    /// Singapore: SGQR (merchant account template `SG.SGQR`).
    Sgqr,
    /// Singapore: PayNow (GUID `SG.PAYNOW`).
    PayNow,
    /// Thailand: PromptPay (AIDs `A000000677010111`/`...12`).
    PromptPay,
    /// India: Bharat QR with UPI (GUID `A000000524`).
    BharatQr,
    /// UnionPay (ID 15, or AID `A000000333...` as a template GUID).
    UnionPay,
    /// Vietnam: VietQR / NAPAS (GUID `A000000727`).
    VietQr,
    /// Indonesia: QRIS (`ID.CO.QRIS.WWW`).
    Qris,
    /// Malaysia: DuitNow QR (GUID `A0000006150001`).
    DuitNow,
    /// EMVCo Consumer-Presented Mode.
    EmvcoCpm,
    /// NPCI UPI deep link.
    Upi,
}

impl Profile {
    /// The short name used in JSON (`"profiles"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Emvco => "emvco",
            Profile::Pix => "pix",
            Profile::Sgqr => "sgqr",
            Profile::PayNow => "paynow",
            Profile::PromptPay => "promptpay",
            Profile::BharatQr => "bharatqr",
            Profile::UnionPay => "unionpay",
            Profile::VietQr => "vietqr",
            Profile::Qris => "qris",
            Profile::DuitNow => "duitnow",
            Profile::EmvcoCpm => "emvco-cpm",
            Profile::Upi => "upi",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Collects the findings of one payload: every finding names its rule (`QR.<PROFILE>.<RULE>`),
/// the id path of the object (`54`, `62.05`) and, when that object is present, its character
/// offset.
pub(crate) struct Findings<'q, 't> {
    pub(crate) qr: &'q MerchantQr<'t>,
    pub(crate) out: &'q mut dyn FnMut(Finding),
}

impl Findings<'_, '_> {
    fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        path: String,
        char_offset: Option<usize>,
        message: String,
    ) {
        let location = match char_offset {
            Some(o) => Location::char(o).with_path(path),
            None => Location::path(path),
        };
        (self.out)(Finding::new(rule, severity, location, message));
    }

    /// A broken rule (a warning) at the object `path` names.
    pub(crate) fn at(&mut self, rule: &'static str, path: impl fmt::Display, message: impl Into<String>) {
        let path = path.to_string();
        let offset = self.qr.at_path(&path).map(|o| o.offset);
        self.push(rule, Severity::Warning, path, offset, message.into());
    }

    /// A broken rule (a warning) at a given character offset, for objects a path does not
    /// single out (the second of two with the same id).
    pub(crate) fn at_char(
        &mut self,
        rule: &'static str,
        path: impl fmt::Display,
        char_offset: usize,
        message: impl Into<String>,
    ) {
        self.push(rule, Severity::Warning, path.to_string(), Some(char_offset), message.into());
    }

    /// An error: the payload cannot be used as it stands (a CRC that does not match).
    pub(crate) fn error(&mut self, rule: &'static str, path: impl fmt::Display, message: impl Into<String>) {
        let path = path.to_string();
        let offset = self.qr.at_path(&path).map(|o| o.offset);
        self.push(rule, Severity::Error, path, offset, message.into());
    }

    /// Value of a top-level object that must equal `expected`.
    pub(crate) fn expect_root(&mut self, id: MpmId, expected: &str, rule: &'static str) {
        match self.qr.value(id) {
            Some(v) if v == expected => {}
            Some(v) => self.at(rule, id, format!("{} is {v:?}: this profile requires {expected:?}", id_label(id))),
            None => self.at(rule, id, format!("{} is absent: this profile requires {expected:?}", id_label(id))),
        }
    }
}

fn id_label(id: MpmId) -> String {
    match super::mpm_id_name(None, id) {
        Some(name) => format!("{id} ({name})"),
        None => id.to_string(),
    }
}

/// The path of a child, `26.01`; formatted only when a finding needs it.
#[derive(Clone, Copy)]
pub(crate) struct ChildPath(MpmId, MpmId);

impl fmt::Display for ChildPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

pub(crate) fn child_path(parent: &MpmObject<'_>, child: MpmId) -> ChildPath {
    ChildPath(parent.id, child)
}

/// Profiles whose identifiers the payload carries (the EMVCo base is always first).
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_mpm, detect_profiles, Profile};
/// let pix = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
/// assert_eq!(detect_profiles(&decode_qr_mpm(pix).unwrap()), [Profile::Emvco, Profile::Pix]);
/// ```
pub fn detect_profiles(qr: &MerchantQr<'_>) -> Vec<Profile> {
    let found = detected(qr);
    MPM_PROFILES.iter().copied().filter(|p| found & profile_bit(*p) != 0).collect()
}

/// The MPM profiles in the order they are applied and reported.
const MPM_PROFILES: [Profile; 10] = [
    Profile::Emvco,
    Profile::Pix,
    Profile::PayNow,
    Profile::Sgqr,
    Profile::PromptPay,
    Profile::BharatQr,
    Profile::UnionPay,
    Profile::VietQr,
    Profile::Qris,
    Profile::DuitNow,
];

fn profile_bit(p: Profile) -> u32 {
    1 << (p as u32)
}

/// The detected profiles as a bit set (no allocation on the validation path).
fn detected(qr: &MerchantQr<'_>) -> u32 {
    let mut found = profile_bit(Profile::Emvco);
    for obj in &qr.objects {
        if obj.id.0 == 15 {
            found |= profile_bit(Profile::UnionPay);
        }
        let Some(guid) = obj.guid() else { continue };
        let profile = if guid.eq_ignore_ascii_case(pix::GUI) {
            Profile::Pix
        } else if guid.eq_ignore_ascii_case(sgqr::PAYNOW_GUID) {
            Profile::PayNow
        } else if guid.eq_ignore_ascii_case(sgqr::SGQR_GUID) {
            Profile::Sgqr
        } else if promptpay::is_promptpay_aid(guid) {
            Profile::PromptPay
        } else if guid.eq_ignore_ascii_case(bharatqr::UPI_GUID) {
            Profile::BharatQr
        } else if unionpay::is_unionpay_aid(guid) {
            Profile::UnionPay
        } else if guid.eq_ignore_ascii_case(super::templates::VIETQR_GUID) {
            Profile::VietQr
        } else if guid.eq_ignore_ascii_case(qris::QRIS_GUID) {
            Profile::Qris
        } else if guid.eq_ignore_ascii_case(duitnow::DUITNOW_GUID) {
            Profile::DuitNow
        } else {
            continue;
        };
        found |= profile_bit(profile);
    }
    found
}

/// Applies the EMVCo base rules and every detected profile.
///
/// ```
/// use tapcert_parsers::qr::{decode_qr_mpm, validate_qr_mpm};
/// let promptpay = "00020101021229370016A000000677010111011300669123456785802TH53037645406100.00630492CB";
/// let findings = validate_qr_mpm(&decode_qr_mpm(promptpay).unwrap());
/// // PromptPay codes in the wild omit 52, 59 and 60, which EMVCo makes mandatory.
/// let missing: Vec<_> =
///     findings.iter().filter(|f| f.rule == "QR.EMVCO.MANDATORY").map(|f| f.location.path.clone().unwrap()).collect();
/// assert_eq!(missing, ["52", "59", "60"]);
/// ```
pub fn validate_qr_mpm(qr: &MerchantQr<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    validate_qr_mpm_into(qr, &mut |f| out.push(f));
    out
}

/// [`validate_qr_mpm`], each finding handed to `sink` as it is found: memory does not grow
/// with the number of findings (a payload of a million objects can break a rule a million
/// times; a caller that keeps the first ones and counts the rest stays bounded).
pub fn validate_qr_mpm_into(qr: &MerchantQr<'_>, sink: &mut dyn FnMut(Finding)) {
    let found = detected(qr);
    for p in MPM_PROFILES.iter().copied().filter(|p| found & profile_bit(*p) != 0) {
        apply(qr, p, sink);
    }
}

/// Applies the given profiles (the EMVCo base only when listed).
pub fn validate_qr_mpm_with(qr: &MerchantQr<'_>, profiles: &[Profile]) -> Vec<Finding> {
    let mut out = Vec::new();
    for &profile in profiles {
        apply(qr, profile, &mut |f| out.push(f));
    }
    out
}

fn apply(qr: &MerchantQr<'_>, profile: Profile, out: &mut dyn FnMut(Finding)) {
    let mut f = Findings { qr, out };
    match profile {
        Profile::Emvco => emvco::validate(qr, &mut f),
        Profile::Pix => pix::validate(qr, &mut f),
        Profile::Sgqr => sgqr::validate_sgqr(qr, &mut f),
        Profile::PayNow => sgqr::validate_paynow(qr, &mut f),
        Profile::PromptPay => promptpay::validate(qr, &mut f),
        Profile::BharatQr => bharatqr::validate(qr, &mut f),
        Profile::UnionPay => unionpay::validate(qr, &mut f),
        Profile::VietQr => vietqr::validate(qr, &mut f),
        Profile::Qris => qris::validate(qr, &mut f),
        Profile::DuitNow => duitnow::validate(qr, &mut f),
        Profile::EmvcoCpm | Profile::Upi => {}
    }
}

/// EMVCo amount format (IDs 54, 56): 1-13 characters, digits with at most one `.` as the
/// decimal mark, not zero.
pub(crate) fn amount_problem(v: &str) -> Option<&'static str> {
    if v.is_empty() || v.chars().count() > 13 {
        return Some("must be 1 to 13 characters");
    }
    if !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') || v.bytes().filter(|&b| b == b'.').count() > 1 {
        return Some("must be digits with at most one '.'");
    }
    if v.bytes().all(|b| b == b'0' || b == b'.') {
        return Some("must not be zero (or a lone '.')");
    }
    None
}

pub(crate) fn all_digits(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        for ok in ["23.72", "10", "0.01", "100.", ".5", "1234567890.12"] {
            assert_eq!(amount_problem(ok), None, "{ok}");
        }
        for bad in ["", "0", "0.00", "1,5", "1.2.3", "-1", "12345678901234", ".", "1e5"] {
            assert!(amount_problem(bad).is_some(), "{bad}");
        }
    }
}
