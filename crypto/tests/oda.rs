//! EMV offline data authentication over vectors (vectors/crypto/oda/, see SOURCES.md):
//! a full SELF chain built by an independent Python implementation, a published issuer
//! certificate from emv-tools, one typed error per broken check, and property tests.

use proptest::prelude::*;
use serde_json::Value;
use tapcert_crypto::oda::{
    self, CertExpiry, EmvDate, FddaTerminalData, IccCertificateFields, IssuerCertificateFields, OdaError, RsaPublicKey,
    SignedObject, test_keys,
};
use tapcert_parsers::tlv::parse_emv_afl;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/crypto/oda/");
const TODAY: EmvDate = EmvDate { year: 2026, month: 11, day: 22 };

fn load(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{VECTORS}{name}")).unwrap()).unwrap()
}

fn hx(v: &Value, path: &str) -> Vec<u8> {
    let mut cur = v;
    for p in path.split('.') {
        cur = &cur[p];
    }
    hex::decode(cur.as_str().unwrap_or_else(|| panic!("{path} missing"))).unwrap()
}

/// The SELF chain vector and everything recovered from it.
struct Chain {
    v: Value,
    ca: RsaPublicKey,
    pan: Vec<u8>,
    static_data: Vec<u8>,
}

impl Chain {
    fn load() -> Chain {
        let v = load("self_chain.json");
        let afl = parse_emv_afl(&hx(&v, "afl")).unwrap();
        let record = hx(&v, "record_sfi2_1");
        let static_data = oda::static_data_to_authenticate(
            &afl,
            |sfi, rec| ((sfi, rec) == (2, 1)).then_some(&record[..]),
            Some(&hx(&v, "sda_tag_list")),
            Some(&hx(&v, "aip")),
        )
        .unwrap();
        assert_eq!(static_data, hx(&v, "static_data"));
        Chain { ca: test_keys::TEST_ONLY_CA.public_key(), pan: hx(&v, "pan"), static_data, v }
    }

    fn issuer(&self, today: EmvDate) -> Result<oda::IssuerPublicKeyCertificate, OdaError> {
        self.issuer_with(
            &hx(&self.v, "issuer_certificate"),
            &hx(&self.v, "issuer_remainder"),
            &hx(&self.v, "issuer_exponent"),
            &self.pan,
            today,
        )
    }

    fn issuer_with(
        &self,
        cert: &[u8],
        rem: &[u8],
        exp: &[u8],
        pan: &[u8],
        today: EmvDate,
    ) -> Result<oda::IssuerPublicKeyCertificate, OdaError> {
        oda::recover_issuer_public_key(&self.ca, cert, rem, exp, pan, today)
    }

    fn icc_with(&self, cert: &[u8], static_data: &[u8], pan: &[u8], today: EmvDate) -> Result<RsaPublicKey, OdaError> {
        let issuer = self.issuer(TODAY).unwrap().public_key;
        oda::recover_icc_public_key(
            &issuer,
            cert,
            &hx(&self.v, "icc_remainder"),
            &hx(&self.v, "icc_exponent"),
            static_data,
            pan,
            today,
        )
        .map(|c| c.public_key)
    }

    fn icc(&self) -> RsaPublicKey {
        self.icc_with(&hx(&self.v, "icc_certificate"), &self.static_data, &self.pan, TODAY).unwrap()
    }
}

