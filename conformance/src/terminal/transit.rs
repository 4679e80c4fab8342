//! The China transit e-purse, terminal side (T-Union JT/T 978, City Union; PBOC e-purse
//! commands): the read a gate does, and a purchase with MAC1 sent and MAC2 and TAC verified
//! with `tapcert_crypto::purse` under the terminal's named purse keys.
//!
//! ```text
//! SELECT A000000632010105             -> FCI, 9000
//! GET BALANCE 80 5C 00 02 04           -> balance (4 bytes), 9000
//! READ BINARY 00 B0 95 00 00           -> card information file (SFI 15), 9000
//! READ RECORD 00 B2 nn C4 00, n=1..    -> 23-byte log records (SFI 18), 9000; 6A83 after the last
//! INITIALIZE FOR PURCHASE 80 50 01 02 0B key index, amount, terminal id  -> 15 bytes, 9000
//! DEBIT FOR PURCHASE 80 54 01 00 0F terminal sequence, date, time, MAC1 -> TAC, MAC2, 9000
//! ```

use tapcert_crypto::purse::{
    PURCHASE_TRANSACTION_TYPE, PurchaseMacData, purse_mac1, purse_mac2, purse_session_key, purse_tac,
};
use tapcert_parsers::apdu::{Cla, CommandApduBuf, Ins, StatusWord};
use tapcert_parsers::transit::{
    CARD_INFO_SFI, CardInfo, DebitCommand, DebitResponse, LOG_RECORDS, LOG_SFI, PurchaseInitCommand,
    PurchaseInitResponse, TransitLogRecord, decode_transit_balance,
};

use super::config::{TerminalConfig, Timestamp};
use super::emv::Check;
use super::observation::{Halt, Observation, Session, Step};
use super::rules::{self, finding};
use crate::clock::Clock;
use crate::transport::Transport;

/// What a gate learns from one e-purse read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransitRead {
    /// The purse application selected.
    pub aid: Option<Vec<u8>>,
    /// Balance, in fen.
    pub balance: Option<u32>,
    /// The card information file.
    pub card_info: Option<CardInfo>,
    /// The transaction log, newest first, as the card orders it.
    pub log: Vec<TransitLogRecord>,
}

/// Whether the purchase sends a valid MAC1 or a deliberately wrong one (to see that the card
/// refuses it and keeps its money).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mac1 {
    /// The MAC1 the card must accept.
    Valid,
    /// MAC1 with its first byte inverted: the card must answer `9302` and change nothing.
    Corrupted,
}

/// What one purchase attempt showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRead {
    /// The amount asked, in fen.
    pub amount: u32,
    /// Which MAC1 was sent.
    pub mac1: Mac1,
    /// The purse application selected.
    pub aid: Option<Vec<u8>>,
    /// Balance before, in fen.
    pub balance_before: Option<u32>,
    /// The newest log record before the purchase.
    pub log_before: Option<TransitLogRecord>,
    /// The INITIALIZE FOR PURCHASE answer.
    pub init: Option<PurchaseInitResponse>,
    /// The DEBIT FOR PURCHASE status word.
    pub debit_sw: Option<StatusWord>,
    /// The DEBIT FOR PURCHASE answer (TAC, MAC2).
    pub debit: Option<DebitResponse>,
    /// MAC2 checked under the purchase session key.
    pub mac2: Option<Check>,
    /// TAC checked under the TAC key.
    pub tac: Option<Check>,
    /// Balance after, in fen.
    pub balance_after: Option<u32>,
    /// The two newest log records after the purchase.
    pub log_after: Vec<TransitLogRecord>,
}

