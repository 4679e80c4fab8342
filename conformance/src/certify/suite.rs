//! Suites as data: versioned TOML files of test cases (format reference: `docs/suites.md`).
//!
//! ```toml
//! id = "emv-contactless"
//! version = "1.0.0"
//! title = "EMV contactless payment application, card side"
//!
//! [[case]]
//! id = "EMV.SEL.003"
//! title = "SELECT of an absent AID answers 6A82"
//! requirements = ["EMV Book 1 §12.3.2"]
//! apps = ["emv"]
//! steps = [
//!   { apdu = "00A4040005A00000009900", expect = { sw = ["6A82"] } },
//! ]
//! ```
//!
//! A step is a raw APDU (`apdu`, or `command` + `data` + `le` with Lc computed, both with
//! `${capture}` substitution), a procedure of the terminal engine (`procedure = "emv"`, ...),
//! a QR payload check (`qr = "band-cpm" | "input"`), `field_off_ms`, or `reset`. Expectations
//! are evaluated on the step they sit on; a case passes only when every expectation was
//! evaluated and met.

use std::collections::BTreeSet;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// An application a device may carry; cases name the ones they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum App {
    /// PPSE and an EMV contactless payment application.
    Emv,
    /// A China transit e-purse (T-Union / City Union).
    Transit,
    /// An NFC Forum Type 4 Tag NDEF application.
    Ndef,
    /// A UID for access control (PC/SC GET DATA).
    Uid,
    /// A payment code or QR payload the device displays.
    Qr,
}

impl App {
    /// Every application.
    pub const ALL: [App; 5] = [App::Emv, App::Transit, App::Ndef, App::Uid, App::Qr];
}

/// A procedure of the terminal engine a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcedureKind {
    /// `read_emv` with CDA asked when offered.
    Emv,
    /// `read_emv` without CDA (the plain ARQC).
    EmvNoCda,
    /// `probe_emv_errors`.
    EmvErrors,
    /// `read_transit`.
    TransitRead,
    /// `purchase_transit` with a valid MAC1.
    Purchase,
    /// `purchase_transit` with a corrupted MAC1.
    PurchaseBadMac1,
    /// `read_ndef`.
    Ndef,
    /// `read_uid`.
    Uid,
}

/// Where a QR step's payload comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QrSource {
    /// The EMVCo CPM payment code the built-in band displays.
    BandCpm,
    /// The payload given with `--qr`; cases that need it are not applicable without it.
    Input,
}

/// One TLV path expectation on a response (`6F.A5.9F38`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlvExpect {
    /// Dot-separated tags from the outermost object.
    pub path: String,
    /// Present (`true`) or absent (`false`).
    #[serde(default)]
    pub present: Option<bool>,
    /// The value equals this hex (`${capture}` allowed).
    #[serde(default)]
    pub equals: Option<String>,
    /// The value matches this hex mask (`X` any nibble).
    #[serde(default)]
    pub matches: Option<String>,
}

/// A bound on a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LenExpect {
    /// At least.
    #[serde(default)]
    pub min: Option<usize>,
    /// At most.
    #[serde(default)]
    pub max: Option<usize>,
}

/// A comparison of a procedure's field with a captured value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    /// The field of this step (see [`Capture::field`]).
    pub field: String,
    /// `eq`, `ne`, `gt` or `lt` (unsigned big-endian compare).
    pub op: String,
    /// The capture it is compared with.
    pub capture: String,
}

/// What a step must show.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status word is one of these (`X` wildcard nibbles: `61XX`).
    #[serde(default)]
    pub sw: Vec<String>,
    /// The response data equals this hex, `X` nibbles free (`${capture}` allowed).
    #[serde(default)]
    pub data: Option<String>,
    /// The response data length.
    #[serde(default)]
    pub len: Option<LenExpect>,
    /// TLV paths in the response data.
    #[serde(default)]
    pub tlv: Vec<TlvExpect>,
    /// No finding under any of these rule ids (or their prefixes).
    #[serde(default)]
    pub absent: Vec<String>,
    /// A finding under each of these rule ids.
    #[serde(default)]
    pub present: Vec<String>,
    /// The procedure ran to its end.
    #[serde(default)]
    pub completed: Option<bool>,
    /// Checks the procedure made with named keys that must have verified: `cryptogram`, `oda`,
    /// `mac2`, `tac`.
    #[serde(default)]
    pub verified: Vec<String>,
    /// Every exchange of the step answered within this many milliseconds.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// A field compared with a capture.
    #[serde(default)]
    pub compare: Option<Compare>,
    /// The QR payload is of this kind (`emvco-mpm`, `emvco-cpm`, `upi-link`, `wallet-code`).
    #[serde(default)]
    pub qr_kind: Option<String>,
    /// Values the DUT profile's `[expected]` states, compared with what the step read
    /// (`balance` after `transit-read`, `ndef-message` after `ndef`). A case whose DUT profile
    /// states none of them is not applicable.
    #[serde(default)]
    pub dut: Vec<DutValue>,
}

