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

use tapcert_crypto::purse::{
    PURCHASE_TRANSACTION_TYPE, PurchaseMacData, purse_mac1, purse_mac2, purse_session_key, purse_tac,
};
use tapcert_crypto::test_keys::TEST_PURSE_DPK;
use tapcert_parsers::apdu::StatusWord;
use tapcert_parsers::transit::{
    CARD_INFO_SFI, CITY_UNION_AID, CardInfo, DebitCommand, DebitResponse, LOG_RECORDS, LOG_SFI, PurchaseInitCommand,
    PurchaseInitResponse, T_UNION_AID, TransitLogRecord,
};

use tapcert_parsers::apdu::CommandApdu;

use super::{Band, CardReply, template, tlv};

/// What INITIALIZE FOR PURCHASE remembers for the DEBIT that must follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PurchaseInit {
    amount: u32,
    terminal_id: [u8; 6],
    random: [u8; 4],
}

fn sw(s: StatusWord) -> CardReply {
    CardReply::sw(s.0)
}

impl Band {
    pub(super) fn is_purse_aid(aid: &[u8]) -> bool {
        aid == T_UNION_AID || aid == CITY_UNION_AID
    }

    pub(super) fn transit_fci(&self, aid: &[u8]) -> Vec<u8> {
        let mut prop = Vec::new();
        tlv(0x9F08, &[0x02], &mut prop);
        // Log entry: SFI 18, 10 records.
        let mut disc = Vec::new();
        tlv(0x9F4D, &[LOG_SFI, LOG_RECORDS], &mut disc);
        tlv(0xBF0C, &disc, &mut prop);
        let mut fci = Vec::new();
        tlv(0x84, aid, &mut fci);
        tlv(0xA5, &prop, &mut fci);
        template(0x6F, &fci)
    }

    fn card_info(&self) -> Vec<u8> {
        CardInfo {
            issuer_id: [0x02, 0x90, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF],
            app_type: 0x02, // e-purse
            app_version: 0x01,
            serial: [0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34],
            valid_from: [0x20, 0x20, 0x01, 0x01],
            valid_until: [0x20, 0x30, 0x12, 0x31],
            issuer_data: vec![0x00, 0x00],
        }
        .to_bytes()
    }

