//! Replays every committed fuzz seed (`fuzz/corpus/<target>/`) and every saved crash
//! (`fuzz/regressions/<target>/`) through the same functions the cargo-fuzz targets call, on
//! stable, as part of `cargo test`.
//!
//! A saved crash is named after its regression test (`fuzz_tlv_0001`) and must not panic. A
//! crash whose fix has not landed yet is listed in `fuzz/regressions/OPEN` (`<target>/<file>
//! <cause>`): it must still panic, so the list cannot go stale: once the fix lands, this test
//! says to remove the line. An oversized allocation (over the 64 MiB guard of
//! `fuzz/src/lib.rs`, included below) aborts the whole binary instead of panicking.

// The fuzz targets' allocation guard, also here: a saved input that makes an oversized
// allocation aborts this test binary with the size and a backtrace, as it aborts the target.
// A global allocator is an `unsafe impl`; the workspace denies unsafe code elsewhere.
#[allow(unsafe_code)]
#[path = "../fuzz/src/lib.rs"]
mod alloc_guard;

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tapcert_conformance::transport::{Intercept, Layered, RawAtr, RawResponse, Transport, TransportError};

type Entry = (&'static str, &'static str, fn(&[u8]));

macro_rules! targets {
    ($($name:ident => $($path:ident)::+),* $(,)?) => {
        &[$((stringify!($name), stringify!($($path)::+), $($path)::+ as fn(&[u8]))),*]
    };
}

/// Target name -> the function its `fuzz/fuzz_targets/<name>.rs` calls.
const TARGETS: &[Entry] = targets! {
    capdu => tapcert_parsers::fuzzing::fuzz_capdu,
    rapdu => tapcert_parsers::fuzzing::fuzz_rapdu,
    atr => tapcert_parsers::fuzzing::fuzz_atr,
    tlv => tapcert_parsers::fuzzing::fuzz_tlv,
    tlv_roundtrip => tapcert_parsers::fuzzing::fuzz_tlv_roundtrip,
    dol => tapcert_parsers::fuzzing::fuzz_dol,
    tlv_differential => tapcert_parsers::fuzzing::fuzz_tlv_differential,
    ndef => tapcert_parsers::fuzzing::fuzz_ndef,
    ndef_roundtrip => tapcert_parsers::fuzzing::fuzz_ndef_roundtrip,
    t4t_cc => tapcert_parsers::fuzzing::fuzz_t4t_cc,
    t2t_tlv => tapcert_parsers::fuzzing::fuzz_t2t_tlv,
    qr_mpm => tapcert_parsers::fuzzing::fuzz_qr_mpm,
    qr_mpm_roundtrip => tapcert_parsers::fuzzing::fuzz_qr_mpm_roundtrip,
    qr_cpm => tapcert_parsers::fuzzing::fuzz_qr_cpm,
    upi_link => tapcert_parsers::fuzzing::fuzz_upi_link,
    crypto_untrusted => tapcert_crypto::fuzzing::fuzz_untrusted_input,
    apdu_structured => tapcert_conformance::terminal::fuzzing::fuzz_apdu_structured,
    ndef_structured => tapcert_conformance::terminal::fuzzing::fuzz_ndef_structured,
    tlv_structured => tapcert_conformance::terminal::fuzzing::fuzz_tlv_structured,
    flow_emv => tapcert_conformance::terminal::fuzzing::fuzz_flow_emv,
    flow_transit => tapcert_conformance::terminal::fuzzing::fuzz_flow_transit,
};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    v.sort();
    v
}

