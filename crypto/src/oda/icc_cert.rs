//! ICC Public Key Certificate (tag `9F46`): recovery with the issuer public key (EMV Book 2
//! §6.4), issuance with a TEST ONLY issuer key, and the static data to be authenticated
//! (Book 3 §10.3, Book 2 §5.4 / §6.4).
//!
//! ```text
//! recovered data (N_I bytes), §6.4
//! 6A | 04 | application PAN (10, F-padded) | expiry MMYY (2) | serial (3) | hash algo 01
//!    | PK algo 01 | N_IC (1) | exponent length (1) | ICC PK or its leftmost N_I-42 bytes
//!    | SHA-1 (20) | BC
//! hash input: 04 .. ICC PK field || remainder (9F48) || exponent (9F47) || static data
//! ```

use tapcert_parsers::tlv::{AflEntry, Tag, parse_emv_tag, parse_emv_tlv};

use super::date::{CertExpiry, EmvDate};
use super::error::{OdaError, SignedObject};
use super::issuer_cert::{IssuedCertificate, issue_public_key_certificate, pan_digits, recover_public_key_certificate};
use super::rsa::{RsaPrivateKey, RsaPublicKey};

/// Certificate format of the ICC public key certificate.
pub const ICC_CERTIFICATE_FORMAT: u8 = 0x04;

/// The fields of a recovered ICC public key certificate and the ICC public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccPublicKeyCertificate {
    /// Application PAN as certified (BCD, padded with `F` to 10 bytes).
    pub pan: [u8; 10],
    /// Certificate expiration date.
    pub expiry: CertExpiry,
    /// Certificate serial number.
    pub serial: [u8; 3],
    /// The recovered ICC public key.
    pub public_key: RsaPublicKey,
}

/// Recovers and verifies the ICC public key certificate (EMV Book 2 §6.4 steps 1-11).
///
/// * `issuer`: the issuer public key from [`super::recover_issuer_public_key`].
/// * `certificate`: tag `9F46`; `remainder`: tag `9F48` (empty when absent); `exponent`: `9F47`.
/// * `static_data`: the static data to be authenticated ([`static_data_to_authenticate`]).
/// * `pan`: the application PAN `5A`; `today`: the date for the expiry check.
pub fn recover_icc_public_key(
    issuer: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    static_data: &[u8],
    pan: &[u8],
    today: EmvDate,
) -> Result<IccPublicKeyCertificate, OdaError> {
    let object = SignedObject::IccCertificate;
    let app_digits = pan_digits(pan)?;
    let cert = recover_public_key_certificate(issuer, certificate, remainder, exponent, static_data, object, 10)?;
    let mut certified = [0u8; 10];
    certified.copy_from_slice(&cert.identity);
    match pan_digits(&certified) {
        Ok(d) if d == app_digits => {}
        _ => return Err(OdaError::PanMismatch),
    }
    cert.expiry.check(today, object)?;
    Ok(IccPublicKeyCertificate {
        pan: certified,
        expiry: cert.expiry,
        serial: cert.serial,
        public_key: cert.public_key,
    })
}

/// What an issuer certifies about an ICC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IccCertificateFields<'a> {
    /// The application PAN `5A` (1-10 bytes, BCD padded with `F`).
    pub pan: &'a [u8],
    /// Certificate expiration date.
    pub expiry: CertExpiry,
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// Issues an ICC public key certificate with a (TEST ONLY) issuer private key, over the given
/// static data to be authenticated: the signing side of Book 2 §6.4. N_IC must not
/// exceed N_I.
pub fn issue_icc_certificate(
    issuer: &RsaPrivateKey,
    fields: &IccCertificateFields<'_>,
    icc_key: &RsaPublicKey,
    static_data: &[u8],
) -> Result<IssuedCertificate, OdaError> {
    pan_digits(fields.pan)?;
    let mut pan = [0xFF; 10];
    pan[..fields.pan.len()].copy_from_slice(fields.pan);
    issue_public_key_certificate(
        issuer,
        SignedObject::IccCertificate,
        &pan,
        fields.expiry,
        fields.serial,
        icc_key,
        static_data,
    )
}

