//! `apdu_structured`: command APDUs of every case built from a model, encoded, then length-aware mutations.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::flow::fuzzing::fuzz_apdu_structured(data));
