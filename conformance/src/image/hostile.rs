//! Hostile card images: seeded mutations of an image, and a runner that serves a stream of
//! them to the reference terminal and records crashes, hangs and wrong outcomes.
//!
//! Mutations act on the image model and are kept as the image's diffs (so a reproducer shows
//! what was done to the base): truncated TLV, lengths past the end, deep nesting, duplicate
//! tags, PDOL/CDOL1 with unknown tags or absurd lengths, AFL pointing nowhere (SFI 0, record
//! 0, huge ranges, odd lengths), odd AIPs, `61xx` chaining and endless `61xx`, `6Cxx`, slow
//! answers, mute after a command, status words, objects removed, odd GENERATE AC answers,
//! random bytes in place of an answer; and a byte-level fallback (bytes of an answer flipped,
//! inserted or deleted). The randomness is injected ([`UnpredictableSource`]): image `i` of
//! stream `seed` is always the same ([`hostile_image`]).
//!
//! A run ([`run_hostile`]) judges each image on the reference terminal
//! ([`crate::terminal::read_emv`], [`TerminalConfig`], through [`crate::transport::T0`] and
//! [`crate::transport::InProcess`] on a [`ManualClock`], so slow answers cost no wall time):
//!
//! - **panic**: the terminal panicked (caught with `catch_unwind`);
//! - **hang**: the terminal sent more than [`HANG_EXCHANGES`] commands to one image, or the
//!   transaction took more than [`HANG_TIME`] on the clock (every mutation adds at most
//!   15 s of delays and a mute answer costs 1 s, so a terminal that stops on its own stays far
//!   below);
//! - **wrong outcome**: the terminal reports a completed transaction although the card never
//!   answered GENERATE AC with `9000`, or reports the cryptogram verified although the image
//!   cannot have made a valid one (a fixed cryptogram, or one under a key other than the
//!   terminal's `test-imk-ac`). Deliberately simple: finer pass criteria belong to the terminal
//!   suite.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use tapcert_parsers::tlv::{Length, Tag, TlvOwned, TlvValue, parse_emv_length, parse_emv_tag};

use super::diff::{self, Diff, DiffOp};
use super::{Action, Behaviour, Body, CardImage, CommandMatch, Cryptogram, ImageCard, ImageLog, Response};
use crate::clock::{Clock, ManualClock, SeededRng, UnpredictableSource};
use crate::terminal::{EmvRead, Observation, TerminalConfig, read_emv};
use crate::transport::{InProcess, T0};

/// Commands to one image beyond which the terminal is hung (a conformant transaction sends at
/// most 32 SELECTs, a GPO, 64 READ RECORDs with their GET RESPONSEs and a GENERATE AC).
pub const HANG_EXCHANGES: usize = 10_000;
/// Clock time for one image beyond which the terminal is hung.
pub const HANG_TIME: Duration = Duration::from_secs(60);
/// Most mutations applied to one image.
pub const MAX_MUTATIONS: u32 = 3;

/// The names of the mutations, as they appear in the notes of a hostile image's diffs.
pub const MUTATIONS: &[&str] = &[
    "truncated-tlv",
    "length-past-end",
    "deep-nesting",
    "duplicate-tags",
    "pdol",
    "cdol1",
    "afl",
    "aip",
    "chain-61xx",
    "endless-61xx",
    "wrong-le-6cxx",
    "slow",
    "mute",
    "random-bytes",
    "status-word",
    "remove-object",
    "generate-ac",
    "byte-level",
];

fn below(rng: &mut dyn UnpredictableSource, n: usize) -> usize {
    if n == 0 { 0 } else { (rng.next_u32() as usize) % n }
}

fn pick<T: Clone>(rng: &mut dyn UnpredictableSource, items: &[T]) -> Option<T> {
    if items.is_empty() { None } else { Some(items[below(rng, items.len())].clone()) }
}

fn bytes(rng: &mut dyn UnpredictableSource, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill(&mut v);
    v
}

