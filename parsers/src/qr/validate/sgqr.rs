//! Singapore: SGQR (MAS/IMDA SGQR specification: merchant account template 51 with GUID
//! `SG.SGQR`, SGQR ID in 01, version in 02, postal code in 03, revision date in 07) and PayNow
//! (ABS PayNow QR: GUID `SG.PAYNOW`, 01 proxy type 0 = mobile / 2 = UEN, 02 proxy value,
//! 03 amount editable 0/1, 04 expiry date YYYYMMDD).
//!
//! | profile | rule | what |
//! |---|---|---|
//! | sgqr | `QR.SGQR.SGQR-ID` | 51.01 present |
//! | sgqr | `QR.SGQR.POSTAL-CODE` | 51.03 six digits |
//! | sgqr | `QR.SGQR.REVISION-DATE` | 51.07 eight digits (YYYYMMDD) |
//! | both | `QR.SGQR.CURRENCY` / `QR.SGQR.COUNTRY`, `QR.PAYNOW.CURRENCY` / `QR.PAYNOW.COUNTRY` | 53 = 702 (SGD), 58 = SG |
//! | paynow | `QR.PAYNOW.PROXY-TYPE` | 01 is 0 (mobile) or 2 (UEN) |
//! | paynow | `QR.PAYNOW.PROXY-VALUE` | 02 is `+65` and 8 digits for a mobile, 9-10 letters and digits for a UEN |
//! | paynow | `QR.PAYNOW.EDITABLE` | 03 is 0 or 1 |
//! | paynow | `QR.PAYNOW.EXPIRY` | 04 is eight digits (YYYYMMDD) |

use super::super::{MerchantQr, MpmId};
use super::{Findings, all_digits, child_path};

pub(super) const SGQR_GUID: &str = "SG.SGQR";
pub(super) const PAYNOW_GUID: &str = "SG.PAYNOW";

fn is_date(v: &str) -> bool {
    v.len() == 8
        && all_digits(v)
        && matches!(v[4..6].parse::<u8>(), Ok(1..=12))
        && matches!(v[6..8].parse::<u8>(), Ok(1..=31))
}

pub(super) fn validate_sgqr(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(SGQR_GUID) {
        if t.child(MpmId(1)).is_none() {
            f.at("QR.SGQR.SGQR-ID", t.id, "the SGQR ID (01) is absent");
        }
        if let Some(p) = t.child_value(MpmId(3))
            && !(p.len() == 6 && all_digits(p))
        {
            f.at("QR.SGQR.POSTAL-CODE", child_path(t, MpmId(3)), format!("{p:?}: expected a 6-digit postal code"));
        }
        if let Some(d) = t.child_value(MpmId(7))
            && !is_date(d)
        {
            f.at("QR.SGQR.REVISION-DATE", child_path(t, MpmId(7)), format!("{d:?}: expected YYYYMMDD"));
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "702", "QR.SGQR.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "SG", "QR.SGQR.COUNTRY");
}

pub(super) fn validate_paynow(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(PAYNOW_GUID) {
        let kind = t.child_value(MpmId(1));
        match kind {
            Some("0" | "2") => {}
            Some(k) => {
                f.at("QR.PAYNOW.PROXY-TYPE", child_path(t, MpmId(1)), format!("{k:?}: expected 0 (mobile) or 2 (UEN)"))
            }
            None => f.at("QR.PAYNOW.PROXY-TYPE", t.id, "the proxy type (01) is absent"),
        }
        match (kind, t.child_value(MpmId(2))) {
            (_, None) => f.at("QR.PAYNOW.PROXY-VALUE", t.id, "the proxy value (02) is absent"),
            (Some("0"), Some(v)) if !(v.len() == 11 && v.starts_with("+65") && all_digits(&v[3..])) => f.at(
                "QR.PAYNOW.PROXY-VALUE",
                child_path(t, MpmId(2)),
                format!("{v:?}: a mobile proxy is +65 and 8 digits"),
            ),
            (Some("2"), Some(v)) if !((9..=13).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric())) => f
                .at(
                    "QR.PAYNOW.PROXY-VALUE",
                    child_path(t, MpmId(2)),
                    format!("{v:?}: a UEN is 9-13 letters and digits"),
                ),
            _ => {}
        }
        if let Some(e) = t.child_value(MpmId(3))
            && e != "0"
            && e != "1"
        {
            f.at("QR.PAYNOW.EDITABLE", child_path(t, MpmId(3)), format!("{e:?}: expected 0 or 1"));
        }
        if let Some(d) = t.child_value(MpmId(4))
            && !is_date(d)
        {
            f.at("QR.PAYNOW.EXPIRY", child_path(t, MpmId(4)), format!("{d:?}: expected YYYYMMDD"));
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "702", "QR.PAYNOW.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "SG", "QR.PAYNOW.COUNTRY");
}
