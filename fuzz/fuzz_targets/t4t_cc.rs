//! `t4t_cc`: NFC Forum Type 4 Tag capability container file.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_t4t_cc(data));
