//! What a lab run is given besides its suites: the readers, the DUT profile of each reader
//! (`--dut [READER=]FILE`), the keys, waivers and identity flags, and the lanes built from
//! them (a PC/SC reader, or the built-in band). The CLI reads the flags and the files; this
//! module decides what they mean.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::certify::dut::parse_dut_profile;
use crate::certify::lab::Lane;
use crate::certify::lab_file::LabFileError;
use crate::certify::runner::RunOptions;
use crate::certify::waiver::parse_waivers;
use crate::clock::Clock;
use crate::sim::{Band, BandConfig, CodeDisplay, find_profile};
use crate::terminal::{KeysError, Timestamp, load_keys_toml};
use crate::transport::InProcess;

/// Why the readers or `--dut` values of a run do not go together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabArgError {
    /// The same reader named twice.
    #[error("--reader {0:?} given twice")]
    ReaderTwice(String),
    /// Two `READER=FILE` values for one reader.
    #[error("--dut: two profiles for reader {0:?}")]
    TwoProfilesForReader(String),
    /// Two plain `FILE` values.
    #[error("--dut {0:?}: a second profile for every reader (use READER=FILE for one reader)")]
    SecondProfileForAll(String),
}

/// The readers of a run in the order given, each once.
pub fn unique_readers(names: &[String]) -> Result<Vec<String>, LabArgError> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for r in names {
        if out.contains(r) {
            return Err(LabArgError::ReaderTwice(r.clone()));
        }
        out.push(r.clone());
    }
    Ok(out)
}

/// The `--dut` files of a run: one for every reader, and one per reader (`READER=FILE`),
/// each with its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DutFiles {
    all: Option<(PathBuf, String)>,
    per_reader: Vec<(String, PathBuf, String)>,
}

impl DutFiles {
    /// `READER=FILE` when the text before the first `=` is one of the run's `readers`;
    /// otherwise the whole value is a file for every reader. `read` reads a file's text.
    pub fn parse<E: From<LabArgError>>(
        values: &[String],
        readers: &[String],
        mut read: impl FnMut(&Path) -> Result<String, E>,
    ) -> Result<DutFiles, E> {
        let mut files = DutFiles::default();
        for v in values {
            match v.split_once('=').filter(|(r, _)| readers.iter().any(|n| n == r)) {
                Some((reader, file)) => {
                    if files.per_reader.iter().any(|(r, ..)| r == reader) {
                        return Err(LabArgError::TwoProfilesForReader(reader.into()).into());
                    }
                    let path = PathBuf::from(file);
                    let text = read(&path)?;
                    files.per_reader.push((reader.to_string(), path, text));
                }
                None if files.all.is_some() => return Err(LabArgError::SecondProfileForAll(v.clone()).into()),
                None => {
                    let path = PathBuf::from(v);
                    let text = read(&path)?;
                    files.all = Some((path, text));
                }
            }
        }
        Ok(files)
    }

    /// The profile of the device in `reader`: its own, else the one for every reader.
    pub fn for_reader(&self, reader: Option<&str>) -> Option<(&Path, &str)> {
        let own = reader.and_then(|r| self.per_reader.iter().find(|(n, ..)| n == r));
        own.map(|(_, p, t)| (p.as_path(), t.as_str()))
            .or_else(|| self.all.as_ref().map(|(p, t)| (p.as_path(), t.as_str())))
    }

    /// What the run folder keeps as `dut.toml`: the one profile, or each reader's under a
    /// comment naming it.
    pub fn kept_text(&self, readers: &[String]) -> Option<String> {
        if self.per_reader.is_empty() {
            return self.all.as_ref().map(|(_, t)| t.clone());
        }
        let mut out = String::new();
        for r in readers {
            if let Some((path, text)) = self.for_reader(Some(r)) {
                out.push_str(&format!("# --- reader {r:?}: {} ---\n{text}\n", path.display()));
            }
        }
        Some(out)
    }
}

/// Why a lab file given to a run was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabSettingsError {
    /// The keys file.
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// The DUT profile or the waivers.
    #[error(transparent)]
    File(#[from] LabFileError),
}

