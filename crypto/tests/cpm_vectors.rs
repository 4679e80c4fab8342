//! EMVCo CPM QR payloads: the public structure vectors rebuilt byte for byte, and generated
//! tokens decoded with the parsers' TLV walker.
use serde_json::Value;
use tapcert_crypto::*;
use tapcert_parsers::qr::{CpmApplication, CpmCommonData, CpmDataObject, CpmPayload, encode_qr_cpm};
use tapcert_parsers::tlv::{Tag, decode_emv_tlv};

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../vectors/crypto/cpm.json")).expect("cpm.json parses")
}
fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

// The payload model and encoder are `tapcert_parsers::qr`'s; these tests pin that the token
// generator's encoding path reproduces the public payloads byte for byte.
fn obj(tag: u32, value: impl Into<Vec<u8>>) -> CpmDataObject {
    CpmDataObject::new(tag, value)
}

#[test]
fn emvco_example_rebuilds_exactly() {
    let v = vectors();
    let c = &v["emvco_example"];
    let payload = CpmPayload {
        applications: vec![
            CpmApplication { aid: h("A0000000555555"), data: vec![obj(0x50, "Product1")], transparent: vec![] },
            CpmApplication { aid: h("A0000000666666"), data: vec![obj(0x50, "Product2")], transparent: vec![] },
        ],
        common: Some(CpmCommonData {
            data: vec![
                obj(0x5A, pan_to_5a("1234567890123458").unwrap()),
                obj(0x5F20, "CARDHOLDER/EMV"),
                obj(0x5F2D, "ruesdeen"),
            ],
            transparent: vec![
                obj(0x9F10, h("06010A03000000")),
                obj(0x9F26, h("584FD385FA234BCC")),
                obj(0x9F36, h("0001")),
                obj(0x9F37, h("6D58EF13")),
            ],
        }),
    };
    assert_eq!(encode_qr_cpm(&payload), c["qr"].as_str().unwrap());
}

#[test]
fn unionpay_flavoured_example_rebuilds_exactly() {
    let v = vectors();
    let c = &v["unionpay_example"];
    let payload = CpmPayload {
        applications: vec![CpmApplication {
            aid: h("A000000333010102"),
            data: vec![obj(0x57, h("6263600100713672D23122010000018801")), obj(0x5F34, h("00"))],
            transparent: vec![
                obj(0x9F26, h("568AD7BCE66B718B")),
                obj(0x9F27, h("80")),
                obj(0x9F10, h("07000103A0000001083030303030303031")),
                obj(0x9F36, h("1122")),
                obj(0x82, h("0000")),
                obj(0x9F37, h("2260488E")),
            ],
        }],
        common: None,
    };
    assert_eq!(encode_qr_cpm(&payload), c["qr"].as_str().unwrap());
}

#[test]
fn generated_token_carries_a_verifiable_cryptogram() {
    use base64::Engine as _;
    // SELF: CVN 10 card under the EMV test IMK (K10 derivation), transaction data from §5b.
    let imk = Tdes::new(&h("0123456789ABCDEFFEDCBA9876543210")).unwrap();
    let icc_mk = Cvn::Visa10.derive_icc_mk(&imk, "1234567890123456", 0).unwrap();
    let card = CpmCard {
        aid: h("A0000000031010"),
        label: "VISA CREDIT".into(),
        pan: "1234567890123456".into(),
        cardholder_name: Some("CARDHOLDER/EMV".into()),
        language_preference: None,
        icc_mk,
        cvn: Cvn::Visa10,
        iad: h("06010A03A06010"),
    };
    let data = AcData::from_bytes(&h("0000000040000000000000000124800004800001241911050152BF45851800001C")).unwrap();
    let token = generate_cpm_token(&card, &data).unwrap();
    // same cryptogram as the CVN 10 vector of crypto-vectors.md §5b
    assert_eq!(hex::encode_upper(token.cryptogram), "29CCA15AE665FA2E");
    let bytes = base64::engine::general_purpose::STANDARD.decode(&token.qr).unwrap();
    let nodes = decode_emv_tlv(&bytes).unwrap();
    assert_eq!(nodes[0].tlv.value, b"CPV01");
    assert_eq!(nodes[1].tlv.tag, Tag(0x61));
    let common = &nodes[2];
    assert_eq!(common.tlv.tag, Tag(0x62));
    let t64 = common.find(Tag(0x64)).expect("64 template");
    assert_eq!(t64.find(Tag(0x9F26)).unwrap().tlv.value, token.cryptogram);
    assert_eq!(t64.find(Tag(0x9F36)).unwrap().tlv.value, [0x00, 0x1C]);
    assert_eq!(t64.find(Tag(0x9F37)).unwrap().tlv.value, [0x52, 0xBF, 0x45, 0x85]);
    assert_eq!(common.find(Tag(0x5A)).unwrap().tlv.value, h("1234567890123456"));
    assert_eq!(pan_to_5a("123456789012345").unwrap(), h("123456789012345F"));
}
