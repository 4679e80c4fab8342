//! `qr_cpm`: EMVCo consumer-presented QR (base64 BER-TLV).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_qr_cpm(data));
