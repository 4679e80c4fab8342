//! QR payloads over `vectors/qr/`: insta snapshots of every vector, exact facts about the
//! public samples and negative cases, and property tests of the grammar and the encoders.

use std::fmt::Write as _;
use std::path::PathBuf;

use proptest::prelude::*;
use tapcert_parsers::Finding;
use tapcert_parsers::qr::*;
use tapcert_parsers::tlv::{Tag, TlvNode};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/qr")
}

fn vector(name: &str) -> String {
    let text = std::fs::read_to_string(vectors_dir().join(format!("{name}.txt"))).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

fn render_objects(objects: &[MpmObject<'_>], parent: Option<MpmId>, depth: usize, out: &mut String) {
    for o in objects {
        // Names are known for the top level and the first level of templates only.
        let name =
            if depth <= 1 { mpm_id_name(if depth == 0 { None } else { parent }, o.id).unwrap_or("") } else { "" };
        let pad = "  ".repeat(depth);
        match &o.children {
            Some(children) => {
                let _ = writeln!(out, "{pad}{} @{} [{}] {name}", o.id, o.offset, o.value_chars());
                render_objects(children, if depth == 0 { Some(o.id) } else { parent }, depth + 1, out);
            }
            None => {
                let _ = writeln!(out, "{pad}{} @{} [{}] {name} = {:?}", o.id, o.offset, o.value_chars(), o.value);
            }
        }
    }
}

fn render_findings(findings: &[Finding], out: &mut String) {
    for f in findings {
        let _ = writeln!(out, "finding {f}");
    }
}

fn render_mpm(text: &str) -> String {
    let mut out = String::new();
    match decode_qr_mpm(text) {
        Err(e) => {
            let _ = writeln!(out, "error: {e:?}\n{e}");
        }
        Ok(qr) => {
            render_objects(&qr.objects, None, 0, &mut out);
            match qr.crc {
                Some(c) => {
                    let _ = writeln!(out, "crc stated {} computed {} ok {}", c.stated, crc_hex(c.computed), c.ok());
                }
                None => out.push_str("crc not located\n"),
            }
            let profiles: Vec<_> = detect_profiles(&qr).iter().map(|p| p.as_str()).collect();
            let _ = writeln!(out, "profiles {profiles:?}");
            render_findings(&validate_qr_mpm(&qr), &mut out);
        }
    }
    out
}

fn render_tlv(nodes: &[TlvNode<'_>], depth: usize, out: &mut String) {
    for n in nodes {
        let pad = "  ".repeat(depth);
        if n.tlv.is_constructed() {
            let _ = writeln!(out, "{pad}{} @{} [{}]", n.tlv.tag, n.tlv.offset, n.tlv.value.len());
            render_tlv(&n.children, depth + 1, out);
        } else {
            let _ = writeln!(
                out,
                "{pad}{} @{} [{}] {}",
                n.tlv.tag,
                n.tlv.offset,
                n.tlv.value.len(),
                hex::encode_upper(n.tlv.value)
            );
        }
    }
}

fn render_cpm(text: &str) -> String {
    let mut out = String::new();
    let bytes = match decode_qr_cpm_base64(text) {
        Ok(b) => b,
        Err(e) => return format!("error: {e:?}\n{e}\n"),
    };
    match parse_qr_cpm(&bytes) {
        Err(e) => {
            let _ = writeln!(out, "error: {e:?}\n{e}");
        }
        Ok(nodes) => {
            render_tlv(&nodes, 0, &mut out);
            render_findings(&validate_qr_cpm(&nodes), &mut out);
        }
    }
    out
}

fn render_upi(text: &str) -> String {
    match parse_upi_link(text) {
        Err(e) => format!("error: {e:?}\n{e}\n"),
        Ok(link) => {
            let mut out = format!("verb {:?}\n", link.verb);
            for (k, v) in &link.params {
                let _ = writeln!(out, "{k} = {v:?}");
            }
            render_findings(&validate_upi_link(&link), &mut out);
            out
        }
    }
}

fn render_wallet(text: &str) -> String {
    match classify_wallet_code(text) {
        Err(e) => format!("error: {e:?}\n{e}\n"),
        Ok(w) => format!("wallet {:?}\nrule {}\n", w.wallet.map(Wallet::as_str), w.rule),
    }
}

#[test]
fn snapshots_of_every_vector() {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".txt").map(str::to_owned))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    for name in names {
        let text = vector(&name);
        let kind = name.trim_start_matches("neg_").trim_start_matches("self_");
        let rendered = if kind.starts_with("mpm_") {
            render_mpm(&text)
        } else if kind.starts_with("cpm_") {
            render_cpm(&text)
        } else if kind.starts_with("upi_") {
            render_upi(&text)
        } else if kind.starts_with("wallet_") {
            render_wallet(&text)
        } else {
            panic!("vector {name} has no known prefix")
        };
        insta::assert_snapshot!(name.clone(), format!("{text}\n---\n{rendered}"));
    }
}

/// (rule id, id path) of each finding.
fn findings_of(name: &str) -> Vec<(String, String)> {
    let text = vector(name);
    let qr = decode_qr_mpm(&text).unwrap();
    validate_qr_mpm(&qr).into_iter().map(|f| (f.rule.into_owned(), f.location.path.unwrap_or_default())).collect()
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|&(r, p)| (r.to_owned(), p.to_owned())).collect()
}

