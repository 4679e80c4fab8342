//! PPSE and the EMV contactless payment application (EMV Book B; Book 3 for the commands).
//!
//! - PPSE FCI lists one application (`A0000000041010`, priority 1).
//! - Application FCI carries a PDOL (`9F02 06 9F03 06 9F1A 02 5F2A 02 9A 03 9C 01 9F37 04`).
//! - GPO (format 2, template `77`) returns AIP `1980` (CDA supported, cardholder verification,
//!   terminal risk management, EMV mode) and the AFL `08 01 02 02 10 01 03 00`; it increments
//!   the ATC.
//! - Records: SFI 1 #1 track 2 equivalent data and name; SFI 1 #2 PAN, expiry, effective date,
//!   PSN, AUC, CVM list, CDOL1, issuer country (both flagged for offline data authentication);
//!   SFI 2 #1 application version, currency; SFI 2 #2 CA index `8F`, issuer certificate `90`,
//!   remainder `92`, exponent `9F32`; SFI 2 #3 ICC certificate `9F46`, exponent `9F47`,
//!   remainder `9F48`, SDA tag list `9F4A` = `82` (see [`super::oda`]).
//! - GENERATE AC returns CID, ATC, AC and IAD (`9F10`, M/Chip layout: KDI `01`, CVN `14` =
//!   cryptogram version 20: EMV common session key, AC over CDOL1 data ‖ AIP ‖ ATC ‖ CVR).
//!   With CDA requested (P1 bit `10`) for a TC or an ARQC, the AC moves into the Signed Dynamic
//!   Application Data `9F4B` (Book 2 §6.6.1): response `9F27 9F36 9F4B 9F10`, the signature
//!   over the UN of CDOL1 and the ICC dynamic data (8-byte ICC dynamic number, CID, AC, SHA-1 of
//!   PDOL data ‖ CDOL1 data ‖ the response objects other than `9F4B`).

use tapcert_crypto::MastercardIad;
use tapcert_crypto::oda::{cda_icc_dynamic_data, cda_transaction_data_hash, sign_dynamic_data};

use super::keys;
use super::oda::{self, TEST_ONLY_CA_INDEX};
use tapcert_parsers::apdu::{CommandApdu, StatusWord};

use super::{Band, CardReply, template, tlv};
use crate::clock::UnpredictableSource;

/// `2PAY.SYS.DDF01`.
pub(crate) const PPSE_NAME: &[u8] = b"2PAY.SYS.DDF01";
/// Mastercard credit/debit AID.
pub(crate) const EMV_AID: &[u8] = &[0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10];
/// PDOL: amount, other amount, country, currency, date, type, unpredictable number.
pub(crate) const PDOL: &[u8] =
    &[0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x5F, 0x2A, 0x02, 0x9A, 0x03, 0x9C, 0x01, 0x9F, 0x37, 0x04];
/// Sum of the PDOL lengths.
pub(crate) const PDOL_DATA_LEN: usize = 6 + 6 + 2 + 2 + 3 + 1 + 4;
/// CDOL1: amount, other amount, country, TVR, currency, date, type, unpredictable number.
pub(crate) const CDOL1: &[u8] = &[
    0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A, 0x02, 0x9A, 0x03, 0x9C, 0x01, 0x9F,
    0x37, 0x04,
];
/// Sum of the CDOL1 lengths.
pub(crate) const CDOL1_DATA_LEN: usize = 6 + 6 + 2 + 5 + 2 + 3 + 1 + 4;
/// Application interchange profile: CDA, cardholder verification, terminal risk management,
/// EMV mode.
pub(crate) const AIP: [u8; 2] = [0x19, 0x80];
/// P1 bit of GENERATE AC asking for a CDA signature (Book 3 §6.5.5.2).
const P1_CDA: u8 = 0x10;
/// Cryptogram version number declared in 9F10 (M/Chip CVN 20: EMV CSK, TDES).
pub(crate) const CVN: u8 = 0x14;

/// BCD of the personalisation's digits (`cn`, `D` separator), with the parsers' one encoder;
/// a personalisation with other characters encodes as nothing (a personalisation error the
/// terminal then reports).
fn bcd(digits: &str) -> Vec<u8> {
    tapcert_parsers::bcd::encode_bcd_cn(digits).unwrap_or_default()
}

