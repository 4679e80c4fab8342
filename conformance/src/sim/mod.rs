//! The reference virtual band: card applications behind one [`Card`].
//!
//! | Application | Selected by | Commands |
//! |---|---|---|
//! | PPSE | `2PAY.SYS.DDF01` | SELECT (lists the payment application) |
//! | EMV contactless payment | `A0000000041010` | SELECT (FCI + PDOL), GPO (format 2), READ RECORD (with the CDA certificates), GET DATA (ATC), GENERATE AC (ARQC, CDA) |
//! | T-Union / City Union e-purse | `A000000632010105`, `A00000000386980701` | GET BALANCE, READ BINARY SFI 15, READ RECORD SFI 18, INITIALIZE/DEBIT FOR PURCHASE |
//! | NFC Forum Type 4 Tag | `D2760000850101` | SELECT E103/E104, READ BINARY, (UPDATE BINARY refused) |
//! | PC/SC pseudo-APDU | always | GET DATA UID `FF CA 00 00 00` |
//!
//! Out-of-order and malformed commands get the ISO/IEC 7816-4 status words (`6985`, `6A82`,
//! `6A83`, `6A86`, `6D00`, `6E00`, `6700`, ...). Counters, balance and the transaction log
//! survive power cycles; selections and half-done transactions do not. The only randomness
//! (the e-purse's pseudo-random number) comes from a seeded generator, so runs reproduce.
//!
//! ```
//! use tapcert_conformance::sim::{Band, find_profile};
//! use tapcert_conformance::transport::{InProcess, Transport};
//! let mut t = InProcess::new(Band::new(find_profile("reference").unwrap()));
//! t.reset().unwrap();
//! let select = hex::decode("00A4040008A00000063201010500").unwrap();
//! assert_eq!(t.transmit(&select).unwrap().sw(), Some(0x9000));
//! let balance = t.transmit(&[0x80, 0x5C, 0x00, 0x02, 0x04]).unwrap();
//! assert_eq!(balance.as_bytes(), [0x00, 0x00, 0x27, 0x10, 0x90, 0x00]);
//! ```

mod display;
mod emv;
mod keys;
mod ndef;
mod oda;
mod profile;
mod transit;

use std::collections::VecDeque;

pub use display::CodeDisplay;
pub use oda::TEST_ONLY_CA_INDEX;
pub use profile::{Faults, FirmwareProfile, ProfileKind, find_profile, profiles};

use tapcert_parsers::apdu::{CommandApdu, LengthForm, StatusWord};
use tapcert_parsers::transit::TransitLogRecord;

use crate::card::{Card, CardReply};
use crate::clock::SeededRng;

/// Personalisation of a band: who it is and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandConfig {
    /// PAN digits (a test PAN; shown masked everywhere).
    pub pan: String,
    /// PAN sequence number.
    pub psn: u8,
    /// Expiry, `YYMMDD`.
    pub expiry: [u8; 3],
    /// Anticollision UID returned by `FF CA 00 00 00`.
    pub uid: Vec<u8>,
    /// The NDEF message in the Type 4 Tag's NDEF file.
    pub ndef_message: Vec<u8>,
    /// E-purse balance at personalisation, in fen (1/100 CNY).
    pub initial_balance: u32,
    /// Application transaction counter at personalisation.
    pub initial_atc: u16,
    /// Seed of the band's pseudo-random numbers.
    pub seed: u64,
}

impl Default for BandConfig {
    fn default() -> Self {
        BandConfig {
            pan: "5413330089600010".into(),
            psn: 0x01,
            expiry: [0x30, 0x12, 0x31],
            uid: vec![0x04, 0x5A, 0x3B, 0x12, 0x9C, 0x61, 0x80],
            ndef_message: ndef::default_message(),
            initial_balance: 10_000,
            initial_atc: 0x0010,
            seed: 0x7A9C_E27C_0000_0001,
        }
    }
}

/// Which application is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    None,
    Ppse,
    Emv,
    Transit,
    Ndef,
}

/// State that survives power cycles.
#[derive(Debug, Clone)]
struct Persistent {
    atc: u16,
    balance: u32,
    purse_seq: u16,
    log: VecDeque<TransitLogRecord>,
}

/// State lost when the field goes off.
#[derive(Debug, Clone)]
struct Session {
    selected: Selected,
    gpo_done: bool,
    ac_done: bool,
    /// PDOL data of the GPO, hashed into a CDA signature.
    pdol_data: Vec<u8>,
    purchase: Option<transit::PurchaseInit>,
    ndef_file: Option<u16>,
    mute: bool,
}

impl Session {
    fn new() -> Self {
        Session {
            selected: Selected::None,
            gpo_done: false,
            ac_done: false,
            pdol_data: Vec::new(),
            purchase: None,
            ndef_file: None,
            mute: false,
        }
    }
}

/// The reference virtual band running one firmware [`FirmwareProfile`].
#[derive(Debug, Clone)]
pub struct Band {
    profile: FirmwareProfile,
    config: BandConfig,
    persistent: Persistent,
    session: Session,
    rng: SeededRng,
}

/// The pseudo-ATR a PC/SC reader builds for an ISO/IEC 14443-4 card without historical bytes
/// (PC/SC Part 3 §3.1.3.2.3): `3B 80 80 01 01`.
pub const BAND_ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