/// Reads balance, card information and transaction log.
///
/// ```
/// use std::time::Duration;
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::terminal::{read_transit, TerminalConfig};
/// use tapcert_conformance::clock::ManualClock;
/// use tapcert_conformance::transport::{InProcess, T0};
///
/// let band = Band::new(find_profile("reference").unwrap());
/// let balance = band.balance();
/// let clock = ManualClock::new(std::time::Duration::ZERO, Duration::ZERO);
/// let read = read_transit(&mut T0::new(InProcess::new(band)), &TerminalConfig::default(), &clock);
/// assert!(read.is_clean());
/// assert_eq!(read.result.balance, Some(balance));
/// assert_eq!(read.result.card_info.unwrap().serial, [0x31, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
/// ```
pub fn read_transit(t: &mut dyn Transport, config: &TerminalConfig, clock: &dyn Clock) -> Observation<TransitRead> {
    let mut s = Session::new(t, clock);
    s.budget = config.exchange_budget;
    let mut read = TransitRead::default();
    let done = (|| {
        s.reset()?;
        read.aid = Some(select_purse(&mut s, config)?);
        read.balance = Some(get_balance(&mut s)?);
        let step = Step::ReadCardInfo;
        let cmd = CommandApduBuf::new(Cla(0x00), Ins::READ_BINARY, 0x80 | CARD_INFO_SFI, 0x00).with_ne(256);
        let data = s.send_ok(step, &cmd, rules::TRANSIT_CARD_INFO)?;
        match CardInfo::from_bytes(&data) {
            Ok(info) => read.card_info = Some(info),
            Err(e) => s.finding(finding(rules::TRANSIT_CARD_INFO, step, e.to_string())),
        }
        read.log = read_log(&mut s, LOG_RECORDS)?;
        Ok::<(), Halt>(())
    })()
    .is_ok();
    s.finish(read, done)
}

/// Runs one purchase of `amount` fen: balance, newest log record, INITIALIZE FOR PURCHASE,
/// DEBIT with a valid or a corrupted MAC1, MAC2 and TAC verification, balance and log after.
///
/// ```
/// use std::time::Duration;
/// use tapcert_conformance::sim::{find_profile, Band};
/// use tapcert_conformance::terminal::{purchase_transit, Mac1, TerminalConfig};
/// use tapcert_conformance::clock::ManualClock;
/// use tapcert_conformance::transport::{InProcess, T0};
///
/// let clock = ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO);
/// let mut t = T0::new(InProcess::new(Band::new(find_profile("reference").unwrap())));
/// let p = purchase_transit(&mut t, &TerminalConfig::default(), 150, Mac1::Valid, &clock);
/// assert!(p.is_clean(), "{:?}", p.findings);
/// assert_eq!((p.result.balance_before, p.result.balance_after), (Some(10_000), Some(9_850)));
///
/// // The faulty firmware that takes the money even when it refuses the MAC1.
/// let mut t = T0::new(InProcess::new(Band::new(find_profile("debit-failed-balance").unwrap())));
/// let p = purchase_transit(&mut t, &TerminalConfig::default(), 150, Mac1::Corrupted, &clock);
/// assert!(p.has("TRANSIT.BALANCE.ARITHMETIC"));
/// ```
pub fn purchase_transit(
    t: &mut dyn Transport,
    config: &TerminalConfig,
    amount: u32,
    mac1: Mac1,
    clock: &dyn Clock,
) -> Observation<PurchaseRead> {
    let mut s = Session::new(t, clock);
    s.budget = config.exchange_budget;
    let mut read = PurchaseRead {
        amount,
        mac1,
        aid: None,
        balance_before: None,
        log_before: None,
        init: None,
        debit_sw: None,
        debit: None,
        mac2: None,
        tac: None,
        balance_after: None,
        log_after: Vec::new(),
    };
    let done = purchase(&mut s, &mut read, config).is_ok();
    s.finish(read, done)
}

