//! `tapcert bench tokens`: a quick tokens-per-second table for users without criterion, on one
//! thread and on all cores. Inputs are the crypto-vectors.md §5c benchmark vectors; every
//! operation varies its ATC/UN/time so nothing is cached. For exact figures use
//! `cargo bench --bench tokens`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::json;
use tapcert_crypto::{
    AcData, Aes, ArqcJob, CpmCard, Cvn, HmacAlgorithm, Tdes, Totp, batch_arqc_tdes_csk, generate_arqc_aes_csk,
    generate_arqc_tdes_csk, generate_arqc_tdes_csk_x2, generate_cpm_token, generate_cvc3,
};

/// Arguments of `tapcert bench tokens`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct BenchTokensArgs {
    /// The kinds to run (all when none is given).
    #[arg(value_enum)]
    pub kinds: Vec<BenchKind>,
    /// Seconds to run each kind at each thread count.
    #[arg(long, default_value_t = 1.0)]
    pub seconds: f64,
    /// Print JSON: {"results": [{"kind", "threads", "ops_per_sec"}, ...]}.
    #[arg(long)]
    pub json: bool,
}

/// The benchmarked token kinds, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchKind {
    /// ARQC, TDES, EMV common session key.
    ArqcTdes,
    /// Two ARQC transactions interleaved per call (both counted).
    ArqcTdesX2,
    /// [`BATCH`] ARQC transactions per call through `batch_arqc_tdes_csk` on the calling thread
    /// (the bitsliced path), all counted.
    ArqcTdesBatch,
    /// ARQC, AES, EMV common session key.
    ArqcAes,
    /// Mastercard CVC3.
    Cvc3,
    /// TOTP, HMAC-SHA-1, 8 digits.
    TotpSha1,
    /// An EMVCo CPM QR token with a fresh cryptogram.
    CpmQr,
}

impl BenchKind {
    /// The command-line (and JSON) name.
    fn name(self) -> String {
        self.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default()
    }
}

/// Transactions per `arqc-tdes-batch` call.
const BATCH: usize = 64;

const CDOL33: &str = "0000000040000000000000000124800004800001241911050152BF45851800001C";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_default()
}

/// The per-kind state, built once per thread; `op(i)` makes one token from counter `i`.
struct Workload {
    tdes_mk: Tdes,
    aes_mk: Aes,
    kd: Tdes,
    totp: Totp,
    card: CpmCard,
    data: Vec<u8>,
    /// One AC input per transaction of an `arqc-tdes-batch` call.
    batch: Vec<Vec<u8>>,
}

impl Workload {
    fn new() -> Result<Self> {
        let imk = Tdes::new(&h("0123456789ABCDEFFEDCBA9876543210"))?;
        Ok(Workload {
            tdes_mk: Tdes::new(&h("154F349D8585CB7F6B0798E9839B10C1"))?,
            aes_mk: Aes::new(&h("8E49BA842F0379C92E571DB7CA1AED90"))?,
            kd: Tdes::new(&h("DCE992BCE398C264F7858AFD4C4A324A"))?,
            totp: Totp::rfc6238(HmacAlgorithm::Sha1, b"12345678901234567890", 8)?,
            card: CpmCard {
                aid: h("A0000000031010"),
                label: "CREDIT".into(),
                pan: "1234567890123456".into(),
                cardholder_name: None,
                language_preference: None,
                icc_mk: Cvn::Visa18.derive_icc_mk(&imk, "1234567890123456", 0)?,
                cvn: Cvn::Visa18,
                iad: h("06011203A0B800"),
            },
            data: h(CDOL33),
            batch: vec![h(CDOL33); BATCH],
        })
    }

    /// Tokens produced by one `op` of `kind`.
    fn tokens_per_op(kind: BenchKind) -> u64 {
        match kind {
            BenchKind::ArqcTdesX2 => 2,
            BenchKind::ArqcTdesBatch => BATCH as u64,
            _ => 1,
        }
    }

