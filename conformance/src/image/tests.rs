use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use tapcert_parsers::apdu::{CommandApdu, Ins};
use tapcert_parsers::tlv::{Tag, TlvOwned, TlvValue};

use super::*;
use crate::clock::{ManualClock, SeededRng};
use crate::terminal::{EmvRead, Observation, TerminalConfig, read_emv};
use crate::transcript::EventKind;
use crate::transport::{InProcess, T0};

/// 2026-11-22 02:32:22 UTC.
const NOW: Duration = Duration::from_secs(1_795_314_742);

fn run(image: CardImage) -> (Observation<EmvRead>, ImageLog, ManualClock) {
    let clock = ManualClock::new(NOW, Duration::ZERO);
    let card = ImageCard::new(image, Arc::new(clock.clone()));
    let log = card.log();
    let mut t = T0::new(InProcess::with_clock(card, Arc::new(clock.clone())));
    let tx = read_emv(&mut t, &TerminalConfig::default(), &mut SeededRng::new(1), &clock);
    (tx, log, clock)
}

fn run_bundled(name: &str) -> (Observation<EmvRead>, ImageLog) {
    let (tx, log, _) = run(bundled_image(name).unwrap());
    (tx, log)
}

/// (command, response) pairs the card logged.
fn exchanges(log: &ImageLog) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    log.transcript().exchanges().map(|(c, r)| (c.to_vec(), r.map(|r| r.0.clone()))).collect()
}

fn ins_of(cmd: &[u8]) -> Ins {
    CommandApdu::from_bytes(cmd).unwrap().ins()
}

#[test]
fn every_bundled_image_loads() {
    let names: Vec<_> = bundled_image_names().collect();
    assert!(names.len() >= 14, "{names:?}");
    for name in names {
        let image = bundled_image(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(image.name, name);
        assert!(!image.applications.is_empty(), "{name}");
        if name != "base" {
            assert_eq!(image.base.as_deref(), Some("base"), "{name} is a diff of the base");
            assert!(!image.diffs.is_empty(), "{name} keeps its diffs");
        }
    }
}

#[test]
fn bundled_images_load_from_their_files_too() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("images");
    for name in bundled_image_names() {
        let from_file = load_image(&dir.join(format!("{name}.toml"))).unwrap();
        assert_eq!(from_file, bundled_image(name).unwrap(), "{name}");
    }
}

#[test]
fn base_image_goes_online_with_a_valid_arqc() {
    let (tx, log) = run_bundled("base");
    assert!(tx.completed && tx.fault.is_none(), "{:?}", tx.fault);
    assert!(tx.is_clean(), "{:?}", tx.findings);
    assert_eq!(tx.result.cid, Some(0x80), "ARQC: online");
    assert_eq!(tx.result.atc, Some(0x0011));
    let check = tx.result.cryptogram_check.clone().unwrap();
    assert_eq!(check, crate::terminal::Check::Verified { key: "test-imk-ac".into() });
    let ins: Vec<Ins> = exchanges(&log).iter().map(|(c, _)| ins_of(c)).collect();
    assert_eq!(
        ins,
        [Ins::SELECT, Ins::SELECT, Ins::GET_PROCESSING_OPTIONS, Ins::READ_RECORD, Ins::READ_RECORD, Ins::GENERATE_AC]
    );
    // The log starts with the power-on.
    assert!(matches!(log.transcript().events[0].kind, EventKind::Reset { .. }));
}

#[test]
fn the_atc_goes_up_and_each_cryptogram_still_verifies() {
    let clock = ManualClock::new(NOW, Duration::ZERO);
    let card = ImageCard::new(bundled_image("base").unwrap(), Arc::new(clock.clone()));
    let mut t = T0::new(InProcess::with_clock(card, Arc::new(clock.clone())));
    let config = TerminalConfig::default();
    for (i, atc) in [0x0011u16, 0x0012].into_iter().enumerate() {
        let tx = read_emv(&mut t, &config, &mut SeededRng::new(i as u64), &clock);
        assert_eq!(tx.result.atc, Some(atc));
        assert!(tx.result.cryptogram_check.unwrap().is_verified());
    }
}

