//! Indonesia: QRIS (Bank Indonesia / ASPI national QR standard): template 51 with GUID
//! `ID.CO.QRIS.WWW` carrying the National Merchant ID (NMID) in 02.
//!
//! | rule | what |
//! |---|---|
//! | `QR.QRIS.NMID` | 51.02 present, letters and digits, at most 15 characters |
//! | `QR.QRIS.CURRENCY` / `QR.QRIS.COUNTRY` | 53 = 360 (IDR), 58 = ID |

use super::super::{MerchantQr, MpmId};
use super::{Findings, child_path};

pub(super) const QRIS_GUID: &str = "ID.CO.QRIS.WWW";

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(QRIS_GUID) {
        match t.child_value(MpmId(2)) {
            Some(n) if !n.is_empty() && n.len() <= 15 && n.bytes().all(|b| b.is_ascii_alphanumeric()) => {}
            Some(n) => f.at(
                "QR.QRIS.NMID",
                child_path(t, MpmId(2)),
                format!("{n:?}: expected the NMID, 1-15 letters and digits"),
            ),
            None => f.at("QR.QRIS.NMID", t.id, "the National Merchant ID (02) is absent"),
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "360", "QR.QRIS.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "ID", "QR.QRIS.COUNTRY");
}
