//! Fuzz cases: one step of a recorded flow mutated, grammar-aware, deterministically from
//! `(seed, case index)`.
//!
//! Mutations parse the recorded command with the parsers' [`CommandApdu`] and re-encode it
//! with [`CommandApduBuf`] (header sweeps, Le lies, case changes, the extended length form);
//! command data that is BER-TLV is mutated object by object with the parsers' TLV grammar
//! (tag, length encoding, nesting, value) and DOL data against the length the DOL asked for;
//! Lc lies and plain byte mutations work on the encoded bytes. Every case also states what
//! the specification lets the card answer ([`Expect`]).

use tapcert_parsers::apdu::{CommandApdu, CommandApduBuf, Ins};
use tapcert_parsers::tlv::{Tag, Tlv, TlvIter, encode_emv_tlv, parse_emv_tlv};

use super::flow::RecordedFlow;
use crate::clock::{SeededRng, UnpredictableSource};

/// Shortest command a case sends: a whole header. Shorter is no APDU at all, and links
/// cannot carry it (vpcd reads a 1-byte payload as power off, on, reset or get-ATR).
pub const MIN_CASE_COMMAND: usize = 4;
/// Longest command a case sends.
pub const MAX_CASE_COMMAND: usize = 512;
/// Attempts at one case before the index is given up (a case whose every draw was filtered
/// out, by safety or because it equalled the original).
const MAX_ATTEMPTS: usize = 16;

/// A mutation operator: the class of change, and the field it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// CLA sweep.
    Cla,
    /// INS sweep.
    Ins,
    /// P1 sweep.
    P1,
    /// P2 sweep.
    P2,
    /// Lc that does not match the data.
    LcLie,
    /// Le changed, dropped or added.
    LeLie,
    /// ISO/IEC 7816-3 case changed (data or Le dropped, Le added).
    CaseChange,
    /// Extended length form where the short one would do.
    ExtendedLength,
    /// A BER-TLV object of the data with another tag.
    TlvTag,
    /// A BER-TLV object with another length encoding (wrong, long form, indefinite).
    TlvLength,
    /// A BER-TLV object wrapped in templates.
    TlvNesting,
    /// A BER-TLV value cut or extended, its length kept consistent.
    TlvValue,
    /// GPO / GENERATE AC data of another length than the DOL asked for.
    DolLength,
    /// Data bytes set to boundary values.
    Boundary,
    /// Plain byte mutation of the encoded command.
    Bytes,
}

impl Operator {
    /// Every operator, in a fixed order (weights are indexed by it).
    pub const ALL: [Operator; 15] = [
        Operator::Cla,
        Operator::Ins,
        Operator::P1,
        Operator::P2,
        Operator::LcLie,
        Operator::LeLie,
        Operator::CaseChange,
        Operator::ExtendedLength,
        Operator::TlvTag,
        Operator::TlvLength,
        Operator::TlvNesting,
        Operator::TlvValue,
        Operator::DolLength,
        Operator::Boundary,
        Operator::Bytes,
    ];

    /// The operator's name in dry runs, reports and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Cla => "header-cla",
            Operator::Ins => "header-ins",
            Operator::P1 => "header-p1",
            Operator::P2 => "header-p2",
            Operator::LcLie => "lc-lie",
            Operator::LeLie => "le-lie",
            Operator::CaseChange => "case-change",
            Operator::ExtendedLength => "extended-length",
            Operator::TlvTag => "tlv-tag",
            Operator::TlvLength => "tlv-length",
            Operator::TlvNesting => "tlv-nesting",
            Operator::TlvValue => "tlv-value",
            Operator::DolLength => "dol-length",
            Operator::Boundary => "boundary",
            Operator::Bytes => "bytes",
        }
    }

    /// Position in [`Operator::ALL`].
    pub fn index(self) -> usize {
        Operator::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

/// What the specification lets the card answer to a mutated command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// Anything but `6Fxx` (no precise diagnosis) or an SW1 ISO/IEC 7816-4 does not define.
    Any,
    /// A refusal (SW1 `64`-`6E`): the command is malformed (it does not parse as an APDU), or
    /// its DOL data does not match the DOL (EMV Book 3 §6.5.5.4, §6.5.8.4).
    Refusal,
}

