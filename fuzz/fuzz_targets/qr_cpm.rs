//! `qr_cpm`: EMVCo consumer-presented QR (base64 BER-TLV).
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_qr_cpm(data));