/// The seed of image `index` of stream `seed` (SplitMix64 finaliser: neighbouring indexes
/// give unrelated images).
pub fn image_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Image `index` of the hostile stream `seed` over `base`.
pub fn hostile_image(base: &CardImage, seed: u64, index: u64) -> CardImage {
    let mut image = mutate_image(base, &mut SeededRng::new(image_seed(seed, index)));
    image.name = format!("{}-hostile-{seed}-{index}", base.name);
    image.description = format!("hostile image {index} of seed {seed} over {}", base.name);
    image
}

/// `base` with 1 to [`MAX_MUTATIONS`] mutations drawn from `rng`; the mutations applied are
/// the image's diffs (a mutation that no longer fits, e.g. a path inside an answer an earlier
/// mutation made raw, is skipped).
pub fn mutate_image(base: &CardImage, rng: &mut dyn UnpredictableSource) -> CardImage {
    let mut image = base.clone();
    image.base = Some(base.name.clone());
    image.diffs = Vec::new();
    let n = 1 + below(rng, MAX_MUTATIONS as usize);
    for _ in 0..n {
        let which = below(rng, MUTATIONS.len());
        for d in mutation(&image, which, rng) {
            if diff::apply(&mut image, &d.op).is_ok() {
                image.diffs.push(d);
            }
        }
    }
    image
}

/// Applies one mutation chosen by `which` (index into [`MUTATIONS`], taken modulo its length):
/// for fuzz targets that let the input drive the choices.
pub fn apply_mutation(image: &mut CardImage, which: usize, rng: &mut dyn UnpredictableSource) {
    for d in mutation(image, which % MUTATIONS.len(), rng) {
        if diff::apply(image, &d.op).is_ok() {
            image.diffs.push(d);
        }
    }
}

/// An answer of the image that a path names, with its current value.
fn answers(image: &CardImage) -> Vec<(String, Response)> {
    let mut out = Vec::new();
    if let Some(p) = &image.ppse {
        out.push(("ppse".to_string(), p.clone()));
    }
    for (i, a) in image.applications.iter().enumerate() {
        let prefix = app_prefix(image, i);
        out.push((format!("{prefix}fci"), a.fci.clone()));
        out.push((format!("{prefix}gpo"), a.gpo.clone()));
        for r in &a.records {
            out.push((format!("{prefix}record/{}/{}", r.sfi, r.number), r.response.clone()));
        }
        for (tag, r) in &a.get_data {
            out.push((format!("{prefix}get_data/{tag:04X}"), r.clone()));
        }
    }
    out
}

fn app_prefix(image: &CardImage, i: usize) -> String {
    if i == 0 { String::new() } else { format!("app/{}/", hex::encode_upper(&image.applications[i].aid)) }
}

fn random_app(image: &CardImage, rng: &mut dyn UnpredictableSource) -> Option<usize> {
    (!image.applications.is_empty()).then(|| below(rng, image.applications.len()))
}

fn note(name: &str, detail: impl std::fmt::Display) -> String {
    format!("{name}: {detail}")
}

fn replace(name: &str, path: String, response: Response, detail: impl std::fmt::Display) -> Diff {
    Diff { note: note(name, detail), op: DiffOp::Replace { path, response } }
}

fn behaviour(name: &str, b: Behaviour) -> Diff {
    Diff { note: note(name, format!("{:?} {:?}", b.on, b.action)), op: DiffOp::Behaviour(b) }
}

fn random_match(image: &CardImage, rng: &mut dyn UnpredictableSource) -> CommandMatch {
    let records: Vec<(u8, u8)> =
        image.applications.iter().flat_map(|a| a.records.iter().map(|r| (r.sfi, r.number))).collect();
    match below(rng, 8) {
        0 => CommandMatch::Any,
        1 => CommandMatch::SelectPpse,
        2 => CommandMatch::Select,
        3 => CommandMatch::Gpo,
        4 => CommandMatch::ReadRecord { sfi: None, record: None },
        5 => match pick(rng, &records) {
            Some((s, n)) => CommandMatch::ReadRecord { sfi: Some(s), record: Some(n) },
            None => CommandMatch::GenerateAc,
        },
        6 => CommandMatch::GenerateAc,
        _ => CommandMatch::GetResponse,
    }
}

