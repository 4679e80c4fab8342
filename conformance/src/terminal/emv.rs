//! The EMV contactless transaction, terminal side: application selection (EMV Contactless
//! Book B Entry Point, PPSE with fallback to the terminal's AID list), GET PROCESSING OPTIONS
//! with the PDOL filled from terminal data (Book 3 §5.4), READ RECORD over the AFL, offline
//! data authentication as the AIP offers it (SDA, DDA, CDA: Book 2 §5-6), GENERATE AC with the
//! CDOL1 filled with the TVR of terminal risk management, the cryptogram type of terminal
//! action analysis ([`super::action`], Book 3 §10.7), and the issuer's check of the cryptogram under a named key (Book 2 §8.1).
//!
//! ```text
//! SELECT 2PAY.SYS.DDF01   -> 6F{84, A5{BF0C{61{4F aid, 50 label, 87 priority}...}}}
//! SELECT aid              -> 6F{84, A5{50, 9F38 PDOL?}}
//! GPO 83{PDOL data}       -> 80{AIP, AFL} | 77{82 AIP, 94 AFL, ...}
//! READ RECORD per AFL     -> 70{...}       (CDOL1 8C, PAN 5A, certificates)
//! INTERNAL AUTHENTICATE   -> 80{SDAD} | 77{9F4B}   (DDA only)
//! GENERATE AC AAC|TC|ARQC [CDA] -> 80{CID, ATC, AC, IAD} | 77{9F27, 9F36, 9F26 | 9F4B, 9F10?}
//! ```
//!
//! Everything the card gets wrong is a finding ([`super::rules`]); the procedure goes on where
//! a terminal can (a record that cannot be read does not stop the others) and stops where a
//! terminal must (no application, no GPO answer, no CDOL1).

use tapcert_crypto::oda::{self, EmvDate, OdaError};
use tapcert_crypto::{AnyVisaIad, Cvn, IccMkDerivation, MastercardIad};
use tapcert_parsers::apdu::{Cla, CommandApduBuf, Ins, StatusWord};
use tapcert_parsers::bcd::{decode_bcd_byte, decode_bcd_cn};
use tapcert_parsers::tlv::{
    AflEntry, AflRecord, Fci, GenerateAcResponse, GpoResponse, Record, Tag, TemplateError, TlvNode, build_emv_dol_data,
    decode_emv_tlv, emv_dol_data_len, encode_emv_tlv, parse_emv_dol,
};

use super::action::{self, AcType, CardData, IssuerActionCodes, OdaState};
use super::config::{TerminalConfig, TerminalData, Timestamp};
use super::fault::{CONSTANT_UNPREDICTABLE_NUMBER, TerminalFault};
use super::keys::IssuerKey;
use super::keys_toml::cvn_name;
use super::observation::{Halt, Observation, Session, Step};
use super::rules::{self, Rule, finding};
use super::validators::tlv_findings;
use crate::clock::{Clock, UnpredictableSource};
use crate::transport::Transport;

/// The PPSE directory name (EMV Contactless Book B §3.3).
pub const PPSE_NAME: &[u8] = b"2PAY.SYS.DDF01";
/// Most records read in one transaction, over all AFL entries.
pub const MAX_RECORDS: usize = 64;
/// Most applications tried during selection (PPSE entries, then the terminal's list).
pub const MAX_CANDIDATES: usize = 32;
/// PDOL data must fit `83 81 xx` inside a short command: 255 - 3.
const MAX_PDOL_DATA: usize = 252;
/// CDOL1 data is the whole command data of a short GENERATE AC.
const MAX_CDOL1_DATA: usize = 255;

/// GENERATE AC P1 bit: CDA signature requested (Book 3 §6.5.5.2).
const P1_CDA: u8 = 0x10;

/// One record read over the AFL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRead {
    /// Which record, and whether it is signed for ODA.
    pub at: AflRecord,
    /// The response data (template `70` for SFI 1-10).
    pub data: Vec<u8>,
}

/// Which offline data authentication the terminal ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OdaMethod {
    /// Static data authentication (`93`).
    Sda,
    /// Dynamic data authentication (INTERNAL AUTHENTICATE).
    Dda,
    /// Combined DDA / application cryptogram generation.
    Cda,
}

/// The outcome of a check the terminal made with a named key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The value verified.
    Verified {
        /// The key used (its name, never its bytes).
        key: String,
    },
    /// The value did not verify.
    Failed {
        /// The key used.
        key: String,
        /// What failed.
        reason: String,
    },
    /// The check could not be made.
    NotChecked {
        /// Why.
        reason: String,
    },
}

impl Check {
    /// Whether the value verified.
    pub fn is_verified(&self) -> bool {
        matches!(self, Check::Verified { .. })
    }
}

