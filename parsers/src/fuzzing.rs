//! Entry points for the fuzz targets and the stable corpus replay. Not a stable API.
//!
//! Each function runs one target's whole check on arbitrary bytes and panics only when an
//! invariant of the parsers is broken (a round trip that does not hold, an error offset past
//! the input). Parse errors are expected and ignored.