fn random_sw(rng: &mut dyn UnpredictableSource) -> u16 {
    let r = (rng.next_u32() & 0xFF) as u16;
    pick(rng, &[0x9000, 0x6A82, 0x6985, 0x6283, 0x6300, 0x6700, 0x6D00, 0x6F00, 0x6100 | r, 0x6C00 | r, r << 8 | r])
        .unwrap_or(0x9000)
}

/// A DOL with odd entries: unknown tags, absurd or zero lengths, constructed tags, or cut short.
fn random_dol(rng: &mut dyn UnpredictableSource) -> Vec<u8> {
    const TAGS: &[u32] = &[
        0x9F02, 0x9F03, 0x9F1A, 0x95, 0x5F2A, 0x9A, 0x9C, 0x9F37, 0x9F35, 0x9F66, 0x9F33, 0x9F40, 0x9F21, 0xDF8F01,
        0x9F7F, 0x5A, 0x70, 0xBF0C, 0x1F,
    ];
    let mut out = Vec::new();
    for _ in 0..1 + below(rng, 12) {
        let tag = Tag(pick(rng, TAGS).unwrap_or(0x9F02));
        out.extend_from_slice(tag.to_bytes().as_ref());
        let len = pick(rng, &[0u8, 1, 2, 4, 6, 0x7F, 0x80, 0xFF]).unwrap_or(4);
        out.push(if below(rng, 4) == 0 { (rng.next_u32() & 0xFF) as u8 } else { len });
    }
    if below(rng, 6) == 0 {
        out.pop(); // a tag without its length
    }
    out
}

