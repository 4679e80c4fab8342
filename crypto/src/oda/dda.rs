//! Dynamic Data Authentication: Signed Dynamic Application Data (tag `9F4B`) for DDA (EMV
//! Book 2 §6.5), Visa fDDA, and Combined DDA/AC Generation (CDA, Book 2 §6.6).
//!
//! ```text
//! recovered data (N_IC bytes), §6.5.2
//! 6A | 05 | hash algo 01 | L_DD (1) | ICC dynamic data (L_DD) | BB padding (N_IC-L_DD-25)
//!    | SHA-1 (20) | BC
//! hash input: 05 .. padding || terminal dynamic data
//!   DDA:  the DDOL data (data elements named by the DDOL, at least the UN 9F37)
//!   fDDA: UN 9F37 (version 00), or UN || amount 9F02 || currency 5F2A || 9F69 (version 01)
//!   CDA:  UN 9F37
//! ICC dynamic data (§6.5.1 DDA, §6.6.1 CDA)
//!   DDA:  L (1, 2..8) | ICC dynamic number (L) | [more ICC data]
//!   CDA:  L (1, 2..8) | ICC dynamic number (L) | CID (1) | AC (8) | transaction data hash (20)
//! ```

use super::error::{OdaError, SignedObject};
use super::issuer_cert::{HASH_ALGORITHM_SHA1, PAD};
use super::recovery::{
    HASH_LEN, OVERHEAD, RecoveredMessage, recover_iso9796_message, sha1_concat, sign_iso9796_message,
};
use super::rsa::{RsaPrivateKey, RsaPublicKey};

/// Signed data format of the signed dynamic application data.
pub const SDAD_FORMAT: u8 = 0x05;

/// Bytes of the SDAD body around the ICC dynamic data: format, hash algorithm, `L_DD`.
const SDAD_FIXED: usize = 3;

/// What a verified DDA/fDDA SDAD yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDynamicData {
    /// The ICC dynamic data (§6.5.1), as signed.
    pub icc_dynamic_data: Vec<u8>,
    /// The ICC Dynamic Number (tag `9F4C`), the terminal stores it.
    pub icc_dynamic_number: Vec<u8>,
}

/// What a verified CDA SDAD yields (Book 2 §6.6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdaSignedData {
    /// ICC Dynamic Number (`9F4C`).
    pub icc_dynamic_number: Vec<u8>,
    /// Cryptogram Information Data (`9F27`) as signed.
    pub cid: u8,
    /// The Application Cryptogram (`9F26`) recovered from the signature.
    pub application_cryptogram: [u8; 8],
    /// The transaction data hash code (checked equal to the terminal's).
    pub transaction_data_hash: [u8; HASH_LEN],
}

/// Verifies a DDA Signed Dynamic Application Data `9F4B` with the ICC public key over the
/// terminal dynamic data (the DDOL data), Book 2 §6.5.2 steps 1-8.
pub fn verify_signed_dynamic_data(
    icc: &RsaPublicKey,
    sdad: &[u8],
    terminal_dynamic_data: &[u8],
) -> Result<SignedDynamicData, OdaError> {
    let (rec, icc_data) = recover_sdad(icc, sdad)?;
    rec.verify_hash(&[terminal_dynamic_data])?;
    let (number, _) = split_dynamic_number(&icc_data)?;
    Ok(SignedDynamicData { icc_dynamic_number: number.to_vec(), icc_dynamic_data: icc_data })
}

/// The terminal data a Visa fDDA signature covers (qVSDC; the version is byte 1 of the Card
/// Authentication Related Data `9F69`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FddaTerminalData<'a> {
    /// Unpredictable Number `9F37`.
    pub unpredictable_number: [u8; 4],
    /// Amount, Authorised `9F02` (n12).
    pub amount_authorised: [u8; 6],
    /// Transaction Currency Code `5F2A`.
    pub currency_code: [u8; 2],
    /// Card Authentication Related Data `9F69` from the card, when it returned one.
    pub card_authentication_data: Option<&'a [u8]>,
}

impl FddaTerminalData<'_> {
    /// The data hashed after the SDAD fields: the UN alone for fDDA version 00 (no `9F69`, or
    /// `9F69` starting with `00`), UN || amount || currency || `9F69` for version 01.
    pub fn hash_input(&self) -> Result<Vec<u8>, OdaError> {
        match self.card_authentication_data {
            None | Some([0x00, ..]) => Ok(self.unpredictable_number.to_vec()),
            Some(cad @ [0x01, ..]) => {
                let mut v = Vec::with_capacity(12 + cad.len());
                v.extend_from_slice(&self.unpredictable_number);
                v.extend_from_slice(&self.amount_authorised);
                v.extend_from_slice(&self.currency_code);
                v.extend_from_slice(cad);
                Ok(v)
            }
            Some(_) => Err(OdaError::BadField {
                field: "card authentication related data (9F69)",
                expected: "fDDA version 00 or 01 in byte 1",
            }),
        }
    }
}