#[test]
fn public_samples_have_the_documented_crc() {
    for (name, crc) in [
        ("mpm_emvco_annex", 0xA13A),
        ("mpm_pix_bcb_manual", 0x1D3D),
        ("mpm_pix_amount_uuid", 0x36D9),
        ("mpm_promptpay_mobile", 0x92CB),
        ("mpm_paynow_uen", 0xDF3F),
        ("mpm_vietqr_napas", 0xC15C),
    ] {
        let text = vector(name);
        let qr = decode_qr_mpm(&text).unwrap();
        let c = qr.crc.unwrap();
        assert_eq!((c.computed, c.ok()), (crc, true), "{name}");
        // Canonical input re-encodes byte for byte, with or without recomputing the CRC.
        assert_eq!(encode_qr_mpm_raw(&qr.to_nodes()).unwrap(), text, "{name}");
        assert_eq!(encode_qr_mpm(&qr.to_nodes()).unwrap(), text, "{name}");
    }
}

#[test]
fn clean_samples_have_no_findings_and_the_right_profiles() {
    for (name, profiles) in [
        ("mpm_emvco_annex", &[Profile::Emvco][..]),
        ("mpm_pix_bcb_manual", &[Profile::Emvco, Profile::Pix]),
        ("mpm_pix_amount_uuid", &[Profile::Emvco, Profile::Pix]),
        ("mpm_paynow_uen", &[Profile::Emvco, Profile::PayNow]),
        ("self_mpm_bharatqr_upi", &[Profile::Emvco, Profile::BharatQr]),
        ("self_mpm_unionpay", &[Profile::Emvco, Profile::UnionPay]),
        ("self_mpm_promptpay_bill", &[Profile::Emvco, Profile::PromptPay]),
        ("self_mpm_qris", &[Profile::Emvco, Profile::Qris]),
        ("self_mpm_duitnow", &[Profile::Emvco, Profile::DuitNow]),
        ("self_mpm_sgqr_paynow_mobile", &[Profile::Emvco, Profile::PayNow, Profile::Sgqr]),
    ] {
        let text = vector(name);
        let qr = decode_qr_mpm(&text).unwrap();
        assert_eq!(detect_profiles(&qr), profiles, "{name}");
        assert_eq!(validate_qr_mpm(&qr), [], "{name}");
    }
}

#[test]
fn promptpay_and_vietqr_samples_omit_what_emvco_makes_mandatory() {
    let ids = |name| findings_of(name).into_iter().map(|(r, id)| format!("{r}/{id}")).collect::<Vec<_>>();
    let absent = ["QR.EMVCO.MANDATORY/52", "QR.EMVCO.MANDATORY/59", "QR.EMVCO.MANDATORY/60"];
    assert_eq!(ids("mpm_promptpay_mobile"), absent);
    assert_eq!(ids("mpm_vietqr_napas"), absent);
    let qr_text = vector("mpm_vietqr_napas");
    let qr = decode_qr_mpm(&qr_text).unwrap();
    let beneficiary = qr.get(MpmId(38)).unwrap().child(MpmId(1)).unwrap();
    assert_eq!(beneficiary.child_value(MpmId(0)), Some("970415"));
    assert_eq!(beneficiary.child_value(MpmId(1)), Some("0011001932418"));
}

