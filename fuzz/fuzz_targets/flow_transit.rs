//! `flow_transit`: the T-Union transit read (SELECT, GET BALANCE, READ BINARY SFI 15, READ RECORD SFI 18) against a FuzzCard.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_conformance::terminal::fuzzing::fuzz_flow_transit(data));