impl Band {
    /// A band with the default test personalisation.
    pub fn new(profile: FirmwareProfile) -> Self {
        Self::with_config(profile, BandConfig::default())
    }

    /// A band with a chosen personalisation.
    pub fn with_config(profile: FirmwareProfile, config: BandConfig) -> Self {
        let persistent =
            Persistent { atc: config.initial_atc, balance: config.initial_balance, purse_seq: 0, log: VecDeque::new() };
        let rng = SeededRng::new(config.seed);
        Band { profile, config, persistent, session: Session::new(), rng }
    }

    /// The firmware profile.
    pub fn profile(&self) -> &FirmwareProfile {
        &self.profile
    }

    /// The personalisation.
    pub fn config(&self) -> &BandConfig {
        &self.config
    }

    /// Current application transaction counter.
    pub fn atc(&self) -> u16 {
        self.persistent.atc
    }

    /// Current e-purse balance in fen.
    pub fn balance(&self) -> u32 {
        self.persistent.balance
    }

    /// Number of transaction log records.
    pub fn log_len(&self) -> usize {
        self.persistent.log.len()
    }

    fn faults(&self) -> &Faults {
        &self.profile.faults
    }

    fn select(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        match cmd.p1() {
            0x04 => {
                if cmd.data().is_empty() {
                    return CardReply::sw(StatusWord::WRONG_LENGTH.0);
                }
                let fci_wanted = cmd.p2() & 0x0C == 0x00;
                let (selected, fci) = match cmd.data() {
                    d if d == emv::PPSE_NAME => (Selected::Ppse, self.ppse_fci()),
                    d if d == emv::EMV_AID => (Selected::Emv, self.emv_fci()),
                    d if Band::is_purse_aid(d) => (Selected::Transit, self.transit_fci(d)),
                    d if d == ndef::NDEF_AID => (Selected::Ndef, Vec::new()),
                    _ => return CardReply::sw(self.faults().unknown_aid_sw),
                };
                let keep_mute = self.session.mute;
                self.session = Session::new();
                self.session.mute = keep_mute;
                self.session.selected = selected;
                if fci_wanted { CardReply::data(&fci, StatusWord::OK.0) } else { CardReply::sw(StatusWord::OK.0) }
            }
            0x00 | 0x02 if self.session.selected == Selected::Ndef => self.ndef_select_file(cmd),
            0x00 | 0x02 => CardReply::sw(StatusWord::FILE_NOT_FOUND.0),
            _ => CardReply::sw(StatusWord::INCORRECT_P1_P2.0),
        }
    }

    fn get_uid(&self, cmd: &CommandApdu<'_>) -> CardReply {
        if (cmd.p1(), cmd.p2()) != (0x00, 0x00) {
            return CardReply::sw(StatusWord::INCORRECT_P1_P2.0);
        }
        let uid = &self.config.uid;
        match cmd.ne().map(|n| n as usize) {
            Some(le) if le != 256 && le != uid.len() => CardReply::sw(0x6C00 | uid.len() as u16),
            _ => CardReply::data(uid, StatusWord::OK.0),
        }
    }
}

impl Card for Band {
    fn power_on(&mut self) -> Vec<u8> {
        self.session = Session::new();
        BAND_ATR.to_vec()
    }

    fn power_off(&mut self) {
        self.session = Session::new();
    }

    fn process(&mut self, capdu: &[u8]) -> CardReply {
        if self.session.mute {
            return CardReply::mute();
        }
        // Like most contactless firmware, the band takes short APDUs only: extended or
        // malformed ones are 6700.
        let cmd = match CommandApdu::from_bytes(capdu) {
            Ok(c) if c.form() != Some(LengthForm::Extended) => c,
            _ => return CardReply::sw(StatusWord::WRONG_LENGTH.0),
        };
        match (cmd.cla().0, cmd.ins().0) {
            (0xFF, 0xCA) => return self.get_uid(&cmd),
            (0xFF, _) => return CardReply::sw(StatusWord::INS_NOT_SUPPORTED.0),
            (cla, _) if cla & 0x7C != 0 => return CardReply::sw(StatusWord::CLA_NOT_SUPPORTED.0),
            (0x00..=0x03, 0xA4) => return self.select(&cmd),
            _ => {}
        }
        match self.session.selected {
            Selected::Emv => self.emv_process(&cmd),
            Selected::Transit => self.transit_process(&cmd),
            Selected::Ndef => self.ndef_process(&cmd),
            Selected::Ppse | Selected::None => match cmd.ins().0 {
                0xA8 | 0xAE | 0xB2 | 0xB0 | 0x5C | 0x50 | 0x54 | 0xCA => {
                    CardReply::sw(StatusWord::CONDITIONS_NOT_SATISFIED.0)
                }
                _ => CardReply::sw(StatusWord::INS_NOT_SUPPORTED.0),
            },
        }
    }
}

/// Appends a primitive or constructed object (value already encoded).
fn tlv(tag: u32, value: &[u8], out: &mut Vec<u8>) {
    tapcert_parsers::tlv::encode_emv_tlv(tapcert_parsers::tlv::Tag(tag), value, out);
}

/// A constructed object from its encoded children.
fn template(tag: u32, children: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(children.len() + 4);
    tlv(tag, children, &mut out);
    out
}

#[cfg(test)]
mod tests;
