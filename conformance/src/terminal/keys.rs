//! The keys the terminal verifies with, each under a name. Reports and logs show names and
//! key check values, never key bytes (the `Debug` of these types prints no key material).

use std::fmt;

use tapcert_crypto::oda::{RsaPublicKey, test_keys};
use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_PURSE_DPK, TEST_PURSE_DTK};
use tapcert_crypto::{KcvMethod, KeyAlgorithm, key_check_value};

/// A TDES issuer master key for application cryptograms.
#[derive(Clone)]
pub struct IssuerKey {
    /// Name shown in reports.
    pub name: String,
    /// The registered application provider it serves (first 5 bytes of the AID); `None`: any.
    pub rid: Option<[u8; 5]>,
    /// IMK-AC (2-key TDES).
    pub imk_ac: [u8; 16],
}

/// A certification authority public key for offline data authentication.
#[derive(Clone)]
pub struct CaKey {
    /// Name shown in reports.
    pub name: String,
    /// Registered application provider.
    pub rid: [u8; 5],
    /// CA public key index (`8F`).
    pub index: u8,
    /// The key.
    pub key: RsaPublicKey,
}

/// The e-purse purchase and TAC keys for one key index.
#[derive(Clone)]
pub struct PurseKey {
    /// Name shown in reports.
    pub name: String,
    /// Key index the terminal names in INITIALIZE FOR PURCHASE.
    pub key_index: u8,
    /// Purchase key (DPK).
    pub dpk: [u8; 16],
    /// TAC key (DTK).
    pub dtk: [u8; 16],
}

/// Every key the terminal holds.
#[derive(Clone, Default)]
pub struct TerminalKeys {
    /// Issuer master keys, tried in order.
    pub issuer: Vec<IssuerKey>,
    /// CA public keys.
    pub ca: Vec<CaKey>,
    /// E-purse keys.
    pub purse: Vec<PurseKey>,
}

impl TerminalKeys {
    /// The built-in band's published test keys: IMK-AC `0123…3210`, the TEST ONLY CA `F0`
    /// under `A000000004`, and the purse keys of `tapcert_crypto::test_keys`.
    pub fn test_keys() -> Self {
        TerminalKeys {
            issuer: vec![IssuerKey { name: "test-imk-ac".into(), rid: None, imk_ac: TEST_IMK_AC }],
            ca: vec![CaKey {
                name: "test-only-ca-a000000004-f0".into(),
                rid: [0xA0, 0x00, 0x00, 0x00, 0x04],
                index: 0xF0,
                key: test_keys::TEST_ONLY_CA.public_key(),
            }],
            purse: vec![PurseKey {
                name: "test-purse-1".into(),
                key_index: 0x01,
                dpk: TEST_PURSE_DPK,
                dtk: TEST_PURSE_DTK,
            }],
        }
    }

    /// The issuer key for an AID.
    pub fn issuer_for(&self, aid: &[u8]) -> Option<&IssuerKey> {
        self.issuer.iter().find(|k| k.rid.is_none_or(|rid| aid.starts_with(&rid)))
    }

    /// The CA key of an AID's RID and index.
    pub fn ca_for(&self, aid: &[u8], index: u8) -> Option<&CaKey> {
        self.ca.iter().find(|k| aid.starts_with(&k.rid) && k.index == index)
    }

    /// The purse keys of an index.
    pub fn purse_for(&self, key_index: u8) -> Option<&PurseKey> {
        self.purse.iter().find(|k| k.key_index == key_index)
    }
}

/// The 3-byte TDES key check value, upper-case hex (what reports show for a key).
pub fn kcv(key: &[u8; 16]) -> String {
    key_check_value(key, KeyAlgorithm::Tdes, KcvMethod::EncryptZeros)
        .map(|v| hex::encode_upper(&v[..3]))
        .unwrap_or_default()
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey").field("name", &self.name).field("kcv", &kcv(&self.imk_ac)).finish()
    }
}

impl fmt::Debug for CaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaKey").field("name", &self.name).field("index", &format_args!("{:02X}", self.index)).finish()
    }
}

impl fmt::Debug for PurseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PurseKey")
            .field("name", &self.name)
            .field("key_index", &self.key_index)
            .field("dpk_kcv", &kcv(&self.dpk))
            .field("dtk_kcv", &kcv(&self.dtk))
            .finish()
    }
}

impl fmt::Debug for TerminalKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TerminalKeys")
            .field("issuer", &self.issuer)
            .field("ca", &self.ca)
            .field("purse", &self.purse)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_and_kcvs_not_keys() {
        let text = format!("{:?}", TerminalKeys::test_keys());
        assert!(text.contains("test-imk-ac") && text.contains("08D7"), "{text}");
        for key in [TEST_IMK_AC, TEST_PURSE_DPK, TEST_PURSE_DTK] {
            assert!(!text.contains(&hex::encode_upper(key)) && !text.contains(&format!("{key:?}")), "{text}");
        }
    }
}