/// What the terminal learnt from one contactless transaction, as far as it got.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmvRead {
    /// The PPSE FCI (response data), when SELECT PPSE answered 9000.
    pub ppse: Option<Vec<u8>>,
    /// The AID selected.
    pub aid: Option<Vec<u8>>,
    /// The application's FCI (response data).
    pub fci: Option<Vec<u8>>,
    /// The unpredictable number (`9F37`) of this transaction.
    pub unpredictable_number: [u8; 4],
    /// The transaction date (`9A`, YYMMDD BCD).
    pub transaction_date: [u8; 3],
    /// The PDOL data sent in GPO (empty without a PDOL).
    pub pdol_data: Vec<u8>,
    /// The GPO response data.
    pub gpo: Option<Vec<u8>>,
    /// Application Interchange Profile (`82`).
    pub aip: Option<[u8; 2]>,
    /// The AFL followed.
    pub afl: Vec<AflEntry>,
    /// Records read, in AFL order (those the card could not answer are absent).
    pub records: Vec<RecordRead>,
    /// The CDOL1 data sent in GENERATE AC.
    pub cdol1_data: Vec<u8>,
    /// The GENERATE AC response data.
    pub generate_ac: Option<Vec<u8>>,
    /// Cryptogram Information Data (`9F27`).
    pub cid: Option<u8>,
    /// Application Transaction Counter (`9F36`).
    pub atc: Option<u16>,
    /// The application cryptogram: `9F26`, or the one recovered from the CDA signature.
    pub cryptogram: Option<[u8; 8]>,
    /// The issuer's check of the cryptogram.
    pub cryptogram_check: Option<Check>,
    /// Offline data authentication run, and its outcome.
    pub oda: Option<(OdaMethod, Check)>,
    /// The Terminal Verification Results sent in the CDOL1 (`95`), as built before GENERATE AC.
    pub tvr: Option<[u8; 5]>,
    /// The cryptogram type the terminal asked for in the first GENERATE AC.
    pub requested: Option<AcType>,
}

impl EmvRead {
    /// The PPSE FCI view.
    pub fn ppse_fci(&self) -> Option<Fci<'_>> {
        Fci::from_bytes(self.ppse.as_deref()?).ok()
    }

    /// The application FCI view.
    pub fn fci_view(&self) -> Option<Fci<'_>> {
        Fci::from_bytes(self.fci.as_deref()?).ok()
    }

    /// The GPO response view.
    pub fn gpo_view(&self) -> Option<GpoResponse<'_>> {
        GpoResponse::from_bytes(self.gpo.as_deref()?).ok()
    }

    /// The GENERATE AC response view.
    pub fn generate_ac_view(&self) -> Option<GenerateAcResponse<'_>> {
        GenerateAcResponse::from_bytes(self.generate_ac.as_deref()?).ok()
    }

    /// The value of the first record object with `tag`, in AFL order.
    pub fn record_value(&self, tag: Tag) -> Option<&[u8]> {
        self.records.iter().find_map(|r| Record::from_bytes(&r.data).ok().and_then(|rec| rec.get(tag)))
    }

    /// The cryptogram type the transaction ended with: the CID's, when the card did not answer
    /// a higher one than the terminal asked for (Book 3 §9.3; a TC to an AAC request approves
    /// nothing). `None` without a GENERATE AC answer or with a disallowed one.
    pub fn accepted_cryptogram(&self) -> Option<AcType> {
        let got = AcType::from_bits(self.cid?)?;
        got.allowed_for(self.requested?).then_some(got)
    }

    /// The PAN digits (`5A`), when a record carries a well-formed one.
    pub fn pan(&self) -> Option<String> {
        decode_bcd_cn(self.record_value(Tag::PAN)?)
    }
}

/// Runs one contactless transaction: selection, GPO, records, ODA, terminal risk management and
/// action analysis, GENERATE AC (AAC, TC or ARQC as the analysis decides, with CDA
/// when [`TerminalConfig::request_cda`] is set and the card offers it), and verifies the
/// cryptogram with the configured issuer key.
///
/// The transport should be wrapped in [`crate::transport::T0`] when the link may show `61xx`
/// or `6Cxx`.
///
/// ```
/// use std::time::Duration;
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::terminal::{read_emv, TerminalConfig};
/// use tapcert_conformance::clock::{ManualClock, SeededRng};
/// use tapcert_conformance::transport::{InProcess, T0};
///
/// let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
/// let band = |name| T0::new(InProcess::new(Band::new(find_profile(name).unwrap())));
/// let config = TerminalConfig::default();
///
/// let tx = read_emv(&mut band("reference"), &config, &mut SeededRng::new(1), &clock);
/// assert!(tx.is_clean(), "{:?}", tx.findings);
/// assert!(tx.result.cryptogram_check.unwrap().is_verified());
///
/// // A firmware whose AFL lists a record it cannot find: a finding, and the transaction goes on.
/// let tx = read_emv(&mut band("afl-missing-record"), &config, &mut SeededRng::new(1), &clock);
/// assert!(tx.has("EMV.AFL.RECORD-RANGE") && tx.completed);
/// ```
pub fn read_emv(
    t: &mut dyn Transport,
    config: &TerminalConfig,
    un_source: &mut dyn UnpredictableSource,
    clock: &dyn Clock,
) -> Observation<EmvRead> {
    let mut s = Session::new(t, clock);
    s.budget = config.exchange_budget;
    let mut read = EmvRead::default();
    let done = transact(&mut s, &mut read, config, un_source).is_ok();
    s.finish(read, done)
}

