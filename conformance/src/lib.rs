//! # tapcert-conformance
//!
//! How tapcert reaches devices and what it runs against them:
//!
//! - [`transport`]: the [`transport::Transport`] trait (exchanges, card presence, typed
//!   errors) and its links (in-process, replay, fuzz card, PC/SC with feature `pcsc`), the T=0
//!   layer, the recorder, and the card side of the vsmartcard vpcd driver;
//! - [`image`]: card images (TOML data files, a base plus named differences) served as a
//!   [`card::Card`] that records what the terminal sent;
//! - [`card`]: the [`card::Card`] trait that in-process and vpcd serve, and
//!   [`card::TransportCard`], which serves any transport as a card (relay, replay to a reader);
//! - [`clock`]: the injected clock and unpredictable numbers;
//! - [`transcript`]: recorded sessions, as JSON and as pcsc-tools `scriptor` text;
//! - [`sim`]: the reference virtual band (PPSE, EMV contactless, transit e-purse, NDEF tag,
//!   UID) and its firmware profiles, faulty ones included;
//! - [`mask`]: masking of PANs and track data before anything is logged;
//! - [`terminal`]: the terminal engine: the procedures (EMV contactless transaction with ODA and
//!   cryptogram verification, e-purse read and purchase, Type 4 Tag NDEF read, UID) that every
//!   suite, fuzzer and test uses, returning observations and findings.
#![warn(missing_docs)]

pub mod card;
pub mod certify;
pub mod clock;
pub mod fuzz_device;
pub mod image;
pub mod mask;
pub mod sim;
pub mod terminal;
pub mod transcript;
pub mod transport;

/// Largest run file read back (reports, transcripts, keys, DUT profiles, waivers): far above
/// any real one, and a bound on what an odd path can make tapcert allocate.
pub const MAX_RUN_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a text file of at most `limit` bytes (suites, card images): one byte more is refused
/// without reading the rest, so a wrong path (a disk image, `/dev/zero`) costs `limit` at most.
pub fn read_text_capped(path: &std::path::Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?.take(limit.saturating_add(1)).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::other(format!("longer than {limit} bytes")));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_over_the_cap_is_refused_and_at_the_cap_read() {
        let dir = std::env::temp_dir().join(format!("tapcert-capped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.txt");
        std::fs::write(&path, "x".repeat(10)).unwrap();
        assert_eq!(super::read_text_capped(&path, 10).unwrap().len(), 10);
        let e = super::read_text_capped(&path, 9).unwrap_err();
        assert_eq!(e.to_string(), "longer than 9 bytes");
        // Endless input stops at the cap plus one byte.
        assert!(super::read_text_capped(std::path::Path::new("/dev/zero"), 1 << 20).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
