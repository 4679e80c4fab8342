//! ATRs over the vectors in `vectors/atr/` (real ATRs from pcsc-tools' smartcard_list.txt),
//! with snapshots of the decoded forms, exact errors, and property tests of the round trips.

use std::fmt::Write as _;

use proptest::prelude::*;
use tapcert_parsers::atr::{
    Atr, AtrError, ContactlessAtr, Convention, HistoricalBytes, InterfaceGroup, decode_historical_bytes,
};
use tapcert_parsers::fuzzing::fuzz_atr;

fn vectors(file: &str) -> Vec<(String, Vec<u8>, Vec<String>)> {
    let path = format!("{}/../vectors/atr/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let fields: Vec<&str> = l.split(" | ").map(str::trim).collect();
            let bytes = if fields[1] == "-" { Vec::new() } else { hex::decode(fields[1]).expect(fields[0]) };
            (fields[0].to_owned(), bytes, fields[2..].iter().map(|s| s.to_string()).collect())
        })
        .collect()
}

fn describe(atr: &Atr<'_>, len: usize) -> String {
    let tck = atr.tck.map_or("none".to_owned(), |t| format!("{t:02X}"));
    let mut s = format!("{:?} protocols {:?} t15 {} tck {tck}", atr.convention, atr.protocols(), atr.has_global_t15());
    let hex = |b: Option<u8>| b.map_or("--".to_owned(), |b| format!("{b:02X}"));
    for (j, g) in atr.groups.iter().enumerate() {
        let td = g.td.map_or("--".to_owned(), |t| format!("T={t}"));
        let _ = write!(s, "\n  group {}: TA {} TB {} TC {} TD {td}", j + 1, hex(g.ta), hex(g.tb), hex(g.tc));
    }
    if let Some(r) = atr.clock_rate() {
        let _ = write!(s, "\n  TA1: Fi {:?} f(max) {:?} kHz Di {:?}", r.fi, r.f_max_khz, r.di);
    }
    if let Some(n) = atr.extra_guard_time() {
        let _ = write!(s, "\n  TC1: extra guard time {n}");
    }
    if let Some(m) = atr.specific_mode() {
        let _ = write!(s, "\n  TA2: {m:?}");
    }
    if let Some(p) = atr.t1_parameters() {
        let _ = write!(s, "\n  T=1: {p:?}");
    }
    if let Some(g) = atr.global_t15() {
        let _ = write!(s, "\n  T=15: {g:?}");
    }
    let base = len - atr.historical.len() - usize::from(atr.tck.is_some());
    let contactless = ContactlessAtr::recognise(atr);
    match decode_historical_bytes(atr.historical, base) {
        _ if matches!(contactless, Some(ContactlessAtr::Storage { .. })) => {
            let _ = write!(s, "\n  historical {}: PC/SC storage-card form", hex::encode_upper(atr.historical));
        }
        Ok(h) => {
            let _ = write!(s, "\n  historical {}: {h:?}", hex::encode_upper(atr.historical));
        }
        Err(e) => {
            let _ = write!(s, "\n  historical {}: not decodable: {e}", hex::encode_upper(atr.historical));
        }
    }
    if let Some(c) = contactless {
        let _ = write!(s, "\n  contactless: {}", c.describe());
    }
    s
}

#[test]
fn real_atrs_decode_and_reencode() {
    let mut report = String::new();
    for (name, bytes, _) in vectors("atr.txt") {
        let atr = Atr::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(atr.to_vec().unwrap(), bytes, "{name}: encode(decode(b)) != b");
        fuzz_atr(&bytes);
        let _ = writeln!(report, "{name}: {}", describe(&atr, bytes.len()));
    }
    insta::assert_snapshot!("atr_vectors", report);
}

#[test]
fn contactless_pseudo_atrs_are_recognised() {
    let all = vectors("atr.txt");
    let atr_of = |name: &str| all.iter().find(|v| v.0 == name).unwrap().1.clone();
    let classic = atr_of("mifare_classic_1k");
    let c = ContactlessAtr::recognise(&Atr::from_bytes(&classic).unwrap()).unwrap();
    assert_eq!(c, ContactlessAtr::Storage { standard: 0x03, card_name: 0x0001, rfu: [0; 4] });
    assert_eq!(c.describe(), "contactless storage card: MIFARE Classic 1K (ISO 14443 A, part 3)");
    let desfire = atr_of("desfire");
    let c = ContactlessAtr::recognise(&Atr::from_bytes(&desfire).unwrap()).unwrap();
    assert_eq!(c.describe(), "contactless ISO 14443-4 card with 1 historical byte(s)");
    let emv = atr_of("thales_dis_banking_emv");
    assert_eq!(ContactlessAtr::recognise(&Atr::from_bytes(&emv).unwrap()), None);
}

#[test]
fn contact_emv_atr_fields() {
    // BNP bank card: TB1 = 00, TC1 = FF, T=0 only, category 00 historical bytes
    let bytes = hex::decode("3B6F00FF0031C173C821106441 4D3348079000".replace(' ', "")).unwrap();
    let atr = Atr::from_bytes(&bytes).unwrap();
    assert_eq!((atr.protocols(), atr.tck, atr.extra_guard_time()), (vec![0], None, Some(0xFF)));
    let h = decode_historical_bytes(atr.historical, 4).unwrap();
    assert!(matches!(h, HistoricalBytes::CompactTlvWithStatus { ref objects, .. } if objects.len() == 3));
}

#[test]
fn malformed_atrs_give_exact_errors() {
    for (name, bytes, rest) in vectors("atr_invalid.txt") {
        let err = Atr::from_bytes(&bytes).expect_err(&name);
        assert_eq!(format!("{err:?}"), rest[0], "{name}");
        assert!(err.offset().is_some_and(|o| o <= bytes.len()), "{name}: {err:?}");
        fuzz_atr(&bytes);
    }
    assert!(matches!(Atr::from_bytes(&[0x3B, 0x81, 0x80, 0x01, 0x80]), Err(AtrError::Truncated { offset: 5, .. })));
}

fn arb_atr() -> impl Strategy<Value = (Convention, Vec<InterfaceGroup>, Vec<u8>)> {
    let byte = proptest::option::of(any::<u8>());
    let groups = proptest::collection::vec((byte.clone(), byte.clone(), byte, 0u8..=15), 1..6).prop_map(|gs| {
        let last = gs.len() - 1;
        gs.into_iter()
            .enumerate()
            .map(|(j, (ta, tb, tc, t))| InterfaceGroup { ta, tb, tc, td: (j < last).then_some(t) })
            .collect::<Vec<_>>()
    });
    let convention = prop_oneof![Just(Convention::Direct), Just(Convention::Inverse)];
    (convention, groups, proptest::collection::vec(any::<u8>(), 0..=15))
}

proptest! {
    #[test]
    fn built_atrs_round_trip((convention, groups, historical) in arb_atr()) {
        let atr = Atr::new(convention, groups, &historical).unwrap();
        let bytes = atr.to_vec().unwrap();
        let parsed = Atr::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&parsed, &atr);
        prop_assert_eq!(parsed.to_vec().unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        fuzz_atr(&bytes);
    }

    #[test]
    fn atr_shaped_bytes_never_panic(t0 in any::<u8>(), rest in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut bytes = vec![0x3B, t0];
        bytes.extend(rest);
        fuzz_atr(&bytes);
    }
}