/// A personalised value a DUT profile may state (`[expected]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DutValue {
    /// The e-purse balance (`balance`), read by `transit-read`.
    Balance,
    /// The NDEF message (`ndef_message`), read by `ndef`.
    NdefMessage,
}

impl DutValue {
    /// The name in suite files.
    pub fn as_str(self) -> &'static str {
        match self {
            DutValue::Balance => "balance",
            DutValue::NdefMessage => "ndef-message",
        }
    }

    /// The procedure that reads it.
    pub fn procedure(self) -> ProcedureKind {
        match self {
            DutValue::Balance => ProcedureKind::TransitRead,
            DutValue::NdefMessage => ProcedureKind::Ndef,
        }
    }
}

impl Expect {
    /// Whether the step states any criterion.
    pub fn is_empty(&self) -> bool {
        *self == Expect::default()
    }
}

/// A value saved from a step for later steps (`${name}` in hex, `compare`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// Name to refer to it by.
    pub name: String,
    /// A field of the step's procedure (`aid`, `atc`, `cid`, `cryptogram`, `pdol-template`,
    /// `cdol1-data`, `balance`, `balance-after`, `log-len`, `uid`) or `data` (response data).
    #[serde(default)]
    pub field: Option<String>,
    /// A TLV path in the response data.
    #[serde(default)]
    pub tlv: Option<String>,
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A raw C-APDU in hex.
    #[serde(default)]
    pub apdu: Option<String>,
    /// CLA INS P1 P2 in hex, with `data` and `le`: Lc is computed.
    #[serde(default)]
    pub command: Option<String>,
    /// Command data in hex (with `command`).
    #[serde(default)]
    pub data: Option<String>,
    /// Le in hex (with `command`).
    #[serde(default)]
    pub le: Option<String>,
    /// A terminal procedure.
    #[serde(default)]
    pub procedure: Option<ProcedureKind>,
    /// Amount in minor units for purchase procedures (default 100).
    #[serde(default)]
    pub amount: Option<u32>,
    /// A QR payload check.
    #[serde(default)]
    pub qr: Option<QrSource>,
    /// Reset the card (new field, new ATR).
    #[serde(default)]
    pub reset: bool,
    /// Switch the field off this long.
    #[serde(default)]
    pub field_off_ms: Option<u64>,
    /// What the step must show.
    #[serde(default)]
    pub expect: Expect,
    /// Values to keep.
    #[serde(default)]
    pub capture: Vec<Capture>,
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable id (`TU.BAL.003`).
    pub id: String,
    /// One line.
    pub title: String,
    /// Requirement references (specification and clause).
    pub requirements: Vec<String>,
    /// Applications the device must carry for the case to apply.
    #[serde(default)]
    pub apps: Vec<App>,
    /// What the person at the reader must do before the case (`"show the payment code"`): an
    /// interactive run asks and waits for Enter (`--prompt-timeout`); a non-interactive run
    /// makes the case `error` at once, saying it needs a person.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Steps, in order.
    pub steps: Vec<Step>,
}

/// A suite file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// Suite id.
    pub id: String,
    /// Version of the suite (semver).
    pub version: String,
    /// Title.
    pub title: String,
    /// The cases.
    #[serde(rename = "case")]
    pub cases: Vec<Case>,
    /// SHA-256 of the file's text, set on load.
    #[serde(skip)]
    pub sha256: String,
    /// The file's text as loaded (the run folder keeps it: `suites/<id>.toml`).
    #[serde(skip)]
    pub text: String,
}

/// Why a suite file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// Not valid TOML for the suite format.
    #[error("{name}: {detail}")]
    Toml {
        /// File or bundled suite name.
        name: String,
        /// What the parser said (with line and column).
        detail: String,
    },
    /// Valid TOML that breaks a rule of the format.
    #[error("{name}: case {case}: {detail}")]
    Invalid {
        /// File or bundled suite name.
        name: String,
        /// The case (or `-` for the suite).
        case: String,
        /// The rule broken.
        detail: String,
    },
    /// No bundled suite with that id, and no such file.
    #[error("no suite {0:?}: bundled suites are {1}")]
    Unknown(String, String),
    /// Reading a file.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// The bundled suites: (file name, text).
