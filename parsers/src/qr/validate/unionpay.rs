//! UnionPay in EMVCo MPM: the primitive IDs 15-16 that EMVCo reserves for UnionPay, or a
//! merchant account template whose GUID is a UnionPay AID (RID `A000000333`, then a PIX such as
//! `010101` debit, `010102` credit).
//!
//! | rule | what |
//! |---|---|
//! | `QR.UNIONPAY.AID-FORMAT` | a template GUID starting `A000000333` is an AID: 10-32 hex digits, even count |
//! | `QR.UNIONPAY.MERCHANT-ACCOUNT-FORMAT` | 15 is digits (acquirer IIN and merchant ID; assumption from public samples, the UnionPay QR specification is not public) |

use super::super::MerchantQr;
use super::Findings;

const RID: &str = "A000000333";

pub(super) fn is_unionpay_aid(guid: &str) -> bool {
    guid.get(..RID.len()).is_some_and(|p| p.eq_ignore_ascii_case(RID))
}

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for obj in &qr.objects {
        if obj.id.0 == 15 && !super::all_digits(obj.value) {
            f.at("QR.UNIONPAY.MERCHANT-ACCOUNT-FORMAT", obj.id, format!("{:?}: expected digits", obj.value));
        }
        if let Some(g) = obj.guid()
            && is_unionpay_aid(g)
            && !(g.len() <= 32 && g.len() % 2 == 0 && g.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            f.at("QR.UNIONPAY.AID-FORMAT", format!("{}.00", obj.id), format!("{g:?}: an AID is 5-16 bytes of hex"));
        }
    }
}
