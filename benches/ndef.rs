//! NDEF message decoding throughput over a realistic mix: every NDEF message vector in
//! `vectors/ndef/` (URI, Text UTF-8/UTF-16, Smart Poster, MIME, external, AAR, ID, a 300-byte
//! long record, a three-chunk record, Handover Select with a Bluetooth carrier, two-record
//! message). `benches/peer_ndeflib.py` times ndeflib on the same bytes.
//!
//! cargo bench --bench ndef -- --warm-up-time 1 --measurement-time 3

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tapcert_parsers::ndef::{
    CcFile, DecodeOptions, NdefError, T2tTlvArea, decode_known_record, decode_ndef_message, decode_t2t_tlvs,
    decode_t4t_cc, validate_ndef_message,
};

/// T2T data areas: the one of `vectors/ndef/t2t_ntag213.hex` (from byte 16), the same blocks
/// with a 300-byte NDEF TLV in the 3-byte length form, NULL padding, Lock and Memory Control
/// TLVs and a proprietary one, and a cut one (rejected).
fn t2t_areas() -> Vec<Vec<u8>> {
    let dump = hex::decode(include_str!("../vectors/ndef/t2t_ntag213.hex").trim()).expect("T2T hex");
    let mut long = vec![0x00, 0x00, 0x01, 0x03, 0xA0, 0x10, 0x44, 0x02, 0x03, 0x00, 0x10, 0x44, 0xFD, 0x02, 0xAB, 0xCD];
    long.extend_from_slice(&[0x03, 0xFF, 0x01, 0x2C]);
    long.extend_from_slice(&[0u8; 300]);
    long.push(0xFE);
    let cut = long[..200].to_vec();
    vec![dump[16..].to_vec(), long, cut]
}

/// CC files: `vectors/ndef/t4t_cc.hex` (mapping 2.0), a mapping 3.0 file with an extended
/// NDEF file control TLV and a proprietary one in the 3-byte length form, and three rejected
/// ones (CCLEN past the end, a file control TLV of length 5, a TLV running past CCLEN).
fn cc_files() -> Vec<Vec<u8>> {
    let vector = include_str!("../vectors/ndef/t4t_cc.hex").trim();
    [
        vector,
        "00113000FF00FF0608E104000100000000",
        "001B3000FF00FF0608E10400010000000005FF0006E10500320000",
        "000F20003B003404",
        "000E20003B00340405E104003200",
        "000F20003B0034040AE1040032000000",
    ]
    .iter()
    .map(|h| hex::decode(h).expect("CC hex"))
    .collect()
}

/// The message vectors (tag containers excluded), as raw bytes.
fn mix() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/ndef");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("vectors/ndef")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".hex") && !n.starts_with("t2t_") && !n.starts_with("t4t_"))
        .collect();
    names.sort();
    names.iter().map(|n| hex::decode(std::fs::read_to_string(format!("{dir}/{n}")).unwrap().trim()).unwrap()).collect()
}

fn bench_ndef(c: &mut Criterion) {
    let messages = mix();
    let total: usize = messages.iter().map(Vec::len).sum();
    let opts = DecodeOptions::default();
    let mut group = c.benchmark_group("ndef");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("decode_message", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(decode_ndef_message(black_box(m)).unwrap());
            }
        })
    });
    // What ndeflib's message_decoder does by default: records plus their known payload types.
    group.bench_function("decode_message_and_known_types", |b| {
        b.iter(|| {
            for m in &messages {
                let msg = decode_ndef_message(black_box(m)).unwrap();
                for r in &msg.records {
                    // Borrowed by black_box: the decoded value stays opaque to the optimiser
                    // without being copied into black_box's argument (a memcpy per record).
                    let known = decode_known_record(r, &opts);
                    black_box(&known);
                }
            }
        })
    });
    group.bench_function("decode_and_validate", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(decode_ndef_message(black_box(m)).unwrap());
                black_box(validate_ndef_message(m));
            }
        })
    });
    group.finish();
}

fn bench_t4t_cc(c: &mut Criterion) {
    let files = cc_files();
    let total: usize = files.iter().map(Vec::len).sum();
    let count = |r: Result<CcFile<'_>, NdefError>| r.map_or_else(|e| e.offset(), |cc| cc.tlvs.len());
    let mut g = c.benchmark_group("t4t_cc");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("tapcert_decode", |b| {
        b.iter(|| files.iter().map(|f| count(decode_t4t_cc(black_box(f)))).sum::<usize>())
    });
    g.finish();
}

fn bench_t2t_tlvs(c: &mut Criterion) {
    let areas = t2t_areas();
    let total: usize = areas.iter().map(Vec::len).sum();
    let count = |r: Result<T2tTlvArea<'_>, NdefError>| r.map_or_else(|e| e.offset(), |a| a.tlvs.len());
    let mut g = c.benchmark_group("t2t_tlvs");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("tapcert_decode", |b| {
        b.iter(|| areas.iter().map(|a| count(decode_t2t_tlvs(black_box(a), 16))).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench_ndef, bench_t4t_cc, bench_t2t_tlvs);
criterion_main!(benches);
