//! Thailand PromptPay (Bank of Thailand / Thai Bankers' Association "Thai QR Code Payment"
//! standard): template 29 with AID `A000000677010111` (credit transfer) holding exactly one of
//! 01 mobile number (`0066` and 9 digits, 13 characters), 02 national or tax ID (13 digits),
//! 03 e-wallet ID (15 digits); template 30 with AID `A000000677010112` (bill payment) holding
//! 01 biller ID (15 digits: tax ID and a 2-digit suffix) and 02 reference 1.
//!
//! | rule | what |
//! |---|---|
//! | `QR.PROMPTPAY.AID` | credit transfer in 29, bill payment in 30 |
//! | `QR.PROMPTPAY.PROXY` | 29 holds exactly one of 01, 02, 03, each in its format |
//! | `QR.PROMPTPAY.BILLER` | 30 holds 01 (15 digits) and 02 (reference 1, 1-20 characters) |
//! | `QR.PROMPTPAY.CURRENCY` / `QR.PROMPTPAY.COUNTRY` | 53 = 764 (THB), 58 = TH |

use super::super::{MerchantQr, MpmId};
use super::{Findings, all_digits, child_path};

const CREDIT_TRANSFER: &str = "A000000677010111";
const BILL_PAYMENT: &str = "A000000677010112";

pub(super) fn is_promptpay_aid(guid: &str) -> bool {
    guid.eq_ignore_ascii_case(CREDIT_TRANSFER) || guid.eq_ignore_ascii_case(BILL_PAYMENT)
}

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(CREDIT_TRANSFER) {
        if t.id.0 != 29 {
            f.at("QR.PROMPTPAY.AID", t.id, format!("PromptPay credit transfer in template {}: expected 29", t.id));
        }
        let proxies: Vec<_> = t.children().iter().filter(|c| (1..=3).contains(&c.id.0)).collect();
        if proxies.len() != 1 {
            f.at("QR.PROMPTPAY.PROXY", t.id, format!("{} proxies (01-03): exactly one is expected", proxies.len()));
        }
        for p in proxies {
            let v = p.value;
            let ok = match p.id.0 {
                1 => v.len() == 13 && v.starts_with("0066") && all_digits(v),
                2 => v.len() == 13 && all_digits(v),
                _ => v.len() == 15 && all_digits(v),
            };
            if !ok {
                let want = ["", "0066 and 9 digits", "13 digits", "15 digits"][usize::from(p.id.0)];
                f.at("QR.PROMPTPAY.PROXY", child_path(t, p.id), format!("{v:?}: expected {want}"));
            }
        }
    }
    for t in qr.templates_with_guid(BILL_PAYMENT) {
        if t.id.0 != 30 {
            f.at("QR.PROMPTPAY.AID", t.id, format!("PromptPay bill payment in template {}: expected 30", t.id));
        }
        match t.child_value(MpmId(1)) {
            Some(b) if b.len() == 15 && all_digits(b) => {}
            Some(b) => f.at("QR.PROMPTPAY.BILLER", child_path(t, MpmId(1)), format!("{b:?}: a biller ID is 15 digits")),
            None => f.at("QR.PROMPTPAY.BILLER", t.id, "the biller ID (01) is absent"),
        }
        match t.child_value(MpmId(2)) {
            Some(r) if !r.is_empty() && r.chars().count() <= 20 => {}
            Some(r) => {
                f.at("QR.PROMPTPAY.BILLER", child_path(t, MpmId(2)), format!("{r:?}: reference 1 is 1-20 characters"))
            }
            None => f.at("QR.PROMPTPAY.BILLER", t.id, "reference 1 (02) is absent"),
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "764", "QR.PROMPTPAY.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "TH", "QR.PROMPTPAY.COUNTRY");
}