fn purchase(s: &mut Session<'_>, read: &mut PurchaseRead, config: &TerminalConfig) -> Result<(), Halt> {
    s.reset()?;
    read.aid = Some(select_purse(s, config)?);
    let before = get_balance(s)?;
    read.balance_before = Some(before);
    read.log_before = read_log(s, 1)?.into_iter().next();

    let step = Step::InitializeForPurchase;
    let init = PurchaseInitCommand {
        key_index: config.purse_key_index,
        amount: read.amount,
        terminal_id: config.purse_terminal_id,
    };
    let cmd =
        CommandApduBuf::new(Cla(0x80), Ins::INITIALIZE, 0x01, 0x02).with_data(init.to_bytes().to_vec()).with_ne(15);
    let data = s.send_ok(step, &cmd, rules::TRANSIT_INIT)?;
    let init = match PurchaseInitResponse::from_bytes(&data) {
        Ok(i) => i,
        Err(e) => {
            s.finding(finding(rules::TRANSIT_INIT, step, e.to_string()));
            return Err(Halt::Card);
        }
    };
    if init.balance != before {
        let msg = format!("states balance {} fen, GET BALANCE said {before}", init.balance);
        s.finding(finding(rules::TRANSIT_INIT, step, msg));
    }
    read.init = Some(init);
    let Some(keys) = config.keys.purse_for(config.purse_key_index) else {
        let msg = format!("no purse key with index {:02X}: the purchase stops here", config.purse_key_index);
        s.finding(finding(rules::TRANSIT_KEYS, step, msg));
        return Err(Halt::Card);
    };

    let step = Step::DebitForPurchase;
    let now = Timestamp::from_unix(s.now());
    let terminal_sequence = config.purse_terminal_sequence.to_be_bytes();
    let mac_data = PurchaseMacData {
        amount: read.amount,
        transaction_type: PURCHASE_TRANSACTION_TYPE,
        terminal_id: config.purse_terminal_id,
        date: now.yyyymmdd(),
        time: now.hhmmss(),
    };
    let session_key = purse_session_key(&keys.dpk, &init.random, init.offline_sequence, &terminal_sequence);
    let mut mac1 = purse_mac1(&session_key, &mac_data);
    if read.mac1 == Mac1::Corrupted {
        mac1[0] ^= 0xFF;
    }
    let debit = DebitCommand { terminal_sequence, date: mac_data.date, time: mac_data.time, mac1 };
    let cmd = CommandApduBuf::new(Cla(0x80), Ins::DEBIT, 0x01, 0x00).with_data(debit.to_bytes().to_vec()).with_ne(8);
    let answer = s.send(step, &cmd)?;
    read.debit_sw = Some(answer.sw);
    let accepted = answer.sw == StatusWord::OK;
    match (read.mac1, accepted) {
        (Mac1::Valid, true) => match DebitResponse::from_bytes(&answer.data) {
            Ok(d) => {
                let name = keys.name.clone();
                let mac2 = purse_mac2(&session_key, read.amount);
                read.mac2 = Some(if d.mac2 == mac2 {
                    Check::Verified { key: name.clone() }
                } else {
                    let reason = format!("MAC2 {} is not {}", hex::encode_upper(d.mac2), hex::encode_upper(mac2));
                    s.finding(finding(rules::TRANSIT_MAC2, step, format!("under {name}: {reason}")));
                    Check::Failed { key: name.clone(), reason }
                });
                let tac = purse_tac(&keys.dtk, &mac_data, &terminal_sequence);
                read.tac = Some(if d.tac == tac {
                    Check::Verified { key: name }
                } else {
                    let reason = format!("TAC {} is not {}", hex::encode_upper(d.tac), hex::encode_upper(tac));
                    s.finding(finding(rules::TRANSIT_TAC, step, format!("under {name}: {reason}")));
                    Check::Failed { key: name, reason }
                });
                read.debit = Some(d);
            }
            Err(e) => s.finding(finding(rules::TRANSIT_DEBIT, step, e.to_string())),
        },
        (Mac1::Valid, false) => {
            s.finding(finding(rules::TRANSIT_DEBIT, step, format!("a valid MAC1 was refused with {}", answer.sw)))
        }
        (Mac1::Corrupted, true) => s.finding(finding(rules::TRANSIT_MAC1, step, "a wrong MAC1 was accepted")),
        (Mac1::Corrupted, false) if answer.sw != StatusWord::EPURSE_MAC_INVALID => {
            let msg = format!("a wrong MAC1 was refused with {}, expected 9302", answer.sw);
            s.finding(finding(rules::TRANSIT_MAC1, step, msg))
        }
        (Mac1::Corrupted, false) => {}
    }

    let after = get_balance(s)?;
    read.balance_after = Some(after);
    let expected = if accepted { before.saturating_sub(read.amount) } else { before };
    if after != expected {
        let what = if accepted { "the purchase" } else { "the refused purchase" };
        let msg = format!("balance {before} -> {after} fen after {what} of {}, expected {expected}", read.amount);
        s.finding(finding(rules::TRANSIT_BALANCE_ARITHMETIC, Step::GetBalance, msg));
    }

    read.log_after = read_log(s, 2)?;
    let newest = read.log_after.first();
    let step = Step::ReadLog { record: 1 };
    if accepted {
        let ours = |r: &TransitLogRecord| {
            r.sequence == u16::from_be_bytes(init.offline_sequence)
                && r.amount == read.amount
                && r.transaction_type == PURCHASE_TRANSACTION_TYPE
                && r.terminal_id == config.purse_terminal_id
        };
        match newest {
            None => s.finding(finding(rules::TRANSIT_LOG_WRITTEN, step, "the purchase wrote no log record")),
            Some(r) if !ours(r) => {
                let msg = format!("the newest record (sequence {}, {} fen) is not this purchase", r.sequence, r.amount);
                s.finding(finding(rules::TRANSIT_LOG_WRITTEN, step, msg))
            }
            Some(_) if read.log_before.is_some() && read.log_after.get(1) != read.log_before.as_ref() => s.finding(
                finding(rules::TRANSIT_LOG_WRITTEN, step, "the record before this purchase moved by more than one"),
            ),
            Some(_) => {}
        }
    } else if newest != read.log_before.as_ref() {
        s.finding(finding(rules::TRANSIT_LOG_WRITTEN, step, "a refused purchase changed the transaction log"));
    }
    Ok(())
}

