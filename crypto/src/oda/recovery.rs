//! ISO/IEC 9796-2 digital signature scheme 1 with message recovery, as EMV Book 2 Annex A2.1
//! uses it with SHA-1.
//!
//! ```text
//! X = 6A || MSG1 || H || BC        (N bytes, N = modulus length)
//! H = SHA-1(MSG1 || MSG2)          (MSG2: the data not carried in the signature)
//! S = X^d mod n                    (signer, A2.1.1)
//! X = S^e mod n                    (verifier, A2.1.2)
//! ```
//!
//! MSG1 always begins with the format byte of the signed object, so [`RecoveredMessage::body`]
//! starts with it.

use sha1::{Digest, Sha1};

use super::error::{OdaError, SignedObject};
use super::rsa::{RsaPrivateKey, RsaPublicKey};

/// The recovered-data header (Annex A2.1, "6A").
pub const HEADER: u8 = 0x6A;
/// The recovered-data trailer (Annex A2.1, "BC").
pub const TRAILER: u8 = 0xBC;
/// SHA-1 output length.
pub const HASH_LEN: usize = 20;
/// Bytes of X that are not MSG1: header, hash, trailer.
pub const OVERHEAD: usize = 1 + HASH_LEN + 1;

/// SHA-1 over the concatenation of `parts` (hash algorithm indicator `01`, Book 2 Annex B3.1).
pub fn sha1_concat(parts: &[&[u8]]) -> [u8; HASH_LEN] {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The data X recovered from a signature whose header and trailer were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredMessage {
    x: Vec<u8>,
    object: SignedObject,
}

impl RecoveredMessage {
    /// MSG1: the bytes between the header and the hash (format byte first).
    pub fn body(&self) -> &[u8] {
        &self.x[1..self.x.len() - 1 - HASH_LEN]
    }

    /// The hash result H stated in the recovered data.
    pub fn hash(&self) -> [u8; HASH_LEN] {
        let end = self.x.len() - 1;
        let mut h = [0u8; HASH_LEN];
        h.copy_from_slice(&self.x[end - HASH_LEN..end]);
        h
    }

    /// The whole recovered data X.
    pub fn as_bytes(&self) -> &[u8] {
        &self.x
    }

    /// Checks H = SHA-1(MSG1 || MSG2), where MSG2 is the concatenation of `msg2` (Annex A2.1.2
    /// steps 4-5).
    pub fn verify_hash(&self, msg2: &[&[u8]]) -> Result<(), OdaError> {
        let mut parts: Vec<&[u8]> = Vec::with_capacity(msg2.len() + 1);
        parts.push(self.body());
        parts.extend_from_slice(msg2);
        let computed = sha1_concat(&parts);
        let stated = self.hash();
        if computed != stated {
            return Err(OdaError::HashMismatch { object: self.object, stated, computed });
        }
        Ok(())
    }
}

/// Recovers X from a signature and checks its header `6A` and trailer `BC` (Book 2 Annex
/// A2.1.2 steps 1-2). The signature must be as long as the modulus.
pub fn recover_iso9796_message(
    key: &RsaPublicKey,
    signature: &[u8],
    object: SignedObject,
) -> Result<RecoveredMessage, OdaError> {
    let x = key.public_operation(signature, object)?;
    // The modulus is at least 64 bytes, so X has room for header, hash and trailer.
    if x[0] != HEADER {
        return Err(OdaError::BadHeader { object, found: x[0] });
    }
    let last = x[x.len() - 1];
    if last != TRAILER {
        return Err(OdaError::BadTrailer { object, found: last });
    }
    Ok(RecoveredMessage { x, object })
}

/// Signs MSG1 with hash over MSG1 || MSG2 (Book 2 Annex A2.1.1): builds
/// X = 6A || MSG1 || SHA-1(MSG1 || MSG2) || BC and returns X^d mod n.
///
/// MSG1 must be exactly N - 22 bytes.
pub fn sign_iso9796_message(
    key: &RsaPrivateKey,
    msg1: &[u8],
    msg2: &[&[u8]],
    object: SignedObject,
) -> Result<Vec<u8>, OdaError> {
    let n = key.public_key().modulus_len();
    if msg1.len() + OVERHEAD != n {
        return Err(OdaError::DoesNotFit { object, needed: msg1.len() + OVERHEAD, modulus_len: n });
    }
    let mut parts: Vec<&[u8]> = Vec::with_capacity(msg2.len() + 1);
    parts.push(msg1);
    parts.extend_from_slice(msg2);
    let h = sha1_concat(&parts);
    let mut x = Vec::with_capacity(n);
    x.push(HEADER);
    x.extend_from_slice(msg1);
    x.extend_from_slice(&h);
    x.push(TRAILER);
    key.private_operation(&x, object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oda::test_keys::TEST_ONLY_ICC;

    const OBJ: SignedObject = SignedObject::SignedDynamicData;

    #[test]
    fn sha1_of_abc() {
        // FIPS 180-2 Appendix A.1
        assert_eq!(hex::encode_upper(sha1_concat(&[b"a", b"bc"])), "A9993E364706816ABA3E25717850C26C9CD0D89D");
    }

    #[test]
    fn sign_recover_and_hash() {
        let key = TEST_ONLY_ICC.private_key();
        let n = key.public_key().modulus_len();
        let msg1: Vec<u8> = (0..n - OVERHEAD).map(|i| i as u8).collect();
        let sig = sign_iso9796_message(&key, &msg1, &[b"terminal", b"data"], OBJ).unwrap();
        let rec = recover_iso9796_message(key.public_key(), &sig, OBJ).unwrap();
        assert_eq!(rec.body(), &msg1[..]);
        assert_eq!(rec.as_bytes().len(), n);
        rec.verify_hash(&[b"terminaldata"]).unwrap();
        let err = rec.verify_hash(&[b"terminal data"]).unwrap_err();
        assert!(matches!(err, OdaError::HashMismatch { object: OBJ, .. }), "{err:?}");
    }

    #[test]
    fn header_and_trailer_checked() {
        let key = TEST_ONLY_ICC.private_key();
        let n = key.public_key().modulus_len();
        let mut x = vec![0x55; n];
        x[0] = 0x6B;
        x[n - 1] = TRAILER;
        let sig = key.private_operation(&x, OBJ).unwrap();
        assert_eq!(
            recover_iso9796_message(key.public_key(), &sig, OBJ),
            Err(OdaError::BadHeader { object: OBJ, found: 0x6B })
        );
        x[0] = HEADER;
        x[n - 1] = 0xBD;
        let sig = key.private_operation(&x, OBJ).unwrap();
        assert_eq!(
            recover_iso9796_message(key.public_key(), &sig, OBJ),
            Err(OdaError::BadTrailer { object: OBJ, found: 0xBD })
        );
    }

    #[test]
    fn msg1_must_fill_the_modulus() {
        let key = TEST_ONLY_ICC.private_key();
        let n = key.public_key().modulus_len();
        assert_eq!(
            sign_iso9796_message(&key, &[1, 2, 3], &[], OBJ),
            Err(OdaError::DoesNotFit { object: OBJ, needed: 3 + OVERHEAD, modulus_len: n })
        );
    }
}