    pub(super) fn transit_process(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        match (cmd.cla().0, cmd.ins().0) {
            (0x80, 0x5C) => self.get_balance(cmd),
            (0x00, 0xB0) => self.transit_read_binary(cmd),
            (0x00, 0xB2) => self.transit_read_record(cmd),
            (0x80, 0x50) => self.initialize_purchase(cmd),
            (0x80, 0x54) => self.debit_purchase(cmd),
            (0x00, 0x5C | 0x50 | 0x54) => sw(StatusWord::CLA_NOT_SUPPORTED),
            _ => sw(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn get_balance(&self, cmd: &CommandApdu<'_>) -> CardReply {
        if cmd.p1() != 0x00 || cmd.p2() != 0x02 {
            return sw(StatusWord::INCORRECT_P1_P2);
        }
        if cmd.ne().map(|n| n as usize) != Some(4) || !cmd.data().is_empty() {
            return sw(StatusWord::WRONG_LENGTH);
        }
        CardReply::data(&self.persistent.balance.to_be_bytes(), StatusWord::OK.0)
    }

    fn transit_read_binary(&self, cmd: &CommandApdu<'_>) -> CardReply {
        if cmd.p1() & 0x80 == 0 {
            return sw(StatusWord::NO_CURRENT_EF);
        }
        if cmd.p1() & 0x1F != CARD_INFO_SFI || cmd.p1() & 0x60 != 0 {
            return sw(StatusWord::FILE_NOT_FOUND);
        }
        let file = self.card_info();
        let offset = usize::from(cmd.p2());
        if offset > file.len() {
            return sw(StatusWord::WRONG_P1_P2);
        }
        let Some(le) = cmd.ne().map(|n| n as usize) else { return sw(StatusWord::WRONG_LENGTH) };
        let end = if le == 256 { file.len() } else { (offset + le).min(file.len()) };
        CardReply::data(&file[offset..end], StatusWord::OK.0)
    }

    fn transit_read_record(&self, cmd: &CommandApdu<'_>) -> CardReply {
        if cmd.p2() & 0x07 != 0x04 || cmd.p1() == 0 {
            return sw(StatusWord::INCORRECT_P1_P2);
        }
        if cmd.p2() >> 3 != LOG_SFI {
            return sw(StatusWord::FILE_NOT_FOUND);
        }
        match self.persistent.log.get(usize::from(cmd.p1()) - 1) {
            Some(r) => CardReply::data(&r.to_bytes(), StatusWord::OK.0),
            None => sw(StatusWord::RECORD_NOT_FOUND),
        }
    }

    fn initialize_purchase(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        self.session.purchase = None;
        if (cmd.p1(), cmd.p2()) != (0x01, 0x02) {
            return sw(StatusWord::INCORRECT_P1_P2);
        }
        let Ok(init) = PurchaseInitCommand::from_bytes(cmd.data()) else { return sw(StatusWord::WRONG_LENGTH) };
        if init.key_index != 0x01 {
            return sw(StatusWord::EPURSE_KEY_INDEX_NOT_SUPPORTED);
        }
        if init.amount > self.persistent.balance {
            return sw(StatusWord::EPURSE_INSUFFICIENT_BALANCE);
        }
        let mut random = [0u8; 4];
        crate::clock::UnpredictableSource::fill(&mut self.rng, &mut random);
        let answer = PurchaseInitResponse {
            balance: self.persistent.balance,
            offline_sequence: self.persistent.purse_seq.to_be_bytes(),
            overdraft_limit: 0,
            key_version: 0x01,
            algorithm: 0x00, // 3DES
            random,
        };
        self.session.purchase = Some(PurchaseInit { amount: init.amount, terminal_id: init.terminal_id, random });
        CardReply::data(&answer.to_bytes(), StatusWord::OK.0)
    }

    fn debit_purchase(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        let Some(init) = self.session.purchase.take() else {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if (cmd.p1(), cmd.p2()) != (0x01, 0x00) {
            return sw(StatusWord::INCORRECT_P1_P2);
        }
        let Ok(debit) = DebitCommand::from_bytes(cmd.data()) else { return sw(StatusWord::WRONG_LENGTH) };
        let seq = self.persistent.purse_seq.to_be_bytes();
        let session_key = purse_session_key(&TEST_PURSE_DPK, &init.random, seq, &debit.terminal_sequence);
        let mac_data = PurchaseMacData {
            amount: init.amount,
            transaction_type: PURCHASE_TRANSACTION_TYPE,
            terminal_id: init.terminal_id,
            date: debit.date,
            time: debit.time,
        };
        if purse_mac1(&session_key, &mac_data) != debit.mac1 {
            if self.faults().failed_debit_changes_balance {
                self.persistent.balance = self.persistent.balance.saturating_sub(init.amount);
            }
            return sw(StatusWord::EPURSE_MAC_INVALID);
        }
        self.persistent.balance -= init.amount.min(self.persistent.balance);
        self.persistent.purse_seq = self.persistent.purse_seq.wrapping_add(1);
        if self.faults().log_written {
            let record = TransitLogRecord {
                sequence: u16::from_be_bytes(seq),
                overdraft_limit: 0,
                amount: init.amount,
                transaction_type: PURCHASE_TRANSACTION_TYPE,
                terminal_id: init.terminal_id,
                date: debit.date,
                time: debit.time,
            };
            self.persistent.log.push_front(record);
            self.persistent.log.truncate(usize::from(LOG_RECORDS));
        }
        let answer = DebitResponse {
            tac: purse_tac(&self.faults().purse_dtk, &mac_data, &debit.terminal_sequence),
            mac2: purse_mac2(&session_key, init.amount),
        };
        CardReply::data(&answer.to_bytes(), StatusWord::OK.0)
    }
}
