//! Arbitrary bytes through every untrusted-input entry point: Ok or Err, never a panic.
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..160)) {
        tapcert_crypto::fuzzing::fuzz_untrusted_input(&data);
    }

    #[test]
    fn digit_strings_never_panic(s in "[0-9A-Fa-f=^ ]{0,40}", psn: u8) {
        let mut data = vec![psn];
        data.extend_from_slice(s.as_bytes());
        tapcert_crypto::fuzzing::fuzz_untrusted_input(&data);
    }
}

fn iad_strategy() -> impl Strategy<Value = tapcert_crypto::AnyVisaIad> {
    use tapcert_crypto::{AnyVisaIad, VisaIad, VisaIadFormat2};
    let f013 = (any::<u8>(), any::<u8>(), any::<[u8; 4]>(), prop::collection::vec(any::<u8>(), 0..=24))
        .prop_map(|(dki, cvn, cvr, idd)| AnyVisaIad::Format013(VisaIad { dki, cvn, cvr, issuer_discretionary: idd }));
    let f2 = (0x20u8..=0x2F, any::<u8>(), any::<[u8; 5]>(), any::<u8>(), any::<[u8; 23]>()).prop_map(
        |(cvn, dki, cvr, idd_option_id, idd)| AnyVisaIad::Format2(VisaIadFormat2 { cvn, dki, cvr, idd_option_id, idd }),
    );
    prop_oneof![f013, f2]
}

proptest! {
    /// Model -> bytes -> model is the identity for both Visa IAD layouts, and the bytes
    /// re-encode unchanged.
    #[test]
    fn visa_iad_round_trip(iad in iad_strategy()) {
        let bytes = iad.to_bytes();
        let back = tapcert_crypto::AnyVisaIad::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &iad);
        prop_assert_eq!(back.to_bytes(), bytes);
    }
}

proptest! {
    /// CCD Format Code A: model -> bytes -> model is the identity.
    #[test]
    fn ccd_iad_round_trip(
        cv in 0u8..16, dki: u8, cvr: [u8; 5], counters: [u8; 8], idd: [u8; 15],
    ) {
        let iad = tapcert_crypto::CcdIad { cci: 0xA0 | cv, dki, cvr, counters, idd };
        let bytes = iad.to_bytes();
        prop_assert_eq!(bytes.len(), 32);
        prop_assert_eq!(tapcert_crypto::CcdIad::parse(&bytes).unwrap(), iad);
    }
}