#[test]
fn self_chain_verifies_ca_issuer_icc_and_every_signature() {
    let c = Chain::load();
    let issuer = c.issuer(TODAY).unwrap();
    assert_eq!(issuer.public_key, test_keys::TEST_ONLY_ISSUER.public_key());
    assert_eq!(issuer.issuer_identifier, [0x54, 0x13, 0x33, 0xFF]);
    assert_eq!(issuer.expiry, CertExpiry { year: 2030, month: 12 });
    assert_eq!(issuer.serial, [0, 0, 1]);
    // The 1152-bit issuer key does not fit a 1408-bit certificate: 4 bytes go to the remainder.
    assert_eq!(hx(&c.v, "issuer_remainder").len(), 4);

    let icc_cert = oda::recover_icc_public_key(
        &issuer.public_key,
        &hx(&c.v, "icc_certificate"),
        &hx(&c.v, "icc_remainder"),
        &hx(&c.v, "icc_exponent"),
        &c.static_data,
        &c.pan,
        TODAY,
    )
    .unwrap();
    assert_eq!(icc_cert.public_key, test_keys::TEST_ONLY_ICC.public_key());
    assert_eq!(icc_cert.public_key.exponent(), [1, 0, 1]);
    assert_eq!(&icc_cert.pan[..8], &c.pan[..]);
    assert_eq!(icc_cert.pan[8..], [0xFF, 0xFF]);
    assert_eq!(hx(&c.v, "icc_remainder").len(), 26);

    let sda = oda::verify_signed_static_data(&issuer.public_key, &hx(&c.v, "ssad"), &c.static_data).unwrap();
    assert_eq!(sda.data_authentication_code.to_vec(), hx(&c.v, "dac"));

    let icc = icc_cert.public_key;
    let dda = oda::verify_signed_dynamic_data(&icc, &hx(&c.v, "dda.sdad"), &hx(&c.v, "dda.ddol_data")).unwrap();
    assert_eq!(dda.icc_dynamic_number, hx(&c.v, "dda.icc_dynamic_number"));

    let cad = hx(&c.v, "fdda.card_auth_data");
    let fdda = oda::verify_fdda(&icc, &hx(&c.v, "fdda.sdad"), &fdda_terminal(&c.v, &cad)).unwrap();
    assert_eq!(fdda.icc_dynamic_number, hx(&c.v, "fdda.icc_dynamic_number"));

    let tdh = oda::cda_transaction_data_hash(&[&hx(&c.v, "cda.cdol1_data"), &hx(&c.v, "cda.response_tlvs")]);
    assert_eq!(tdh.to_vec(), hx(&c.v, "cda.transaction_data_hash"));
    let cda = oda::verify_cda(&icc, &hx(&c.v, "cda.sdad"), &hx(&c.v, "cda.un"), 0x80, &tdh).unwrap();
    assert_eq!(cda.application_cryptogram.to_vec(), hx(&c.v, "cda.ac"));
    assert_eq!(cda.cid, 0x80);
    assert_eq!(cda.icc_dynamic_number, hx(&c.v, "cda.icc_dynamic_number"));
}

fn fdda_terminal<'a>(v: &Value, cad: &'a [u8]) -> FddaTerminalData<'a> {
    FddaTerminalData {
        unpredictable_number: hx(v, "fdda.un").try_into().unwrap(),
        amount_authorised: hx(v, "fdda.amount").try_into().unwrap(),
        currency_code: hx(v, "fdda.currency").try_into().unwrap(),
        card_authentication_data: Some(cad),
    }
}

/// The Rust signer and the independent Python builder produce the same bytes (RSA signing is
/// deterministic), so each side checks the other.
#[test]
fn rust_signer_reproduces_the_independent_python_chain() {
    let c = Chain::load();
    let ca = test_keys::TEST_ONLY_CA.private_key();
    let issuer = test_keys::TEST_ONLY_ISSUER.private_key();
    let icc = test_keys::TEST_ONLY_ICC.private_key();
    let ic = oda::issue_issuer_certificate(
        &ca,
        &IssuerCertificateFields {
            issuer_identifier: [0x54, 0x13, 0x33, 0xFF],
            expiry: CertExpiry { year: 2030, month: 12 },
            serial: [0, 0, 1],
        },
        issuer.public_key(),
    )
    .unwrap();
    assert_eq!(ic.certificate, hx(&c.v, "issuer_certificate"));
    assert_eq!(ic.remainder, hx(&c.v, "issuer_remainder"));
    assert_eq!(ic.exponent, hx(&c.v, "issuer_exponent"));
    let cc = oda::issue_icc_certificate(
        &issuer,
        &IccCertificateFields { pan: &c.pan, expiry: CertExpiry { year: 2029, month: 12 }, serial: [0, 0, 2] },
        icc.public_key(),
        &c.static_data,
    )
    .unwrap();
    assert_eq!(cc.certificate, hx(&c.v, "icc_certificate"));
    assert_eq!(cc.remainder, hx(&c.v, "icc_remainder"));
    assert_eq!(oda::sign_static_data(&issuer, [0xDA, 0xC1], &c.static_data).unwrap(), hx(&c.v, "ssad"));

    let idn = hx(&c.v, "dda.icc_dynamic_number");
    let dd = oda::dda_icc_dynamic_data(&idn).unwrap();
    assert_eq!(oda::sign_dynamic_data(&icc, &dd, &hx(&c.v, "dda.ddol_data")).unwrap(), hx(&c.v, "dda.sdad"));

    let cad = hx(&c.v, "fdda.card_auth_data");
    let fdd = oda::dda_icc_dynamic_data(&hx(&c.v, "fdda.icc_dynamic_number")).unwrap();
    let input = fdda_terminal(&c.v, &cad).hash_input().unwrap();
    assert_eq!(oda::sign_dynamic_data(&icc, &fdd, &input).unwrap(), hx(&c.v, "fdda.sdad"));

    let tdh: [u8; 20] = hx(&c.v, "cda.transaction_data_hash").try_into().unwrap();
    let ac: [u8; 8] = hx(&c.v, "cda.ac").try_into().unwrap();
    let cdd = oda::cda_icc_dynamic_data(&idn, 0x80, &ac, &tdh).unwrap();
    assert_eq!(oda::sign_dynamic_data(&icc, &cdd, &hx(&c.v, "cda.un")).unwrap(), hx(&c.v, "cda.sdad"));
}

