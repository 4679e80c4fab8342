//! Batch token generation for throughput sizing: one key schedule per batch, work spread over
//! the cores with rayon (or kept on the calling thread when `parallel` is false, e.g. inside a
//! caller-sized thread pool).

use rayon::prelude::*;

use crate::des::bitslice::{self, LANES};
use crate::emv::{derive_session_key_emv_csk_aes, emv_csk_r, emv_csk_r_aes, emv_csk_schedule};
use crate::mac::{aes_cmac_oneshot, mac_alg3_pair, mac_alg3_u64, padded_block, padded_blocks};
use crate::{Aes, Padding, Tdes, Totp, generate_cvc3};

/// Below this many items per rayon task the split overhead outweighs the work.
const MIN_PER_TASK: usize = 256;

/// `f` over `items`, on the rayon pool in tasks of at least `min_len` items when `parallel`.
fn map_batch<T: Sync, R: Send>(
    items: &[T],
    parallel: bool,
    min_len: usize,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if parallel { items.par_iter().with_min_len(min_len).map(f).collect() } else { items.iter().map(f).collect() }
}

/// One ARQC request of a batch: the ATC (session key input) and the AC input data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArqcJob<'a> {
    /// Application transaction counter.
    pub atc: [u8; 2],
    /// AC input data (e.g. the 33 bytes of [`crate::AcData`] plus the CVN suffix).
    pub data: &'a [u8],
}

/// TDES ARQC with an EMV CSK session key (R = ATC ‖ 0) and padding method 2: the ICC MK
/// schedule is given, the session key and its schedule are derived per call.
#[inline]
pub fn generate_arqc_tdes_csk(icc_mk: &Tdes, atc: [u8; 2], data: &[u8]) -> [u8; 8] {
    mac_alg3_u64(&emv_csk_schedule(icc_mk, emv_csk_r(atc)), data, Padding::Method2).to_be_bytes()
}

/// AES ARQC with an AES EMV CSK session key (R = ATC ‖ 0): session key, its expansion, CMAC
/// subkeys and the CMAC per call.
#[inline]
pub fn generate_arqc_aes_csk(icc_mk: &Aes, atc: [u8; 2], data: &[u8]) -> Result<[u8; 8], crate::CryptoError> {
    let sk = derive_session_key_emv_csk_aes(icc_mk, emv_csk_r_aes(atc));
    let t = aes_cmac_oneshot(&sk, data)?;
    Ok([t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]])
}

/// Two TDES CSK ARQCs at once: the same results as two [`generate_arqc_tdes_csk`] calls, with
/// the two DES dependency chains interleaved on one core (more tokens per second per core).
#[inline]
pub fn generate_arqc_tdes_csk_x2(icc_mk: &Tdes, a: &ArqcJob<'_>, b: &ArqcJob<'_>) -> ([u8; 8], [u8; 8]) {
    let (ska, skb) = (emv_csk_schedule(icc_mk, emv_csk_r(a.atc)), emv_csk_schedule(icc_mk, emv_csk_r(b.atc)));
    let (x, y) = mac_alg3_pair(&ska, a.data, &skb, b.data, Padding::Method2);
    (x.to_be_bytes(), y.to_be_bytes())
}

