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
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use tapcert_conformance::clock::{Clock, SystemClock};
use tapcert_conformance::mask::{masked_command_hex, masked_hex};
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

/// Runs `tapcert sim`.
pub fn run(args: &SimArgs) -> anyhow::Result<ExitCode> {
    if args.list_profiles {
        let mut out = crate::out::Stdout::new();
        for p in profiles() {
            out.line(format_args!("{}\t{}\t{}", p.name, p.kind.as_str(), p.description))?;
        }
        out.finish()?;
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
    crate::out::message(format_args!("tapcert sim: profile {} serving vpcd at {}", profile.name, args.vpcd));
    // One clock for the band's delays, the reconnect backoff and the log's timestamps.
    let clock = Arc::new(SystemClock::new());
    let mut server = VpcdServer::new(Band::with_config(profile, config), options).with_clock(clock.clone());
    let mut log_error = None;
    server.run(&mut |event| {
        let line = match event {
            VpcdEvent::Connected(peer) => {
                crate::out::message(format_args!("tapcert sim: connected to vpcd {peer}"));
                format!("# connected {peer}")
            }
            VpcdEvent::Disconnected => {
                crate::out::message(format_args!("tapcert sim: vpcd closed the connection"));
                "# disconnected".to_string()
            }
            VpcdEvent::ConnectFailed { attempt, error, retry_in } => {
                // The first failure, then every doubling: the user learns what is awaited
                // without a line every two seconds.
                if attempt.is_power_of_two() {
                    crate::out::message(format_args!(
                        "tapcert sim: waiting for vpcd at {} ({error}; is pcscd running with the vpcd driver?), try {attempt}, next in {:.1} s",
                        args.vpcd,
                        retry_in.as_secs_f64()
                    ));
                }
                format!("# connect failed: {error}")
            }
            VpcdEvent::Control(code) => format!("# control {code:02X}"),
            VpcdEvent::Apdu { capdu, rapdu } => format!("> {}\t< {}", masked_command_hex(capdu), masked_hex(rapdu)),
        };
        if let Some(w) = log.as_mut() {
            // Flushed per line: the server usually ends by a signal.
            if let Err(e) = writeln!(w, "{}\t{line}", clock.now().as_micros()).and_then(|()| w.flush()) {
                log_error.get_or_insert(e);
            }
        }
    })?;
    if let Some(e) = log_error {
        bail!("writing the APDU log: {e}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut v = (payload.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(payload);
        v
    }

    /// Plays vpcd against `tapcert sim --once --log FILE` and reads the log back.
    #[test]
    fn serves_one_connection_and_logs_masked_apdus() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let log = std::env::temp_dir().join(format!("tapcert-sim-log-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&log);
        let args = SimArgs {
            vpcd: listener.local_addr().unwrap().to_string(),
            profile: "reference".into(),
            list_profiles: false,
            log: Some(log.clone()),
            once: true,
            seed: None,
        };
        let server = std::thread::spawn(move || run(&args).unwrap());
        let (mut s, _) = listener.accept().unwrap();
        let read_frame = |s: &mut std::net::TcpStream| {
            let mut len = [0u8; 2];
            s.read_exact(&mut len).unwrap();
            let mut v = vec![0u8; usize::from(u16::from_be_bytes(len))];
            s.read_exact(&mut v).unwrap();
            v
        };
        s.write_all(&frame(&[0x01])).unwrap();
        s.write_all(&frame(&[0x04])).unwrap();
        assert_eq!(read_frame(&mut s), [0x3B, 0x80, 0x80, 0x01, 0x01]);
        s.write_all(&frame(&hex::decode("00A4040007A000000004101000").unwrap())).unwrap();
        assert!(read_frame(&mut s).ends_with(&[0x90, 0x00]));
        s.write_all(&frame(&[0x00, 0xB2, 0x02, 0x0C, 0x00])).unwrap();
        let record = read_frame(&mut s);
        assert!(hex::encode_upper(&record).contains("5413330089600010"), "the band answers the real PAN");
        drop(s);
        assert_eq!(server.join().unwrap(), ExitCode::SUCCESS, "--once returns when vpcd closes");
        let text = std::fs::read_to_string(&log).unwrap();
        let _ = std::fs::remove_file(&log);
        assert!(text.contains("> 00B2020C00\t< 704B5A08541333******0010"), "{text}");
        assert!(!text.contains("5413330089600010"), "PAN leaked into the log:\n{text}");
        assert!(text.contains("# connected") && text.contains("# disconnected"), "{text}");
    }

    #[test]
    fn unknown_profile_is_an_error() {
        let args = SimArgs {
            vpcd: DEFAULT_VPCD_ADDR.into(),
            profile: "no-such-firmware".into(),
            list_profiles: false,
            log: None,
            once: true,
            seed: None,
        };
        assert!(run(&args).unwrap_err().to_string().contains("--list-profiles"));
    }
}
