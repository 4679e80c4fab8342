//! Built only without the `pcsc` feature, so that a run without it says that the PC/SC tests
//! (`pcscd.rs`) were left out: a SKIP line, or a failure when `CI` is set (CI runs them all).
#![cfg(not(feature = "pcsc"))]

#[path = "../../tests/support/external.rs"]
mod external;

#[test]
fn pcsc_tests_left_out() {
    external::skip_or_fail("tests/pcscd.rs left out: the `pcsc` feature is off (cargo test --all-features)");
}
