//! `capdu`: command APDUs (ISO/IEC 7816-4 §5.1, every case): parse, and what parses re-encodes.
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| tapcert_parsers::fuzzing::fuzz_capdu(data));