/// A real issuer certificate under the Mastercard CA key 05 (a published, since expired,
/// production public key), as emv-tools/proxmark3 test it.
#[test]
fn published_mastercard_issuer_certificate_recovers() {
    let v = load("emv_tools_mchip05_issuer_cert.json");
    let ca = RsaPublicKey::new(&hx(&v, "ca_modulus"), &hx(&v, "ca_exponent")).unwrap();
    let checksum = oda::sha1_concat(&[&hx(&v, "ca_rid"), &hx(&v, "ca_index"), ca.modulus(), ca.exponent()]);
    assert_eq!(checksum.to_vec(), hx(&v, "ca_checksum"));
    // Only the issuer identifier digits are needed for this check; no PAN is stored.
    let bin = [0x52, 0x85, 0x88, 0xFF];
    let when = EmvDate { year: 2014, month: 9, day: 25 };
    let (cert, rem, exp) = (hx(&v, "issuer_certificate"), hx(&v, "issuer_remainder"), hx(&v, "issuer_exponent"));
    let got = oda::recover_issuer_public_key(&ca, &cert, &rem, &exp, &bin, when).unwrap();
    assert_eq!(got.issuer_identifier.to_vec(), hx(&v, "issuer_identifier"));
    assert_eq!(got.expiry.to_mmyy().to_vec(), hx(&v, "issuer_expiry"));
    assert_eq!(got.serial.to_vec(), hx(&v, "issuer_serial"));
    assert_eq!(got.public_key.modulus_len(), 176);
    assert_eq!(&got.public_key.modulus()[140..], &rem[..]);
    assert_eq!(
        oda::recover_issuer_public_key(&ca, &cert, &rem, &exp, &bin, TODAY),
        Err(OdaError::Expired {
            object: SignedObject::IssuerCertificate,
            expiry: CertExpiry { year: 2021, month: 12 },
            today: TODAY
        })
    );
}

// ---- one typed error per broken check -------------------------------------------------------

#[test]
fn every_single_byte_corruption_of_a_certificate_is_rejected_at_recovery() {
    let c = Chain::load();
    let cert = hx(&c.v, "issuer_certificate");
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    for i in 0..cert.len() {
        let mut bad = cert.clone();
        bad[i] ^= 0x01;
        let err = c.issuer_with(&bad, &rem, &exp, &c.pan, TODAY).unwrap_err();
        assert!(
            matches!(
                err,
                OdaError::BadHeader { object: SignedObject::IssuerCertificate, .. }
                    | OdaError::BadTrailer { object: SignedObject::IssuerCertificate, .. }
                    | OdaError::SignatureOutOfRange { object: SignedObject::IssuerCertificate }
            ),
            "byte {i}: {err:?}"
        );
    }
    // Same for the ICC certificate and the SDAD.
    let icc_cert = hx(&c.v, "icc_certificate");
    for i in [0, 1, 50, icc_cert.len() - 1] {
        let mut bad = icc_cert.clone();
        bad[i] ^= 0x80;
        let err = c.icc_with(&bad, &c.static_data, &c.pan, TODAY).unwrap_err();
        assert!(
            matches!(
                err,
                OdaError::BadHeader { object: SignedObject::IccCertificate, .. }
                    | OdaError::BadTrailer { object: SignedObject::IccCertificate, .. }
                    | OdaError::SignatureOutOfRange { object: SignedObject::IccCertificate }
            ),
            "byte {i}: {err:?}"
        );
    }
}