fn select_command(name: &[u8]) -> CommandApduBuf {
    CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x04, 0x00).with_data(name.to_vec()).with_ne(256)
}

fn transact(
    s: &mut Session<'_>,
    read: &mut EmvRead,
    config: &TerminalConfig,
    un_source: &mut dyn UnpredictableSource,
) -> Result<(), Halt> {
    s.reset()?;
    select_application(s, read, config)?;
    let aid = read.aid.clone().unwrap_or_default();

    let pdol = read.fci.as_deref().and_then(|f| Fci::from_bytes(f).ok()).and_then(|f| f.pdol.map(<[u8]>::to_vec));
    un_source.fill(&mut read.unpredictable_number);
    if config.has_fault(TerminalFault::ConstantUnpredictableNumber) {
        read.unpredictable_number = CONSTANT_UNPREDICTABLE_NUMBER;
    }
    let now = s.now();
    let today = Timestamp::from_unix(now);
    read.transaction_date = today.yymmdd();
    let mut terminal = if config.has_fault(TerminalFault::WrongAmount) {
        let wrong = TerminalConfig { amount_authorised: config.amount_authorised ^ 1, ..config.clone() };
        wrong.data(read.unpredictable_number, now)
    } else {
        config.data(read.unpredictable_number, now)
    };

    // GET PROCESSING OPTIONS
    let step = Step::GetProcessingOptions;
    if let Some(pdol) = &pdol {
        read.pdol_data = dol_data(s, step, pdol, &terminal, rules::EMV_PDOL, MAX_PDOL_DATA)?;
        if config.has_fault(TerminalFault::PdolShort) {
            read.pdol_data.pop();
        } else if config.has_fault(TerminalFault::PdolLong) {
            read.pdol_data.push(0);
        }
    }
    let mut template = Vec::with_capacity(read.pdol_data.len() + 3);
    encode_emv_tlv(Tag(0x83), &read.pdol_data, &mut template);
    let gpo = CommandApduBuf::new(Cla(0x80), Ins::GET_PROCESSING_OPTIONS, 0, 0).with_data(template).with_ne(256);
    let data = s.send_ok(step, &gpo, rules::EMV_GPO_STATUS)?;
    tlv_findings(s, step, &data);
    let (aip, afl) = match GpoResponse::from_bytes(&data) {
        Ok(g) => (g.aip, g.afl),
        Err(e) => {
            let rule = if matches!(e, TemplateError::Afl { .. }) { rules::EMV_AFL } else { rules::EMV_GPO_TEMPLATE };
            s.finding(finding(rule, step, e.to_string()));
            read.gpo = Some(data);
            return Err(Halt::Card);
        }
    };
    read.gpo = Some(data);
    read.aip = Some(aip);
    read.afl = afl;

    read_records(s, read, config)?;
    check_data_objects(s, read);

    let cda = config.request_cda && aip[0] & 0x01 != 0;
    if !cda && aip[0] & 0x20 != 0 {
        dda(s, read, config, &aid, &terminal, today)?;
    } else if !cda && aip[0] & 0x40 != 0 {
        sda(s, read, config, &aid, today);
    }

    // Terminal risk management and action analysis (Book 3 §10.3-§10.7): the TVR goes into
    // the CDOL1 data, the cryptogram type into P1.
    let oda_state = match &read.oda {
        _ if cda => OdaState::CdaRequested,
        Some((OdaMethod::Sda, c)) => OdaState::Sda(c.is_verified()),
        Some((OdaMethod::Dda, c)) => OdaState::Dda(c.is_verified()),
        _ => OdaState::NotPerformed,
    };
    let card = CardData {
        expiry: read.record_value(Tag::EXPIRATION_DATE),
        effective: read.record_value(Tag::EFFECTIVE_DATE),
        auc: read.record_value(Tag(0x9F07)),
        issuer_country: read.record_value(Tag::ISSUER_COUNTRY_CODE),
        version: read.record_value(Tag(0x9F08)),
        missing_mandatory: [Tag::PAN, Tag::EXPIRATION_DATE, Tag::CDOL1].iter().any(|t| read.record_value(*t).is_none()),
    };
    let tvr = action::terminal_verification_results(config, &card, oda_state, read.transaction_date);
    terminal.set(Tag::TVR, &tvr);
    let code = |tag: u32| read.record_value(Tag(tag)).and_then(|v| <[u8; 5]>::try_from(v).ok());
    let iac = IssuerActionCodes { denial: code(0x9F0E), online: code(0x9F0F), default: code(0x9F0D) };
    let requested = if config.has_fault(TerminalFault::AlwaysArqc) {
        AcType::Arqc
    } else {
        action::action_analysis(&tvr, &iac, config)
    };
    read.tvr = Some(tvr);
    read.requested = Some(requested);
    // CDA is asked for with a TC or an ARQC only (Book 3 §6.5.5.2; an AAC is never signed).
    let cda = cda && requested != AcType::Aac;

    // GENERATE AC
    let step = Step::GenerateAc;
    let Some(cdol1) = read.record_value(Tag::CDOL1).map(<[u8]>::to_vec) else {
        return Err(Halt::Card); // check_data_objects reported it
    };
    read.cdol1_data = dol_data(s, step, &cdol1, &terminal, rules::EMV_CDOL1, MAX_CDOL1_DATA)?;
    if read.cdol1_data.is_empty() {
        s.finding(finding(rules::EMV_CDOL1, step, "the CDOL1 asks for no data"));
        return Err(Halt::Card);
    }
    let p1 = if cda { requested.p1() | P1_CDA } else { requested.p1() };
    let gac =
        CommandApduBuf::new(Cla(0x80), Ins::GENERATE_AC, p1, 0x00).with_data(read.cdol1_data.clone()).with_ne(256);
    let data = s.send_ok(step, &gac, rules::EMV_GENERATE_AC_STATUS)?;
    tlv_findings(s, step, &data);
    read.generate_ac = Some(data);
    let response = match read.generate_ac_view() {
        Some(r) => r,
        None => {
            let e = GenerateAcResponse::from_bytes(read.generate_ac.as_deref().unwrap_or_default()).err();
            let why = e.map_or_else(|| "malformed".to_string(), |e| e.to_string());
            s.finding(finding(rules::EMV_GENERATE_AC_TEMPLATE, step, why));
            return Err(Halt::Card);
        }
    };
    let (cid, atc, cryptogram, sdad) =
        (response.cid, response.atc, response.cryptogram, response.sdad.map(<[u8]>::to_vec));
    let iad = response.iad.map(<[u8]>::to_vec);
    let response_objects = response_objects_for_cda(response.template.as_ref());
    read.cid = Some(cid);
    read.atc = Some(u16::from_be_bytes(atc));
    read.cryptogram = cryptogram;
    match AcType::from_bits(cid) {
        Some(got) if got.allowed_for(requested) => {}
        got => s.finding(finding(
            rules::EMV_GENERATE_AC_CID,
            step,
            format!(
                "CID {cid:02X}: a {} answered to a{} {} request",
                got.map_or("reserved type", AcType::name),
                if requested == AcType::Aac { "n" } else { "" },
                requested.name()
            ),
        )),
    }

    if cda && cid >> 6 != 0 {
        match sdad {
            Some(sdad) => {
                let check = cda_check(s, read, config, &aid, today, &sdad, cid, &response_objects);
                read.oda = Some((OdaMethod::Cda, check));
            }
            None => {
                s.finding(finding(rules::EMV_ODA, step, "CDA was requested and offered, but 9F4B is absent"));
                read.oda = Some((OdaMethod::Cda, Check::Failed { key: String::new(), reason: "no 9F4B".into() }));
            }
        }
    }

    check_declared_cvn(s, read, config, &aid, iad.as_deref());
    let check = verify_cryptogram(read, config, &aid, &terminal, iad.as_deref());
    if let Check::Failed { key, reason } = &check {
        s.finding(finding(rules::EMV_AC, step, format!("under {key}: {reason}")));
    } else if let Check::NotChecked { reason } = &check {
        s.finding(finding(rules::EMV_AC_UNCHECKED, step, reason.clone()));
    }
    read.cryptogram_check = Some(check);
    Ok(())
}

