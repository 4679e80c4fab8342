//! EMVCo Consumer-Presented Mode QR tokens (EMV QR Code Specification for Payment Systems,
//! Consumer-Presented Mode, v1.x §5-§7): a fresh application cryptogram with its ATC and
//! unpredictable number, carried in a CPM payload built and encoded by
//! `tapcert_parsers::qr` (payload format indicator `85` "CPV01", application template `61`,
//! common data template `62` with its transparent template `64`), base64 for the QR code.

use tapcert_parsers::qr::{CpmApplication, CpmCommonData, CpmDataObject, CpmPayload, encode_qr_cpm};

use crate::{AcData, CryptoError, Cvn};

/// PAN as tag 5A: BCD, padded with a trailing F nibble if odd.
pub fn pan_to_5a(pan: &str) -> Result<Vec<u8>, CryptoError> {
    crate::emv::check_pan(pan)?;
    // check_pan let only decimal digits through, which encode_bcd_cn always packs.
    Ok(tapcert_parsers::bcd::encode_bcd_cn(pan).unwrap_or_default())
}

/// The card-side inputs of a CPM token besides the transaction data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmCard {
    /// Application identifier (4F).
    pub aid: Vec<u8>,
    /// Application label (50).
    pub label: String,
    /// PAN (5A).
    pub pan: String,
    /// Cardholder name (5F20), if shown.
    pub cardholder_name: Option<String>,
    /// Language preference (5F2D), if any.
    pub language_preference: Option<String>,
    /// ICC AC master key (TDES).
    pub icc_mk: [u8; 16],
    /// Cryptogram version.
    pub cvn: Cvn,
    /// Issuer application data (9F10) to carry and to feed the cryptogram.
    pub iad: Vec<u8>,
}

/// A generated CPM token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmToken {
    /// The payload model.
    pub payload: CpmPayload,
    /// The application cryptogram it carries (9F26).
    pub cryptogram: [u8; 8],
    /// The QR text (base64).
    pub qr: String,
}

/// Generates a CPM QR token: a fresh application cryptogram for `data` (ATC and UN included)
/// under the card's CVN, carried with 9F10, 9F26, 9F36 and 9F37 in the common data transparent
/// template `64`, the application in `61` and PAN/name in `62`, as the EMVCo example does.
pub fn generate_cpm_token(card: &CpmCard, data: &AcData) -> Result<CpmToken, CryptoError> {
    let ac = card.cvn.generate_ac(&card.icc_mk, data, &card.iad)?.ac;
    let mut common = vec![CpmDataObject::new(0x5A, pan_to_5a(&card.pan)?)];
    if let Some(name) = &card.cardholder_name {
        common.push(CpmDataObject::new(0x5F20, name.as_bytes()));
    }
    if let Some(lang) = &card.language_preference {
        common.push(CpmDataObject::new(0x5F2D, lang.as_bytes()));
    }
    let payload = CpmPayload {
        applications: vec![CpmApplication {
            aid: card.aid.clone(),
            data: vec![CpmDataObject::new(0x50, card.label.as_bytes())],
            transparent: Vec::new(),
        }],
        common: Some(CpmCommonData {
            data: common,
            transparent: vec![
                CpmDataObject::new(0x9F10, card.iad.clone()),
                CpmDataObject::new(0x9F26, ac.to_vec()),
                CpmDataObject::new(0x9F36, data.atc.to_vec()),
                CpmDataObject::new(0x9F37, data.un.to_vec()),
            ],
        }),
    };
    let qr = encode_qr_cpm(&payload);
    Ok(CpmToken { payload, cryptogram: ac, qr })
}