#[test]
fn a_wrong_key_or_fixed_cryptogram_fails_the_terminal_check() {
    let mut image = bundled_image("base").unwrap();
    image.applications[0].generate_ac.cryptogram = Cryptogram::Key("test-imk-smi".into());
    let (tx, _, _) = run(image.clone());
    assert!(tx.has("EMV.AC"), "{:?}", tx.findings);
    image.applications[0].generate_ac.cryptogram = Cryptogram::Fixed([0x11; 8]);
    let (tx, _, _) = run(image);
    assert!(tx.has("EMV.AC"), "{:?}", tx.findings);
    assert_eq!(tx.result.cryptogram, Some([0x11; 8]));
}

#[test]
fn no_ppse_falls_back_to_the_aid_list() {
    let (tx, log) = run_bundled("no-ppse");
    assert_eq!(exchanges(&log)[0].1.as_deref(), Some(&[0x6A, 0x82][..]));
    assert!(tx.has("EMV.PPSE.SELECT"));
    assert!(tx.completed && tx.result.cryptogram_check.unwrap().is_verified());
}

#[test]
fn two_applications_select_by_priority() {
    let (tx, _) = run_bundled("two-applications");
    assert_eq!(tx.result.aid.as_deref(), Some(&[0xA0, 0x00, 0x00, 0x00, 0x04, 0x30, 0x60][..]));
    assert!(tx.completed && tx.result.cryptogram_check.unwrap().is_verified());
}

#[test]
fn pdol_variants_reach_the_terminal() {
    let (tx, _) = run_bundled("pdol-several-tags");
    assert_eq!(tx.result.pdol_data.len(), 4 + 6 + 6 + 2 + 5 + 2 + 3 + 1 + 4 + 1 + 3 + 3);
    assert!(tx.completed);
    let (tx, _) = run_bundled("pdol-unknown-tag");
    assert_eq!(tx.result.pdol_data.len(), 6 + 4 + 3);
    assert_eq!(&tx.result.pdol_data[10..], [0, 0, 0], "an unknown tag is filled with zeros");
    let (tx, log) = run_bundled("pdol-absurd-length");
    assert!(tx.has("EMV.PDOL") && !tx.completed, "{:?}", tx.findings);
    assert!(exchanges(&log).iter().all(|(c, _)| ins_of(c) != Ins::GET_PROCESSING_OPTIONS), "no GPO sent");
}

#[test]
fn afl_variants() {
    let (tx, _) = run_bundled("afl-several-sfis");
    let read: Vec<(u8, u8)> = tx.result.records.iter().map(|r| (r.at.sfi, r.at.record)).collect();
    assert_eq!(read, [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2)]);
    assert!(tx.is_clean(), "{:?}", tx.findings);
    let (tx, log) = run_bundled("afl-missing-record");
    assert!(tx.has("EMV.AFL.RECORD-RANGE") && tx.completed);
    let answered_6a83 = exchanges(&log)
        .iter()
        .any(|(c, r)| c[..4] == [0x00, 0xB2, 0x03, 0x0C] && r.as_deref() == Some(&[0x6A, 0x83][..]));
    assert!(answered_6a83);
}

#[test]
fn chaining_61xx_delivers_records_in_chunks() {
    let (tx, log) = run_bundled("records-61xx");
    assert!(tx.completed && tx.is_clean(), "{:?}", tx.findings);
    let ex = exchanges(&log);
    let first_record = ex.iter().position(|(c, _)| ins_of(c) == Ins::READ_RECORD).unwrap();
    assert_eq!(ex[first_record].1.as_deref(), Some(&[0x61, 0x10][..]), "announced, 16 bytes at a time");
    let get_responses: Vec<_> = ex.iter().filter(|(c, _)| ins_of(c) == Ins::GET_RESPONSE).collect();
    assert!(get_responses.len() >= 4, "{}", get_responses.len());
    for (c, r) in &get_responses {
        let r = r.as_ref().unwrap();
        assert!(r.len() - 2 <= 16 && c[4] == 0x10 || r.len() - 2 <= usize::from(c[4]), "{c:02X?} -> {r:02X?}");
    }
    // The records the terminal reassembled are the image's.
    let image = bundled_image("base").unwrap();
    assert_eq!(tx.result.records[0].data, image.applications[0].records[0].response.data());
}

