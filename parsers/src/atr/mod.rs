//! atr (in progress).