    fn op(&mut self, kind: BenchKind, i: u32) -> u64 {
        let atc = (i as u16).to_be_bytes();
        match kind {
            BenchKind::ArqcTdes => {
                self.data[29..33].copy_from_slice(&i.to_be_bytes());
                u64::from_be_bytes(generate_arqc_tdes_csk(&self.tdes_mk, atc, &self.data))
            }
            BenchKind::ArqcTdesX2 => {
                self.data[29..33].copy_from_slice(&i.to_be_bytes());
                let a = ArqcJob { atc, data: &self.data };
                let b = ArqcJob { atc: (i as u16 ^ 0x8000).to_be_bytes(), data: &self.data };
                let (x, y) = generate_arqc_tdes_csk_x2(&self.tdes_mk, &a, &b);
                u64::from_be_bytes(x) ^ u64::from_be_bytes(y)
            }
            BenchKind::ArqcTdesBatch => {
                let jobs: Vec<ArqcJob<'_>> = self
                    .batch
                    .iter_mut()
                    .enumerate()
                    .map(|(k, d)| {
                        d[29..33].copy_from_slice(&(i ^ k as u32).to_be_bytes());
                        ArqcJob { atc: ((i as u16) ^ k as u16).to_be_bytes(), data: &d[..] }
                    })
                    .collect();
                batch_arqc_tdes_csk(&self.tdes_mk, &jobs, false).iter().fold(0, |a, t| a ^ u64::from_be_bytes(*t))
            }
            BenchKind::ArqcAes => {
                self.data[29..33].copy_from_slice(&i.to_be_bytes());
                generate_arqc_aes_csk(&self.aes_mk, atc, &self.data).map(u64::from_be_bytes).unwrap_or(0)
            }
            BenchKind::Cvc3 => u64::from(generate_cvc3(&self.kd, [0xCD, 0x76], i.to_be_bytes(), atc)),
            BenchKind::TotpSha1 => self.totp.value_at_counter(u64::from(i)),
            BenchKind::CpmQr => {
                let mut d = AcData::from_bytes(&h(CDOL33)).unwrap_or_default();
                d.atc = atc;
                d.un = i.to_be_bytes();
                generate_cpm_token(&self.card, &d).map(|t| t.qr.len() as u64).unwrap_or(0)
            }
        }
    }
}

/// Runs `kind` on `threads` threads for `dur`; returns total operations per second.
fn measure(kind: BenchKind, threads: usize, dur: Duration) -> Result<f64> {
    let start = Instant::now();
    let counts: Vec<Result<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || -> Result<u64> {
                    let mut w = Workload::new()?;
                    let mut n = 0u64;
                    let mut i = (t as u32) << 24;
                    let t0 = Instant::now();
                    while t0.elapsed() < dur {
                        for _ in 0..256 {
                            black_box(w.op(kind, i));
                            i = i.wrapping_add(1);
                        }
                        n += 256 * Workload::tokens_per_op(kind);
                    }
                    Ok(n)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("bench thread panicked"))))
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let mut total = 0u64;
    for c in counts {
        total += c?;
    }
    Ok(total as f64 / elapsed)
}

/// Runs `tapcert bench tokens`.
pub fn run(args: &BenchTokensArgs) -> Result<ExitCode> {
    // Below a millisecond the clock's granularity is the measurement.
    if !(args.seconds >= 0.001 && args.seconds <= 3600.0) {
        anyhow::bail!("--seconds: expected 0.001 to 3600, got {}", args.seconds);
    }
    let dur = Duration::from_secs_f64(args.seconds);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut thread_counts = vec![1];
    if cores > 1 {
        thread_counts.push(cores);
    }
    let kinds = if args.kinds.is_empty() { BenchKind::value_variants() } else { &args.kinds[..] };
    let mut results = Vec::new();
    let mut out = crate::out::Stdout::new();
    for &kind in kinds {
        let name = kind.name();
        for &threads in &thread_counts {
            let ops = measure(kind, threads, dur)?;
            if !args.json {
                out.line(format_args!(
                    "{name:<15} threads {threads:>3}  {ops:>14.0} ops/s  {:>10.1} ns/op/thread",
                    1e9 * threads as f64 / ops
                ))?;
            }
            results.push(json!({"kind": name, "threads": threads, "ops_per_sec": ops}));
        }
    }
    if args.json {
        out.line(json!({ "results": results }))?;
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