fn subdirs(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `f` on the file's bytes; `Err` with the panic message if it panicked.
fn replay(f: fn(&[u8]), path: &Path) -> Result<(), String> {
    let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    catch_unwind(AssertUnwindSafe(|| f(&data))).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn every_target_is_replayed_and_calls_the_listed_function() {
    let dir = fuzz_dir().join("fuzz_targets");
    let on_disk: BTreeSet<String> =
        files(&dir).iter().filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(String::from)).collect();
    let listed: BTreeSet<String> = TARGETS.iter().map(|(n, ..)| n.to_string()).collect();
    assert_eq!(on_disk, listed, "fuzz/fuzz_targets/*.rs and the TARGETS table of tests/fuzz_corpus.rs differ");
    for (name, path, _) in TARGETS {
        let src = fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        let path = path.replace(' ', "");
        assert!(src.replace(' ', "").contains(&format!("{path}(data)")), "fuzz_targets/{name}.rs does not call {path}");
    }
    for sub in ["corpus", "regressions"] {
        let unknown: Vec<_> = subdirs(&fuzz_dir().join(sub)).difference(&listed).cloned().collect();
        assert!(unknown.is_empty(), "fuzz/{sub}/ has directories for unknown targets: {unknown:?}");
    }
}

#[test]
fn every_target_has_seeds() {
    for (name, ..) in TARGETS {
        assert!(!files(&fuzz_dir().join("corpus").join(name)).is_empty(), "fuzz/corpus/{name}/ has no seeds");
    }
}

#[test]
fn committed_corpora_replay_without_panics() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, _, f) in TARGETS {
        for path in files(&fuzz_dir().join("corpus").join(name)) {
            count += 1;
            if let Err(msg) = replay(*f, &path) {
                failures.push(format!("{name}: {}: {msg}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} corpus inputs panic:\n{}", failures.len(), failures.join("\n"));
}

/// `fuzz/regressions/OPEN`: `<target>/<file> <one-line cause>` per crash not fixed yet.
fn open_crashes() -> BTreeSet<String> {
    fs::read_to_string(fuzz_dir().join("regressions").join("OPEN"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

#[test]
fn saved_crashes_stay_fixed() {
    let open = open_crashes();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, _, f) in TARGETS {
        for path in files(&fuzz_dir().join("regressions").join(name)) {
            let id = format!("{name}/{}", path.file_name().unwrap().to_string_lossy());
            let outcome = replay(*f, &path);
            match (open.contains(&id), outcome) {
                (false, Err(msg)) => failures.push(format!("{id} panics again: {msg}")),
                (true, Ok(())) => failures.push(format!("{id} is fixed: remove its line from fuzz/regressions/OPEN")),
                _ => {}
            }
            seen.insert(id);
        }
    }
    let stale: Vec<_> = open.difference(&seen).collect();
    assert!(stale.is_empty(), "fuzz/regressions/OPEN lists files that do not exist: {stale:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The flow seeds are not vacuous: some run the whole procedure to its end.
#[test]
fn flow_seeds_complete_whole_transactions() {
    use tapcert_conformance::terminal::{TerminalConfig, read_emv, read_transit};
    use tapcert_conformance::transport::{FuzzCard, T0};

    let mut emv_ok = 0;
    for path in files(&fuzz_dir().join("corpus").join("flow_emv")) {
        let data = fs::read(&path).unwrap();
        let (card, mut source) = FuzzCard::split(&data);
        let clock = source.clock();
        let mut t = T0::new(card);
        emv_ok += usize::from(read_emv(&mut t, &TerminalConfig::default(), &mut source, clock.as_ref()).completed);
    }
    // The hand-laid transcripts and the band's reference, unknown-aid-sw, atc-stuck,
    // pdol-ignored, arqc-wrong-key, ... profiles all run to GENERATE AC.
    assert!(emv_ok >= 10, "only {emv_ok} flow_emv seeds reach GENERATE AC");
    let mut transit_ok = 0;
    for path in files(&fuzz_dir().join("corpus").join("flow_transit")) {
        let data = fs::read(&path).unwrap();
        let (card, source) = FuzzCard::split(&data);
        let clock = source.clock();
        transit_ok +=
            usize::from(read_transit(&mut T0::new(card), &TerminalConfig::default(), clock.as_ref()).completed);
    }
    assert!(transit_ok >= 10, "only {transit_ok} flow_transit seeds complete the transit read");
}

/// Records what a transport answered, to lay a real exchange out as FuzzCard input.
#[derive(Default)]
struct Recording {
    atr: Vec<u8>,
    responses: Vec<Vec<u8>>,
}

impl<T: Transport> Intercept<T> for Recording {
    fn reset(&mut self, inner: &mut T) -> Result<RawAtr, TransportError> {
        let atr = inner.reset()?;
        self.atr = atr.as_bytes().to_vec();
        Ok(atr)
    }
    fn transmit(&mut self, inner: &mut T, capdu: &[u8]) -> Result<RawResponse, TransportError> {
        let r = inner.transmit(capdu)?;
        self.responses.push(r.as_bytes().to_vec());
        Ok(r)
    }
}

/// Runs both flows against every profile of the virtual band; returns the FuzzCard inputs that
/// replay each run, and how many runs completed.
/// (what happened, target, FuzzCard input)
type BandRun = (String, &'static str, Vec<u8>);

fn band_transcripts() -> (Vec<BandRun>, usize) {
    use tapcert_conformance::clock::ManualClock;
    use tapcert_conformance::sim::{Band, profiles};
    use tapcert_conformance::terminal::fuzzing::fuzz_card_input;
    use tapcert_conformance::terminal::{TerminalConfig, read_emv, read_transit};
    use tapcert_conformance::transport::{FuzzCard, InProcess, T0};

    // The band on its own virtual clock: slow firmware advances it instead of sleeping.
    let band = |p: &tapcert_conformance::sim::FirmwareProfile| {
        InProcess::with_clock(Band::new(p.clone()), Arc::new(ManualClock::new(Duration::ZERO, Duration::ZERO)))
    };
    let mut out = Vec::new();
    let mut completed = 0;
    for (i, profile) in profiles().into_iter().enumerate() {
        let seed = 0x7461_7063_0000 + i as u64;
        // The terminal's randomness and clock are those a FuzzCard input with this seed gives,
        // so that the recorded input replays the same transaction.
        let (_, mut source) = FuzzCard::split(&seed.to_be_bytes());
        let clock = source.clock();
        let mut t = T0::new(Layered::with(band(&profile), Recording::default()));
        let emv = read_emv(&mut t, &TerminalConfig::default(), &mut source, clock.as_ref());
        completed += usize::from(profile.name == "reference" && emv.is_clean());
        let rec = t.inner().layer();
        let refs: Vec<&[u8]> = rec.responses.iter().map(Vec::as_slice).collect();
        let rules: Vec<_> = emv.violations().map(|f| f.rule.to_string()).collect();
        out.push((format!("{}: {rules:?}", profile.name), "flow_emv", fuzz_card_input(seed, &rec.atr, &refs)));

        let (_, source) = FuzzCard::split(&seed.to_be_bytes());
        let clock = source.clock();
        let mut t = T0::new(Layered::with(band(&profile), Recording::default()));
        let transit = read_transit(&mut t, &TerminalConfig::default(), clock.as_ref());
        completed += usize::from(profile.name == "reference" && transit.is_clean());
        let rec = t.inner().layer();
        let refs: Vec<&[u8]> = rec.responses.iter().map(Vec::as_slice).collect();
        let rules: Vec<_> = transit.violations().map(|f| f.rule.to_string()).collect();
        out.push((format!("{}: {rules:?}", profile.name), "flow_transit", fuzz_card_input(seed, &rec.atr, &refs)));
    }
    (out, completed)
}

/// The terminal flows complete against the reference virtual band (both sides written
/// independently, so this checks each against the other).
#[test]
fn flows_complete_against_the_reference_band() {
    let (runs, completed) = band_transcripts();
    assert_eq!(completed, 2, "{:#?}", runs.iter().map(|r| &r.0).collect::<Vec<_>>());
}

/// `cargo test --test fuzz_corpus -- --ignored record_flow_seeds`: writes the virtual band's
/// transcripts (every profile) into fuzz/corpus/flow_emv/ and flow_transit/.
#[test]
#[ignore]
fn record_flow_seeds() {
    for (what, target, input) in band_transcripts().0 {
        let name = format!(
            "band-{:016x}",
            input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
        );
        fs::write(fuzz_dir().join("corpus").join(target).join(name), &input).unwrap();
        println!("{target}: {what}");
    }
}
