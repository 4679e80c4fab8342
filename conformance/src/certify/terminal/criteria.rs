//! The terminal pass criteria, evaluated on what the card saw ([`SeenExchange`]s): the
//! terminal's commands and the card's answers, never the terminal's own account of them.
//!
//! DOLs, the AFL and directory entries are read from the card's answers with the parsers'
//! views (`parse_emv_dol`, `Fci`, `GpoResponse`, `Record`); what the terminal had to send is
//! worked out here (module `dol`, not public) from EMV Book 3 §5.4 and the case's configured values.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tapcert_parsers::Finding;
use tapcert_parsers::apdu::CommandApdu;
use tapcert_parsers::tlv::{Fci, GenerateAcResponse, GpoResponse, Record, Tag, parse_emv_dol};

use super::dol::check_slot;
use super::exchange::{Kind, Logical, SeenExchange, kind_of, logical, same_command, sw_of};
use super::rules::{self, Rule, finding};

/// How a contactless transaction ended, as the exchange shows it (EMV Contactless Book A §6.2
/// outcomes, as far as a card can see them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// GENERATE AC answered a TC.
    Approved,
    /// GENERATE AC answered an AAC.
    Declined,
    /// GENERATE AC answered an ARQC: the terminal goes online.
    Online,
    /// GPO was refused with 6985 and the terminal stopped there.
    TryAnotherInterface,
    /// Anything else: the transaction ended before a cryptogram.
    Terminated,
}

impl Outcome {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Declined => "declined",
            Outcome::Online => "online",
            Outcome::TryAnotherInterface => "try-another-interface",
            Outcome::Terminated => "terminated",
        }
    }

    /// The outcome a GENERATE AC's Cryptogram Information Data (9F27) states: its two top
    /// bits (AAC, TC, ARQC; the reserved value is no outcome).
    pub fn of_cid(cid: u8) -> Outcome {
        match cid >> 6 {
            0 => Outcome::Declined,
            1 => Outcome::Approved,
            2 => Outcome::Online,
            _ => Outcome::Terminated,
        }
    }

    /// The outcome a terminal concludes from its own transaction: the cryptogram it accepted
    /// (a card's answer above the one asked for is accepted by none, Book 3 §9.3), or
    /// terminated when it did not complete.
    pub fn of_accepted(completed: bool, accepted: Option<crate::terminal::action::AcType>) -> Outcome {
        use crate::terminal::action::AcType;
        match (completed, accepted) {
            (true, Some(AcType::Aac)) => Outcome::Declined,
            (true, Some(AcType::Tc)) => Outcome::Approved,
            (true, Some(AcType::Arqc)) => Outcome::Online,
            _ => Outcome::Terminated,
        }
    }
}

/// What the terminal was configured with for a case, and what it must conclude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionExpect {
    /// Amount, Authorised (minor units).
    pub amount: u64,
    /// Amount, Other (minor units).
    pub amount_other: u64,
    /// Transaction Currency Code (5F2A), BCD.
    pub currency: [u8; 2],
    /// Terminal Country Code (9F1A), BCD.
    pub country: [u8; 2],
    /// Transaction Type (9C).
    pub transaction_type: u8,
    /// The outcome the image calls for (`None`: not checked).
    pub outcome: Option<Outcome>,
    /// Whether a refused GPO may be followed by the SELECT of another application.
    pub select_next_after_refusal: bool,
    /// Terminal Floor Limit (9F1B) in minor units.
    pub floor_limit: u64,
    /// Terminal Action Code - Denial.
    pub tac_denial: [u8; 5],
    /// Terminal Action Code - Online.
    pub tac_online: [u8; 5],
    /// Terminal Action Code - Default.
    pub tac_default: [u8; 5],
    /// Whether the terminal can go online.
    pub online_capable: bool,
    /// Terminal Type (9F35).
    pub terminal_type: u8,
    /// Application Version Number, terminal (9F09), when the terminal compares versions.
    pub application_version: Option<[u8; 2]>,
}

