//! `crypto_untrusted`: every tapcert-crypto function that takes untrusted bytes or text (IADs, AC data, PAN/expiry fields, ODA recovery).
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_crypto::fuzzing::fuzz_untrusted_input(data));
