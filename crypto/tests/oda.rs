//! Offline data authentication: the published Visa test CA keys (checksums), and a SELF
//! certificate chain (CA → issuer → ICC, SSAD, SDAD) generated in the test with a fixed-seed
//! RSA key generator, then verified by the crate and mutated to check every rejection.
use num_bigint::BigUint;
use proptest::prelude::*;
use serde_json::Value;
use sha1::{Digest, Sha1};
use tapcert_crypto::*;

fn ca_keys() -> Vec<CaPublicKey> {
    let v: Value = serde_json::from_str(include_str!("../../vectors/crypto/ca_test_keys.json")).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let h = |f: &str| hex::decode(k[f].as_str().unwrap()).unwrap();
            CaPublicKey {
                rid: h("rid").try_into().unwrap(),
                index: h("index")[0],
                key: RsaPublicKey::new(&h("modulus"), &h("exponent")).unwrap(),
            }
        })
        .collect()
}

#[test]
fn published_visa_test_ca_keys_match_their_checksums() {
    let v: Value = serde_json::from_str(include_str!("../../vectors/crypto/ca_test_keys.json")).unwrap();
    let keys = ca_keys();
    assert_eq!(keys.len(), 3);
    for (k, raw) in keys.iter().zip(v["keys"].as_array().unwrap()) {
        assert_eq!(hex::encode_upper(k.checksum()), raw["checksum"].as_str().unwrap(), "index {:02X}", k.index);
    }
    assert_eq!(keys.iter().map(|k| k.key.len() * 8).collect::<Vec<_>>(), [1152, 1408, 1984]);
}

/// SplitMix64 with a fixed seed: reproducible SELF keys.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn biguint(&mut self, bytes: usize) -> BigUint {
        BigUint::from_bytes_be(&(0..bytes).map(|_| self.next() as u8).collect::<Vec<_>>())
    }
}

fn is_probable_prime(n: &BigUint, rng: &mut Rng) -> bool {
    for p in [3u32, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97] {
        if (n % p) == BigUint::ZERO {
            return false;
        }
    }
    let one = BigUint::from(1u8);
    let n1 = n - &one;
    let s = n1.trailing_zeros().unwrap_or(0);
    let d = &n1 >> s;
    'bases: for _ in 0..12 {
        let a = rng.biguint(n.to_bytes_be().len()) % (&n1 - &one) + 2u8;
        let mut x = a.modpow(&d, n);
        if x == one || x == n1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&BigUint::from(2u8), n);
            if x == n1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// An RSA key with e = 3 (EMV allows 3 and 65537): (n, d), n of exactly `bytes` bytes.
fn gen_key(bytes: usize, rng: &mut Rng) -> (BigUint, BigUint) {
    let three = BigUint::from(3u8);
    let gen_prime = |rng: &mut Rng| loop {
        let mut c = rng.biguint(bytes / 2);
        c |= BigUint::from(3u8) << (bytes * 4 - 2); // top two bits: n has exactly `bytes` bytes
        c |= BigUint::from(1u8);
        if (&c - 1u8) % &three != BigUint::ZERO && is_probable_prime(&c, rng) {
            return c;
        }
    };
    let (p, q) = (gen_prime(rng), gen_prime(rng));
    let phi = (&p - 1u8) * (&q - 1u8);
    let d = three.modinv(&phi).expect("e invertible");
    (p * q, d)
}

fn sign(n: &BigUint, d: &BigUint, m: &[u8]) -> Vec<u8> {
    let s = BigUint::from_bytes_be(m).modpow(d, n).to_bytes_be();
    let len = n.to_bytes_be().len();
    [vec![0u8; len - s.len()], s].concat()
}

/// Frames `body` (format byte first) as 6A ‖ body ‖ BB.. ‖ SHA-1(body ‖ BB.. ‖ extra) ‖ BC.
fn frame(n_len: usize, body: &[u8], extra: &[&[u8]]) -> Vec<u8> {
    let mut fields = body.to_vec();
    fields.resize(n_len - 22, 0xBB);
    let mut h = Sha1::new();
    h.update(&fields);
    for e in extra {
        h.update(e);
    }
    [&[0x6A][..], &fields, &h.finalize(), &[0xBC]].concat()
}

