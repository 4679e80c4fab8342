//! Re-derives, in every run, the known answers of vectors/crypto/ that no public source gives:
//! runs `tools/gen_crypto_vectors.py` (pyemv, and tools/emv_reference.py on the `cryptography`
//! package) and `vectors/crypto/oda/gen_self_chain.py` (Python integers and hashlib), and
//! asserts that they reproduce the committed files. The other tests check the Rust code
//! against those files; this one checks that the files are what implementations nobody here
//! wrote for tapcert compute, so no row is checked only against tapcert's own output.
//!
//! The interpreter comes from `tests/support/external.rs` (the venv `.ci/setup` makes).

#[path = "../../tests/support/external.rs"]
mod external;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const GENERATOR: &str = "tools/gen_crypto_vectors.py";

fn run(python: &Path, script: &str) -> Vec<u8> {
    let out = Command::new(python).arg(script).current_dir(ROOT).output().expect("run the generator");
    assert!(
        out.status.success(),
        "{script} disagrees with the committed vectors or failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn json_file(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()).unwrap()
}

/// Every row (an object with a `source`) of a vectors document.
fn rows<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) if m.get("source").is_some_and(Value::is_string) => out.push((path, v)),
        Value::Object(m) => m.iter().for_each(|(k, x)| rows(x, format!("{path}/{k}"), out)),
        Value::Array(a) => a.iter().for_each(|x| rows(x, path.clone(), out)),
        _ => {}
    }
}

#[test]
fn generators_reproduce_the_committed_known_answers() {
    let Some(python) = external::python_with(&["pyemv", "cryptography"]) else { return };

    let report: Value = serde_json::from_slice(&run(&python, GENERATOR)).unwrap();
    assert_eq!(report["mismatches"], Value::Array(vec![]));
    let derived: BTreeSet<(String, String)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["file"].as_str().unwrap().to_string(), r["id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(derived.len(), 18, "{derived:?}");

    // Every row that names the generator as its source is one it re-derived, and no row of
    // vectors/crypto is left as SELF (checked only against values tapcert produced).
    let mut named = BTreeSet::new();
    for file in ["mac.json", "emv.json", "otp.json", "magstripe.json", "cpm.json", "ca_test_keys.json"] {
        let doc = json_file(&format!("vectors/crypto/{file}"));
        let mut all = Vec::new();
        rows(&doc, String::new(), &mut all);
        for (path, row) in all {
            let source = row["source"].as_str().unwrap();
            assert!(!source.contains("SELF"), "{file}{path} {row}: SELF source");
            if source.starts_with(GENERATOR) {
                let id = row.get("id").or_else(|| row.get("cvn")).and_then(Value::as_str).unwrap();
                named.insert((file.to_string(), id.to_string()));
            }
        }
    }
    assert_eq!(named, derived);

    // The ODA chain: the independent builder's output is the committed file, byte for byte.
    let chain = run(&python, "vectors/crypto/oda/gen_self_chain.py");
    let committed = std::fs::read(format!("{ROOT}/vectors/crypto/oda/self_chain.json")).unwrap();
    assert!(chain == committed, "gen_self_chain.py no longer reproduces self_chain.json");
}
