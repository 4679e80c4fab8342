//! `tlv_roundtrip`: EMV BER-TLV decode, re-encode as parsed (byte for byte), owned model round trip.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_tlv_roundtrip(data));