impl Default for TransactionExpect {
    /// 1.00 CNY purchase in China at an attended online-capable terminal (type 22) with floor
    /// limit 0, TAC-Denial `0000000000` and TAC-Online and TAC-Default `F45084800C`, as the
    /// reference terminal is configured by default.
    fn default() -> Self {
        TransactionExpect {
            amount: 100,
            amount_other: 0,
            currency: [0x01, 0x56],
            country: [0x01, 0x56],
            transaction_type: 0,
            outcome: None,
            select_next_after_refusal: false,
            floor_limit: 0,
            tac_denial: [0x00; 5],
            tac_online: [0xF4, 0x50, 0x84, 0x80, 0x0C],
            tac_default: [0xF4, 0x50, 0x84, 0x80, 0x0C],
            online_capable: true,
            terminal_type: 0x22,
            application_version: None,
        }
    }
}

/// Whether a criterion held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Evaluated and met.
    Met,
    /// Evaluated and broken: the findings say where.
    Violated(Vec<Finding>),
    /// What it needs did not happen in this exchange.
    NotEvaluated(String),
}

/// One criterion on one exchange (or, for [`rules::UN_FRESH`], on several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionResult {
    /// The criterion.
    pub rule: Rule,
    /// Met, violated or not evaluated.
    pub status: Status,
    /// What was observed, in words.
    pub observed: String,
}

impl CriterionResult {
    pub(crate) fn from(rule: Rule, findings: Vec<Finding>, evaluated: bool, why_not: &str, observed: String) -> Self {
        let status = if !findings.is_empty() {
            Status::Violated(findings)
        } else if evaluated {
            Status::Met
        } else {
            Status::NotEvaluated(why_not.to_string())
        };
        CriterionResult { rule, status, observed }
    }

    /// Whether it was evaluated and broken.
    pub fn is_violated(&self) -> bool {
        matches!(self.status, Status::Violated(_))
    }
}