/// The lab files and flags of a run that shape its options: keys, DUT profile, waivers, the
/// identity flags, the run's limits.
#[derive(Debug, Clone, Default)]
pub struct LabSettings<'a> {
    /// The keys file: its path (for errors) and text.
    pub keys: Option<(&'a Path, &'a str)>,
    /// The DUT profile: its path and text.
    pub dut: Option<(&'a Path, &'a str)>,
    /// The waivers file: its path and text.
    pub waivers: Option<(&'a Path, &'a str)>,
    /// `--dut-model`: over the profile's.
    pub dut_model: Option<&'a str>,
    /// `--firmware`: over the profile's.
    pub firmware: Option<&'a str>,
    /// Times each case runs (at least 1).
    pub repeat: usize,
    /// The payment code the device displays (qr-code suite).
    pub qr: Option<&'a str>,
    /// Seed of the terminal's unpredictable numbers.
    pub seed: u64,
    /// Longest one case may take (at least 1 s).
    pub case_timeout: Duration,
    /// Field off before each case.
    pub field_off_hold: Duration,
    /// How long a prompt waits for the operator.
    pub prompt_timeout: Duration,
}

impl LabSettings<'_> {
    /// Applies the settings to `opts`, in this order: keys, DUT profile, waivers, identity
    /// flags (over the profile's), limits.
    pub fn apply(&self, opts: &mut RunOptions) -> Result<(), LabSettingsError> {
        if let Some((path, text)) = self.keys {
            opts.config.keys = load_keys_toml(&path.display().to_string(), text)?;
        }
        if let Some((path, text)) = self.dut {
            parse_dut_profile(&path.display().to_string(), text)?.apply(opts);
        }
        if let Some((path, text)) = self.waivers {
            opts.waivers = parse_waivers(&path.display().to_string(), text)?;
        }
        if let Some(model) = self.dut_model {
            opts.dut.model = model.into();
        }
        if let Some(fw) = self.firmware {
            opts.dut.firmware = fw.into();
        }
        opts.repeat = self.repeat.max(1);
        opts.qr_input = self.qr.map(str::to_string);
        opts.seed = self.seed;
        opts.case_timeout = self.case_timeout.max(Duration::from_secs(1));
        opts.field_off_hold = self.field_off_hold;
        opts.prompt_timeout = self.prompt_timeout;
        Ok(())
    }
}

/// The time part of a run id: `YYYYMMDD-HHMMSS` (UTC).
pub fn run_stamp(now: Timestamp) -> String {
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year,
        now.month,
        now.day,
        now.seconds / 3600,
        now.seconds / 60 % 60,
        now.seconds % 60
    )
}

/// A reader name as a run id part: ASCII letters and digits lowercased, the rest `-`.
pub fn reader_slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// The built-in band running firmware `profile` as a lane of run `stamp`: the DUT is the band,
/// its personalisation gives the expected values and the payment code it displays. `None`
/// for an unknown profile.
pub fn sim_lane(profile: &str, stamp: &str, clock: Arc<dyn Clock>) -> Option<Lane> {
    let firmware = find_profile(profile)?;
    // The reader is the in-process link; which firmware runs behind it is the DUT's.
    let band = InProcess::with_clock(Band::new(firmware), clock.clone());
    let mut opts = RunOptions::new(format!("{stamp}-{profile}"));
    opts.dut = crate::certify::report::DutIdentity {
        model: "tapcert built-in band".into(),
        firmware: profile.into(),
        sim_profile: Some(profile.into()),
        ..Default::default()
    };
    let personalised = BandConfig::default();
    // The built-in band's personalisation is known: its values are the expected ones.
    opts.expected.balance = Some(personalised.initial_balance);
    opts.expected.ndef_message = Some(hex::encode_upper(&personalised.ndef_message));
    opts.display = Some(CodeDisplay::new(personalised));
    Some(Lane { transport: Box::new(band), opts, clock, vendor: None, firmware: None })
}

