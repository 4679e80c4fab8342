//! `tlv_structured`: valid BER-TLV trees built from the input, encoded, mutated TLV-aware; the decoder must find the model and re-encode byte for byte.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::terminal::fuzzing::fuzz_tlv_structured(data));
