//! `ndef_structured`: NDEF messages built from a model (chunked too), encoded, then header-aware mutations.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::flow::fuzzing::fuzz_ndef_structured(data));
