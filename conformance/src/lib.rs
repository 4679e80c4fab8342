//! # tapcert-conformance
//!
//! Transports, the reference virtual band, conformance suites, the runner and reports.
//! (In progress.)

pub mod flow;