#[test]
fn wrong_le_6cxx_asks_again_with_the_right_le() {
    let (tx, log) = run_bundled("read-record-6cxx");
    assert!(tx.completed && tx.is_clean(), "{:?}", tx.findings);
    let ex = exchanges(&log);
    let records: Vec<_> = ex.iter().filter(|(c, _)| ins_of(c) == Ins::READ_RECORD).collect();
    assert_eq!(records.len(), 4, "each record asked twice");
    let len = bundled_image("base").unwrap().applications[0].records[0].response.data().len() as u8;
    assert_eq!(records[0].1.as_deref(), Some(&[0x6C, len][..]));
    assert_eq!(records[1].0[4], len, "sent again with Le = {len}");
    assert_eq!(records[1].1.as_ref().unwrap().len(), usize::from(len) + 2);
}

#[test]
fn gpo_status_word_stops_the_terminal() {
    let (tx, log) = run_bundled("gpo-6985");
    assert!(!tx.completed && tx.has("EMV.GPO.STATUS"), "{:?}", tx.findings);
    let ex = exchanges(&log);
    assert_eq!(ins_of(&ex.last().unwrap().0), Ins::GET_PROCESSING_OPTIONS, "nothing after the fatal 6985");
    assert_eq!(ex.last().unwrap().1.as_deref(), Some(&[0x69, 0x85][..]));
}

#[test]
fn aac_declines_with_a_valid_cryptogram() {
    let (tx, _) = run_bundled("generate-ac-aac");
    assert_eq!(tx.result.cid, Some(0x00));
    assert!(tx.result.cryptogram_check.unwrap().is_verified());
}

#[test]
fn slow_answers_cost_clock_time_not_wall_time() {
    let (tx, log, _) = run(bundled_image("slow-generate-ac").unwrap());
    assert!(tx.has("APDU.LATENCY"), "{:?}", tx.findings);
    let t = log.transcript();
    let gac = t
        .events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Exchange { command, .. } if ins_of(command) == Ins::GENERATE_AC))
        .unwrap();
    assert_eq!(gac.latency_us, 600_000);
}

#[test]
fn mute_after_gpo_answers_gpo_then_nothing() {
    let (tx, log) = run_bundled("mute-after-gpo");
    assert!(tx.fault.is_some() && !tx.completed);
    let ex = exchanges(&log);
    let gpo = ex.iter().position(|(c, _)| ins_of(c) == Ins::GET_PROCESSING_OPTIONS).unwrap();
    assert!(ex[gpo].1.is_some());
    assert_eq!(ex[gpo + 1].1, None, "mute after GPO");
}

#[test]
fn behaviours_by_nth_command_and_fixed_sw() {
    let mut image = bundled_image("base").unwrap();
    image.behaviours.push(Behaviour { on: CommandMatch::Any, nth: Some(3), action: Action::MuteNow });
    let (_, log, _) = run(image);
    let ex = exchanges(&log);
    assert!(ex[1].1.is_some() && ex[2].1.is_none(), "the third command gets no answer");
    let mut image = bundled_image("base").unwrap();
    image.behaviours.push(Behaviour {
        on: CommandMatch::ReadRecord { sfi: Some(1), record: Some(2) },
        nth: None,
        action: Action::Sw(0x6A83),
    });
    let (tx, _, _) = run(image);
    assert!(tx.has("EMV.AFL.RECORD-RANGE"));
    assert_eq!(tx.result.records.len(), 1);
}

fn diff_error(diffs: &str) -> ImageError {
    CardImage::from_toml(&format!("extends = \"base\"\n{diffs}"), "t").unwrap_err()
}