/// Evaluates every single-transaction criterion on what the card saw.
pub fn evaluate_transaction(seen: &[SeenExchange<'_>], expect: &TransactionExpect) -> Vec<CriterionResult> {
    let log = logical(seen);
    let mut out = vec![order(&log), select_fallback(&log), select_priority(&log)];
    out.extend(dol_data(&log, expect));
    out.push(afl(&log, false));
    out.push(afl(&log, true));
    out.push(get_response(seen));
    out.push(resend_le(seen));
    out.push(super::taa::generate_ac_type(&log, expect));
    out.push(stop_fatal(&log, seen, expect));
    out.push(outcome(&log, expect));
    out
}

fn order(log: &[Logical<'_>]) -> CriterionResult {
    let mut findings = Vec::new();
    if let Some(first) = log.first()
        && first.kind != Kind::SelectPpse
    {
        findings.push(finding(
            rules::ORDER,
            first.at(),
            format!("the transaction starts with {}, not SELECT PPSE", first.kind),
        ));
    }
    let mut phase = 0u8;
    // What the card accepted so far: an application selected, then GPO answered.
    let (mut selected, mut processing) = (false, false);
    for (i, l) in log.iter().enumerate() {
        let Some(p) = l.kind.phase() else {
            let head = hex::encode_upper(l.command.get(..4).unwrap_or(l.command));
            findings.push(finding(rules::ORDER, l.at(), format!("{head} is not part of the transaction")));
            continue;
        };
        let previous_refused = i > 0 && !log[i - 1].ok();
        if p < phase && !(l.kind == Kind::SelectAid && previous_refused) {
            findings.push(finding(rules::ORDER, l.at(), format!("{} after {}", l.kind, log[i - 1].kind)));
        }
        match l.kind {
            Kind::SelectAid => (selected, processing) = (l.ok(), false),
            Kind::Gpo if !selected => {
                findings.push(finding(rules::ORDER, l.at(), "GPO without a selected application"))
            }
            Kind::Gpo => processing = l.ok(),
            Kind::ReadRecord | Kind::InternalAuthenticate | Kind::GenerateAc if !processing => {
                findings.push(finding(rules::ORDER, l.at(), format!("{} before a GPO the card answered", l.kind)))
            }
            _ => {}
        }
        phase = p;
    }
    let seq: Vec<String> = log.iter().map(|l| l.kind.to_string()).collect();
    CriterionResult::from(rules::ORDER, findings, !log.is_empty(), "the terminal sent nothing", seq.join(", "))
}

fn select_fallback(log: &[Logical<'_>]) -> CriterionResult {
    let ppse = log.iter().find(|l| l.kind == Kind::SelectPpse);
    let refused = ppse.filter(|p| !p.ok());
    let mut findings = Vec::new();
    if let Some(p) = refused
        && !log.iter().any(|l| l.kind == Kind::SelectAid && l.index > p.index)
    {
        let sw = p.sw.map_or("nothing".into(), |s| format!("{s:04X}"));
        findings.push(finding(
            rules::SELECT_FALLBACK,
            p.at(),
            format!("SELECT PPSE answered {sw} and no AID was selected after it"),
        ));
    }
    let observed = match refused {
        Some(_) => {
            format!("{} SELECT AID after the refused PPSE", log.iter().filter(|l| l.kind == Kind::SelectAid).count())
        }
        None => "PPSE answered".into(),
    };
    CriterionResult::from(rules::SELECT_FALLBACK, findings, refused.is_some(), "SELECT PPSE was not refused", observed)
}

fn select_priority(log: &[Logical<'_>]) -> CriterionResult {
    let ppse = log.iter().find(|l| l.kind == Kind::SelectPpse && l.ok());
    let Some(entries) = ppse.and_then(|p| Fci::from_bytes(&p.data).ok()).map(|f| {
        f.directory
            .iter()
            .map(|e| (e.priority.map(|p| p & 0x0F).filter(|p| *p != 0).unwrap_or(16), e.aid.to_vec()))
            .collect::<Vec<_>>()
    }) else {
        return CriterionResult::from(rules::SELECT_PRIORITY, vec![], false, "no PPSE directory", String::new());
    };
    if entries.len() < 2 {
        return CriterionResult::from(
            rules::SELECT_PRIORITY,
            vec![],
            false,
            "the PPSE lists fewer than two applications",
            String::new(),
        );
    }
    let best = entries.iter().map(|(p, _)| *p).min().unwrap_or(16);
    let first_select = log.iter().find(|l| l.kind == Kind::SelectAid);
    let mut findings = Vec::new();
    let observed = first_select.map(|l| hex::encode_upper(l.command_data())).unwrap_or_default();
    match first_select {
        Some(l) if entries.iter().any(|(p, aid)| *p == best && aid.as_slice() == l.command_data()) => {}
        Some(l) => findings.push(finding(
            rules::SELECT_PRIORITY,
            l.at(),
            format!("selected {observed} first; the highest priority ({best}) is another entry"),
        )),
        None => findings.push(finding(rules::SELECT_PRIORITY, "end", "no application was selected")),
    }
    CriterionResult::from(rules::SELECT_PRIORITY, findings, true, "", observed)
}

/// GPO data `83 L v`: `v`, or a reason why it is not that.
fn gpo_template(data: &[u8]) -> Result<&[u8], String> {
    let (len, head) = match data {
        [0x83, 0x81, l, ..] => (usize::from(*l), 3),
        [0x83, l, ..] if *l < 0x80 => (usize::from(*l), 2),
        _ => return Err(format!("GPO data {} is not 83 L V", hex::encode_upper(data))),
    };
    if data.len() != head + len {
        return Err(format!("83 declares {len} bytes, the command carries {}", data.len() - head));
    }
    Ok(&data[head..])
}

/// The DOL a card sent, and the data the terminal filled it with: length and slot checks.
fn check_dol(
    rule: Rule,
    at: String,
    dol: Option<&[u8]>,
    data: &[u8],
    expect: &TransactionExpect,
    values: &mut Vec<Finding>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let entries = match dol.map(parse_emv_dol) {
        None => vec![],
        Some(Ok(e)) => e,
        Some(Err(_)) => return findings, // a malformed DOL: nothing exact to ask of the terminal
    };
    let want: usize = entries.iter().map(|e| usize::from(e.len)).sum();
    if data.len() != want {
        findings.push(finding(rule, at, format!("sent {} bytes of data, the DOL asks for {want}", data.len())));
        return findings;
    }
    let mut offset = 0;
    for e in &entries {
        let len = usize::from(e.len);
        for p in check_slot(e, &data[offset..offset + len], expect) {
            values.push(finding(p.rule, at.clone(), p.message));
        }
        offset += len;
    }
    findings
}

fn dol_data(log: &[Logical<'_>], expect: &TransactionExpect) -> Vec<CriterionResult> {
    let mut values = Vec::new();
    // GPO against the PDOL of the application selected last before it.
    let gpo = log.iter().position(|l| l.kind == Kind::Gpo);
    let mut pdol_findings = Vec::new();
    let mut observed = String::new();
    if let Some(g) = gpo {
        let fci = log[..g].iter().rev().find(|l| l.kind == Kind::SelectAid && l.ok()).map(|l| l.data.clone());
        let pdol = fci.as_deref().and_then(|f| Fci::from_bytes(f).ok()).and_then(|f| f.pdol.map(<[u8]>::to_vec));
        let at = log[g].at();
        observed = hex::encode_upper(log[g].command_data());
        match gpo_template(log[g].command_data()) {
            Ok(v) => pdol_findings = check_dol(rules::GPO_PDOL_DATA, at, pdol.as_deref(), v, expect, &mut values),
            Err(why) => pdol_findings.push(finding(rules::GPO_PDOL_DATA, at, why)),
        }
    }
    let pdol = CriterionResult::from(rules::GPO_PDOL_DATA, pdol_findings, gpo.is_some(), "no GPO was sent", observed);

    let gac = log.iter().position(|l| l.kind == Kind::GenerateAc);
    let mut cdol_findings = Vec::new();
    let mut observed = String::new();
    if let Some(g) = gac {
        let cdol1 = log[..g]
            .iter()
            .filter(|l| l.kind == Kind::ReadRecord && l.ok())
            .find_map(|l| Record::from_bytes(&l.data).ok().and_then(|r| r.get(Tag::CDOL1).map(<[u8]>::to_vec)));
        observed = hex::encode_upper(log[g].command_data());
        cdol_findings = check_dol(
            rules::GENERATE_AC_CDOL1_DATA,
            log[g].at(),
            cdol1.as_deref(),
            log[g].command_data(),
            expect,
            &mut values,
        );
    }
    let cdol = CriterionResult::from(
        rules::GENERATE_AC_CDOL1_DATA,
        cdol_findings,
        gac.is_some(),
        "no GENERATE AC was sent",
        observed,
    );

    let mut out = vec![pdol, cdol];
    let evaluated = gpo.is_some() || gac.is_some();
    for rule in [
        rules::DOL_FORMAT,
        rules::DOL_UNKNOWN_TAG,
        rules::DATA_AMOUNT,
        rules::DATA_CURRENCY,
        rules::DATA_COUNTRY,
        rules::DATA_TYPE,
    ] {
        let mine: Vec<Finding> = values.iter().filter(|f| f.rule == rule.id).cloned().collect();
        out.push(CriterionResult::from(rule, mine, evaluated, "no DOL data was sent", String::new()));
    }
    out
}

/// `(sfi, record)` of a READ RECORD command.
fn record_of(command: &[u8]) -> Option<(u8, u8)> {
    let c = CommandApdu::from_bytes(command).ok()?;
    (c.p2() & 0x07 == 0x04).then_some((c.p2() >> 3, c.p1()))
}

fn afl(log: &[Logical<'_>], complete: bool) -> CriterionResult {
    let rule = if complete { rules::AFL_COMPLETE } else { rules::AFL_OUTSIDE };
    let gpo = log.iter().rposition(|l| l.kind == Kind::Gpo && l.ok());
    let afl = gpo.and_then(|g| GpoResponse::from_bytes(&log[g].data).ok()).map(|r| r.afl);
    let (Some(g), Some(afl)) = (gpo, afl) else {
        return CriterionResult::from(rule, vec![], false, "no GPO answer with an AFL", String::new());
    };
    let listed: BTreeSet<(u8, u8)> = afl.iter().flat_map(|e| e.records()).map(|r| (r.sfi, r.record)).collect();
    let reads: Vec<(&Logical<'_>, Option<(u8, u8)>)> =
        log[g..].iter().filter(|l| l.kind == Kind::ReadRecord).map(|l| (l, record_of(l.command))).collect();
    let observed = reads.iter().filter_map(|(_, r)| *r).map(|(s, r)| format!("{s}/{r}")).collect::<Vec<_>>().join(" ");
    let mut findings = Vec::new();
    if !complete {
        for (l, r) in &reads {
            if !r.is_some_and(|r| listed.contains(&r)) {
                let what = r.map_or("a malformed READ RECORD".into(), |(s, n)| format!("SFI {s} record {n}"));
                findings.push(finding(rule, l.at(), format!("read {what}, which the AFL does not list")));
            }
        }
        return CriterionResult::from(rule, findings, true, "", observed);
    }
    let Some(gac) = log.iter().position(|l| l.kind == Kind::GenerateAc) else {
        return CriterionResult::from(rule, vec![], false, "the terminal sent no GENERATE AC", observed);
    };
    let before: Vec<(u8, u8)> =
        log[g..gac].iter().filter(|l| l.kind == Kind::ReadRecord).filter_map(|l| record_of(l.command)).collect();
    for r in &listed {
        match before.iter().filter(|b| *b == r).count() {
            1 => {}
            0 => findings.push(finding(
                rule,
                log[gac].at(),
                format!("SFI {} record {} (in the AFL) was not read before GENERATE AC", r.0, r.1),
            )),
            n => findings.push(finding(rule, log[gac].at(), format!("SFI {} record {} was read {n} times", r.0, r.1))),
        }
    }
    CriterionResult::from(rule, findings, true, "", observed)
}

/// Ne of `61xx`/`6Cxx` SW2 (`00` is 256).
fn ne_of(sw2: u8) -> u32 {
    if sw2 == 0 { 256 } else { u32::from(sw2) }
}

fn ne_text(ne: Option<u32>) -> String {
    ne.map_or("no".into(), |n| n.to_string())
}

fn get_response(seen: &[SeenExchange<'_>]) -> CriterionResult {
    let mut findings = Vec::new();
    let mut count = 0;
    for (i, e) in seen.iter().enumerate() {
        let Some(sw) = sw_of(e.response).filter(|sw| sw >> 8 == 0x61) else { continue };
        count += 1;
        let want = ne_of(sw as u8);
        let at = format!("#{} {}", i + 1, seen.get(i + 1).map_or(Kind::Other, |n| kind_of(n.command)));
        match seen
            .get(i + 1)
            .map(|n| (kind_of(n.command), CommandApdu::from_bytes(n.command).ok().and_then(|c| c.ne())))
        {
            Some((Kind::GetResponse, Some(ne))) if ne == want => {}
            Some((Kind::GetResponse, ne)) => findings.push(finding(
                rules::T0_GET_RESPONSE,
                at,
                format!("GET RESPONSE asks {} bytes after {sw:04X}, expected {want}", ne_text(ne)),
            )),
            Some((k, _)) => {
                findings.push(finding(rules::T0_GET_RESPONSE, at, format!("{k} after {sw:04X}, expected GET RESPONSE")))
            }
            None => findings.push(finding(
                rules::T0_GET_RESPONSE,
                format!("#{i}"),
                format!("nothing after {sw:04X}: the data was never fetched"),
            )),
        }
    }
    CriterionResult::from(
        rules::T0_GET_RESPONSE,
        findings,
        count > 0,
        "the card answered no 61xx",
        format!("{count} 61xx answer(s)"),
    )
}

fn resend_le(seen: &[SeenExchange<'_>]) -> CriterionResult {
    let mut findings = Vec::new();
    let mut count = 0;
    for (i, e) in seen.iter().enumerate() {
        let Some(sw) = sw_of(e.response).filter(|sw| sw >> 8 == 0x6C) else { continue };
        count += 1;
        let want = ne_of(sw as u8);
        let next = seen.get(i + 1);
        let at = format!("#{} {}", i + 1, next.map_or(Kind::Other, |n| kind_of(n.command)));
        match next {
            Some(n) if same_command(e.command, n.command) => {
                let ne = CommandApdu::from_bytes(n.command).ok().and_then(|c| c.ne());
                if ne != Some(want) {
                    findings.push(finding(
                        rules::T0_RESEND_LE,
                        at,
                        format!("re-sent asking {} bytes after {sw:04X}, expected {want}", ne_text(ne)),
                    ));
                }
            }
            Some(n) => findings.push(finding(
                rules::T0_RESEND_LE,
                at,
                format!("{} after {sw:04X}, expected the same command with Le {:02X}", kind_of(n.command), sw as u8),
            )),
            None => findings.push(finding(rules::T0_RESEND_LE, format!("#{i}"), format!("nothing after {sw:04X}"))),
        }
    }
    CriterionResult::from(
        rules::T0_RESEND_LE,
        findings,
        count > 0,
        "the card answered no 6Cxx",
        format!("{count} 6Cxx answer(s)"),
    )
}

fn stop_fatal(log: &[Logical<'_>], seen: &[SeenExchange<'_>], expect: &TransactionExpect) -> CriterionResult {
    let mut findings = Vec::new();
    let mut evaluated = false;
    for (i, l) in log.iter().enumerate() {
        let next = log.get(i + 1);
        let fatal = match l.kind {
            _ if l.sw.is_none() => Some("the card stayed mute"),
            Kind::GenerateAc => Some("GENERATE AC ends the card's part"),
            Kind::Gpo if !l.ok() => Some("GPO was refused"),
            _ => None,
        };
        let Some(why) = fatal else { continue };
        evaluated = true;
        let allowed = l.kind == Kind::Gpo && l.sw.is_some() && expect.select_next_after_refusal;
        match next {
            None => {}
            Some(n) if allowed && n.kind == Kind::SelectAid => {}
            Some(n) => {
                findings.push(finding(rules::STOP_FATAL, n.at(), format!("{} sent after {}: {why}", n.kind, l.at())))
            }
        }
    }
    let observed = format!("{} command(s)", seen.len());
    CriterionResult::from(rules::STOP_FATAL, findings, evaluated, "no status that ends the transaction", observed)
}

/// The outcome an exchange shows.
pub fn derive_outcome(seen: &[SeenExchange<'_>]) -> Outcome {
    outcome_of(&logical(seen))
}

fn outcome_of(log: &[Logical<'_>]) -> Outcome {
    if let Some(gac) = log.iter().rev().find(|l| l.kind == Kind::GenerateAc && l.ok())
        && let Ok(r) = GenerateAcResponse::from_bytes(&gac.data)
    {
        // A cryptogram above the one asked for (AAC < ARQC < TC, Book 3 §9.3) ends the
        // transaction: the terminal may neither approve nor go online on it.
        let rank = |bits: u8| [0u8, 2, 1, 3][usize::from(bits >> 6)];
        let asked = CommandApdu::from_bytes(gac.command).map_or(0x80, |c| c.p1());
        if rank(r.cid) > rank(asked) {
            return Outcome::Terminated;
        }
        return Outcome::of_cid(r.cid);
    }
    match log.last() {
        Some(l) if l.kind == Kind::Gpo && l.sw == Some(0x6985) => Outcome::TryAnotherInterface,
        _ => Outcome::Terminated,
    }
}

fn outcome(log: &[Logical<'_>], expect: &TransactionExpect) -> CriterionResult {
    let got = outcome_of(log);
    let mut findings = Vec::new();
    if let Some(want) = expect.outcome
        && want != got
    {
        findings.push(finding(
            rules::OUTCOME,
            "end",
            format!("the transaction ended {}, the image calls for {}", got.as_str(), want.as_str()),
        ));
    }
    CriterionResult::from(
        rules::OUTCOME,
        findings,
        expect.outcome.is_some(),
        "the case states no outcome",
        got.as_str().into(),
    )
}

/// The unpredictable number a transaction sent: the first 4 bytes of the first `9F37` slot of
/// its PDOL or CDOL1 data.
pub fn unpredictable_number(seen: &[SeenExchange<'_>]) -> Option<[u8; 4]> {
    let log = logical(seen);
    let mut dols: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for (i, l) in log.iter().enumerate() {
        if l.kind == Kind::Gpo {
            let pdol = log[..i]
                .iter()
                .rev()
                .find(|s| s.kind == Kind::SelectAid && s.ok())
                .and_then(|s| Fci::from_bytes(&s.data).ok().and_then(|f| f.pdol.map(<[u8]>::to_vec)));
            if let (Some(p), Ok(v)) = (pdol, gpo_template(l.command_data())) {
                dols.push((p, v.to_vec()));
            }
        } else if l.kind == Kind::GenerateAc {
            let cdol1 = log[..i]
                .iter()
                .filter(|s| s.kind == Kind::ReadRecord && s.ok())
                .find_map(|s| Record::from_bytes(&s.data).ok().and_then(|r| r.get(Tag::CDOL1).map(<[u8]>::to_vec)));
            if let Some(c) = cdol1 {
                dols.push((c, l.command_data().to_vec()));
            }
        }
    }
    for (dol, data) in dols {
        let Ok(entries) = parse_emv_dol(&dol) else { continue };
        let mut offset = 0usize;
        for e in entries {
            let len = usize::from(e.len);
            if e.tag == Tag(0x9F37) && len >= 4 {
                return data.get(offset..offset + 4).and_then(|s| s.try_into().ok());
            }
            offset += len;
        }
    }
    None
}

/// Fewest runs the per-byte statistic is drawn on: with random numbers, one byte position
/// agrees over 8 runs with probability 4 x 256^-7.
pub const UN_STATISTIC_MIN_RUNS: usize = 8;

/// [`rules::UN_FRESH`] over several transactions: every number distinct, and (from
/// [`UN_STATISTIC_MIN_RUNS`] runs) no byte position constant over all of them.
pub fn evaluate_unpredictable_numbers(numbers: &[Option<[u8; 4]>]) -> CriterionResult {
    let got: Vec<[u8; 4]> = numbers.iter().flatten().copied().collect();
    let rule = rules::UN_FRESH;
    if got.len() < 2 {
        return CriterionResult::from(rule, vec![], false, "fewer than two transactions sent a 9F37", String::new());
    }
    let mut findings = Vec::new();
    let distinct: BTreeSet<[u8; 4]> = got.iter().copied().collect();
    if distinct.len() != got.len() {
        findings.push(finding(
            rule,
            "runs",
            format!("{} distinct numbers in {} transactions", distinct.len(), got.len()),
        ));
    }
    if got.len() >= UN_STATISTIC_MIN_RUNS {
        for pos in 0..4 {
            if got.iter().all(|u| u[pos] == got[0][pos]) {
                findings.push(finding(
                    rule,
                    "runs",
                    format!("byte {} is {:02X} in all {} transactions", pos + 1, got[0][pos], got.len()),
                ));
            }
        }
    }
    let observed = format!("{} of {} distinct", distinct.len(), got.len());
    CriterionResult::from(rule, findings, true, "", observed)
}