#[test]
fn wrong_lengths_are_typed_errors() {
    let c = Chain::load();
    let cert = hx(&c.v, "issuer_certificate");
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    let obj = SignedObject::IssuerCertificate;
    assert_eq!(
        c.issuer_with(&cert[1..], &rem, &exp, &c.pan, TODAY),
        Err(OdaError::SignatureLength { object: obj, expected: 176, got: 175 })
    );
    assert_eq!(
        c.issuer_with(&cert, &rem[..3], &exp, &c.pan, TODAY),
        Err(OdaError::PublicKeyLength { object: obj, stated: 144, in_certificate: 140, remainder: 3 })
    );
    assert_eq!(
        c.issuer_with(&cert, &[], &exp, &c.pan, TODAY),
        Err(OdaError::PublicKeyLength { object: obj, stated: 144, in_certificate: 140, remainder: 0 })
    );
    assert_eq!(
        c.issuer_with(&cert, &rem, &[1, 0, 1], &c.pan, TODAY),
        Err(OdaError::ExponentLength { object: obj, stated: 1, got: 3 })
    );
}

#[test]
fn wrong_exponent_remainder_or_static_data_is_a_hash_mismatch() {
    let c = Chain::load();
    let cert = hx(&c.v, "issuer_certificate");
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    let hash_err = |r: Result<_, OdaError>, object| match r {
        Err(OdaError::HashMismatch { object: o, stated, computed }) => {
            assert_eq!(o, object);
            assert_ne!(stated, computed);
        }
        other => panic!("expected a hash mismatch on {object:?}, got {other:?}"),
    };
    hash_err(c.issuer_with(&cert, &rem, &[0x05], &c.pan, TODAY).map(|_| ()), SignedObject::IssuerCertificate);
    let mut bad_rem = rem.clone();
    bad_rem[0] ^= 1;
    hash_err(c.issuer_with(&cert, &bad_rem, &exp, &c.pan, TODAY).map(|_| ()), SignedObject::IssuerCertificate);
    // One changed byte of the static data breaks the ICC certificate and the SSAD.
    let mut sd = c.static_data.clone();
    sd[3] ^= 0x10;
    hash_err(c.icc_with(&hx(&c.v, "icc_certificate"), &sd, &c.pan, TODAY).map(|_| ()), SignedObject::IccCertificate);
    let issuer = c.issuer(TODAY).unwrap().public_key;
    hash_err(
        oda::verify_signed_static_data(&issuer, &hx(&c.v, "ssad"), &sd).map(|_| ()),
        SignedObject::SignedStaticData,
    );
    // DDOL data, fDDA amount, CDA UN.
    let icc = c.icc();
    hash_err(
        oda::verify_signed_dynamic_data(&icc, &hx(&c.v, "dda.sdad"), &[0x11, 0x22, 0x33, 0x45]).map(|_| ()),
        SignedObject::SignedDynamicData,
    );
    let cad = hx(&c.v, "fdda.card_auth_data");
    let mut t = fdda_terminal(&c.v, &cad);
    t.amount_authorised[5] ^= 1;
    hash_err(oda::verify_fdda(&icc, &hx(&c.v, "fdda.sdad"), &t).map(|_| ()), SignedObject::SignedDynamicData);
    let tdh: [u8; 20] = hx(&c.v, "cda.transaction_data_hash").try_into().unwrap();
    hash_err(
        oda::verify_cda(&icc, &hx(&c.v, "cda.sdad"), &[0x12, 0x34, 0x56, 0x79], 0x80, &tdh).map(|_| ()),
        SignedObject::SignedDynamicData,
    );
}

#[test]
fn pan_mismatches_and_expiry_with_injected_today() {
    let c = Chain::load();
    let cert = hx(&c.v, "issuer_certificate");
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    let other_bin = hex::decode("4761739001010119").unwrap();
    assert_eq!(
        c.issuer_with(&cert, &rem, &exp, &other_bin, TODAY),
        Err(OdaError::IssuerIdentifierMismatch { identifier: [0x54, 0x13, 0x33, 0xFF] })
    );
    assert_eq!(c.issuer_with(&cert, &rem, &exp, &[0x54, 0x1A], TODAY), Err(OdaError::BadPan { offset: 1 }));
    let same_bin_other_pan = hex::decode("5413330089600011").unwrap();
    assert!(c.issuer_with(&cert, &rem, &exp, &same_bin_other_pan, TODAY).is_ok());
    // The ICC certificate's hash covers the static data (which holds the PAN); with the right
    // static data but another 5A, the PAN check is what fails.
    assert_eq!(
        c.icc_with(&hx(&c.v, "icc_certificate"), &c.static_data, &same_bin_other_pan, TODAY),
        Err(OdaError::PanMismatch)
    );

    // Issuer certificate valid through 12/2030, ICC certificate through 12/2029.
    let last_day = EmvDate { year: 2030, month: 12, day: 31 };
    assert!(c.issuer_with(&cert, &rem, &exp, &c.pan, last_day).is_ok());
    let after = EmvDate { year: 2031, month: 1, day: 1 };
    assert_eq!(
        c.issuer_with(&cert, &rem, &exp, &c.pan, after),
        Err(OdaError::Expired {
            object: SignedObject::IssuerCertificate,
            expiry: CertExpiry { year: 2030, month: 12 },
            today: after
        })
    );
    let in_2030 = EmvDate { year: 2030, month: 1, day: 1 };
    assert_eq!(
        c.icc_with(&hx(&c.v, "icc_certificate"), &c.static_data, &c.pan, in_2030),
        Err(OdaError::Expired {
            object: SignedObject::IccCertificate,
            expiry: CertExpiry { year: 2029, month: 12 },
            today: in_2030
        })
    );
}