/// Up to 64 TDES CSK ARQCs, bitsliced (one lane per transaction; the same results as
/// [`generate_arqc_tdes_csk`] each). Every job's data must pad to `blocks` blocks.
///
/// The four session-key halves come out of the TDES as slices, which are directly the MAC's
/// keys (no key schedule at all); the data blocks are transposed into slices block by block.
/// Two 64x64 transposes per block and one for the result are the only per-lane work outside
/// the circuits.
/// `mk` is the ICC MK as key slices (K1, K2, K3): the same in every lane, or one per lane.
fn arqc_tdes_csk_bitsliced(mk: &[[u64; 64]; 3], jobs: &[ArqcJob<'_>], blocks: usize) -> Vec<[u8; 8]> {
    let job = |i: usize| jobs.get(i).copied().unwrap_or(ArqcJob { atc: [0; 2], data: &[] });
    let [k1, k2, k3] = mk;
    let tdes = |x: [u64; 64]| {
        let (l, r) = bitslice::ip(&x);
        let (l, r) = bitslice::rounds(l, r, k1, false);
        let (l, r) = bitslice::rounds(l, r, k2, true);
        bitslice::fp(&bitslice::rounds(l, r, k3, false))
    };
    // EMV CSK (Book 2 A1.3.1): F1 = R0 R1 F0 R3..R7, F2 = R0 R1 0F R3..R7 with R = ATC ‖ 0
    let r = |i: usize| u64::from_be_bytes(emv_csk_r(job(i).atc)) & !0x0000_FF00_0000_0000;
    let sk_l = tdes(bitslice::to_slices(|i| r(i) | 0x0000_F000_0000_0000));
    let sk_r = tdes(bitslice::to_slices(|i| r(i) | 0x0000_0F00_0000_0000));
    // MAC algorithm 3 with padding method 2, the CBC chain in the IP domain
    let (mut l, mut r) = ([0u64; 32], [0u64; 32]);
    for b in 0..blocks {
        let m = bitslice::to_slices(|i| padded_block(job(i).data, Padding::Method2, b));
        let (ml, mr) = bitslice::ip(&m);
        for (a, x) in l.iter_mut().zip(ml).chain(r.iter_mut().zip(mr)) {
            *a ^= x;
        }
        (l, r) = bitslice::rounds(l, r, &sk_l, false);
    }
    let (l, r) = bitslice::rounds(l, r, &sk_r, true);
    let out = bitslice::fp(&bitslice::rounds(l, r, &sk_l, false));
    bitslice::from_slices(&out).iter().take(jobs.len()).map(|a| a.to_be_bytes()).collect()
}

/// Runs `f` over the jobs grouped by padded data length (method 2) and cut into chunks of one
/// bitsliced pass, so a batch that mixes lengths (card profiles with different CDOLs) still
/// fills whole passes; returns the results in the input order. A chunk that `f` gets is one
/// length throughout, full-sized except the last of its length.
fn by_padded_length<J: Copy + Sync>(
    jobs: &[J],
    data: impl Fn(&J) -> &[u8] + Sync,
    parallel: bool,
    f: impl Fn(&[J], usize) -> Vec<[u8; 8]> + Sync + Send,
) -> Vec<[u8; 8]> {
    let blocks = |j: &J| padded_blocks(data(j), Padding::Method2);
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| jobs.get(i).map_or(0, &blocks));
    let sorted: Vec<J> = order.iter().filter_map(|&i| jobs.get(i).copied()).collect();
    let chunks: Vec<&[J]> = sorted.chunk_by(|a, b| blocks(a) == blocks(b)).flat_map(|g| g.chunks(LANES)).collect();
    let done = map_batch(&chunks, parallel, 1, |c| f(c, c.first().map_or(0, &blocks)));
    let mut out = vec![[0u8; 8]; jobs.len()];
    for (&i, r) in order.iter().zip(done.into_iter().flatten()) {
        if let Some(o) = out.get_mut(i) {
            *o = r;
        }
    }
    out
}