impl Band {
    pub(super) fn ppse_fci(&self) -> Vec<u8> {
        let mut entry = Vec::new();
        tlv(0x4F, EMV_AID, &mut entry);
        tlv(0x50, b"MASTERCARD", &mut entry);
        tlv(0x87, &[0x01], &mut entry);
        let dir = template(0xBF0C, &template(0x61, &entry));
        let mut fci = Vec::new();
        tlv(0x84, PPSE_NAME, &mut fci);
        tlv(0xA5, &dir, &mut fci);
        template(0x6F, &fci)
    }

    pub(super) fn emv_fci(&self) -> Vec<u8> {
        let mut prop = Vec::new();
        tlv(0x50, b"MASTERCARD", &mut prop);
        tlv(0x87, &[0x01], &mut prop);
        tlv(0x9F38, PDOL, &mut prop);
        tlv(0x5F2D, b"en", &mut prop);
        let mut fci = Vec::new();
        tlv(0x84, EMV_AID, &mut fci);
        tlv(0xA5, &prop, &mut fci);
        template(0x6F, &fci)
    }

    fn afl(&self) -> Vec<u8> {
        let last = if self.faults().afl_extra_record { 3 } else { 2 };
        // SFI 1 records 1-2 are signed (ODA); SFI 2 holds the certificates, which are not.
        vec![1 << 3, 1, last, 2, 2 << 3, 1, 3, 0]
    }

    pub(super) fn pan_bcd(&self) -> Vec<u8> {
        bcd(&self.config.pan)
    }

    /// The value of the `70` template of a record, as a conformant band builds it.
    fn record_body(&self, sfi: u8, number: u8) -> Option<Vec<u8>> {
        let c = &self.config;
        let mut body = Vec::new();
        match (sfi, number) {
            (1, 1) => {
                let yymm = format!("{:02X}{:02X}", c.expiry[0], c.expiry[1]);
                tlv(0x57, &bcd(&format!("{}D{yymm}2010000000000000", c.pan)), &mut body);
                tlv(0x5F20, b"TAPCERT/TEST", &mut body);
            }
            (1, 2) => {
                tlv(0x5A, &self.pan_bcd(), &mut body);
                tlv(0x5F24, &c.expiry, &mut body);
                tlv(0x5F25, &[0x20, 0x01, 0x01], &mut body);
                tlv(0x5F34, &[c.psn], &mut body);
                tlv(0x9F07, &[0xFF, 0x00], &mut body);
                tlv(0x8E, &[0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x03, 0x1E, 0x03, 0x1F, 0x03], &mut body);
                tlv(0x8C, CDOL1, &mut body);
                tlv(0x5F28, &[0x08, 0x26], &mut body);
            }
            (2, 1) => {
                tlv(0x9F08, &[0x00, 0x02], &mut body);
                tlv(0x9F42, &[0x08, 0x26], &mut body);
                tlv(0x9F44, &[0x02], &mut body);
            }
            (2, 2) => {
                let p = self.oda_personalisation()?;
                tlv(0x8F, &[TEST_ONLY_CA_INDEX], &mut body);
                tlv(0x90, &p.issuer.certificate, &mut body);
                if !p.issuer.remainder.is_empty() {
                    tlv(0x92, &p.issuer.remainder, &mut body);
                }
                tlv(0x9F32, &p.issuer.exponent, &mut body);
            }
            (2, 3) => {
                let p = self.oda_personalisation()?;
                tlv(0x9F46, &p.icc.certificate, &mut body);
                tlv(0x9F47, &p.icc.exponent, &mut body);
                if !p.icc.remainder.is_empty() {
                    tlv(0x9F48, &p.icc.remainder, &mut body);
                }
                tlv(0x9F4A, &[0x82], &mut body);
            }
            _ => return None,
        }
        Some(body)
    }

