//! The EMV contactless read and first GENERATE AC (EMV Contactless Book B Entry Point, EMV
//! Book 3 §10 application selection to §9.3 GENERATE AC), terminal side.
//!
//! ```text
//! SELECT 2PAY.SYS.DDF01   -> 6F{84, A5{BF0C{61{4F aid, 50 label, 87 priority}...}}}
//! SELECT aid              -> 6F{84, A5{50, 9F38 PDOL?}}
//! GPO 83{PDOL data}       -> 80{AIP, AFL} | 77{82 AIP, 94 AFL, ...}
//! READ RECORD per AFL     -> 70{...}       (CDOL1 8C is found here)
//! GENERATE AC ARQC        -> 80{CID, ATC, AC, IAD} | 77{9F27, 9F36, 9F26, 9F10?}
//! ```

use tapcert_parsers::tlv::{
    Tag, TlvNode, build_emv_dol_data, decode_emv_tlv, emv_dol_data_len, encode_emv_tlv, parse_emv_dol,
};

use super::terminal::{TerminalConfig, bcd_date_time};
use super::{FlowError, Step, exchange_ok, select_by_name, short_command};
use crate::clock::{Clock, UnpredictableSource};
use crate::transport::{RawAtr, Transport};

/// The PPSE directory name (EMV Contactless Book B §3.3).
pub const PPSE_NAME: &[u8] = b"2PAY.SYS.DDF01";
/// Most AFL entries followed (an AFL value of 252 bytes holds 63; real cards use 1-6).
pub const MAX_AFL_ENTRIES: usize = 16;
/// Most records read in one transaction, over all AFL entries.
pub const MAX_RECORDS: usize = 64;
/// Most PPSE directory entries considered.
const MAX_PPSE_ENTRIES: usize = 32;
/// PDOL data must fit `83 81 xx` inside a short command: 255 - 3.
const MAX_PDOL_DATA: usize = 252;
/// CDOL1 data is the whole command data of a short GENERATE AC.
const MAX_CDOL1_DATA: usize = 255;

/// One application listed by the PPSE (directory entry template `61`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpseEntry {
    /// ADF name (`4F`), 5 to 16 bytes.
    pub aid: Vec<u8>,
    /// Application label (`50`), if given.
    pub label: Option<Vec<u8>>,
    /// Application priority indicator (`87`), if given.
    pub priority: Option<u8>,
}

impl PpseEntry {
    /// Selection order: priority 1 (highest) to 15, then entries without a priority (EMV
    /// Book 1 §12.4: `0` in b4-b1 means no priority assigned).
    fn rank(&self) -> u8 {
        match self.priority.map(|p| p & 0x0F) {
            Some(p) if p != 0 => p,
            _ => 16,
        }
    }
}

/// One Application File Locator entry (EMV Book 3 §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AflEntry {
    /// Short file identifier (1-30).
    pub sfi: u8,
    /// First record to read.
    pub first: u8,
    /// Last record to read.
    pub last: u8,
    /// How many of them, from the first, take part in offline data authentication.
    pub oda_records: u8,
}

/// The contents of one record (inside template `70`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordData {
    /// Short file identifier.
    pub sfi: u8,
    /// Record number.
    pub record: u8,
    /// The record's value: the data objects inside `70`.
    pub value: Vec<u8>,
}

/// The kind of cryptogram a card returned (Cryptogram Information Data `9F27`, b8-b7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CryptogramType {
    /// `00`: Application Authentication Cryptogram (declined).
    Aac,
    /// `01`: Transaction Certificate (approved offline).
    Tc,
    /// `10`: Authorisation Request Cryptogram (go online).
    Arqc,
    /// `11`: reserved for future use.
    Rfu,
}

impl CryptogramType {
    fn from_cid(cid: u8) -> Self {
        match cid >> 6 {
            0 => CryptogramType::Aac,
            1 => CryptogramType::Tc,
            2 => CryptogramType::Arqc,
            _ => CryptogramType::Rfu,
        }
    }
}

/// A parsed GENERATE AC response (EMV Book 3 §6.5.5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateAcResponse {
    /// `1` for template `80`, `2` for template `77`.
    pub format: u8,
    /// Cryptogram Information Data (`9F27`).
    pub cid: u8,
    /// What the CID says the cryptogram is.
    pub cryptogram_type: CryptogramType,
    /// Application Transaction Counter (`9F36`).
    pub atc: u16,
    /// Application Cryptogram (`9F26`).
    pub cryptogram: [u8; 8],
    /// Issuer Application Data (`9F10`), if present.
    pub issuer_application_data: Option<Vec<u8>>,
}

