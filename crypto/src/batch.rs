//! Batch token generation for throughput sizing: one key schedule per batch, work spread over
//! the cores with rayon (or kept on the calling thread when `parallel` is false, e.g. inside a
//! caller-sized thread pool).

use rayon::prelude::*;

use crate::emv::{derive_session_key_emv_csk_aes, emv_csk_r, emv_csk_r_aes, emv_csk_schedule};
use crate::mac::{aes_cmac_oneshot, mac_alg3_pair, mac_alg3_u64};
use crate::{Aes, Padding, Tdes, Totp, generate_cvc3};

/// Below this many items per rayon task the split overhead outweighs the work.
const MIN_PER_TASK: usize = 256;

fn map_batch<T: Sync, R: Send>(items: &[T], parallel: bool, f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if parallel { items.par_iter().with_min_len(MIN_PER_TASK).map(f).collect() } else { items.iter().map(f).collect() }
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

/// Many TDES CSK ARQCs under one ICC MK (same results as [`generate_arqc_tdes_csk`] each),
/// two at a time per core ([`generate_arqc_tdes_csk_x2`]).
pub fn batch_arqc_tdes_csk(icc_mk: &Tdes, jobs: &[ArqcJob<'_>], parallel: bool) -> Vec<[u8; 8]> {
    let pairs: Vec<&[ArqcJob<'_>]> = jobs.chunks(2).collect();
    let done = map_batch(&pairs, parallel, |p| match p {
        [a, b] => {
            let (x, y) = generate_arqc_tdes_csk_x2(icc_mk, a, b);
            [x, y]
        }
        [a] => [generate_arqc_tdes_csk(icc_mk, a.atc, a.data), [0; 8]],
        _ => [[0; 8]; 2],
    });
    let mut out: Vec<[u8; 8]> = done.into_iter().flatten().collect();
    out.truncate(jobs.len());
    out
}

/// Many AES CSK ARQCs under one ICC MK ([`generate_arqc_aes_csk`] each).
pub fn batch_arqc_aes_csk(icc_mk: &Aes, jobs: &[ArqcJob<'_>], parallel: bool) -> Vec<[u8; 8]> {
    map_batch(jobs, parallel, |j| generate_arqc_aes_csk(icc_mk, j.atc, j.data).unwrap_or([0; 8]))
}

/// Many CVC3s under one KD-CVC3 and IVCVC3, for (UN, ATC) pairs.
pub fn batch_cvc3(kd_cvc3: &Tdes, ivcvc3: [u8; 2], inputs: &[([u8; 4], [u8; 2])], parallel: bool) -> Vec<u16> {
    map_batch(inputs, parallel, |(un, atc)| generate_cvc3(kd_cvc3, ivcvc3, *un, *atc))
}

/// Many TOTP values (as numbers; format with `{:0width$}`) for the given times.
pub fn batch_totp(totp: &Totp, unix_times: &[u64], parallel: bool) -> Vec<u64> {
    map_batch(unix_times, parallel, |t| totp.value_at_counter(totp.counter_at(*t)))
}