/// Re-signs the issuer certificate body with one field changed, so that header, trailer and
/// hash are right and only the changed field is wrong.
fn resigned_issuer_cert(c: &Chain, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let ca = test_keys::TEST_ONLY_CA.private_key();
    let obj = SignedObject::IssuerCertificate;
    let rec = oda::recover_iso9796_message(ca.public_key(), &hx(&c.v, "issuer_certificate"), obj).unwrap();
    let mut body = rec.body().to_vec();
    edit(&mut body);
    oda::sign_iso9796_message(&ca, &body, &[&hx(&c.v, "issuer_remainder"), &hx(&c.v, "issuer_exponent")], obj).unwrap()
}

#[test]
fn wrong_format_hash_algorithm_key_algorithm_identifier_and_date_fields() {
    let c = Chain::load();
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    let obj = SignedObject::IssuerCertificate;
    let check = |edit: &dyn Fn(&mut Vec<u8>), want: OdaError| {
        let cert = resigned_issuer_cert(&c, |b| edit(b));
        assert_eq!(c.issuer_with(&cert, &rem, &exp, &c.pan, TODAY).unwrap_err(), want);
    };
    check(&|b| b[0] = 0x04, OdaError::BadFormat { object: obj, expected: 0x02, found: 0x04 });
    check(&|b| b[10] = 0x02, OdaError::UnsupportedHashAlgorithm { object: obj, found: 0x02 });
    check(&|b| b[11] = 0x02, OdaError::UnsupportedPublicKeyAlgorithm { object: obj, found: 0x02 });
    check(&|b| b[5] = 0x13, OdaError::BadExpiry { object: obj, found: [0x13, 0x30] });
    check(
        &|b| b[1..5].copy_from_slice(&[0x54, 0xF3, 0x33, 0xFF]),
        OdaError::BadIssuerIdentifier { identifier: [0x54, 0xF3, 0x33, 0xFF] },
    );
    check(
        &|b| b[1..5].copy_from_slice(&[0x54, 0xFF, 0xFF, 0xFF]),
        OdaError::BadIssuerIdentifier { identifier: [0x54, 0xFF, 0xFF, 0xFF] },
    );
    // Declared key length larger than the certificate and remainder can hold.
    check(&|b| b[12] = 150, OdaError::PublicKeyLength { object: obj, stated: 150, in_certificate: 140, remainder: 4 });
}

#[test]
fn wrong_header_and_trailer() {
    let ca = test_keys::TEST_ONLY_CA.private_key();
    let c = Chain::load();
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    let obj = SignedObject::IssuerCertificate;
    let x = oda::recover_iso9796_message(ca.public_key(), &hx(&c.v, "issuer_certificate"), obj).unwrap();
    let mut bad = x.as_bytes().to_vec();
    bad[0] = 0x4A;
    let s = ca.private_operation(&bad, obj).unwrap();
    assert_eq!(c.issuer_with(&s, &rem, &exp, &c.pan, TODAY), Err(OdaError::BadHeader { object: obj, found: 0x4A }));
    let mut bad = x.as_bytes().to_vec();
    let last = bad.len() - 1;
    bad[last] = 0xCC;
    let s = ca.private_operation(&bad, obj).unwrap();
    assert_eq!(c.issuer_with(&s, &rem, &exp, &c.pan, TODAY), Err(OdaError::BadTrailer { object: obj, found: 0xCC }));
}