/// Everything the terminal learnt from one contactless read and GENERATE AC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvTransaction {
    /// The card's ATR.
    pub atr: RawAtr,
    /// Applications listed by the PPSE, in the card's order.
    pub candidates: Vec<PpseEntry>,
    /// The application selected.
    pub selected: PpseEntry,
    /// The PDOL data sent in GPO (empty without a PDOL).
    pub pdol_data: Vec<u8>,
    /// Application Interchange Profile (`82`).
    pub aip: [u8; 2],
    /// The AFL followed.
    pub afl: Vec<AflEntry>,
    /// Records read, in AFL order.
    pub records: Vec<RecordData>,
    /// The CDOL1 data sent in GENERATE AC.
    pub cdol1_data: Vec<u8>,
    /// The unpredictable number (`9F37`) of this transaction.
    pub unpredictable_number: [u8; 4],
    /// The transaction date (`9A`, YYMMDD BCD).
    pub transaction_date: [u8; 3],
    /// The card's answer to GENERATE AC.
    pub generate_ac: GenerateAcResponse,
}

/// Runs the EMV contactless read and a first GENERATE AC asking for an ARQC.
///
/// The transport should be wrapped in [`crate::transport::T0`] when the link may show `61xx`
/// or `6Cxx`; the flow itself accepts `9000` only.
///
/// ```
/// use std::time::Duration;
/// use tapcert_conformance::flow::{read_emv_and_generate_ac, CryptogramType, FlowError, Step, TerminalConfig};
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::clock::{ManualClock, SeededRng};
/// use tapcert_conformance::transport::{InProcess, T0};
///
/// let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
/// let band = |name| T0::new(InProcess::new(Band::new(find_profile(name).unwrap())));
/// let config = TerminalConfig::default();
///
/// let tx = read_emv_and_generate_ac(&mut band("reference"), &config, &mut SeededRng::new(1), &clock).unwrap();
/// assert_eq!(tx.generate_ac.cryptogram_type, CryptogramType::Arqc);
/// assert_eq!(tx.transaction_date, [0x26, 0x11, 0x22]);
///
/// // A firmware whose AFL lists a record it cannot find.
/// let err = read_emv_and_generate_ac(&mut band("afl-missing-record"), &config, &mut SeededRng::new(1), &clock);
/// assert!(matches!(err, Err(FlowError::Status { step: Step::ReadRecord { sfi: 1, record: 3 }, sw: 0x6A83, .. })));
/// ```
pub fn read_emv_and_generate_ac(
    t: &mut dyn Transport,
    config: &TerminalConfig,
    un_source: &mut dyn UnpredictableSource,
    clock: &dyn Clock,
) -> Result<EmvTransaction, FlowError> {
    let atr = t.reset().map_err(|source| FlowError::Transport { step: Step::Reset, source })?;

    let step = Step::SelectPpse;
    let ppse = exchange_ok(t, step, &select_by_name(PPSE_NAME))?;
    let candidates = parse_ppse(&ppse)?;
    let selected = candidates.iter().min_by_key(|e| e.rank()).cloned().ok_or(FlowError::NoApplication)?;

    let step = Step::SelectApplication;
    let fci = exchange_ok(t, step, &select_by_name(&selected.aid))?;
    let fci_nodes = decode(step, &fci)?;
    let fci_top = first_with(step, &fci_nodes, Tag(0x6F))?;
    let pdol = fci_top.find(Tag(0xA5)).and_then(|a5| direct(a5, Tag(0x9F38))).map(|n| n.tlv.value);

    let mut un = [0u8; 4];
    un_source.fill(&mut un);
    let (transaction_date, time) = bcd_date_time(clock.now());
    let terminal = config.data(un, transaction_date, time);

    let step = Step::GetProcessingOptions;
    let pdol_data = match pdol {
        Some(pdol) => {
            let entries = parse_emv_dol(pdol).map_err(|source| FlowError::Dol {
                step: Step::SelectApplication,
                which: "PDOL",
                source,
            })?;
            let count = emv_dol_data_len(&entries);
            if count > MAX_PDOL_DATA {
                return Err(FlowError::Limit { step, what: "PDOL data length", count, limit: MAX_PDOL_DATA });
            }
            build_emv_dol_data(&entries, |tag| terminal.value(tag))
        }
        None => Vec::new(),
    };
    let mut template = Vec::with_capacity(pdol_data.len() + 3);
    encode_emv_tlv(Tag(0x83), &pdol_data, &mut template);
    let gpo = exchange_ok(t, step, &short_command([0x80, 0xA8, 0x00, 0x00], &template, true))?;
    let (aip, afl_bytes) = parse_gpo(&gpo)?;
    let afl = parse_afl(&afl_bytes)?;

    let wanted = afl.iter().map(|e| usize::from(e.last - e.first) + 1).sum::<usize>();
    if wanted > MAX_RECORDS {
        return Err(FlowError::Limit { step, what: "records in the AFL", count: wanted, limit: MAX_RECORDS });
    }
    let mut records = Vec::with_capacity(wanted);
    for e in &afl {
        for record in e.first..=e.last {
            let step = Step::ReadRecord { sfi: e.sfi, record };
            let data = exchange_ok(t, step, &[0x00, 0xB2, record, (e.sfi << 3) | 0x04, 0x00])?;
            let value = parse_record(step, e.sfi, &data)?;
            records.push(RecordData { sfi: e.sfi, record, value });
        }
    }

    let step = Step::GenerateAc;
    let cdol1 = find_in_records(step, &records, Tag(0x8C))?.ok_or(FlowError::MissingObject { step, tag: Tag(0x8C) })?;
    let entries = parse_emv_dol(&cdol1).map_err(|source| FlowError::Dol { step, which: "CDOL1", source })?;
    let count = emv_dol_data_len(&entries);
    if count > MAX_CDOL1_DATA {
        return Err(FlowError::Limit { step, what: "CDOL1 data length", count, limit: MAX_CDOL1_DATA });
    }
    if count == 0 {
        return Err(FlowError::BadObject { step, tag: Tag(0x8C), reason: "CDOL1 asks for no data" });
    }
    let cdol1_data = build_emv_dol_data(&entries, |tag| terminal.value(tag));
    // P1 = 80: ARQC requested, no CDA signature.
    let ac = exchange_ok(t, step, &short_command([0x80, 0xAE, 0x80, 0x00], &cdol1_data, true))?;
    let generate_ac = parse_generate_ac(&ac)?;

    Ok(EmvTransaction {
        atr,
        candidates,
        selected,
        pdol_data,
        aip,
        afl,
        records,
        cdol1_data,
        unpredictable_number: un,
        transaction_date,
        generate_ac,
    })
}