/// Builds the static data to be authenticated (EMV Book 3 §10.3, used by Book 2 §5.4 step 5
/// and §6.4 step 5):
///
/// * for each record the AFL flags for ODA, in AFL order: for SFI 1-10 the value of its `70`
///   template (tag and length excluded; a record that is not a single `70` template fails
///   ODA); for SFI 11-30 the whole record as read;
/// * then, if the Static Data Authentication Tag List `9F4A` is present, the value of the AIP
///   `82` (the only tag the list may hold).
///
/// `record(sfi, number)` returns the record data the card returned (without SW1 SW2).
pub fn static_data_to_authenticate<'r>(
    afl: &[AflEntry],
    mut record: impl FnMut(u8, u8) -> Option<&'r [u8]>,
    sda_tag_list: Option<&[u8]>,
    aip: Option<&[u8]>,
) -> Result<Vec<u8>, OdaError> {
    let mut out = Vec::new();
    for rec in afl.iter().flat_map(AflEntry::records).filter(|r| r.oda) {
        let data = record(rec.sfi, rec.record).ok_or(OdaError::MissingRecord { sfi: rec.sfi, record: rec.record })?;
        if rec.sfi <= 10 {
            match parse_emv_tlv(data) {
                Ok((rest, tlv)) if tlv.tag == Tag(0x70) && rest.is_empty() && tlv.padding_before == 0 => {
                    out.extend_from_slice(tlv.value)
                }
                _ => return Err(OdaError::RecordNotTemplate70 { sfi: rec.sfi, record: rec.record }),
            }
        } else {
            out.extend_from_slice(data);
        }
    }
    if let Some(mut list) = sda_tag_list {
        let mut aip_named = false;
        while !list.is_empty() {
            match parse_emv_tag(list) {
                Ok((rest, tag)) if tag == Tag(0x82) && !aip_named => {
                    aip_named = true;
                    list = rest;
                }
                _ => return Err(OdaError::BadSdaTagList { reason: "it may only name the AIP (82), once" }),
            }
        }
        if aip_named {
            match aip {
                Some(v) if v.len() == 2 => out.extend_from_slice(v),
                _ => return Err(OdaError::BadSdaTagList { reason: "the AIP (82) is not 2 bytes or was not supplied" }),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tapcert_parsers::tlv::parse_emv_afl;

    #[test]
    fn static_data_follows_afl_and_sfi_rules() {
        // SFI 1 records 1-2 (1 for ODA), SFI 2 record 1 (ODA), SFI 11 record 1 (ODA)
        let afl = parse_emv_afl(&[0x08, 1, 2, 1, 0x10, 1, 1, 1, 0x58, 1, 1, 1]).unwrap();
        let r11 = [0x70, 0x03, 0x5A, 0x01, 0x47];
        let r12 = [0x70, 0x01, 0xEE];
        let r21 = [0x70, 0x02, 0x9F, 0x01];
        let r111 = [0x70, 0x01, 0xAB];
        let lookup = |sfi, rec| match (sfi, rec) {
            (1, 1) => Some(&r11[..]),
            (1, 2) => Some(&r12[..]),
            (2, 1) => Some(&r21[..]),
            (11, 1) => Some(&r111[..]),
            _ => None,
        };
        let data = static_data_to_authenticate(&afl, lookup, Some(&[0x82]), Some(&[0x39, 0x00])).unwrap();
        assert_eq!(data, [0x5A, 0x01, 0x47, 0x9F, 0x01, 0x70, 0x01, 0xAB, 0x39, 0x00]);
        // No tag list: no AIP.
        let data = static_data_to_authenticate(&afl, lookup, None, Some(&[0x39, 0x00])).unwrap();
        assert_eq!(data.len(), 8);
    }

    #[test]
    fn static_data_errors() {
        let afl = parse_emv_afl(&[0x08, 1, 1, 1]).unwrap();
        assert_eq!(
            static_data_to_authenticate(&afl, |_, _| None, None, None),
            Err(OdaError::MissingRecord { sfi: 1, record: 1 })
        );
        let not70 = [0x77, 0x01, 0x00];
        assert_eq!(
            static_data_to_authenticate(&afl, |_, _| Some(&not70[..]), None, None),
            Err(OdaError::RecordNotTemplate70 { sfi: 1, record: 1 })
        );
        let trailing = [0x70, 0x01, 0x00, 0x90];
        assert!(static_data_to_authenticate(&afl, |_, _| Some(&trailing[..]), None, None).is_err());
        let short = [0x70, 0x05, 0x00];
        assert!(static_data_to_authenticate(&afl, |_, _| Some(&short[..]), None, None).is_err());
        let ok = [0x70, 0x00];
        for list in [&[0x9F, 0x02][..], &[0x82, 0x82][..], &[0x9F][..]] {
            assert!(matches!(
                static_data_to_authenticate(&afl, |_, _| Some(&ok[..]), Some(list), Some(&[0, 0])),
                Err(OdaError::BadSdaTagList { .. })
            ));
        }
        assert!(matches!(
            static_data_to_authenticate(&afl, |_, _| Some(&ok[..]), Some(&[0x82]), None),
            Err(OdaError::BadSdaTagList { .. })
        ));
    }
}
