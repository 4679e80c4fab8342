//! The `--keys` file: the keys a lab personalised its device with, each under a name and a
//! role, each with the key check value the lab expects, checked when the file is loaded.
//!
//! ```toml
//! [[issuer]]                  # EMV issuer master keys (2-key TDES), optionally for one RID or AID
//! name = "lab-imk-ac"
//! rid = "A000000004"          # or aid = "A0000000041010" (an AID or its leading bytes)
//! application = "MASTERCARD"  # optional: the application label (50) it serves
//! imk_ac = "0123456789ABCDEFFEDCBA9876543210"
//! kcv = "08D7B4"              # TDES KCV: first 3 bytes of E(key, 00..00)
//! imk_smi = "..."             # optional, with smi_kcv
//! imk_smc = "..."             # optional, with smc_kcv
//! derivation = "option-a"     # optional: ICC MK option-a | option-b (default: the CVN's)
//! cvn = "mastercard-20"       # optional: visa-10|18|22, mastercard-16|17|20|21 (default: the IAD's)
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
//! dlk = "..."                 # optional load key, with dlk_kcv
//! dlk_kcv = "..."
//! ```
//!
//! The key bytes go into [`TerminalKeys`] and nowhere else: errors name the file, the line,
//! the key and the field, never the value; reports get [`TerminalKeys::kcvs`].

use serde::Deserialize;
use tapcert_crypto::oda::{RsaPublicKey, sha1_concat};
use tapcert_crypto::{Cvn, IccMkDerivation};
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
    #[serde(default)]
    aid: Option<String>,
    #[serde(default)]
    application: Option<String>,
    imk_ac: String,
    kcv: String,
    #[serde(default)]
    imk_smi: Option<String>,
    #[serde(default)]
    smi_kcv: Option<String>,
    #[serde(default)]
    imk_smc: Option<String>,
    #[serde(default)]
    smc_kcv: Option<String>,
    #[serde(default)]
    derivation: Option<String>,
    #[serde(default)]
    cvn: Option<String>,
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
    #[serde(default)]
    dlk: Option<String>,
    #[serde(default)]
    dlk_kcv: Option<String>,
}

/// One key as reports show it: name, role and check value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyKcv {
    /// The key's name.
    pub name: String,
    /// `imk-ac`, `imk-smi`, `imk-smc`, `ca-public`, `purse-dpk`, `purse-dtk` or `purse-dlk`.
    pub role: String,
    /// TDES KCV (3 bytes) or, for a CA public key, the EMV check sum (SHA-1, 20 bytes); hex.
    pub kcv: String,
}

impl TerminalKeys {
    /// Names, roles and check values of every key, in file order (what reports may show).
    pub fn kcvs(&self) -> Vec<KeyKcv> {
        let entry = |name: &str, role: &str, kcv: String| KeyKcv { name: name.into(), role: role.into(), kcv };
        let mut out = Vec::new();
        for k in &self.issuer {
            out.push(entry(&k.name, "imk-ac", kcv(&k.imk_ac)));
            out.extend(k.imk_smi.as_ref().map(|key| entry(&k.name, "imk-smi", kcv(key))));
            out.extend(k.imk_smc.as_ref().map(|key| entry(&k.name, "imk-smc", kcv(key))));
        }
        out.extend(self.ca.iter().map(|k| entry(&k.name, "ca-public", ca_check_sum(k))));
        for k in &self.purse {
            out.push(entry(&k.name, "purse-dpk", kcv(&k.dpk)));
            out.push(entry(&k.name, "purse-dtk", kcv(&k.dtk)));
            out.extend(k.dlk.as_ref().map(|key| entry(&k.name, "purse-dlk", kcv(key))));
        }
        out
    }
}

/// The names of the cryptogram versions a keys file may declare, and the versions.
pub const CVN_NAMES: [(&str, Cvn); 7] = [
    ("visa-10", Cvn::Visa10),
    ("visa-18", Cvn::Visa18),
    ("visa-22", Cvn::Visa22),
    ("mastercard-16", Cvn::Mastercard16),
    ("mastercard-17", Cvn::Mastercard17),
    ("mastercard-20", Cvn::Mastercard20),
    ("mastercard-21", Cvn::Mastercard21),
];