fn random_afl(rng: &mut dyn UnpredictableSource) -> (Vec<u8>, &'static str) {
    let choices: [(&[u8], &'static str); 9] = [
        (&[0x00, 0x01, 0x01, 0x00], "SFI 0"),
        (&[0x08, 0x00, 0x02, 0x00], "record 0"),
        (&[0x08, 0x01, 0xFF, 0x00], "records 1-255"),
        (&[0x08, 0x05, 0x02, 0x00], "first record after the last"),
        (&[0xF8, 0x01, 0x01, 0x00], "SFI 31"),
        (&[0xA0, 0x01, 0x03, 0x00], "SFI 20, which the card does not have"),
        (&[0x08, 0x01, 0x02, 0x05], "more ODA records than the range"),
        (&[], "empty"),
        (&[0x08, 0x01, 0x02], "not a multiple of 4 bytes"),
    ];
    match below(rng, choices.len() + 2) {
        i if i < choices.len() => (choices[i].0.to_vec(), choices[i].1),
        i if i == choices.len() => {
            let n = 1 + below(rng, 64);
            (bytes(rng, 4 * n), "random entries")
        }
        _ => {
            let mut v = Vec::new();
            for sfi in 1..=30u8 {
                v.extend_from_slice(&[sfi << 3, 0x01, 0xFE, 0x00]);
            }
            (v, "every SFI, records 1-254")
        }
    }
}

/// Nested constructed objects, `depth` levels, innermost a PAN.
fn deep_nesting(rng: &mut dyn UnpredictableSource, depth: usize) -> Vec<u8> {
    let tag = Tag(pick(rng, &[0x70u32, 0x77, 0xA5, 0xBF0C, 0x61, 0x6F]).unwrap_or(0x70));
    let mut inner = vec![0x5A, 0x02, 0x54, 0x13];
    for _ in 0..depth {
        let mut next = Vec::with_capacity(inner.len() + 6);
        next.extend_from_slice(tag.to_bytes().as_ref());
        Length::minimal(inner.len()).encode_into(&mut next);
        next.extend_from_slice(&inner);
        inner = next;
    }
    inner
}

/// `data` with the length of its first object (or of that object's first child) made to
/// claim more than there is.
fn length_past_end(data: &[u8], rng: &mut dyn UnpredictableSource) -> Option<Vec<u8>> {
    let mut at = 0usize;
    for level in 0..=below(rng, 2) {
        let (rest, _) = parse_emv_tag(data.get(at..)?).ok()?;
        let len_at = data.len() - rest.len();
        let (after, length) = parse_emv_length(rest).ok()?;
        let len_end = data.len() - after.len();
        if level == 1 || below(rng, 2) == 0 || at > 0 {
            let claimed = length.value.saturating_add(1 + below(rng, 300));
            let mut out = data[..len_at].to_vec();
            match below(rng, 3) {
                0 => Length::minimal(claimed).encode_into(&mut out),
                1 => out.extend_from_slice(&[0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
                _ => out.push(0x81 + (below(rng, 4) as u8)), // a long form with its bytes missing
            }
            out.extend_from_slice(&data[len_end..]);
            return Some(out);
        }
        at = len_end;
    }
    None
}

/// Paths of every TLV object inside an answer's objects (explicit templates).
fn object_paths(objects: &[TlvOwned], prefix: &str, out: &mut Vec<String>) {
    for o in objects {
        let path = format!("{prefix}/{}", o.tag);
        out.push(path.clone());
        if out.len() > 256 {
            return;
        }
        object_paths(o.children(), &path, out);
    }
}

fn mutation(image: &CardImage, which: usize, rng: &mut dyn UnpredictableSource) -> Vec<Diff> {
    let name = MUTATIONS[which % MUTATIONS.len()];
    let all = answers(image);
    let Some((path, current)) = pick(rng, &all) else { return Vec::new() };
    let data = current.data();
    let one = |d: Diff| vec![d];
    match name {
        "truncated-tlv" if data.len() >= 2 => {
            let cut = 1 + below(rng, data.len() - 1);
            one(replace(
                name,
                path,
                Response::raw(data[..cut].to_vec(), current.sw),
                format!("cut at {cut} of {}", data.len()),
            ))
        }
        "length-past-end" => match length_past_end(&data, rng) {
            Some(d) => one(replace(name, path, Response::raw(d, current.sw), "a length claims more than there is")),
            None => Vec::new(),
        },
        "deep-nesting" => {
            let depth = 20 + below(rng, 3000);
            one(replace(name, path, Response::raw(deep_nesting(rng, depth), 0x9000), format!("{depth} levels")))
        }
        "duplicate-tags" => {
            let Body::Objects(mut objects) = current.body.clone() else { return Vec::new() };
            let times = 1 + below(rng, 4);
            // Inside the template when there is one, else at the top.
            let list = match objects.first_mut() {
                Some(TlvOwned { value: TlvValue::Constructed(c), .. }) if !c.is_empty() => c,
                _ => &mut objects,
            };
            let Some(victim) = pick(rng, list) else { return Vec::new() };
            for _ in 0..times {
                list.push(victim.clone());
            }
            let detail = format!("{} repeated {times} time(s)", victim.tag);
            one(replace(name, path, Response { body: Body::Objects(objects), sw: current.sw }, detail))
        }
        "pdol" | "cdol1" => {
            let Some(app) = random_app(image, rng) else { return Vec::new() };
            let prefix = app_prefix(image, app);
            let target = if name == "pdol" {
                format!("{prefix}fci/A5/9F38")
            } else {
                let a = &image.applications[app];
                let holder = a.records.iter().find(|r| match &r.response.body {
                    Body::Objects(o) => o.iter().any(|x| x.find(Tag::CDOL1).is_some()),
                    Body::Raw(_) => false,
                });
                match holder {
                    Some(r) => format!("{prefix}record/{}/{}/8C", r.sfi, r.number),
                    None => return Vec::new(),
                }
            };
            let dol = random_dol(rng);
            let detail = hex::encode_upper(&dol);
            one(Diff { note: note(name, detail), op: DiffOp::Set { path: target, value: TlvValue::Primitive(dol) } })
        }
        "afl" => {
            let Some(app) = random_app(image, rng) else { return Vec::new() };
            let (afl, what) = random_afl(rng);
            let path = format!("{}gpo/94", app_prefix(image, app));
            one(Diff { note: note(name, what), op: DiffOp::Set { path, value: TlvValue::Primitive(afl) } })
        }
        "aip" => {
            let Some(app) = random_app(image, rng) else { return Vec::new() };
            let aip = bytes(rng, 2);
            let path = format!("{}gpo/82", app_prefix(image, app));
            one(Diff {
                note: note(name, hex::encode_upper(&aip)),
                op: DiffOp::Set { path, value: TlvValue::Primitive(aip) },
            })
        }
        "chain-61xx" => {
            let chunk = 1 + below(rng, 256) as u16;
            one(behaviour(name, Behaviour { on: random_match(image, rng), nth: None, action: Action::Chain(chunk) }))
        }
        "endless-61xx" => {
            let sw = 0x6100 | (rng.next_u32() & 0xFF) as u16;
            vec![
                behaviour(name, Behaviour { on: random_match(image, rng), nth: None, action: Action::Chain(16) }),
                behaviour(name, Behaviour { on: CommandMatch::GetResponse, nth: None, action: Action::Sw(sw) }),
            ]
        }
        "wrong-le-6cxx" => {
            let action =
                if below(rng, 2) == 0 { Action::WrongLe } else { Action::Sw(0x6C00 | (rng.next_u32() & 0xFF) as u16) };
            one(behaviour(name, Behaviour { on: random_match(image, rng), nth: None, action }))
        }
        "slow" => {
            let ms = 100 + below(rng, 4900) as u64;
            let nth = Some(1 + below(rng, 3) as u32);
            let b = Behaviour { on: random_match(image, rng), nth, action: Action::Delay(Duration::from_millis(ms)) };
            one(behaviour(name, b))
        }
        "mute" => {
            let action = if below(rng, 2) == 0 { Action::MuteNow } else { Action::MuteAfter };
            let on = random_match(image, rng);
            let nth = if on == CommandMatch::Any { Some(1 + below(rng, 12) as u32) } else { None };
            one(behaviour(name, Behaviour { on, nth, action }))
        }
        "random-bytes" => {
            let n = below(rng, 300);
            let sw = random_sw(rng);
            one(replace(name, path, Response::raw(bytes(rng, n), sw), format!("{n} random bytes")))
        }
        "status-word" => {
            let sw = random_sw(rng);
            if below(rng, 2) == 0 {
                one(replace(name, path, Response { body: current.body.clone(), sw }, format!("{sw:04X}")))
            } else {
                one(behaviour(name, Behaviour { on: random_match(image, rng), nth: None, action: Action::Sw(sw) }))
            }
        }
        "remove-object" => {
            let Body::Objects(objects) = &current.body else { return Vec::new() };
            let mut paths = Vec::new();
            object_paths(objects, &path, &mut paths);
            match pick(rng, &paths) {
                Some(p) => one(Diff { note: note(name, &p), op: DiffOp::Remove { path: p } }),
                None => Vec::new(),
            }
        }
        "generate-ac" => {
            let Some(app) = random_app(image, rng) else { return Vec::new() };
            let base = format!("{}generate_ac", app_prefix(image, app));
            let set = |tag: &str, value: Vec<u8>| Diff {
                note: note(name, format!("{tag} = {}", hex::encode_upper(&value))),
                op: DiffOp::Set { path: format!("{base}/{tag}"), value: TlvValue::Primitive(value) },
            };
            match below(rng, 6) {
                0 => one(set("9F27", bytes(rng, 1))),
                1 => one(set("9F36", bytes(rng, 2))),
                2 => {
                    let n = below(rng, 40);
                    one(set("9F10", bytes(rng, n)))
                }
                3 => one(set("9F26", bytes(rng, 8))),
                4 => {
                    // A template without the cryptogram.
                    let objects = vec![TlvOwned::constructed(
                        Tag(0x77),
                        vec![TlvOwned::primitive(Tag(0x9F27), [0x80]), TlvOwned::primitive(Tag(0x9F36), [0, 1])],
                    )];
                    one(replace(name, base, Response::objects(objects), "no 9F26"))
                }
                _ => {
                    let n = below(rng, 64);
                    one(replace(name, base, Response::raw(bytes(rng, n), 0x9000), format!("{n} random bytes")))
                }
            }
        }
        "byte-level" if !data.is_empty() => {
            let mut d = data.clone();
            let edits = 1 + below(rng, 4);
            for _ in 0..edits {
                let at = below(rng, d.len().max(1));
                match below(rng, 3) {
                    0 if !d.is_empty() => d[at] ^= 1 << below(rng, 8),
                    1 => d.insert(at.min(d.len()), (rng.next_u32() & 0xFF) as u8),
                    _ if !d.is_empty() => {
                        d.remove(at);
                    }
                    _ => {}
                }
            }
            one(replace(name, path, Response::raw(d, current.sw), format!("{edits} byte edit(s)")))
        }
        _ => Vec::new(),
    }
}

/// What went wrong with one hostile image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostileFailureKind {
    /// The terminal panicked.
    Panic {
        /// The panic message.
        message: String,
    },
    /// The terminal did not stop on its own.
    Hang {
        /// Commands it sent to the image.
        exchanges: usize,
        /// Clock time the transaction took.
        elapsed: Duration,
    },
    /// The terminal's outcome cannot be right for this image.
    WrongOutcome {
        /// Why.
        why: String,
    },
}

impl std::fmt::Display for HostileFailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostileFailureKind::Panic { message } => write!(f, "panic: {message}"),
            HostileFailureKind::Hang { exchanges, elapsed } => {
                write!(f, "hang: {exchanges} commands, {:.1} s on the clock", elapsed.as_secs_f64())
            }
            HostileFailureKind::WrongOutcome { why } => write!(f, "wrong outcome: {why}"),
        }
    }
}