struct Chain {
    ca: RsaPublicKey,
    issuer_cert: Vec<u8>,
    issuer_rem: Vec<u8>,
    icc_cert: Vec<u8>,
    icc_rem: Vec<u8>,
    ssad: Vec<u8>,
    sdad: Vec<u8>,
    issuer_modulus: Vec<u8>,
    icc_modulus: Vec<u8>,
}

const PAN: &str = "4761739001010010";
const STATIC: &[u8] = b"SELF static data: AFL records 5F24 5A 9F07 ... and AIP 1980";
const UN: [u8; 4] = [0x12, 0x34, 0x56, 0x78];
const ICC_DYN: [u8; 9] = [0x08, 1, 2, 3, 4, 5, 6, 7, 8];

fn chain() -> Chain {
    let mut rng = Rng(0x0DA_5E1F);
    let (ca_n, ca_d) = gen_key(128, &mut rng); // 1024-bit SELF CA
    let (is_n, is_d) = gen_key(112, &mut rng); // 896-bit issuer: needs a 20-byte remainder
    let (ic_n, ic_d) = gen_key(96, &mut rng); // 768-bit ICC: needs a 26-byte remainder
    let (is_mod, ic_mod) = (is_n.to_bytes_be(), ic_n.to_bytes_be());
    let e = [0x03u8];
    // issuer certificate, Book 2 Table 13
    let leftmost_i = 128 - 36;
    let body =
        [&[0x02, 0x47, 0x61, 0x73, 0xFF, 0x12, 0x30, 0x00, 0x00, 0x01, 0x01, 0x01, 112, 1][..], &is_mod[..leftmost_i]]
            .concat();
    let issuer_rem = is_mod[leftmost_i..].to_vec();
    let issuer_cert = sign(&ca_n, &ca_d, &frame(128, &body, &[&issuer_rem, &e]));
    // ICC certificate, Table 14
    let leftmost_c = 112 - 42;
    let mut pan10 = hex::decode(format!("{PAN:F<20}")).unwrap();
    pan10.truncate(10);
    let body =
        [&[0x04][..], &pan10, &[0x12, 0x30, 0x00, 0x00, 0x02, 0x01, 0x01, 96, 1], &ic_mod[..leftmost_c]].concat();
    let icc_rem = ic_mod[leftmost_c..].to_vec();
    let icc_cert = sign(&is_n, &is_d, &frame(112, &body, &[&icc_rem, &e, STATIC]));
    // SSAD, Table 7: 03, hash alg, DAC
    let ssad = sign(&is_n, &is_d, &frame(112, &[0x03, 0x01, 0xDA, 0xC1], &[STATIC]));
    // SDAD, Table 17: 05, hash alg, Ldd, ICC dynamic data
    let sdad_body = [&[0x05, 0x01, ICC_DYN.len() as u8][..], &ICC_DYN].concat();
    let sdad = sign(&ic_n, &ic_d, &frame(96, &sdad_body, &[&UN]));
    Chain {
        ca: RsaPublicKey::new(&ca_n.to_bytes_be(), &e).unwrap(),
        issuer_cert,
        issuer_rem,
        icc_cert,
        icc_rem,
        ssad,
        sdad,
        issuer_modulus: is_mod,
        icc_modulus: ic_mod,
    }
}

