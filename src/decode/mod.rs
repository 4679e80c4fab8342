//! `tapcert decode FORMAT [INPUT] [--json] [--strict] [--unmask]`: reads the flags and the
//! input; the documents (the human tree, the JSON, the findings) come from
//! `tapcert_parsers::render`, the same ones certification reports embed.
//!
//! Exit codes: 0 decoded (input that breaks rules still decodes), 1 input rejected (message
//! with the offset on stderr; empty input; input over the size or object budget) or, with
//! `--strict`, some finding is a violation (a warning or an error; info findings never fail),
//! 2 usage errors (bad hex, unreadable file, bad arguments), 141 standard output closed by its
//! reader, 74 any other error writing standard output.
//!
//! The resource budget (README, "Budgets"): at most `--max-input` bytes are read from any
//! source (a file, standard input, the argument), each read bounded so `/dev/zero` is refused
//! after that many bytes, not after memory runs out; at most `--max-objects` objects per
//! input; only the rendering asked for is produced, and it is written while the input is
//! walked, so memory stays linear in the input.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use tapcert_parsers::qr::QrPayloadKind;
use tapcert_parsers::render::{Budget, Document, Mask, RenderError, Style};

use crate::hex_arg::parse_hex_arg;
use crate::out::{OutputError, Stdout};

/// Default `--max-input`: 16 MiB, well above real traces and Type 2/4 Tag dumps.
pub(crate) const DEFAULT_MAX_INPUT: u64 = 16 << 20;

/// Arguments of `tapcert decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// What the input is.
    #[arg(value_enum)]
    pub format: Format,
    /// The input: hex (spaces, colons and line breaks allowed) or, for `qr`, the payload text.
    /// Several words are joined with single spaces, so an unquoted trace works. Absent or `-`:
    /// read standard input.
    #[arg(num_args = 0..)]
    pub input: Vec<String>,
    /// Read raw bytes from FILE instead of hex.
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    pub bin: Option<PathBuf>,
    /// Print one JSON document (shapes in the README) instead of the indented tree.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when the input decodes but a finding is a violation (severity warning or error),
    /// the same for every format.
    #[arg(long)]
    pub strict: bool,
    /// Show PANs, track data and cardholder names in full (masked by default, in every output
    /// of every format: tlv, capdu, rapdu, qr).
    #[arg(long)]
    pub unmask: bool,
    /// Refuse input longer than BYTES (raw bytes for --bin, characters of text otherwise).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_INPUT)]
    pub max_input: u64,
    /// Refuse input with more than N objects (TLV objects, NDEF records, Type 2 Tag TLVs, QR
    /// data objects, UPI parameters; nested ones count).
    #[arg(long, value_name = "N", default_value_t = Budget::DEFAULT_MAX_OBJECTS)]
    pub max_objects: usize,
}

impl DecodeArgs {
    /// The input words joined as the shell split them; `None` when there are none.
    pub(crate) fn input_text(&self) -> Option<String> {
        (!self.input.is_empty()).then(|| self.input.join(" "))
    }
}

/// Formats `tapcert decode` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// ISO/IEC 7816-4 command APDU.
    Capdu,
    /// ISO/IEC 7816-4 response APDU (data + SW1 SW2).
    Rapdu,
    /// ISO/IEC 7816-3 answer to reset, or a PC/SC contactless pseudo-ATR.
    Atr,
    /// BER-TLV as EMV uses it, with names from the EMV data dictionary.
    Tlv,
    /// NFC Forum NDEF message (records, chunks reassembled, well-known types decoded).
    Ndef,
    /// NFC Forum Type 4 Tag Capability Container file (E103).
    #[value(name = "t4t-cc")]
    T4tCc,
    /// NFC Forum Type 2 Tag TLV blocks: a memory dump from page 0, or a bare TLV area.
    #[value(name = "t2t-tlv")]
    T2tTlv,
    /// EMV QR payment text: EMVCo MPM or CPM (base64), a upi:// link or a wallet payment code.
    Qr,
    /// EMVCo Merchant-Presented Mode text only.
    QrMpm,
    /// EMVCo Consumer-Presented Mode (base64) only.
    QrCpm,
}

/// Input that is refused before it is decoded (exit 1, like input the format rejects).
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Runs `tapcert decode`: reads the flags and the input (bounded), decodes it within the
/// budget, writes the one rendering asked for as it is produced.
pub fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    match decode(args) {
        Err(e) if e.downcast_ref::<Refused>().is_some() => {
            crate::out::message(format_args!("tapcert: rejected: {e}"));
            Ok(ExitCode::from(1))
        }
        other => other,
    }
}

