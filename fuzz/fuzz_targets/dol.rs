//! `dol`: DOL parse, encode, build and split data.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_dol(data));