#[test]
fn a_diff_on_a_missing_path_is_an_error_naming_the_path() {
    let e = diff_error("[[diff]]\nop = \"remove\"\npath = \"record/4/1\"\n");
    assert!(matches!(&e, ImageError::DiffPath { path, index: 0, .. } if path == "record/4/1"), "{e}");
    assert!(e.to_string().contains("record/4/1") && e.to_string().contains("SFI 4"), "{e}");
    let e = diff_error("[[diff]]\nop = \"set\"\npath = \"fci/A5/BF0C/9F4D\"\nvalue = \"0B0A\"\n");
    assert!(matches!(&e, ImageError::DiffPath { path, .. } if path == "fci/A5/BF0C/9F4D"), "{e}");
    let e = diff_error("[[diff]]\nop = \"remove\"\npath = \"gpo/9F4B\"\n");
    assert!(e.to_string().contains("no 9F4B"), "{e}");
    let e = diff_error("[[diff]]\nop = \"set\"\npath = \"app/A0000000031010/gpo/94\"\nvalue = \"08010100\"\n");
    assert!(e.to_string().contains("no application A0000000031010"), "{e}");
    let e = diff_error(
        "[[diff]]\nop = \"set\"\npath = \"gpo/94\"\nvalue = \"08010100\"\n[[diff]]\nop = \"remove\"\npath = \"ppse\"\n[[diff]]\nop = \"remove\"\npath = \"ppse\"\n",
    );
    assert!(matches!(&e, ImageError::DiffPath { index: 2, .. }), "the third diff: {e}");
    // A base that does not exist.
    let e = CardImage::from_toml("extends = \"no-such-base\"\n", "t").unwrap_err();
    assert!(matches!(e, ImageError::Extends { .. }), "{e}");
}

#[test]
fn diffs_set_and_remove_at_paths() {
    let image = CardImage::from_toml(
        "extends = \"base\"\n[[diff]]\nop = \"set\"\npath = \"record/1/2/8C\"\nvalue = \"9F3704\"\n\
         [[diff]]\nop = \"remove\"\npath = \"record/1/1/5F20\"\n\
         [[diff]]\nop = \"set\"\npath = \"gpo/77/9F6C\"\nvalue = \"0000\"\n",
        "t",
    )
    .unwrap();
    let app = &image.applications[0];
    let rec2 = app.records[1].response.data();
    assert!(rec2.windows(5).any(|w| w == [0x8C, 0x03, 0x9F, 0x37, 0x04]));
    assert!(!app.records[0].response.data().windows(2).any(|w| w == [0x5F, 0x20]));
    assert!(app.gpo.data().ends_with(&[0x9F, 0x6C, 0x02, 0x00, 0x00]));
    assert_eq!(image.diffs.len(), 3);
}

#[test]
fn bad_fields_say_where() {
    let base = bundled_image("base").unwrap().to_toml();
    let bad = base.replacen("sfi = 1", "sfi = 31", 1);
    let e = CardImage::from_toml(&bad, "t").unwrap_err();
    assert!(matches!(&e, ImageError::Field { at, .. } if at == "application[0].record[0]"), "{e}");
    let e = CardImage::from_toml("atr = \"3B\"\nbogus = 1\n", "t").unwrap_err();
    assert!(matches!(e, ImageError::Toml { .. }), "unknown fields are refused: {e}");
    let e = CardImage::from_toml("atr = \"3BZZ\"\n", "t").unwrap_err();
    assert!(matches!(&e, ImageError::Field { at, .. } if at == "atr"), "{e}");
}

#[test]
fn bundled_images_round_trip_through_toml() {
    for name in bundled_image_names() {
        let image = bundled_image(name).unwrap();
        let text = image.to_toml();
        assert_eq!(CardImage::from_toml(&text, "x").unwrap(), image, "{name}:\n{text}");
    }
}

fn arb_tag() -> impl Strategy<Value = Tag> {
    prop::sample::select(vec![0x5A, 0x82, 0x94, 0x9F02, 0x9F38, 0xDF8F01, 0x70, 0x77, 0xA5, 0xBF0C]).prop_map(Tag)
}

