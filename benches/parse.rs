//! BER-TLV decoding of one contactless EMV flow (PPSE, SELECT, GPO, four records, GENERATE AC;
//! `vectors/emv/`) with tapcert and the Rust peers `iso7816-tlv` and `tlv_parser`, side by
//! side, throughput in bytes. `benches/peer_pyemv_tlv.py` times `pyemv.tlv.decode` on the same
//! bytes.
//!
//! Run: `cargo bench --bench parse -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tapcert_parsers::atr::{Atr, AtrError};
use tapcert_parsers::tlv::{TlvIter, TlvNode, decode_emv_tlv};

/// The ATR vectors (`vectors/atr/`: real ATRs from pcsc-tools' `smartcard_list.txt`), the
/// ones that parse and the ones rejected with an exact error.
const ATR_VECTORS: [&str; 2] = [include_str!("../vectors/atr/atr.txt"), include_str!("../vectors/atr/atr_invalid.txt")];

fn atr_vectors() -> Vec<Vec<u8>> {
    ATR_VECTORS
        .iter()
        .flat_map(|f| f.lines())
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(" | ").nth(1).expect("hex field").trim())
        .map(|h| if h == "-" { Vec::new() } else { hex::decode(h).expect("ATR hex") })
        .collect()
}

/// The flow, one response body per entry (SW1 SW2 removed).
const FLOW: [&str; 8] = [
    include_str!("../vectors/emv/mc_ppse.hex"),
    include_str!("../vectors/emv/mc_select.hex"),
    include_str!("../vectors/emv/mc_gpo_format2.hex"),
    include_str!("../vectors/emv/mc_record_sfi1_mag.hex"),
    include_str!("../vectors/emv/mc_record_track2_cdol.hex"),
    include_str!("../vectors/emv/mc_record_icc_pk.hex"),
    include_str!("../vectors/emv/amex_record_cdol.hex"),
    include_str!("../vectors/emv/mc_generate_ac_format2_cda.hex"),
];

fn flow() -> Vec<Vec<u8>> {
    FLOW.iter().map(|h| hex::decode(h.trim()).expect("vector hex")).collect()
}

/// Objects seen and value bytes of primitives: every decoder has to produce the same figures.
fn walk_zero_copy(it: TlvIter<'_>, acc: &mut (usize, usize)) {
    for tlv in it {
        let Ok(tlv) = tlv else { return };
        acc.0 += 1;
        if tlv.is_constructed() {
            walk_zero_copy(tlv.children(), acc);
        } else {
            acc.1 += tlv.value.len();
        }
    }
}

fn walk_tree(nodes: &[TlvNode<'_>], acc: &mut (usize, usize)) {
    for n in nodes {
        acc.0 += 1;
        if n.tlv.is_constructed() {
            walk_tree(&n.children, acc);
        } else {
            acc.1 += n.tlv.value.len();
        }
    }
}

fn walk_iso7816(t: &iso7816_tlv::ber::Tlv, acc: &mut (usize, usize)) {
    acc.0 += 1;
    match t.value() {
        iso7816_tlv::ber::Value::Constructed(children) => children.iter().for_each(|c| walk_iso7816(c, acc)),
        iso7816_tlv::ber::Value::Primitive(v) => acc.1 += v.len(),
    }
}

fn walk_tlv_parser(t: &tlv_parser::tlv::Tlv, acc: &mut (usize, usize)) {
    acc.0 += 1;
    match t.val() {
        tlv_parser::tlv::Value::TlvList(children) => children.iter().for_each(|c| walk_tlv_parser(c, acc)),
        tlv_parser::tlv::Value::Val(v) => acc.1 += v.len(),
        tlv_parser::tlv::Value::Nothing => {}
    }
}

fn bench_parse(c: &mut Criterion) {
    let flow = flow();
    let total: usize = flow.iter().map(Vec::len).sum();

    // The four decoders agree on what they saw before anything is timed.
    let mut expect = (0, 0);
    flow.iter().for_each(|r| walk_zero_copy(TlvIter::new(r), &mut expect));
    let mut tree = (0, 0);
    flow.iter().for_each(|r| walk_tree(&decode_emv_tlv(r).unwrap(), &mut tree));
    let mut iso = (0, 0);
    flow.iter().for_each(|r| walk_iso7816(&iso7816_tlv::ber::Tlv::from_bytes(r).unwrap(), &mut iso));
    let mut tp = (0, 0);
    flow.iter().for_each(|r| walk_tlv_parser(&tlv_parser::tlv::Tlv::from_vec(r).unwrap(), &mut tp));
    assert_eq!((tree, iso, tp), (expect, expect, expect), "decoders disagree on the flow");

    let mut g = c.benchmark_group("emv_flow_decode");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("tapcert_zero_copy_walk", |b| {
        b.iter(|| {
            let mut acc = (0, 0);
            for r in &flow {
                walk_zero_copy(TlvIter::new(black_box(r)), &mut acc);
            }
            acc
        })
    });
    g.bench_function("tapcert_decode_emv_tlv_tree", |b| {
        b.iter(|| {
            let mut acc = (0, 0);
            for r in &flow {
                walk_tree(&decode_emv_tlv(black_box(r)).unwrap(), &mut acc);
            }
            acc
        })
    });
    g.bench_function("iso7816_tlv", |b| {
        b.iter(|| {
            let mut acc = (0, 0);
            for r in &flow {
                walk_iso7816(&iso7816_tlv::ber::Tlv::from_bytes(black_box(r)).unwrap(), &mut acc);
            }
            acc
        })
    });
    g.bench_function("tlv_parser", |b| {
        b.iter(|| {
            let mut acc = (0, 0);
            for r in &flow {
                walk_tlv_parser(&tlv_parser::tlv::Tlv::from_vec(black_box(r)).unwrap(), &mut acc);
            }
            acc
        })
    });
    g.finish();
}

/// Historical bytes and interface groups of the ATRs that parse, and the sum of the error
/// offsets of those that don't: both parsers have to produce the same figures.
fn atr_counts(atrs: &[Vec<u8>], parse: impl Fn(&[u8]) -> Result<(usize, usize), AtrError>) -> (usize, usize, usize) {
    atrs.iter().fold((0, 0, 0), |acc, a| match parse(black_box(a)) {
        Ok((h, g)) => (acc.0 + h, acc.1 + g, acc.2),
        Err(e) => (acc.0, acc.1, acc.2 + e.offset().unwrap_or(0) + 1),
    })
}

fn bench_atr(c: &mut Criterion) {
    let atrs = atr_vectors();
    let total: usize = atrs.iter().map(Vec::len).sum();
    let combinators = |a: &[u8]| Atr::from_bytes(a).map(|a| (a.historical.len(), a.groups.len()));

    let mut g = c.benchmark_group("atr");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("tapcert_from_bytes", |b| b.iter(|| atr_counts(&atrs, combinators)));
    g.finish();
}

criterion_group!(benches, bench_parse, bench_atr);
criterion_main!(benches);
