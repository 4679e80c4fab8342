//! `tapcert sim`: serve the reference virtual band (or one of its faulty firmware profiles) to
//! a real pcscd through the vsmartcard vpcd driver.
//!
//! ```text
//! tapcert sim                              # reference band on 127.0.0.1:35963 (reader "Virtual PCD 00 00")
//! tapcert sim --profile atc-stuck --log apdu.log
//! tapcert sim --list-profiles              # NAME<TAB>reference|faulty<TAB>description
//! tapcert sim --image base --observe obs.json   # a card image (file or bundled name), what the terminal sent
//! tapcert sim --list-images                # NAME<TAB>description
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use tapcert_conformance::card::Card;
use tapcert_conformance::clock::{Clock, SystemClock};
use tapcert_conformance::image::{ImageCard, bundled_image, bundled_image_names, find_image};
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
    /// Serve a card image instead of the band: a TOML file (docs/card-images.md) or the name
    /// of a bundled image (see --list-images).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "seed"])]
    pub image: Option<String>,
    /// With --image: keep every command the terminal sent and the answer in OUT (transcript
    /// JSON, PANs and track data masked), rewritten after each exchange.
    #[arg(long, value_name = "OUT", requires = "image")]
    pub observe: Option<PathBuf>,
    /// Print the bundled card images, one per line: NAME<TAB>description.
    #[arg(long)]
    pub list_images: bool,
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
    if args.list_images {
        let mut out = crate::out::Stdout::new();
        for name in bundled_image_names() {
            let description = bundled_image(name).map(|i| i.description).unwrap_or_else(|e| e.to_string());
            out.line(format_args!("{name}\t{description}"))?;
        }
        out.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    let options = VpcdOptions { addr: args.vpcd.clone(), reconnect: !args.once, ..VpcdOptions::default() };
    // One clock for the card's delays, the reconnect backoff and the logs' timestamps.
    let clock = Arc::new(SystemClock::new());
    if let Some(name) = &args.image {
        let image = find_image(name)?;
        crate::out::message(format_args!(
            "tapcert sim: card image {} ({} application(s){}) serving vpcd at {}",
            image.name,
            image.applications.len(),
            image
                .base
                .as_deref()
                .map(|b| format!(", {} difference(s) from {b}", image.diffs.len()))
                .unwrap_or_default(),
            args.vpcd
        ));
        let card = ImageCard::new(image, clock.clone());
        let observed = card.log();
        let mut observe_error = None;
        let mut server = VpcdServer::new(card, options).with_clock(clock.clone());
        serve(&mut server, args, clock.as_ref(), &mut || {
            if let Some(path) = &args.observe
                && let Err(e) = observed.save_masked(path)
            {
                observe_error.get_or_insert(e);
            }
        })?;
        if let Some(e) = observe_error {
            bail!("writing the observation file: {e}");
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
    crate::out::message(format_args!("tapcert sim: profile {} serving vpcd at {}", profile.name, args.vpcd));
    let mut server = VpcdServer::new(Band::with_config(profile, config), options).with_clock(clock.clone());
    serve(&mut server, args, clock.as_ref(), &mut || {})?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the vpcd server, printing connection news, appending to `--log`, and calling
/// `after_exchange` after every command and control message.
fn serve<C: Card>(
    server: &mut VpcdServer<C>,
    args: &SimArgs,
    clock: &dyn Clock,
    after_exchange: &mut dyn FnMut(),
) -> anyhow::Result<()> {
    let mut log = match &args.log {
        Some(path) => Some(BufWriter::new(
            File::options().create(true).append(true).open(path).with_context(|| format!("{}", path.display()))?,
        )),
        None => None,
    };
    let mut log_error = None;
    server.run(&mut |event| {
        let (line, exchange) = match event {
            VpcdEvent::Connected(peer) => {
                crate::out::message(format_args!("tapcert sim: connected to vpcd {peer}"));
                (format!("# connected {peer}"), false)
            }
            VpcdEvent::Disconnected => {
                crate::out::message(format_args!("tapcert sim: vpcd closed the connection"));
                ("# disconnected".to_string(), false)
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
                (format!("# connect failed: {error}"), false)
            }
            VpcdEvent::Control(code) => (format!("# control {code:02X}"), true),
            VpcdEvent::Apdu { capdu, rapdu } => {
                (format!("> {}\t< {}", masked_command_hex(capdu), masked_hex(rapdu)), true)
            }
        };
        if let Some(w) = log.as_mut() {
            // Flushed per line: the server usually ends by a signal.
            if let Err(e) = writeln!(w, "{}\t{line}", clock.now().as_micros()).and_then(|()| w.flush()) {
                log_error.get_or_insert(e);
            }
        }
        if exchange {
            after_exchange();
        }
    })?;
    if let Some(e) = log_error {
        bail!("writing the APDU log: {e}");
    }
    Ok(())
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
            image: None,
            observe: None,
            list_images: false,
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

    /// Plays vpcd against `tapcert sim --image base --observe FILE --once` and reads the
    /// observation back: a transcript of what was sent, PANs masked.
    #[test]
    fn serves_an_image_and_observes_masked() {
        use tapcert_conformance::transcript::{EventKind, Transcript};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let obs = std::env::temp_dir().join(format!("tapcert-sim-observe-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&obs);
        let args = SimArgs {
            vpcd: listener.local_addr().unwrap().to_string(),
            profile: "reference".into(),
            list_profiles: false,
            image: Some("base".into()),
            observe: Some(obs.clone()),
            list_images: false,
            log: None,
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
        let select = hex::decode("00A4040007A000000004101000").unwrap();
        s.write_all(&frame(&select)).unwrap();
        assert!(read_frame(&mut s).ends_with(&[0x90, 0x00]));
        s.write_all(&frame(&[0x00, 0xB2, 0x02, 0x0C, 0x00])).unwrap();
        assert!(hex::encode_upper(read_frame(&mut s)).contains("5413330089600010"), "the image's PAN on the wire");
        drop(s);
        assert_eq!(server.join().unwrap(), ExitCode::SUCCESS);
        let text = std::fs::read_to_string(&obs).unwrap();
        let _ = std::fs::remove_file(&obs);
        assert!(!text.contains("5413330089600010"), "PAN leaked into the observation:\n{text}");
        let t = Transcript::from_json(&text).unwrap();
        assert!(matches!(t.events[0].kind, EventKind::Reset { .. }), "{text}");
        let ex: Vec<_> = t.exchanges().collect();
        assert_eq!(ex.len(), 2, "{text}");
        assert_eq!(ex[0].0, select.as_slice());
        assert!(ex[0].1.is_some(), "the FCI carries no PAN: kept whole");
        assert_eq!((ex[1].0, ex[1].1), (&[0x00, 0xB2, 0x02, 0x0C, 0x00][..], None));
        assert!(text.contains("masked response: 70") && text.contains("541333******0010"), "{text}");
    }

    #[test]
    fn list_images_and_unknown_image() {
        let args = SimArgs {
            vpcd: DEFAULT_VPCD_ADDR.into(),
            profile: "reference".into(),
            list_profiles: false,
            image: Some("no-such-image".into()),
            observe: None,
            list_images: false,
            log: None,
            once: true,
            seed: None,
        };
        let e = run(&args).unwrap_err().to_string();
        assert!(e.contains("no bundled image") && e.contains("base"), "{e}");
    }

    #[test]
    fn unknown_profile_is_an_error() {
        let args = SimArgs {
            vpcd: DEFAULT_VPCD_ADDR.into(),
            profile: "no-such-firmware".into(),
            list_profiles: false,
            image: None,
            observe: None,
            list_images: false,
            log: None,
            once: true,
            seed: None,
        };
        assert!(run(&args).unwrap_err().to_string().contains("--list-profiles"));
    }
}