    /// The static data to be authenticated (Book 3 §10.3): the values of the ODA records the
    /// AFL flags (SFI 1 records 1 and 2), then the AIP named by `9F4A`.
    fn oda_static_data(&self) -> Option<Vec<u8>> {
        let mut data = self.record_body(1, 1)?;
        data.extend_from_slice(&self.record_body(1, 2)?);
        data.extend_from_slice(&AIP);
        Some(data)
    }

    fn oda_personalisation(&self) -> Option<std::sync::Arc<oda::OdaPersonalisation>> {
        oda::personalisation(&self.pan_bcd(), &self.oda_static_data()?)
    }

    fn record(&self, sfi: u8, number: u8) -> Option<Vec<u8>> {
        let mut rec = template(0x70, &self.record_body(sfi, number)?);
        if (sfi, number) == (1, 2) {
            // The planted fault: the template claims more bytes than it holds.
            rec[1] = rec[1].wrapping_add(self.faults().record_length_skew);
        }
        Some(rec)
    }

    pub(super) fn emv_process(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        match (cmd.cla().0, cmd.ins().0) {
            (0x80, 0xA8) => self.gpo(cmd),
            (0x00, 0xB2) => self.read_record(cmd),
            (0x80, 0xCA) => self.get_data(cmd),
            (0x80, 0xAE) => self.generate_ac(cmd),
            (0x00, 0xA8 | 0xAE | 0xCA) => CardReply::sw(StatusWord::CLA_NOT_SUPPORTED.0),
            _ => CardReply::sw(StatusWord::INS_NOT_SUPPORTED.0),
        }
    }

    fn gpo(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        if (cmd.p1(), cmd.p2()) != (0, 0) {
            return CardReply::sw(StatusWord::INCORRECT_P1_P2.0);
        }
        if self.session.gpo_done {
            return CardReply::sw(StatusWord::CONDITIONS_NOT_SATISFIED.0);
        }
        let pdol_data = match tapcert_parsers::tlv::parse_emv_tlv(cmd.data()) {
            Ok((rest, t)) if rest.is_empty() && t.tag.0 == 0x83 => Some(t.value),
            _ => None,
        };
        let well_formed = matches!(pdol_data, Some(v) if v.len() == PDOL_DATA_LEN);
        if self.faults().pdol_checked && !well_formed {
            if self.faults().mute_after_malformed_gpo {
                self.session.mute = true;
                return CardReply::mute();
            }
            return CardReply::sw(if pdol_data.is_some() {
                StatusWord::WRONG_LENGTH.0
            } else {
                StatusWord::INCORRECT_DATA.0
            });
        }
        if self.faults().atc_increments {
            let Some(next) = self.persistent.atc.checked_add(1) else {
                return CardReply::sw(StatusWord::CONDITIONS_NOT_SATISFIED.0);
            };
            self.persistent.atc = next;
        }
        self.session.gpo_done = true;
        self.session.pdol_data = pdol_data.unwrap_or_default().to_vec();
        let mut body = Vec::new();
        tlv(0x82, &AIP, &mut body);
        tlv(0x94, &self.afl(), &mut body);
        CardReply::data(&template(0x77, &body), StatusWord::OK.0)
    }

    fn read_record(&self, cmd: &CommandApdu<'_>) -> CardReply {
        if cmd.p2() & 0x07 != 0x04 || cmd.p1() == 0 {
            return CardReply::sw(StatusWord::INCORRECT_P1_P2.0);
        }
        match self.record(cmd.p2() >> 3, cmd.p1()) {
            Some(r) => CardReply::data(&r, StatusWord::OK.0),
            None => CardReply::sw(StatusWord::RECORD_NOT_FOUND.0),
        }
    }

    fn get_data(&self, cmd: &CommandApdu<'_>) -> CardReply {
        match (cmd.p1(), cmd.p2()) {
            (0x9F, 0x36) => {
                let mut out = Vec::new();
                tlv(0x9F36, &self.persistent.atc.to_be_bytes(), &mut out);
                CardReply::data(&out, StatusWord::OK.0)
            }
            _ => CardReply::sw(StatusWord::REFERENCED_DATA_NOT_FOUND.0),
        }
    }