#[test]
fn cda_cid_and_transaction_hash_and_dynamic_data_errors() {
    let c = Chain::load();
    let icc = c.icc();
    let icc_priv = test_keys::TEST_ONLY_ICC.private_key();
    let sdad = hx(&c.v, "cda.sdad");
    let un = hx(&c.v, "cda.un");
    let tdh: [u8; 20] = hx(&c.v, "cda.transaction_data_hash").try_into().unwrap();
    assert_eq!(
        oda::verify_cda(&icc, &sdad, &un, 0x40, &tdh),
        Err(OdaError::CidMismatch { in_signature: 0x80, in_response: 0x40 })
    );
    let mut other = tdh;
    other[19] ^= 1;
    assert_eq!(
        oda::verify_cda(&icc, &sdad, &un, 0x80, &other),
        Err(OdaError::TransactionDataHashMismatch { stated: tdh, computed: other })
    );
    // A DDA signature is not a CDA signature: no CID/AC/hash in its ICC dynamic data.
    let dda = hx(&c.v, "dda.sdad");
    assert!(matches!(
        oda::verify_cda(&icc, &dda, &hx(&c.v, "dda.ddol_data"), 0x80, &tdh),
        Err(OdaError::BadDynamicData { offset: 9, .. })
    ));
    // L_DD beyond the recovered data.
    let obj = SignedObject::SignedDynamicData;
    let mut body = vec![0x05, 0x01, 0xFF];
    body.resize(icc.modulus_len() - oda::OVERHEAD, 0xBB);
    let s = oda::sign_iso9796_message(&icc_priv, &body, &[b"UN00"], obj).unwrap();
    assert_eq!(
        oda::verify_signed_dynamic_data(&icc, &s, b"UN00"),
        Err(OdaError::DynamicDataLength { stated: 255, available: icc.modulus_len() - oda::OVERHEAD - 3 })
    );
    // Format 03 where 05 is expected; hash algorithm 02.
    body[0] = 0x03;
    let s = oda::sign_iso9796_message(&icc_priv, &body, &[], obj).unwrap();
    assert_eq!(
        oda::verify_signed_dynamic_data(&icc, &s, &[]),
        Err(OdaError::BadFormat { object: obj, expected: 0x05, found: 0x03 })
    );
    body[0] = 0x05;
    body[1] = 0x02;
    let s = oda::sign_iso9796_message(&icc_priv, &body, &[], obj).unwrap();
    assert_eq!(
        oda::verify_signed_dynamic_data(&icc, &s, &[]),
        Err(OdaError::UnsupportedHashAlgorithm { object: obj, found: 0x02 })
    );
    // Dynamic data too long for the key.
    assert!(matches!(
        oda::sign_dynamic_data(&icc_priv, &[0; 120], &[]),
        Err(OdaError::DoesNotFit { object: SignedObject::SignedDynamicData, .. })
    ));
}

#[test]
fn issuing_refuses_what_cannot_be_certified() {
    let issuer = test_keys::TEST_ONLY_ISSUER.private_key();
    let ca_pub = test_keys::TEST_ONLY_CA.public_key();
    // A 1408-bit key cannot be certified under a 1152-bit key.
    let fields = IssuerCertificateFields {
        issuer_identifier: [0x54, 0x13, 0x33, 0xFF],
        expiry: CertExpiry { year: 2030, month: 12 },
        serial: [0, 0, 1],
    };
    assert!(matches!(oda::issue_issuer_certificate(&issuer, &fields, &ca_pub), Err(OdaError::DoesNotFit { .. })));
    let bad_id = IssuerCertificateFields { issuer_identifier: [0x54, 0xFF, 0xFF, 0xFF], ..fields };
    let ca = test_keys::TEST_ONLY_CA.private_key();
    assert!(matches!(oda::issue_issuer_certificate(&ca, &bad_id, issuer.public_key()), Err(OdaError::BadField { .. })));
}

