//! The keys the terminal verifies with, each under a name. Reports and logs show names and
//! key check values, never key bytes (the `Debug` of these types prints no key material).

use std::fmt;

use tapcert_crypto::oda::{RsaPublicKey, test_keys};
use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_PURSE_DPK, TEST_PURSE_DTK};
use tapcert_crypto::{
    CryptoError, Cvn, IccMkDerivation, KcvMethod, KeyAlgorithm, Tdes, derive_icc_mk_option_a, derive_icc_mk_option_b,
    key_check_value,
};

/// The TDES issuer master keys of one application (or of every application of a RID): the
/// IMK-AC for application cryptograms and, when the lab gives them, the secure-messaging keys,
/// with the ICC master-key derivation and cryptogram version the application is personalised
/// with.
#[derive(Clone)]
pub struct IssuerKey {
    /// Name shown in reports.
    pub name: String,
    /// The registered application provider it serves (first 5 bytes of the AID); `None`: any.
    pub rid: Option<[u8; 5]>,
    /// The application it serves: an AID, or its leading bytes (an AID the card selects that
    /// starts with them). Takes precedence over `rid`; `None`: every AID of `rid`.
    pub aid: Option<Vec<u8>>,
    /// The application it serves by name: the application label (`50`) of the selected
    /// application's FCI, compared ignoring ASCII case and surrounding spaces. `None`: any.
    pub application: Option<String>,
    /// IMK-AC (2-key TDES).
    pub imk_ac: [u8; 16],
    /// IMK-SMI, secure-messaging integrity (2-key TDES). Parsed, checked and listed; the engine
    /// sends no issuer script, so no procedure uses it yet.
    pub imk_smi: Option<[u8; 16]>,
    /// IMK-SMC, secure-messaging confidentiality (2-key TDES). As `imk_smi`.
    pub imk_smc: Option<[u8; 16]>,
    /// ICC master-key derivation (EMV Book 2 A1.4.1 option A or A1.4.2 option B); `None`: the
    /// one of the cryptogram version.
    pub derivation: Option<IccMkDerivation>,
    /// The cryptogram version the application is personalised with; `None`: the one the card
    /// declares in its IAD (`9F10`).
    pub cvn: Option<Cvn>,
}

impl IssuerKey {
    /// An IMK-AC for any application, with the card's own cryptogram version.
    pub fn ac_only(name: &str, imk_ac: [u8; 16]) -> Self {
        IssuerKey {
            name: name.into(),
            rid: None,
            aid: None,
            application: None,
            imk_ac,
            imk_smi: None,
            imk_smc: None,
            derivation: None,
            cvn: None,
        }
    }

    /// The cryptogram version to verify with: the declared one, else the card's.
    pub fn cvn_for(&self, declared_by_card: Option<Cvn>) -> Option<Cvn> {
        self.cvn.or(declared_by_card)
    }

    /// The ICC AC master key of a card (EMV Book 2 A1.4) under the IMK-AC, by the declared
    /// derivation or else the one of `cvn`.
    pub fn icc_mk_ac(&self, cvn: Cvn, pan: &str, psn: u8) -> Result<[u8; 16], CryptoError> {
        let imk = Tdes::new_2key(&self.imk_ac);
        match self.derivation.unwrap_or(cvn.icc_mk_derivation()) {
            IccMkDerivation::OptionB => derive_icc_mk_option_b(&imk, pan, psn),
            IccMkDerivation::OptionA => derive_icc_mk_option_a(&imk, pan, psn),
            IccMkDerivation::OptionC => {
                Err(CryptoError::Unsupported { operation: "ICC MK option C", algorithm: "a TDES IMK" })
            }
        }
    }

    /// Whether every selector the key has (AID prefix, application label, RID) matches.
    fn serves(&self, aid: &[u8], label: Option<&[u8]>) -> bool {
        let label_matches =
            |name: &String| label.is_some_and(|l| String::from_utf8_lossy(l).trim().eq_ignore_ascii_case(name.trim()));
        self.aid.as_ref().is_none_or(|prefix| aid.starts_with(prefix))
            && self.application.as_ref().is_none_or(label_matches)
            && self.rid.is_none_or(|rid| aid.starts_with(&rid))
    }

    /// How specifically the key names its application: AID 2, label 1, RID or nothing 0.
    fn specificity(&self) -> u8 {
        if self.aid.is_some() {
            2
        } else if self.application.is_some() {
            1
        } else {
            0
        }
    }
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
    /// Load key (DLK) for INITIALIZE FOR LOAD / CREDIT FOR LOAD. Parsed, checked and listed;
    /// the engine runs no load (it would change the purse), so no procedure uses it.
    pub dlk: Option<[u8; 16]>,
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
            issuer: vec![IssuerKey::ac_only("test-imk-ac", TEST_IMK_AC)],
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
                dlk: None,
            }],
        }
    }

    /// The issuer keys for an AID whose label is not known (see [`Self::issuer_for_app`]).
    pub fn issuer_for(&self, aid: &[u8]) -> Option<&IssuerKey> {
        self.issuer_for_app(aid, None)
    }

    /// The issuer keys for an application: the first entry (in file order) naming its AID (or
    /// a prefix of it), else the first naming its label (`50`), else the first for its RID or
    /// for any application. A key's selectors must all match.
    pub fn issuer_for_app(&self, aid: &[u8], label: Option<&[u8]>) -> Option<&IssuerKey> {
        (0..=2u8).rev().find_map(|rank| self.issuer.iter().find(|k| k.specificity() == rank && k.serves(aid, label)))
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
        f.debug_struct("IssuerKey")
            .field("name", &self.name)
            .field("kcv", &kcv(&self.imk_ac))
            .field("smi_kcv", &self.imk_smi.as_ref().map(kcv))
            .field("smc_kcv", &self.imk_smc.as_ref().map(kcv))
            .field("derivation", &self.derivation)
            .field("cvn", &self.cvn.map(|c| format!("{:02X}", c.code())))
            .finish()
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
            .field("dlk_kcv", &self.dlk.as_ref().map(kcv))
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
