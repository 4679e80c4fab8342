//! Evidence bundles: one file that holds a run's reports, what it was given (suite files as
//! run, DUT profile, waivers), the names and KCVs of its keys, the tapcert version, a SHA-256
//! manifest of all of it and, optionally, an Ed25519 signature over the manifest. A lab
//! archives it; anyone can check later that nothing in it changed (`docs/lab.md`).
//!
//! The container is a plain, documented format rather than tar, so that a verifier is a page
//! of code and a reader needs no tool:
//!
//! ```text
//! tapcert-bundle 1\n
//! file <size in bytes> <path>\n<size bytes of content>\n     (once per file, in order)
//! ```
//!
//! Paths are relative, `/`-separated, without `..`, empty segments or control characters.
//! `MANIFEST.sha256` lists every other file as `sha256sum` prints it (`<hex>  <path>`), except
//! itself and `MANIFEST.sha256.sig` (the 64-byte signature in hex). `SIGNER.pub` (the 32-byte
//! public key in hex) is covered by the manifest.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use ed25519_dalek::ed25519::signature::Signer as _;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::output::{DUT_TOML, JUNIT_XML, REPORT_HTML, REPORT_JSON, SUITES_DIR, TRANSCRIPT_TXT, WAIVERS_TOML};
use super::report::RunReport;

/// The first line of a bundle.
pub const BUNDLE_MAGIC: &str = "tapcert-bundle 1";
/// The manifest.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// The signature over the manifest.
pub const MANIFEST_SIG: &str = "MANIFEST.sha256.sig";
/// The signer's public key.
pub const SIGNER_PUB: &str = "SIGNER.pub";
/// The names and KCVs of the run's keys.
pub const KEYS_JSON: &str = "keys.json";
/// The tapcert version that ran (and bundled) it.
pub const VERSION_TXT: &str = "VERSION";

/// Most files a bundle may hold, and most bytes in all: a verifier's bounds.
const MAX_FILES: usize = 10_000;

/// Why a bundle could not be made or does not verify. Each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Reading the run folder or a key file.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The run folder's report.json.
    #[error("{0}: {1}")]
    Report(String, super::report::ReportError),
    /// A signing key file or a public key that is not 32 bytes of hex.
    #[error("{0}: not 32 bytes of hex")]
    BadKey(String),
    /// Not a bundle, or cut short (the byte offset where it stopped making sense).
    #[error("not a tapcert bundle at byte {offset}: {detail}")]
    Format {
        /// Byte offset in the bundle.
        offset: usize,
        /// What was expected.
        detail: String,
    },
    /// A file whose content does not match the manifest, or is not in it, or is missing.
    #[error("{file}: {detail}")]
    Mismatch {
        /// The file.
        file: String,
        /// How.
        detail: String,
    },
}

/// One file in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Relative path.
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// What a verified bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleCheck {
    /// Files checked against the manifest.
    pub files: usize,
    /// The signer's public key (hex) when the bundle is signed and the signature verified.
    pub signer: Option<String>,
    /// Whether the signer is the `--pubkey` the caller pinned.
    pub pinned: bool,
}

/// A 32-byte key in hex (a signing key file's content or a `--pubkey`); `what` names it in errors.
pub fn parse_key_hex(what: &str, text: &str) -> Result<[u8; 32], BundleError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(compact).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| BundleError::BadKey(what.into()))
}

/// The Ed25519 public key (hex) of a signing key.
pub fn public_key_hex(signing_key: &[u8; 32]) -> String {
    hex::encode_upper(SigningKey::from_bytes(signing_key).verifying_key().to_bytes())
}

