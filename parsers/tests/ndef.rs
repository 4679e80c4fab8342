//! NDEF over the vectors in `vectors/ndef/` (snapshots + exact assertions) and property tests
//! for every codec round trip.

use std::fmt::Write as _;

use proptest::prelude::*;
use tapcert_parsers::ndef::*;

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/../vectors/ndef/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    hex::decode(text.trim()).unwrap()
}

/// A readable rendering of a decoded message: wire records, logical records, decoded payloads
/// and findings.
fn render_message(bytes: &[u8]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "wire records:");
    for raw in RawRecordIter::new(bytes) {
        let raw = raw.unwrap();
        let _ = writeln!(
            out,
            "  @{} {:?} {:?} type={:?} id={:?} payload[{}]",
            raw.offset,
            raw.flags,
            raw.tnf,
            String::from_utf8_lossy(raw.record_type),
            String::from_utf8_lossy(raw.id),
            raw.payload.len()
        );
    }
    let msg = decode_ndef_message(bytes).unwrap();
    render_records(&msg, &mut out);
    let _ = writeln!(out, "findings: {:#?}", validate_ndef_message(bytes));
    out
}

fn render_records(msg: &NdefMessage<'_>, out: &mut String) {
    let _ = writeln!(out, "records:");
    for rec in &msg.records {
        let _ = writeln!(
            out,
            "- @{} {:?} type={:?} id={:?} chunks={} payload={}",
            rec.offset,
            rec.tnf,
            String::from_utf8_lossy(&rec.record_type),
            String::from_utf8_lossy(&rec.id),
            rec.chunks,
            hex::encode_upper(&*rec.payload)
        );
        let _ = writeln!(out, "  decoded: {:#?}", decode_known_record(rec, &DecodeOptions::default()));
    }
}

macro_rules! snapshot_vectors {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), render_message(&vector(stringify!($name))));
        }
    )*};
}

snapshot_vectors!(
    uri_nfc_forum,
    text_en_utf8,
    text_en_utf16,
    smartposter,
    mime_text_plain,
    external_aar,
    external_example,
    empty_record,
    uri_plus_text_2rec,
    record_with_id,
    chunked_3_chunks,
    handover_select_bt,
);

#[test]
fn long_record_300b() {
    insta::assert_snapshot!("long_record_300B", render_message(&vector("long_record_300B")));
}

#[test]
fn t4t_cc_and_ndef_file() {
    let cc_bytes = vector("t4t_cc");
    let cc = decode_t4t_cc(&cc_bytes).unwrap();
    assert!(validate_t4t_cc(&cc).is_empty());
    let fc = cc.ndef_file().unwrap();
    assert_eq!((fc.file_id, fc.max_size, fc.read_access, fc.write_access), (0xE104, 0x32, 0, 0));
    assert_eq!(encode_t4t_cc(&cc), cc_bytes);
    let file = vector("t4t_ndef_file");
    assert_eq!(file.len(), fc.max_size as usize);
    let msg = decode_t4t_ndef_file(&file).unwrap().unwrap();
    let mut out = format!("{cc:#?}\n");
    render_records(&msg, &mut out);
    insta::assert_snapshot!("t4t_cc_and_ndef_file", out);
    // NLEN larger than what the file holds.
    let mut bad = file.clone();
    bad[..2].copy_from_slice(&[0x00, 0x31]);
    assert_eq!(
        decode_t4t_ndef_file(&bad),
        Err(NdefError::LengthExceedsInput { offset: 0, declared: 0x31, available: 48 })
    );
}

#[test]
fn t2t_ntag213_dump() {
    let dump = vector("t2t_ntag213");
    let mem = decode_t2t_memory(&dump).unwrap();
    assert_eq!(mem.uid, [0x04, 0x6F, 0xD5, 0xAA, 0x32, 0x5C, 0x80]);
    assert_eq!((mem.cc.magic, mem.cc.version, mem.cc.data_area_size, mem.truncated), (0xE1, 0x10, 144, false));
    assert!(mem.area.terminated);
    assert!(validate_t2t_memory(&mem).is_empty(), "{:?}", validate_t2t_memory(&mem));
    let msgs = mem.area.ndef_messages();
    let msg = msgs[0].clone().unwrap().unwrap();
    assert_eq!(msg.records[0].offset, 18);
    let mut out = format!("uid={:02X?} cc={:?} tlvs={:#?}\n", mem.uid, mem.cc, mem.area.tlvs);
    render_records(&msg, &mut out);
    insta::assert_snapshot!("t2t_ntag213", out);
    // The data area re-encodes to the same bytes.
    assert_eq!(mem.area.encode(), &dump[16..160]);
    // A broken BCC is a finding, not a parse failure.
    let mut bad = dump.clone();
    bad[3] ^= 1;
    let rules: Vec<_> = validate_t2t_memory(&decode_t2t_memory(&bad).unwrap()).into_iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["T2T.BCC0"]);
}