// ---- property tests --------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// ISO 9796-2 sign then recover gives MSG1 back and the hash check passes over MSG2 only.
    #[test]
    fn iso9796_sign_recover_round_trip(seed in any::<u8>(), msg2 in proptest::collection::vec(any::<u8>(), 0..64)) {
        let key = test_keys::TEST_ONLY_ICC.private_key();
        let n = key.public_key().modulus_len();
        let msg1: Vec<u8> = (0..n - oda::OVERHEAD).map(|i| (i as u8).wrapping_mul(seed | 1)).collect();
        let obj = SignedObject::SignedDynamicData;
        let s = oda::sign_iso9796_message(&key, &msg1, &[&msg2], obj).unwrap();
        let rec = oda::recover_iso9796_message(key.public_key(), &s, obj).unwrap();
        prop_assert_eq!(rec.body(), &msg1[..]);
        prop_assert!(rec.verify_hash(&[&msg2]).is_ok());
        let mut other = msg2.clone();
        other.push(0);
        prop_assert!(rec.verify_hash(&[&other]).is_err(), "hash check accepted changed MSG2");
    }

    /// DDA and CDA: sign + verify round trip over random dynamic numbers and terminal data;
    /// any single-bit change of the terminal data is rejected.
    #[test]
    fn dynamic_signature_round_trip(
        idn in proptest::collection::vec(any::<u8>(), 2..=8),
        terminal in proptest::collection::vec(any::<u8>(), 0..40),
        cid in any::<u8>(),
        ac in any::<[u8; 8]>(),
        tdh in any::<[u8; 20]>(),
        bit in any::<usize>(),
    ) {
        let key = test_keys::TEST_ONLY_ICC.private_key();
        let pk = key.public_key();
        let dd = oda::dda_icc_dynamic_data(&idn).unwrap();
        let s = oda::sign_dynamic_data(&key, &dd, &terminal).unwrap();
        let got = oda::verify_signed_dynamic_data(pk, &s, &terminal).unwrap();
        prop_assert_eq!(&got.icc_dynamic_number, &idn);
        prop_assert_eq!(got.icc_dynamic_data, dd);
        if !terminal.is_empty() {
            let mut t = terminal.clone();
            let b = bit % (t.len() * 8);
            t[b / 8] ^= 1 << (b % 8);
            let err = oda::verify_signed_dynamic_data(pk, &s, &t).unwrap_err();
            let is_hash_mismatch = matches!(err, OdaError::HashMismatch { .. });
            prop_assert!(is_hash_mismatch);
        }
        let cdd = oda::cda_icc_dynamic_data(&idn, cid, &ac, &tdh).unwrap();
        let s = oda::sign_dynamic_data(&key, &cdd, &terminal).unwrap();
        let got = oda::verify_cda(pk, &s, &terminal, cid, &tdh).unwrap();
        prop_assert_eq!(got.application_cryptogram, ac);
        prop_assert_eq!(got.icc_dynamic_number, idn);
    }

    /// Arbitrary bytes as certificates, remainders, exponents, PANs and signatures: never a
    /// panic, and each answer is the one the input calls for (random bytes are never a valid
    /// signature; a wrong length is said as such; a key is accepted exactly when Book 2 Annex
    /// B2.1 allows it; a record that is not one `70` template fails ODA).
    #[test]
    fn arbitrary_input_is_rejected_for_what_it_is(
        cert in proptest::collection::vec(any::<u8>(), 0..200),
        rem in proptest::collection::vec(any::<u8>(), 0..40),
        // the allowed exponents often (with leading zeros too), so that the key rules are reached
        exp in prop_oneof![
            Just(vec![3]),
            Just(vec![1, 0, 1]),
            Just(vec![0, 3]),
            proptest::collection::vec(any::<u8>(), 0..4)
        ],
        pan in proptest::collection::vec(any::<u8>(), 0..12),
        modulus in proptest::collection::vec(any::<u8>(), 0..260),
    ) {
        let ca = test_keys::TEST_ONLY_CA.public_key();
        let n = ca.modulus_len();
        let mut full = cert.clone();
        full.resize(n, 0x11);
        full[0] &= 0x7F;
        let short = oda::recover_issuer_public_key(&ca, &cert, &rem, &exp, &pan, TODAY);
        if cert.len() != n {
            // the PAN is read first (Book 2 §6.3 needs it for step 8): a bad one is said instead
            let is_length_error = matches!(
                short,
                Err(OdaError::SignatureLength { expected, got, .. }) if expected == n && got == cert.len()
            ) || matches!(short, Err(OdaError::BadPan { .. }));
            prop_assert!(is_length_error, "{short:?}");
        }
        prop_assert!(oda::recover_issuer_public_key(&ca, &full, &rem, &exp, &pan, TODAY).is_err());
        prop_assert!(oda::recover_icc_public_key(&ca, &full, &rem, &exp, &cert, &pan, TODAY).is_err());
        prop_assert!(oda::verify_signed_static_data(&ca, &full, &rem).is_err());
        prop_assert!(oda::verify_signed_dynamic_data(&ca, &full, &rem).is_err());
        prop_assert!(oda::verify_cda(&ca, &full, &rem, 0x80, &[0; 20]).is_err());
        let exponent: Vec<u8> = exp.iter().copied().skip_while(|b| *b == 0).collect();
        let key_allowed = (64..=248).contains(&modulus.len())
            && modulus[0] != 0
            && modulus[modulus.len() - 1] & 1 == 1
            && matches!(exponent[..], [3] | [1, 0, 1]);
        prop_assert_eq!(RsaPublicKey::new(&modulus, &exp).is_ok(), key_allowed);
        let afl = parse_emv_afl(&[0x08, 1, 1, 1, 0x58, 1, 1, 1]).unwrap();
        let sda = oda::static_data_to_authenticate(&afl, |_, _| Some(&cert[..]), Some(&rem), Some(&exp));
        if cert.first() != Some(&0x70) {
            prop_assert_eq!(sda, Err(OdaError::RecordNotTemplate70 { sfi: 1, record: 1 }));
        }
    }
}

