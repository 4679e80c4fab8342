//! `ndef_structured`: NDEF messages built from a model (chunked too), encoded, then header-aware mutations.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::terminal::fuzzing::fuzz_ndef_structured(data));
