//! `qr_mpm`: EMVCo merchant-presented QR: parse, CRC, validators and profiles.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_qr_mpm(data));
