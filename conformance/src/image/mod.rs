//! Card images: data files that describe what a card answers, so that a terminal (the
//! reference one in [`crate::terminal`], or any PC/SC terminal software through vpcd) can be
//! tested against cards that do exactly what a test case needs, hostile ones included.
//!
//! A [`CardImage`] holds the ATR, the PPSE FCI (or none), and per application the SELECT FCI,
//! the GET PROCESSING OPTIONS response, the records by (SFI, record number), the GENERATE AC
//! answer (cryptogram computed with `tapcert_crypto` under a named test key over the
//! terminal's CDOL1 data, or fixed), GET DATA objects, and behaviours (answer delays, mute,
//! `61xx` chaining, `6Cxx`, fixed status words). Every response is either TLV objects (the
//! parsers' [`TlvOwned`]) or raw bytes, so a hostile image can say anything.
//!
//! Images are TOML files (format in `docs/card-images.md`). An image may `extends` a base
//! (a bundled name or a path) and list `[[diff]]` entries, the way EMVCo bulletins define test
//! cards as a base card plus differences; the loaded image keeps its base name and the diffs
//! applied ([`CardImage::diffs`]). A diff naming a path the base lacks is an error that names
//! the path.
//!
//! [`ImageCard`] serves an image as a [`crate::card::Card`] (in-process or through vpcd) and
//! records every command and answer as a [`crate::transcript::Transcript`].
//!
//! ```
//! use std::time::Duration;
//! use std::sync::Arc;
//! use tapcert_conformance::clock::{ManualClock, SeededRng};
//! use tapcert_conformance::image::{bundled_image, ImageCard};
//! use tapcert_conformance::terminal::{read_emv, TerminalConfig};
//! use tapcert_conformance::transport::{InProcess, T0};
//!
//! let clock = Arc::new(ManualClock::new(Duration::from_secs(1_795_314_742), Duration::ZERO));
//! let image = bundled_image("base").unwrap();
//! let card = ImageCard::new(image, clock.clone());
//! let log = card.log();
//! let mut t = T0::new(InProcess::with_clock(card, clock.clone()));
//! let tx = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(1), clock.as_ref());
//! assert!(tx.result.cryptogram_check.unwrap().is_verified());
//! assert_eq!(log.transcript().exchanges().count(), 6); // PPSE, SELECT, GPO, 2 records, GENERATE AC
//! ```

mod card;
mod diff;
mod file;
pub mod hostile;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tapcert_parsers::tlv::TlvOwned;

pub use card::{ImageCard, ImageLog, MAX_LOGGED_EVENTS, SAVE_EVERY_EVENT_UP_TO, SAVE_INTERVAL};
pub use diff::{Diff, DiffOp};

/// A card image: everything a simulated card answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardImage {
    /// Short name (file stem for bundled images).
    pub name: String,
    /// What the image is for.
    pub description: String,
    /// The ATR returned at power-on.
    pub atr: Vec<u8>,
    /// The answer to SELECT `2PAY.SYS.DDF01`; `None`: `6A82` (no PPSE, the terminal must
    /// fall back to its AID list).
    pub ppse: Option<Response>,
    /// The applications, in the order the card holds them.
    pub applications: Vec<Application>,
    /// Behaviours applied on top of the answers, in order.
    pub behaviours: Vec<Behaviour>,
    /// The base this image was built from (`extends`), if any.
    pub base: Option<String>,
    /// The differences applied to the base, kept so that reports can show them.
    pub diffs: Vec<Diff>,
}

/// What kind of application an image holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppKind {
    /// EMV payment application (GPO, READ RECORD, GENERATE AC).
    Emv,
    /// Anything else: SELECT answers with the FCI, other commands as written.
    Other,
}

