//! Differential test against pyemv (an independent Python implementation, PyPI `pyemv`) over
//! thousands of random cases with a fixed seed: ICC MK Option A/B, EMV CSK, Mastercard SKD,
//! ARQC (padding 1 and 2), ARPC methods 1 and 2, CVC3, EMV2000 tree session keys, and whole
//! ARQCs (session key + MAC) from the bitsliced batch paths. The AES functions, which pyemv
//! does not have (ICC MK Option C, AES session keys, AES-CMAC ARQC, AES ARPC methods 1 and 2,
//! for 128-, 192- and 256-bit keys), are compared with `tools/emv_reference.py`, written from
//! EMV Book 2 on the AES and CMAC of the `cryptography` package.
//!
//! The interpreter is found by `tests/support/external.rs` (the venv `.ci/setup` makes, or
//! `TAPCERT_PYTHON`): without a usable one the test fails when `CI` is set and otherwise skips
//! with a line that shows in the run.

#[path = "../../tests/support/external.rs"]
mod external;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tapcert_crypto::*;

/// SplitMix64: a fixed-seed generator so every run checks the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

const CASES_PER_OP: usize = 500;
const AES_CASES: usize = 200;

fn up(b: impl AsRef<[u8]>) -> String {
    hex::encode_upper(b)
}