/// PPSE, then the directory's applications by priority, then the terminal's own list.
fn select_application(s: &mut Session<'_>, read: &mut EmvRead, config: &TerminalConfig) -> Result<(), Halt> {
    let step = Step::SelectPpse;
    let answer = s.send(step, &select_command(PPSE_NAME))?;
    let mut listed: Vec<(u8, Vec<u8>)> = Vec::new();
    if answer.sw == StatusWord::OK {
        tlv_findings(s, step, &answer.data);
        match Fci::from_bytes(&answer.data) {
            Ok(fci) => {
                for e in fci.directory.iter().take(MAX_CANDIDATES) {
                    if (5..=16).contains(&e.aid.len()) {
                        // EMV Book 1 §12.4: priority 1 is highest; 0 in b4-b1 means none.
                        let rank = e.priority.map(|p| p & 0x0F).filter(|p| *p != 0).unwrap_or(16);
                        listed.push((rank, e.aid.to_vec()));
                    } else {
                        s.finding(finding(
                            rules::EMV_PPSE_FCI,
                            step,
                            format!("directory entry at offset {} has a {}-byte AID", e.offset, e.aid.len()),
                        ));
                    }
                }
                if listed.is_empty() {
                    s.finding(finding(rules::EMV_PPSE_FCI, step, "the PPSE lists no usable application"));
                }
            }
            Err(e) => s.finding(finding(rules::EMV_PPSE_FCI, step, e.to_string())),
        }
        read.ppse = Some(answer.data);
    } else {
        s.finding(finding(rules::EMV_PPSE_SELECT, step, format!("answered {}, expected 9000", answer.sw)));
    }
    listed.sort_by_key(|(rank, _)| *rank);
    let from_ppse = listed.len();
    let candidates = listed
        .into_iter()
        .map(|(_, aid)| aid)
        .chain(config.candidate_aids.iter().filter(|_| !config.has_fault(TerminalFault::NoAidFallback)).cloned())
        .take(MAX_CANDIDATES)
        .enumerate();
    let step = Step::SelectApplication;
    for (i, aid) in candidates {
        let a = s.send(step, &select_command(&aid))?;
        if a.sw == StatusWord::OK {
            tlv_findings(s, step, &a.data);
            if let Err(e) = Fci::from_bytes(&a.data) {
                s.finding(finding(rules::EMV_FCI, step, e.to_string()));
            }
            read.aid = Some(aid);
            read.fci = Some(a.data);
            return Ok(());
        }
        if i < from_ppse {
            let msg = format!("SELECT {} (listed by the PPSE) answered {}", hex::encode_upper(&aid), a.sw);
            s.finding(finding(rules::EMV_SELECT, step, msg));
        }
    }
    s.finding(finding(rules::EMV_SELECT, step, "no application could be selected"));
    Err(Halt::Card)
}