/// Many TDES CSK ARQCs under one ICC MK (same results as [`generate_arqc_tdes_csk`] each, in
/// the input order). The jobs are grouped by padded data length; every 64 of one length go
/// through the bitsliced path (`arqc_tdes_csk_bitsliced`), the rest of each length two at a
/// time per core ([`generate_arqc_tdes_csk_x2`]).
pub fn batch_arqc_tdes_csk(icc_mk: &Tdes, jobs: &[ArqcJob<'_>], parallel: bool) -> Vec<[u8; 8]> {
    let mk = [icc_mk.k1(), icc_mk.k2(), icc_mk.k3()].map(|k| bitslice::broadcast(k.key_u64()));
    by_padded_length(
        jobs,
        |j| j.data,
        parallel,
        |chunk, n| {
            if chunk.len() == LANES {
                return arqc_tdes_csk_bitsliced(&mk, chunk, n);
            }
            let mut out = Vec::with_capacity(chunk.len());
            for p in chunk.chunks(2) {
                match p {
                    [a, b] => {
                        let (x, y) = generate_arqc_tdes_csk_x2(icc_mk, a, b);
                        out.extend([x, y]);
                    }
                    [a] => out.push(generate_arqc_tdes_csk(icc_mk, a.atc, a.data)),
                    _ => {}
                }
            }
            out
        },
    )
}

/// One ARQC request of a batch that spans many cards: the card's two-key ICC master key with
/// the ATC and AC input data (issuer-side verification of many transactions at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardArqcJob<'a> {
    /// The card's ICC MK (MK-AC), K1 ‖ K2.
    pub icc_mk: [u8; 16],
    /// Application transaction counter.
    pub atc: [u8; 2],
    /// AC input data.
    pub data: &'a [u8],
}

/// Many TDES CSK ARQCs, each under its own card's ICC MK (the same result as
/// [`generate_arqc_tdes_csk`] with that MK each, in the input order). Grouped by padded data
/// length like [`batch_arqc_tdes_csk`]; every 64 of one length go through the bitsliced path
/// with one key per lane, so no key schedule is computed for them at all; the rest one at a
/// time.
pub fn batch_arqc_tdes_csk_cards(jobs: &[CardArqcJob<'_>], parallel: bool) -> Vec<[u8; 8]> {
    let single = |j: &CardArqcJob<'_>| generate_arqc_tdes_csk(&Tdes::new_2key(&j.icc_mk), j.atc, j.data);
    by_padded_length(
        jobs,
        |j| j.data,
        parallel,
        |chunk, n| {
            if chunk.len() < LANES {
                return chunk.iter().map(single).collect();
            }
            let half = |i: usize, h: usize| {
                chunk.get(i).map_or(0, |j| u64::from_be_bytes(j.icc_mk[8 * h..8 * h + 8].try_into().unwrap_or([0; 8])))
            };
            let (k1, k2) = (bitslice::to_slices(|i| half(i, 0)), bitslice::to_slices(|i| half(i, 1)));
            let plain: Vec<ArqcJob<'_>> = chunk.iter().map(|j| ArqcJob { atc: j.atc, data: j.data }).collect();
            arqc_tdes_csk_bitsliced(&[k1, k2, k1], &plain, n)
        },
    )
}

/// Many AES CSK ARQCs under one ICC MK ([`generate_arqc_aes_csk`] each).
pub fn batch_arqc_aes_csk(icc_mk: &Aes, jobs: &[ArqcJob<'_>], parallel: bool) -> Vec<[u8; 8]> {
    map_batch(jobs, parallel, MIN_PER_TASK, |j| generate_arqc_aes_csk(icc_mk, j.atc, j.data).unwrap_or([0; 8]))
}

/// Many CVC3s under one KD-CVC3 and IVCVC3, for (UN, ATC) pairs.
pub fn batch_cvc3(kd_cvc3: &Tdes, ivcvc3: [u8; 2], inputs: &[([u8; 4], [u8; 2])], parallel: bool) -> Vec<u16> {
    map_batch(inputs, parallel, MIN_PER_TASK, |(un, atc)| generate_cvc3(kd_cvc3, ivcvc3, *un, *atc))
}

/// Many TOTP values (as numbers; format with `{:0width$}`) for the given times.
pub fn batch_totp(totp: &Totp, unix_times: &[u64], parallel: bool) -> Vec<u64> {
    map_batch(unix_times, parallel, MIN_PER_TASK, |t| totp.value_at_counter(totp.counter_at(*t)))
}
