//! Terminal-side flows shared by the band tests (in-process) and the pcscd tests (real stack).
//! They drive any `Transport` and verify what the band answers with tapcert_crypto.
#![allow(dead_code)]

use std::collections::HashMap;

use tapcert_conformance::sim::{
    TEST_DPK, TEST_DTK, TEST_IMK_AC, TEST_ONLY_CA_INDEX, purse_mac, purse_session_key_with, tac_key,
};
use tapcert_conformance::transport::{RawResponse, Transport, TransportError};
use tapcert_crypto::oda::{self, EmvDate, test_keys};
use tapcert_crypto::{AcData, Cvn, MastercardIad, Tdes, derive_icc_mk_option_a};
use tapcert_parsers::tlv::{Tag, TlvNode, decode_emv_tlv, parse_emv_afl, parse_emv_dol};

pub fn apdu(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).unwrap()
}

/// Sends and insists on 9000.
pub fn ok<T: Transport>(t: &mut T, capdu: &[u8]) -> Result<Vec<u8>, String> {
    let r = t.transmit(capdu).map_err(|e| format!("{}: {e}", hex::encode_upper(capdu)))?;
    if r.sw() != Some(0x9000) {
        return Err(format!("{} answered {}", hex::encode_upper(capdu), hex::encode_upper(r.as_bytes())));
    }
    Ok(r.data().to_vec())
}

pub fn sw<T: Transport>(t: &mut T, capdu: &[u8]) -> Result<u16, TransportError> {
    t.transmit(capdu).map(|r: RawResponse| r.sw().unwrap_or(0))
}

fn find<'a>(nodes: &'a [TlvNode<'a>], tag: u32) -> Option<&'a [u8]> {
    nodes.iter().find_map(|n| n.find(Tag(tag))).map(|n| n.tlv.value)
}

fn select(aid: &[u8]) -> Vec<u8> {
    let mut c = vec![0x00, 0xA4, 0x04, 0x00, aid.len() as u8];
    c.extend_from_slice(aid);
    c.push(0x00);
    c
}

/// (tag, length) pairs of a data object list.
fn dol(bytes: &[u8]) -> Vec<(u32, usize)> {
    parse_emv_dol(bytes).unwrap().into_iter().map(|e| (e.tag.0, usize::from(e.len))).collect()
}

/// Terminal data for PDOL and CDOL1: EUR 12.34 in Belgium on 2026-11-22, UN from the test.
fn terminal_value(tag: u32, len: usize, un: [u8; 4]) -> Vec<u8> {
    let v: Vec<u8> = match tag {
        0x9F02 => vec![0, 0, 0, 0, 0x12, 0x34],
        0x9F03 => vec![0; 6],
        0x9F1A | 0x5F2A => vec![0x09, 0x78],
        0x95 => vec![0; 5],
        0x9A => vec![0x26, 0x11, 0x22],
        0x9C => vec![0x00],
        0x9F37 => un.to_vec(),
        _ => vec![0; len],
    };
    assert_eq!(v.len(), len, "tag {tag:X}");
    v
}

/// What an EMV read + transaction produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvOutcome {
    pub pan: Vec<u8>,
    pub atc: u16,
    pub cid: u8,
    pub ac: [u8; 8],
    /// Whether the AC verifies under the published test IMK.
    pub ac_valid: bool,
    pub records: usize,
    /// With CDA asked: the terminal's verdict on the whole chain (issuer certificate, ICC
    /// certificate over the static data, SDAD with the AC inside); `None` without CDA.
    pub cda: Option<Result<(), String>>,
}

/// The date the terminal checks certificate expiry against (injected, so runs reproduce).
pub const TERMINAL_DATE: EmvDate = EmvDate { year: 2026, month: 11, day: 22 };

/// PPSE, SELECT, GPO with PDOL data, every AFL record, GENERATE AC (ARQC), ARQC check.
pub fn emv_transaction<T: Transport>(t: &mut T, un: [u8; 4]) -> Result<EmvOutcome, String> {
    emv_transaction_with(t, un, false)
}

