//! EMV key derivation, session keys, cryptograms and per-CVN flows over vectors/crypto/emv.json.
use serde_json::Value;
use tapcert_crypto::*;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}
fn a<const N: usize>(v: &Value) -> [u8; N] {
    h(v).try_into().expect("length")
}
fn up(b: impl AsRef<[u8]>) -> String {
    hex::encode_upper(b)
}
fn vectors() -> Value {
    serde_json::from_str(include_str!("../../vectors/crypto/emv.json")).expect("emv.json parses")
}
fn kcv2(key: &[u8]) -> String {
    up(&key_check_value(key, KeyAlgorithm::Tdes, KcvMethod::EncryptZeros).unwrap()[..2])
}

#[test]
fn icc_master_keys() {
    let v = vectors();
    let cases = v["icc_mk"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for c in cases {
        let (pan, psn) = (c["pan"].as_str().unwrap(), c["psn"].as_u64().unwrap() as u8);
        let imk = h(&c["imk"]);
        let mk = match c["method"].as_str().unwrap() {
            "A" => derive_icc_mk_option_a(&Tdes::new(&imk).unwrap(), pan, psn).unwrap().to_vec(),
            "B" => derive_icc_mk_option_b(&Tdes::new(&imk).unwrap(), pan, psn).unwrap().to_vec(),
            _ => derive_icc_mk_option_c(&Aes::new(&imk).unwrap(), pan, psn).unwrap(),
        };
        assert_eq!(up(&mk), c["mk"].as_str().unwrap(), "{}", c["id"]);
        if let Some(kcv) = c["kcv"].as_str() {
            assert_eq!(kcv2(&mk), kcv, "{} KCV", c["id"]);
        }
    }
}

#[test]
fn session_keys() {
    let v = vectors();
    let cases = v["session_key"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for c in cases {
        let mk = h(&c["mk"]);
        let sk = match c["method"].as_str().unwrap() {
            "csk" => derive_session_key_emv_csk(&Tdes::new(&mk).unwrap(), a(&c["r"])).to_vec(),
            "csk-atc" => derive_session_key_emv_csk(&Tdes::new(&mk).unwrap(), emv_csk_r(a(&c["atc"]))).to_vec(),
            "skd" => derive_session_key_emv_csk(&Tdes::new(&mk).unwrap(), mastercard_skd_r(a(&c["atc"]), a(&c["un"])))
                .to_vec(),
            "visa-sm" => derive_session_key_visa_sm(&mk.clone().try_into().unwrap(), a(&c["atc"])).to_vec(),
            "csk-aes" => derive_session_key_emv_csk_aes(&Aes::new(&mk).unwrap(), emv_csk_r_aes(a(&c["atc"]))),
            "emv2000-tree" => derive_session_key_emv2000_tree(
                &mk.clone().try_into().unwrap(),
                a(&c["atc"]),
                c["height"].as_u64().unwrap() as u32,
                c["branch_factor"].as_u64().unwrap() as u32,
                &a(&c["iv"]),
            )
            .unwrap()
            .to_vec(),
            m => panic!("unknown method {m}"),
        };
        assert_eq!(up(&sk), c["sk"].as_str().unwrap(), "{}", c["id"]);
        if let Some(kcv) = c["kcv"].as_str() {
            assert_eq!(kcv2(&sk), kcv, "{} KCV", c["id"]);
        }
    }
}

#[test]
fn cryptograms_and_arpcs() {
    let v = vectors();
    let cases = v["ac"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    let mut arpcs = 0;
    for c in cases {
        let sk = Tdes::new(&h(&c["sk"])).unwrap();
        let padding = if c["padding"] == 1 { Padding::Method1 } else { Padding::Method2 };
        let data = h(&c["data"]);
        let arqc = generate_ac_tdes(&sk, &data, padding);
        assert_eq!(up(arqc), c["arqc"].as_str().unwrap(), "{}", c["id"]);
        assert!(verify_ac_tdes(&sk, &data, padding, &arqc));
        for r in c["arpc"].as_array().unwrap() {
            let key = Tdes::new(&h(&r["key"])).unwrap();
            let arqc_in = if r["arqc"].is_string() { a(&r["arqc"]) } else { arqc };
            let got = if r["method"] == 1 {
                generate_arpc_method1(&key, arqc_in, a(&r["arc"])).to_vec()
            } else {
                generate_arpc_method2(&key, arqc_in, a(&r["csu"]), &h(&r["pad"])).to_vec()
            };
            assert_eq!(up(got), r["arpc"].as_str().unwrap(), "{} {r}", c["id"]);
            arpcs += 1;
        }
    }
    assert_eq!(arpcs, 12);
}

fn cvn_named(name: &str) -> Cvn {
    *Cvn::ALL.iter().find(|c| format!("{c:?}") == name).expect("known CVN")
}

#[test]
fn per_cvn_flows() {
    let v = vectors();
    let cases = v["cvn"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for c in cases {
        let cvn = cvn_named(c["cvn"].as_str().unwrap());
        let imk = Tdes::new(&h(&c["imk"])).unwrap();
        let mk = cvn.derive_icc_mk(&imk, c["pan"].as_str().unwrap(), c["psn"].as_u64().unwrap() as u8).unwrap();
        assert_eq!(kcv2(&mk), "BAB0");
        let data = AcData::from_bytes(&h(&c["data"])).unwrap();
        assert_eq!(up(data.to_bytes()), c["data"].as_str().unwrap());
        let iad = h(&c["iad"]);
        let out = cvn.generate_ac(&mk, &data, &iad).unwrap();
        assert_eq!(up(out.ac), c["arqc"].as_str().unwrap(), "{cvn:?}");
        let input = match c["arpc_input"].get("arc") {
            Some(arc) => ArpcInput::Method1 { arc: a(arc) },
            None => ArpcInput::Method2 { csu: a(&c["arpc_input"]["csu"]), proprietary: h(&c["arpc_input"]["pad"]) },
        };
        let arpc = cvn.generate_arpc(&mk, &data, out.ac, &input).unwrap();
        assert_eq!(up(arpc), c["arpc"].as_str().unwrap(), "{cvn:?} ARPC");
        let sk_kcv = match cvn.session_key_derivation() {
            SessionKeyDerivation::None => "BAB0",
            SessionKeyDerivation::EmvCsk => "22C8",
            SessionKeyDerivation::MastercardSkd => "2FD5",
        };
        assert_eq!(kcv2(&out.session_key), sk_kcv, "{cvn:?} session key");
        // IAD round trip through the typed layout
        if cvn.is_visa() {
            assert_eq!(AnyVisaIad::parse(&iad).unwrap().to_bytes(), iad);
        } else {
            let m = MastercardIad::parse(&iad).unwrap();
            assert_eq!(m.cvn, cvn.code());
            assert_eq!(m.to_bytes(), iad);
        }
    }
}

#[test]
fn benchmark_shaped_vectors() {
    let v = vectors();
    let b = v["bench"].as_array().unwrap();
    // TDES: K10 -> S5 -> ARQC over CDOL33
    let mk = Tdes::new(&h(&b[0]["mk"])).unwrap();
    let sk = derive_session_key_emv_csk(&mk, emv_csk_r(a(&b[0]["atc"])));
    assert_eq!(up(sk), b[0]["sk"].as_str().unwrap());
    let arqc = generate_ac_tdes(&Tdes::new(&sk).unwrap(), &h(&b[0]["data"]), Padding::Method2);
    assert_eq!(up(arqc), b[0]["arqc"].as_str().unwrap());
    // AES-128 and AES-256
    for c in &b[1..] {
        let mk = Aes::new(&h(&c["mk"])).unwrap();
        let sk = derive_session_key_emv_csk_aes(&mk, emv_csk_r_aes(a(&c["atc"])));
        assert_eq!(up(&sk), c["sk"].as_str().unwrap(), "{}", c["id"]);
        let cmac = AesCmac::new(&sk).unwrap();
        let arqc = generate_ac_aes(&cmac, &h(&c["data"]));
        assert_eq!(up(arqc), c["arqc"].as_str().unwrap(), "{}", c["id"]);
        assert!(verify_ac_aes(&cmac, &h(&c["data"]), &arqc));
        if let Some(full) = c["cmac"].as_str() {
            assert_eq!(up(cmac.mac(&h(&c["data"]))), full);
            let arpc = generate_arpc_method2_aes(&cmac, arqc, a(&c["arpc2_csu"]), &[]);
            assert_eq!(up(arpc), c["arpc2"].as_str().unwrap());
        }
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    let imk = Tdes::new(&[0x11; 16]).unwrap();
    assert!(matches!(
        derive_icc_mk_option_a(&imk, "12345678901234x6", 0),
        Err(CryptoError::NotDecimal { offset: 14, found: 'x', .. })
    ));
    assert!(matches!(derive_icc_mk_option_b(&imk, "1234567", 0), Err(CryptoError::FieldLength { got: 7, .. })));
    assert!(matches!(
        derive_icc_mk_option_b(&imk, "12345678901234567890", 0),
        Err(CryptoError::FieldLength { got: 20, .. })
    ));
    assert!(matches!(derive_icc_mk_option_a(&imk, "1234567890123456", 100), Err(CryptoError::OutOfRange { .. })));
    assert!(matches!(VisaIad::parse(&[0x07]), Err(CryptoError::Iad { offset: 0, .. })));
    assert!(matches!(VisaIad::parse(&[6, 1, 0x12, 3, 0, 0, 0, 5, 1]), Err(CryptoError::Iad { offset: 7, .. })));
    assert!(matches!(MastercardIad::parse(&[0; 17]), Err(CryptoError::Iad { offset: 17, .. })));
    let data = AcData::default();
    let mk = [0x22u8; 16];
    assert!(Cvn::Visa18.generate_arpc(&mk, &data, [0; 8], &ArpcInput::Method1 { arc: [0; 2] }).is_err());
    assert!(AcData::from_bytes(&[0; 32]).is_err());
}

#[test]
fn visa_iad_layouts() {
    let v = vectors();
    let all = v["iad"].as_array().expect("iad section");
    assert_eq!(all.len(), 4);
    let (ccd, cases): (Vec<&Value>, Vec<&Value>) = all.iter().partition(|c| c["layout"] == "ccd-format-a");
    assert_eq!((ccd.len(), cases.len()), (2, 2));
    for c in &ccd {
        let iad = h(&c["iad"]);
        let p = CcdIad::parse(&iad).unwrap();
        assert_eq!(up([p.cci]), c["cci"].as_str().unwrap());
        assert_eq!(p.cryptogram_version(), 5);
        assert_eq!(up([p.dki]), c["dki"].as_str().unwrap());
        assert_eq!(up(p.cvr), c["cvr"].as_str().unwrap());
        assert_eq!(up(p.counters), c["counters"].as_str().unwrap());
        assert_eq!(up(p.idd), c["idd"].as_str().unwrap());
        assert_eq!(p.to_bytes(), iad);
        assert!(AnyVisaIad::parse(&iad).is_err() && VisaIad::parse(&iad).is_err(), "not a Visa layout");
        // typed errors: each fixed byte, and the length
        let mut bad = iad.clone();
        bad[16] = 0x0E;
        assert!(matches!(CcdIad::parse(&bad), Err(CryptoError::Iad { offset: 16, .. })));
        bad = iad.clone();
        bad[1] = 0xB5;
        assert!(matches!(CcdIad::parse(&bad), Err(CryptoError::Iad { offset: 1, .. })));
        assert!(matches!(CcdIad::parse(&iad[..20]), Err(CryptoError::Iad { offset: 20, .. })));
    }
    for c in cases {
        let iad = h(&c["iad"]);
        let any = AnyVisaIad::parse(&iad).unwrap();
        assert_eq!(up([any.cvn()]), c["cvn"].as_str().unwrap());
        assert_eq!(up(any.cvr()), c["cvr"].as_str().unwrap());
        assert_eq!(any.to_bytes(), iad, "{} re-encodes", c["id"]);
        match (&any, c["layout"].as_str().unwrap()) {
            (AnyVisaIad::Format2(f), "visa-format-2") => {
                assert_eq!(iad.len(), VisaIadFormat2::LEN);
                assert_eq!(up([f.dki]), c["dki"].as_str().unwrap());
                assert_eq!(up([f.idd_option_id]), c["idd_option_id"].as_str().unwrap());
                assert_eq!(up(f.idd), c["idd"].as_str().unwrap());
                assert_eq!(&f.idd[..14], b"VISAL3TESTCASE");
            }
            (AnyVisaIad::Format013(f), "visa-format-013") => {
                assert_eq!(up([f.dki]), c["dki"].as_str().unwrap());
                assert_eq!(up(&f.issuer_discretionary), c["idd"].as_str().unwrap());
            }
            (got, want) => panic!("{} parsed as {got:?}, expected {want}", c["id"]),
        }
    }
    // CVN 22 MACs the whole IAD whichever layout the card sends
    let f2 = h(&all[0]["iad"]);
    assert_eq!(Cvn::Visa22.ac_input_suffix(&f2).unwrap(), f2);
    // typed errors with offsets
    let mut bad = f2.clone();
    bad.pop();
    assert!(matches!(VisaIadFormat2::parse(&bad), Err(CryptoError::Iad { offset: 31, .. })));
    bad = f2.clone();
    bad[1] = 0x12; // a format 0/1/3 CVN in a 1F layout
    assert!(matches!(VisaIadFormat2::parse(&bad), Err(CryptoError::Iad { offset: 1, .. })));
    assert!(matches!(AnyVisaIad::parse(&[0x1E; 32]), Err(CryptoError::Iad { offset: 0, .. })));
    assert!(matches!(AnyVisaIad::parse(&[]), Err(CryptoError::Iad { offset: 0, .. })));
    let long = [f2.clone(), vec![0]].concat();
    assert!(matches!(VisaIadFormat2::parse(&long), Err(CryptoError::Iad { offset: 32, .. })));
}

#[test]
fn arpc_method1_aes() {
    let v = vectors();
    let cases = v["arpc_aes"].as_array().expect("arpc_aes section");
    assert_eq!(cases.len(), 4);
    for c in cases {
        let sk = Aes::new(&h(&c["sk"])).unwrap();
        let arpc = generate_arpc_method1_aes(&sk, a(&c["arqc"]), a(&c["arc"]));
        assert_eq!(up(arpc), c["arpc"].as_str().unwrap(), "{}", c["id"]);
    }
    // the definition: Y = ARQC xor (ARC || 0); AES over Y || 0^8, leftmost 8 bytes
    let sk = Aes::new(&[0x42; 16]).unwrap();
    let (arqc, arc) = ([1, 2, 3, 4, 5, 6, 7, 8], [0x30, 0x31]);
    let mut block = [0u8; 16];
    block[..8].copy_from_slice(&[1 ^ 0x30, 2 ^ 0x31, 3, 4, 5, 6, 7, 8]);
    assert_eq!(generate_arpc_method1_aes(&sk, arqc, arc), sk.encrypt(block)[..8]);
    // the ARC changes the ARPC
    assert_ne!(generate_arpc_method1_aes(&sk, arqc, arc), generate_arpc_method1_aes(&sk, arqc, [0x30, 0x30]));
}
