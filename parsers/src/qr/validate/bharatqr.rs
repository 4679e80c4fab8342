//! India: Bharat QR carrying UPI (NPCI "UPI QR in Bharat QR" layout): a merchant account
//! template (26 in practice) with GUID `A000000524` (NPCI's RID) and the payee VPA in 01.
//!
//! | rule | what |
//! |---|---|
//! | `QR.BHARATQR.VPA` | the UPI template holds 01, a VPA `handle@psp` |
//! | `QR.BHARATQR.CURRENCY` / `QR.BHARATQR.COUNTRY` | 53 = 356 (INR), 58 = IN |

use super::super::{MerchantQr, MpmId};
use super::{Findings, child_path};

pub(super) const UPI_GUID: &str = "A000000524";

/// True when `vpa` has the `name@psp` form UPI addresses have.
pub(crate) fn is_vpa(vpa: &str) -> bool {
    match vpa.split_once('@') {
        Some((name, psp)) => {
            !name.is_empty()
                && !psp.is_empty()
                && !psp.contains('@')
                && vpa.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'@'))
        }
        None => false,
    }
}

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(UPI_GUID) {
        match t.child_value(MpmId(1)) {
            Some(v) if is_vpa(v) => {}
            Some(v) => f.at("QR.BHARATQR.VPA", child_path(t, MpmId(1)), format!("{v:?}: expected a VPA name@psp")),
            None => f.at("QR.BHARATQR.VPA", t.id, "the payee VPA (01) is absent"),
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "356", "QR.BHARATQR.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "IN", "QR.BHARATQR.COUNTRY");
}
