//! apdu (in progress).