#[test]
fn vector_facts() {
    let uri = vector("uri_nfc_forum");
    let msg = decode_ndef_message(&uri).unwrap();
    let Some(Ok(KnownRecord::Uri(u))) = decode_known_record(&msg.records[0], &DecodeOptions::default()) else {
        panic!()
    };
    assert_eq!(u.uri(), "http://www.nfc-forum.org");

    let text = vector("text_en_utf16");
    let msg = decode_ndef_message(&text).unwrap();
    let t = parse_ndef_text(&msg.records[0].payload).unwrap();
    assert_eq!((t.lang, &*t.text, t.encoding), ("en", "Hi", TextEncoding::Utf16 { big_endian: false, bom: true }));

    let long = vector("long_record_300B");
    let msg = decode_ndef_message(&long).unwrap();
    assert_eq!((msg.records[0].payload.len(), msg.records[0].flags.sr), (300, false));
    assert_eq!(&long[2..6], &[0x00, 0x00, 0x01, 0x2C]);
    assert_eq!(encode_ndef_message(&msg.records), long);

    let chunked = vector("chunked_3_chunks");
    let msg = decode_ndef_message(&chunked).unwrap();
    assert_eq!((msg.records.len(), msg.records[0].chunks, &*msg.records[0].payload), (1, 3, &b"abcdef"[..]));
    assert_eq!(encode_ndef_message_chunked(&msg.records, 2), chunked);

    let with_id = vector("record_with_id");
    assert_eq!(&*decode_ndef_message(&with_id).unwrap().records[0].id, b"id1");

    let hs = vector("handover_select_bt");
    let msg = decode_ndef_message(&hs).unwrap();
    let h = parse_ndef_handover(&msg.records[0].payload).unwrap();
    assert_eq!((h.version, h.alternative_carriers[0].cps), (0x12, CarrierPowerState::ACTIVE));
    assert_eq!(h.alternative_carriers[0].carrier_data_reference, &*msg.records[1].id);
    let oob = parse_ndef_bluetooth_oob(&msg.records[1].payload).unwrap();
    assert_eq!(oob.address(), "01:02:03:04:05:06");
    assert!(validate_ndef_message(&hs).is_empty());

    let aar = vector("external_aar");
    let msg = decode_ndef_message(&aar).unwrap();
    assert_eq!(msg.records[0], NdefRecord { flags: msg.records[0].flags, ..NdefRecord::aar("com.example.app") });

    // Every samples.md vector is canonical: it re-encodes to the same bytes.
    for name in [
        "uri_nfc_forum",
        "text_en_utf8",
        "text_en_utf16",
        "smartposter",
        "mime_text_plain",
        "external_aar",
        "empty_record",
        "uri_plus_text_2rec",
        "record_with_id",
        "external_example",
        "handover_select_bt",
    ] {
        let bytes = vector(name);
        assert_eq!(decode_ndef_message(&bytes).unwrap().encode(), bytes, "{name}");
        assert!(validate_ndef_message(&bytes).is_empty(), "{name}: {:?}", validate_ndef_message(&bytes));
    }
}

#[test]
fn four_gib_payload_length_on_ten_bytes() {
    let bad = [0xC1, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, b'U', 0x01, 0x02, 0x03];
    assert_eq!(
        decode_ndef_message(&bad),
        Err(NdefError::LengthExceedsInput { offset: 0, declared: 0x1_0000_0000, available: 4 })
    );
    // The same record as the second of a message: the offset is the record's.
    let mut two = vec![0x91, 0x01, 0x01, b'U', 0x00];
    two.extend_from_slice(&[0x41, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, b'U']);
    assert_eq!(
        decode_ndef_message(&two),
        Err(NdefError::LengthExceedsInput { offset: 5, declared: 0x1_0000_0000, available: 1 })
    );
}

#[test]
fn ndeflib_watch_out_from_samples() {
    // PAYLOAD_LENGTH 0x0B where 14 bytes follow: ndeflib drops "org" silently; we do not.
    let bytes = hex::decode("D1010B55016E66632D666F72756D2E6F7267").unwrap();
    assert_eq!(decode_ndef_message(&bytes), Err(NdefError::TrailingData { offset: 15 }));
}