/// SELECT of the first purse application the card has.
fn select_purse(s: &mut Session<'_>, config: &TerminalConfig) -> Result<Vec<u8>, Halt> {
    let step = Step::SelectPurse;
    let mut answers = Vec::new();
    for aid in &config.purse_aids {
        let cmd = CommandApduBuf::new(Cla(0x00), Ins::SELECT, 0x04, 0x00).with_data(aid.clone()).with_ne(256);
        let a = s.send(step, &cmd)?;
        if a.sw == StatusWord::OK {
            return Ok(aid.clone());
        }
        answers.push(format!("{} answered {}", hex::encode_upper(aid), a.sw));
    }
    s.finding(finding(rules::TRANSIT_SELECT, step, format!("no e-purse application: {}", answers.join(", "))));
    Err(Halt::Card)
}

fn get_balance(s: &mut Session<'_>) -> Result<u32, Halt> {
    let step = Step::GetBalance;
    let cmd = CommandApduBuf::new(Cla(0x80), Ins::GET_BALANCE, 0x00, 0x02).with_ne(4);
    let data = s.send_ok(step, &cmd, rules::TRANSIT_BALANCE)?;
    decode_transit_balance(&data).map_err(|e| {
        s.finding(finding(rules::TRANSIT_BALANCE, step, e.to_string()));
        Halt::Card
    })
}

/// Up to `most` log records from the newest; `6A83` ends the log.
fn read_log(s: &mut Session<'_>, most: u8) -> Result<Vec<TransitLogRecord>, Halt> {
    let mut log = Vec::new();
    for record in 1..=most.min(LOG_RECORDS) {
        let step = Step::ReadLog { record };
        let cmd = CommandApduBuf::new(Cla(0x00), Ins::READ_RECORD, record, (LOG_SFI << 3) | 0x04).with_ne(256);
        let a = s.send(step, &cmd)?;
        match a.sw {
            StatusWord::OK => match TransitLogRecord::from_bytes(&a.data) {
                Ok(r) => log.push(r),
                Err(e) => {
                    s.finding(finding(rules::TRANSIT_LOG_FORMAT, step, e.to_string()));
                    break;
                }
            },
            StatusWord::RECORD_NOT_FOUND => break,
            sw => {
                s.finding(finding(rules::TRANSIT_LOG_FORMAT, step, format!("answered {sw}, expected 9000 or 6A83")));
                break;
            }
        }
    }
    Ok(log)
}
