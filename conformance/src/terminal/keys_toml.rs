//! The `--keys` file: the keys a lab personalised its device with, each under a name and a
//! role, each with the key check value the lab expects, checked when the file is loaded.
//!
//! ```toml
//! [[issuer]]                  # EMV IMK-AC (2-key TDES), optionally for one RID
//! name = "lab-imk-ac"
//! rid = "A000000004"
//! imk_ac = "0123456789ABCDEFFEDCBA9876543210"
//! kcv = "08D7B4"              # TDES KCV: first 3 bytes of E(key, 00..00)
//!
//! [[ca]]                      # CA public key for ODA
//! name = "lab-ca-f0"
//! rid = "A000000004"
//! index = "F0"
//! modulus = "..."
//! exponent = "03"
//! kcv = "..."                 # the EMV CA key check sum: SHA-1(RID | index | modulus | exponent)
//!
//! [[purse]]                   # e-purse purchase (DPK) and TAC (DTK) keys of one key index
//! name = "lab-purse-1"
//! key_index = 1
//! dpk = "..."
//! dpk_kcv = "..."
//! dtk = "..."
//! dtk_kcv = "..."
//! ```
//!
//! The key bytes go into [`TerminalKeys`] and nowhere else: errors name the file, the line,
//! the key and the field, never the value; reports get [`TerminalKeys::kcvs`].

use serde::Deserialize;
use tapcert_crypto::oda::{RsaPublicKey, sha1_concat};
use toml::Spanned;

use super::keys::{CaKey, IssuerKey, PurseKey, TerminalKeys, kcv};

