//! `tapcert transact`: the reference terminal as a PC/SC client. One EMV contactless
//! transaction (`read_emv` over the T=0 layer) with the card in a reader, and its outcome
//! printed; this is what `certify --terminal --terminal-command` launches to certify the
//! reference terminal through pcscd.
//!
//! ```text
//! tapcert transact --reader 'Virtual PCD 00 00' --amount 250000 --currency 0978
//! tapcert transact --reader 'Virtual PCD 00 00' --terminal-fault constant-un   # a planted fault
//! ```

use std::process::ExitCode;

use clap::Args;

/// Arguments of `tapcert transact`.
#[derive(Debug, Args)]
pub struct TransactArgs {
    /// The PC/SC reader (a name or part of one).
    #[arg(long, value_name = "NAME")]
    pub reader: String,
    /// Amount, Authorised (9F02) in minor units.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub amount: u64,
    /// Amount, Other (9F03) in minor units.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub amount_other: u64,
    /// Transaction currency (5F2A), ISO 4217 numeric (4 digits).
    #[arg(long, value_name = "NNNN", default_value = "0156")]
    pub currency: String,
    /// Terminal country (9F1A), ISO 3166-1 numeric (4 digits).
    #[arg(long, value_name = "NNNN", default_value = "0156")]
    pub country: String,
    /// Transaction type (9C), 2 hex digits (`00` purchase).
    #[arg(long = "type", value_name = "XX", default_value = "00")]
    pub transaction_type: String,
    /// Terminal floor limit (9F1B) in minor units: amounts at or above it set "transaction
    /// exceeds floor limit" in the TVR.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub floor_limit: u64,
    /// Terminal Action Code - Denial, 10 hex digits.
    #[arg(long, value_name = "HEX", default_value = "0000000000")]
    pub tac_denial: String,
    /// Terminal Action Code - Online, 10 hex digits.
    #[arg(long, value_name = "HEX", default_value = "F45084800C")]
    pub tac_online: String,
    /// Terminal Action Code - Default, 10 hex digits.
    #[arg(long, value_name = "HEX", default_value = "F45084800C")]
    pub tac_default: String,
    /// Whether the terminal can go online (`false`: offline-only, a TC or an AAC).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub online_capable: bool,
    /// Plant a terminal fault (for testing the terminal suite only); repeatable.
    #[arg(long = "terminal-fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Seed of the unpredictable numbers. Default: drawn from the time and the process id, so
    /// that every launch sends another number.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// How long to wait for a card, in seconds.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub wait: u64,
}

/// Two BCD bytes of a 4-digit ISO code.
#[cfg(feature = "pcsc")]
fn bcd_code(what: &str, s: &str) -> anyhow::Result<[u8; 2]> {
    tapcert_conformance::certify::terminal::iso_numeric_code(s)
        .ok_or_else(|| anyhow::anyhow!("--{what} {s:?}: 4 decimal digits (ISO numeric code)"))
}

/// A Terminal Action Code of 10 hex digits.
#[cfg(feature = "pcsc")]
fn action_code(what: &str, s: &str) -> anyhow::Result<[u8; 5]> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 5]>::try_from(b).ok())
        .ok_or_else(|| anyhow::anyhow!("--{what} {s:?}: 10 hex digits"))
}

/// Runs `tapcert transact`.
#[cfg(feature = "pcsc")]
pub fn run(args: &TransactArgs) -> anyhow::Result<ExitCode> {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use anyhow::Context;
    use tapcert_conformance::certify::terminal::{Outcome, transaction_type_code};
    use tapcert_conformance::clock::{SeededRng, SystemClock};
    use tapcert_conformance::terminal::{TerminalConfig, TerminalFault, read_emv, terminal_link};
    use tapcert_conformance::transport::{CardPresence, Pcsc, PcscOptions, Transport};

    let config = TerminalConfig {
        amount_authorised: args.amount,
        amount_other: args.amount_other,
        currency_code: bcd_code("currency", &args.currency)?,
        country_code: bcd_code("country", &args.country)?,
        transaction_type: transaction_type_code(&args.transaction_type)
            .ok_or_else(|| anyhow::anyhow!("--type {:?}: 2 hex digits", args.transaction_type))?,
        faults: TerminalFault::from_names(&args.faults)?,
        floor_limit: args.floor_limit,
        tac_denial: action_code("tac-denial", &args.tac_denial)?,
        tac_online: action_code("tac-online", &args.tac_online)?,
        tac_default: action_code("tac-default", &args.tac_default)?,
        online_capable: args.online_capable,
        ..TerminalConfig::default()
    };
    let seed = args.seed.unwrap_or_else(|| {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        nanos ^ (u64::from(std::process::id()) << 32)
    });
    let mut pcsc = Pcsc::open(PcscOptions { reader: Some(args.reader.clone()), ..PcscOptions::default() })
        .with_context(|| format!("opening reader {:?}", args.reader))?;
    pcsc.wait_for(CardPresence::Present, Duration::from_secs(args.wait))
        .with_context(|| format!("waiting for a card in {:?}", args.reader))?;
    let clock = SystemClock::new();
    let mut link = terminal_link(pcsc, &config);
    let tx = read_emv(&mut link, &config, &mut SeededRng::new(seed), &clock);
    let outcome = Outcome::of_accepted(tx.completed, tx.result.accepted_cryptogram()).as_str();
    let mut out = crate::out::Stdout::new();
    out.line(format_args!(
        "{outcome}: {} commands, {} findings{}",
        tx.exchanges.len(),
        tx.violations().count(),
        tx.fault.as_ref().map(|f| format!(", transport: {f}")).unwrap_or_default()
    ))?;
    out.finish()?;
    Ok(ExitCode::from(match (tx.completed, &tx.fault) {
        (true, _) => 0,
        (false, None) => 1,
        (false, Some(_)) => 3,
    }))
}

/// Runs `tapcert transact` (built without PC/SC: an error that says so).
#[cfg(not(feature = "pcsc"))]
pub fn run(args: &TransactArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("--reader {:?}: this tapcert was built without PC/SC (cargo build --features pcsc)", args.reader)
}