/// [`emv_transaction`], asking for CDA (GENERATE AC P1 `90`) when `cda` is set and then doing
/// what a terminal does with the answer: EMV Book 2 §6.3, §6.4, §6.6.2 with
/// `tapcert_crypto::oda`. The AC checked against the IMK is the one recovered from `9F4B`.
pub fn emv_transaction_with<T: Transport>(t: &mut T, un: [u8; 4], cda: bool) -> Result<EmvOutcome, String> {
    let ppse = ok(t, &select(b"2PAY.SYS.DDF01"))?;
    let ppse = decode_emv_tlv(&ppse).map_err(|e| format!("PPSE FCI: {e}"))?;
    let aid = find(&ppse, 0x4F).ok_or("no 4F in PPSE")?.to_vec();
    let fci = ok(t, &select(&aid))?;
    let fci = decode_emv_tlv(&fci).map_err(|e| format!("FCI: {e}"))?;
    let pdol = find(&fci, 0x9F38).ok_or("no PDOL")?;
    let pdol_data: Vec<u8> = dol(pdol).into_iter().flat_map(|(tag, len)| terminal_value(tag, len, un)).collect();
    let mut gpo = vec![0x80, 0xA8, 0x00, 0x00, (pdol_data.len() + 2) as u8, 0x83, pdol_data.len() as u8];
    gpo.extend_from_slice(&pdol_data);
    gpo.push(0x00);
    let gpo_resp = ok(t, &gpo)?;
    let gpo_resp = decode_emv_tlv(&gpo_resp).map_err(|e| format!("GPO: {e}"))?;
    let aip = find(&gpo_resp, 0x82).ok_or("no AIP")?.to_vec();
    let afl = find(&gpo_resp, 0x94).ok_or("no AFL")?.to_vec();
    let mut record_bytes = Vec::new();
    let mut records = 0;
    let mut raw_records = HashMap::new();
    for entry in afl.chunks(4) {
        let sfi = entry[0] >> 3;
        for rec in entry[1]..=entry[2] {
            let r = ok(t, &[0x00, 0xB2, rec, (sfi << 3) | 4, 0x00])?;
            raw_records.insert((sfi, rec), r.clone());
            let nodes = decode_emv_tlv(&r).map_err(|e| format!("record {sfi}/{rec}: {e}"))?;
            for n in &nodes[0].children {
                n.encode_into(&mut record_bytes);
            }
            records += 1;
        }
    }
    let recs = decode_emv_tlv(&record_bytes).unwrap();
    let pan = find(&recs, 0x5A).ok_or("no PAN")?.to_vec();
    let psn = find(&recs, 0x5F34).map_or(0, |v| v[0]);
    let cdol1 = find(&recs, 0x8C).ok_or("no CDOL1")?;
    let cdol_data: Vec<u8> = dol(cdol1).into_iter().flat_map(|(tag, len)| terminal_value(tag, len, un)).collect();
    let mut gac = vec![0x80, 0xAE, if cda { 0x90 } else { 0x80 }, 0x00, cdol_data.len() as u8];
    gac.extend_from_slice(&cdol_data);
    gac.push(0x00);
    let ac_resp = ok(t, &gac)?;
    let ac_resp = decode_emv_tlv(&ac_resp).map_err(|e| format!("GENERATE AC: {e}"))?;
    let cid = find(&ac_resp, 0x9F27).ok_or("no CID")?[0];
    let atc_bytes: [u8; 2] = find(&ac_resp, 0x9F36).ok_or("no ATC")?.try_into().unwrap();
    let iad = find(&ac_resp, 0x9F10).ok_or("no IAD")?;
    let (ac, cda): ([u8; 8], _) = if cda {
        let verdict = verify_cda_chain(&raw_records, &recs, &aip, &afl, &pdol_data, &cdol_data, &ac_resp, un);
        match verdict {
            Ok(ac) => (ac, Some(Ok(()))),
            Err(e) => ([0; 8], Some(Err(e))),
        }
    } else {
        (find(&ac_resp, 0x9F26).ok_or("no AC")?.try_into().unwrap(), None)
    };

    // Issuer side: independent recomputation from the published IMK and the CVN the IAD declares.
    let declared = MastercardIad::parse(iad).map_err(|e| format!("IAD: {e}"))?;
    assert_eq!(declared.cvn, 0x14, "band declares CVN 20");
    let pan_digits: String = hex::encode(&pan).trim_end_matches('f').to_string();
    let mk = derive_icc_mk_option_a(&Tdes::new_2key(&TEST_IMK_AC), &pan_digits, psn).unwrap();
    let mut ac_data = cdol_data.clone();
    ac_data.extend_from_slice(&aip);
    ac_data.extend_from_slice(&atc_bytes);
    let expected = Cvn::Mastercard20.generate_ac(&mk, &AcData::from_bytes(&ac_data).unwrap(), iad).unwrap().ac;
    Ok(EmvOutcome { pan, atc: u16::from_be_bytes(atc_bytes), cid, ac, ac_valid: expected == ac, records, cda })
}