/// One application of a card image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The AID the application answers SELECT to.
    pub aid: Vec<u8>,
    /// Application label (informational; the FCI carries what the terminal sees).
    pub label: String,
    /// Application priority indicator (informational; the PPSE carries what the terminal sees).
    pub priority: Option<u8>,
    /// Kind.
    pub kind: AppKind,
    /// The answer to SELECT by AID.
    pub fci: Response,
    /// The answer to GET PROCESSING OPTIONS (format 1 `80` or format 2 `77`).
    pub gpo: Response,
    /// READ RECORD answers by (SFI, record number).
    pub records: Vec<RecordImage>,
    /// The answer to GENERATE AC.
    pub generate_ac: GenerateAc,
    /// GET DATA answers by tag (P1 P2).
    pub get_data: Vec<(u16, Response)>,
}

/// One record of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordImage {
    /// Short file identifier, 1-30.
    pub sfi: u8,
    /// Record number, 1-254.
    pub number: u8,
    /// The answer to READ RECORD.
    pub response: Response,
}

/// A response: data (TLV objects or raw bytes) and a status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The response data.
    pub body: Body,
    /// The status word (`9000` by default).
    pub sw: u16,
}

/// Response data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// BER-TLV objects, encoded with minimal lengths; diffs address them by tag path.
    Objects(Vec<TlvOwned>),
    /// Raw bytes, sent as written (truncated TLV, lengths past the end, anything).
    Raw(Vec<u8>),
}

impl Response {
    /// TLV objects with `9000`.
    pub fn objects(objects: Vec<TlvOwned>) -> Self {
        Response { body: Body::Objects(objects), sw: 0x9000 }
    }

    /// Raw data with a status word.
    pub fn raw(data: Vec<u8>, sw: u16) -> Self {
        Response { body: Body::Raw(data), sw }
    }

    /// A status word alone.
    pub fn status(sw: u16) -> Self {
        Response::raw(Vec::new(), sw)
    }

    /// The response data as sent.
    pub fn data(&self) -> Vec<u8> {
        match &self.body {
            Body::Objects(o) => tapcert_parsers::tlv::encode_emv_tlv_owned(o),
            Body::Raw(r) => r.clone(),
        }
    }
}

/// Where the application cryptogram of GENERATE AC comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cryptogram {
    /// Computed by the card over the terminal's CDOL1 data (EMV Book 2 §8.1.1 data set: `9F02
    /// 9F03 9F1A 95 5F2A 9A 9C 9F37` taken from the command by the image's CDOL1, then AIP and
    /// ATC) under the named published test key ([`test_key`]), with the cryptogram version the
    /// IAD declares, the ICC master key derived from the records' PAN (`5A`) and PSN (`5F34`).
    Key(String),
    /// Always these 8 bytes (hostile images, or a cryptogram that must fail).
    Fixed([u8; 8]),
}

/// The GENERATE AC answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateAc {
    /// Response format: 1 (`80`: CID ‖ ATC ‖ AC ‖ IAD) or 2 (`77`: `9F27 9F36 9F26 9F10`).
    pub format: u8,
    /// Cryptogram Information Data (`9F27`): `80` ARQC, `40` TC, `00` AAC.
    pub cid: u8,
    /// Application Transaction Counter (`9F36`) of the first GENERATE AC; it goes up by one per
    /// GENERATE AC served (power cycles included).
    pub atc: u16,
    /// Issuer Application Data (`9F10`); `None` leaves it out.
    pub iad: Option<Vec<u8>>,
    /// The cryptogram.
    pub cryptogram: Cryptogram,
    /// More objects appended inside template `77` (format 2 only).
    pub extra: Vec<TlvOwned>,
    /// Status word of a structured answer.
    pub sw: u16,
    /// Replaces the whole structured answer (`replace` diffs, hostile images).
    pub raw: Option<Response>,
}

/// The published test keys an image may name for its cryptograms.
pub fn test_key(name: &str) -> Option<[u8; 16]> {
    use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_IMK_SMI};
    match name {
        "test-imk-ac" => Some(TEST_IMK_AC),
        "test-imk-smi" => Some(TEST_IMK_SMI),
        _ => None,
    }
}

/// The names [`test_key`] knows.
pub const TEST_KEY_NAMES: [&str; 2] = ["test-imk-ac", "test-imk-smi"];

