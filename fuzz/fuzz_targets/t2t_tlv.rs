//! `t2t_tlv`: NFC Forum Type 2 Tag TLV blocks.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_t2t_tlv(data));