/// Terminal-side CDA: CA key from `8F`, issuer key from `90`, ICC key from `9F46` over the
/// static data the AFL flags, then the SDAD `9F4B`. Returns the AC recovered from the SDAD.
#[allow(clippy::too_many_arguments)]
fn verify_cda_chain(
    raw_records: &HashMap<(u8, u8), Vec<u8>>,
    recs: &[TlvNode<'_>],
    aip: &[u8],
    afl: &[u8],
    pdol_data: &[u8],
    cdol_data: &[u8],
    ac_resp: &[TlvNode<'_>],
    un: [u8; 4],
) -> Result<[u8; 8], String> {
    let get = |tag: u32| find(recs, tag).ok_or(format!("no {tag:X} in the records"));
    if aip[0] & 0x01 == 0 {
        return Err("AIP does not announce CDA".into());
    }
    let ca = match get(0x8F)? {
        [i] if *i == TEST_ONLY_CA_INDEX => test_keys::TEST_ONLY_CA.public_key(),
        other => return Err(format!("unknown CA index {}", hex::encode_upper(other))),
    };
    let pan = get(0x5A)?;
    let issuer = oda::recover_issuer_public_key(
        &ca,
        get(0x90)?,
        find(recs, 0x92).unwrap_or(&[]),
        get(0x9F32)?,
        pan,
        TERMINAL_DATE,
    )
    .map_err(|e| format!("issuer certificate: {e}"))?;
    let afl = parse_emv_afl(afl).map_err(|e| format!("AFL: {e}"))?;
    let static_data = oda::static_data_to_authenticate(
        &afl,
        |sfi, rec| raw_records.get(&(sfi, rec)).map(Vec::as_slice),
        find(recs, 0x9F4A),
        Some(aip),
    )
    .map_err(|e| format!("static data: {e}"))?;
    let icc = oda::recover_icc_public_key(
        &issuer.public_key,
        get(0x9F46)?,
        find(recs, 0x9F48).unwrap_or(&[]),
        get(0x9F47)?,
        &static_data,
        pan,
        TERMINAL_DATE,
    )
    .map_err(|e| format!("ICC certificate: {e}"))?;
    // The response objects other than 9F4B, as sent, in order.
    let mut response_objects = Vec::new();
    for n in ac_resp.iter().flat_map(|n| n.children.iter()).filter(|n| n.tlv.tag != Tag(0x9F4B)) {
        n.encode_into(&mut response_objects);
    }
    let hash = oda::cda_transaction_data_hash(&[pdol_data, cdol_data, &response_objects]);
    let sdad = find(ac_resp, 0x9F4B).ok_or("no 9F4B in the CDA response")?;
    let cid = find(ac_resp, 0x9F27).ok_or("no CID")?[0];
    let signed = oda::verify_cda(&icc.public_key, sdad, &un, cid, &hash).map_err(|e| format!("SDAD: {e}"))?;
    Ok(signed.application_cryptogram)
}

/// What a transit purchase produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseOutcome {
    pub balance_before: u32,
    pub balance_after: u32,
    pub debit_sw: u16,
    pub mac2_valid: bool,
    pub tac_valid: bool,
    pub newest_log: Option<Vec<u8>>,
}

pub fn transit_balance<T: Transport>(t: &mut T) -> Result<u32, String> {
    ok(t, &select(&[0xA0, 0x00, 0x00, 0x06, 0x32, 0x01, 0x01, 0x05]))?;
    let b = ok(t, &[0x80, 0x5C, 0x00, 0x02, 0x04])?;
    Ok(u32::from_be_bytes(b.try_into().map_err(|_| "balance is not 4 bytes")?))
}

/// SELECT, GET BALANCE, INITIALIZE/DEBIT FOR PURCHASE (MAC1 right or deliberately wrong),
/// checks of MAC2 and TAC, GET BALANCE, newest log record.
pub fn transit_purchase<T: Transport>(t: &mut T, amount: u32, good_mac1: bool) -> Result<PurchaseOutcome, String> {
    let balance_before = transit_balance(t)?;
    let terminal_id = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66];
    let mut init = vec![0x80, 0x50, 0x01, 0x02, 0x0B, 0x01];
    init.extend_from_slice(&amount.to_be_bytes());
    init.extend_from_slice(&terminal_id);
    init.push(0x0F);
    let r = ok(t, &init)?;
    assert_eq!(r.len(), 15);
    let (seq, random): ([u8; 2], [u8; 4]) = (r[4..6].try_into().unwrap(), r[11..15].try_into().unwrap());
    let terminal_seq = [0x00, 0x00, 0x01, 0x02];
    let (date, time) = ([0x20, 0x26, 0x11, 0x22], [0x02, 0x30, 0x00]);
    let sk = purse_session_key_with(&TEST_DPK, &random, &seq, &terminal_seq[2..]);
    let mut mac1_in = amount.to_be_bytes().to_vec();
    mac1_in.push(0x06);
    mac1_in.extend_from_slice(&terminal_id);
    mac1_in.extend_from_slice(&date);
    mac1_in.extend_from_slice(&time);
    let mut mac1 = purse_mac(&sk, &mac1_in);
    if !good_mac1 {
        mac1[0] ^= 0xFF;
    }
    let mut debit = vec![0x80, 0x54, 0x01, 0x00, 0x0F];
    debit.extend_from_slice(&terminal_seq);
    debit.extend_from_slice(&date);
    debit.extend_from_slice(&time);
    debit.extend_from_slice(&mac1);
    debit.push(0x08);
    let resp = t.transmit(&debit).map_err(|e| e.to_string())?;
    let (mut mac2_valid, mut tac_valid) = (false, false);
    if resp.sw() == Some(0x9000) {
        let d = resp.data();
        let mut tac_in = amount.to_be_bytes().to_vec();
        tac_in.push(0x06);
        tac_in.extend_from_slice(&terminal_id);
        tac_in.extend_from_slice(&terminal_seq);
        tac_in.extend_from_slice(&date);
        tac_in.extend_from_slice(&time);
        tac_valid = d[..4] == purse_mac(&tac_key(&TEST_DTK), &tac_in);
        mac2_valid = d[4..8] == purse_mac(&sk, &amount.to_be_bytes());
    }
    let balance_after = u32::from_be_bytes(ok(t, &[0x80, 0x5C, 0x00, 0x02, 0x04])?.try_into().unwrap());
    let log = t.transmit(&[0x00, 0xB2, 0x01, 0xC4, 0x00]).map_err(|e| e.to_string())?;
    let newest_log = (log.sw() == Some(0x9000)).then(|| log.data().to_vec());
    Ok(PurchaseOutcome {
        balance_before,
        balance_after,
        debit_sw: resp.sw().unwrap_or(0),
        mac2_valid,
        tac_valid,
        newest_log,
    })
}

/// Type 4 Tag: SELECT app, CC, NDEF file; returns (NLEN, message bytes actually readable).
pub fn ndef_read<T: Transport>(t: &mut T) -> Result<(usize, Vec<u8>), String> {
    ok(t, &select(&[0xD2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01]))?;
    ok(t, &apdu("00A4000C02E103"))?;
    let cc = ok(t, &apdu("00B000000F"))?;
    assert_eq!(cc[2], 0x20, "mapping version 2.0");
    let (file_id, max_size) = (&cc[9..11], usize::from(u16::from_be_bytes([cc[11], cc[12]])));
    let mut sel = apdu("00A4000C02");
    sel.extend_from_slice(file_id);
    ok(t, &sel)?;
    let nlen = ok(t, &apdu("00B0000002"))?;
    let nlen = usize::from(u16::from_be_bytes([nlen[0], nlen[1]]));
    let want = nlen.min(max_size.saturating_sub(2)).min(255);
    let msg = ok(t, &[0x00, 0xB0, 0x00, 0x02, want as u8])?;
    Ok((nlen, msg))
}