#[test]
fn negative_vectors() {
    let wrong = findings_of("neg_mpm_wrong_crc");
    assert_eq!(wrong, pairs(&[("QR.CRC", "63")]));
    let pix = findings_of("neg_mpm_pix_wrong_crc_57b8");
    assert_eq!(pix, pairs(&[("QR.CRC", "63")]));
    let lower = findings_of("neg_mpm_lowercase_crc");
    assert_eq!(lower, pairs(&[("QR.CRC-FORMAT", "63")]));
    // Template 26 at character 6; its child 01 at character 28 claims 37 of the 36 left.
    assert_eq!(
        decode_qr_mpm(&vector("neg_mpm_template_length_crc_valid")),
        Err(QrError::ExceedsTemplate { offset: 28, declared: 37, available: 36, template_offset: 6 })
    );
    assert_eq!(
        decode_qr_mpm(&vector("neg_mpm_truncated")),
        Err(QrError::Truncated { offset: 110, declared: 7, available: 4 })
    );
    assert!(matches!(decode_qr_cpm_base64(&vector("neg_cpm_bad_base64")), Err(CpmError::Base64 { offset: 20, .. })));
    let rules: std::collections::BTreeSet<_> =
        findings_of("neg_mpm_rules_broken").into_iter().map(|(r, _)| r).collect();
    for rule in [
        "QR.EMVCO.ORDER-00-FIRST",
        "QR.EMVCO.DUPLICATE-ID",
        "QR.EMVCO.PAYLOAD-FORMAT",
        "QR.EMVCO.POINT-OF-INITIATION",
        "QR.EMVCO.TEMPLATE-GUID",
        "QR.EMVCO.MCC-FORMAT",
        "QR.EMVCO.CURRENCY",
        "QR.EMVCO.AMOUNT-FORMAT",
        "QR.EMVCO.FEE-PERCENTAGE",
        "QR.EMVCO.TIP-INDICATOR",
        "QR.EMVCO.COUNTRY",
        "QR.EMVCO.MAX-LENGTH",
        "QR.EMVCO.CONSUMER-DATA-REQUEST",
        "QR.EMVCO.RFU-ID",
        "QR.EMVCO.LANGUAGE-TEMPLATE",
        "QR.EMVCO.CHARSET",
    ] {
        assert!(rules.contains(rule), "{rule} missing from {rules:?}");
    }
}

#[test]
fn cpm_examples_decode_and_validate() {
    let bytes = decode_qr_cpm_base64(&vector("cpm_emvco_example")).unwrap();
    let nodes = parse_qr_cpm(&bytes).unwrap();
    let tags: Vec<_> = nodes.iter().map(|n| n.tlv.tag.0).collect();
    assert_eq!(tags, [0x85, 0x61, 0x61, 0x62]);
    assert_eq!(validate_qr_cpm(&nodes), []);
    let typed = CpmPayload::from_nodes(&nodes).unwrap();
    assert_eq!(typed.applications.len(), 2);
    assert_eq!(encode_qr_cpm_bytes(&typed), bytes);
    let common = typed.common.as_ref().unwrap();
    assert_eq!(common.transparent[1], CpmDataObject::new(0x9F26, hex::decode("584FD385FA234BCC").unwrap()));

    let bytes = decode_qr_cpm_base64(&vector("cpm_unionpay_example")).unwrap();
    let nodes = parse_qr_cpm(&bytes).unwrap();
    assert_eq!(validate_qr_cpm(&nodes), []);
    assert_eq!(nodes[1].children[0].tlv.value, hex::decode("A000000333010102").unwrap());
    assert_eq!(encode_qr_cpm_bytes(&CpmPayload::from_nodes(&nodes).unwrap()), bytes);
}