/// One image the terminal failed on, with the image as its reproducer.
#[derive(Debug, Clone)]
pub struct HostileFailure {
    /// Position in the stream.
    pub index: u64,
    /// What went wrong.
    pub kind: HostileFailureKind,
    /// The image (write it with [`CardImage::to_toml`] to reproduce with `tapcert sim --image`).
    pub image: CardImage,
}

/// What the reference terminal did with one image.
#[derive(Debug, Clone)]
pub struct ImageVerdict {
    /// Commands the terminal sent.
    pub exchanges: usize,
    /// Whether it reported a completed transaction.
    pub completed: bool,
    /// Whether it ended on a transport fault (mute card).
    pub fault: bool,
    /// What went wrong, if anything.
    pub failure: Option<HostileFailureKind>,
    /// The card's record of the exchanges.
    pub log: ImageLog,
}

/// Runs the reference terminal once against `image` (in-process, injected clock) and judges
/// the run by the module's criteria.
pub fn judge_image(image: &CardImage, config: &TerminalConfig, un_seed: u64) -> ImageVerdict {
    let start = Duration::from_secs(1_795_314_742);
    let clock = ManualClock::new(start, Duration::ZERO);
    let card = ImageCard::new(image.clone(), Arc::new(clock.clone())).with_exchange_limit(HANG_EXCHANGES);
    let log = card.log();
    let mut t = T0::new(InProcess::with_clock(card, Arc::new(clock.clone())));
    let run = catch_unwind(AssertUnwindSafe(|| read_emv(&mut t, config, &mut SeededRng::new(un_seed), &clock)));
    let exchanges = t.inner_mut().card().received();
    let elapsed = clock.now().saturating_sub(start);
    let tx: Observation<EmvRead> = match run {
        Ok(tx) => tx,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            let failure = Some(HostileFailureKind::Panic { message });
            return ImageVerdict { exchanges, completed: false, fault: false, failure, log };
        }
    };
    let mut failure = None;
    if exchanges > HANG_EXCHANGES || elapsed > HANG_TIME {
        failure = Some(HostileFailureKind::Hang { exchanges, elapsed });
    } else if let Some(why) = wrong_outcome(image, &tx, &log) {
        failure = Some(HostileFailureKind::WrongOutcome { why });
    }
    ImageVerdict { exchanges, completed: tx.completed, fault: tx.fault.is_some(), failure, log }
}

