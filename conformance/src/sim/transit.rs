//! The T-Union / City Union e-purse (PBOC e-purse commands as JR/T 0025 and the T-Union
//! specification use them).
//!
//! - GET BALANCE `80 5C 00 02 04`: 4-byte balance in fen.
//! - READ BINARY SFI `15`: 30-byte card information file.
//! - READ RECORD SFI `18`: transaction log, 23-byte records, newest first, 10 kept.
//! - INITIALIZE FOR PURCHASE `80 50 01 02 0B` (key index, amount, terminal ID): balance,
//!   offline sequence, overdraft limit, key version, algorithm, pseudo-random.
//! - DEBIT FOR PURCHASE `80 54 01 00 0F` (terminal sequence, date, time, MAC1): TAC, MAC2.
//!
//! Session key = 3DES(DPK, random ‖ offline sequence ‖ terminal sequence[2..4]); MAC1 and MAC2
//! are DES MACs under it, TAC a DES MAC under DTK-left ⊕ DTK-right.

use super::keys;
use super::{Band, CardReply, Command, sw, template, tlv};

/// T-Union e-purse AID.
pub(crate) const TRANSIT_AID: &[u8] = &[0xA0, 0x00, 0x00, 0x06, 0x32, 0x01, 0x01, 0x05];
/// City Union (MoHURD city card interconnection) e-purse AID: same PBOC e-purse commands, so it
/// selects the same purse.
pub(crate) const CITY_UNION_AID: &[u8] = &[0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01];
/// Length of one transaction log record.
pub const TRANSIT_LOG_RECORD_LEN: usize = 23;
const LOG_SFI: u8 = 0x18;
const CARD_INFO_SFI: u8 = 0x15;
const LOG_MAX: usize = 10;
/// Transaction type of a purchase (PBOC: 06).
const PURCHASE_TYPE: u8 = 0x06;

/// What INITIALIZE FOR PURCHASE remembers for the DEBIT that must follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PurchaseInit {
    amount: [u8; 4],
    terminal_id: [u8; 6],
    random: [u8; 4],
}

impl Band {
    pub(super) fn transit_fci(&self, aid: &[u8]) -> Vec<u8> {
        let mut prop = Vec::new();
        tlv(0x9F08, &[0x02], &mut prop);
        // Log entry: SFI 18, 10 records.
        let mut disc = Vec::new();
        tlv(0x9F4D, &[LOG_SFI, LOG_MAX as u8], &mut disc);
        tlv(0xBF0C, &disc, &mut prop);
        let mut fci = Vec::new();
        tlv(0x84, aid, &mut fci);
        tlv(0xA5, &prop, &mut fci);
        template(0x6F, &fci)
    }

    fn card_info(&self) -> [u8; 30] {
        let mut f = [0u8; 30];
        f[..8].copy_from_slice(&[0x02, 0x90, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]); // issuer
        f[8] = 0x02; // application type: e-purse
        f[9] = 0x01; // application version
        f[10..20].copy_from_slice(&[0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34]); // serial
        f[20..24].copy_from_slice(&[0x20, 0x20, 0x01, 0x01]); // valid from
        f[24..28].copy_from_slice(&[0x20, 0x30, 0x12, 0x31]); // valid to
        f
    }

    pub(super) fn transit_process(&mut self, cmd: &Command<'_>) -> CardReply {
        match (cmd.cla, cmd.ins) {
            (0x80, 0x5C) => self.get_balance(cmd),
            (0x00, 0xB0) => self.transit_read_binary(cmd),
            (0x00, 0xB2) => self.transit_read_record(cmd),
            (0x80, 0x50) => self.initialize_purchase(cmd),
            (0x80, 0x54) => self.debit_purchase(cmd),
            (0x00, 0x5C | 0x50 | 0x54) => CardReply::sw(sw::CLA_NOT_SUPPORTED),
            _ => CardReply::sw(sw::INS_NOT_SUPPORTED),
        }
    }

    fn get_balance(&self, cmd: &Command<'_>) -> CardReply {
        if cmd.p1 != 0x00 || cmd.p2 != 0x02 {
            return CardReply::sw(sw::WRONG_P1P2);
        }
        if cmd.le != Some(4) || !cmd.data.is_empty() {
            return CardReply::sw(sw::WRONG_LENGTH);
        }
        CardReply::data(&self.persistent.balance.to_be_bytes(), sw::OK)
    }

    fn transit_read_binary(&self, cmd: &Command<'_>) -> CardReply {
        if cmd.p1 & 0x80 == 0 {
            return CardReply::sw(sw::NO_CURRENT_EF);
        }
        if cmd.p1 & 0x1F != CARD_INFO_SFI || cmd.p1 & 0x60 != 0 {
            return CardReply::sw(sw::NOT_FOUND);
        }
        let file = self.card_info();
        let offset = usize::from(cmd.p2);
        if offset > file.len() {
            return CardReply::sw(sw::WRONG_OFFSET);
        }
        let Some(le) = cmd.le else { return CardReply::sw(sw::WRONG_LENGTH) };
        let end = if le == 256 { file.len() } else { (offset + le).min(file.len()) };
        CardReply::data(&file[offset..end], sw::OK)
    }