/// Which commands a [`Behaviour`] applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CommandMatch {
    /// Every command.
    Any,
    /// SELECT `2PAY.SYS.DDF01`.
    SelectPpse,
    /// SELECT of anything but the PPSE.
    Select,
    /// GET PROCESSING OPTIONS.
    Gpo,
    /// READ RECORD, of one SFI and/or record number when given.
    ReadRecord {
        /// Only this SFI.
        sfi: Option<u8>,
        /// Only this record number.
        record: Option<u8>,
    },
    /// GENERATE AC.
    GenerateAc,
    /// GET DATA.
    GetData,
    /// GET RESPONSE.
    GetResponse,
    /// Commands starting with these bytes (CLA INS P1 P2 ...).
    Prefix(Vec<u8>),
}

/// What a [`Behaviour`] does to the answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// The card takes this long to answer (on the injected clock).
    Delay(Duration),
    /// The card answers this status word, no data.
    Sw(u16),
    /// `61xx` chaining: the answer is announced with `61xx` and delivered through GET
    /// RESPONSE in chunks of at most this many bytes (1-256).
    Chain(u16),
    /// `6Cxx`: unless the command's Le equals the data length, the card answers `6C` + the
    /// length and waits for the command again with the right Le.
    WrongLe,
    /// The card stays mute from this command on (this one gets no answer).
    MuteNow,
    /// The card answers this command, then stays mute.
    MuteAfter,
}

/// A behaviour: an action on the commands that match, or on the `nth` of them only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Behaviour {
    /// Which commands.
    pub on: CommandMatch,
    /// Only the n-th matching command since power-on (1-based); `None`: every one.
    pub nth: Option<u32>,
    /// What happens.
    pub action: Action,
}

/// Why an image could not be loaded or built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    /// Not valid TOML for a card image.
    #[error("card image {file}: {detail}")]
    Toml {
        /// The file (or bundled name).
        file: String,
        /// What the TOML parser or the schema expected.
        detail: String,
    },
    /// A field holds a value the image format does not accept.
    #[error("card image {file}: {at}: {expected}")]
    Field {
        /// The file.
        file: String,
        /// Where in the image (`application[0].record[1].objects[2].tag`).
        at: String,
        /// What was expected.
        expected: String,
    },
    /// A diff names a path the base does not have.
    #[error("card image {file}: diff {index} ({op}): path {path}: {missing}")]
    DiffPath {
        /// The file.
        file: String,
        /// Position of the diff in the file (0-based).
        index: usize,
        /// The operation.
        op: String,
        /// The path as written.
        path: String,
        /// What is missing or wrong at that path.
        missing: String,
    },
    /// The base could not be found or loaded.
    #[error("card image {file}: extends {base}: {reason}")]
    Extends {
        /// The file.
        file: String,
        /// The base named.
        base: String,
        /// Why.
        reason: String,
    },
    /// File I/O.
    #[error("card image {file}: {detail}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        detail: String,
    },
}

/// Largest card image file read (bytes): images are small, a hostile one need not be huge.
pub const MAX_IMAGE_FILE: u64 = 4 * 1024 * 1024;
/// Most `extends` levels followed (a cycle ends here too).
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// The bundled images (`conformance/images/*.toml`), by name.
pub const BUNDLED_IMAGES: &[(&str, &str)] = &[
    ("base", include_str!("../../images/base.toml")),
    ("no-ppse", include_str!("../../images/no-ppse.toml")),
    ("pdol-several-tags", include_str!("../../images/pdol-several-tags.toml")),
    ("pdol-unknown-tag", include_str!("../../images/pdol-unknown-tag.toml")),
    ("pdol-absurd-length", include_str!("../../images/pdol-absurd-length.toml")),
    ("afl-several-sfis", include_str!("../../images/afl-several-sfis.toml")),
    ("afl-missing-record", include_str!("../../images/afl-missing-record.toml")),
    ("records-61xx", include_str!("../../images/records-61xx.toml")),
    ("read-record-6cxx", include_str!("../../images/read-record-6cxx.toml")),
    ("gpo-6985", include_str!("../../images/gpo-6985.toml")),
    ("generate-ac-aac", include_str!("../../images/generate-ac-aac.toml")),
    ("slow-generate-ac", include_str!("../../images/slow-generate-ac.toml")),
    ("mute-after-gpo", include_str!("../../images/mute-after-gpo.toml")),
    ("two-applications", include_str!("../../images/two-applications.toml")),
];

