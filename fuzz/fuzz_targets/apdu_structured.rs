//! `apdu_structured`: command APDUs of every case built from a model, encoded, then length-aware mutations.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::terminal::fuzzing::fuzz_apdu_structured(data));
