//! Which IDs are templates at which level, and their names (EMV QRCPS MPM v1.1 §4.2-4.4).
//!
//! A value is parsed as objects only where the specification (or, one level down, the scheme
//! named by the template's GUID) makes it a template. A primitive value that happens to look
//! like objects (MCC `0000` reads as "ID 00, length 00") stays a value.
//!
//! ```text
//! top level      26-51  Merchant Account Information templates (00 = GUID)
//!                62     Additional Data Field Template
//!                64     Merchant Information - Language Template
//!                80-99  Unreserved Templates (00 = GUID)
//!                02-25  primitive Merchant Account Information (Visa, Mastercard, ... UnionPay)
//! inside 62      50-99  Payment System specific templates
//! inside 26-51   scheme-defined: VietQR/NAPAS (GUID A000000727) makes 01 a template
//!                (beneficiary organisation: 00 acquirer BIN, 01 account or card number)
//! ```

use super::MpmId;

/// True when a top-level object with `id` is a template.
pub fn is_root_template(id: MpmId) -> bool {
    matches!(id.0, 26..=51 | 62 | 64 | 80..=99)
}

/// True when child `child` of top-level template `parent` (whose GUID is `guid`) is itself a
/// template.
pub fn nested_template(parent: MpmId, guid: Option<&str>, child: MpmId) -> bool {
    match parent.0 {
        62 => matches!(child.0, 50..=99),
        26..=51 => guid.is_some_and(|g| g.eq_ignore_ascii_case(VIETQR_GUID)) && child.0 == 1,
        _ => false,
    }
}

/// NAPAS's GUID for VietQR transfers (template 38).
pub(crate) const VIETQR_GUID: &str = "A000000727";

/// The specification's name for an object, when it has one (`parent` is the enclosing
/// top-level template, if any).
pub fn mpm_id_name(parent: Option<MpmId>, id: MpmId) -> Option<&'static str> {
    let name = match (parent.map(|p| p.0), id.0) {
        (None, 0) => "Payload Format Indicator",
        (None, 1) => "Point of Initiation Method",
        (None, 2..=3) => "Merchant Account Information (Visa)",
        (None, 4..=5) => "Merchant Account Information (Mastercard)",
        (None, 6..=8) => "Merchant Account Information (EMVCo)",
        (None, 9..=10) => "Merchant Account Information (Discover)",
        (None, 11..=12) => "Merchant Account Information (Amex)",
        (None, 13..=14) => "Merchant Account Information (JCB)",
        (None, 15..=16) => "Merchant Account Information (UnionPay)",
        (None, 17..=25) => "Merchant Account Information (EMVCo)",
        (None, 26..=51) => "Merchant Account Information",
        (None, 52) => "Merchant Category Code",
        (None, 53) => "Transaction Currency",
        (None, 54) => "Transaction Amount",
        (None, 55) => "Tip or Convenience Indicator",
        (None, 56) => "Value of Convenience Fee Fixed",
        (None, 57) => "Value of Convenience Fee Percentage",
        (None, 58) => "Country Code",
        (None, 59) => "Merchant Name",
        (None, 60) => "Merchant City",
        (None, 61) => "Postal Code",
        (None, 62) => "Additional Data Field Template",
        (None, 63) => "CRC",
        (None, 64) => "Merchant Information - Language Template",
        (None, 65..=79) => "RFU for EMVCo",
        (None, 80..=99) => "Unreserved Template",
        (Some(26..=51 | 80..=99), 0) => "Globally Unique Identifier",
        (Some(62), 1) => "Bill Number",
        (Some(62), 2) => "Mobile Number",
        (Some(62), 3) => "Store Label",
        (Some(62), 4) => "Loyalty Number",
        (Some(62), 5) => "Reference Label",
        (Some(62), 6) => "Customer Label",
        (Some(62), 7) => "Terminal Label",
        (Some(62), 8) => "Purpose of Transaction",
        (Some(62), 9) => "Additional Consumer Data Request",
        (Some(62), 10) => "Merchant Tax ID",
        (Some(62), 11) => "Merchant Channel",
        (Some(62), 50..=99) => "Payment System specific template",
        (Some(64), 0) => "Language Preference",
        (Some(64), 1) => "Merchant Name - Alternate Language",
        (Some(64), 2) => "Merchant City - Alternate Language",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_levels() {
        for id in [26, 38, 51, 62, 64, 80, 99] {
            assert!(is_root_template(MpmId(id)), "{id}");
        }
        for id in [0, 2, 15, 25, 52, 63, 65, 79] {
            assert!(!is_root_template(MpmId(id)), "{id}");
        }
        assert!(nested_template(MpmId(62), None, MpmId(50)));
        assert!(!nested_template(MpmId(62), None, MpmId(5)));
        assert!(nested_template(MpmId(38), Some("a000000727"), MpmId(1)));
        assert!(!nested_template(MpmId(38), Some("A000000727"), MpmId(2)));
        assert!(!nested_template(MpmId(26), Some("br.gov.bcb.pix"), MpmId(1)));
        assert_eq!(mpm_id_name(Some(MpmId(62)), MpmId(5)), Some("Reference Label"));
        assert_eq!(mpm_id_name(Some(MpmId(64)), MpmId(9)), None);
    }
}
