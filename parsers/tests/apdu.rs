//! Command and response APDUs over the vectors in `vectors/apdu/`, with snapshots of the
//! decoded forms, exact errors for malformed commands, and property tests of every round trip.

use std::fmt::Write as _;

use proptest::prelude::*;
use tapcert_parsers::apdu::{
    ApduError, Case, Cla, CommandApdu, CommandApduBuf, Ins, ResponseApdu, StatusWord, SwCategory, join_command_chain,
    parse_apdu_command, split_command_chain, validate_apdu_exchange,
};
use tapcert_parsers::fuzzing::{fuzz_capdu, fuzz_rapdu};
use tapcert_parsers::tlv::decode_emv_tlv;

/// `name | hex | rest...` lines of a vector file; `-` is the empty input.
fn vectors(file: &str) -> Vec<(String, Vec<u8>, Vec<String>)> {
    let path = format!("{}/../vectors/apdu/{file}", env!("CARGO_MANIFEST_DIR"));
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

fn describe_command(apdu: &CommandApdu<'_>) -> String {
    format!(
        "case {} | CLA {} {:?} | INS {} {:?} | P1 {:02X} P2 {:02X} | Nc {} | Ne {:?} | data {}",
        apdu.case(),
        apdu.cla(),
        apdu.cla().kind(),
        apdu.ins(),
        apdu.ins(),
        apdu.p1(),
        apdu.p2(),
        apdu.nc(),
        apdu.ne(),
        hex::encode_upper(apdu.data())
    )
}

#[test]
fn command_vectors_decode_and_reencode() {
    let mut report = String::new();
    for (name, bytes, _) in vectors("capdu.txt") {
        let apdu = CommandApdu::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(apdu.to_vec(), bytes, "{name}: encode(decode(b)) != b");
        assert_eq!(apdu.to_buf().encode().unwrap(), bytes, "{name}: owned copy encodes differently");
        fuzz_capdu(&bytes);
        let _ = writeln!(report, "{name}: {}", describe_command(&apdu));
    }
    insta::assert_snapshot!("capdu_vectors", report);
}

#[test]
fn samples_md_case_rows() {
    let all = vectors("capdu.txt");
    let get = |name: &str| all.iter().find(|v| v.0 == name).map(|v| v.1.clone()).unwrap();
    let expect = [
        ("case1_select", Case::Case1, 0, None),
        ("case2s_le00", Case::Case2S, 0, Some(256)),
        ("case2e_ne512", Case::Case2E, 0, Some(512)),
        ("case2e_le0000", Case::Case2E, 0, Some(65536)),
        ("case3e_300", Case::Case3E, 300, None),
        ("case4e_300", Case::Case4E, 300, Some(512)),
        ("case4e_le0000", Case::Case4E, 1, Some(65536)),
        ("select_ppse", Case::Case4S, 14, Some(256)),
        ("gpo_pdol_36", Case::Case4S, 38, Some(256)),
    ];
    for (name, case, nc, ne) in expect {
        let bytes = get(name);
        let apdu = CommandApdu::from_bytes(&bytes).unwrap();
        assert_eq!((apdu.case(), apdu.nc(), apdu.ne()), (case, nc, ne), "{name}");
    }
}

#[test]
fn malformed_commands_give_exact_errors() {
    for (name, bytes, rest) in vectors("capdu_invalid.txt") {
        let err = CommandApdu::from_bytes(&bytes).expect_err(&name);
        assert_eq!(format!("{err:?}"), rest[0], "{name}");
        assert!(err.offset().is_some_and(|o| o <= bytes.len()), "{name}: offset {err:?}");
        fuzz_capdu(&bytes);
    }
}

#[test]
fn parse_returns_remainder_and_from_bytes_rejects_it() {
    let bytes = [0x00, 0xA4, 0x04, 0x00, 0x01, 0xAA, 0x00, 0x90, 0x00];
    let (rest, apdu) = parse_apdu_command(&bytes).unwrap();
    assert_eq!((rest, apdu.case()), (&[0x90, 0x00][..], Case::Case4S));
    assert_eq!(CommandApdu::from_bytes(&bytes), Err(ApduError::TrailingData { offset: 7, case: Case::Case4S }));
}

#[test]
fn response_vectors_and_status_words() {
    let mut report = String::new();
    for (name, bytes, _) in vectors("rapdu.txt") {
        let r = ResponseApdu::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.to_vec(), bytes, "{name}");
        fuzz_rapdu(&bytes);
        let tlv = match decode_emv_tlv(r.data) {
            Ok(nodes) if !r.data.is_empty() => {
                nodes.iter().map(|n| n.tlv.tag.to_string()).collect::<Vec<_>>().join(",")
            }
            Ok(_) => "-".to_owned(),
            Err(e) => format!("not TLV ({e})"),
        };
        let _ = writeln!(
            report,
            "{name}: data {} bytes [tlv {tlv}] | SW {} {:?} | {} | {}",
            r.data.len(),
            r.sw,
            r.sw,
            r.sw.category().as_str(),
            r.sw.meaning()
        );
    }
    insta::assert_snapshot!("rapdu_vectors", report);
}

