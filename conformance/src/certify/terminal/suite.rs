//! Terminal suites: the suite file format of [`crate::certify::suite`] (id, version, title,
//! `[[case]]` with id, title, requirements) with `kind = "terminal"` and, per case, the card
//! image the terminal is tapped with, the transaction it is configured for, the criteria that
//! must be evaluated, and the outcome the image calls for (`docs/terminal-certification.md`).
//!
//! ```toml
//! id = "terminal-emv"
//! version = "1.0.0"
//! title = "EMV contactless terminal (kernel side)"
//! kind = "terminal"
//!
//! [[case]]
//! id = "TT.UN.001"
//! title = "Unpredictable numbers differ over 20 transactions"
//! requirements = ["EMV Book 4 §6.5.6"]
//! image = "base"                       # a bundled image, terminal/<name>, or a path
//! criteria = ["UN.FRESH", "OUTCOME"]   # must be evaluated (every criterion is checked)
//! expect_outcome = "online"
//! repeat = 20
//! amount = 100                          # the transaction the terminal is set up for
//! ```

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::criteria::{Outcome, TransactionExpect};
use super::rules::{self, Rule, find_rule};
use crate::certify::suite::{MAX_SUITE_BYTES, Suite, SuiteError};

/// Most executions of one case (`repeat`).
pub const MAX_REPEAT: usize = 1000;

/// One terminal case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalCase {
    /// Stable id (`TT.PDOL.003`).
    pub id: String,
    /// One line.
    pub title: String,
    /// Requirement references.
    pub requirements: Vec<String>,
    /// The card image: a bundled image name, `terminal/<name>` (bundled with the terminal
    /// suite), or a path relative to the working directory.
    pub image: String,
    /// Criteria that must be evaluated for the case to pass (rule ids, `TERMINAL.` optional).
    /// Every criterion is checked on every case; these must also have had something to check.
    pub criteria: Vec<String>,
    /// The outcome the image calls for.
    #[serde(default)]
    pub expect_outcome: Option<Outcome>,
    /// Transactions to run (the unpredictable-number statistics need several).
    #[serde(default = "one")]
    pub repeat: usize,
    /// Amount, Authorised in minor units (default 100).
    #[serde(default)]
    pub amount: Option<u64>,
    /// Amount, Other in minor units (default 0).
    #[serde(default)]
    pub amount_other: Option<u64>,
    /// Transaction currency, ISO 4217 numeric as 4 hex digits (`0978` EUR; default `0156`).
    #[serde(default)]
    pub currency: Option<String>,
    /// Terminal country, ISO 3166-1 numeric as 4 hex digits (default `0156`).
    #[serde(default)]
    pub country: Option<String>,
    /// Transaction type as 2 hex digits (default `00` purchase).
    #[serde(default)]
    pub transaction_type: Option<String>,
    /// A refused GPO may be followed by the SELECT of another application.
    #[serde(default)]
    pub select_next_after_refusal: bool,
    /// Terminal floor limit in minor units (default 0: every amount exceeds it).
    #[serde(default)]
    pub floor_limit: Option<u64>,
    /// TAC-Denial as 10 hex digits (default `0000000000`).
    #[serde(default)]
    pub tac_denial: Option<String>,
    /// TAC-Online as 10 hex digits (default `F45084800C`).
    #[serde(default)]
    pub tac_online: Option<String>,
    /// TAC-Default as 10 hex digits (default `F45084800C`).
    #[serde(default)]
    pub tac_default: Option<String>,
    /// Whether the terminal is online-capable (default true).
    #[serde(default)]
    pub online_capable: Option<bool>,
}

fn tac(s: &Option<String>) -> Option<[u8; 5]> {
    hex::decode(s.as_deref()?).ok()?.try_into().ok()
}

fn one() -> usize {
    1
}

/// An ISO numeric code (currency 5F2A, country 9F1A) of 4 decimal digits as its 2 BCD bytes.
pub fn iso_numeric_code(s: &str) -> Option<[u8; 2]> {
    let b = hex::decode(s).ok()?;
    let arr: [u8; 2] = b.try_into().ok()?;
    arr.iter().all(|x| x >> 4 <= 9 && x & 0xF <= 9).then_some(arr)
}

