//! Vietnam: VietQR (NAPAS "QR Code for IBFT" specification): template 38 with GUID
//! `A000000727`, 01 a nested template (00 acquirer BIN, 6 digits; 01 account or card number,
//! at most 19 characters), 02 service code `QRIBFTTA` (to account) or `QRIBFTTC` (to card).
//!
//! | rule | what |
//! |---|---|
//! | `QR.VIETQR.BENEFICIARY` | 38.01 holds 00 (6-digit BIN) and 01 (1-19 characters) |
//! | `QR.VIETQR.SERVICE-CODE` | 38.02 is QRIBFTTA or QRIBFTTC |
//! | `QR.VIETQR.CURRENCY` / `QR.VIETQR.COUNTRY` | 53 = 704 (VND), 58 = VN |

use super::super::templates::VIETQR_GUID;
use super::super::{MerchantQr, MpmId};
use super::{Findings, all_digits, child_path};

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(VIETQR_GUID) {
        match t.child(MpmId(1)) {
            None => f.at("QR.VIETQR.BENEFICIARY", t.id, "the beneficiary organisation (01) is absent"),
            Some(b) => {
                let path = child_path(t, MpmId(1));
                match b.child_value(MpmId(0)) {
                    Some(bin) if bin.len() == 6 && all_digits(bin) => {}
                    _ => f.at("QR.VIETQR.BENEFICIARY", format!("{path}.00"), "the acquirer BIN (00) is 6 digits"),
                }
                match b.child_value(MpmId(1)) {
                    Some(acct) if (1..=19).contains(&acct.chars().count()) => {}
                    _ => f.at(
                        "QR.VIETQR.BENEFICIARY",
                        format!("{path}.01"),
                        "the account or card number (01) is 1-19 characters",
                    ),
                }
            }
        }
        match t.child_value(MpmId(2)) {
            Some("QRIBFTTA" | "QRIBFTTC") => {}
            Some(s) => {
                f.at("QR.VIETQR.SERVICE-CODE", child_path(t, MpmId(2)), format!("{s:?}: expected QRIBFTTA or QRIBFTTC"))
            }
            None => f.at("QR.VIETQR.SERVICE-CODE", t.id, "the service code (02) is absent"),
        }
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "704", "QR.VIETQR.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "VN", "QR.VIETQR.COUNTRY");
}