/// The data of a DOL the card sent, filled from terminal data; a malformed or oversized DOL is
/// a finding under `rule` and ends the step.
fn dol_data(
    s: &mut Session<'_>,
    step: Step,
    dol: &[u8],
    terminal: &TerminalData,
    rule: Rule,
    limit: usize,
) -> Result<Vec<u8>, Halt> {
    let entries = match parse_emv_dol(dol) {
        Ok(e) => e,
        Err(e) => {
            s.finding(finding(rule, step, e.to_string()));
            return Err(Halt::Card);
        }
    };
    let len = emv_dol_data_len(&entries);
    if len > limit {
        s.finding(finding(rule, step, format!("asks for {len} bytes of data; a short command carries {limit}")));
        return Err(Halt::Card);
    }
    Ok(build_emv_dol_data(&entries, |tag| terminal.value(tag)))
}

fn read_records(s: &mut Session<'_>, read: &mut EmvRead, config: &TerminalConfig) -> Result<(), Halt> {
    let wanted: usize = read.afl.iter().map(AflEntry::record_count).sum();
    if wanted > MAX_RECORDS {
        let msg = format!("the AFL lists {wanted} records; a terminal reads at most {MAX_RECORDS}");
        s.finding(finding(rules::EMV_AFL_LIMIT, Step::GetProcessingOptions, msg));
        return Err(Halt::Card);
    }
    let afl = read.afl.clone();
    for at in afl.iter().flat_map(AflEntry::records) {
        let step = Step::ReadRecord { sfi: at.sfi, record: at.record };
        let (p1, p2) = at.read_record_p1_p2();
        let cmd = CommandApduBuf::new(Cla(0x00), Ins::READ_RECORD, p1, p2).with_ne(256);
        let a = s.send(step, &cmd)?;
        if a.sw != StatusWord::OK {
            let msg = format!("the AFL lists it, the card answered {}", a.sw);
            s.finding(finding(rules::EMV_AFL_RECORD, step, msg));
            continue;
        }
        tlv_findings(s, step, &a.data);
        if at.sfi <= 10
            && let Err(e) = Record::from_bytes(&a.data)
        {
            s.finding(finding(rules::EMV_RECORD_TEMPLATE, step, e.to_string()));
        }
        read.records.push(RecordRead { at, data: a.data });
    }
    if config.has_fault(TerminalFault::ReadPastAfl)
        && let Some(last) = afl.last()
    {
        let record = last.last_record.saturating_add(1);
        let step = Step::ReadRecord { sfi: last.sfi, record };
        let cmd = CommandApduBuf::new(Cla(0x00), Ins::READ_RECORD, record, (last.sfi << 3) | 0x04).with_ne(256);
        s.send(step, &cmd)?;
    }
    Ok(())
}