/// The names of the bundled images.
pub fn bundled_image_names() -> impl Iterator<Item = &'static str> {
    BUNDLED_IMAGES.iter().map(|(n, _)| *n)
}

/// A bundled image by name, with its base resolved and its diffs applied.
pub fn bundled_image(name: &str) -> Result<CardImage, ImageError> {
    let Some((_, text)) = BUNDLED_IMAGES.iter().find(|(n, _)| *n == name) else {
        return Err(ImageError::Io { file: name.into(), detail: "no bundled image of that name".into() });
    };
    file::parse_image(text, name, None, 0)
}

/// An image by file path, or else by bundled name (what `tapcert sim --image` accepts).
pub fn find_image(name_or_path: &str) -> Result<CardImage, ImageError> {
    let path = Path::new(name_or_path);
    if path.exists() {
        return load_image(path);
    }
    match BUNDLED_IMAGES.iter().find(|(n, _)| *n == name_or_path) {
        Some(_) => bundled_image(name_or_path),
        None => Err(ImageError::Io {
            file: name_or_path.into(),
            detail: format!(
                "no such file, and no bundled image of that name ({})",
                bundled_image_names().collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

/// Loads an image file; `extends` names a bundled image or a path relative to the file.
pub fn load_image(path: &Path) -> Result<CardImage, ImageError> {
    load_image_at(path, 0)
}

fn load_image_at(path: &Path, depth: usize) -> Result<CardImage, ImageError> {
    let file = path.display().to_string();
    let text = crate::read_text_capped(path, MAX_IMAGE_FILE)
        .map_err(|e| ImageError::Io { file: file.clone(), detail: e.to_string() })?;
    let mut image = file::parse_image(&text, &file, path.parent().map(Path::to_path_buf), depth)?;
    if image.name.is_empty() {
        image.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    }
    Ok(image)
}

/// Resolves a base name: a bundled image, else a path (relative to `dir` when given).
fn resolve_base(base: &str, dir: Option<&PathBuf>, depth: usize) -> Result<CardImage, String> {
    if depth >= MAX_EXTENDS_DEPTH {
        return Err(format!("more than {MAX_EXTENDS_DEPTH} levels of extends (a cycle?)"));
    }
    if let Some((_, text)) = BUNDLED_IMAGES.iter().find(|(n, _)| *n == base) {
        return file::parse_image(text, base, None, depth + 1).map_err(|e| e.to_string());
    }
    let path = match dir {
        Some(d) => d.join(base),
        None => PathBuf::from(base),
    };
    load_image_at(&path, depth + 1).map_err(|e| e.to_string())
}

impl CardImage {
    /// One line on what the image is: `card image NAME (N application(s), K difference(s)
    /// from BASE)`.
    pub fn describe(&self) -> String {
        let diffs = self.base.as_deref().map(|b| format!(", {} difference(s) from {b}", self.diffs.len()));
        format!("card image {} ({} application(s){})", self.name, self.applications.len(), diffs.unwrap_or_default())
    }

    /// Parses an image from TOML text (`name` is used in errors and when the file has none;
    /// `extends` resolves bundled names and paths relative to the working directory).
    pub fn from_toml(text: &str, name: &str) -> Result<CardImage, ImageError> {
        file::parse_image(text, name, None, 0)
    }

    /// The image as TOML, with everything resolved: no `extends`; the base and the diffs
    /// applied are written as `based_on` and `[[applied]]`, which loading keeps and does not
    /// apply again. `CardImage::from_toml(&image.to_toml(), ..) == image`.
    pub fn to_toml(&self) -> String {
        file::write_image(self)
    }

    /// The application with this AID.
    pub fn application(&self, aid: &[u8]) -> Option<&Application> {
        self.applications.iter().find(|a| a.aid == aid)
    }
}
