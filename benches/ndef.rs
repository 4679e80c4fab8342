//! NDEF message decoding throughput over a realistic mix: every NDEF message vector in
//! `vectors/ndef/` (URI, Text UTF-8/UTF-16, Smart Poster, MIME, external, AAR, ID, a 300-byte
//! long record, a three-chunk record, Handover Select with a Bluetooth carrier, two-record
//! message). `benches/peer_ndeflib.py` times ndeflib on the same bytes.
//!
//! cargo bench --bench ndef -- --warm-up-time 1 --measurement-time 3

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tapcert_parsers::ndef::{DecodeOptions, decode_known_record, decode_ndef_message, validate_ndef_message};

/// Today's hand-written decoder, timed beside the combinator grammar (issue 13) until the
/// figures are recorded.
#[path = "baseline/ndef.rs"]
mod baseline;

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
    for m in &messages {
        assert_eq!(baseline::decode_ndef_message_with(m, &opts), decode_ndef_message(m), "the baseline disagrees");
    }
    let mut group = c.benchmark_group("ndef");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("decode_message", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(decode_ndef_message(black_box(m)).unwrap());
            }
        })
    });
    group.bench_function("baseline_decode_message", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(baseline::decode_ndef_message_with(black_box(m), &opts).unwrap());
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

criterion_group!(benches, bench_ndef);
criterion_main!(benches);
