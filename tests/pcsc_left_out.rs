//! Built only without the `pcsc` feature, so that a run without it says that the PC/SC tests
//! (`sim_pcscd.rs`, `sim_image_pcscd.rs`, `terminal_pcscd.rs`) were left out: a SKIP line, or
//! a failure when `CI` is set.
#![cfg(not(feature = "pcsc"))]

#[path = "support/external.rs"]
mod external;

#[test]
fn pcsc_tests_left_out() {
    external::skip_or_fail(
        "tests/sim_pcscd.rs, tests/sim_image_pcscd.rs and tests/terminal_pcscd.rs left out: the `pcsc` feature is off (cargo test --all-features)",
    );
}
