//! BER-TLV / EMV over the vectors in `vectors/emv/` (sources in its SOURCES.md): decoded trees
//! and typed views as insta snapshots, exact errors with offsets, round trips and properties.

use std::fmt::Write as _;
use std::path::PathBuf;

use proptest::prelude::*;
use tapcert_parsers::fuzzing;
use tapcert_parsers::tlv::{
    DolEntry, DolError, Fci, GenerateAcResponse, GpoResponse, Record, ResponseFormat, Tag, TemplateError, TlvError,
    TlvNode, TlvOwned, build_emv_dol_data, decode_emv_tlv, decode_emv_tlv_object, decode_emv_tlv_owned,
    decode_emv_tlv_padded, decode_emv_tlv_with_depth, emv_dol_data_len, encode_emv_dol, encode_emv_tlv_owned,
    encode_nodes_into, parse_emv_dol, split_emv_dol_data, validate_emv_tlv,
};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/emv")
}

fn vector(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(vectors_dir().join(format!("{name}.hex"))).unwrap();
    hex::decode(text.trim()).unwrap()
}

fn all_vectors() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<_> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".hex").map(str::to_owned))
        .collect();
    names.sort();
    names.into_iter().map(|n| (n.clone(), vector(&n))).collect()
}

fn render(nodes: &[TlvNode<'_>], depth: usize, out: &mut String) {
    for n in nodes {
        let t = &n.tlv;
        let name = t.tag.name().unwrap_or("?");
        let pad = if t.padding_before > 0 { format!(" pad={}", t.padding_before) } else { String::new() };
        let _ = write!(out, "{}{} @{} len={}{pad} {name}", "  ".repeat(depth), t.tag, t.offset, t.length.value);
        if t.is_constructed() {
            out.push('\n');
            render(&n.children, depth + 1, out);
        } else {
            let _ = writeln!(out, " = {}", hex::encode_upper(t.value));
        }
    }
}

fn tree_and_findings(bytes: &[u8]) -> String {
    let (nodes, pad) = decode_emv_tlv_padded(bytes).unwrap();
    let mut out = String::new();
    render(&nodes, 0, &mut out);
    let findings = validate_emv_tlv(&nodes, pad);
    out.push_str("-- findings --\n");
    for f in findings {
        let _ = writeln!(out, "{f}");
    }
    out
}

#[test]
fn vectors_decode_and_snapshot() {
    let vectors = all_vectors();
    assert!(vectors.len() >= 18, "vectors missing: {}", vectors.len());
    for (name, bytes) in &vectors {
        insta::assert_snapshot!(format!("tree_{name}"), tree_and_findings(bytes));
    }
}

#[test]
fn vectors_round_trip_byte_for_byte() {
    for (name, bytes) in all_vectors() {
        let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap();
        let mut out = Vec::new();
        encode_nodes_into(&nodes, pad, &mut out);
        assert_eq!(out, bytes, "{name}: as-parsed encoding");
        // Every vector is canonical (minimal lengths, no padding): the owned model agrees.
        let owned = decode_emv_tlv_owned(&bytes).unwrap();
        assert_eq!(encode_emv_tlv_owned(&owned), bytes, "{name}: owned encoding");
        fuzzing::fuzz_tlv(&bytes);
        fuzzing::fuzz_tlv_roundtrip(&bytes);
        fuzzing::fuzz_tlv_differential(&bytes);
    }
}

fn hx(v: Option<&[u8]>) -> String {
    v.map_or_else(|| "-".to_owned(), hex::encode_upper)
}

fn txt(v: Option<&[u8]>) -> String {
    v.map_or_else(|| "-".to_owned(), |b| format!("{:?}", String::from_utf8_lossy(b)))
}

fn render_fci(f: &Fci<'_>) -> String {
    let mut out = format!(
        "df_name={} label={} priority={:?} pdol={} language={} code_table={:?} preferred_name={} sfi={:?} bf0c={}\n",
        hx(Some(f.df_name)),
        txt(f.label),
        f.priority,
        hx(f.pdol),
        txt(f.language),
        f.issuer_code_table_index,
        txt(f.preferred_name),
        f.sfi,
        f.issuer_discretionary.as_ref().map_or(0, |n| n.children.len()),
    );
    for d in &f.directory {
        let _ = writeln!(
            out,
            "  61 @{}: aid={} label={} priority={:?} kernel_id={} asrpd={}",
            d.offset,
            hx(Some(d.aid)),
            txt(d.label),
            d.priority,
            hx(d.kernel_id),
            hx(d.asrpd)
        );
    }
    out
}

fn render_gpo(g: &GpoResponse<'_>) -> String {
    let mut out = format!(
        "{:?} aip={} afl={} atc={} cryptogram={} cid={:?} iad={} track2={} psn={:?} sdad={}\n",
        g.format,
        hx(Some(&g.aip)),
        hx(g.afl_raw),
        hx(g.atc.as_ref().map(|a| &a[..])),
        hx(g.cryptogram),
        g.cid,
        hx(g.iad),
        hx(g.track2),
        g.pan_sequence,
        hx(g.sdad),
    );
    for e in &g.afl {
        let reads: Vec<_> =
            e.records().map(|r| format!("{:02X}{:02X}", r.read_record_p1_p2().0, r.read_record_p1_p2().1)).collect();
        let _ = writeln!(out, "  {e:?} READ RECORD P1P2 {}", reads.join(" "));
    }
    out
}

fn render_genac(g: &GenerateAcResponse<'_>) -> String {
    format!(
        "{:?} cid={:02X} atc={} cryptogram={} iad={} sdad={}\n",
        g.format,
        g.cid,
        hx(Some(&g.atc)),
        hx(g.cryptogram.as_ref().map(|a| &a[..])),
        hx(g.iad),
        hx(g.sdad),
    )
}

#[test]
fn fci_views() {
    for name in
        ["ppse_visa_debit", "visa_ppse", "mc_ppse", "visa_select", "mc_select", "amex_select", "pse_fci_contact"]
    {
        let bytes = vector(name);
        insta::assert_snapshot!(format!("fci_{name}"), render_fci(&Fci::from_bytes(&bytes).unwrap()));
    }
}

#[test]
fn select_response_pdol_repeats_9a() {
    let bytes = vector("select_visa_electron_pdol_9a_twice");
    let fci = Fci::from_bytes(&bytes).unwrap();
    let pdol = fci.pdol_entries().unwrap().unwrap();
    assert_eq!(pdol.len(), 10);
    assert_eq!(emv_dol_data_len(&pdol), 36);
    let nines: Vec<_> = pdol.iter().filter(|e| e.tag == Tag::TRANSACTION_DATE).collect();
    assert_eq!(
        nines,
        [&DolEntry { tag: Tag(0x9A), len: 3, offset: 17 }, &DolEntry { tag: Tag(0x9A), len: 3, offset: 24 }]
    );
    let listed: Vec<_> = pdol.iter().map(|e| format!("{}:{}@{}", e.tag, e.len, e.offset)).collect();
    insta::assert_snapshot!("pdol_9a_twice", listed.join("\n"));
    // The terminal data for this PDOL, built and split back by the same DOL.
    let values: [(Tag, &[u8]); 6] = [
        (Tag::TTQ, &[0x36, 0x00, 0x40, 0x00]),
        (Tag::AMOUNT_AUTHORISED, &[0x10, 0x00]),
        (Tag::TERMINAL_COUNTRY_CODE, &[0x08, 0x26]),
        (Tag::TRANSACTION_CURRENCY_CODE, &[0x08, 0x26]),
        (Tag::TRANSACTION_DATE, &[0x26, 0x11, 0x22]),
        (Tag::UNPREDICTABLE_NUMBER, &[0xDE, 0xAD, 0xBE, 0xEF]),
    ];
    let data = build_emv_dol_data(&pdol, |t| values.iter().find(|(k, _)| *k == t).map(|(_, v)| *v));
    assert_eq!(hex::encode_upper(&data), "3600400000000000100000000000000008260000000000082626112200DEADBEEF261122");
    let split = split_emv_dol_data(&pdol, &data).unwrap();
    assert_eq!(split.len(), 10);
    assert_eq!(split[9], (pdol[9], &[0x26, 0x11, 0x22][..]));
}

#[test]
fn gpo_views() {
    for name in ["visa_gpo_format2_qvsdc", "mc_gpo_format2", "amex_gpo_format1"] {
        let bytes = vector(name);
        insta::assert_snapshot!(format!("gpo_{name}"), render_gpo(&GpoResponse::from_bytes(&bytes).unwrap()));
    }
    let amex = vector("amex_gpo_format1");
    let f1 = GpoResponse::from_bytes(&amex).unwrap();
    assert_eq!((f1.format, f1.aip, f1.afl.len()), (ResponseFormat::Format1, [0x0D, 0x80], 6));
    let mc_bytes = vector("mc_gpo_format2");
    let mc = GpoResponse::from_bytes(&mc_bytes).unwrap();
    let reads: Vec<_> =
        mc.afl.iter().flat_map(|e| e.records()).map(|r| (r.sfi, r.record, r.read_record_p1_p2())).collect();
    assert_eq!(
        reads,
        [
            (1, 1, (1, 0x0C)),
            (2, 1, (1, 0x14)),
            (3, 1, (1, 0x1C)),
            (3, 2, (2, 0x1C)),
            (4, 1, (1, 0x24)),
            (4, 2, (2, 0x24))
        ]
    );
    // A format 1 AFL that is not a multiple of 4 names the AFL's absolute offset.
    let bad = [0x80, 0x05, 0x19, 0x80, 0x08, 0x01, 0x01];
    let err = GpoResponse::from_bytes(&bad).unwrap_err();
    assert!(matches!(err, TemplateError::Afl { offset: 4, .. }), "{err:?}");
}

#[test]
fn record_views() {
    for name in ["mc_record_track2_cdol", "mc_record_sfi1_mag", "mc_record_icc_pk", "amex_record_cdol"] {
        let bytes = vector(name);
        let rec = Record::from_bytes(&bytes).unwrap();
        let dol = |d: Option<Result<Vec<DolEntry>, DolError>>| match d {
            None => "-".to_owned(),
            Some(Ok(es)) => {
                let list: Vec<_> = es.iter().map(|e| format!("{}:{}", e.tag, e.len)).collect();
                format!("{} ({} bytes)", list.join(" "), emv_dol_data_len(&es))
            }
            Some(Err(e)) => format!("error: {e}"),
        };
        let tags: Vec<_> = rec.template.children.iter().map(|c| c.tlv.tag.to_string()).collect();
        let summary = format!(
            "tags: {}\ntrack2={} pan={} expiry={}\ncdol1: {}\ncdol2: {}\n",
            tags.join(" "),
            hx(rec.track2()),
            hx(rec.pan()),
            hx(rec.expiration_date()),
            dol(rec.cdol1()),
            dol(rec.cdol2())
        );
        insta::assert_snapshot!(format!("record_{name}"), summary);
    }
    let rec_bytes = vector("mc_record_track2_cdol");
    let rec = Record::from_bytes(&rec_bytes).unwrap();
    assert_eq!(emv_dol_data_len(&rec.cdol1().unwrap().unwrap()), 43);
    assert_eq!(rec.expiration_date(), Some(&[0x25, 0x12, 0x31][..]));
}

#[test]
fn generate_ac_views() {
    for name in ["mc_generate_ac_format2_cda", "amex_generate_ac_format2_cda", "generate_ac_format1_selfmade"] {
        let bytes = vector(name);
        insta::assert_snapshot!(
            format!("genac_{name}"),
            render_genac(&GenerateAcResponse::from_bytes(&bytes).unwrap())
        );
    }
    let f1_bytes = vector("generate_ac_format1_selfmade");
    let f1 = GenerateAcResponse::from_bytes(&f1_bytes).unwrap();
    assert_eq!((f1.cid, f1.atc, f1.iad.map(<[u8]>::len)), (0x80, [0x00, 0x01], Some(7)));
    // Format 2 without 9F26 and without 9F4B: the cryptogram is missing.
    let no_ac = [0x77, 0x08, 0x9F, 0x27, 0x01, 0x80, 0x9F, 0x36, 0x01, 0x01];
    assert_eq!(
        GenerateAcResponse::from_bytes(&no_ac),
        Err(TemplateError::BadValueLength { tag: Tag(0x9F36), offset: 6, expected: "2 bytes", found: 1 })
    );
    let no_ac = [0x77, 0x09, 0x9F, 0x27, 0x01, 0x80, 0x9F, 0x36, 0x02, 0x00, 0x01];
    assert_eq!(
        GenerateAcResponse::from_bytes(&no_ac),
        Err(TemplateError::MissingTag { tag: Tag(0x9F26), template: Tag(0x77), offset: 0 })
    );
    assert_eq!(
        GenerateAcResponse::from_bytes(&[0x80, 0x03, 0x80, 0x00, 0x01]),
        Err(TemplateError::BadValueLength {
            tag: Tag(0x80),
            offset: 0,
            expected: "11-43 bytes: CID, ATC, AC, optional IAD",
            found: 3
        })
    );
}

#[test]
fn views_reject_wrong_templates_and_missing_tags() {
    assert_eq!(
        Fci::from_bytes(&vector("mc_gpo_format2")),
        Err(TemplateError::UnexpectedTemplate { offset: 0, found: Tag(0x77), expected: "6F" })
    );
    // PPSE entry without 4F.
    let no_aid = [0x6F, 0x0B, 0x84, 0x01, 0x32, 0xA5, 0x06, 0xBF, 0x0C, 0x03, 0x61, 0x01, 0x00];
    assert_eq!(
        Fci::from_bytes(&no_aid),
        Err(TemplateError::MissingTag { tag: Tag(0x4F), template: Tag(0x61), offset: 10 })
    );
    assert_eq!(
        Fci::from_bytes(&[0x6F, 0x02, 0xA5, 0x00]),
        Err(TemplateError::MissingTag { tag: Tag(0x84), template: Tag(0x6F), offset: 0 })
    );
    assert_eq!(
        GpoResponse::from_bytes(&[0x70, 0x00]),
        Err(TemplateError::UnexpectedTemplate { offset: 0, found: Tag(0x70), expected: "77 or 80" })
    );
    // Trailing bytes after the template (e.g. a forgotten SW) are rejected with their offset.
    let mut with_sw = vector("mc_gpo_format2");
    with_sw.extend_from_slice(&[0x90, 0x00]);
    assert_eq!(GpoResponse::from_bytes(&with_sw), Err(TemplateError::Tlv(TlvError::TrailingData { offset: 24 })));
}

#[test]
fn exact_errors_and_offsets() {
    // Truncated value: 9F36 declares 2, 1 remains.
    assert_eq!(
        decode_emv_tlv(&[0x5A, 0x01, 0x12, 0x9F, 0x36, 0x02, 0x00]),
        Err(TlvError::LengthExceedsInput { offset: 3, declared: 2, available: 1 })
    );
    // Length longer than the parent: 5A claims 8 inside a 70 with 3 left.
    assert_eq!(
        decode_emv_tlv(&[0x70, 0x05, 0x5A, 0x08, 0x12, 0x34, 0x56]),
        Err(TlvError::ExceedsParent { offset: 2, declared: 8, available: 3, parent_offset: 0 })
    );
    // Indefinite length inside a template.
    assert_eq!(decode_emv_tlv(&[0x77, 0x02, 0x82, 0x80]), Err(TlvError::IndefiniteLength { offset: 3 }));
    // Tag running off the end (top level and inside a parent).
    assert_eq!(decode_emv_tlv(&[0x5A, 0x00, 0x9F]), Err(TlvError::TruncatedTag { offset: 2 }));
    assert_eq!(decode_emv_tlv(&[0x70, 0x02, 0x9F, 0x81]), Err(TlvError::TruncatedTag { offset: 2 }));
    // Length octets running off the end.
    assert_eq!(
        decode_emv_tlv(&[0x90, 0x82, 0x01]),
        Err(TlvError::TruncatedLength { offset: 1, needed: 3, available: 2 })
    );
    // Depth limit: 4 nested 61s under a limit of 3.
    assert_eq!(
        decode_emv_tlv_with_depth(&[0x61, 0x06, 0x61, 0x04, 0x61, 0x02, 0x61, 0x00], 3),
        Err(TlvError::DepthLimit { offset: 6, limit: 3 })
    );
    // Trailing data after a whole object.
    assert_eq!(decode_emv_tlv_object(&[0x5A, 0x01, 0x12, 0x90, 0x00]), Err(TlvError::TrailingData { offset: 3 }));
    // DOL faults.
    assert_eq!(parse_emv_dol(&[0x9F, 0x66, 0x04, 0x9F, 0x02]), Err(DolError::TruncatedLength { offset: 5 }));
}

#[test]
fn padding_and_non_minimal_lengths_are_accepted_then_flagged() {
    let bytes = [0x00, 0x00, 0x70, 0x81, 0x07, 0x5F, 0x34, 0x01, 0x01, 0x00, 0x9A, 0x00, 0x00];
    let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap();
    let mut out = Vec::new();
    encode_nodes_into(&nodes, pad, &mut out);
    assert_eq!(out, bytes);
    let rules: Vec<_> = validate_emv_tlv(&nodes, pad)
        .into_iter()
        .map(|f| format!("{}@{}", f.rule, f.location.offset.unwrap()))
        .collect();
    assert_eq!(
        rules,
        ["TLV.PADDING@0", "TLV.LENGTH.NON-MINIMAL@3", "TLV.PADDING@9", "EMV.LENGTH.RANGE@10", "TLV.PADDING@12"]
    );
}

// ---- properties -------------------------------------------------------------------------------

/// Well-formed tags of 1-3 bytes with a chosen constructed bit; never `00` (that is padding).
fn arb_tag(constructed: bool) -> impl Strategy<Value = Tag> {
    let cbit = if constructed { 0x20u8 } else { 0 };
    prop_oneof![
        (0u8..=0xFF).prop_filter_map("single-byte tag", move |b| {
            let b = (b & !0x20) | cbit;
            (b & 0x1F != 0x1F && b != 0).then_some(Tag(u32::from(b)))
        }),
        (0u8..4, 0u8..0x80).prop_map(move |(class, n)| {
            let first = (class << 6) | cbit | 0x1F;
            Tag(u32::from(first) << 8 | u32::from(n))
        }),
        (0u8..4, 0x80u8..=0xFF, 0u8..0x80).prop_map(move |(class, m, n)| {
            let first = (class << 6) | cbit | 0x1F;
            Tag((u32::from(first) << 16) | (u32::from(m) << 8) | u32::from(n))
        }),
    ]
}

fn arb_owned() -> impl Strategy<Value = TlvOwned> {
    let leaf =
        (arb_tag(false), prop::collection::vec(any::<u8>(), 0..300)).prop_map(|(t, v)| TlvOwned::primitive(t, v));
    leaf.prop_recursive(5, 64, 6, |inner| {
        (arb_tag(true), prop::collection::vec(inner, 0..6)).prop_map(|(t, c)| TlvOwned::constructed(t, c))
    })
}

proptest! {
    #[test]
    fn owned_trees_round_trip(trees in prop::collection::vec(arb_owned(), 0..4)) {
        let bytes = encode_emv_tlv_owned(&trees);
        prop_assert_eq!(decode_emv_tlv_owned(&bytes).unwrap(), trees);
        // The owned encoding is canonical: the as-parsed encoder reproduces it exactly.
        let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap();
        let mut again = Vec::new();
        encode_nodes_into(&nodes, pad, &mut again);
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        fuzzing::fuzz_tlv(&data);
        fuzzing::fuzz_tlv_roundtrip(&data);
        fuzzing::fuzz_tlv_differential(&data);
        fuzzing::fuzz_dol(&data);
    }

    #[test]
    fn mutated_vectors_never_panic(idx in 0usize..18, pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let vectors = all_vectors();
        let mut data = vectors[idx % vectors.len()].1.clone();
        let i = pos.index(data.len());
        data[i] = byte;
        fuzzing::fuzz_tlv(&data);
        fuzzing::fuzz_tlv_roundtrip(&data);
        fuzzing::fuzz_tlv_differential(&data);
    }

    #[test]
    fn dol_build_split_round_trip(
        entries in prop::collection::vec((arb_tag(false), any::<u8>()), 0..20),
        values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 20),
    ) {
        let dol_bytes: Vec<u8> = entries.iter().flat_map(|(t, l)| {
            let mut v = t.to_bytes().as_ref().to_vec();
            v.push(*l);
            v
        }).collect();
        let dol = parse_emv_dol(&dol_bytes).unwrap();
        prop_assert_eq!(dol.len(), entries.len());
        let mut enc = Vec::new();
        encode_emv_dol(&dol, &mut enc);
        prop_assert_eq!(&enc, &dol_bytes);
        let mut i = 0;
        let data = build_emv_dol_data(&dol, |_| { i += 1; Some(&values[(i - 1) % values.len()][..]) });
        prop_assert_eq!(data.len(), emv_dol_data_len(&dol));
        let split = split_emv_dol_data(&dol, &data).unwrap();
        // Splitting returns exactly the bytes built, entry by entry.
        let rejoined: Vec<u8> = split.iter().flat_map(|(_, v)| v.iter().copied()).collect();
        prop_assert_eq!(&rejoined, &data);
        for (e, v) in &split {
            prop_assert_eq!(v.len(), usize::from(e.len));
        }
    }
}
