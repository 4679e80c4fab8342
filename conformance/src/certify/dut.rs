//! The `--dut` profile: what the device under test is and carries, so that the runner knows
//! which cases apply (a missing application makes its cases `not-applicable`, not failures)
//! and the terminal knows which AIDs to try and how long an exchange may take.
//!
//! ```toml
//! kind = "band"                       # band | phone-hce | card
//! model = "band-x"
//! firmware = "1.4.2"
//! apps = ["emv", "ndef", "uid", "qr"] # what the device carries (emv, transit, ndef, uid, qr)
//! candidate_aids = ["A0000000041010"] # EMV AIDs the terminal selects when PPSE lists nothing usable
//! purse_aids = ["A000000632010105"]   # e-purse AIDs, in preference order
//! exchange_budget_ms = 500            # one exchange slower than this is an APDU.LATENCY finding
//!
//! [expected]                          # values the device was personalised with, checked by
//! balance = 1000                      #   the cases with `dut = [...]` expectations
//! ndef_message = "D1010B5504..."      #   (not applicable when the profile states none)
//!
//! [hooks]                             # shell commands (sh -c), docs/lab.md
//! timeout_s = 30                      # each hook's limit (default 30)
//! before_suite = "adb shell am start -n com.example.wallet/.Main"
//! before_case = "relay-ctl on 1"
//! after_fault = "relay-ctl cycle 1"
//! ```

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::lab::{Hook, Hooks};
use super::lab_file::{LabFileError, from_toml, invalid_at};
use super::report::DutIdentity;
use super::runner::RunOptions;
use super::suite::App;

/// The kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DutKind {
    /// A band or watch.
    Band,
    /// A phone emulating a card (HCE wallet).
    PhoneHce,
    /// A card.
    Card,
}

/// Values the device was personalised with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DutExpected {
    /// E-purse balance in minor units (checked by suite steps with `dut = ["balance"]`).
    #[serde(default)]
    pub balance: Option<u32>,
    /// The NDEF message in hex (checked by suite steps with `dut = ["ndef-message"]`).
    #[serde(default)]
    pub ndef_message: Option<String>,
}

/// A DUT profile file, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutProfile {
    /// Device kind.
    pub kind: DutKind,
    /// Model.
    pub model: String,
    /// Firmware build.
    pub firmware: String,
    /// Applications present.
    pub apps: Vec<App>,
    /// EMV AIDs the terminal tries (empty: the terminal's defaults).
    pub candidate_aids: Vec<Vec<u8>>,
    /// E-purse AIDs (empty: the terminal's defaults).
    pub purse_aids: Vec<Vec<u8>>,
    /// Exchange latency budget, milliseconds.
    pub exchange_budget_ms: Option<u64>,
    /// Personalised values.
    pub expected: DutExpected,
    /// Commands run around suites, cases and faults.
    pub hooks: Hooks,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HooksFile {
    #[serde(default)]
    timeout_s: Option<u64>,
    #[serde(default)]
    before_suite: Option<String>,
    #[serde(default)]
    before_case: Option<String>,
    #[serde(default)]
    after_fault: Option<String>,
}

/// A hook's time limit when the profile gives none.
pub const DEFAULT_HOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DutFile {
    kind: DutKind,
    model: String,
    firmware: String,
    apps: Vec<App>,
    #[serde(default)]
    candidate_aids: Vec<Spanned<String>>,
    #[serde(default)]
    purse_aids: Vec<Spanned<String>>,
    #[serde(default)]
    exchange_budget_ms: Option<u64>,
    #[serde(default)]
    expected: DutExpected,
    #[serde(default)]
    hooks: HooksFile,
}

/// Reads a DUT profile; `file` names it in errors.
///
/// ```
/// use tapcert_conformance::certify::{parse_dut_profile, App, LabFileError};
/// let p = parse_dut_profile("d.toml", "kind = \"card\"\nmodel = \"m\"\nfirmware = \"1\"\napps = [\"emv\"]\n").unwrap();
/// assert_eq!(p.apps, [App::Emv]);
/// let err = parse_dut_profile("d.toml", "kind = \"card\"\nmodel = \"m\"\nfirmware = \"1\"\napps = []\ncandidate_aids = [\"A0\"]\n");
/// assert_eq!(err.unwrap_err().to_string(), "d.toml:5: candidate_aids[0]: an AID is 5 to 16 bytes of hex");
/// ```
pub fn parse_dut_profile(file: &str, text: &str) -> Result<DutProfile, LabFileError> {
    let f: DutFile = from_toml(file, text)?;
    let aids = |field: &str, list: &[Spanned<String>]| -> Result<Vec<Vec<u8>>, LabFileError> {
        list.iter()
            .enumerate()
            .map(|(i, aid)| {
                hex::decode(aid.get_ref()).ok().filter(|a| (5..=16).contains(&a.len())).ok_or_else(|| {
                    invalid_at(file, text, aid, format!("{field}[{i}]"), "an AID is 5 to 16 bytes of hex")
                })
            })
            .collect()
    };
    if let Some(m) = &f.expected.ndef_message
        && hex::decode(m).is_err()
    {
        let line = text.find("ndef_message").map_or(0, |at| text[..at].matches('\n').count() + 1);
        return Err(LabFileError::Invalid {
            file: file.into(),
            line,
            field: "expected.ndef_message".into(),
            detail: "not hex".into(),
        });
    }
    Ok(DutProfile {
        kind: f.kind,
        model: f.model,
        firmware: f.firmware,
        apps: f.apps,
        candidate_aids: aids("candidate_aids", &f.candidate_aids)?,
        purse_aids: aids("purse_aids", &f.purse_aids)?,
        exchange_budget_ms: f.exchange_budget_ms,
        expected: f.expected,
        hooks: {
            let timeout = f.hooks.timeout_s.map_or(DEFAULT_HOOK_TIMEOUT, std::time::Duration::from_secs);
            let hook = |c: Option<String>| c.map(|command| Hook { command, timeout });
            Hooks {
                before_suite: hook(f.hooks.before_suite),
                before_case: hook(f.hooks.before_case),
                after_fault: hook(f.hooks.after_fault),
            }
        },
    })
}

impl DutProfile {
    /// Sets the run's DUT identity, applications, AIDs and exchange budget from the profile.
    pub fn apply(&self, opts: &mut RunOptions) {
        opts.dut = DutIdentity {
            model: self.model.clone(),
            firmware: self.firmware.clone(),
            sim_profile: opts.dut.sim_profile.clone(),
            kind: Some(serde_name(&self.kind)),
            apps: self.apps.iter().map(serde_name).collect(),
        };
        opts.apps = self.apps.clone();
        if !self.candidate_aids.is_empty() {
            opts.config.candidate_aids = self.candidate_aids.clone();
        }
        if !self.purse_aids.is_empty() {
            opts.config.purse_aids = self.purse_aids.clone();
        }
        if let Some(ms) = self.exchange_budget_ms {
            opts.config.exchange_budget = Some(std::time::Duration::from_millis(ms));
        }
        opts.hooks = self.hooks.clone();
        // What the profile states replaces what the run knew (the built-in band's own values).
        if self.expected.balance.is_some() {
            opts.expected.balance = self.expected.balance;
        }
        if self.expected.ndef_message.is_some() {
            opts.expected.ndef_message = self.expected.ndef_message.clone();
        }
    }
}

/// The serde (kebab-case) name of a unit variant.
fn serde_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
