//! Pix BR Code (Banco Central do Brasil, "Manual de Padrões para Iniciação do Pix", BR Code
//! section): an EMVCo MPM whose merchant account template 26 has GUI `br.gov.bcb.pix` in 00,
//! the key (chave) in 01 or, for dynamic codes, the payload location URL in 25.
//!
//! | rule | what |
//! |---|---|
//! | `QR.PIX.GUI` | the Pix GUI sits in template 26 |
//! | `QR.PIX.KEY-OR-URL` | 26 holds exactly one of 01 (key) and 25 (URL, without `https://`) |
//! | `QR.PIX.KEY-KIND` | 01 is a CPF (11 digits), CNPJ (14 digits), phone (`+55` and 10-11 digits), e-mail (<= 77, one `@`) or EVP (random UUID, 36 characters, lower-case hex) |
//! | `QR.PIX.TXID` | 62.05 present: `***` or 1-25 characters `[A-Za-z0-9]` |
//! | `QR.PIX.CURRENCY` / `QR.PIX.COUNTRY` | 53 = 986 (BRL), 58 = BR |

use super::super::{MerchantQr, MpmId};
use super::{Findings, all_digits, child_path};

pub(super) const GUI: &str = "br.gov.bcb.pix";

/// What a Pix key looks like it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixKeyKind {
    /// Brazilian individual taxpayer number: 11 digits.
    Cpf,
    /// Brazilian company number: 14 digits.
    Cnpj,
    /// `+55` then area code and number (10-11 digits).
    Phone,
    /// An e-mail address.
    Email,
    /// A random key (EVP): a UUID, `8-4-4-4-12` lower-case hex.
    Evp,
}

/// Classifies a Pix key by its form (no checksum of CPF/CNPJ check digits).
///
/// ```
/// use tapcert_parsers::qr::{pix_key_kind, PixKeyKind};
/// assert_eq!(pix_key_kind("123e4567-e12b-12d1-a456-426655440000"), Some(PixKeyKind::Evp));
/// assert_eq!(pix_key_kind("+5561912345678"), Some(PixKeyKind::Phone));
/// assert_eq!(pix_key_kind("fulano"), None);
/// ```
pub fn pix_key_kind(key: &str) -> Option<PixKeyKind> {
    let b = key.as_bytes();
    if all_digits(key) && b.len() == 11 {
        return Some(PixKeyKind::Cpf);
    }
    if all_digits(key) && b.len() == 14 {
        return Some(PixKeyKind::Cnpj);
    }
    if let Some(rest) = key.strip_prefix("+55")
        && all_digits(rest)
        && (10..=11).contains(&rest.len())
    {
        return Some(PixKeyKind::Phone);
    }
    if b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) { c == b'-' } else { c.is_ascii_digit() || (b'a'..=b'f').contains(&c) }
        })
    {
        return Some(PixKeyKind::Evp);
    }
    let at = key.bytes().filter(|&c| c == b'@').count();
    if at == 1 && key.chars().count() <= 77 {
        let (local, domain) = key.split_once('@')?;
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') {
            return Some(PixKeyKind::Email);
        }
    }
    None
}

pub(super) fn validate(qr: &MerchantQr<'_>, f: &mut Findings<'_, '_>) {
    for t in qr.templates_with_guid(GUI) {
        if t.id.0 != 26 {
            f.at("QR.PIX.GUI", t.id, format!("the Pix GUI is in template {}: the BR Code puts it in 26", t.id));
        }
        match (t.child_value(MpmId(1)), t.child_value(MpmId(25))) {
            (Some(_), Some(_)) => {
                f.at("QR.PIX.KEY-OR-URL", t.id, "both a key (01) and a URL (25): a BR Code holds one")
            }
            (None, None) => f.at("QR.PIX.KEY-OR-URL", t.id, "neither a key (01) nor a URL (25)"),
            (Some(key), None) => {
                if pix_key_kind(key).is_none() {
                    f.at(
                        "QR.PIX.KEY-KIND",
                        child_path(t, MpmId(1)),
                        format!("{key:?} is not a CPF, CNPJ, +55 phone, e-mail or EVP (UUID) key"),
                    );
                }
            }
            (None, Some(url)) => {
                if url.starts_with("http://") || url.starts_with("https://") {
                    f.at("QR.PIX.KEY-OR-URL", child_path(t, MpmId(25)), "the URL is written without its scheme");
                }
            }
        }
    }
    let txid = qr.get(MpmId::ADDITIONAL_DATA).and_then(|t| t.child_value(MpmId(5)));
    match txid {
        None => f.at("QR.PIX.TXID", "62.05", "the transaction id (62.05) is mandatory: \"***\" when there is none"),
        Some("***") => {}
        Some(t) if !t.is_empty() && t.len() <= 25 && t.bytes().all(|b| b.is_ascii_alphanumeric()) => {}
        Some(t) => f.at("QR.PIX.TXID", "62.05", format!("{t:?}: expected \"***\" or 1-25 letters and digits")),
    }
    f.expect_root(MpmId::TRANSACTION_CURRENCY, "986", "QR.PIX.CURRENCY");
    f.expect_root(MpmId::COUNTRY_CODE, "BR", "QR.PIX.COUNTRY");
}