/// Mandatory objects present, primitive objects not repeated across records.
fn check_data_objects(s: &mut Session<'_>, read: &EmvRead) {
    let step = Step::GenerateAc;
    for (tag, name) in [(Tag::PAN, "PAN (5A)"), (Tag(0x5F24), "expiry date (5F24)"), (Tag::CDOL1, "CDOL1 (8C)")] {
        if read.record_value(tag).is_none() {
            s.finding(finding(rules::EMV_DATA_MANDATORY, step, format!("no record carries the {name}")));
        }
    }
    // Where each tag was first returned: a map, so a card with thousands of objects costs
    // linear time.
    let mut seen: std::collections::HashMap<Tag, (u8, u8)> = std::collections::HashMap::new();
    for r in &read.records {
        let Ok(rec) = Record::from_bytes(&r.data) else { continue };
        for child in &rec.template.children {
            let tag = child.tlv.tag;
            if let Some((sfi, record)) = seen.get(&tag) {
                let msg =
                    format!("{tag} in SFI {} #{} was already returned in SFI {sfi} #{record}", r.at.sfi, r.at.record);
                s.finding(finding(
                    rules::EMV_DATA_DUPLICATE,
                    Step::ReadRecord { sfi: r.at.sfi, record: r.at.record },
                    msg,
                ));
            } else {
                seen.insert(tag, (r.at.sfi, r.at.record));
            }
        }
    }
}

/// The response objects a CDA hash covers: those of template `77` other than `9F4B`, as sent.
fn response_objects_for_cda(template: Option<&TlvNode<'_>>) -> Vec<u8> {
    let mut out = Vec::new();
    for n in template.into_iter().flat_map(|t| t.children.iter()).filter(|n| n.tlv.tag != Tag(0x9F4B)) {
        n.encode_into(&mut out);
    }
    out
}

fn emv_date(t: Timestamp) -> EmvDate {
    EmvDate { year: t.year.min(9999) as u16, month: t.month, day: t.day }
}

/// The issuer public key from the certificates in the records.
fn issuer_key(
    read: &EmvRead,
    config: &TerminalConfig,
    aid: &[u8],
    today: Timestamp,
) -> Result<(String, oda::RsaPublicKey), Check> {
    let not_checked = |reason: String| Check::NotChecked { reason };
    let index = read.record_value(Tag(0x8F)).and_then(|v| v.first().copied());
    let Some(index) = index else { return Err(not_checked("no CA public key index (8F) in the records".into())) };
    let Some(ca) = config.keys.ca_for(aid, index) else {
        return Err(not_checked(format!(
            "no CA key {index:02X} for RID {}",
            hex::encode_upper(aid.get(..5).unwrap_or(aid))
        )));
    };
    let failed = |reason: String| Check::Failed { key: ca.name.clone(), reason };
    let get = |tag: u32| read.record_value(Tag(tag)).ok_or_else(|| failed(format!("no {tag:X} in the records")));
    let issuer = oda::recover_issuer_public_key(
        &ca.key,
        get(0x90)?,
        read.record_value(Tag(0x92)).unwrap_or(&[]),
        get(0x9F32)?,
        get(0x5A)?,
        emv_date(today),
    )
    .map_err(|e| failed(format!("issuer certificate: {e}")))?;
    Ok((ca.name.clone(), issuer.public_key))
}

/// The ICC public key: issuer key, then the ICC certificate over the static data.
fn icc_key(
    read: &EmvRead,
    config: &TerminalConfig,
    aid: &[u8],
    today: Timestamp,
) -> Result<(String, oda::RsaPublicKey), Check> {
    let (name, issuer) = issuer_key(read, config, aid, today)?;
    let failed = |reason: String| Check::Failed { key: name.clone(), reason };
    let static_data = static_data(read).map_err(|e| failed(format!("static data: {e}")))?;
    let get = |tag: u32| read.record_value(Tag(tag)).ok_or_else(|| failed(format!("no {tag:X} in the records")));
    let icc = oda::recover_icc_public_key(
        &issuer,
        get(0x9F46)?,
        read.record_value(Tag(0x9F48)).unwrap_or(&[]),
        get(0x9F47)?,
        &static_data,
        get(0x5A)?,
        emv_date(today),
    )
    .map_err(|e| failed(format!("ICC certificate: {e}")))?;
    Ok((name, icc.public_key))
}