#[test]
fn deep_smart_poster_nesting_is_bounded() {
    // 300 Smart Posters nested in each other: decoding and validation stop at the depth limit
    // with a finding instead of recursing 300 levels.
    let mut rec = NdefRecord::uri("https://example.com");
    for _ in 0..300 {
        let payload = encode_ndef_message(&[rec]);
        rec = NdefRecord::new(Tnf::WELL_KNOWN, b"Sp".to_vec(), Vec::new(), payload);
    }
    let bytes = encode_ndef_message(&[rec]);
    let msg = decode_ndef_message(&bytes).unwrap();
    assert!(matches!(
        decode_known_record(&msg.records[0], &DecodeOptions::default()),
        Some(Ok(KnownRecord::SmartPoster(_)))
    ));
    let findings = validate_ndef_message(&bytes);
    let depth: Vec<_> = findings.iter().filter(|f| f.rule == "NDEF.SP.PAYLOAD").collect();
    assert_eq!(depth.len(), 1, "{findings:?}");
    assert!(depth[0].message.contains("nesting deeper than 4"), "{:?}", depth[0]);
    // The inner posters hold a Smart Poster, not a URI: reported at each level validated.
    assert!(findings.iter().filter(|f| f.rule == "NDEF.SP.ONE-URI").count() >= 3);
}

#[test]
fn builders_match_the_samples() {
    let one = |r: NdefRecord<'static>| encode_ndef_message(&[r]);
    assert_eq!(one(NdefRecord::uri("http://www.nfc-forum.org")), vector("uri_nfc_forum"));
    assert_eq!(one(NdefRecord::text("en", "Hello, world!")), vector("text_en_utf8"));
    assert_eq!(
        one(NdefRecord::smart_poster("https://nfc-forum.org", &[("en", "NFC Forum")], None)),
        vector("smartposter")
    );
    assert_eq!(one(NdefRecord::mime("text/plain", b"hi")), vector("mime_text_plain"));
    assert_eq!(one(NdefRecord::aar("com.example.app")), vector("external_aar"));
    assert_eq!(one(NdefRecord::external("example.com", "tapcert", &[1, 2, 3])), vector("external_example"));
    assert_eq!(one(NdefRecord::empty()), vector("empty_record"));
    assert_eq!(one(NdefRecord::text("en", "A").with_id(b"id1".to_vec())), vector("record_with_id"));
    assert_eq!(
        encode_ndef_message(&[NdefRecord::uri("https://example.com"), NdefRecord::text("en", "Example")]),
        vector("uri_plus_text_2rec")
    );
    let chunked = NdefRecord::mime("text/plain", b"abcdef");
    assert_eq!(encode_ndef_message_chunked(&[chunked], 2), vector("chunked_3_chunks"));
}

fn arb_record() -> impl Strategy<Value = NdefRecord<'static>> {
    let lang = "[a-z]{2}(-[A-Z]{2})?";
    prop_oneof![
        "[a-z]{1,8}://[ -~]{0,40}".prop_map(|u| NdefRecord::uri(&u)),
        ("(https://|tel:|mailto:|urn:nfc:)?[ -~]{0,300}").prop_map(|u| NdefRecord::uri(&u)),
        (lang, "\\PC{0,80}").prop_map(|(l, t)| NdefRecord::text(&l, &t)),
        (any::<bool>(), "\\PC{0,40}").prop_map(|(be, t)| {
            let rec =
                TextRecord { lang: "de", text: t.into(), encoding: TextEncoding::Utf16 { big_endian: be, bom: true } };
            NdefRecord::new(Tnf::WELL_KNOWN, b"T".to_vec(), Vec::new(), encode_ndef_text(&rec))
        }),
        ("[a-z]{1,8}/[a-z0-9.+-]{1,20}", proptest::collection::vec(any::<u8>(), 0..600))
            .prop_map(|(m, p)| NdefRecord::mime(&m, &p)),
        ("[a-z0-9]{1,10}\\.[a-z]{2,3}", "[a-z0-9]{1,10}", proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(d, n, p)| NdefRecord::external(&d, &n, &p)),
        "[a-z]{2,6}(\\.[a-z]{2,6}){1,3}".prop_map(|p| NdefRecord::aar(&p)),
        // Titles keyed by language: the Smart Poster RTD allows one title per language
        // (validator rule sp.title-lang-unique), so valid posters never repeat one.
        ("[ -~]{0,30}", proptest::collection::btree_map("[a-z]{2}", "[ -~]{0,20}", 0..3), proptest::option::of(0u8..3))
            .prop_map(|(u, titles, a)| {
                let titles: Vec<(&str, &str)> = titles.iter().map(|(l, t)| (l.as_str(), t.as_str())).collect();
                NdefRecord::smart_poster(&u, &titles, a.map(SmartPosterAction))
            }),
        Just(NdefRecord::empty()),
        (proptest::collection::vec(any::<u8>(), 0..20), proptest::collection::vec(any::<u8>(), 1..10))
            .prop_map(|(p, id)| NdefRecord::new(Tnf::UNKNOWN, Vec::new(), id, p)),
    ]
}

