//! Entry points for the fuzz targets and the stable corpus replay. Not a stable API.
//!
//! Each function runs one target's whole check on arbitrary bytes and panics only when an
//! invariant of the parsers is broken (a round trip that does not hold, an error offset past
//! the input). Parse errors are expected and ignored.

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::atr::{Atr, ContactlessAtr, decode_historical_bytes};

/// Command APDU target: a parsed command re-encodes to the same bytes, and the owned copy
/// encodes to them too and parses back to the same view.
pub fn fuzz_capdu(data: &[u8]) {
    let apdu = match CommandApdu::from_bytes(data) {
        Ok(apdu) => apdu,
        Err(e) => {
            assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}");
            return;
        }
    };
    let bytes = apdu.to_vec();
    assert_eq!(bytes, data, "command APDU did not re-encode byte for byte");
    assert_eq!(bytes.len(), apdu.encoded_len());
    let owned = apdu.to_buf().encode().expect("a parsed command is encodable");
    assert_eq!(owned, data, "owned copy encoded differently");
    assert_eq!(CommandApdu::from_bytes(&owned).expect("re-encoded command parses"), apdu);
}

/// Response APDU target: re-encoding gives the input back, and it parses to the same view.
pub fn fuzz_rapdu(data: &[u8]) {
    match ResponseApdu::from_bytes(data) {
        Ok(r) => {
            let bytes = r.to_vec();
            assert_eq!(bytes, data, "response APDU did not re-encode byte for byte");
            assert_eq!(ResponseApdu::from_bytes(&bytes).expect("re-encoded response parses"), r);
            let _ = r.sw.meaning();
        }
        Err(e) => assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}"),
    }
}

/// ATR target: a parsed ATR re-encodes byte for byte (TCK recomputed) and parses back equal;
/// the interpreters and the historical-byte decoder never panic.
pub fn fuzz_atr(data: &[u8]) {
    match Atr::from_bytes(data) {
        Ok(atr) => {
            let bytes = atr.to_vec().expect("a parsed ATR is encodable");
            assert_eq!(bytes, data, "ATR did not re-encode byte for byte");
            assert_eq!(Atr::from_bytes(&bytes).expect("re-encoded ATR parses"), atr);
            let _ = (atr.protocols(), atr.clock_rate(), atr.specific_mode(), atr.t1_parameters(), atr.global_t15());
            let _ = ContactlessAtr::recognise(&atr).map(|c| c.describe());
            let base = data.len() - atr.historical.len() - usize::from(atr.tck.is_some());
            if let Err(e) = decode_historical_bytes(atr.historical, base) {
                assert!(e.offset().is_some_and(|o| o < data.len()), "historical error offset out of range: {e:?}");
            }
        }
        Err(e) => assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}"),
    }
}

// ---- BER-TLV / EMV (tlv helper) -------------------------------------------------------------

use crate::tlv::{
    DEFAULT_MAX_DEPTH, Fci, GenerateAcResponse, GpoResponse, Record, Tag, TlvIter, TlvOwned, build_emv_dol_data,
    decode_emv_tlv_owned, decode_emv_tlv_padded, emv_dol_data_len, encode_emv_dol, encode_emv_tlv_owned,
    encode_nodes_into, parse_emv_afl, parse_emv_dol, split_emv_dol_data, validate_emv_tlv,
};

/// Decodes, validates and views arbitrary bytes as EMV BER-TLV; every error offset must lie
/// inside the input and every finding must point into it.
pub fn fuzz_tlv(data: &[u8]) {
    match decode_emv_tlv_padded(data) {
        Ok((nodes, pad)) => {
            for f in validate_emv_tlv(&nodes, pad) {
                assert!(f.offset <= data.len(), "finding past the input: {f:?}");
            }
        }
        Err(e) => assert!(e.offset() <= data.len(), "error offset past the input: {e:?}"),
    }
    if let Err(e) = Fci::from_bytes(data) {
        assert!(e.offset() <= data.len(), "{e:?}");
    }
    if let Err(e) = GpoResponse::from_bytes(data) {
        assert!(e.offset() <= data.len(), "{e:?}");
    }
    if let Err(e) = GenerateAcResponse::from_bytes(data) {
        assert!(e.offset() <= data.len(), "{e:?}");
    }
    let _ = Record::from_bytes(data);
    let _ = parse_emv_afl(data);
}

