//! `ndef`: NDEF messages: parse, chunk reassembly, validator, well-known types.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_ndef(data));
