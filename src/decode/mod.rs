//! `tapcert decode FORMAT [INPUT] [--json]`: one module per format, one shared front end.
//!
//! Exit codes: 0 decoded (QR payloads that break rules still decode, unless `--strict`),
//! 1 input rejected (message with the offset on stderr), 2 usage errors (bad hex, unreadable
//! file, bad arguments).

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

mod apdu;
pub(crate) mod atr;
mod ndef;
mod qr;
mod tlv;

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
    /// Exit 1 when the payload decodes but breaks a rule of its format or profile.
    #[arg(long)]
    pub strict: bool,
    /// Show PANs and track data in full (they are masked by default, in every output).
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

/// What a format module returns for input it could decode.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The indented tree a person reads.
    pub human: String,
    /// The stable JSON document.
    pub json: serde_json::Value,
    /// True when a validator found a broken rule (only `--strict` turns this into exit 1).
    pub has_findings: bool,
}

/// Input a format module rejected: the message names the offset and what was expected.
#[derive(Debug)]
pub(crate) struct Rejected {
    /// Byte offset (or character offset for text formats) of the fault, when there is one.
    pub offset: Option<usize>,
    /// What was wrong, in the format's own words.
    pub message: String,
}

impl Rejected {
    /// A rejection carrying an error's offset and message.
    pub fn at(offset: usize, message: impl std::fmt::Display) -> Self {
        Rejected { offset: Some(offset), message: message.to_string() }
    }
}

/// Runs `tapcert decode`.
pub fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    // QR input is text, not hex.
    let bytes = if qr::is_qr(args.format) { Vec::new() } else { read_input_bytes(args)? };
    let outcome = match args.format {
        Format::Tlv => tlv::decode_with(&bytes, if args.unmask { tlv::Pan::Shown } else { tlv::Pan::Masked }),
        Format::Capdu => apdu::decode_command(&bytes),
        Format::Rapdu => apdu::decode_response(&bytes),
        Format::Atr => atr::decode(&bytes),
        Format::Ndef => ndef::decode(&bytes),
        Format::T4tCc => ndef::decode_t4t_cc_file(&bytes),
        Format::T2tTlv => ndef::decode_t2t(&bytes),
        Format::Qr | Format::QrMpm | Format::QrCpm => qr::decode(&qr::read_text(args)?, args.format),
    };
    Ok(report(outcome, args))
}

fn report(outcome: Result<Decoded, Rejected>, args: &DecodeArgs) -> ExitCode {
    match outcome {
        Ok(decoded) => {
            let text = if args.json {
                let mut json = serde_json::to_string_pretty(&decoded.json).unwrap_or_default();
                json.push('\n');
                json
            } else {
                decoded.human
            };
            // A closed pipe (`tapcert decode ... | head`) is the reader's choice, not an error.
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
            if args.strict && decoded.has_findings { ExitCode::from(1) } else { ExitCode::SUCCESS }
        }
        Err(rejected) => {
            // Format errors already say where; add the offset only when the message does not.
            match rejected.offset {
                Some(offset) if !rejected.message.contains("offset") => {
                    eprintln!("tapcert: rejected at offset {offset}: {}", rejected.message)
                }
                _ => eprintln!("tapcert: rejected: {}", rejected.message),
            }
            ExitCode::from(1)
        }
    }
}

/// The raw text of the input argument or standard input.
pub(crate) fn read_input_text(input: Option<&str>) -> anyhow::Result<String> {
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
    parse_hex_input(&text)
}

/// Hex as people paste it from traces: upper or lower case, with spaces, colons, tabs and line
/// breaks between bytes (never inside one), an optional `0x` prefix on the whole input.
pub(crate) fn parse_hex_input(text: &str) -> anyhow::Result<Vec<u8>> {
    let trimmed = text.trim();
    let trimmed = trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")).unwrap_or(trimmed);
    let mut digits = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.char_indices() {
        match c {
            c if c.is_ascii_hexdigit() => digits.push(c),
            ' ' | ':' | '\t' | '\n' | '\r' => {
                if digits.len() % 2 == 1 {
                    bail!("invalid hex: separator inside a byte at character {i}");
                }
            }
            other => bail!("invalid hex: unexpected {other:?} at character {i}"),
        }
    }
    if digits.len() % 2 == 1 {
        bail!("invalid hex: odd number of digits ({})", digits.len());
    }
    hex::decode(&digits).context("invalid hex")
}

/// Upper-case hex without separators, the form every JSON document uses.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_input_forms() {
        assert_eq!(parse_hex_input("6f 2F:84\n0e").unwrap(), [0x6F, 0x2F, 0x84, 0x0E]);
        assert_eq!(parse_hex_input("0x9000").unwrap(), [0x90, 0x00]);
        assert!(parse_hex_input("6 f").is_err());
        assert!(parse_hex_input("6fz").is_err());
        assert!(parse_hex_input("6f0").is_err());
        assert_eq!(parse_hex_input("  ").unwrap(), Vec::<u8>::new());
    }
}
