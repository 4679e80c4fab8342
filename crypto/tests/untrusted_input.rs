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
