//! `tapcert decode FORMAT [INPUT] [--json] [--strict] [--unmask]`: reads the flags and the
//! input; the documents (the human tree, the JSON, the findings) come from
//! `tapcert_parsers::render`, the same ones certification reports embed.
//!
//! Exit codes: 0 decoded (input that breaks rules still decodes), 1 input rejected (message
//! with the offset on stderr) or, with `--strict`, some finding is a violation (a warning or
//! an error; info findings never fail), 2 usage errors (bad hex, unreadable file, bad
//! arguments).

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use tapcert_parsers::qr::QrPayloadKind;
use tapcert_parsers::render::{
    Mask, RenderError, Rendered, render_atr, render_capdu, render_ndef, render_qr, render_rapdu, render_t2t,
    render_t4t_cc, render_tlv,
};

use crate::hex_arg::parse_hex_arg;

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

/// Runs `tapcert decode`: reads the flags and the input, asks the library for the documents,
/// prints one.
pub fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let mask = if args.unmask { Mask::Shown } else { Mask::Masked };
    let bytes = || read_input_bytes(args);
    let rendered = match args.format {
        Format::Tlv => render_tlv(&bytes()?, mask),
        Format::Capdu => render_capdu(&bytes()?, mask),
        Format::Rapdu => render_rapdu(&bytes()?, mask),
        Format::Atr => render_atr(&bytes()?),
        Format::Ndef => render_ndef(&bytes()?),
        Format::T4tCc => render_t4t_cc(&bytes()?),
        Format::T2tTlv => render_t2t(&bytes()?),
        Format::Qr => render_qr(&read_text(args)?, None, mask),
        Format::QrMpm => render_qr(&read_text(args)?, Some(QrPayloadKind::Mpm), mask),
        Format::QrCpm => render_qr(&read_text(args)?, Some(QrPayloadKind::Cpm), mask),
    };
    Ok(report(rendered, args))
}

fn report(outcome: Result<Rendered, RenderError>, args: &DecodeArgs) -> ExitCode {
    match outcome {
        Ok(rendered) => {
            let fails = args.strict && rendered.has_violation();
            let text = if args.json {
                let mut json = serde_json::to_string_pretty(&rendered.json).unwrap_or_default();
                json.push('\n');
                json
            } else {
                rendered.human
            };
            // A closed pipe (`tapcert decode ... | head`) is the reader's choice, not an error.
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
            if fails { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        Err(rejected) => {
            eprintln!("tapcert: rejected: {rejected}");
            ExitCode::from(1)
        }
    }
}

/// The raw text of the input argument or standard input.
fn read_input_text(input: Option<&str>) -> anyhow::Result<String> {
    match input {
        Some(text) if text != "-" => Ok(text.to_owned()),
        _ => {
            let mut stdin = std::io::stdin();
            if stdin.is_terminal() {
                bail!("no input: give it as an argument, with --bin FILE, or on standard input");
            }
            let mut text = String::new();
            stdin.read_to_string(&mut text).context("reading standard input")?;
            Ok(text)
        }
    }
}

fn read_input_bytes(args: &DecodeArgs) -> anyhow::Result<Vec<u8>> {
    if let Some(path) = &args.bin {
        return std::fs::read(path).with_context(|| format!("reading {}", path.display()));
    }
    let text = read_input_text(args.input_text().as_deref())?;
    parse_hex_arg("INPUT", &text)
}

/// The payload text of a QR format from the argument, standard input or `--bin FILE` (read
/// as UTF-8).
fn read_text(args: &DecodeArgs) -> anyhow::Result<String> {
    match &args.bin {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {} as UTF-8 text", path.display()))
        }
        None => read_input_text(args.input_text().as_deref()),
    }
}
