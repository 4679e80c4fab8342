//! `TERMINAL.GENERATE-AC.TYPE`: the cryptogram type the terminal asked for in its first
//! GENERATE AC (P1 b8-b7) is the one terminal action analysis gives (EMV Book 3 §10.7), and the
//! TVR it sent in the CDOL1 data carries the bits the card's data calls for.
//!
//! Written out again from Book 3 for checking, from what the card answered (AIP, records, the
//! IACs `9F0E`/`9F0F`/`9F0D`) and the case's terminal configuration (floor limit, TACs, online
//! capability): never the terminal engine's `action` module, which it checks.
//!
//! | TVR bit (Annex C5) | set when |
//! |---|---|
//! | B1b8 ODA not performed | the AIP offers neither SDA, DDA nor CDA, or CDA without the terminal asking for it |
//! | B1b6 ICC data missing | no record carries 5A, 5F24 or 8C |
//! | B2b8 different versions | the case sets a terminal version and 9F08 differs |
//! | B2b7 expired | 5F24 is before 9A |
//! | B2b6 not yet effective | 5F25 is after 9A |
//! | B2b5 service not allowed | 9F07 does not allow this transaction here (Book 3 §10.4.3) |
//! | B4b8 floor limit | amount >= floor limit |
//!
//! A card that offers SDA or DDA without CDA is not evaluated: whether its ODA verified needs
//! the issuer's keys, which the lower tester does not judge.

use tapcert_parsers::Finding;
use tapcert_parsers::apdu::CommandApdu;
use tapcert_parsers::tlv::{GpoResponse, Record, Tag, parse_emv_dol};

use super::criteria::{CriterionResult, TransactionExpect};
use super::exchange::{Kind, Logical};
use super::rules::{self, finding};

/// The bits this criterion derives, as a mask over the 5 TVR bytes.
const DERIVED: [u8; 5] = [0xA0, 0xF0, 0x00, 0x80, 0x00];

/// `YYMMDD` BCD as 20YYMMDD (YY < 50) or 19YYMMDD.
fn date(v: &[u8]) -> Option<u32> {
    if v.len() != 3 || v.iter().any(|b| b >> 4 > 9 || b & 0x0F > 9) {
        return None;
    }
    let n = |b: u8| u32::from(b >> 4) * 10 + u32::from(b & 0x0F);
    let yy = n(v[0]);
    Some(if yy < 50 { 20_000_000 } else { 19_000_000 } + yy * 10_000 + n(v[1]) * 100 + n(v[2]))
}

/// The slot of `tag` in DOL data.
fn slot<'a>(dol: &[u8], data: &'a [u8], tag: u32) -> Option<&'a [u8]> {
    let mut at = 0usize;
    for e in parse_emv_dol(dol).ok()? {
        let len = usize::from(e.len);
        if e.tag == Tag(tag) {
            return data.get(at..at + len);
        }
        at += len;
    }
    None
}

/// Book 3 §10.4.3, Application Usage Control against the transaction: where (ATM or not),
/// then what (cash, goods or services, cashback), domestic or international.
fn auc_allows(auc: &[u8], issuer_country: Option<&[u8]>, expect: &TransactionExpect) -> bool {
    let (b1, b2) = (auc.first().copied().unwrap_or(0xFF), auc.get(1).copied().unwrap_or(0xFF));
    let is_atm = (0x14..=0x16).contains(&expect.terminal_type);
    if !(if is_atm { b1 & 0x02 != 0 } else { b1 & 0x01 != 0 }) {
        return false;
    }
    let Some(issuer) = issuer_country else { return true };
    let domestic = issuer == expect.country;
    match (expect.transaction_type, domestic) {
        (0x00, true) => b1 & (0x20 | 0x08) != 0,
        (0x00, false) => b1 & (0x10 | 0x04) != 0,
        (0x01, true) => b1 & 0x80 != 0,
        (0x01, false) => b1 & 0x40 != 0,
        (0x09, true) => b2 & 0x80 != 0,
        (0x09, false) => b2 & 0x40 != 0,
        _ => true,
    }
}

fn name(p1: u8) -> &'static str {
    match p1 & 0xC0 {
        0x00 => "AAC",
        0x40 => "TC",
        0x80 => "ARQC",
        _ => "RFU",
    }
}

