//! `rapdu`: response APDUs: data and status word.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_rapdu(data));
