//! Mastercard CVC3 and Visa dCVV over vectors/crypto/magstripe.json.
use serde_json::Value;
use tapcert_crypto::*;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}
fn a<const N: usize>(v: &Value) -> [u8; N] {
    h(v).try_into().expect("length")
}
fn vectors() -> Value {
    serde_json::from_str(include_str!("../../vectors/crypto/magstripe.json")).expect("magstripe.json parses")
}

#[test]
fn cvc3_vectors() {
    let v = vectors();
    let cases = v["cvc3"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for c in cases {
        let imk = Tdes::new(&h(&c["imk"])).unwrap();
        let kd = derive_icc_mk_option_a(&imk, c["pan"].as_str().unwrap(), c["psn"].as_u64().unwrap() as u8).unwrap();
        if let Some(expected) = c["kd"].as_str() {
            assert_eq!(hex::encode_upper(kd), expected, "{}", c["id"]);
        }
        let kd = Tdes::new(&kd).unwrap();
        let iv = generate_ivcvc3(&kd, &h(&c["track"]));
        if let Some(expected) = c["ivcvc3"].as_str() {
            assert_eq!(hex::encode_upper(iv), expected, "{}", c["id"]);
        }
        let (un, atc) = (a(&c["un"]), a(&c["atc"]));
        let cvc3 = generate_cvc3(&kd, iv, un, atc);
        if let Some(expected) = c["cvc3"].as_str() {
            assert_eq!(format_cvc3(cvc3, 5), expected, "{}", c["id"]);
            assert!(verify_cvc3(&kd, iv, un, atc, expected));
        }
        let last3 = c["cvc3_last3"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| c["cvc3"].as_str().unwrap()[2..].to_string());
        assert_eq!(format_cvc3(cvc3, 3), last3, "{}", c["id"]);
        assert!(verify_cvc3(&kd, iv, un, atc, &last3));
        let wrong = format!("{:03}", (last3.parse::<u32>().unwrap() + 1) % 1000);
        assert!(!verify_cvc3(&kd, iv, un, atc, &wrong));
        assert!(!verify_cvc3(&kd, iv, un, atc, "12a"));
    }
}

#[test]
fn dcvv_vectors() {
    let v = vectors();
    let cases = v["dcvv"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for c in cases {
        let imk = Tdes::new(&h(&c["imk"])).unwrap();
        let method = if c["method"] == "A" { IccMkDerivation::OptionA } else { IccMkDerivation::OptionB };
        let (pan, exp, sc) =
            (c["pan"].as_str().unwrap(), c["expiry"].as_str().unwrap(), c["service_code"].as_str().unwrap());
        let got = generate_dcvv(&imk, pan, exp, sc, a(&c["atc"]), method).unwrap();
        assert_eq!(got, c["dcvv"].as_str().unwrap(), "{c}");
        assert!(verify_dcvv(&imk, pan, exp, sc, a(&c["atc"]), method, &got).unwrap());
        assert!(!verify_dcvv(&imk, pan, exp, sc, [0x32, 0x11], method, &got).unwrap());
    }
    let imk = Tdes::new(&[0x11; 16]).unwrap();
    assert!(generate_dcvv(&imk, "1234567890123456", "13100", "226", [0, 1], IccMkDerivation::OptionA).is_err());
    assert!(generate_dcvv(&imk, "1234567890123456", "1310", "226", [0, 1], IccMkDerivation::OptionC).is_err());
}