fn decode(step: Step, data: &[u8]) -> Result<Vec<TlvNode<'_>>, FlowError> {
    decode_emv_tlv(data).map_err(|source| FlowError::Tlv { step, source })
}

fn first_with<'n, 'a>(step: Step, nodes: &'n [TlvNode<'a>], tag: Tag) -> Result<&'n TlvNode<'a>, FlowError> {
    nodes.iter().find(|n| n.tlv.tag == tag).ok_or(FlowError::MissingObject { step, tag })
}

fn direct<'n, 'a>(node: &'n TlvNode<'a>, tag: Tag) -> Option<&'n TlvNode<'a>> {
    node.children.iter().find(|c| c.tlv.tag == tag)
}

fn parse_ppse(data: &[u8]) -> Result<Vec<PpseEntry>, FlowError> {
    let step = Step::SelectPpse;
    let nodes = decode(step, data)?;
    let fci = first_with(step, &nodes, Tag(0x6F))?;
    let a5 = direct(fci, Tag(0xA5)).ok_or(FlowError::MissingObject { step, tag: Tag(0xA5) })?;
    let dir = direct(a5, Tag(0xBF0C)).ok_or(FlowError::MissingObject { step, tag: Tag(0xBF0C) })?;
    let mut entries = Vec::new();
    for entry in dir.children.iter().filter(|c| c.tlv.tag == Tag(0x61)).take(MAX_PPSE_ENTRIES) {
        let Some(aid) = direct(entry, Tag(0x4F)).map(|n| n.tlv.value) else { continue };
        if !(5..=16).contains(&aid.len()) {
            continue;
        }
        entries.push(PpseEntry {
            aid: aid.to_vec(),
            label: direct(entry, Tag(0x50)).map(|n| n.tlv.value.to_vec()),
            priority: direct(entry, Tag(0x87)).and_then(|n| n.tlv.value.first().copied()),
        });
    }
    Ok(entries)
}

/// AIP and AFL bytes of a GPO response, format 1 (`80`) or 2 (`77`).
fn parse_gpo(data: &[u8]) -> Result<([u8; 2], Vec<u8>), FlowError> {
    let step = Step::GetProcessingOptions;
    let nodes = decode(step, data)?;
    let top = nodes.first().ok_or(FlowError::MissingObject { step, tag: Tag(0x77) })?;
    match top.tlv.tag {
        Tag(0x80) => {
            let v = top.tlv.value;
            if v.len() < 2 || (v.len() - 2) % 4 != 0 {
                return Err(FlowError::BadObject { step, tag: Tag(0x80), reason: "expected AIP (2) + AFL (4n) bytes" });
            }
            Ok(([v[0], v[1]], v[2..].to_vec()))
        }
        Tag(0x77) => {
            let aip = direct(top, Tag(0x82)).ok_or(FlowError::MissingObject { step, tag: Tag(0x82) })?;
            let aip: [u8; 2] = aip.tlv.value.try_into().map_err(|_| FlowError::BadObject {
                step,
                tag: Tag(0x82),
                reason: "AIP must be 2 bytes",
            })?;
            let afl = direct(top, Tag(0x94)).map(|n| n.tlv.value.to_vec()).unwrap_or_default();
            Ok((aip, afl))
        }
        _ => Err(FlowError::MissingObject { step, tag: Tag(0x77) }),
    }
}