/// Collects a run folder into a bundle, signed with `signing_key` when given.
pub fn bundle_run(dir: &Path, signing_key: Option<&[u8; 32]>) -> Result<Vec<u8>, BundleError> {
    let read = |rel: &str| fs::read(dir.join(rel)).map_err(|e| BundleError::Io(dir.join(rel).display().to_string(), e));
    let report_bytes = read(REPORT_JSON)?;
    let report = RunReport::from_json(&String::from_utf8_lossy(&report_bytes))
        .map_err(|e| BundleError::Report(dir.join(REPORT_JSON).display().to_string(), e))?;
    let mut files = vec![BundleFile { path: REPORT_JSON.into(), bytes: report_bytes }];
    for name in [JUNIT_XML, REPORT_HTML, TRANSCRIPT_TXT, DUT_TOML, WAIVERS_TOML] {
        if dir.join(name).is_file() {
            files.push(BundleFile { path: name.into(), bytes: read(name)? });
        }
    }
    if let Ok(entries) = fs::read_dir(dir.join(SUITES_DIR)) {
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(".toml"))
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{SUITES_DIR}/{n}");
            files.push(BundleFile { bytes: read(&rel)?, path: rel });
        }
    }
    let mut keys = serde_json::to_string_pretty(&report.keys).unwrap_or_default();
    keys.push('\n');
    files.push(BundleFile { path: KEYS_JSON.into(), bytes: keys.into_bytes() });
    let version = format!("tapcert {} (ran {})\n", env!("CARGO_PKG_VERSION"), report.tapcert_version);
    files.push(BundleFile { path: VERSION_TXT.into(), bytes: version.into_bytes() });
    if let Some(key) = signing_key {
        files.push(BundleFile { path: SIGNER_PUB.into(), bytes: format!("{}\n", public_key_hex(key)).into_bytes() });
    }
    let manifest: String =
        files.iter().map(|f| format!("{}  {}\n", hex::encode(Sha256::digest(&f.bytes)), f.path)).collect();
    if let Some(key) = signing_key {
        let sig = SigningKey::from_bytes(key).sign(manifest.as_bytes());
        files.push(BundleFile {
            path: MANIFEST_SIG.into(),
            bytes: format!("{}\n", hex::encode_upper(sig.to_bytes())).into_bytes(),
        });
    }
    files.push(BundleFile { path: MANIFEST.into(), bytes: manifest.into_bytes() });
    Ok(encode_bundle(&files))
}

/// The container bytes of `files`.
pub fn encode_bundle(files: &[BundleFile]) -> Vec<u8> {
    let mut out = format!("{BUNDLE_MAGIC}\n").into_bytes();
    for f in files {
        out.extend_from_slice(format!("file {} {}\n", f.bytes.len(), f.path).as_bytes());
        out.extend_from_slice(&f.bytes);
        out.push(b'\n');
    }
    out
}

fn path_ok(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && p.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && !p.chars().any(char::is_control)
}

/// Reads the container (no hash is checked here).
pub fn decode_bundle(bytes: &[u8]) -> Result<Vec<BundleFile>, BundleError> {
    let bad = |offset: usize, detail: &str| BundleError::Format { offset, detail: detail.into() };
    let line_at = |at: usize| -> Result<(&[u8], usize), BundleError> {
        let end = bytes[at..].iter().position(|b| *b == b'\n').ok_or_else(|| bad(at, "a line ending in \\n"))?;
        Ok((&bytes[at..at + end], at + end + 1))
    };
    let (magic, mut at) = line_at(0)?;
    if magic != BUNDLE_MAGIC.as_bytes() {
        return Err(bad(0, BUNDLE_MAGIC));
    }
    let mut files: Vec<BundleFile> = Vec::new();
    while at < bytes.len() {
        if files.len() >= MAX_FILES {
            return Err(bad(at, "at most 10000 files"));
        }
        let (header, body) = line_at(at)?;
        let header = std::str::from_utf8(header).map_err(|_| bad(at, "a UTF-8 header `file <size> <path>`"))?;
        let mut parts = header.splitn(3, ' ');
        let (Some("file"), Some(size), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(at, "a header `file <size> <path>`"));
        };
        let size: usize = size.parse().map_err(|_| bad(at, "a decimal size"))?;
        if !path_ok(path) {
            return Err(bad(at, "a relative path without `..`"));
        }
        if files.iter().any(|f| f.path == path) {
            return Err(BundleError::Mismatch { file: path.into(), detail: "is in the bundle twice".into() });
        }
        let end = body.checked_add(size).filter(|e| *e < bytes.len()).ok_or_else(|| bad(body, "the declared size"))?;
        if bytes[end] != b'\n' {
            return Err(bad(end, "\\n after the file's content"));
        }
        files.push(BundleFile { path: path.into(), bytes: bytes[body..end].to_vec() });
        at = end + 1;
    }
    Ok(files)
}