/// Certificate bodies with random fields, signed with the CA key so that each gets past the
/// header, trailer and signature: each is judged by the first wrong field, in the order of Book
/// 2 §6.3 steps 4-10 (format, hash algorithm, key and exponent lengths, hash, key algorithm,
/// key), and a body with every field right recovers the key bytes it carries.
#[test]
fn signed_random_certificate_bodies_are_judged_field_by_field() {
    let c = Chain::load();
    let ca = test_keys::TEST_ONLY_CA.private_key();
    let obj = SignedObject::IssuerCertificate;
    let valid = oda::recover_iso9796_message(ca.public_key(), &hx(&c.v, "issuer_certificate"), obj).unwrap();
    let valid = valid.body().to_vec();
    let (rem, exp) = (hx(&c.v, "issuer_remainder"), hx(&c.v, "issuer_exponent"));
    let mut other_rem = rem.clone();
    other_rem[0] ^= 1;
    let in_cert = valid.len() - 14;
    let mut seed = 0x0DA0_5EED_u64;
    let mut next = move || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (seed ^ (seed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for _ in 0..96 {
        let mut body = valid.clone();
        for b in &mut body[14..] {
            *b = next() as u8;
        }
        // each header field (and the leading key byte) is made wrong with probability 1/6
        for at in [0, 10, 11, 12, 13, 14] {
            if next() % 6 == 0 {
                body[at] = if at == 14 { 0 } else { next() as u8 };
            }
        }
        let signed_rem = if next() % 6 == 0 { &other_rem } else { &rem };
        let cert = oda::sign_iso9796_message(&ca, &body, &[signed_rem, &exp], obj).unwrap();
        let got = oda::recover_issuer_public_key(ca.public_key(), &cert, &rem, &exp, &c.pan, TODAY);
        let key_len = usize::from(body[12]);
        let (kind, ok) = if body[0] != 0x02 {
            ("format", got == Err(OdaError::BadFormat { object: obj, expected: 0x02, found: body[0] }))
        } else if body[10] != 0x01 {
            ("hash algorithm", got == Err(OdaError::UnsupportedHashAlgorithm { object: obj, found: body[10] }))
        } else if key_len.saturating_sub(in_cert) != rem.len() {
            let want =
                OdaError::PublicKeyLength { object: obj, stated: key_len, in_certificate: in_cert, remainder: 4 };
            ("key length", got == Err(want))
        } else if usize::from(body[13]) != exp.len() {
            ("exponent length", got == Err(OdaError::ExponentLength { object: obj, stated: body[13].into(), got: 1 }))
        } else if signed_rem != &rem {
            ("hash", matches!(got, Err(OdaError::HashMismatch { object: SignedObject::IssuerCertificate, .. })))
        } else if body[11] != 0x01 {
            ("key algorithm", got == Err(OdaError::UnsupportedPublicKeyAlgorithm { object: obj, found: body[11] }))
        } else if body[14] == 0 {
            ("modulus", got == Err(OdaError::ModulusMalformed { len: key_len }))
        } else {
            let modulus = [&body[14..14 + in_cert.min(key_len)], &rem[..]].concat();
            let ok = got.as_ref().is_ok_and(|k| {
                k.public_key.modulus() == modulus
                    && k.issuer_identifier[..] == body[1..5]
                    && k.serial[..] == body[7..10]
            });
            ("recovered", ok)
        };
        assert!(ok, "{kind}: body {} gave {got:?}", hex::encode_upper(&body));
        *seen.entry(kind).or_default() += 1;
    }
    // every check was reached, and so was success
    assert_eq!(seen.len(), 8, "{seen:?}");
}

#[test]
fn published_test_ca_keys_have_valid_checksums() {
    for k in test_keys::PUBLISHED_TEST_CA_KEYS {
        assert!(k.checksum_is_valid(), "{:02X?} {:02X}", k.rid, k.index);
        assert!(k.public_key().is_ok());
    }
    assert!(test_keys::published_test_ca_key([0xA0, 0, 0, 0, 3], 0x92).is_some());
    assert!(test_keys::published_test_ca_key([0xA0, 0, 0, 0, 4], 0xFA).is_some());
}
