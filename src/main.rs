//! `tapcert`: fuzz and certify contactless (NFC) and QR payment implementations.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench_tokens;
mod certify;
mod certify_terminal;
mod decode;
mod fuzz_device;
mod hex_arg;
mod out;
mod readers;
mod sim;
mod token;
mod transact;

/// Fuzz and certify contactless (NFC) and QR payment implementations.
#[derive(Debug, Parser)]
#[command(name = "tapcert", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Certify a firmware build: run conformance suites against a device and write the reports.
    Certify(certify::CertifyArgs),
    /// Compare two certification runs.
    Report {
        #[command(subcommand)]
        what: certify::ReportCommand,
    },
    /// List the bundled suites, or import a script as a suite.
    Suite {
        #[command(subcommand)]
        what: certify::SuiteCommand,
    },
    /// Black-box protocol fuzzing of a live card, band or phone (or the built-in band).
    FuzzDevice(fuzz_device::FuzzDeviceArgs),
    /// Decode an APDU, ATR, BER-TLV, NDEF or QR payload and say what is wrong with it.
    Decode(decode::DecodeArgs),
    /// Generate EMV cryptograms, dynamic codes and QR tokens.
    Token(token::TokenArgs),
    /// Serve the reference virtual band (or a faulty firmware profile) to pcscd through vpcd.
    Sim(sim::SimArgs),
    /// List PC/SC readers, their state and the ATR of the card present.
    Readers(readers::ReadersArgs),
    /// Run one EMV contactless transaction with the reference terminal through a PC/SC reader.
    Transact(transact::TransactArgs),
    /// Measure throughput on this machine.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Tokens per second for each kind, one thread and all cores.
    Tokens(bench_tokens::BenchTokensArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            // A closed or full stream here is not worth a panic; the status still tells.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match &cli.command {
        Command::Certify(args) => certify::run(args),
        Command::Report { what } => certify::run_report(what),
        Command::Suite { what } => certify::run_suite(what),
        Command::FuzzDevice(args) => fuzz_device::run(args),
        Command::Decode(args) => decode::run(args),
        Command::Token(args) => token::run(args),
        Command::Sim(args) => sim::run(args),
        Command::Readers(args) => readers::run(args),
        Command::Transact(args) => transact::run(args),
        Command::Bench { what: BenchCommand::Tokens(args) } => bench_tokens::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => out::output_error_exit(&e).unwrap_or_else(|| {
            out::message(format_args!("tapcert: {e:#}"));
            ExitCode::from(2)
        }),
    }
}