/// Checks every file against the manifest and, when the bundle is signed, the signature;
/// `pubkey` pins the signer (a signed bundle is then required). The error names the first
/// file that does not match.
pub fn verify_bundle(bytes: &[u8], pubkey: Option<&[u8; 32]>) -> Result<BundleCheck, BundleError> {
    let files = decode_bundle(bytes)?;
    let mismatch = |file: &str, detail: String| BundleError::Mismatch { file: file.into(), detail };
    let by_path: BTreeMap<&str, &[u8]> = files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
    let manifest = by_path.get(MANIFEST).ok_or_else(|| mismatch(MANIFEST, "missing".into()))?;
    let manifest_text = std::str::from_utf8(manifest).map_err(|_| mismatch(MANIFEST, "not UTF-8".into()))?;
    let mut listed: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, line) in manifest_text.lines().enumerate() {
        let Some((hash, path)) = line.split_once("  ") else {
            return Err(mismatch(MANIFEST, format!("line {}: not `<sha256>  <path>`", i + 1)));
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || listed.insert(path, hash).is_some() {
            return Err(mismatch(MANIFEST, format!("line {}: a bad or repeated entry", i + 1)));
        }
    }
    let hash_check = |f: &BundleFile, listed: &BTreeMap<&str, &str>| -> Result<(), BundleError> {
        let have = hex::encode(Sha256::digest(&f.bytes));
        match listed.get(f.path.as_str()) {
            Some(want) if want.eq_ignore_ascii_case(&have) => Ok(()),
            Some(want) => Err(mismatch(&f.path, format!("sha256 {have}, {MANIFEST} says {want}"))),
            None => Err(mismatch(&f.path, format!("not listed in {MANIFEST}"))),
        }
    };
    let mut signer = None;
    let mut pinned = false;
    match (by_path.get(MANIFEST_SIG), pubkey) {
        (None, Some(_)) => return Err(mismatch(MANIFEST_SIG, "missing: the bundle is not signed".into())),
        (None, None) => {}
        (Some(sig), _) => {
            let embedded = by_path.get(SIGNER_PUB).map(|k| parse_key_hex(SIGNER_PUB, &String::from_utf8_lossy(k)));
            let key = match (pubkey, embedded) {
                (Some(k), _) => {
                    pinned = true;
                    *k
                }
                (None, Some(k)) => {
                    // The key in the bundle is only trusted as far as the manifest lists it.
                    if let Some(f) = files.iter().find(|f| f.path == SIGNER_PUB) {
                        hash_check(f, &listed)?;
                    }
                    k?
                }
                (None, None) => return Err(mismatch(SIGNER_PUB, "missing: give the signer with --pubkey".into())),
            };
            let sig: [u8; 64] = hex::decode(String::from_utf8_lossy(sig).trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| mismatch(MANIFEST_SIG, "not a 64-byte signature in hex".into()))?;
            let vk =
                VerifyingKey::from_bytes(&key).map_err(|_| BundleError::BadKey("the signer's public key".into()))?;
            vk.verify_strict(manifest, &Signature::from_bytes(&sig)).map_err(|_| {
                mismatch(
                    MANIFEST_SIG,
                    format!("the signature over {MANIFEST} does not verify under {}", hex::encode_upper(key)),
                )
            })?;
            signer = Some(hex::encode_upper(key));
        }
    }
    for f in &files {
        if f.path == MANIFEST || f.path == MANIFEST_SIG {
            continue;
        }
        hash_check(f, &listed)?;
        listed.remove(f.path.as_str());
    }
    if let Some(path) = listed.keys().next() {
        return Err(mismatch(path, format!("listed in {MANIFEST} but not in the bundle")));
    }
    Ok(BundleCheck { files: files.len().saturating_sub(1 + usize::from(signer.is_some())), signer, pinned })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_round_trips_and_rejects_what_is_off() {
        let files = vec![
            BundleFile { path: "a.txt".into(), bytes: b"one\n".to_vec() },
            BundleFile { path: "suites/b.toml".into(), bytes: Vec::new() },
        ];
        let bytes = encode_bundle(&files);
        assert_eq!(decode_bundle(&bytes).unwrap(), files);
        for cut in 0..bytes.len() {
            // A cut bundle is an error, or (cut between two files) the files before the cut.
            if let Ok(got) = decode_bundle(&bytes[..cut]) {
                assert!(files.starts_with(&got) && got.len() < files.len(), "cut at {cut}");
            }
        }
        let evil = encode_bundle(&[BundleFile { path: "../x".into(), bytes: vec![] }]);
        assert!(matches!(decode_bundle(&evil), Err(BundleError::Format { .. })));
        assert!(decode_bundle(b"tapcert-bundle 1\nfile 99999999999999999999999 a\n").is_err());
        assert!(decode_bundle(b"tapcert-bundle 1\nfile 18446744073709551615 a\n").is_err());
        assert!(matches!(verify_bundle(&bytes, None), Err(BundleError::Mismatch { file, .. }) if file == MANIFEST));
    }
}
