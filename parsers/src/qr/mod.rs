//! EMV QR payment payloads: EMVCo Merchant-Presented Mode (MPM) and Consumer-Presented Mode
//! (CPM), national MPM profiles, UPI deep links and numeric wallet payment codes.
//!
//! - [`decode_qr_mpm`]: the MPM grammar over UTF-8 text (lengths in characters), templates
//!   expanded only where the specification makes them templates, CRC located by structure;
//!   [`validate_qr_mpm`] applies the EMVCo base rules and every profile detected from the
//!   GUIDs (PIX, SGQR, PayNow, PromptPay, Bharat QR/UPI, UnionPay, VietQR, QRIS, DuitNow).
//! - [`decode_qr_cpm_base64`] + [`parse_qr_cpm`]: base64 to a BER-TLV tree ([`crate::tlv`]);
//!   [`validate_qr_cpm`] checks the mandatory tags of each template.
//! - Inside your own nom parsers: [`parse_qr_mpm`] (a payload given its extent),
//!   [`parse_qr_mpm_object`] (one object), [`parse_qr_cpm_base64`] (the base64 run at the start
//!   of a text) and [`parse_qr_cpm_payload`] (decoded bytes); [`crate::text_offsets_from`] counts
//!   their character offsets from the start of your whole text.
//! - [`parse_upi_link`] / [`validate_upi_link`]; [`classify_wallet_code`] /
//!   [`validate_wallet_code`]; [`classify_qr_payload`] tells the four kinds apart.
//! - Every validator returns [`crate::Finding`]s: rule ids `QR.<PROFILE>.<RULE>`
//!   (`QR.EMVCO.MANDATORY`, `QR.PIX.TXID`, `QR.CPM.AID`, `QR.UPI.PAYEE-NAME`), `QR.CRC` for the
//!   CRC; located by the id path and the character offset in the text (byte offsets in the
//!   decoded payload for CPM).
//! - [`encode_qr_mpm`] and [`encode_qr_cpm`] build payloads.
//!
//! ```
//! use tapcert_parsers::qr::{decode_qr_mpm, validate_qr_mpm, MpmId};
//! let text = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
//! let qr = decode_qr_mpm(text).unwrap();
//! assert_eq!(qr.get(MpmId::LANGUAGE_TEMPLATE).unwrap().child_value(MpmId(1)), Some("最佳运输"));
//! assert!(qr.crc.unwrap().ok());
//! assert!(validate_qr_mpm(&qr).is_empty());
//! ```

mod cpm;
mod crc;
mod encode;
mod error;
mod mpm;
mod payload;
mod templates;
mod upi;
mod validate;
mod wallet_code;

pub use cpm::{
    CPM_FORMAT_INDICATOR, TAG_APPLICATION_TEMPLATE, TAG_APPLICATION_TRANSPARENT_TEMPLATE, TAG_COMMON_DATA_TEMPLATE,
    TAG_COMMON_TRANSPARENT_TEMPLATE, TAG_PAYLOAD_FORMAT_INDICATOR, decode_qr_cpm_base64, parse_qr_cpm,
    parse_qr_cpm_base64, parse_qr_cpm_payload, validate_qr_cpm, validate_qr_cpm_into,
};
pub use crc::{crc_hex, crc16_ccitt_false};
pub use encode::{
    CpmApplication, CpmCommonData, CpmDataObject, CpmPayload, MpmContent, MpmNode, encode_qr_cpm, encode_qr_cpm_bytes,
    encode_qr_mpm, encode_qr_mpm_raw,
};
pub use error::{CpmError, QrEncodeError, QrError, UpiLinkError, WalletCodeError};
pub use mpm::{CrcCheck, MerchantQr, MpmId, MpmObject, decode_qr_mpm, parse_qr_mpm, parse_qr_mpm_object};
pub use payload::{QrPayloadKind, classify_qr_payload};
pub use templates::{is_root_template, mpm_id_name, nested_template};
pub use upi::{UpiLink, parse_upi_link, validate_upi_link};
pub use validate::{
    PixKeyKind, Profile, detect_profiles, is_iso3166_alpha2, is_iso4217_numeric, pix_key_kind, validate_qr_mpm,
    validate_qr_mpm_into, validate_qr_mpm_with,
};
pub use wallet_code::{Wallet, WalletCode, classify_wallet_code, validate_wallet_code};