impl Expect {
    /// Whether `sw` is an answer the specification allows.
    pub fn allows(self, sw: u16) -> bool {
        let sw1 = (sw >> 8) as u8;
        match self {
            Expect::Any => (0x61..=0x6E).contains(&sw1) || (0x90..=0x9F).contains(&sw1),
            Expect::Refusal => (0x64..=0x6E).contains(&sw1),
        }
    }

    /// The same as suite status-word patterns (`X` nibbles).
    pub fn sw_patterns(self) -> Vec<String> {
        let first = match self {
            Expect::Any => 0x61,
            Expect::Refusal => 0x64,
        };
        let mut out: Vec<String> = (first..=0x6Eu8).map(|sw1| format!("{sw1:02X}XX")).collect();
        if self == Expect::Any {
            out.push("9XXX".into());
        }
        out
    }

    /// `any` or `refusal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Any => "any",
            Expect::Refusal => "refusal",
        }
    }
}

/// One fuzz case: the flow's steps before `step` replayed as recorded, then `command`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuzzCase {
    /// The case index (`--case K`).
    pub index: u64,
    /// Index of the mutated step in the flow.
    pub step: usize,
    /// How it was mutated.
    pub operator: Operator,
    /// The mutated command.
    pub command: Vec<u8>,
    /// What the card may answer.
    pub expect: Expect,
}

/// Commands that spend a counter, move money or change the card for good, by INS (any CLA):
/// never generated (nor recorded) without `--allow-destructive`. E-purse INITIALIZE / CREDIT /
/// DEBIT / UPDATE OVERDRAFT are in whatever P1, because INITIALIZE FOR LOAD leads to a credit.
pub const DESTRUCTIVE_INS: &[(u8, &str)] = &[
    (0x04, "DEACTIVATE FILE"),
    (0x0E, "ERASE BINARY"),
    (0x0F, "ERASE BINARY"),
    (0x16, "CARD BLOCK"),
    (0x18, "APPLICATION UNBLOCK"),
    (0x1E, "APPLICATION BLOCK"),
    (0x20, "VERIFY"),
    (0x21, "VERIFY"),
    (0x24, "CHANGE REFERENCE DATA"),
    (0x25, "CHANGE REFERENCE DATA"),
    (0x26, "DISABLE VERIFICATION REQUIREMENT"),
    (0x28, "ENABLE VERIFICATION REQUIREMENT"),
    (0x2C, "RESET RETRY COUNTER"),
    (0x2D, "RESET RETRY COUNTER"),
    (0x44, "ACTIVATE FILE"),
    (0x50, "INITIALIZE (e-purse)"),
    (0x52, "CREDIT FOR LOAD"),
    (0x54, "DEBIT FOR PURCHASE"),
    (0x58, "UPDATE OVERDRAFT LIMIT"),
    (0x82, "EXTERNAL AUTHENTICATE"),
    (0xD0, "WRITE BINARY"),
    (0xD1, "WRITE BINARY"),
    (0xD2, "WRITE RECORD"),
    (0xD3, "WRITE RECORD"),
    (0xD6, "UPDATE BINARY"),
    (0xD7, "UPDATE BINARY"),
    (0xDA, "PUT DATA"),
    (0xDB, "PUT DATA"),
    (0xDC, "UPDATE RECORD"),
    (0xDD, "UPDATE RECORD"),
    (0xE0, "CREATE FILE"),
    (0xE2, "APPEND RECORD"),
    (0xE4, "DELETE FILE"),
    (0xE6, "TERMINATE DF"),
    (0xE8, "TERMINATE EF"),
    (0xFE, "TERMINATE CARD USAGE"),
];

/// The name of the destructive command `command` is, if it is one.
pub fn destructive_command(command: &[u8]) -> Option<&'static str> {
    let ins = *command.get(1)?;
    DESTRUCTIVE_INS.iter().find(|(i, _)| *i == ins).map(|(_, name)| *name)
}

/// Class `FF` is the PC/SC reader's own (pseudo-APDUs: LEDs, keys, MIFARE authentication):
/// the reader answers it, not the card, so the fuzzer never sends one the flow did not.
fn reader_command(command: &[u8]) -> bool {
    command.first() == Some(&0xFF)
}