/// Verifies a Visa fDDA SDAD: DDA (Book 2 §6.5.2) with the terminal dynamic data of
/// [`FddaTerminalData::hash_input`].
pub fn verify_fdda(
    icc: &RsaPublicKey,
    sdad: &[u8],
    terminal: &FddaTerminalData<'_>,
) -> Result<SignedDynamicData, OdaError> {
    verify_signed_dynamic_data(icc, sdad, &terminal.hash_input()?)
}

/// The transaction data hash code of CDA (Book 2 §6.6.1): SHA-1 over the PDOL values sent in
/// GET PROCESSING OPTIONS, the CDOL1 (and for the second GENERATE AC, CDOL2) values sent in
/// GENERATE AC, and the TLV data objects of the GENERATE AC response other than the SDAD, in
/// that order. Pass the pieces in that order.
pub fn cda_transaction_data_hash(parts: &[&[u8]]) -> [u8; HASH_LEN] {
    sha1_concat(parts)
}

/// Verifies a CDA SDAD from a GENERATE AC response (Book 2 §6.6.2 steps 1-12).
///
/// * `unpredictable_number`: the UN `9F37` the terminal sent.
/// * `response_cid`: the CID `9F27` in the response.
/// * `transaction_data_hash`: the terminal's [`cda_transaction_data_hash`].
pub fn verify_cda(
    icc: &RsaPublicKey,
    sdad: &[u8],
    unpredictable_number: &[u8],
    response_cid: u8,
    transaction_data_hash: &[u8; HASH_LEN],
) -> Result<CdaSignedData, OdaError> {
    let (rec, icc_data) = recover_sdad(icc, sdad)?;
    rec.verify_hash(&[unpredictable_number])?;
    let (number, rest) = split_dynamic_number(&icc_data)?;
    let at = 1 + number.len();
    if rest.len() != 1 + 8 + HASH_LEN {
        return Err(OdaError::BadDynamicData {
            offset: at,
            expected: "CID (1), AC (8), transaction data hash code (20)",
        });
    }
    let cid = rest[0];
    if cid != response_cid {
        return Err(OdaError::CidMismatch { in_signature: cid, in_response: response_cid });
    }
    let mut ac = [0u8; 8];
    ac.copy_from_slice(&rest[1..9]);
    let mut stated = [0u8; HASH_LEN];
    stated.copy_from_slice(&rest[9..]);
    if &stated != transaction_data_hash {
        return Err(OdaError::TransactionDataHashMismatch { stated, computed: *transaction_data_hash });
    }
    Ok(CdaSignedData {
        icc_dynamic_number: number.to_vec(),
        cid,
        application_cryptogram: ac,
        transaction_data_hash: stated,
    })
}

/// Signs ICC dynamic data over terminal dynamic data with a (TEST ONLY) ICC private key: the
/// signing side of Book 2 §6.5.1. Use [`dda_icc_dynamic_data`] or
/// [`cda_icc_dynamic_data`] for `icc_dynamic_data`.
pub fn sign_dynamic_data(
    icc: &RsaPrivateKey,
    icc_dynamic_data: &[u8],
    terminal_dynamic_data: &[u8],
) -> Result<Vec<u8>, OdaError> {
    let object = SignedObject::SignedDynamicData;
    let n = icc.public_key().modulus_len();
    let needed = OVERHEAD + SDAD_FIXED + icc_dynamic_data.len();
    if needed > n || icc_dynamic_data.len() > usize::from(u8::MAX) {
        return Err(OdaError::DoesNotFit { object, needed, modulus_len: n });
    }
    let mut body = Vec::with_capacity(n - OVERHEAD);
    body.extend_from_slice(&[SDAD_FORMAT, HASH_ALGORITHM_SHA1, icc_dynamic_data.len() as u8]);
    body.extend_from_slice(icc_dynamic_data);
    body.resize(n - OVERHEAD, PAD);
    sign_iso9796_message(icc, &body, &[terminal_dynamic_data], object)
}