/// Why a keys file was rejected. No variant holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    /// Not TOML of the keys format (the detail names line, column and key).
    #[error("{file}: {detail}")]
    Toml {
        /// The file.
        file: String,
        /// What the TOML reader said.
        detail: String,
    },
    /// A field of a key is malformed.
    #[error("{file}:{line}: key {key:?}: {field}: {detail}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line of the key's `name`.
        line: usize,
        /// The key's name.
        key: String,
        /// The field (`imk_ac`, `rid`, ...).
        field: &'static str,
        /// The rule broken.
        detail: String,
    },
    /// The key does not have the check value the file states: a typo, or the wrong key.
    #[error("{file}:{line}: key {key:?}: {field}: the key check value is {computed}, the file expects {expected}")]
    KcvMismatch {
        /// The file.
        file: String,
        /// 1-based line of the key's `name`.
        line: usize,
        /// The key's name.
        key: String,
        /// The key field whose KCV differs.
        field: &'static str,
        /// The KCV the file states.
        expected: String,
        /// The KCV of the key bytes.
        computed: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    #[serde(default)]
    issuer: Vec<IssuerEntry>,
    #[serde(default)]
    ca: Vec<CaEntry>,
    #[serde(default)]
    purse: Vec<PurseEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuerEntry {
    name: Spanned<String>,
    #[serde(default)]
    rid: Option<String>,
    imk_ac: String,
    kcv: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaEntry {
    name: Spanned<String>,
    rid: String,
    index: String,
    modulus: String,
    exponent: String,
    kcv: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurseEntry {
    name: Spanned<String>,
    key_index: u8,
    dpk: String,
    dpk_kcv: String,
    dtk: String,
    dtk_kcv: String,
}

/// One key as reports show it: name, role and check value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyKcv {
    /// The key's name.
    pub name: String,
    /// `imk-ac`, `ca-public`, `purse-dpk` or `purse-dtk`.
    pub role: String,
    /// TDES KCV (3 bytes) or, for a CA public key, the EMV check sum (SHA-1, 20 bytes); hex.
    pub kcv: String,
}

impl TerminalKeys {
    /// Names, roles and check values of every key, in file order (what reports may show).
    pub fn kcvs(&self) -> Vec<KeyKcv> {
        let entry = |name: &str, role: &str, kcv: String| KeyKcv { name: name.into(), role: role.into(), kcv };
        let mut out = Vec::new();
        out.extend(self.issuer.iter().map(|k| entry(&k.name, "imk-ac", kcv(&k.imk_ac))));
        out.extend(self.ca.iter().map(|k| entry(&k.name, "ca-public", ca_check_sum(k))));
        for k in &self.purse {
            out.push(entry(&k.name, "purse-dpk", kcv(&k.dpk)));
            out.push(entry(&k.name, "purse-dtk", kcv(&k.dtk)));
        }
        out
    }
}

/// The EMV CA public key check sum (Book 2 §5.2): SHA-1 over RID, index, modulus, exponent.
fn ca_check_sum(k: &CaKey) -> String {
    hex::encode_upper(sha1_concat(&[&k.rid, &[k.index], k.key.modulus(), k.key.exponent()]))
}

/// Reads a `--keys` file; `file` names it in errors. Every key's check value is computed and
/// compared with the one the file states.
///
/// ```
/// use tapcert_conformance::terminal::{load_keys_toml, KeysError};
/// let text = "[[issuer]]\nname = \"imk\"\nimk_ac = \"0123456789ABCDEFFEDCBA9876543210\"\nkcv = \"08D7B4\"\n";
/// let keys = load_keys_toml("lab.toml", text).unwrap();
/// assert_eq!(keys.kcvs()[0].kcv, "08D7B4");
/// let err = load_keys_toml("lab.toml", &text.replace("08D7B4", "000000")).unwrap_err();
/// assert!(matches!(err, KeysError::KcvMismatch { line: 2, .. }));
/// assert_eq!(err.to_string(), "lab.toml:2: key \"imk\": imk_ac: the key check value is 08D7B4, the file expects 000000");
/// ```
pub fn load_keys_toml(file: &str, text: &str) -> Result<TerminalKeys, KeysError> {
    let parsed: KeysFile =
        toml::from_str(text).map_err(|e| KeysError::Toml { file: file.into(), detail: e.to_string() })?;
    let line_of = |name: &Spanned<String>| text[..name.span().start.min(text.len())].matches('\n').count() + 1;
    let mut keys = TerminalKeys::default();
    let mut names = std::collections::BTreeSet::new();
    let mut check_name = |name: &Spanned<String>| {
        let line = line_of(name);
        let key = name.get_ref().clone();
        if key.is_empty() || !names.insert(key.clone()) {
            let detail = if key.is_empty() { "a key needs a name" } else { "the name is used twice" };
            return Err(KeysError::Invalid { file: file.into(), line, key, field: "name", detail: detail.into() });
        }
        Ok((line, key))
    };
    for e in parsed.issuer {
        let (line, key) = check_name(&e.name)?;
        let at = Field { file, line, key: &key };
        let imk_ac: [u8; 16] = at.hex_array("imk_ac", &e.imk_ac)?;
        let rid = e.rid.as_deref().map(|r| at.hex_array::<5>("rid", r)).transpose()?;
        at.kcv("imk_ac", &e.kcv, kcv(&imk_ac))?;
        keys.issuer.push(IssuerKey { name: key, rid, imk_ac });
    }
    for e in parsed.ca {
        let (line, key) = check_name(&e.name)?;
        let at = Field { file, line, key: &key };
        let rid = at.hex_array::<5>("rid", &e.rid)?;
        let [index] = at.hex_array::<1>("index", &e.index)?;
        let modulus = at.hex("modulus", &e.modulus)?;
        let exponent = at.hex("exponent", &e.exponent)?;
        let public = RsaPublicKey::new(&modulus, &exponent).map_err(|err| at.invalid("modulus", err.to_string()))?;
        let ca = CaKey { name: key.clone(), rid, index, key: public };
        at.kcv("modulus", &e.kcv, ca_check_sum(&ca))?;
        keys.ca.push(ca);
    }
    for e in parsed.purse {
        let (line, key) = check_name(&e.name)?;
        let at = Field { file, line, key: &key };
        let dpk: [u8; 16] = at.hex_array("dpk", &e.dpk)?;
        let dtk: [u8; 16] = at.hex_array("dtk", &e.dtk)?;
        at.kcv("dpk", &e.dpk_kcv, kcv(&dpk))?;
        at.kcv("dtk", &e.dtk_kcv, kcv(&dtk))?;
        keys.purse.push(PurseKey { name: key, key_index: e.key_index, dpk, dtk });
    }
    Ok(keys)
}

/// Where a field sits, for its errors.
struct Field<'a> {
    file: &'a str,
    line: usize,
    key: &'a str,
}

impl Field<'_> {
    fn invalid(&self, field: &'static str, detail: String) -> KeysError {
        KeysError::Invalid { file: self.file.into(), line: self.line, key: self.key.into(), field, detail }
    }

    fn hex(&self, field: &'static str, text: &str) -> Result<Vec<u8>, KeysError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        hex::decode(&compact).map_err(|_| self.invalid(field, "not hex".into()))
    }

    fn hex_array<const N: usize>(&self, field: &'static str, text: &str) -> Result<[u8; N], KeysError> {
        let bytes = self.hex(field, text)?;
        let n = bytes.len();
        bytes.try_into().map_err(|_| self.invalid(field, format!("{n} bytes, expected {N}")))
    }

    fn kcv(&self, field: &'static str, expected: &str, computed: String) -> Result<(), KeysError> {
        let expected: String = expected.chars().filter(|c| !c.is_whitespace()).collect();
        if expected.eq_ignore_ascii_case(&computed) {
            return Ok(());
        }
        Err(KeysError::KcvMismatch {
            file: self.file.into(),
            line: self.line,
            key: self.key.into(),
            field,
            expected: expected.to_ascii_uppercase(),
            computed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_PURSE_DPK, TEST_PURSE_DTK};

    fn purse(dtk_kcv: &str) -> String {
        format!(
            "# lab keys\n[[purse]]\nname = \"p1\"\nkey_index = 1\ndpk = \"{}\"\ndpk_kcv = \"{}\"\ndtk = \"{}\"\ndtk_kcv = \"{dtk_kcv}\"\n",
            hex::encode(TEST_PURSE_DPK),
            kcv(&TEST_PURSE_DPK),
            hex::encode(TEST_PURSE_DTK),
        )
    }

    #[test]
    fn the_test_keys_round_trip_through_a_file() {
        let t = TerminalKeys::test_keys();
        let ca = &t.ca[0];
        let text = format!(
            "[[issuer]]\nname = \"i\"\nimk_ac = \"{}\"\nkcv = \"{}\"\n[[ca]]\nname = \"c\"\nrid = \"A000000004\"\nindex = \"F0\"\nmodulus = \"{}\"\nexponent = \"{}\"\nkcv = \"{}\"\n{}",
            hex::encode_upper(TEST_IMK_AC),
            kcv(&TEST_IMK_AC),
            hex::encode(ca.key.modulus()),
            hex::encode(ca.key.exponent()),
            ca_check_sum(ca),
            purse(&kcv(&TEST_PURSE_DTK)),
        );
        let keys = load_keys_toml("k.toml", &text).unwrap();
        let roles: Vec<_> = keys.kcvs().iter().map(|k| format!("{}/{}", k.name, k.role)).collect();
        assert_eq!(roles, ["i/imk-ac", "c/ca-public", "p1/purse-dpk", "p1/purse-dtk"]);
        assert_eq!(keys.purse_for(1).unwrap().dtk, TEST_PURSE_DTK);
        assert_eq!(keys.ca_for(&[0xA0, 0, 0, 0, 4, 0x10], 0xF0).unwrap().key, ca.key);
    }

    #[test]
    fn errors_name_file_line_key_and_field_never_the_key() {
        let err = load_keys_toml("k.toml", &purse("ABCDEF")).unwrap_err();
        assert_eq!(
            err,
            KeysError::KcvMismatch {
                file: "k.toml".into(),
                line: 3,
                key: "p1".into(),
                field: "dtk",
                expected: "ABCDEF".into(),
                computed: kcv(&TEST_PURSE_DTK),
            }
        );
        let text = err.to_string();
        assert!(!text.to_ascii_uppercase().contains(&hex::encode_upper(TEST_PURSE_DTK)), "{text}");
        let short = purse("00").replace(&hex::encode(TEST_PURSE_DPK), "0011");
        let err = load_keys_toml("k.toml", &short).unwrap_err();
        assert!(matches!(err, KeysError::Invalid { line: 3, field: "dpk", .. }), "{err}");
        assert_eq!(err.to_string(), "k.toml:3: key \"p1\": dpk: 2 bytes, expected 16");
        let err = load_keys_toml("k.toml", "[[purse]]\nname = \"p\"\nkey_index = 1\n").unwrap_err();
        assert!(
            matches!(&err, KeysError::Toml { detail, .. } if detail.contains("line 1") && detail.contains("dpk")),
            "{err}"
        );
        let err = load_keys_toml(
            "k.toml",
            &format!("{}{}", purse(&kcv(&TEST_PURSE_DTK)), purse("x").replace("# lab keys\n", "")),
        )
        .unwrap_err();
        assert!(matches!(err, KeysError::Invalid { line: 10, field: "name", .. }), "{err}");
        assert!(
            load_keys_toml(
                "k.toml",
                "[[ca]]\nname=\"c\"\nrid=\"A0\"\nindex=\"F0\"\nmodulus=\"00\"\nexponent=\"03\"\nkcv=\"\"\n"
            )
            .is_err()
        );
        assert!(load_keys_toml("k.toml", "\u{0}[[").is_err());
    }
}