/// A transaction type (9C) of 2 hex digits.
pub fn transaction_type_code(s: &str) -> Option<u8> {
    u8::from_str_radix(s, 16).ok().filter(|_| s.len() == 2)
}

impl TerminalCase {
    /// What the terminal is configured with and must conclude.
    pub fn expect(&self) -> TransactionExpect {
        let d = TransactionExpect::default();
        TransactionExpect {
            amount: self.amount.unwrap_or(d.amount),
            amount_other: self.amount_other.unwrap_or(d.amount_other),
            currency: self.currency.as_deref().and_then(iso_numeric_code).unwrap_or(d.currency),
            country: self.country.as_deref().and_then(iso_numeric_code).unwrap_or(d.country),
            transaction_type: self
                .transaction_type
                .as_deref()
                .and_then(transaction_type_code)
                .unwrap_or(d.transaction_type),
            outcome: self.expect_outcome,
            select_next_after_refusal: self.select_next_after_refusal,
            floor_limit: self.floor_limit.unwrap_or(d.floor_limit),
            tac_denial: tac(&self.tac_denial).unwrap_or(d.tac_denial),
            tac_online: tac(&self.tac_online).unwrap_or(d.tac_online),
            tac_default: tac(&self.tac_default).unwrap_or(d.tac_default),
            online_capable: self.online_capable.unwrap_or(d.online_capable),
            ..d
        }
    }

    /// The criteria the case requires.
    pub fn required(&self) -> Vec<Rule> {
        self.criteria.iter().filter_map(|c| find_rule(c)).collect()
    }
}

/// A terminal suite file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalSuite {
    /// Suite id.
    pub id: String,
    /// Version (MAJOR.MINOR.PATCH).
    pub version: String,
    /// Title.
    pub title: String,
    /// Always `terminal`: what tells a terminal suite from a card suite.
    pub kind: String,
    /// The cases.
    #[serde(rename = "case")]
    pub cases: Vec<TerminalCase>,
    /// SHA-256 of the text, set on load.
    #[serde(skip)]
    pub sha256: String,
    /// The text as loaded.
    #[serde(skip)]
    pub text: String,
}

impl TerminalSuite {
    /// The suite as the run folder keeps it (`suites/<id>.toml`): id and text.
    pub fn as_run_input(&self) -> Suite {
        Suite {
            id: self.id.clone(),
            version: self.version.clone(),
            title: self.title.clone(),
            cases: Vec::new(),
            sha256: self.sha256.clone(),
            text: self.text.clone(),
        }
    }
}

/// The bundled terminal suites: (file name, text).
const BUNDLED: &[(&str, &str)] = &[("terminal-emv.toml", include_str!("../../../suites/terminal-emv.toml"))];

/// Every bundled terminal suite.
pub fn bundled_terminal_suites() -> Result<Vec<TerminalSuite>, SuiteError> {
    BUNDLED.iter().map(|(name, text)| parse_terminal_suite(name, text)).collect()
}

/// A bundled terminal suite by id, or a terminal suite file by path.
pub fn load_terminal_suite(id_or_path: &str) -> Result<TerminalSuite, SuiteError> {
    for (name, text) in BUNDLED {
        let s = parse_terminal_suite(name, text)?;
        if s.id == id_or_path {
            return Ok(s);
        }
    }
    let path = std::path::Path::new(id_or_path);
    if path.exists() {
        let text = crate::read_text_capped(path, MAX_SUITE_BYTES).map_err(|e| SuiteError::Io(id_or_path.into(), e))?;
        return parse_terminal_suite(id_or_path, &text);
    }
    let ids: Vec<String> = bundled_terminal_suites()?.into_iter().map(|s| s.id).collect();
    Err(SuiteError::Unknown(id_or_path.into(), ids.join(", ")))
}