#[test]
fn cpm_missing_mandatory_tags() {
    // 85 CPV01, 61 { 50 "X" } : no AID, no PAN/Track 2, no cryptogram.
    let bytes = hex::decode("850543505630316103500158").unwrap();
    let nodes = parse_qr_cpm(&bytes).unwrap();
    let rules: Vec<_> =
        validate_qr_cpm(&nodes).into_iter().map(|f| (f.rule, f.location.path, f.location.offset)).collect();
    assert_eq!(
        rules,
        [
            ("QR.CPM.AID".into(), Some("61[0].4F".to_owned()), Some(7)),
            ("QR.CPM.PAN-OR-TRACK2".into(), Some("61[0]".to_owned()), Some(7)),
            ("QR.CPM.CRYPTOGRAM".into(), None, None)
        ]
    );
    // A cryptogram (9F26) in 64 without its ATC (9F36); the PAN in 62 serves the application.
    let payload = CpmPayload {
        applications: vec![CpmApplication { aid: vec![0xA0, 0, 0, 0, 4, 0x10, 0x10], ..Default::default() }],
        common: Some(CpmCommonData {
            data: vec![CpmDataObject::new(0x5A, [0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10])],
            transparent: vec![CpmDataObject::new(0x9F26, [0u8; 8])],
        }),
    };
    let bytes = encode_qr_cpm_bytes(&payload);
    let nodes = parse_qr_cpm(&bytes).unwrap();
    let rules: Vec<_> = validate_qr_cpm(&nodes).into_iter().map(|f| (f.rule, f.location.path)).collect();
    assert_eq!(rules, [("QR.CPM.ATC".into(), Some("62.64".to_owned()))]);
}

#[test]
fn wallet_codes() {
    assert_eq!(classify_wallet_code(&vector("wallet_wechat_doc_example")).unwrap().wallet, Some(Wallet::WeChatPay));
    assert_eq!(classify_wallet_code(&vector("wallet_alipaycn_doc_example")).unwrap().wallet, Some(Wallet::Alipay));
    assert_eq!(classify_wallet_code(&vector("wallet_alipayhk_doc_example")).unwrap().wallet, Some(Wallet::Alipay));
    // WeChat's rule is exactly 18 digits; Alipay's 16-24.
    assert_eq!(classify_wallet_code("1200610988280094061").unwrap().wallet, None);
    assert_eq!(classify_wallet_code("123"), Err(WalletCodeError::BadLength { len: 3 }));
}

// ---- property tests ----

fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Values mixing ASCII, Chinese and accented text (lengths count characters).
fn value(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9 .*@-]{0,20}".prop_map(move |s| s.chars().take(max).collect::<String>()),
        2 => "[最佳运输北京éçãü A-Z]{0,12}",
        1 => any_text(max),
    ]
}

fn primitive_root_id() -> impl Strategy<Value = u8> {
    prop_oneof![0u8..=25, 52u8..=61, 65u8..=79]
}

fn template_root_id() -> impl Strategy<Value = u8> {
    prop_oneof![26u8..=51, Just(62u8), Just(64u8), 80u8..=99]
}

fn mpm_node() -> impl Strategy<Value = MpmNode> {
    prop_oneof![
        (primitive_root_id(), value(40)).prop_map(|(id, v)| MpmNode::value(id, v)),
        (template_root_id(), prop::collection::vec((0u8..=49, value(10)), 0..5)).prop_map(|(id, children)| {
            MpmNode::template(id, children.into_iter().map(|(c, v)| MpmNode::value(c, v)).collect())
        }),
    ]
}

fn cpm_object(tags: &'static [u32]) -> impl Strategy<Value = CpmDataObject> {
    (prop::sample::select(tags), prop::collection::vec(any::<u8>(), 0..40))
        .prop_map(|(tag, value)| CpmDataObject { tag: Tag(tag), value })
}

const DATA_TAGS: &[u32] = &[0x50, 0x57, 0x5A, 0x9F25, 0x5F20, 0x5F2D, 0x9F08, 0x5F34, 0xDF8101];
const TRANSPARENT_TAGS: &[u32] = &[0x9F26, 0x9F27, 0x9F10, 0x9F36, 0x9F37, 0x82];

