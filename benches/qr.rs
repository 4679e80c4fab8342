//! QR payload benches: EMVCo MPM decode (grammar + CRC) and decode + validation on the EMVCo
//! annex example (the text `benches/peer_cemacqr.py` times with the Python `cemacqr` parser),
//! the Pix BCB example, and CPM base64 + BER-TLV decode + validation.
//!
//! `cargo bench --bench qr -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tapcert_parsers::qr::{
    crc16_ccitt_false, decode_qr_cpm_base64, decode_qr_mpm, encode_qr_mpm, parse_qr_cpm, validate_qr_cpm,
    validate_qr_mpm,
};

const ANNEX: &str = include_str!("../vectors/qr/mpm_emvco_annex.txt");
const PIX: &str = include_str!("../vectors/qr/mpm_pix_bcb_manual.txt");
const CPM: &str = include_str!("../vectors/qr/cpm_emvco_example.txt");

fn bench_mpm(c: &mut Criterion) {
    for (name, text) in [("annex", ANNEX.trim_end()), ("pix", PIX.trim_end())] {
        let mut g = c.benchmark_group(format!("qr_mpm/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("crc_only", |b| b.iter(|| crc16_ccitt_false(black_box(text.as_bytes()))));
        g.bench_function("decode_crc", |b| b.iter(|| decode_qr_mpm(black_box(text)).unwrap().crc.unwrap().ok()));
        g.bench_function("decode_crc_validate", |b| {
            b.iter(|| {
                let qr = decode_qr_mpm(black_box(text)).unwrap();
                let ok = qr.crc.is_some_and(|c| c.ok());
                (ok, validate_qr_mpm(&qr).len())
            })
        });
        let nodes = decode_qr_mpm(text).unwrap().to_nodes();
        g.bench_function("encode", |b| b.iter(|| encode_qr_mpm(black_box(&nodes)).unwrap()));
        g.finish();
    }
}

fn bench_cpm(c: &mut Criterion) {
    let text = CPM.trim_end();
    let mut g = c.benchmark_group("qr_cpm/emvco_example");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("base64_tlv_validate", |b| {
        b.iter(|| {
            let bytes = decode_qr_cpm_base64(black_box(text)).unwrap();
            let nodes = parse_qr_cpm(&bytes).unwrap();
            validate_qr_cpm(&nodes).len()
        })
    });
    g.bench_function("base64_tlv", |b| {
        b.iter(|| {
            let bytes = decode_qr_cpm_base64(black_box(text)).unwrap();
            parse_qr_cpm(&bytes).unwrap().len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_mpm, bench_cpm);
criterion_main!(benches);