fn arb_tlv() -> impl Strategy<Value = TlvOwned> {
    let leaf = (arb_tag(), prop::collection::vec(any::<u8>(), 0..8))
        .prop_map(|(tag, v)| TlvOwned { tag, value: TlvValue::Primitive(v) });
    leaf.prop_recursive(3, 12, 4, |inner| {
        (arb_tag(), prop::collection::vec(inner, 0..4))
            .prop_map(|(tag, c)| TlvOwned { tag, value: TlvValue::Constructed(c) })
    })
}

fn arb_response() -> impl Strategy<Value = Response> {
    prop_oneof![
        (prop::collection::vec(arb_tlv(), 0..3), any::<u16>())
            .prop_map(|(o, sw)| Response { body: Body::Objects(o), sw }),
        (prop::collection::vec(any::<u8>(), 0..12), any::<u16>()).prop_map(|(r, sw)| Response::raw(r, sw)),
    ]
}

fn arb_behaviour() -> impl Strategy<Value = Behaviour> {
    let on = prop_oneof![
        Just(CommandMatch::Any),
        Just(CommandMatch::SelectPpse),
        Just(CommandMatch::Select),
        Just(CommandMatch::Gpo),
        Just(CommandMatch::GenerateAc),
        Just(CommandMatch::GetData),
        Just(CommandMatch::GetResponse),
        (prop::option::of(1u8..31), prop::option::of(1u8..=254))
            .prop_map(|(sfi, record)| CommandMatch::ReadRecord { sfi, record }),
        prop::collection::vec(any::<u8>(), 1..5).prop_map(CommandMatch::Prefix),
    ];
    let action = prop_oneof![
        (0u64..100_000).prop_map(|ms| Action::Delay(Duration::from_millis(ms))),
        any::<u16>().prop_map(Action::Sw),
        (1u16..=256).prop_map(Action::Chain),
        Just(Action::WrongLe),
        Just(Action::MuteNow),
        Just(Action::MuteAfter),
    ];
    (on, prop::option::of(1u32..10), action).prop_map(|(on, nth, action)| Behaviour { on, nth, action })
}

fn arb_application() -> impl Strategy<Value = Application> {
    (
        prop::collection::vec(any::<u8>(), 5..16),
        "[A-Z ]{0,10}",
        prop::option::of(any::<u8>()),
        any::<bool>(),
        (arb_response(), arb_response()),
        prop::collection::vec((1u8..=30, 1u8..=254, arb_response()), 0..4),
        (1u8..=2, any::<u8>(), any::<u16>(), prop::option::of(prop::collection::vec(any::<u8>(), 0..20))),
        (prop::option::of(any::<[u8; 8]>()), prop::collection::vec(arb_tlv(), 0..2), any::<u16>()),
        prop::option::of(arb_response()),
        prop::collection::vec((any::<u16>(), arb_response()), 0..2),
    )
        .prop_map(
            |(
                aid,
                label,
                priority,
                emv,
                (fci, gpo),
                records,
                (format, cid, atc, iad),
                (fixed, extra, sw),
                raw,
                get_data,
            )| {
                Application {
                    aid,
                    label,
                    priority,
                    kind: if emv { AppKind::Emv } else { AppKind::Other },
                    fci,
                    gpo,
                    records: records
                        .into_iter()
                        .map(|(sfi, number, response)| RecordImage { sfi, number, response })
                        .collect(),
                    generate_ac: GenerateAc {
                        format,
                        cid,
                        atc,
                        iad,
                        cryptogram: fixed.map_or(Cryptogram::Key("test-imk-smi".into()), Cryptogram::Fixed),
                        extra,
                        sw,
                        raw,
                    },
                    get_data,
                }
            },
        )
}

