//! `t4t_cc`: NFC Forum Type 4 Tag capability container file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_t4t_cc(data));
