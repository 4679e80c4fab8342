//! `tapcert`: fuzz and certify contactless (NFC) and QR payment implementations.
fn main() {}