/// Decode, re-encode as parsed (original length forms and padding), compare bytes; decode the
/// re-encoding and compare trees.
pub fn fuzz_tlv_roundtrip(data: &[u8]) {
    let Ok((nodes, pad)) = decode_emv_tlv_padded(data) else { return };
    let mut out = Vec::with_capacity(data.len());
    encode_nodes_into(&nodes, pad, &mut out);
    assert_eq!(out, data, "re-encoding as parsed changed the bytes");
    let (again, pad2) = decode_emv_tlv_padded(&out).expect("re-encoded bytes must decode");
    assert_eq!((&again, pad2), (&nodes, pad));
    // The owned model re-encodes minimally; that encoding must decode to the same owned tree.
    let owned = decode_emv_tlv_owned(data).expect("decoded once already");
    let minimal = encode_emv_tlv_owned(&owned);
    assert!(minimal.len() <= data.len());
    assert_eq!(decode_emv_tlv_owned(&minimal).expect("minimal encoding must decode"), owned);
}

/// Parses arbitrary bytes as a DOL; a parsed DOL re-encodes to the input, and data built for it
/// splits back into values of the lengths asked for.
pub fn fuzz_dol(data: &[u8]) {
    let Ok(dol) = parse_emv_dol(data) else { return };
    let mut enc = Vec::new();
    encode_emv_dol(&dol, &mut enc);
    assert_eq!(enc, data);
    // Feed the DOL's own bytes as values: exercises padding and truncation for every format.
    let built = build_emv_dol_data(&dol, |_| Some(data));
    assert_eq!(built.len(), emv_dol_data_len(&dol));
    let split = split_emv_dol_data(&dol, &built).expect("data built for a DOL must split by it");
    assert!(split.iter().all(|(e, v)| v.len() == usize::from(e.len)));
}

/// The zero-copy walk (TlvIter recursion) and the owned model must see the same objects.
pub fn fuzz_tlv_differential(data: &[u8]) {
    let walked = walk_zero_copy(data);
    let owned = decode_emv_tlv_owned(data);
    match (walked, owned) {
        (Ok(w), Ok(o)) => {
            let mut flat = Vec::new();
            flatten_owned(&o, 0, &mut flat);
            assert_eq!(w, flat, "zero-copy walk and owned model disagree");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "the two decoders reject at different places"),
        (w, o) => panic!("one decoder accepted, the other did not: {w:?} / {o:?}"),
    }
}

type Flat = Vec<(usize, Tag, Option<Vec<u8>>)>;

fn walk_zero_copy(data: &[u8]) -> Result<Flat, crate::tlv::TlvError> {
    fn level(it: TlvIter<'_>, depth: usize, out: &mut Flat) -> Result<(), crate::tlv::TlvError> {
        for item in it {
            let t = item?;
            if depth > DEFAULT_MAX_DEPTH {
                return Err(crate::tlv::TlvError::DepthLimit { offset: t.offset, limit: DEFAULT_MAX_DEPTH });
            }
            if t.is_constructed() {
                out.push((depth, t.tag, None));
                level(t.children(), depth + 1, out)?;
            } else {
                out.push((depth, t.tag, Some(t.value.to_vec())));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    level(TlvIter::new(data), 1, &mut out)?;
    Ok(out)
}

fn flatten_owned(nodes: &[TlvOwned], depth: usize, out: &mut Flat) {
    for n in nodes {
        out.push((depth + 1, n.tag, n.bytes().map(<[u8]>::to_vec)));
        flatten_owned(n.children(), depth + 1, out);
    }
}