/// The module's wrong-outcome criterion: a completed transaction although the card never
/// answered GENERATE AC with `9000`, or a cryptogram verified that the image cannot have made
/// valid (fixed, or under a key other than `test-imk-ac`).
pub fn wrong_outcome(image: &CardImage, tx: &Observation<EmvRead>, log: &ImageLog) -> Option<String> {
    if !tx.completed {
        return None;
    }
    // The card's final answer to GENERATE AC: the command itself, or the GET RESPONSE that
    // ends its 61xx chain.
    let mut in_gac = false;
    let mut gac_ok = false;
    for (c, r) in log.transcript().exchanges() {
        match c.get(1) {
            Some(&0xAE) => in_gac = true,
            Some(&0xC0) => {}
            _ => in_gac = false,
        }
        gac_ok |= in_gac && r.and_then(|r| r.sw()) == Some(0x9000);
    }
    if !gac_ok {
        return Some("a completed transaction, but the card never answered GENERATE AC with 9000".into());
    }
    let verified = tx.result.cryptogram_check.as_ref().is_some_and(|c| c.is_verified());
    let can_verify = tx.result.aid.as_deref().and_then(|aid| image.application(aid)).is_some_and(|a| {
        a.generate_ac.raw.is_none() && a.generate_ac.cryptogram == Cryptogram::Key("test-imk-ac".into())
    });
    (verified && !can_verify).then(|| "the cryptogram verified, but the image cannot have made a valid one".into())
}

