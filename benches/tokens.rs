//! Token generation speed (criterion). Inputs are the crypto-vectors.md §5c benchmark vectors
//! (EMV test IMK derivatives K10/K11, the 33-byte EMV Book 2 §8.1.1 data set).
//!
//! `cargo bench --bench tokens -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use cipher::{BlockCipherEncrypt, KeyInit};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tapcert_crypto::*;

const CDOL33: &str = "0000000040000000000000000124800004800001241911050152BF45851800001C";
const MK_TDES: &str = "154F349D8585CB7F6B0798E9839B10C1"; // K10
const MK_AES: &str = "8E49BA842F0379C92E571DB7CA1AED90"; // K11 (SELF)

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn block_ciphers(c: &mut Criterion) {
    let mut g = c.benchmark_group("block");
    let key: [u8; 16] = h(MK_TDES).try_into().unwrap();
    let ours = Tdes::new(&key).unwrap();
    g.bench_function("tdes_ours", |b| b.iter(|| ours.encrypt_u64(black_box(0x0123_4567_89AB_CDEF))));
    let des1 = Des::new(&key[..8].try_into().unwrap());
    g.bench_function("des_ours", |b| b.iter(|| des1.encrypt_u64(black_box(0x0123_4567_89AB_CDEF))));
    let rc = des::Des::new(&key[..8].try_into().unwrap());
    g.bench_function("des_rustcrypto", |b| {
        b.iter(|| {
            let mut blk = black_box([0x01u8, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]).into();
            rc.encrypt_block(&mut blk);
            blk
        })
    });
    let k1: [u8; 8] = key[..8].try_into().unwrap();
    g.bench_function("des_key_schedule_ours", |b| b.iter(|| Des::new(black_box(&k1))));
    let aes = Aes::new(&h(MK_AES)).unwrap();
    g.bench_function("aes128_block", |b| b.iter(|| aes.encrypt(black_box([7u8; 16]))));
    // latency: each block depends on the previous one, as in CMAC's chain
    g.bench_function("aes128_block_latency_x8", |b| {
        b.iter(|| {
            let mut x = black_box([7u8; 16]);
            for _ in 0..8 {
                x = aes.encrypt(x);
            }
            x
        })
    });
    let aes_key = h(MK_AES);
    g.bench_function("aes128_key_expansion", |b| b.iter(|| Aes::new(black_box(&aes_key[..])).unwrap()));
    g.finish();
}

fn arqc(c: &mut Criterion) {
    let data = h(CDOL33);
    let mk_bytes: [u8; 16] = h(MK_TDES).try_into().unwrap();
    let mk = Tdes::new(&mk_bytes).unwrap();
    let sk = Tdes::new(&derive_session_key_emv_csk(&mk, emv_csk_r([0, 0x1C]))).unwrap();
    let mut g = c.benchmark_group("arqc_tdes");
    // the pyemv-comparable figure: ICC MK bytes in, session key + ARQC out
    g.bench_function("from_mk_bytes", |b| {
        b.iter(|| {
            let mk = Tdes::new_2key(black_box(&mk_bytes));
            generate_arqc_tdes_csk(&mk, black_box([0, 0x1C]), black_box(&data))
        })
    });
    g.bench_function("mk_scheduled", |b| {
        b.iter(|| generate_arqc_tdes_csk(&mk, black_box([0, 0x1C]), black_box(&data)))
    });
    g.bench_function("sk_scheduled", |b| b.iter(|| generate_ac_tdes(&sk, black_box(&data), Padding::Method2)));
    g.finish();
    // two transactions interleaved on one core; criterion reports time per pair, and with
    // Throughput::Elements(2) the per-ARQC rate
    let mut g = c.benchmark_group("arqc_tdes_x2");
    g.throughput(Throughput::Elements(2));
    let (ja, jb) = (ArqcJob { atc: [0, 0x1C], data: &data }, ArqcJob { atc: [0, 0x1D], data: &data });
    g.bench_function("mk_scheduled_pair", |b| {
        b.iter(|| generate_arqc_tdes_csk_x2(&mk, black_box(&ja), black_box(&jb)))
    });
    g.finish();

    let aes_bytes = h(MK_AES);
    let aes_mk = Aes::new(&aes_bytes).unwrap();
    let aes_sk = AesCmac::new(&derive_session_key_emv_csk_aes(&aes_mk, emv_csk_r_aes([0, 0x1C]))).unwrap();
    let mut g = c.benchmark_group("arqc_aes");
    g.bench_function("from_mk_bytes", |b| {
        b.iter(|| {
            let mk = Aes::new(black_box(&aes_bytes)).unwrap();
            generate_arqc_aes_csk(&mk, black_box([0, 0x1C]), black_box(&data)).unwrap()
        })
    });
    g.bench_function("mk_scheduled", |b| {
        b.iter(|| generate_arqc_aes_csk(&aes_mk, black_box([0, 0x1C]), black_box(&data)).unwrap())
    });
    g.bench_function("sk_scheduled", |b| b.iter(|| generate_ac_aes(&aes_sk, black_box(&data))));
    g.finish();
}