/// The keys-file name of a cryptogram version (`mastercard-20`).
pub fn cvn_name(cvn: Cvn) -> &'static str {
    CVN_NAMES.iter().find(|(_, c)| *c == cvn).map_or("?", |(n, _)| n)
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
        let aid = e.aid.as_deref().map(|a| at.hex("aid", a)).transpose()?;
        if let Some(a) = &aid
            && !(5..=16).contains(&a.len())
        {
            return Err(at.invalid("aid", format!("{} bytes, expected 5 to 16", a.len())));
        }
        if let (Some(a), Some(r)) = (&aid, &rid)
            && !a.starts_with(r)
        {
            return Err(at.invalid("aid", "the AID is not of the key's RID".into()));
        }
        at.kcv("imk_ac", &e.kcv, kcv(&imk_ac))?;
        let imk_smi = at.optional_key(("imk_smi", e.imk_smi.as_deref()), ("smi_kcv", e.smi_kcv.as_deref()))?;
        let imk_smc = at.optional_key(("imk_smc", e.imk_smc.as_deref()), ("smc_kcv", e.smc_kcv.as_deref()))?;
        let derivation = match e.derivation.as_deref() {
            None => None,
            Some("option-a") => Some(IccMkDerivation::OptionA),
            Some("option-b") => Some(IccMkDerivation::OptionB),
            // the value is not echoed: a key pasted into the wrong field stays out of the error
            Some(_) => return Err(at.invalid("derivation", "expected \"option-a\" or \"option-b\"".into())),
        };
        let cvn = match e.cvn.as_deref() {
            None => None,
            Some(name) => match CVN_NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, cvn)) => Some(*cvn),
                None => {
                    let known: Vec<_> = CVN_NAMES.iter().map(|(n, _)| *n).collect();
                    return Err(at.invalid("cvn", format!("expected one of {}", known.join(", "))));
                }
            },
        };
        if e.application.as_deref().is_some_and(|a| a.trim().is_empty()) {
            return Err(at.invalid("application", "an empty application label".into()));
        }
        let application = e.application.map(|a| a.trim().to_string());
        keys.issuer.push(IssuerKey { name: key, rid, aid, application, imk_ac, imk_smi, imk_smc, derivation, cvn });
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
        let dlk = at.optional_key(("dlk", e.dlk.as_deref()), ("dlk_kcv", e.dlk_kcv.as_deref()))?;
        keys.purse.push(PurseKey { name: key, key_index: e.key_index, dpk, dtk, dlk });
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

    /// An optional 16-byte key and its check value: both or neither.
    fn optional_key(
        &self,
        (field, key): (&'static str, Option<&str>),
        (kcv_field, expected): (&'static str, Option<&str>),
    ) -> Result<Option<[u8; 16]>, KeysError> {
        match (key, expected) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(self.invalid(kcv_field, format!("{field} is given without its check value"))),
            (None, Some(_)) => Err(self.invalid(field, format!("{kcv_field} is given without the key"))),
            (Some(text), Some(expected)) => {
                let key: [u8; 16] = self.hex_array(field, text)?;
                self.kcv(field, expected, kcv(&key))?;
                Ok(Some(key))
            }
        }
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
    use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_IMK_SMI, TEST_PURSE_DPK, TEST_PURSE_DTK};

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

    /// An issuer entry with every role, `extra` appended (or replacing a field by name).
    fn issuer(extra: &str) -> String {
        format!(
            "[[issuer]]\nname = \"mc\"\naid = \"A0000000041010\"\nimk_ac = \"{}\"\nkcv = \"{}\"\n\
             imk_smi = \"{}\"\nsmi_kcv = \"{}\"\nimk_smc = \"{}\"\nsmc_kcv = \"{}\"\n{extra}",
            hex::encode(TEST_IMK_AC),
            kcv(&TEST_IMK_AC),
            hex::encode(TEST_IMK_SMI),
            kcv(&TEST_IMK_SMI),
            hex::encode(TEST_PURSE_DPK),
            kcv(&TEST_PURSE_DPK),
        )
    }

    #[test]
    fn issuer_smi_smc_cvn_derivation_and_purse_load_key_are_read_and_listed() {
        let dlk = format!("dlk = \"{}\"\ndlk_kcv = \"{}\"\n", hex::encode(TEST_IMK_SMI), kcv(&TEST_IMK_SMI));
        let text = format!(
            "{}{}",
            issuer("cvn = \"visa-18\"\nderivation = \"option-b\"\n"),
            purse(&kcv(&TEST_PURSE_DTK)) + &dlk
        );
        let keys = load_keys_toml("k.toml", &text).unwrap();
        let roles: Vec<_> = keys.kcvs().iter().map(|k| format!("{}/{}/{}", k.name, k.role, k.kcv)).collect();
        let want = [
            format!("mc/imk-ac/{}", kcv(&TEST_IMK_AC)),
            format!("mc/imk-smi/{}", kcv(&TEST_IMK_SMI)),
            format!("mc/imk-smc/{}", kcv(&TEST_PURSE_DPK)),
            format!("p1/purse-dpk/{}", kcv(&TEST_PURSE_DPK)),
            format!("p1/purse-dtk/{}", kcv(&TEST_PURSE_DTK)),
            format!("p1/purse-dlk/{}", kcv(&TEST_IMK_SMI)),
        ];
        assert_eq!(roles, want);
        let mc = keys.issuer_for(&[0xA0, 0, 0, 0, 4, 0x10, 0x10]).unwrap();
        assert_eq!((mc.cvn, mc.derivation), (Some(Cvn::Visa18), Some(IccMkDerivation::OptionB)));
        assert_eq!((mc.imk_smi, mc.imk_smc), (Some(TEST_IMK_SMI), Some(TEST_PURSE_DPK)));
        // an AID-bound key serves that application only
        assert!(keys.issuer_for(&[0xA0, 0, 0, 0, 4, 0x30, 0x60]).is_none());
        assert_eq!(keys.purse_for(1).unwrap().dlk, Some(TEST_IMK_SMI));
        // Debug shows the new roles' check values, not their bytes
        let debug = format!("{keys:?}");
        for key in [TEST_IMK_SMI, TEST_PURSE_DPK] {
            assert!(!debug.to_ascii_uppercase().contains(&hex::encode_upper(key)), "{debug}");
        }
        assert!(debug.contains(&kcv(&TEST_IMK_SMI)), "{debug}");
    }

    #[test]
    fn a_bad_smi_smc_or_dlk_is_refused_naming_key_and_field_never_the_key() {
        let bad_smc = issuer("").replace(&format!("smc_kcv = \"{}\"", kcv(&TEST_PURSE_DPK)), "smc_kcv = \"000000\"");
        let err = load_keys_toml("k.toml", &bad_smc).unwrap_err();
        assert!(matches!(&err, KeysError::KcvMismatch { line: 2, field: "imk_smc", key, .. } if key == "mc"), "{err}");
        let bad_smi = issuer("").replace(&format!("smi_kcv = \"{}\"", kcv(&TEST_IMK_SMI)), "smi_kcv = \"ABCDEF\"");
        let err = load_keys_toml("k.toml", &bad_smi).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "k.toml:2: key \"mc\": imk_smi: the key check value is {}, the file expects ABCDEF",
                kcv(&TEST_IMK_SMI)
            )
        );
        let bad_dlk =
            purse(&kcv(&TEST_PURSE_DTK)) + &format!("dlk = \"{}\"\ndlk_kcv = \"123456\"\n", hex::encode(TEST_IMK_SMI));
        let err = load_keys_toml("k.toml", &bad_dlk).unwrap_err();
        assert!(matches!(&err, KeysError::KcvMismatch { line: 3, field: "dlk", .. }), "{err}");
        for err in
            [&err, &load_keys_toml("k.toml", &bad_smi).unwrap_err(), &load_keys_toml("k.toml", &bad_smc).unwrap_err()]
        {
            let text = err.to_string().to_ascii_uppercase();
            for key in [TEST_IMK_SMI, TEST_PURSE_DPK, TEST_IMK_AC] {
                assert!(!text.contains(&hex::encode_upper(key)), "{text}");
            }
        }
        // a key without its check value, or a check value without its key
        let no_kcv = purse(&kcv(&TEST_PURSE_DTK)) + &format!("dlk = \"{}\"\n", hex::encode(TEST_IMK_SMI));
        let err = load_keys_toml("k.toml", &no_kcv).unwrap_err();
        assert_eq!(err.to_string(), "k.toml:3: key \"p1\": dlk_kcv: dlk is given without its check value");
        let err = load_keys_toml("k.toml", &(purse(&kcv(&TEST_PURSE_DTK)) + "dlk_kcv = \"123456\"\n")).unwrap_err();
        assert!(matches!(err, KeysError::Invalid { field: "dlk", .. }), "{err}");
    }

    #[test]
    fn unknown_cryptogram_versions_derivations_and_aids_are_refused() {
        let err = load_keys_toml("k.toml", &issuer("cvn = \"visa-99\"\n")).unwrap_err();
        assert!(matches!(&err, KeysError::Invalid { field: "cvn", .. }), "{err}");
        assert!(err.to_string().contains("mastercard-20"), "{err}");
        let err = load_keys_toml("k.toml", &issuer("derivation = \"option-c\"\n")).unwrap_err();
        assert!(matches!(&err, KeysError::Invalid { field: "derivation", .. }), "{err}");
        // a key pasted into the wrong field is not echoed
        let pasted = hex::encode(TEST_IMK_SMI);
        for field in ["cvn", "derivation"] {
            let err = load_keys_toml("k.toml", &issuer(&format!("{field} = \"{pasted}\"\n"))).unwrap_err();
            assert!(!err.to_string().contains(&pasted), "{err}");
        }
        let err = load_keys_toml("k.toml", &issuer("").replace("A0000000041010", "A000")).unwrap_err();
        assert!(matches!(&err, KeysError::Invalid { field: "aid", .. }), "{err}");
        let err = load_keys_toml("k.toml", &issuer("rid = \"A000000003\"\n")).unwrap_err();
        assert!(matches!(&err, KeysError::Invalid { field: "aid", .. }), "{err}");
        for (name, cvn) in CVN_NAMES {
            let keys = load_keys_toml("k.toml", &issuer(&format!("cvn = \"{name}\"\n"))).unwrap();
            assert_eq!((keys.issuer[0].cvn, cvn_name(cvn)), (Some(cvn), name));
        }
    }
}