/// Input bytes as an [`UnpredictableSource`] (zeros once they run out), so that a fuzz input
/// drives the mutation choices.
#[derive(Debug)]
pub struct ByteSource<'a> {
    data: &'a [u8],
}

impl<'a> ByteSource<'a> {
    /// Draws from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        ByteSource { data }
    }

    /// The next byte (0 once the input is used up).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }
}

impl UnpredictableSource for ByteSource<'_> {
    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            *b = self.byte();
        }
    }
}

/// Counts of a hostile run.
#[derive(Debug, Clone, Default)]
pub struct HostileSummary {
    /// Images served.
    pub images: u64,
    /// Commands the terminal sent, over all images.
    pub exchanges: u64,
    /// Transactions the terminal reported completed.
    pub completed: u64,
    /// Transactions ended by a transport fault (mute card).
    pub faults: u64,
    /// Panics.
    pub panics: u64,
    /// Hangs.
    pub hangs: u64,
    /// Wrong outcomes.
    pub wrong_outcomes: u64,
    /// The failures, first [`MAX_KEPT_FAILURES`] of them, with their images.
    pub failures: Vec<HostileFailure>,
}

/// Most failures a summary keeps with their images.
pub const MAX_KEPT_FAILURES: usize = 100;

impl HostileSummary {
    /// Whether the terminal neither panicked, hung nor got an outcome wrong.
    pub fn is_clean(&self) -> bool {
        self.panics == 0 && self.hangs == 0 && self.wrong_outcomes == 0
    }

    /// The one-line account of a run of stream `seed` over image `base` that took `secs`.
    pub fn to_text(&self, seed: u64, base: &str, secs: f64) -> String {
        format!(
            "hostile seed {seed} over {base}: {} images in {secs:.2} s ({:.0} images/s), {} commands; completed {}, ended on a fault {}; panics {}, hangs {}, wrong outcomes {}",
            self.images,
            self.images as f64 / secs.max(1e-9),
            self.exchanges,
            self.completed,
            self.faults,
            self.panics,
            self.hangs,
            self.wrong_outcomes
        )
    }
}

/// Serves images `0..count` of the hostile stream `seed` over `base` to the reference
/// terminal in-process; `on_image` sees each image and its verdict (e.g. to write reproducers
/// as they come).
pub fn run_hostile(
    base: &CardImage,
    seed: u64,
    count: u64,
    config: &TerminalConfig,
    on_image: &mut dyn FnMut(u64, &CardImage, &ImageVerdict),
) -> HostileSummary {
    let mut s = HostileSummary::default();
    for index in 0..count {
        let image = hostile_image(base, seed, index);
        let v = judge_image(&image, config, image_seed(seed, index));
        s.images += 1;
        s.exchanges += v.exchanges as u64;
        s.completed += u64::from(v.completed);
        s.faults += u64::from(v.fault);
        on_image(index, &image, &v);
        if let Some(kind) = &v.failure {
            match kind {
                HostileFailureKind::Panic { .. } => s.panics += 1,
                HostileFailureKind::Hang { .. } => s.hangs += 1,
                HostileFailureKind::WrongOutcome { .. } => s.wrong_outcomes += 1,
            }
            if s.failures.len() < MAX_KEPT_FAILURES {
                s.failures.push(HostileFailure { index, kind: kind.clone(), image });
            }
        }
    }
    s
}