fn codes(c: &mut Criterion) {
    // C3 (jPOS): KD-CVC3 and track 2 data
    let kd = Tdes::new(&h("DCE992BCE398C264F7858AFD4C4A324A")).unwrap();
    let track = h("1234567890123456D12012061000110000000F");
    let mut g = c.benchmark_group("cvc3");
    g.bench_function("cvc3_given_ivcvc3", |b| {
        b.iter(|| generate_cvc3(&kd, [0xCD, 0x76], black_box([0, 0, 0x27, 0x10]), black_box([0x27, 0x10])))
    });
    g.bench_function("ivcvc3_and_cvc3", |b| {
        b.iter(|| {
            let iv = generate_ivcvc3(&kd, black_box(&track));
            generate_cvc3(&kd, iv, black_box([0, 0, 0x27, 0x10]), black_box([0x27, 0x10]))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("totp");
    for (name, alg) in
        [("sha1", HmacAlgorithm::Sha1), ("sha256", HmacAlgorithm::Sha256), ("sha512", HmacAlgorithm::Sha512)]
    {
        let totp = Totp::rfc6238(alg, b"12345678901234567890", 8).unwrap();
        g.bench_function(name, |b| b.iter(|| totp.value_at_counter(totp.counter_at(black_box(1_234_567_890)))));
    }
    let totp = Totp::rfc6238(HmacAlgorithm::Sha1, b"12345678901234567890", 8).unwrap();
    g.bench_function("sha1_string", |b| b.iter(|| totp.generate(black_box(1_234_567_890))));
    g.finish();

    let imk = Tdes::new(&h("0123456789ABCDEFFEDCBA9876543210")).unwrap();
    let card = CpmCard {
        aid: h("A0000000031010"),
        label: "VISA CREDIT".into(),
        pan: "1234567890123456".into(),
        cardholder_name: Some("CARDHOLDER/EMV".into()),
        language_preference: None,
        icc_mk: Cvn::Visa18.derive_icc_mk(&imk, "1234567890123456", 0).unwrap(),
        cvn: Cvn::Visa18,
        iad: h("06011203A0B800"),
    };
    let ac_data = AcData::from_bytes(&h(CDOL33)).unwrap();
    c.bench_function("cpm_qr/visa18_token", |b| {
        b.iter(|| generate_cpm_token(black_box(&card), black_box(&ac_data)).unwrap())
    });
}

fn batches(c: &mut Criterion) {
    const N: usize = 10_000;
    let cdol = h(CDOL33);
    let datas: Vec<Vec<u8>> = (0..N as u32).map(|i| [&cdol[..29], &i.to_be_bytes()].concat()).collect();
    let jobs: Vec<ArqcJob<'_>> =
        datas.iter().enumerate().map(|(i, d)| ArqcJob { atc: (i as u16).to_be_bytes(), data: d }).collect();
    let mk = Tdes::new(&h(MK_TDES)).unwrap();
    let card_jobs: Vec<CardArqcJob<'_>> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let mut icc_mk: [u8; 16] = h(MK_TDES).try_into().unwrap();
            icc_mk[..4].copy_from_slice(&(i as u32).to_be_bytes());
            CardArqcJob { icc_mk, atc: j.atc, data: j.data }
        })
        .collect();
    let aes = Aes::new(&h(MK_AES)).unwrap();
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(N as u64));
    for parallel in [false, true] {
        let label = if parallel { "all_cores" } else { "one_core" };
        g.bench_with_input(BenchmarkId::new("arqc_tdes", label), &parallel, |b, &p| {
            b.iter(|| batch_arqc_tdes_csk(&mk, &jobs, p))
        });
        // issuer side: every transaction from a different card (its own ICC MK)
        g.bench_with_input(BenchmarkId::new("arqc_tdes_per_card", label), &parallel, |b, &p| {
            b.iter(|| batch_arqc_tdes_csk_cards(&card_jobs, p))
        });
        g.bench_with_input(BenchmarkId::new("arqc_aes", label), &parallel, |b, &p| {
            b.iter(|| batch_arqc_aes_csk(&aes, &jobs, p))
        });
    }
    g.finish();
}

criterion_group!(benches, block_ciphers, arqc, codes, batches);
criterion_main!(benches);
