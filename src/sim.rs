//! `tapcert sim`: serve the reference virtual band (or one of its faulty firmware profiles) to
//! a real pcscd through the vsmartcard vpcd driver.
//!
//! ```text
//! tapcert sim                              # reference band on 127.0.0.1:35963 (reader "Virtual PCD 00 00")
//! tapcert sim --profile atc-stuck --log apdu.log
//! tapcert sim --list-profiles              # NAME<TAB>reference|faulty<TAB>description
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Args;
use tapcert_conformance::mask::masked_hex;
use tapcert_conformance::sim::{Band, BandConfig, find_profile, profiles};
use tapcert_conformance::transport::vpcd::{DEFAULT_VPCD_ADDR, VpcdEvent, VpcdOptions, VpcdServer};

/// Arguments of `tapcert sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// vpcd address (HOST:PORT); slot 0 is 35963, slot 1 is 35964.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_VPCD_ADDR)]
    pub vpcd: String,
    /// Firmware profile to run (see --list-profiles).
    #[arg(long, value_name = "NAME", default_value = "reference")]
    pub profile: String,
    /// Print the profiles, one per line: NAME<TAB>reference|faulty<TAB>description.
    #[arg(long)]
    pub list_profiles: bool,
    /// Append every APDU answered to FILE (PANs and track data masked).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Exit when vpcd closes the connection instead of reconnecting.
    #[arg(long)]
    pub once: bool,
    /// Seed of the band's pseudo-random numbers (runs with the same seed reproduce).
    #[arg(long)]
    pub seed: Option<u64>,
}

fn unix_micros() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0)
}

/// Runs `tapcert sim`.
pub fn run(args: &SimArgs) -> anyhow::Result<ExitCode> {
    if args.list_profiles {
        let mut out = std::io::stdout().lock();
        for p in profiles() {
            writeln!(out, "{}\t{}\t{}", p.name, p.kind.as_str(), p.description)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(profile) = find_profile(&args.profile) else {
        bail!("unknown profile {:?} (tapcert sim --list-profiles)", args.profile);
    };
    let mut config = BandConfig::default();
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let mut log = match &args.log {
        Some(path) => Some(BufWriter::new(
            File::options().create(true).append(true).open(path).with_context(|| format!("{}", path.display()))?,
        )),
        None => None,
    };
    let options = VpcdOptions { addr: args.vpcd.clone(), reconnect: !args.once, ..VpcdOptions::default() };
    eprintln!("tapcert sim: profile {} serving vpcd at {}", profile.name, args.vpcd);
    let mut server = VpcdServer::new(Band::with_config(profile, config), options);
    let mut log_error = None;
    server.run(&mut |event| {
        let line = match event {
            VpcdEvent::Connected(peer) => {
                eprintln!("tapcert sim: connected to vpcd {peer}");
                format!("# connected {peer}")
            }
            VpcdEvent::Disconnected => {
                eprintln!("tapcert sim: vpcd closed the connection");
                "# disconnected".to_string()
            }
            VpcdEvent::Control(code) => format!("# control {code:02X}"),
            VpcdEvent::Apdu { capdu, rapdu } => format!("> {}\t< {}", masked_hex(capdu), masked_hex(rapdu)),
        };
        if let Some(w) = log.as_mut() {
            // Flushed per line: the server usually ends by a signal.
            if let Err(e) = writeln!(w, "{}\t{line}", unix_micros()).and_then(|()| w.flush()) {
                log_error.get_or_insert(e);
            }
        }
    })?;
    if let Some(e) = log_error {
        bail!("writing the APDU log: {e}");
    }
    Ok(ExitCode::SUCCESS)
}