    fn generate_ac(&mut self, cmd: &CommandApdu<'_>) -> CardReply {
        if !self.session.gpo_done || self.session.ac_done {
            return CardReply::sw(StatusWord::CONDITIONS_NOT_SATISFIED.0);
        }
        let (cid, cvr_type) = match cmd.p1() & 0xC0 {
            0x00 => (0x00, 0x00),        // AAC asked: decline
            0x40 | 0x80 => (0x80, 0x20), // TC or ARQC asked: this band always goes online
            _ => return CardReply::sw(StatusWord::INCORRECT_P1_P2.0),
        };
        if cmd.data().len() != CDOL1_DATA_LEN {
            return CardReply::sw(StatusWord::WRONG_LENGTH.0);
        }
        self.session.ac_done = true;
        let atc = self.persistent.atc.to_be_bytes();
        let cvr = [0x80 | cvr_type, 0x00, 0x00, 0x00, 0x00, 0x00];
        let iad =
            MastercardIad { kdi: 0x01, cvn: CVN, cvr, dac_idn: [0; 2], counters: [0; 8], extra: Vec::new() }.to_bytes();
        let mut ac_data = Vec::with_capacity(CDOL1_DATA_LEN + 4);
        ac_data.extend_from_slice(cmd.data());
        ac_data.extend_from_slice(&AIP);
        ac_data.extend_from_slice(&atc);
        let Some(ac) =
            keys::application_cryptogram(&self.faults().ac_imk, &self.config.pan, self.config.psn, &ac_data, &iad)
        else {
            return CardReply::sw(StatusWord::NO_PRECISE_DIAGNOSIS.0);
        };
        let mut body = Vec::new();
        tlv(0x9F27, &[cid], &mut body);
        tlv(0x9F36, &atc, &mut body);
        // CDA only signs a TC or an ARQC (Book 2 §6.6.1), never an AAC.
        if cmd.p1() & P1_CDA != 0 && cid != 0x00 {
            let Some(sdad) = self.cda_signature(cmd.data(), cid, &ac, &body, &iad) else {
                return CardReply::sw(StatusWord::NO_PRECISE_DIAGNOSIS.0);
            };
            tlv(0x9F4B, &sdad, &mut body);
        } else {
            tlv(0x9F26, &ac, &mut body);
        }
        tlv(0x9F10, &iad, &mut body);
        let mut reply = CardReply::data(&template(0x77, &body), StatusWord::OK.0);
        reply.delay = self.faults().generate_ac_delay;
        reply
    }
}

impl Band {
    /// The Signed Dynamic Application Data of a CDA GENERATE AC. `response_before` holds the
    /// response objects that precede `9F4B` (CID, ATC); the IAD follows it.
    fn cda_signature(
        &mut self,
        cdol1_data: &[u8],
        cid: u8,
        ac: &[u8; 8],
        response_before: &[u8],
        iad: &[u8],
    ) -> Option<Vec<u8>> {
        // The terminal's UN is the last CDOL1 element (9F37, 4 bytes).
        let un = cdol1_data.get(cdol1_data.len().checked_sub(4)?..)?;
        let mut iad_tlv = Vec::new();
        tlv(0x9F10, iad, &mut iad_tlv);
        let hash = cda_transaction_data_hash(&[&self.session.pdol_data, cdol1_data, response_before, &iad_tlv]);
        let mut icc_dynamic_number = [0u8; 8];
        self.rng.fill(&mut icc_dynamic_number);
        let dynamic = cda_icc_dynamic_data(&icc_dynamic_number, cid, ac, &hash).ok()?;
        sign_dynamic_data(oda::icc_signing_key(self.faults().cda_wrong_icc_key), &dynamic, un).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dol_lengths_match_the_dols() {
        use tapcert_parsers::tlv::{emv_dol_data_len, parse_emv_dol};
        assert_eq!(emv_dol_data_len(&parse_emv_dol(PDOL).unwrap()), PDOL_DATA_LEN);
        assert_eq!(emv_dol_data_len(&parse_emv_dol(CDOL1).unwrap()), CDOL1_DATA_LEN);
        assert_eq!(bcd("5413330089600010D3012"), [0x54, 0x13, 0x33, 0x00, 0x89, 0x60, 0x00, 0x10, 0xD3, 0x01, 0x2F]);
    }
}