#[test]
fn status_word_categories_from_the_samples() {
    let expect = [
        (0x9000, SwCategory::Normal),
        (0x6110, SwCategory::TransportArtefact),
        (0x6C10, SwCategory::TransportArtefact),
        (0x6283, SwCategory::Warning),
        (0x63C2, SwCategory::Warning),
        (0x6581, SwCategory::ExecutionError),
        (0x6700, SwCategory::CheckingError),
        (0x6A82, SwCategory::CheckingError),
        (0x9401, SwCategory::Proprietary),
        (0x6000, SwCategory::Invalid),
    ];
    for (sw, category) in expect {
        assert_eq!(StatusWord(sw).category(), category, "{sw:04X}");
    }
    assert_eq!(ResponseApdu::from_bytes(&[0x90]), Err(ApduError::TruncatedResponse { offset: 1, available: 1 }));
}

#[test]
fn real_world_exchange_oddities() {
    // samples.md: cards answering a case-1 command with data (frankmorgner/vsmartcard #177),
    // Le = 00 meaning "up to 256" (onomondo/onomondo-uicc #167), extended Le sent to a card
    // whose ATR denies extended length (onomondo/onomondo-uicc PR #70).
    let case1 = CommandApdu::from_bytes(&[0x00, 0xA4, 0x04, 0x00]).unwrap();
    let fci = hex::decode("6F1A840E315041592E5359532E4444463031A5088801025F2D02656E9000").unwrap();
    let fci = ResponseApdu::from_bytes(&fci).unwrap();
    let rules = |f: Vec<tapcert_parsers::Finding>| f.into_iter().map(|f| f.rule.into_owned()).collect::<Vec<_>>();
    assert_eq!(rules(validate_apdu_exchange(&case1, &fci, None)), ["APDU.DATA-WITHOUT-LE"]);
    let ppse = hex::decode("00A404000E325041592E5359532E444446303100").unwrap();
    let ppse = CommandApdu::from_bytes(&ppse).unwrap();
    assert!(validate_apdu_exchange(&ppse, &fci, None).is_empty(), "28 bytes is within 'up to 256'");
    let read_ext = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]).unwrap();
    let ok = ResponseApdu::from_bytes(&[0x90, 0x00]).unwrap();
    assert_eq!(rules(validate_apdu_exchange(&read_ext, &ok, Some(false))), ["APDU.EXTENDED-NOT-ANNOUNCED"]);
}

fn arb_command() -> impl Strategy<Value = CommandApduBuf> {
    let data = prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..=260),
        1 => proptest::collection::vec(any::<u8>(), 0..=1200),
    ];
    let ne = prop_oneof![Just(None), (1u32..=300).prop_map(Some), (1u32..=65536).prop_map(Some)];
    (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), data, ne, any::<bool>()).prop_map(
        |(cla, ins, p1, p2, data, ne, extended)| CommandApduBuf {
            cla: Cla(cla),
            ins: Ins(ins),
            p1,
            p2,
            data,
            ne,
            extended,
        },
    )
}

/// ISO/IEC 7816-4 §5.1, written apart from the parser: the case, data and Ne of a command body
/// (what follows CLA INS P1 P2), or `None` if no case fits. Le 00 means 256 (short) and 0000
/// means 65536 (extended).
fn expected_command_body(body: &[u8]) -> Option<(Case, &[u8], Option<u32>)> {
    let short_ne = |b: u8| Some(if b == 0 { 256 } else { u32::from(b) });
    let ext_ne = |b: &[u8]| {
        Some(match u32::from(b[0]) << 8 | u32::from(b[1]) {
            0 => 65536,
            n => n,
        })
    };
    match body {
        [] => Some((Case::Case1, &[], None)),
        [le] => Some((Case::Case2S, &[], short_ne(*le))),
        [0, rest @ ..] if rest.len() >= 2 => {
            let n = usize::from(rest[0]) << 8 | usize::from(rest[1]);
            let after = &rest[2..];
            match after.len() {
                0 => Some((Case::Case2E, &[], ext_ne(rest))),
                _ if n == 0 => None,
                l if l == n => Some((Case::Case3E, after, None)),
                l if l == n + 2 => Some((Case::Case4E, &after[..n], ext_ne(&after[n..]))),
                _ => None,
            }
        }
        [lc, rest @ ..] if *lc != 0 => {
            let n = usize::from(*lc);
            match rest.len() {
                l if l == n => Some((Case::Case3S, rest, None)),
                l if l == n + 1 => Some((Case::Case4S, &rest[..n], short_ne(rest[n]))),
                _ => None,
            }
        }
        _ => None,
    }
}