proptest! {
    #[test]
    fn builder_messages_round_trip_byte_for_byte(records in proptest::collection::vec(arb_record(), 1..6)) {
        let bytes = encode_ndef_message(&records);
        let msg = decode_ndef_message(&bytes).unwrap();
        prop_assert_eq!(msg.records.len(), records.len());
        for (got, want) in msg.records.iter().zip(&records) {
            prop_assert_eq!((got.tnf, &got.record_type, &got.id, &got.payload), (want.tnf, &want.record_type, &want.id, &want.payload));
            // Known payloads decode, and re-encode to the same payload.
            match decode_known_record(got, &DecodeOptions::default()) {
                Some(Ok(KnownRecord::Text(t))) => prop_assert_eq!(encode_ndef_text(&t), got.payload.to_vec()),
                Some(Ok(KnownRecord::Uri(u))) => prop_assert_eq!(encode_ndef_uri(&u), got.payload.to_vec()),
                Some(Err(e)) => prop_assert!(false, "known payload failed: {}", e),
                _ => {}
            }
        }
        prop_assert_eq!(msg.encode(), bytes.clone());
        let findings = validate_ndef_message(&bytes);
        prop_assert!(findings.is_empty(), "{:?}", findings);
    }

    #[test]
    fn chunked_messages_round_trip(records in proptest::collection::vec(arb_record(), 1..4), chunk in 1usize..64) {
        let bytes = encode_ndef_message_chunked(&records, chunk);
        let msg = decode_ndef_message(&bytes).unwrap();
        for (got, want) in msg.records.iter().zip(&records) {
            prop_assert_eq!(&got.payload, &want.payload);
            prop_assert_eq!(got.chunks, want.payload.len().div_ceil(chunk).max(1));
        }
        prop_assert_eq!(encode_ndef_message_chunked(&msg.records, chunk), bytes.clone());
        prop_assert!(validate_ndef_message(&bytes).is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        match decode_ndef_message(&bytes) {
            Ok(msg) => {
                // The wire layer re-encodes exactly what was read.
                let mut out = Vec::new();
                for raw in RawRecordIter::new(&bytes) {
                    raw.unwrap().encode_into(&mut out);
                }
                prop_assert_eq!(out, bytes.clone());
                for rec in &msg.records {
                    if let Some(Err(e)) = decode_known_record(rec, &DecodeOptions::default()) {
                        prop_assert!(e.offset() <= bytes.len());
                    }
                }
            }
            Err(e) => prop_assert!(e.offset() <= bytes.len(), "{:?}", e),
        }
        for f in validate_ndef_message(&bytes) {
            prop_assert!(f.location.offset.is_some_and(|o| o <= bytes.len()));
        }
        if let Err(e) = decode_t4t_cc(&bytes) { prop_assert!(e.offset() <= bytes.len()); }
        if let Err(e) = decode_t4t_ndef_file(&bytes) { prop_assert!(e.offset() <= bytes.len()); }
        match decode_t2t_memory(&bytes) {
            Ok(mem) => { let _ = validate_t2t_memory(&mem); let _ = mem.area.ndef_messages(); }
            Err(e) => prop_assert!(e.offset() <= bytes.len()),
        }
        match decode_t2t_tlvs(&bytes, 0) {
            Ok(area) => prop_assert_eq!(area.encode(), bytes.clone()),
            Err(e) => prop_assert!(e.offset() <= bytes.len()),
        }
    }

    #[test]
    fn mutated_messages_never_panic(records in proptest::collection::vec(arb_record(), 1..4), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = encode_ndef_message(&records);
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        match decode_ndef_message(&bytes) {
            Ok(_) => {}
            Err(e) => prop_assert!(e.offset() <= bytes.len()),
        }
        let _ = validate_ndef_message(&bytes);
    }

    #[test]
    fn t2t_and_t4t_round_trip(records in proptest::collection::vec(arb_record(), 1..3)) {
        let msg = encode_ndef_message(&records);
        prop_assume!(msg.len() <= 0xFFFE);
        let tlv = encode_t2t_ndef_tlv(&msg);
        let area = decode_t2t_tlvs(&tlv, 16).unwrap();
        prop_assert_eq!(area.encode(), tlv.clone());
        let decoded = area.ndef_messages().remove(0).unwrap().unwrap();
        prop_assert_eq!(decoded.encode(), msg.clone());
        let file = encode_t4t_ndef_file(&msg, Some(msg.len() + 10));
        prop_assert_eq!(decode_t4t_ndef_file(&file).unwrap().unwrap().encode(), msg);
    }
}
