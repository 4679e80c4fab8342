//! `tlv`: EMV BER-TLV decode, validator and template views; error offsets inside the input.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_tlv(data));