fn arb_image() -> impl Strategy<Value = CardImage> {
    (
        "[a-z-]{1,12}",
        "[a-zA-Z ,.]{0,30}",
        prop::collection::vec(any::<u8>(), 0..20),
        prop::option::of(arb_response()),
        prop::collection::vec(arb_application(), 0..3),
        prop::collection::vec(arb_behaviour(), 0..4),
    )
        .prop_map(|(name, description, atr, ppse, applications, behaviours)| CardImage {
            name,
            description,
            atr,
            ppse,
            applications,
            behaviours,
            base: None,
            diffs: Vec::new(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn structured_images_round_trip_through_toml(image in arb_image()) {
        let text = image.to_toml();
        let back = CardImage::from_toml(&text, "prop");
        prop_assert_eq!(back.as_ref(), Ok(&image), "{}", text);
    }
}

mod hostile_tests {
    use super::*;
    use crate::image::hostile::{HostileFailureKind, hostile_image, judge_image, run_hostile};

    #[test]
    fn the_same_seed_gives_the_same_images() {
        let base = bundled_image("base").unwrap();
        for i in 0..50 {
            assert_eq!(hostile_image(&base, 7, i), hostile_image(&base, 7, i));
        }
        let differ = (0..50).filter(|i| hostile_image(&base, 7, *i).diffs != hostile_image(&base, 8, *i).diffs).count();
        assert!(differ > 40, "{differ}");
    }

    #[test]
    fn hostile_images_keep_their_mutations_and_reload_from_toml() {
        let base = bundled_image("base").unwrap();
        let mut names = std::collections::HashSet::new();
        for i in 0..400 {
            let image = hostile_image(&base, 1, i);
            assert_eq!(image.base.as_deref(), Some("base"));
            for d in &image.diffs {
                names.insert(d.note.split(':').next().unwrap().to_string());
            }
            let back = CardImage::from_toml(&image.to_toml(), "r").unwrap_or_else(|e| panic!("image {i}: {e}"));
            assert_eq!(back, image, "image {i}");
        }
        for m in crate::image::hostile::MUTATIONS {
            assert!(names.contains(*m), "mutation {m} never applied in 400 images: {names:?}");
        }
    }

    #[test]
    fn the_judge_sees_a_wrong_outcome_and_a_hang() {
        // A terminal check fed a fixed cryptogram that it still accepts would be a wrong
        // outcome; the reference terminal rejects it, so the judge sees no failure...
        let mut image = bundled_image("base").unwrap();
        image.applications[0].generate_ac.cryptogram = Cryptogram::Fixed([0x11; 8]);
        assert_eq!(judge_image(&image, &TerminalConfig::default(), 1).failure, None);
        // ...and an endless 61xx chain on every command ends in the T=0 layer's bound.
        let mut image = bundled_image("base").unwrap();
        image.behaviours.push(Behaviour { on: CommandMatch::Any, nth: None, action: Action::Sw(0x6110) });
        let v = judge_image(&image, &TerminalConfig::default(), 1);
        assert_eq!(v.failure, None, "{:?}", v.failure);
        assert!(v.exchanges < 200, "{}", v.exchanges);
        // The hang criterion fires: 61 s on the clock for one transaction.
        let mut image = bundled_image("base").unwrap();
        image.behaviours.push(Behaviour {
            on: CommandMatch::GenerateAc,
            nth: None,
            action: Action::Delay(Duration::from_secs(61)),
        });
        let v = judge_image(&image, &TerminalConfig::default(), 1);
        assert!(matches!(v.failure, Some(HostileFailureKind::Hang { .. })), "{:?}", v.failure);
    }

    #[test]
    fn the_wrong_outcome_criterion_fires_on_what_it_names() {
        let base = bundled_image("base").unwrap();
        let (tx, log, _) = run(base.clone());
        assert_eq!(crate::image::hostile::wrong_outcome(&base, &tx, &log), None);
        // A verified cryptogram from an image with a fixed one: a terminal that says so is wrong.
        let mut fixed = base.clone();
        fixed.applications[0].generate_ac.cryptogram = Cryptogram::Fixed([0; 8]);
        let why = crate::image::hostile::wrong_outcome(&fixed, &tx, &log).unwrap();
        assert!(why.contains("cannot have made a valid one"), "{why}");
        // A completed transaction against a card log without a GENERATE AC answered 9000.
        let (_, gpo_log, _) = run(bundled_image("gpo-6985").unwrap());
        let why = crate::image::hostile::wrong_outcome(&base, &tx, &gpo_log).unwrap();
        assert!(why.contains("never answered GENERATE AC"), "{why}");
        // Through a 61xx chain, the GET RESPONSE that ends it counts as the answer.
        let mut chained = base.clone();
        chained.behaviours.push(Behaviour { on: CommandMatch::GenerateAc, nth: None, action: Action::Chain(8) });
        let (tx, log, _) = run(chained.clone());
        assert!(tx.completed);
        assert_eq!(crate::image::hostile::wrong_outcome(&chained, &tx, &log), None);
    }

    /// The issue's run: 10,000 hostile images never crash or hang the reference terminal (about
    /// 3 s in a debug build; the clock is injected, so slow and mute answers cost no time).
    #[test]
    fn hostile_images_never_crash_or_hang_the_reference_terminal() {
        let base = bundled_image("base").unwrap();
        let count = 10_000;
        let s = run_hostile(&base, 0x7A9C, count, &TerminalConfig::default(), &mut |_, _, _| {});
        let shown: Vec<String> =
            s.failures.iter().take(5).map(|f| format!("{}: {}\n{}", f.index, f.kind, f.image.to_toml())).collect();
        assert!(
            s.is_clean(),
            "{} panics, {} hangs, {} wrong:\n{}",
            s.panics,
            s.hangs,
            s.wrong_outcomes,
            shown.join("\n")
        );
        assert_eq!(s.images, count);
        // The stream is hostile enough to end many transactions early and still let some through.
        assert!(s.completed > 0 && s.completed < count, "{s:?}");
        assert!(s.faults > 0, "mute images end on a fault");
    }
}

#[test]
fn long_observations_are_written_at_most_every_interval() {
    let clock = ManualClock::new(NOW, Duration::ZERO);
    let mut card = ImageCard::new(bundled_image("base").unwrap(), Arc::new(clock.clone()));
    let log = card.log();
    let path = std::env::temp_dir().join(format!("tapcert-image-obs-{}.json", std::process::id()));
    use crate::card::Card;
    use crate::clock::Clock;
    card.power_on();
    assert!(log.save_masked_if_due(&path, clock.now()).unwrap(), "short logs: every time");
    for _ in 0..card::SAVE_EVERY_EVENT_UP_TO {
        card.process(&[0x80, 0xCA, 0x9F, 0x36, 0x00]);
    }
    assert!(!log.save_masked_if_due(&path, clock.now()).unwrap(), "a long log: not again at once");
    clock.advance(card::SAVE_INTERVAL);
    assert!(log.save_masked_if_due(&path, clock.now()).unwrap(), "again after the interval");
    let back = crate::transcript::Transcript::load(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(back.exchanges().count(), card::SAVE_EVERY_EVENT_UP_TO);
}

#[test]
fn an_image_and_a_hostile_run_describe_themselves_in_one_line() {
    let base = bundled_image("base").unwrap();
    assert_eq!(base.describe(), format!("card image base ({} application(s))", base.applications.len()));
    let derived = bundled_image_names().find_map(|n| bundled_image(n).ok().filter(|i| i.base.is_some()));
    let d = derived.expect("a bundled image extends another");
    let want = format!(", {} difference(s) from {})", d.diffs.len(), d.base.as_deref().unwrap());
    assert!(d.describe().ends_with(&want), "{}", d.describe());
    let summary = hostile::HostileSummary { images: 10, exchanges: 40, completed: 7, faults: 3, ..Default::default() };
    assert_eq!(
        summary.to_text(3, "base", 2.0),
        "hostile seed 3 over base: 10 images in 2.00 s (5 images/s), 40 commands; completed 7, ended on a fault 3; panics 0, hangs 0, wrong outcomes 0"
    );
}
