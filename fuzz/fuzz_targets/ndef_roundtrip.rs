//! `ndef_roundtrip`: NDEF decode, encode, decode again: equal.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_ndef_roundtrip(data));
