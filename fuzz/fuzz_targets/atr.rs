//! `atr`: ISO/IEC 7816-3 ATRs and PC/SC contactless pseudo-ATRs.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_atr(data));
