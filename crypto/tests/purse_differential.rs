//! The e-purse purchase cryptography (`tapcert_crypto::purse`) against pyemv, an independent
//! implementation: pyemv's `tools.encrypt_tdes_ecb` gives the session key, and the single-DES
//! MAC is the last block of pyemv's `tools.encrypt_tdes_cbc` under `K ‖ K` over pyemv's
//! `mac.pad_iso9797_2` padding. 300 random purchases with a fixed seed: session key, MAC1,
//! MAC2, TAC.
//!
//! The interpreter is found by `tests/support/external.rs` (the venv `.ci/setup` makes, or
//! `TAPCERT_PYTHON`): without pyemv the test fails under `CI` and otherwise skips visibly.

#[path = "../../tests/support/external.rs"]
mod external;

use std::io::Write;
use std::process::{Command, Stdio};

use tapcert_crypto::purse::{PurchaseMacData, purse_mac1, purse_mac2, purse_session_key, purse_tac};

const ORACLE: &str = r#"
import sys, json
from pyemv import mac, tools
def b(s): return bytes.fromhex(s)
def m(key8, data):
    padded = mac.pad_iso9797_2(data, 8)
    return tools.encrypt_tdes_cbc(key8 + key8, bytes(8), padded)[-8:][:4].hex().upper()
out = []
for line in sys.stdin:
    c = json.loads(line)
    sk = tools.encrypt_tdes_ecb(b(c["dpk"]), b(c["random"]) + b(c["seq"]) + b(c["tseq"])[2:])
    dtk = b(c["dtk"])
    tac_key = bytes(x ^ y for x, y in zip(dtk[:8], dtk[8:]))
    mac_data = b(c["amount"]) + b(c["type"]) + b(c["tid"])
    out.append(" ".join([
        sk.hex().upper(),
        m(sk, mac_data + b(c["date"]) + b(c["time"])),
        m(sk, b(c["amount"])),
        m(tac_key, mac_data + b(c["tseq"]) + b(c["date"]) + b(c["time"])),
    ]))
print("\n".join(out))
"#;

#[test]
fn purse_cryptography_matches_pyemv() {
    let Some(python) = external::python_with(&["pyemv"]) else { return };
    let mut state = 0x5EED_0025_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut bytes = |n: usize| (0..n).map(|_| next() as u8).collect::<Vec<u8>>();
    let (mut requests, mut ours) = (String::new(), Vec::new());
    for _ in 0..300 {
        let dpk: [u8; 16] = bytes(16).try_into().unwrap();
        let dtk: [u8; 16] = bytes(16).try_into().unwrap();
        let random: [u8; 4] = bytes(4).try_into().unwrap();
        let seq: [u8; 2] = bytes(2).try_into().unwrap();
        let tseq: [u8; 4] = bytes(4).try_into().unwrap();
        let amount = u32::from_be_bytes(bytes(4).try_into().unwrap());
        let data = PurchaseMacData {
            amount,
            transaction_type: bytes(1)[0],
            terminal_id: bytes(6).try_into().unwrap(),
            date: bytes(4).try_into().unwrap(),
            time: bytes(3).try_into().unwrap(),
        };
        let sk = purse_session_key(&dpk, &random, seq, &tseq);
        fn h(b: impl AsRef<[u8]>) -> String {
            hex::encode_upper(b)
        }
        requests.push_str(
            &serde_json::json!({
                "dpk": h(dpk), "dtk": h(dtk), "random": h(random), "seq": h(seq), "tseq": h(tseq),
                "amount": h(amount.to_be_bytes()), "type": h([data.transaction_type]), "tid": h(data.terminal_id),
                "date": h(data.date), "time": h(data.time),
            })
            .to_string(),
        );
        requests.push('\n');
        ours.push(format!(
            "{} {} {} {}",
            h(sk),
            h(purse_mac1(&sk, &data)),
            h(purse_mac2(&sk, amount)),
            h(purse_tac(&dtk, &data, &tseq))
        ));
    }
    let mut child = Command::new(python)
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(requests.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    assert_eq!(theirs.len(), ours.len());
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "case {i}: ours vs pyemv (session key, MAC1, MAC2, TAC)");
    }
}