fn decode(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let mask = if args.unmask { Mask::Shown } else { Mask::Masked };
    let budget = Budget { max_objects: args.max_objects };
    let text;
    let bytes;
    let document = match args.format {
        Format::Qr | Format::QrMpm | Format::QrCpm => {
            text = read_text(args)?;
            let kind = match args.format {
                Format::QrMpm => Some(QrPayloadKind::Mpm),
                Format::QrCpm => Some(QrPayloadKind::Cpm),
                _ => None,
            };
            Document::qr(&text, kind, mask, budget)
        }
        format => {
            bytes = read_input_bytes(args)?;
            match format {
                Format::Tlv => Document::tlv(&bytes, mask, budget),
                Format::Capdu => Document::capdu(&bytes, mask),
                Format::Rapdu => Document::rapdu(&bytes, mask, budget),
                Format::Atr => Document::atr(&bytes),
                Format::Ndef => Document::ndef(&bytes, budget),
                Format::T4tCc => Document::t4t_cc(&bytes),
                _ => Document::t2t(&bytes, budget),
            }
        }
    };
    report(document, args)
}

fn report(outcome: Result<Document<'_>, RenderError>, args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let document = match outcome {
        Ok(document) => document,
        Err(rejected) => {
            crate::out::message(format_args!("tapcert: rejected: {rejected}"));
            return Ok(ExitCode::from(1));
        }
    };
    let fails = args.strict && document.has_violation();
    let style = if args.json { Style::Json } else { Style::Human };
    let mut stdout = Stdout::new();
    let mut io_error = None;
    let written = document.write(style, &mut stdout.fmt_writer(&mut io_error));
    match (written, io_error) {
        (_, Some(e)) => return Err(OutputError(e).into()),
        (Err(_), None) => return Err(OutputError(std::io::Error::other("the document could not be written")).into()),
        (Ok(()), None) => stdout.finish()?,
    }
    Ok(if fails { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Reads at most `limit` bytes from `source`: one byte more means the input is over the
/// budget, refused without reading the rest. `raise` says how to raise the budget, if one can.
pub(crate) fn read_bounded(source: impl Read, limit: u64, what: &str, raise: &str) -> anyhow::Result<Vec<u8>> {
    read_bounded_sized(source, 0, limit, what, raise)
}

/// [`read_bounded`] of a source whose size is known (a file's): the buffer is allocated once,
/// not doubled as it fills (a doubling buffer can hold twice the input).
fn read_bounded_sized(source: impl Read, size: u64, limit: u64, what: &str, raise: &str) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(usize::try_from(size.min(limit).saturating_add(1)).unwrap_or(0));
    source.take(limit.saturating_add(1)).read_to_end(&mut buf).with_context(|| format!("reading {what}"))?;
    if buf.len() as u64 > limit {
        return Err(Refused(format!("{what} is longer than {limit} bytes, the input budget{raise}")).into());
    }
    Ok(buf)
}

/// Opens `path` and tells its size (0 when it has none, as for a pipe or `/dev/zero`).
fn open_sized(path: &std::path::Path) -> anyhow::Result<(std::fs::File, u64)> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file.metadata().map(|m| if m.is_file() { m.len() } else { 0 }).unwrap_or(0);
    Ok((file, size))
}

/// The `raise` of [`read_bounded`] for `decode`.
const RAISE_MAX_INPUT: &str = " (raise it with --max-input BYTES)";

/// The raw text of the input argument or standard input.
fn read_input_text(args: &DecodeArgs) -> anyhow::Result<String> {
    let text = match args.input_text() {
        Some(text) if text != "-" => {
            if text.len() as u64 > args.max_input {
                return Err(Refused(format!(
                    "the input argument is longer than {} bytes, the input budget (raise it with --max-input BYTES)",
                    args.max_input
                ))
                .into());
            }
            text
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                bail!("no input: give it as an argument, with --bin FILE, or on standard input");
            }
            let raw = read_bounded(stdin.lock(), args.max_input, "standard input", RAISE_MAX_INPUT)?;
            String::from_utf8(raw).map_err(|e| {
                Refused(format!(
                    "standard input is not UTF-8 text (byte {}); use --bin FILE for raw bytes",
                    e.utf8_error().valid_up_to()
                ))
            })?
        }
    };
    if text.trim().is_empty() {
        return Err(Refused("empty input: nothing to decode".into()).into());
    }
    Ok(text)
}

fn read_input_bytes(args: &DecodeArgs) -> anyhow::Result<Vec<u8>> {
    let bytes = match &args.bin {
        Some(path) => {
            let (file, size) = open_sized(path)?;
            read_bounded_sized(file, size, args.max_input, &path.display().to_string(), RAISE_MAX_INPUT)?
        }
        None => parse_hex_arg("INPUT", &read_input_text(args)?)?,
    };
    if bytes.is_empty() {
        return Err(Refused("empty input: nothing to decode".into()).into());
    }
    Ok(bytes)
}

/// The payload text of a QR format from the argument, standard input or `--bin FILE` (read
/// as UTF-8).
fn read_text(args: &DecodeArgs) -> anyhow::Result<String> {
    match &args.bin {
        Some(path) => {
            let (file, size) = open_sized(path)?;
            let raw = read_bounded_sized(file, size, args.max_input, &path.display().to_string(), RAISE_MAX_INPUT)?;
            let text = String::from_utf8(raw).with_context(|| format!("reading {} as UTF-8 text", path.display()))?;
            if text.trim().is_empty() {
                return Err(Refused("empty input: nothing to decode".into()).into());
            }
            Ok(text)
        }
        None => read_input_text(args),
    }
}