/// Parses and checks a terminal suite's text.
pub fn parse_terminal_suite(name: &str, text: &str) -> Result<TerminalSuite, SuiteError> {
    let mut suite: TerminalSuite =
        toml::from_str(text).map_err(|e| SuiteError::Toml { name: name.into(), detail: e.to_string() })?;
    suite.sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    suite.text = text.to_string();
    let bad = |case: &str, detail: String| SuiteError::Invalid { name: name.into(), case: case.into(), detail };
    if suite.kind != "terminal" {
        return Err(bad("-", format!("kind is {:?}; a terminal suite says kind = \"terminal\"", suite.kind)));
    }
    let outline = suite.cases.iter().map(|c| (c.id.as_str(), c.requirements.len()));
    crate::certify::suite::check_suite_outline(name, &suite.id, &suite.version, outline)?;
    for case in &suite.cases {
        let c = case.id.as_str();
        if case.criteria.is_empty() {
            return Err(bad(c, "a case names at least one criterion it must evaluate".into()));
        }
        for crit in &case.criteria {
            if find_rule(crit).is_none() {
                let known: Vec<&str> = rules::RULES.iter().map(|r| r.id).collect();
                return Err(bad(c, format!("unknown criterion {crit:?} (known: {})", known.join(", "))));
            }
        }
        if case.required().contains(&rules::OUTCOME) && case.expect_outcome.is_none() {
            return Err(bad(c, "criterion OUTCOME needs expect_outcome".into()));
        }
        if case.required().contains(&rules::UN_FRESH) && case.repeat < 2 {
            return Err(bad(c, "criterion UN.FRESH needs repeat of at least 2".into()));
        }
        if !(1..=MAX_REPEAT).contains(&case.repeat) {
            return Err(bad(c, format!("repeat must be 1-{MAX_REPEAT}")));
        }
        for (what, v) in [("currency", &case.currency), ("country", &case.country)] {
            if v.as_deref().is_some_and(|v| iso_numeric_code(v).is_none()) {
                return Err(bad(c, format!("{what} must be 4 decimal digits (ISO numeric code)")));
            }
        }
        if case.transaction_type.as_deref().is_some_and(|t| transaction_type_code(t).is_none()) {
            return Err(bad(c, "transaction_type must be 2 hex digits".into()));
        }
        for (what, v) in
            [("tac_denial", &case.tac_denial), ("tac_online", &case.tac_online), ("tac_default", &case.tac_default)]
        {
            if v.is_some() && tac(v).is_none() {
                return Err(bad(c, format!("{what} must be 10 hex digits")));
            }
        }
    }
    Ok(suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_terminal_suite_holds_at_least_30_cases() {
        let suites = bundled_terminal_suites().unwrap();
        assert_eq!(suites.len(), 1);
        assert!(suites[0].cases.len() >= 30, "{}", suites[0].cases.len());
        assert_eq!(load_terminal_suite("terminal-emv").unwrap().sha256, suites[0].sha256);
    }

    #[test]
    fn format_rules_are_enforced() {
        let head = "id = \"t\"\nversion = \"1.0.0\"\ntitle = \"t\"\nkind = \"terminal\"\n";
        let case = |body: &str| {
            format!("{head}[[case]]\nid = \"T.1\"\ntitle = \"t\"\nrequirements = [\"r\"]\nimage = \"base\"\n{body}")
        };
        let err = |text: &str| parse_terminal_suite("t", text).unwrap_err().to_string();
        assert!(err(&case("criteria = []")).contains("at least one criterion"));
        assert!(err(&case("criteria = [\"NOPE\"]")).contains("unknown criterion"));
        assert!(err(&case("criteria = [\"OUTCOME\"]")).contains("needs expect_outcome"));
        assert!(err(&case("criteria = [\"UN.FRESH\"]")).contains("repeat"));
        assert!(err(&case("criteria = [\"ORDER\"]\ncurrency = \"09AB\"")).contains("decimal"));
        assert!(err(&case("criteria = [\"ORDER\"]\nsteps = []")).contains("unknown field"));
        assert!(err(&case("criteria = [\"ORDER\"]").replace("terminal", "card")).contains("kind"));
        let ok = parse_terminal_suite("t", &case("criteria = [\"order\"]\namount = 5\ncurrency = \"0978\"")).unwrap();
        let e = ok.cases[0].expect();
        assert_eq!((e.amount, e.currency), (5, [0x09, 0x78]));
    }
}
