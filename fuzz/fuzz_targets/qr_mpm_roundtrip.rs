//! `qr_mpm_roundtrip`: EMVCo MPM decode, encode, decode again: equal, CRC included.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_qr_mpm_roundtrip(data));