pub(crate) fn generate_ac_type(log: &[Logical<'_>], expect: &TransactionExpect) -> CriterionResult {
    let rule = rules::GENERATE_AC_TYPE;
    let not = |why: &str| CriterionResult::from(rule, Vec::new(), false, why, String::new());
    let Some(g) = log.iter().position(|l| l.kind == Kind::GenerateAc) else {
        return not("no GENERATE AC was sent");
    };
    let Some(p1) = CommandApdu::from_bytes(log[g].command).ok().map(|c| c.p1()) else {
        return not("the GENERATE AC command does not parse");
    };
    let records: Vec<Record<'_>> = log[..g]
        .iter()
        .filter(|l| l.kind == Kind::ReadRecord && l.ok())
        .filter_map(|l| Record::from_bytes(&l.data).ok())
        .collect();
    let get = |tag: u32| records.iter().find_map(|r| r.get(Tag(tag)));
    let aip = log[..g]
        .iter()
        .rev()
        .find(|l| l.kind == Kind::Gpo && l.ok())
        .and_then(|l| GpoResponse::from_bytes(&l.data).ok().map(|r| r.aip));
    let Some(aip) = aip else { return not("no GPO answer with an AIP") };
    let cdol1 = get(0x8C).unwrap_or_default();
    let data = log[g].command_data();
    let Some(today) = slot(cdol1, data, 0x9A).and_then(date) else {
        return not("the CDOL1 data carries no transaction date (9A)");
    };

    let mut tvr = [0u8; 5];
    let (sda, dda, cda) = (aip[0] & 0x40 != 0, aip[0] & 0x20 != 0, aip[0] & 0x01 != 0);
    if cda {
        // CDA is asked for with a TC or an ARQC; with an AAC it was not needed.
        if p1 & 0x10 == 0 && p1 & 0xC0 != 0x00 {
            tvr[0] |= 0x80;
        }
    } else if sda || dda {
        return not("the card offers SDA or DDA: whether it verified takes the issuer's keys");
    } else {
        tvr[0] |= 0x80;
    }
    if [0x5A, 0x5F24, 0x8C].iter().any(|t| get(*t).is_none()) {
        tvr[0] |= 0x20;
    }
    if let (Some(ours), Some(card)) = (expect.application_version, get(0x9F08))
        && card != ours
    {
        tvr[1] |= 0x80;
    }
    if get(0x5F24).and_then(date).is_some_and(|d| d < today) {
        tvr[1] |= 0x40;
    }
    if get(0x5F25).and_then(date).is_some_and(|d| d > today) {
        tvr[1] |= 0x20;
    }
    if get(0x9F07).is_some_and(|auc| !auc_allows(auc, get(0x5F28), expect)) {
        tvr[1] |= 0x10;
    }
    if expect.amount >= expect.floor_limit {
        tvr[3] |= 0x80;
    }

    // Book 3 §10.7. Absent IAC-Denial: zeros; absent IAC-Online and IAC-Default: ones.
    let iac = |tag: u32, absent: u8| get(tag).and_then(|v| <[u8; 5]>::try_from(v).ok()).unwrap_or([absent; 5]);
    let hits = |code: [u8; 5]| tvr.iter().zip(code).any(|(t, c)| t & c != 0);
    let want = if hits(expect.tac_denial) || hits(iac(0x9F0E, 0x00)) {
        0x00
    } else if expect.online_capable {
        if hits(expect.tac_online) || hits(iac(0x9F0F, 0xFF)) { 0x80 } else { 0x40 }
    } else if hits(expect.tac_default) || hits(iac(0x9F0D, 0xFF)) {
        0x00
    } else {
        0x40
    };

    let mut findings: Vec<Finding> = Vec::new();
    if p1 & 0xC0 != want {
        findings.push(finding(
            rule,
            log[g].at(),
            format!("P1 {p1:02X} asks for {}; the TVR {} calls for {}", name(p1), hex::encode_upper(tvr), name(want)),
        ));
    }
    if let Some(sent) = slot(cdol1, data, 0x95).filter(|s| s.len() == 5) {
        let wrong = sent.iter().zip(tvr).zip(DERIVED).any(|((s, t), m)| s & m != t & m);
        if wrong {
            findings.push(finding(
                rule,
                log[g].at(),
                format!(
                    "TVR sent {}, the card's data calls for {} (bits under {})",
                    hex::encode_upper(sent),
                    hex::encode_upper(tvr),
                    hex::encode_upper(DERIVED)
                ),
            ));
        }
    }
    let observed = format!("asked {} with TVR bits {}", name(p1), hex::encode_upper(tvr));
    CriterionResult::from(rule, findings, true, "", observed)
}