    fn transit_read_record(&self, cmd: &Command<'_>) -> CardReply {
        if cmd.p2 & 0x07 != 0x04 || cmd.p1 == 0 {
            return CardReply::sw(sw::WRONG_P1P2);
        }
        if cmd.p2 >> 3 != LOG_SFI {
            return CardReply::sw(sw::NOT_FOUND);
        }
        match self.persistent.log.get(usize::from(cmd.p1) - 1) {
            Some(r) => CardReply::data(r, sw::OK),
            None => CardReply::sw(sw::RECORD_NOT_FOUND),
        }
    }

    fn initialize_purchase(&mut self, cmd: &Command<'_>) -> CardReply {
        self.session.purchase = None;
        if (cmd.p1, cmd.p2) != (0x01, 0x02) {
            return CardReply::sw(sw::WRONG_P1P2);
        }
        let [key_index, a0, a1, a2, a3, t0, t1, t2, t3, t4, t5] = *cmd.data else {
            return CardReply::sw(sw::WRONG_LENGTH);
        };
        if key_index != 0x01 {
            return CardReply::sw(sw::KEY_NOT_FOUND);
        }
        let amount = [a0, a1, a2, a3];
        if u32::from_be_bytes(amount) > self.persistent.balance {
            return CardReply::sw(sw::INSUFFICIENT_FUNDS);
        }
        let mut random = [0u8; 4];
        crate::clock::UnpredictableSource::fill(&mut self.rng, &mut random);
        let mut out = Vec::with_capacity(15);
        out.extend_from_slice(&self.persistent.balance.to_be_bytes());
        out.extend_from_slice(&self.persistent.purse_seq.to_be_bytes());
        out.extend_from_slice(&[0, 0, 0]); // overdraft limit
        out.push(0x01); // key version
        out.push(0x00); // algorithm: 3DES
        out.extend_from_slice(&random);
        self.session.purchase = Some(PurchaseInit { amount, terminal_id: [t0, t1, t2, t3, t4, t5], random });
        CardReply::data(&out, sw::OK)
    }

    fn debit_purchase(&mut self, cmd: &Command<'_>) -> CardReply {
        let Some(init) = self.session.purchase.take() else {
            return CardReply::sw(sw::CONDITIONS);
        };
        if (cmd.p1, cmd.p2) != (0x01, 0x00) {
            return CardReply::sw(sw::WRONG_P1P2);
        }
        let d = cmd.data;
        if d.len() != 15 {
            return CardReply::sw(sw::WRONG_LENGTH);
        }
        let (terminal_seq, date, time, mac1) = (&d[0..4], &d[4..8], &d[8..11], &d[11..15]);
        let seq = self.persistent.purse_seq.to_be_bytes();
        let session_key = keys::purse_session_key(&init.random, &seq, &terminal_seq[2..4]);
        let mut mac1_input = Vec::with_capacity(18);
        mac1_input.extend_from_slice(&init.amount);
        mac1_input.push(PURCHASE_TYPE);
        mac1_input.extend_from_slice(&init.terminal_id);
        mac1_input.extend_from_slice(date);
        mac1_input.extend_from_slice(time);
        let amount = u32::from_be_bytes(init.amount);
        if keys::purse_mac(&session_key, &mac1_input)[..] != *mac1 {
            if self.faults().failed_debit_changes_balance {
                self.persistent.balance = self.persistent.balance.saturating_sub(amount);
            }
            return CardReply::sw(sw::MAC_INVALID);
        }
        self.persistent.balance -= amount.min(self.persistent.balance);
        self.persistent.purse_seq = self.persistent.purse_seq.wrapping_add(1);
        if self.faults().log_written {
            let mut rec = [0u8; TRANSIT_LOG_RECORD_LEN];
            rec[0..2].copy_from_slice(&seq);
            rec[5..9].copy_from_slice(&init.amount);
            rec[9] = PURCHASE_TYPE;
            rec[10..16].copy_from_slice(&init.terminal_id);
            rec[16..20].copy_from_slice(date);
            rec[20..23].copy_from_slice(time);
            self.persistent.log.push_front(rec);
            self.persistent.log.truncate(LOG_MAX);
        }
        let mut tac_input = Vec::with_capacity(22);
        tac_input.extend_from_slice(&init.amount);
        tac_input.push(PURCHASE_TYPE);
        tac_input.extend_from_slice(&init.terminal_id);
        tac_input.extend_from_slice(terminal_seq);
        tac_input.extend_from_slice(date);
        tac_input.extend_from_slice(time);
        let tac = keys::purse_tac(&tac_input);
        let mac2 = keys::purse_mac(&session_key, &init.amount);
        let mut out = Vec::with_capacity(8);
        out.extend_from_slice(&tac);
        out.extend_from_slice(&mac2);
        CardReply::data(&out, sw::OK)
    }
}
