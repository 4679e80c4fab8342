//! ISO/IEC 9797-1 MACs and AES-CMAC over the published vectors in vectors/crypto/mac.json.
use serde_json::Value;
use tapcert_crypto::{Des, Padding, Tdes, aes_cmac, iso9797_mac_alg1, iso9797_mac_alg3};

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../vectors/crypto/mac.json")).expect("mac.json parses")
}

#[test]
fn iso9797_vectors() {
    let v = vectors();
    let cases = v["mac"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for c in cases {
        let key = h(&c["key"]);
        let data = h(&c["data"]);
        let padding = if c["padding"] == 1 { Padding::Method1 } else { Padding::Method2 };
        let got = match c["alg"].as_str().unwrap() {
            "alg1-des" => iso9797_mac_alg1(&Des::new(&key.clone().try_into().unwrap()), &data, padding),
            "alg1-tdes" => iso9797_mac_alg1(&Tdes::new(&key).unwrap(), &data, padding),
            "alg3" => iso9797_mac_alg3(&Tdes::new(&key).unwrap(), &data, padding),
            other => panic!("unknown alg {other}"),
        };
        assert_eq!(hex::encode_upper(got), c["mac"].as_str().unwrap(), "{}", c["id"]);
    }
}

#[test]
fn aes_cmac_vectors() {
    let v = vectors();
    let cases = v["cmac"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for c in cases {
        let got = aes_cmac(&h(&c["key"]), &h(&c["data"])).unwrap();
        assert_eq!(hex::encode_upper(got), c["mac"].as_str().unwrap(), "{c}");
    }
}
