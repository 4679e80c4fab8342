//! Built only without the `pcsc` feature, so that a run without it says that the PC/SC test
//! (`sim_pcscd.rs`, `sim_image_pcscd.rs`) was left out: a SKIP line, or a failure when `CI` is set.
#![cfg(not(feature = "pcsc"))]

#[path = "support/external.rs"]
mod external;

#[test]
fn pcsc_tests_left_out() {
    external::skip_or_fail(
        "tests/sim_pcscd.rs and tests/sim_image_pcscd.rs left out: the `pcsc` feature is off (cargo test --all-features)",
    );
}
