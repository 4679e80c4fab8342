//! `tapcert`: fuzz and certify contactless (NFC) and QR payment implementations.
mod bench_tokens;
mod token;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "tapcert", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate EMV cryptograms, dynamic codes and QR tokens.
    Token(token::TokenArgs),
    /// Benchmarks.
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

fn main() -> anyhow::Result<std::process::ExitCode> {
    match Cli::parse().command {
        Command::Token(args) => token::run(&args),
        Command::Bench { what: BenchCommand::Tokens(args) } => bench_tokens::run(&args),
    }
}
