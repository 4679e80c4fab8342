//! `tlv_roundtrip`: EMV BER-TLV decode, re-encode as parsed (byte for byte), owned model round trip.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_tlv_roundtrip(data));