/// Builds the cases: (request for pyemv, our answer).
fn cases() -> Vec<(Value, String)> {
    let mut rng = Rng(0x7A9C_E472_0260);
    let mut out = Vec::new();
    for _ in 0..CASES_PER_OP {
        // ICC MK, Options A and B, PANs of 12..=19 digits
        let imk = rng.bytes(16);
        let pan_len = 12 + rng.below(8) as usize;
        let pan = rng.digits(pan_len);
        let psn = rng.below(100) as u8;
        let t = Tdes::new(&imk).unwrap();
        let a = derive_icc_mk_option_a(&t, &pan, psn).unwrap();
        let b = derive_icc_mk_option_b(&t, &pan, psn).unwrap();
        let req = |op: &str| json!({"op": op, "imk": up(&imk), "pan": pan, "psn": format!("{psn:02}")});
        out.push((req("icc_mk_a"), up(a)));
        out.push((req("icc_mk_b"), up(b)));

        // EMV CSK with a random R, and the Mastercard SKD R
        let mk = rng.bytes(16);
        let r: [u8; 8] = rng.bytes(8).try_into().unwrap();
        let mkt = Tdes::new(&mk).unwrap();
        out.push((json!({"op": "csk", "mk": up(&mk), "r": up(r)}), up(derive_session_key_emv_csk(&mkt, r))));
        let atc: [u8; 2] = rng.bytes(2).try_into().unwrap();
        let un: [u8; 4] = rng.bytes(4).try_into().unwrap();
        let skd_r = mastercard_skd_r(atc, un);
        out.push((json!({"op": "csk", "mk": up(&mk), "r": up(skd_r)}), up(derive_session_key_emv_csk(&mkt, skd_r))));

        // ARQC over 0..=64 bytes, both paddings
        let sk = rng.bytes(16);
        let data_len = rng.below(65) as usize;
        let data = rng.bytes(data_len);
        let padding = 1 + rng.below(2) as u8;
        let pad = if padding == 1 { Padding::Method1 } else { Padding::Method2 };
        let skt = Tdes::new(&sk).unwrap();
        let arqc = generate_ac_tdes(&skt, &data, pad);
        out.push((json!({"op": "ac", "sk": up(&sk), "data": up(&data), "padding": padding}), up(arqc)));

        // ARPC methods 1 and 2
        let arc: [u8; 2] = rng.bytes(2).try_into().unwrap();
        let csu: [u8; 4] = rng.bytes(4).try_into().unwrap();
        let prop_len = rng.below(9) as usize;
        let prop = rng.bytes(prop_len);
        out.push((
            json!({"op": "arpc1", "key": up(&sk), "arqc": up(arqc), "arc": up(arc)}),
            up(generate_arpc_method1(&skt, arqc, arc)),
        ));
        out.push((
            json!({"op": "arpc2", "key": up(&sk), "arqc": up(arqc), "csu": up(csu), "prop": up(&prop)}),
            up(generate_arpc_method2(&skt, arqc, csu, &prop)),
        ));

        // CVC3 over random track data
        let kd = rng.bytes(16);
        let track_len = 10 + rng.below(70) as usize;
        let track = rng.bytes(track_len);
        let kdt = Tdes::new(&kd).unwrap();
        let cvc3 = generate_cvc3(&kdt, generate_ivcvc3(&kdt, &track), un, atc);
        out.push((
            json!({"op": "cvc3", "kd": up(&kd), "track": up(&track), "atc": up(atc), "un": up(un)}),
            cvc3.to_string(),
        ));

        // EMV2000 tree session keys, both recommended shapes, random IV
        let tree_mk: [u8; 16] = rng.bytes(16).try_into().unwrap();
        let iv: [u8; 16] = rng.bytes(16).try_into().unwrap();
        let (height, branch) = if rng.below(2) == 0 { (8, 4) } else { (16, 2) };
        let tree_sk = derive_session_key_emv2000_tree(&tree_mk, atc, height, branch, &iv).unwrap();
        out.push((
            json!({"op": "tree", "mk": up(tree_mk), "atc": up(atc), "height": height, "branch": branch, "iv": up(iv)}),
            up(tree_sk),
        ));
    }

    // whole ARQCs (EMV CSK + MAC, padding method 2) through the bitsliced batch paths: eight
    // runs of 64 cards with their own ICC MKs, then 128 transactions under one ICC MK; each run
    // has one random data length (0..=64 bytes), so every lane is bitsliced
    for _ in 0..8 {
        let len = rng.below(65) as usize;
        let datas: Vec<Vec<u8>> = (0..64).map(|_| rng.bytes(len)).collect();
        let jobs: Vec<CardArqcJob<'_>> = datas
            .iter()
            .map(|d| CardArqcJob {
                icc_mk: rng.bytes(16).try_into().unwrap(),
                atc: rng.bytes(2).try_into().unwrap(),
                data: d,
            })
            .collect();
        for (j, arqc) in jobs.iter().zip(batch_arqc_tdes_csk_cards(&jobs, false)) {
            let req = json!({"op": "arqc_csk", "mk": up(j.icc_mk), "r": up(emv_csk_r(j.atc)), "data": up(j.data)});
            out.push((req, up(arqc)));
        }
    }
    let mk = rng.bytes(16);
    let len = rng.below(65) as usize;
    let batch: Vec<(Vec<u8>, [u8; 2])> = (0..128).map(|_| (rng.bytes(len), rng.bytes(2).try_into().unwrap())).collect();
    let jobs: Vec<ArqcJob<'_>> = batch.iter().map(|(d, atc)| ArqcJob { atc: *atc, data: d }).collect();
    let mkt = Tdes::new(&mk).unwrap();
    for (j, arqc) in jobs.iter().zip(batch_arqc_tdes_csk(&mkt, &jobs, false)) {
        let req = json!({"op": "arqc_csk", "mk": up(&mk), "r": up(emv_csk_r(j.atc)), "data": up(j.data)});
        out.push((req, up(arqc)));
    }

    // AES: Option C, session key, ARQC and both ARPC methods, one key length per case
    for _ in 0..AES_CASES {
        let key_len = [16, 24, 32][rng.below(3) as usize];
        let imk = rng.bytes(key_len);
        let pan_len = 12 + rng.below(8) as usize;
        let pan = rng.digits(pan_len);
        let psn = rng.below(100) as u8;
        let mk = derive_icc_mk_option_c(&Aes::new(&imk).unwrap(), &pan, psn).unwrap();
        out.push((json!({"op": "aes_icc_mk_c", "imk": up(&imk), "pan": pan, "psn": psn}), up(&mk)));
        let atc: [u8; 2] = rng.bytes(2).try_into().unwrap();
        let sk = derive_session_key_emv_csk_aes(&Aes::new(&mk).unwrap(), emv_csk_r_aes(atc));
        out.push((json!({"op": "aes_csk", "mk": up(&mk), "atc": up(atc)}), up(&sk)));
        let data_len = rng.below(65) as usize;
        let data = rng.bytes(data_len);
        let cmac = AesCmac::new(&sk).unwrap();
        let arqc = generate_ac_aes(&cmac, &data);
        out.push((json!({"op": "aes_ac", "sk": up(&sk), "data": up(&data)}), up(arqc)));
        let arc: [u8; 2] = rng.bytes(2).try_into().unwrap();
        let arpc1 = generate_arpc_method1_aes(&Aes::new(&sk).unwrap(), arqc, arc);
        out.push((json!({"op": "aes_arpc1", "sk": up(&sk), "arqc": up(arqc), "arc": up(arc)}), up(arpc1)));
        let csu: [u8; 4] = rng.bytes(4).try_into().unwrap();
        let prop_len = rng.below(9) as usize;
        let prop = rng.bytes(prop_len);
        let arpc2 = generate_arpc_method2_aes(&cmac, arqc, csu, &prop);
        out.push((
            json!({"op": "aes_arpc2", "sk": up(&sk), "arqc": up(arqc), "csu": up(csu), "prop": up(&prop)}),
            up(arpc2),
        ));
    }
    out
}

#[test]
fn agrees_with_pyemv() {
    let Some(python) = external::python_with(&["pyemv", "cryptography"]) else { return };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyemv_oracle.py");
    let cases = cases();
    let mut input = String::new();
    for (req, _) in &cases {
        input.push_str(&req.to_string());
        input.push('\n');
    }
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the oracle");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("oracle output");
    writer.join().expect("writer thread").expect("write to oracle");
    assert!(output.status.success(), "oracle failed: {}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&output.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), cases.len(), "one answer per case");
    let mut per_op = std::collections::BTreeMap::<String, usize>::new();
    for ((req, ours), line) in cases.iter().zip(&lines) {
        let answer: Value = serde_json::from_str(line).unwrap();
        assert_eq!(answer["out"].as_str(), Some(ours.as_str()), "disagreement on {req}: pyemv says {answer}");
        *per_op.entry(req["op"].as_str().unwrap().to_string()).or_default() += 1;
    }
    eprintln!("pyemv agrees on {} cases: {per_op:?}", cases.len());
    assert_eq!(cases.len(), 5_140 + 5 * AES_CASES);
    assert_eq!(per_op.get("aes_icc_mk_c"), Some(&AES_CASES));
}