#[test]
fn self_chain_verifies_and_every_tamper_is_caught() {
    let c = chain();
    let e = [0x03u8];
    let issuer = recover_issuer_public_key(&c.ca, &c.issuer_cert, &c.issuer_rem, &e, PAN).unwrap();
    assert_eq!(issuer.key.modulus(), c.issuer_modulus);
    assert_eq!(issuer.issuer_identifier, [0x47, 0x61, 0x73, 0xFF]);
    assert_eq!(issuer.expiry_mmyy, [0x12, 0x30]);
    let icc = recover_icc_public_key(&issuer.key, &c.icc_cert, &c.icc_rem, &e, STATIC, PAN).unwrap();
    assert_eq!(icc.key.modulus(), c.icc_modulus);
    assert_eq!(verify_ssad(&issuer.key, &c.ssad, STATIC).unwrap(), [0xDA, 0xC1]);
    assert_eq!(verify_sdad(&icc.key, &c.sdad, &UN).unwrap(), ICC_DYN);

    // tampering
    let mut bad_static = STATIC.to_vec();
    bad_static[3] ^= 1;
    assert_eq!(recover_icc_public_key(&issuer.key, &c.icc_cert, &c.icc_rem, &e, &bad_static, PAN), Err(OdaError::Hash));
    assert_eq!(verify_ssad(&issuer.key, &c.ssad, &bad_static), Err(OdaError::Hash));
    assert_eq!(verify_sdad(&icc.key, &c.sdad, &[0x12, 0x34, 0x56, 0x79]), Err(OdaError::Hash));
    let mut rem = c.issuer_rem.clone();
    rem[0] ^= 0x80;
    assert_eq!(recover_issuer_public_key(&c.ca, &c.issuer_cert, &rem, &e, PAN), Err(OdaError::Hash));
    assert!(matches!(
        recover_issuer_public_key(&c.ca, &c.issuer_cert, &c.issuer_rem[1..], &e, PAN),
        Err(OdaError::Hash | OdaError::Remainder { .. })
    ));
    assert_eq!(
        recover_issuer_public_key(&c.ca, &c.issuer_cert, &c.issuer_rem, &e, "5413330089600010"),
        Err(OdaError::Pan)
    );
    assert_eq!(
        recover_icc_public_key(&issuer.key, &c.icc_cert, &c.icc_rem, &e, STATIC, "4761739001010011"),
        Err(OdaError::Pan)
    );
    // a signature of the wrong object is caught by its format byte, a flipped bit by the framing
    assert_eq!(verify_ssad(&issuer.key, &c.icc_cert, STATIC), Err(OdaError::Format { expected: 0x03, found: 0x04 }));
    let mut flipped = c.issuer_cert.clone();
    flipped[60] ^= 0x01;
    assert!(recover_issuer_public_key(&c.ca, &flipped, &c.issuer_rem, &e, PAN).is_err());
    assert_eq!(
        recover_issuer_public_key(&c.ca, &c.issuer_cert[1..], &c.issuer_rem, &e, PAN),
        Err(OdaError::SignatureLength { expected: 128, got: 127 })
    );
    let too_big = vec![0xFF; 128];
    assert_eq!(c.ca.recover(&too_big), Err(OdaError::SignatureTooLarge));
    assert_eq!(
        recover_issuer_public_key(&c.ca, &c.issuer_cert, &c.issuer_rem, &[0x01, 0x00, 0x01], PAN),
        Err(OdaError::Hash)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Arbitrary bytes as a certificate or signature never panic.
    #[test]
    fn arbitrary_certificates_are_errors_not_panics(sig in prop::collection::vec(any::<u8>(), 0..200), rem in prop::collection::vec(any::<u8>(), 0..40)) {
        let ca = &ca_keys()[0].key;
        let _ = recover_issuer_public_key(ca, &sig, &rem, &[3], "4761739001010010");
        let _ = recover_icc_public_key(ca, &sig, &rem, &[3], b"", "4761739001010010");
        let _ = verify_ssad(ca, &sig, &rem);
        let _ = verify_sdad(ca, &sig, &rem);
    }

    /// Full-length random signatures reach the RSA recovery and are rejected by the framing.
    #[test]
    fn random_full_length_signatures_are_rejected(sig in prop::collection::vec(any::<u8>(), 144..=144)) {
        let ca = &ca_keys()[0].key;
        prop_assert!(recover_issuer_public_key(ca, &sig, &[], &[3], "4761739001010010").is_err());
        prop_assert!(verify_sdad(ca, &sig, &[]).is_err());
    }
}
