//! Malaysia: DuitNow QR (PayNet). The PayNet specification is not public; the rules here are
//! the structure public DuitNow QR payloads show (for example the static codes described in
//! the README of github.com/natsu90/duitnowqr-razer): a merchant account template with GUID
//! `A0000006150001`, 01 the 6-digit participant (acquirer) ID, 02 the merchant account.
//!
//! | rule | what |
//! |---|---|
//! | `QR.DUITNOW.PARTICIPANT-ID` | 01 present, 6 digits |
//! | `QR.DUITNOW.MERCHANT-ACCOUNT` | 02 present |
//! | `QR.DUITNOW.CURRENCY` / `QR.DUITNOW.COUNTRY` | 53 = 458 (MYR), 58 = MY |

use super::super::{MerchantQr, MpmId};
use super::{Findings, all_digits, child_path};

pub(super) const DUITNOW_GUID: &str = "A0000006150001";

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(DUITNOW_GUID) {
        match t.child_value(MpmId(1)) {
            Some(id) if id.len() == 6 && all_digits(id) => {}
            Some(id) => {
                f.at("QR.DUITNOW.PARTICIPANT-ID", child_path(t, MpmId(1)), format!("{id:?}: expected 6 digits"))
            }
            None => f.at("QR.DUITNOW.PARTICIPANT-ID", t.id, "the participant ID (01) is absent"),
        }
        if t.child(MpmId(2)).is_none() {
            f.at("QR.DUITNOW.MERCHANT-ACCOUNT", t.id, "the merchant account (02) is absent");
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "458", "QR.DUITNOW.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "MY", "QR.DUITNOW.COUNTRY");
}