/// A PC/SC reader as a lane of run `run_id`: the device in it not named yet, the reader's
/// vendor attributes where it has them.
#[cfg(feature = "pcsc")]
pub fn pcsc_lane(reader: &str, run_id: &str) -> Result<Lane, crate::transport::TransportError> {
    use crate::transport::{Pcsc, PcscOptions};
    let t = Pcsc::open(PcscOptions { reader: Some(reader.into()), ..PcscOptions::default() })?;
    let (vendor, firmware) = t.vendor_attributes();
    let mut opts = RunOptions::new(run_id);
    opts.dut = crate::certify::report::DutIdentity {
        model: "unnamed device".into(),
        firmware: "unknown".into(),
        ..Default::default()
    };
    Ok(Lane { transport: Box::new(t), opts, clock: Arc::new(crate::clock::SystemClock::new()), vendor, firmware })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn read_fake(p: &Path) -> Result<String, LabArgError> {
        Ok(format!("text of {}", p.display()))
    }

    #[test]
    fn dut_values_split_on_a_known_reader_only() {
        let readers = names(&["R0", "R1"]);
        let files = DutFiles::parse(&names(&["R0=a.toml", "x=y.toml"]), &readers, read_fake).unwrap();
        assert_eq!(files.for_reader(Some("R0")), Some((Path::new("a.toml"), "text of a.toml")));
        // `x` is no reader: the whole value is the file for every reader.
        assert_eq!(files.for_reader(Some("R1")), Some((Path::new("x=y.toml"), "text of x=y.toml")));
        assert_eq!(files.for_reader(None), Some((Path::new("x=y.toml"), "text of x=y.toml")));
        let kept = files.kept_text(&readers).unwrap();
        assert_eq!(
            kept,
            "# --- reader \"R0\": a.toml ---\ntext of a.toml\n# --- reader \"R1\": x=y.toml ---\ntext of x=y.toml\n"
        );
    }

    #[test]
    fn one_profile_is_kept_as_is_and_duplicates_are_refused() {
        let readers = names(&["R0"]);
        let one = DutFiles::parse(&names(&["a.toml"]), &readers, read_fake).unwrap();
        assert_eq!(one.kept_text(&readers).as_deref(), Some("text of a.toml"));
        assert_eq!(DutFiles::default().kept_text(&readers), None);
        let e = DutFiles::parse(&names(&["R0=a", "R0=b"]), &readers, read_fake).unwrap_err();
        assert_eq!(e, LabArgError::TwoProfilesForReader("R0".into()));
        let e = DutFiles::parse(&names(&["a", "b"]), &readers, read_fake).unwrap_err();
        assert_eq!(e.to_string(), "--dut \"b\": a second profile for every reader (use READER=FILE for one reader)");
        assert_eq!(unique_readers(&names(&["R0", "R1", "R0"])), Err(LabArgError::ReaderTwice("R0".into())));
        assert_eq!(unique_readers(&names(&["R1", "R0"])).unwrap(), names(&["R1", "R0"]));
    }

    #[test]
    fn settings_override_the_profile_and_bound_the_limits() {
        let mut opts = RunOptions::new("run");
        let dut = "kind = \"card\"\nmodel = \"band-x\"\nfirmware = \"1.0\"\napps = [\"emv\"]\n";
        let settings = LabSettings {
            dut: Some((Path::new("dut.toml"), dut)),
            firmware: Some("2.0"),
            repeat: 0,
            case_timeout: Duration::ZERO,
            seed: 7,
            ..LabSettings::default()
        };
        settings.apply(&mut opts).unwrap();
        assert_eq!((opts.dut.model.as_str(), opts.dut.firmware.as_str()), ("band-x", "2.0"));
        assert_eq!((opts.repeat, opts.seed, opts.case_timeout), (1, 7, Duration::from_secs(1)));
        let bad = LabSettings { waivers: Some((Path::new("w.toml"), "[[")), ..LabSettings::default() };
        assert!(
            matches!(bad.apply(&mut opts), Err(LabSettingsError::File(LabFileError::Toml { file, .. })) if file == "w.toml")
        );
    }

    #[test]
    fn stamps_slugs_and_the_sim_lane() {
        let now = Timestamp { year: 2026, month: 12, day: 6, seconds: 23 * 3600 + 4 * 60 + 5 };
        assert_eq!(run_stamp(now), "20261206-230405");
        assert_eq!(reader_slug("Virtual PCD 00 01"), "virtual-pcd-00-01");
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock::new());
        assert!(sim_lane("no-such-profile", "s", clock.clone()).is_none());
        let lane = sim_lane("reference", "s", clock).unwrap();
        assert_eq!(lane.opts.run_id, "s-reference");
        assert_eq!(lane.opts.dut.sim_profile.as_deref(), Some("reference"));
        assert!(lane.opts.expected.balance.is_some() && lane.opts.display.is_some());
    }
}