proptest! {
    #[test]
    fn builder_commands_round_trip(cmd in arb_command()) {
        let bytes = cmd.encode().unwrap();
        let view = CommandApdu::from_bytes(&bytes).unwrap();
        // decode(encode(x)) == x, with the form flag as the encoder resolved it
        let case = cmd.case().unwrap();
        prop_assert_eq!(view.case(), case);
        prop_assert_eq!(view.to_buf(), CommandApduBuf { extended: case.is_extended(), ..cmd.clone() });
        prop_assert_eq!(view.to_vec(), bytes.clone());
        // the shortest legal form unless asked otherwise
        if !cmd.extended {
            prop_assert_eq!(case.is_extended(), cmd.data.len() > 255 || cmd.ne.is_some_and(|n| n > 256));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        fuzz_capdu(&bytes);
        fuzz_rapdu(&bytes);
        if let Ok(apdu) = CommandApdu::from_bytes(&bytes) {
            prop_assert_eq!(apdu.to_vec(), bytes);
        }
    }

    #[test]
    fn structured_bodies_decode_as_iso7816_4_says(
        header in any::<[u8; 4]>(),
        body in prop_oneof![
            // short bodies of random bytes (zeros as often as not) hit every error path often
            proptest::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..12),
            // well-formed bodies, which random bytes seldom are: short (2S, 3S, 4S) and
            // extended (2E, 3E, 4E), with the Le that means 256 or 65536 as often as any other
            (
                proptest::collection::vec(any::<u8>(), 0..20),
                proptest::option::of(prop_oneof![Just(0u8), any::<u8>()])
            )
                .prop_map(|(data, le)| {
                    let mut b = if data.is_empty() { vec![] } else { vec![data.len() as u8] };
                    b.extend(&data);
                    b.extend(le);
                    b
                }),
            (
                proptest::collection::vec(any::<u8>(), 0..20),
                proptest::option::of(prop_oneof![Just([0u8, 0]), any::<[u8; 2]>()])
            )
                .prop_map(|(data, le)| {
                    let mut b = if data.is_empty() { vec![0] } else { vec![0, 0, data.len() as u8] };
                    b.extend(&data);
                    b.extend(le.into_iter().flatten());
                    b
                }),
        ],
    ) {
        let mut bytes = header.to_vec();
        bytes.extend(&body);
        let got = CommandApdu::from_bytes(&bytes);
        match (expected_command_body(&body), &got) {
            (Some((case, data, ne)), Ok(apdu)) => {
                prop_assert_eq!(apdu.case(), case);
                prop_assert_eq!(apdu.data(), data);
                prop_assert_eq!(apdu.ne(), ne);
                prop_assert_eq!(apdu.to_vec(), bytes.clone());
            }
            (None, Err(e)) => prop_assert!(e.offset().is_some_and(|o| o <= bytes.len()), "{e:?}"),
            (want, _) => prop_assert!(false, "{}: expected {want:?}, got {got:?}", hex::encode_upper(&bytes)),
        }
        // the fuzz target's own checks agree
        fuzz_capdu(&bytes);
    }

    #[test]
    fn chaining_split_join_round_trip(
        cla in prop_oneof![0x00u8..=0x0F, 0x40u8..=0x4F, 0x60u8..=0x6F, 0x80u8..=0x8F],
        ins in any::<u8>(),
        data in proptest::collection::vec(any::<u8>(), 0..2000),
        ne in proptest::option::of(1u32..=256),
        chunk in 1usize..=255,
    ) {
        let cmd = CommandApduBuf { cla: Cla(cla), ins: Ins(ins), p1: 1, p2: 2, data, ne, extended: false };
        let parts = split_command_chain(&cmd, chunk).unwrap();
        prop_assert_eq!(parts.len(), cmd.data.len().div_ceil(chunk).max(1));
        let wire: Vec<Vec<u8>> = parts.iter().map(|p| p.encode().unwrap()).collect();
        for w in &wire {
            prop_assert!(!CommandApdu::from_bytes(w).unwrap().case().is_extended());
        }
        let views: Vec<CommandApdu<'_>> = wire.iter().map(|w| CommandApdu::from_bytes(w).unwrap()).collect();
        prop_assert_eq!(join_command_chain(&views).unwrap(), cmd);
    }
}
