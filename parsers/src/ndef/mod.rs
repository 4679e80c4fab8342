//! ndef (in progress).
