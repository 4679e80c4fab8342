//! The reference virtual band (in progress).
