//! `flow_emv`: the EMV contactless read + GENERATE AC against a FuzzCard (ATR, every response, unpredictable number and clock from the input).
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::terminal::fuzzing::fuzz_flow_emv(data));