const BUNDLED: &[(&str, &str)] = &[
    ("emv-contactless.toml", include_str!("../../suites/emv-contactless.toml")),
    ("transit-cn.toml", include_str!("../../suites/transit-cn.toml")),
    ("ndef-t4t.toml", include_str!("../../suites/ndef-t4t.toml")),
    ("access-uid.toml", include_str!("../../suites/access-uid.toml")),
    ("qr-code.toml", include_str!("../../suites/qr-code.toml")),
];

/// Every bundled suite, parsed and checked.
pub fn bundled_suites() -> Result<Vec<Suite>, SuiteError> {
    BUNDLED.iter().map(|(name, text)| parse_suite(name, text)).collect()
}

/// A bundled suite by id, or a suite file by path.
pub fn load_suite(id_or_path: &str) -> Result<Suite, SuiteError> {
    for (name, text) in BUNDLED {
        let suite = parse_suite(name, text)?;
        if suite.id == id_or_path {
            return Ok(suite);
        }
    }
    let path = std::path::Path::new(id_or_path);
    if path.exists() {
        let text =
            crate::read_text_capped(path, MAX_SUITE_BYTES).map_err(|e| SuiteError::Io(id_or_path.to_string(), e))?;
        return parse_suite(id_or_path, &text);
    }
    let ids: Vec<String> = bundled_suites()?.into_iter().map(|s| s.id).collect();
    Err(SuiteError::Unknown(id_or_path.to_string(), ids.join(", ")))
}

/// Largest suite file read: far above any real suite (the bundled ones are a few kB), and a
/// bound on what a wrong path can make the runner allocate.
pub const MAX_SUITE_BYTES: u64 = 16 * 1024 * 1024;

/// Parses and checks one suite's text; `name` names it in errors.
pub fn parse_suite(name: &str, text: &str) -> Result<Suite, SuiteError> {
    let mut suite: Suite =
        toml::from_str(text).map_err(|e| SuiteError::Toml { name: name.to_string(), detail: e.to_string() })?;
    suite.sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    suite.text = text.to_string();
    check_suite(name, &suite)?;
    Ok(suite)
}

fn is_hex_template(s: &str) -> bool {
    // hex digits, X wildcards and ${name} substitutions, spaces between bytes
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let (head, tail) = rest.split_at(i);
        if !head.chars().all(|c| c.is_ascii_hexdigit() || c == ' ' || c == 'X' || c == 'x') {
            return false;
        }
        let Some(end) = tail.find('}') else { return false };
        rest = &tail[end + 1..];
    }
    rest.chars().all(|c| c.is_ascii_hexdigit() || c == ' ' || c == 'X' || c == 'x')
}

/// The rules every suite keeps, card or terminal: an id, a version `MAJOR.MINOR.PATCH`, at
/// least one case, case ids used once, each case citing a requirement. `cases` are each case's
/// id and how many requirements it cites.
pub(crate) fn check_suite_outline<'a>(
    name: &str,
    id: &str,
    version: &str,
    cases: impl ExactSizeIterator<Item = (&'a str, usize)>,
) -> Result<(), SuiteError> {
    let bad = |case: &str, detail: &str| SuiteError::Invalid {
        name: name.to_string(),
        case: case.to_string(),
        detail: detail.into(),
    };
    if id.is_empty() || version.split('.').count() != 3 {
        return Err(bad("-", "a suite needs an id and a version MAJOR.MINOR.PATCH"));
    }
    if cases.len() == 0 {
        return Err(bad("-", "a suite needs at least one case"));
    }
    let mut ids = BTreeSet::new();
    for (c, requirements) in cases {
        if !ids.insert(c) {
            return Err(bad(c, "the id is used twice"));
        }
        if requirements == 0 {
            return Err(bad(c, "a case cites at least one requirement"));
        }
    }
    Ok(())
}