fn static_data(read: &EmvRead) -> Result<Vec<u8>, OdaError> {
    let aip = read.aip.map(|a| a.to_vec());
    oda::static_data_to_authenticate(
        &read.afl,
        |sfi, record| read.records.iter().find(|r| r.at.sfi == sfi && r.at.record == record).map(|r| r.data.as_slice()),
        read.record_value(Tag(0x9F4A)),
        aip.as_deref(),
    )
}

fn report_oda(s: &mut Session<'_>, step: Step, check: &Check) {
    match check {
        Check::Failed { key, reason } if key.is_empty() => s.finding(finding(rules::EMV_ODA, step, reason.clone())),
        Check::Failed { key, reason } => s.finding(finding(rules::EMV_ODA, step, format!("under {key}: {reason}"))),
        Check::NotChecked { reason } => s.finding(finding(rules::EMV_ODA_UNCHECKED, step, reason.clone())),
        Check::Verified { .. } => {}
    }
}

fn sda(s: &mut Session<'_>, read: &mut EmvRead, config: &TerminalConfig, aid: &[u8], today: Timestamp) {
    let check = (|| {
        let (name, issuer) = issuer_key(read, config, aid, today)?;
        let failed = |reason: String| Check::Failed { key: name.clone(), reason };
        let ssad = read.record_value(Tag(0x93)).ok_or_else(|| failed("no 93 in the records".into()))?;
        let data = static_data(read).map_err(|e| failed(format!("static data: {e}")))?;
        oda::verify_signed_static_data(&issuer, ssad, &data).map_err(|e| failed(format!("SSAD: {e}")))?;
        Ok(Check::Verified { key: name.clone() })
    })()
    .unwrap_or_else(|c| c);
    report_oda(s, Step::GenerateAc, &check);
    read.oda = Some((OdaMethod::Sda, check));
}

fn dda(
    s: &mut Session<'_>,
    read: &mut EmvRead,
    config: &TerminalConfig,
    aid: &[u8],
    terminal: &TerminalData,
    today: Timestamp,
) -> Result<(), Halt> {
    let step = Step::InternalAuthenticate;
    // The card's DDOL, or the default one (Book 2 §6.5.1: the UN alone).
    let ddol = read.record_value(Tag(0x9F49)).map(<[u8]>::to_vec).unwrap_or_else(|| vec![0x9F, 0x37, 0x04]);
    let ddol_data = dol_data(s, step, &ddol, terminal, rules::EMV_ODA, MAX_CDOL1_DATA)?;
    let cmd =
        CommandApduBuf::new(Cla(0x00), Ins::INTERNAL_AUTHENTICATE, 0, 0).with_data(ddol_data.clone()).with_ne(256);
    let answer = s.send(step, &cmd)?;
    let check = (|| {
        if answer.sw != StatusWord::OK {
            return Err(Check::Failed {
                key: String::new(),
                reason: format!("INTERNAL AUTHENTICATE answered {}", answer.sw),
            });
        }
        let nodes = decode_emv_tlv(&answer.data).map_err(|e| Check::Failed {
            key: String::new(),
            reason: format!("INTERNAL AUTHENTICATE response: {e}"),
        })?;
        let sdad = match nodes.first() {
            Some(n) if n.tlv.tag == Tag(0x80) => n.tlv.value,
            Some(n) => n.find(Tag(0x9F4B)).map(|c| c.tlv.value).unwrap_or_default(),
            None => &[],
        };
        let (name, icc) = icc_key(read, config, aid, today)?;
        oda::verify_signed_dynamic_data(&icc, sdad, &ddol_data)
            .map_err(|e| Check::Failed { key: name.clone(), reason: format!("SDAD: {e}") })?;
        Ok(Check::Verified { key: name })
    })()
    .unwrap_or_else(|c| c);
    report_oda(s, step, &check);
    read.oda = Some((OdaMethod::Dda, check));
    Ok(())
}

/// Terminal-side CDA (Book 2 §6.6.2); on success the AC recovered from the SDAD becomes the
/// transaction's cryptogram.
#[allow(clippy::too_many_arguments)]
fn cda_check(
    s: &mut Session<'_>,
    read: &mut EmvRead,
    config: &TerminalConfig,
    aid: &[u8],
    today: Timestamp,
    sdad: &[u8],
    cid: u8,
    response_objects: &[u8],
) -> Check {
    let check = (|| {
        let (name, icc) = icc_key(read, config, aid, today)?;
        let hash = oda::cda_transaction_data_hash(&[&read.pdol_data, &read.cdol1_data, response_objects]);
        let signed = oda::verify_cda(&icc, sdad, &read.unpredictable_number, cid, &hash)
            .map_err(|e| Check::Failed { key: name.clone(), reason: format!("SDAD: {e}") })?;
        read.cryptogram = Some(signed.application_cryptogram);
        Ok(Check::Verified { key: name })
    })()
    .unwrap_or_else(|c| c);
    report_oda(s, Step::GenerateAc, &check);
    check
}