/// A deterministic generator for case `index` of `seed` (SplitMix64 of both).
fn case_rng(seed: u64, index: u64, salt: u64) -> SeededRng {
    let mut mix = SeededRng::new(seed ^ salt.rotate_left(17));
    let mut b = [0u8; 8];
    mix.fill(&mut b);
    SeededRng::new(u64::from_be_bytes(b) ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A number in `0..n` (`n` > 0).
fn below(rng: &mut SeededRng, n: usize) -> usize {
    (rng.next_u32() as usize) % n.max(1)
}

fn pick<T: Copy>(rng: &mut SeededRng, items: &[T]) -> T {
    items[below(rng, items.len())]
}

fn byte(rng: &mut SeededRng) -> u8 {
    (rng.next_u32() >> 24) as u8
}

/// A uniform draw in `[0, 1)` for the scheduler of case `index`: pure in `(seed, index)`.
pub fn schedule_draw(seed: u64, index: u64) -> f64 {
    let mut rng = case_rng(seed, index, 0x5C4E_D01E);
    f64::from(rng.next_u32()) / (f64::from(u32::MAX) + 1.0)
}

/// Case `index` of `seed` on `flow`: `None` when no admissible mutation came out of this index
/// (every draw was a no-op, a destructive command, or a reader command).
///
/// Pure in its arguments, so case `K` generated alone is case `K` of any run.
pub fn generate_case(flow: &RecordedFlow, seed: u64, index: u64, allow_destructive: bool) -> Option<FuzzCase> {
    if flow.steps.is_empty() {
        return None;
    }
    let mut rng = case_rng(seed, index, 0xCA5E);
    for _ in 0..MAX_ATTEMPTS {
        let step = below(&mut rng, flow.steps.len());
        let original = &flow.steps[step].command;
        let ops = applicable(original);
        let operator = pick(&mut rng, &ops);
        let Some(command) = mutate(original, operator, &mut rng) else { continue };
        if command == *original
            || command.len() < MIN_CASE_COMMAND
            || command.len() > MAX_CASE_COMMAND
            || (reader_command(&command) && !reader_command(original))
            || (!allow_destructive && destructive_command(&command).is_some())
        {
            continue;
        }
        let expect = expectation(original, &command);
        return Some(FuzzCase { index, step, operator, command, expect });
    }
    None
}

/// The operators that can change `command`.
fn applicable(command: &[u8]) -> Vec<Operator> {
    let Ok(cmd) = CommandApdu::from_bytes(command) else { return vec![Operator::Bytes] };
    let data = cmd.data();
    let mut ops = vec![
        Operator::Cla,
        Operator::Ins,
        Operator::P1,
        Operator::P2,
        Operator::LeLie,
        Operator::CaseChange,
        Operator::ExtendedLength,
        Operator::Boundary,
        Operator::Bytes,
    ];
    if !data.is_empty() {
        ops.push(Operator::LcLie);
    }
    if !data.is_empty() && tlv_objects(data).is_some() {
        ops.extend([Operator::TlvTag, Operator::TlvLength, Operator::TlvNesting, Operator::TlvValue]);
    }
    if dol_command(&cmd) {
        ops.push(Operator::DolLength);
    }
    ops
}

/// GPO or GENERATE AC: commands whose data the card checks against a DOL it gave.
fn dol_command(cmd: &CommandApdu<'_>) -> bool {
    cmd.cla().0 & 0xF0 == 0x80 && (cmd.ins() == Ins::GET_PROCESSING_OPTIONS || cmd.ins().0 == 0xAE)
}

/// The top-level objects of `data`, when the whole of it is BER-TLV.
fn tlv_objects(data: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let objects: Result<Vec<_>, _> = TlvIter::new(data).collect();
    objects.ok().filter(|o| !o.is_empty())
}

const SWEEP: &[u8] = &[0x00, 0x01, 0x02, 0x03, 0x04, 0x0C, 0x10, 0x1F, 0x40, 0x7F, 0x80, 0x81, 0xC0, 0xFE, 0xFF];
const CLASSES: &[u8] =
    &[0x00, 0x01, 0x03, 0x04, 0x0C, 0x10, 0x40, 0x60, 0x7F, 0x80, 0x84, 0x8C, 0x90, 0xA0, 0xB0, 0xE0];
const BOUNDARY: &[u8] = &[0x00, 0x01, 0x7F, 0x80, 0x99, 0x9A, 0xFE, 0xFF];
const TAGS: &[u32] = &[0x83, 0x84, 0x80, 0x77, 0x70, 0x6F, 0x9F02, 0x9F37, 0x9F66, 0x5A, 0x9F7F00, 0x01];

fn sweep(rng: &mut SeededRng, orig: u8) -> u8 {
    match below(rng, 4) {
        0 => orig.wrapping_add(1),
        1 => orig.wrapping_sub(1),
        2 => byte(rng),
        _ => pick(rng, SWEEP),
    }
}

fn reencode(buf: &CommandApduBuf) -> Option<Vec<u8>> {
    buf.encode().ok()
}

fn mutate(original: &[u8], op: Operator, rng: &mut SeededRng) -> Option<Vec<u8>> {
    let Ok(cmd) = CommandApdu::from_bytes(original) else { return Some(mutate_bytes(original, rng)) };
    let mut buf = cmd.to_buf();
    match op {
        Operator::Cla => {
            buf.cla.0 = if below(rng, 3) == 0 { buf.cla.0 ^ (1 << below(rng, 8)) } else { pick(rng, CLASSES) };
        }
        Operator::Ins => buf.ins = Ins(if below(rng, 2) == 0 { byte(rng) } else { sweep(rng, buf.ins.0) }),
        Operator::P1 => buf.p1 = sweep(rng, buf.p1),
        Operator::P2 => buf.p2 = sweep(rng, buf.p2),
        Operator::LcLie => return lc_lie(original, &cmd, rng),
        Operator::LeLie => {
            buf.ne = match (buf.ne, below(rng, 4)) {
                (Some(_), 0) => None,
                (Some(ne), 1) => Some((ne % 256) + 1),
                (Some(ne), 2) => Some(ne.saturating_sub(1).max(1)),
                _ => Some(u32::from(pick(rng, &[1u8, 2, 4, 0x10, 0x7F, 0x80, 0xFF]))),
            };
        }
        Operator::CaseChange => match below(rng, 4) {
            0 => buf.ne = if buf.ne.is_some() { None } else { Some(256) },
            1 => buf.data.clear(),
            2 => {
                buf.data.clear();
                buf.ne = None;
            }
            _ => buf.data = vec![byte(rng); 1 + below(rng, 8)],
        },
        Operator::ExtendedLength => {
            buf.extended = true;
            if below(rng, 2) == 0 {
                buf.ne = Some(pick(rng, &[256u32, 257, 4096, 65535, 65536]));
            }
        }
        Operator::TlvTag | Operator::TlvLength | Operator::TlvNesting | Operator::TlvValue => {
            buf.data = mutate_tlv(cmd.data(), op, rng)?;
            // A data field past 255 bytes would switch to the extended form by itself: that is
            // the extended-length operator's job.
            if buf.data.len() > 255 {
                return None;
            }
        }
        Operator::DolLength => {
            buf.data = dol_length(&cmd, rng)?;
        }
        Operator::Boundary => {
            if buf.data.is_empty() {
                buf.p1 = pick(rng, BOUNDARY);
                buf.p2 = pick(rng, BOUNDARY);
            } else {
                for _ in 0..1 + below(rng, 4) {
                    let i = below(rng, buf.data.len());
                    buf.data[i] = pick(rng, BOUNDARY);
                }
            }
        }
        Operator::Bytes => return Some(mutate_bytes(original, rng)),
    }
    reencode(&buf)
}

/// Lc changed, data kept: the encoding no longer says where the data ends.
fn lc_lie(original: &[u8], cmd: &CommandApdu<'_>, rng: &mut SeededRng) -> Option<Vec<u8>> {
    let nc = cmd.data().len();
    if nc == 0 || cmd.case().is_extended() || original.len() < 5 {
        return None;
    }
    let mut out = original.to_vec();
    let lies = [0usize, nc.saturating_sub(1), nc + 1, nc + 2, 0xFF, usize::from(byte(rng))];
    let lc = pick(rng, &lies);
    if lc == nc || lc > 0xFF {
        return None;
    }
    out[4] = lc as u8;
    Some(out)
}

/// Mutates one top-level object of BER-TLV command data.
fn mutate_tlv(data: &[u8], op: Operator, rng: &mut SeededRng) -> Option<Vec<u8>> {
    let objects = tlv_objects(data)?;
    let obj = objects[below(rng, objects.len())];
    let (start, value_at, end) = (obj.offset, obj.value_offset(), obj.value_offset() + obj.value.len());
    let tag_end = start + obj.tag.len();
    let mut out = data[..start].to_vec();
    match op {
        Operator::TlvTag => {
            match below(rng, 3) {
                0 => out.extend_from_slice(Tag(pick(rng, TAGS)).to_bytes().as_ref()),
                // A multi-byte tag cut after its first byte (`1F` low bits, nothing after).
                1 => out.push(obj.tag.first_byte() | 0x1F),
                _ => out.push(byte(rng)),
            }
            out.extend_from_slice(&data[tag_end..end]);
        }
        Operator::TlvLength => {
            out.extend_from_slice(&data[start..tag_end]);
            let n = obj.value.len();
            match below(rng, 6) {
                0 => out.push(((n + 1) & 0x7F) as u8),
                1 => out.push((n.saturating_sub(1) & 0x7F) as u8),
                2 => out.push(0x80),                          // indefinite: not in EMV
                3 => out.extend_from_slice(&[0x81, n as u8]), // non-minimal long form
                4 => out.extend_from_slice(&[0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
                _ => out.push(byte(rng)),
            }
            out.extend_from_slice(&data[value_at..end]);
        }
        Operator::TlvNesting => {
            let mut inner = data[start..end].to_vec();
            let depth = if below(rng, 4) == 0 { 20 + below(rng, 20) } else { 1 };
            for _ in 0..depth {
                let mut wrapped = Vec::with_capacity(inner.len() + 4);
                encode_emv_tlv(Tag(pick(rng, &[0x77, 0x70, 0xA5, 0xBF0C, 0xE1])), &inner, &mut wrapped);
                inner = wrapped;
            }
            out.extend_from_slice(&inner);
        }
        _ => {
            let mut value = obj.value.to_vec();
            match below(rng, 3) {
                0 => value.truncate(below(rng, value.len().max(1))),
                1 => value.extend(std::iter::repeat_n(byte(rng), 1 + below(rng, 4))),
                _ => {
                    if let Some(b) = value.get_mut(below(rng, obj.value.len().max(1))) {
                        *b = pick(rng, BOUNDARY);
                    }
                }
            }
            encode_emv_tlv(obj.tag, &value, &mut out);
        }
    }
    out.extend_from_slice(&data[end..]);
    Some(out)
}

/// GPO data `83 L v` re-encoded with a value of another length, or GENERATE AC data cut or
/// extended: well-formed TLV, wrong DOL length.
fn dol_length(cmd: &CommandApdu<'_>, rng: &mut SeededRng) -> Option<Vec<u8>> {
    let data = cmd.data();
    let delta = pick(rng, &[-4isize, -2, -1, 1, 2, 4, 64]);
    let resize = |v: &[u8], rng: &mut SeededRng| {
        let n = (v.len() as isize + delta).max(0) as usize;
        let mut out = v.to_vec();
        out.resize(n, byte(rng));
        out
    };
    if cmd.ins() == Ins::GET_PROCESSING_OPTIONS {
        let value = match parse_emv_tlv(data) {
            Ok((_, t)) if t.tag == Tag(0x83) => t.value,
            _ => data,
        };
        let mut out = Vec::new();
        encode_emv_tlv(Tag(0x83), &resize(value, rng), &mut out);
        (out.len() <= 255).then_some(out)
    } else {
        let out = resize(data, rng);
        (out.len() <= 255 && !out.is_empty()).then_some(out)
    }
}

/// Plain byte mutation of the encoded command: a bit flip, a random byte, an insertion, a
/// deletion, a cut, or bytes appended.
fn mutate_bytes(original: &[u8], rng: &mut SeededRng) -> Vec<u8> {
    let mut out = original.to_vec();
    if out.is_empty() {
        out.push(byte(rng));
        return out;
    }
    let i = below(rng, out.len());
    match below(rng, 6) {
        0 => out[i] ^= 1 << below(rng, 8),
        1 => out[i] = byte(rng),
        2 => out.insert(i, byte(rng)),
        3 => {
            out.remove(i);
        }
        4 => out.truncate(i.max(1)),
        _ => {
            for _ in 0..1 + below(rng, 4) {
                out.push(byte(rng));
            }
        }
    }
    out
}

/// What the specification lets the card answer to `mutated`, a mutation of `original`.
///
/// A command that no longer parses as an APDU must be refused; so must a GPO whose data is
/// not one `83` object of the PDOL's length, and a GENERATE AC whose data is not the CDOL1's
/// length (the length the recorded, accepted command had). Everything else may be answered
/// in any defined way.
pub fn expectation(original: &[u8], mutated: &[u8]) -> Expect {
    let Ok(m) = CommandApdu::from_bytes(mutated) else { return Expect::Refusal };
    let Ok(o) = CommandApdu::from_bytes(original) else { return Expect::Any };
    if !dol_command(&o) || m.cla() != o.cla() || m.ins() != o.ins() {
        return Expect::Any;
    }
    let fits = if o.ins() == Ins::GET_PROCESSING_OPTIONS {
        let value_len = |d: &[u8]| match parse_emv_tlv(d) {
            Ok((rest, t)) if rest.is_empty() && t.tag == Tag(0x83) => Some(t.value.len()),
            _ => None,
        };
        value_len(m.data()).is_some() && value_len(m.data()) == value_len(o.data())
    } else {
        m.data().len() == o.data().len()
    };
    if fits { Expect::Any } else { Expect::Refusal }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz_device::flow::{Flow, FlowStep};
    use crate::terminal::Step;

    fn flow() -> RecordedFlow {
        let step = |step, hex_cmd: &str| FlowStep { step, command: hex::decode(hex_cmd).unwrap(), sw: Some(0x9000) };
        RecordedFlow {
            flow: Flow::Emv,
            steps: vec![
                step(Step::SelectPpse, "00A404000E325041592E5359532E444446303100"),
                step(Step::GetProcessingOptions, "80A8000012831000000001000001560156000000000000"),
                step(Step::ReadRecord { sfi: 1, record: 1 }, "00B2010C00"),
            ],
            liveness_aid: vec![0xA0, 0, 0, 0, 4, 0x10, 0x10],
            atr: None,
        }
    }

    #[test]
    fn cases_are_pure_in_seed_and_index() {
        let f = flow();
        for k in 0..500 {
            assert_eq!(generate_case(&f, 7, k, false), generate_case(&f, 7, k, false));
        }
        let a: Vec<_> = (0..50).map(|k| generate_case(&f, 7, k, false)).collect();
        let b: Vec<_> = (0..50).map(|k| generate_case(&f, 8, k, false)).collect();
        assert_ne!(a, b, "another seed, other cases");
    }

    #[test]
    fn every_operator_shows_up_and_no_case_is_destructive_or_a_no_op() {
        let f = flow();
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..5000 {
            let Some(c) = generate_case(&f, 1, k, false) else { continue };
            assert!(destructive_command(&c.command).is_none(), "{c:?}");
            assert_ne!(c.command, f.steps[c.step].command);
            assert_ne!(c.command.first(), Some(&0xFF));
            assert!(c.command.len() >= MIN_CASE_COMMAND, "{c:?}");
            seen.insert(c.operator);
        }
        assert_eq!(seen.len(), Operator::ALL.len(), "{seen:?}");
    }

    #[test]
    fn dol_and_malformed_commands_must_be_refused() {
        let gpo = hex::decode("80A80000048302AABB00").unwrap();
        assert_eq!(expectation(&gpo, &hex::decode("80A800000583030000CC00").unwrap()), Expect::Refusal);
        assert_eq!(expectation(&gpo, &hex::decode("80A80000048402AABB00").unwrap()), Expect::Refusal);
        assert_eq!(expectation(&gpo, &hex::decode("80A80000048302000000").unwrap()), Expect::Any);
        assert_eq!(expectation(&gpo, &hex::decode("80A8000009830200").unwrap()), Expect::Refusal, "Lc lie");
        assert_eq!(expectation(&gpo, &hex::decode("00A80000048302AABB00").unwrap()), Expect::Any);
        assert!(Expect::Any.allows(0x9000) && !Expect::Any.allows(0x6F00) && !Expect::Any.allows(0x6000));
        assert!(Expect::Refusal.allows(0x6A80) && !Expect::Refusal.allows(0x9000) && !Expect::Refusal.allows(0x6283));
        assert_eq!(Expect::Refusal.sw_patterns().len(), 11);
        assert!(Expect::Any.sw_patterns().contains(&"9XXX".to_string()));
    }

    #[test]
    fn destructive_commands_are_named() {
        assert_eq!(destructive_command(&[0x00, 0x20, 0x00, 0x80]), Some("VERIFY"));
        assert_eq!(destructive_command(&[0x80, 0x54, 0x01, 0x00]), Some("DEBIT FOR PURCHASE"));
        assert_eq!(destructive_command(&[0x00, 0xB2, 0x01, 0x0C]), None);
        assert_eq!(destructive_command(&[0x00]), None);
    }
}