fn check_suite(name: &str, suite: &Suite) -> Result<(), SuiteError> {
    let bad =
        |case: &str, detail: String| SuiteError::Invalid { name: name.to_string(), case: case.to_string(), detail };
    check_suite_outline(
        name,
        &suite.id,
        &suite.version,
        suite.cases.iter().map(|c| (c.id.as_str(), c.requirements.len())),
    )?;
    for case in &suite.cases {
        let c = case.id.as_str();
        if case.steps.is_empty() {
            return Err(bad(c, "a case has at least one step".into()));
        }
        if case.steps.iter().all(|s| s.expect.is_empty()) {
            return Err(bad(c, "a case states at least one expectation (or it could never fail)".into()));
        }
        let mut captured = BTreeSet::new();
        for (i, step) in case.steps.iter().enumerate() {
            let kinds = [
                step.apdu.is_some(),
                step.command.is_some(),
                step.procedure.is_some(),
                step.qr.is_some(),
                step.reset,
                step.field_off_ms.is_some(),
            ];
            if kinds.iter().filter(|k| **k).count() != 1 {
                return Err(bad(
                    c,
                    format!("step {i}: exactly one of apdu, command, procedure, qr, reset, field_off_ms"),
                ));
            }
            for hex in [&step.apdu, &step.command, &step.data, &step.le, &step.expect.data].into_iter().flatten() {
                if !is_hex_template(hex) {
                    return Err(bad(c, format!("step {i}: {hex:?} is not hex")));
                }
            }
            for sw in &step.expect.sw {
                if sw.len() != 4 || !sw.chars().all(|ch| ch.is_ascii_hexdigit() || ch == 'X' || ch == 'x') {
                    return Err(bad(c, format!("step {i}: status word {sw:?} is not 4 hex digits or X")));
                }
            }
            for rule in step.expect.absent.iter().chain(&step.expect.present) {
                let parts = rule.split('.').count();
                let ok = tapcert_parsers::is_rule_id(rule)
                    || (parts == 1 && rule.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()));
                if !ok {
                    return Err(bad(c, format!("step {i}: {rule:?} is not a rule id")));
                }
            }
            for v in &step.expect.dut {
                if step.procedure != Some(v.procedure()) {
                    return Err(bad(c, format!("step {i}: dut value {:?} is read by another procedure", v.as_str())));
                }
            }
            for v in &step.expect.verified {
                if !["cryptogram", "oda", "mac2", "tac"].contains(&v.as_str()) {
                    return Err(bad(c, format!("step {i}: cannot verify {v:?}")));
                }
            }
            if let Some(cmp) = &step.expect.compare {
                if !captured.contains(cmp.capture.as_str()) {
                    return Err(bad(c, format!("step {i}: compare with {:?}, captured nowhere before", cmp.capture)));
                }
                if !["eq", "ne", "gt", "lt"].contains(&cmp.op.as_str()) {
                    return Err(bad(c, format!("step {i}: unknown comparison {:?}", cmp.op)));
                }
            }
            for cap in &step.capture {
                if cap.field.is_some() == cap.tlv.is_some() {
                    return Err(bad(c, format!("step {i}: capture {:?} needs one of field or tlv", cap.name)));
                }
                captured.insert(cap.name.as_str());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_suites_load_and_hold_at_least_60_cases() {
        let suites = bundled_suites().unwrap();
        let ids: Vec<_> = suites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["emv-contactless", "transit-cn", "ndef-t4t", "access-uid", "qr-code"]);
        let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
        assert!(cases >= 60, "{cases} cases");
        let mut all = BTreeSet::new();
        for c in suites.iter().flat_map(|s| &s.cases) {
            assert!(all.insert(c.id.clone()), "case id {} in two suites", c.id);
        }
        assert!(suites.iter().all(|s| s.sha256.len() == 64));
    }

    #[test]
    fn format_rules_are_enforced() {
        let head = "id = \"x\"\nversion = \"1.0.0\"\ntitle = \"t\"\n";
        let case = |body: &str| format!("{head}[[case]]\nid = \"X.1\"\ntitle = \"t\"\nrequirements = [\"r\"]\n{body}");
        let err = |text: &str| parse_suite("t", text).unwrap_err().to_string();
        assert!(err(&case("steps = [{ apdu = \"00A4\" }]")).contains("could never fail"));
        assert!(err(&case("steps = [{ apdu = \"00ZZ\", expect = { sw = [\"9000\"] } }]")).contains("not hex"));
        assert!(
            err(&case("steps = [{ apdu = \"00\", reset = true, expect = { sw = [\"9000\"] } }]"))
                .contains("exactly one")
        );
        assert!(
            err(&case("steps = [{ procedure = \"emv\", expect = { absent = [\"emv.x\"] } }]"))
                .contains("not a rule id")
        );
        assert!(err(&case("steps = [{ procedure = \"emv\", expect = { compare = { field = \"atc\", op = \"gt\", capture = \"a\" } } }]")).contains("captured nowhere"));
        assert!(
            err(&case("steps = [{ procedure = \"nope\", expect = { sw = [\"9000\"] } }]")).contains("unknown variant")
        );
        assert!(err(&format!("{head}[[case]]\nid = \"X.1\"\ntitle = \"t\"\nrequirements = []\nsteps = [{{ apdu = \"00\", expect = {{ sw = [\"9000\"] }} }}]")).contains("requirement"));
        let ok = parse_suite("t", &case("steps = [{ apdu = \"00A4 ${aid}\", expect = { sw = [\"90XX\"] } }]")).unwrap();
        assert_eq!(ok.cases[0].steps[0].expect.sw, ["90XX"]);
    }
}