/// The hostile stream as one [`crate::card::Card`] for vpcd: each power-on after a power-on that saw
/// commands moves to the next image, so that every transaction of the terminal under test
/// meets a new image. When `out` is set, each image served is written there as
/// `NNNNNN.toml` (the reproducer, for `tapcert sim --image`) with `NNNNNN.observed.json` (what
/// the terminal sent, masked), and an image on which the terminal ran into the exchange limit
/// is listed in `hangs.txt`.
pub struct HostileStream {
    base: CardImage,
    seed: u64,
    index: u64,
    clock: Arc<dyn crate::clock::Clock>,
    current: ImageCard,
    used: bool,
    out: Option<std::path::PathBuf>,
    finished: Arc<std::sync::atomic::AtomicU64>,
    errors: Vec<String>,
}

impl std::fmt::Debug for HostileStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostileStream").field("seed", &self.seed).field("index", &self.index).finish_non_exhaustive()
    }
}

impl HostileStream {
    /// The stream `seed` over `base`, from image 0.
    pub fn new(
        base: CardImage,
        seed: u64,
        clock: Arc<dyn crate::clock::Clock>,
        out: Option<std::path::PathBuf>,
    ) -> Self {
        let current = Self::card(&base, seed, 0, &clock);
        HostileStream {
            base,
            seed,
            index: 0,
            clock,
            current,
            used: false,
            out,
            finished: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            errors: Vec::new(),
        }
    }

    fn card(base: &CardImage, seed: u64, index: u64, clock: &Arc<dyn crate::clock::Clock>) -> ImageCard {
        ImageCard::new(hostile_image(base, seed, index), clock.clone()).with_exchange_limit(HANG_EXCHANGES)
    }

    /// How many images the terminal has finished with (shared: read it while the server runs).
    pub fn finished(&self) -> Arc<std::sync::atomic::AtomicU64> {
        self.finished.clone()
    }

    /// Files that could not be written.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Closes the image being served (writes its files when it saw commands).
    pub fn finish(&mut self) {
        if !self.used {
            return;
        }
        if let Some(dir) = &self.out {
            let stem = dir.join(format!("{:06}", self.index));
            let image = self.current.image().to_toml();
            let mut written = std::fs::create_dir_all(dir).map_err(|e| e.to_string());
            written =
                written.and_then(|()| std::fs::write(stem.with_extension("toml"), image).map_err(|e| e.to_string()));
            let obs = stem.with_extension("observed.json");
            written = written.and_then(|()| self.current.log().save_masked(&obs).map_err(|e| e.to_string()));
            if self.current.limit_reached() {
                use std::io::Write;
                let line = format!("{:06}\t{} commands\n", self.index, self.current.received());
                written = written.and_then(|()| {
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(dir.join("hangs.txt"))
                        .and_then(|mut f| f.write_all(line.as_bytes()))
                        .map_err(|e| e.to_string())
                });
            }
            if let Err(e) = written {
                self.errors.push(format!("image {}: {e}", self.index));
            }
        }
        self.finished.store(self.index + 1, std::sync::atomic::Ordering::Relaxed);
        self.used = false;
    }
}

impl crate::card::Card for HostileStream {
    fn power_on(&mut self) -> Vec<u8> {
        if self.used {
            self.finish();
            self.index += 1;
            self.current = Self::card(&self.base, self.seed, self.index, &self.clock);
        }
        self.current.power_on()
    }

    fn process(&mut self, capdu: &[u8]) -> crate::card::CardReply {
        self.used = true;
        self.current.process(capdu)
    }

    fn power_off(&mut self) {
        self.current.power_off();
    }
}

impl HostileFailure {
    /// Writes the image as `DIR/NNNNNN.toml` (what went wrong in a comment on top), a card
    /// image `tapcert sim --image` serves as it is.
    pub fn write_reproducer(&self, dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{:06}.toml", self.index));
        let kind = self.kind.to_string().replace(['\n', '\r'], " ");
        std::fs::write(&path, format!("# {kind}\n{}", self.image.to_toml()))?;
        Ok(path)
    }
}