fn cpm_payload() -> impl Strategy<Value = CpmPayload> {
    let app = (
        prop::collection::vec(any::<u8>(), 5..=16),
        prop::collection::vec(cpm_object(DATA_TAGS), 0..4),
        prop::collection::vec(cpm_object(TRANSPARENT_TAGS), 0..5),
    )
        .prop_map(|(aid, data, transparent)| CpmApplication { aid, data, transparent });
    let common =
        (prop::collection::vec(cpm_object(DATA_TAGS), 0..4), prop::collection::vec(cpm_object(TRANSPARENT_TAGS), 0..5))
            .prop_map(|(data, transparent)| CpmCommonData { data, transparent });
    (prop::collection::vec(app, 0..3), prop::option::of(common))
        .prop_map(|(applications, common)| CpmPayload { applications, common })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_mpm_round_trips_with_its_crc(nodes in prop::collection::vec(mpm_node(), 0..12)) {
        let text = encode_qr_mpm(&nodes).unwrap();
        let qr = decode_qr_mpm(&text).unwrap();
        let crc = qr.crc.unwrap();
        prop_assert!(crc.ok());
        let mut expected = nodes.clone();
        expected.push(MpmNode::value(63, crc_hex(crc.computed)));
        prop_assert_eq!(qr.to_nodes(), expected);
        prop_assert_eq!(encode_qr_mpm_raw(&qr.to_nodes()).unwrap(), text);
    }

    #[test]
    fn any_text_decodes_or_errs_within_bounds(text in any_text(120)) {
        match decode_qr_mpm(&text) {
            Ok(qr) => {
                prop_assert_eq!(encode_qr_mpm_raw(&qr.to_nodes()).unwrap(), text.clone());
                let _ = validate_qr_mpm(&qr);
            }
            Err(e) => prop_assert!(e.offset() <= text.chars().count()),
        }
        if let Err(e) = parse_upi_link(&text) { prop_assert!(e.offset() <= text.chars().count()); }
        if let Err(e) = decode_qr_cpm_base64(&text) { prop_assert!(e.offset() <= text.chars().count()); }
        let _ = classify_wallet_code(&text);
    }

    #[test]
    fn mpm_shaped_text_decodes_or_errs(parts in prop::collection::vec((0u8..100, 0u8..100, value(30)), 0..10)) {
        // Headers that are digits, lengths that often lie: the interesting part of the space.
        let text: String = parts.iter().map(|(id, len, v)| format!("{id:02}{len:02}{v}")).collect();
        match decode_qr_mpm(&text) {
            Ok(qr) => prop_assert_eq!(encode_qr_mpm_raw(&qr.to_nodes()).unwrap(), text),
            Err(e) => prop_assert!(e.offset() <= text.chars().count()),
        }
    }

    #[test]
    fn profile_validators_take_any_values(
        guid in prop::sample::select(&[
            "br.gov.bcb.pix", "SG.PAYNOW", "SG.SGQR", "A000000677010111", "A000000677010112", "A000000524",
            "A000000333010102", "A000000727", "ID.CO.QRIS.WWW", "A0000006150001", "A000000333最",
        ][..]),
        id in 26u8..=51,
        children in prop::collection::vec((1u8..=30, value(12)), 0..5),
        roots in prop::collection::vec((prop::sample::select(&[15u8, 53, 54, 55, 56, 57, 58, 62][..]), value(8)), 0..5),
    ) {
        let mut template = vec![MpmNode::value(0, guid)];
        // VietQR's 01 is a template: give it children so the payload stays decodable.
        template.extend(children.into_iter().map(|(c, v)| {
            if c == 1 && guid == "A000000727" { MpmNode::template(1, vec![MpmNode::value(0, v)]) } else { MpmNode::value(c, v) }
        }));
        let mut nodes = vec![MpmNode::value(0, "01"), MpmNode::template(id, template)];
        nodes.extend(roots.into_iter().map(|(r, v)| if r == 62 { MpmNode::template(62, vec![MpmNode::value(5, v)]) } else { MpmNode::value(r, v) }));
        let text = encode_qr_mpm(&nodes).unwrap();
        let qr = decode_qr_mpm(&text).unwrap();
        prop_assert!(detect_profiles(&qr).len() >= 2 || guid.ends_with('最'));
        let _ = validate_qr_mpm(&qr);
    }

    #[test]
    fn generated_cpm_round_trips(payload in cpm_payload()) {
        let text = encode_qr_cpm(&payload);
        let bytes = decode_qr_cpm_base64(&text).unwrap();
        let nodes = parse_qr_cpm(&bytes).unwrap();
        prop_assert_eq!(CpmPayload::from_nodes(&nodes), Some(payload.clone()));
        prop_assert_eq!(&encode_qr_cpm_bytes(&CpmPayload::from_nodes(&nodes).unwrap()), &bytes);
        let _ = validate_qr_cpm(&nodes);
    }

    #[test]
    fn any_bytes_as_cpm_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(nodes) = parse_qr_cpm(&bytes) {
            let _ = validate_qr_cpm(&nodes);
            if let Some(p) = CpmPayload::from_nodes(&nodes) {
                let again = encode_qr_cpm_bytes(&p);
                let nodes2 = parse_qr_cpm(&again).unwrap();
                prop_assert_eq!(CpmPayload::from_nodes(&nodes2), Some(p));
            }
        }
    }
}