/// ICC dynamic data for DDA/fDDA (§6.5.1): length byte and ICC dynamic number (2-8 bytes).
pub fn dda_icc_dynamic_data(icc_dynamic_number: &[u8]) -> Result<Vec<u8>, OdaError> {
    check_number_len(icc_dynamic_number)?;
    let mut v = Vec::with_capacity(1 + icc_dynamic_number.len());
    v.push(icc_dynamic_number.len() as u8);
    v.extend_from_slice(icc_dynamic_number);
    Ok(v)
}

/// ICC dynamic data for CDA (§6.6.1): length, ICC dynamic number, CID, AC, transaction data
/// hash code.
pub fn cda_icc_dynamic_data(
    icc_dynamic_number: &[u8],
    cid: u8,
    application_cryptogram: &[u8; 8],
    transaction_data_hash: &[u8; HASH_LEN],
) -> Result<Vec<u8>, OdaError> {
    let mut v = dda_icc_dynamic_data(icc_dynamic_number)?;
    v.push(cid);
    v.extend_from_slice(application_cryptogram);
    v.extend_from_slice(transaction_data_hash);
    Ok(v)
}

fn check_number_len(number: &[u8]) -> Result<(), OdaError> {
    if !(2..=8).contains(&number.len()) {
        return Err(OdaError::BadField { field: "ICC dynamic number", expected: "2 to 8 bytes" });
    }
    Ok(())
}

/// Steps 1-4 of §6.5.2 / §6.6.2: recovery, header, trailer, format, hash algorithm, and the
/// ICC dynamic data cut out by `L_DD`.
fn recover_sdad(icc: &RsaPublicKey, sdad: &[u8]) -> Result<(RecoveredMessage, Vec<u8>), OdaError> {
    let object = SignedObject::SignedDynamicData;
    let rec = recover_iso9796_message(icc, sdad, object)?;
    let body = rec.body();
    if body[0] != SDAD_FORMAT {
        return Err(OdaError::BadFormat { object, expected: SDAD_FORMAT, found: body[0] });
    }
    if body[1] != HASH_ALGORITHM_SHA1 {
        return Err(OdaError::UnsupportedHashAlgorithm { object, found: body[1] });
    }
    let stated = usize::from(body[2]);
    let available = body.len() - SDAD_FIXED;
    if stated > available {
        return Err(OdaError::DynamicDataLength { stated, available });
    }
    let icc_data = body[SDAD_FIXED..SDAD_FIXED + stated].to_vec();
    Ok((rec, icc_data))
}

/// Splits ICC dynamic data into the ICC dynamic number and what follows it.
fn split_dynamic_number(icc_data: &[u8]) -> Result<(&[u8], &[u8]), OdaError> {
    let Some((&len, rest)) = icc_data.split_first() else {
        return Err(OdaError::BadDynamicData { offset: 0, expected: "ICC dynamic number length byte" });
    };
    let len = usize::from(len);
    if !(2..=8).contains(&len) || len > rest.len() {
        return Err(OdaError::BadDynamicData { offset: 0, expected: "ICC dynamic number length 2-8, within the data" });
    }
    Ok(rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdda_hash_input_by_version() {
        let mut t = FddaTerminalData {
            unpredictable_number: [1, 2, 3, 4],
            amount_authorised: [0, 0, 0, 0, 0x10, 0x00],
            currency_code: [0x09, 0x78],
            card_authentication_data: None,
        };
        assert_eq!(t.hash_input().unwrap(), [1, 2, 3, 4]);
        let cad = [0x01, 0xAA, 0xBB, 0xCC, 0xDD, 0x80, 0x00];
        t.card_authentication_data = Some(&cad);
        let v = t.hash_input().unwrap();
        assert_eq!(v.len(), 4 + 6 + 2 + 7);
        assert_eq!(&v[..4], [1, 2, 3, 4]);
        assert_eq!(&v[12..], cad);
        t.card_authentication_data = Some(&[0x02]);
        assert!(matches!(t.hash_input(), Err(OdaError::BadField { .. })));
    }

    #[test]
    fn dynamic_number_split() {
        assert_eq!(split_dynamic_number(&[2, 0xAA, 0xBB, 0xCC]).unwrap(), (&[0xAA, 0xBB][..], &[0xCC][..]));
        assert!(split_dynamic_number(&[]).is_err());
        assert!(split_dynamic_number(&[1, 0xAA]).is_err());
        assert!(split_dynamic_number(&[9; 12]).is_err());
        assert!(split_dynamic_number(&[4, 0xAA]).is_err());
        assert!(dda_icc_dynamic_data(&[1]).is_err());
        assert_eq!(dda_icc_dynamic_data(&[1, 2]).unwrap(), [2, 1, 2]);
    }
}
