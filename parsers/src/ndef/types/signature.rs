//! Signature record, well-known type `Sig` (NFC Forum Signature RTD 1.0 and 2.0), to the level
//! of its header: version, signature field and certificate chain header. No verification.
//!
//! ```text
//! version              0x01 (RTD 1.0) or 0x20 (RTD 2.0)
//! signature header     b7 URI present, b6..b0 signature type (0 = marks the start of signed data)
//! hash type            1 byte, RTD 2.0 only
//! signature length     2 bytes big-endian, then the signature (or its URI when b7 is set)
//! certificate chain    b7 URI present, b6..b4 certificate format, b3..b0 number of certificates,
//!                      each: 2-byte big-endian length + certificate; then, when b7 is set,
//!                      2-byte length + URI of the next certificate
//! ```

use crate::ndef::error::{NdefError, take};

/// Record type of the Signature RTD.
pub const SIGNATURE_TYPE: &[u8] = b"Sig";

/// A decoded Signature record header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRecord<'a> {
    /// The version byte.
    pub version: u8,
    /// The signature field holds a URI where the signature can be fetched.
    pub signature_uri_present: bool,
    /// Signature type (0 marks the beginning of a signed block and carries no signature).
    pub signature_type: u8,
    /// Hash type (RTD 2.0 only).
    pub hash_type: Option<u8>,
    /// The signature, or its URI.
    pub signature: &'a [u8],
    /// Certificate chain, when present.
    pub certificate_chain: Option<CertificateChain<'a>>,
}

/// The certificate chain of a Signature record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateChain<'a> {
    /// A URI of the next certificate follows the certificates.
    pub uri_present: bool,
    /// Certificate format (0 X.509, 1 X9.68 M2M).
    pub format: u8,
    /// The certificates.
    pub certificates: Vec<&'a [u8]>,
    /// URI of the next certificate.
    pub uri: Option<&'a [u8]>,
}

/// Decodes a Signature record payload's header fields.
///
/// ```
/// use tapcert_parsers::ndef::parse_ndef_signature;
/// // RTD 1.0 marker record: version 1, signature type 0, empty signature, no chain.
/// let sig = parse_ndef_signature(&[0x01, 0x00, 0x00, 0x00]).unwrap();
/// assert_eq!((sig.version, sig.signature_type, sig.signature.len()), (1, 0, 0));
/// assert!(parse_ndef_signature(&[0x01, 0x05, 0x00, 0x10, 0xAA]).is_err());
/// ```
pub fn parse_ndef_signature(p: &[u8]) -> Result<SignatureRecord<'_>, NdefError> {
    let version = take(p, 0, 1, "signature version")?[0];
    let sig_head = take(p, 1, 1, "signature type byte")?[0];
    let mut pos = 2;
    let hash_type = if version >= 0x20 {
        pos += 1;
        Some(take(p, 2, 1, "hash type")?[0])
    } else {
        None
    };
    let len = take(p, pos, 2, "signature length")?;
    let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
    pos += 2;
    if len > p.len() - pos {
        return Err(NdefError::LengthExceedsInput { offset: pos - 2, declared: len, available: p.len() - pos });
    }
    let signature = &p[pos..pos + len];
    pos += len;
    let certificate_chain = if pos < p.len() {
        let head = p[pos];
        pos += 1;
        let mut certificates = Vec::new();
        for _ in 0..(head & 0x0F) {
            let l = take(p, pos, 2, "certificate length")?;
            let l = usize::from(u16::from_be_bytes([l[0], l[1]]));
            certificates.push(take(p, pos + 2, l, "certificate")?);
            pos += 2 + l;
        }
        let uri = if head & 0x80 != 0 {
            let l = take(p, pos, 2, "certificate URI length")?;
            let l = usize::from(u16::from_be_bytes([l[0], l[1]]));
            let uri = take(p, pos + 2, l, "certificate URI")?;
            pos += 2 + l;
            Some(uri)
        } else {
            None
        };
        Some(CertificateChain { uri_present: head & 0x80 != 0, format: (head >> 4) & 7, certificates, uri })
    } else {
        None
    };
    if pos < p.len() {
        return Err(NdefError::TrailingData { offset: pos });
    }
    Ok(SignatureRecord {
        version,
        signature_uri_present: sig_head & 0x80 != 0,
        signature_type: sig_head & 0x7F,
        hash_type,
        signature,
        certificate_chain,
    })
}

/// Encodes a Signature record payload. Panics on fields over 64 KiB or more than 15 certificates.
pub fn encode_ndef_signature(sig: &SignatureRecord<'_>) -> Vec<u8> {
    let len16 = |n: usize| u16::try_from(n).expect("signature field over 64 KiB").to_be_bytes();
    let mut out = vec![sig.version, u8::from(sig.signature_uri_present) << 7 | (sig.signature_type & 0x7F)];
    if let Some(h) = sig.hash_type {
        out.push(h);
    }
    out.extend_from_slice(&len16(sig.signature.len()));
    out.extend_from_slice(sig.signature);
    if let Some(chain) = &sig.certificate_chain {
        assert!(chain.certificates.len() <= 15, "more than 15 certificates");
        out.push(u8::from(chain.uri_present) << 7 | (chain.format & 7) << 4 | chain.certificates.len() as u8);
        for c in &chain.certificates {
            out.extend_from_slice(&len16(c.len()));
            out.extend_from_slice(c);
        }
        if let Some(uri) = chain.uri {
            out.extend_from_slice(&len16(uri.len()));
            out.extend_from_slice(uri);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_with_chain_round_trip() {
        let sig = SignatureRecord {
            version: 0x20,
            signature_uri_present: false,
            signature_type: 0x0B,
            hash_type: Some(0x02),
            signature: &[0xAA; 8],
            certificate_chain: Some(CertificateChain {
                uri_present: true,
                format: 0,
                certificates: vec![&[0x30, 0x01], &[0x30]],
                uri: Some(b"https://e.x/c"),
            }),
        };
        let bytes = encode_ndef_signature(&sig);
        assert_eq!(parse_ndef_signature(&bytes).unwrap(), sig);
        // The URI field starts at 23: 5 header bytes, 8 signature, chain byte, 2+2 and 2+1 certificates, 2 URI length.
        assert_eq!(parse_ndef_signature(&bytes[..bytes.len() - 1]).unwrap_err().offset(), 23);
    }
}