// The nom entry points (issue 13) against the whole-payload decoders they are built into.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cpm_base64_parser_stops_at_the_first_other_character(
        payload in cpm_payload(),
        sep in prop::sample::select(&[' ', '\t', ',', '"', '*', '.', '最'][..]),
        tail in any_text(20),
    ) {
        let text = encode_qr_cpm(&payload);
        let line = format!("{text}{sep}{tail}");
        let (rest, bytes) = parse_qr_cpm_base64(&line).unwrap();
        prop_assert_eq!(bytes, decode_qr_cpm_base64(&text).unwrap());
        prop_assert_eq!(rest, &line[text.len()..]);
        // The whole line is not base64: the whole-text decoder refuses it, within the line.
        let e = decode_qr_cpm_base64(&line).unwrap_err();
        prop_assert!(e.offset() <= line.chars().count());
    }

    #[test]
    fn mpm_objects_one_at_a_time_are_the_payloads_top_level(nodes in prop::collection::vec(mpm_node(), 0..12)) {
        let text = encode_qr_mpm(&nodes).unwrap();
        let qr = decode_qr_mpm(&text).unwrap();
        let mut rest = text.as_str();
        let mut seen = Vec::new();
        while !rest.is_empty() {
            let (next, obj) = parse_qr_mpm_object(rest).unwrap();
            seen.push((obj.id, obj.value));
            rest = next;
        }
        let top: Vec<_> = qr.objects.iter().map(|o| (o.id, o.value)).collect();
        prop_assert_eq!(seen, top);
        // And the whole-payload nom parser is the decoder, leaving nothing.
        prop_assert_eq!(parse_qr_mpm(&text).unwrap(), ("", qr));
    }

    #[test]
    fn mpm_nom_parser_errors_are_the_decoders(text in any_text(120)) {
        match (parse_qr_mpm(&text), decode_qr_mpm(&text)) {
            (Ok((rest, a)), Ok(b)) => prop_assert_eq!((rest, a), ("", b)),
            (Err(nom::Err::Error(a)), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "parse_qr_mpm {:?} but decode_qr_mpm {:?}", a, b),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The whole-text decoder accepts exactly what the nom parser reads to the end.
    #[test]
    fn cpm_base64_decoder_is_the_parser_over_the_whole_text(
        text in prop_oneof!["[A-Za-z0-9+/=]{0,40}", "[A-Za-z0-9+/=*. 最]{0,40}", any_text(40)],
    ) {
        let whole = parse_qr_cpm_base64(&text).ok().filter(|(rest, _)| rest.is_empty()).map(|(_, b)| b);
        prop_assert_eq!(decode_qr_cpm_base64(&text).ok(), whole);
    }
}