/// The cryptogram version the IAD declares, read by the scheme's layout.
pub(crate) fn declared_cvn(aid: &[u8], iad: &[u8]) -> Option<Cvn> {
    let mastercard = MastercardIad::parse(iad).ok().map(|i| i.cvn);
    let visa = AnyVisaIad::parse(iad).ok().map(|i| i.cvn());
    let code =
        if aid.starts_with(&[0xA0, 0x00, 0x00, 0x00, 0x03]) { visa.or(mastercard) } else { mastercard.or(visa) }?;
    Cvn::ALL.into_iter().find(|c| c.code() == code)
}

/// The application label (`50`) of the selected application's FCI.
fn label(read: &EmvRead) -> Option<&[u8]> {
    read.fci_view().and_then(|f| f.label)
}

/// How the AC is recomputed, for messages: `CVN 14 (mastercard-20), ICC MK option A`.
fn method(key: &IssuerKey, cvn: Cvn) -> String {
    let option = match key.derivation.unwrap_or(cvn.icc_mk_derivation()) {
        IccMkDerivation::OptionA => "A",
        IccMkDerivation::OptionB => "B",
        IccMkDerivation::OptionC => "C",
    };
    format!("CVN {:02X} ({}), ICC MK option {option}", cvn.code(), cvn_name(cvn))
}

/// A finding when the key is declared with a cryptogram version and the card's IAD declares
/// another one (where the IAD is decodable): the card is not personalised as the lab says.
fn check_declared_cvn(s: &mut Session<'_>, read: &EmvRead, config: &TerminalConfig, aid: &[u8], iad: Option<&[u8]>) {
    let Some(key) = config.keys.issuer_for_app(aid, label(read)) else { return };
    let (Some(declared), Some(card)) = (key.cvn, iad.and_then(|iad| declared_cvn(aid, iad))) else { return };
    if declared != card {
        let msg = format!(
            "the card's IAD (9F10) declares CVN {:02X} ({}); key {} is declared with CVN {:02X} ({})",
            card.code(),
            cvn_name(card),
            key.name,
            declared.code(),
            cvn_name(declared)
        );
        s.finding(finding(rules::EMV_AC_CVN, Step::GenerateAc, msg));
    }
}

/// The issuer's recomputation of the cryptogram: ICC MK from the PAN and PSN (by the key's
/// declared derivation, else the CVN's), the session key of the declared CVN (else the IAD's), over the recommended data set (Book 2 §8.1.1) taken from the terminal's own values.
fn verify_cryptogram(
    read: &EmvRead,
    config: &TerminalConfig,
    aid: &[u8],
    terminal: &TerminalData,
    iad: Option<&[u8]>,
) -> Check {
    let not_checked = |reason: &str| Check::NotChecked { reason: reason.into() };
    let Some(cryptogram) = read.cryptogram else { return not_checked("no cryptogram to check") };
    let Some(iad) = iad else { return not_checked("no issuer application data (9F10): cryptogram version unknown") };
    let Some(key) = config.keys.issuer_for_app(aid, label(read)) else {
        return not_checked("no issuer key configured for this AID");
    };
    let Some(cvn) = key.cvn_for(declared_cvn(aid, iad)) else {
        return not_checked("the IAD declares a cryptogram version this terminal does not know");
    };
    let failed = |reason: String| Check::Failed { key: key.name.clone(), reason };
    let Some(pan) = read.pan() else { return failed("no usable PAN (5A) to derive the ICC master key".into()) };
    let psn = read
        .record_value(Tag::PAN_SEQUENCE_NUMBER)
        .and_then(|v| v.first().copied())
        .and_then(decode_bcd_byte)
        .unwrap_or(0);
    let mut data = Vec::with_capacity(33);
    for tag in [0x9F02, 0x9F03, 0x9F1A, 0x95, 0x5F2A, 0x9A, 0x9C, 0x9F37] {
        data.extend_from_slice(terminal.value(Tag(tag)).unwrap_or_default());
    }
    data.extend_from_slice(&read.aip.unwrap_or_default());
    data.extend_from_slice(&read.atc.unwrap_or_default().to_be_bytes());
    let result = (|| {
        let mk = key.icc_mk_ac(cvn, &pan, psn)?;
        let ac_data = tapcert_crypto::AcData::from_bytes(&data)?;
        cvn.generate_ac(&mk, &ac_data, iad)
    })();
    match result {
        Ok(c) if c.ac == cryptogram => Check::Verified { key: key.name.clone() },
        Ok(c) => failed(format!(
            "{}: the card's AC {} is not {} (recomputed)",
            method(key, cvn),
            hex::encode_upper(cryptogram),
            hex::encode_upper(c.ac)
        )),
        Err(e) => failed(format!("{}: {e}", method(key, cvn))),
    }
}