/// Splits and checks an AFL (EMV Book 3 §10.2).
fn parse_afl(afl: &[u8]) -> Result<Vec<AflEntry>, FlowError> {
    if afl.len() % 4 != 0 {
        return Err(FlowError::BadObject {
            step: Step::GetProcessingOptions,
            tag: Tag(0x94),
            reason: "AFL length must be a multiple of 4",
        });
    }
    let count = afl.len() / 4;
    if count > MAX_AFL_ENTRIES {
        return Err(FlowError::Limit {
            step: Step::GetProcessingOptions,
            what: "AFL entries",
            count,
            limit: MAX_AFL_ENTRIES,
        });
    }
    afl.chunks_exact(4)
        .enumerate()
        .map(|(index, c)| {
            let e = AflEntry { sfi: c[0] >> 3, first: c[1], last: c[2], oda_records: c[3] };
            let bad = |reason| Err(FlowError::BadAfl { index, reason });
            if !(1..=30).contains(&e.sfi) {
                bad("SFI must be 1-30")
            } else if e.first == 0 {
                bad("first record must not be 0")
            } else if e.last < e.first {
                bad("last record before the first")
            } else if usize::from(e.oda_records) > usize::from(e.last - e.first) + 1 {
                bad("more ODA records than records")
            } else {
                Ok(e)
            }
        })
        .collect()
}

/// The value of template `70` (mandatory for SFI 1-10, EMV Book 3 §7.2).
fn parse_record(step: Step, sfi: u8, data: &[u8]) -> Result<Vec<u8>, FlowError> {
    let nodes = decode(step, data)?;
    match nodes.first() {
        Some(n) if n.tlv.tag == Tag(0x70) => Ok(n.tlv.value.to_vec()),
        Some(_) if sfi > 10 => Ok(data.to_vec()),
        _ => Err(FlowError::MissingObject { step, tag: Tag(0x70) }),
    }
}

fn find_in_records(step: Step, records: &[RecordData], tag: Tag) -> Result<Option<Vec<u8>>, FlowError> {
    for r in records {
        let nodes = decode(step, &r.value)?;
        if let Some(n) = nodes.iter().find_map(|n| n.find(tag)) {
            return Ok(Some(n.tlv.value.to_vec()));
        }
    }
    Ok(None)
}

fn parse_generate_ac(data: &[u8]) -> Result<GenerateAcResponse, FlowError> {
    let step = Step::GenerateAc;
    let nodes = decode(step, data)?;
    let top = nodes.first().ok_or(FlowError::MissingObject { step, tag: Tag(0x77) })?;
    match top.tlv.tag {
        Tag(0x80) => {
            let v = top.tlv.value;
            if !(11..=11 + 32).contains(&v.len()) {
                return Err(FlowError::BadObject {
                    step,
                    tag: Tag(0x80),
                    reason: "expected CID, ATC, AC and up to 32 IAD bytes",
                });
            }
            let mut cryptogram = [0u8; 8];
            cryptogram.copy_from_slice(&v[3..11]);
            Ok(GenerateAcResponse {
                format: 1,
                cid: v[0],
                cryptogram_type: CryptogramType::from_cid(v[0]),
                atc: u16::from_be_bytes([v[1], v[2]]),
                cryptogram,
                issuer_application_data: (v.len() > 11).then(|| v[11..].to_vec()),
            })
        }
        Tag(0x77) => {
            let fixed = |tag: Tag, len: usize, reason| -> Result<&[u8], FlowError> {
                let n = direct(top, tag).ok_or(FlowError::MissingObject { step, tag })?;
                if n.tlv.value.len() != len {
                    return Err(FlowError::BadObject { step, tag, reason });
                }
                Ok(n.tlv.value)
            };
            let cid = fixed(Tag(0x9F27), 1, "CID must be 1 byte")?[0];
            let atc = fixed(Tag(0x9F36), 2, "ATC must be 2 bytes")?;
            let mut cryptogram = [0u8; 8];
            cryptogram.copy_from_slice(fixed(Tag(0x9F26), 8, "cryptogram must be 8 bytes")?);
            Ok(GenerateAcResponse {
                format: 2,
                cid,
                cryptogram_type: CryptogramType::from_cid(cid),
                atc: u16::from_be_bytes([atc[0], atc[1]]),
                cryptogram,
                issuer_application_data: direct(top, Tag(0x9F10)).map(|n| n.tlv.value.to_vec()),
            })
        }
        _ => Err(FlowError::MissingObject { step, tag: Tag(0x77) }),
    }
}
