//! `tapcert sim`: serve the reference virtual band (or one of its faulty firmware profiles) to
//! a real pcscd through the vsmartcard vpcd driver.
//!
//! ```text
//! tapcert sim                              # reference band on 127.0.0.1:35963 (reader "Virtual PCD 00 00")
//! tapcert sim --profile atc-stuck --log apdu.log
//! tapcert sim --list-profiles              # NAME<TAB>reference|faulty<TAB>description
//! tapcert sim --image base --observe obs.json   # a card image (file or bundled name), what the terminal sent
//! tapcert sim --list-images                # NAME<TAB>description
//! tapcert sim --hostile 7 --count 500 --out hostile/   # a stream of mutated images through vpcd
//! tapcert sim --hostile 7 --count 100000 --in-process  # the same stream against the reference terminal
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};
use clap::Args;
use tapcert_conformance::card::Card;
use tapcert_conformance::clock::{Clock, SystemClock};
use tapcert_conformance::image::hostile::{HostileStream, run_hostile};
use tapcert_conformance::image::{ImageCard, bundled_image, bundled_image_names, find_image};
use tapcert_conformance::sim::{Band, BandConfig, find_profile, profiles};
use tapcert_conformance::terminal::TerminalConfig;
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
    /// JSON, PANs and track data masked), rewritten after each exchange (at most 4 times a
    /// second once it holds 2,000 events).
    #[arg(long, value_name = "OUT", requires = "image")]
    pub observe: Option<PathBuf>,
    /// Print the bundled card images, one per line: `NAME<TAB>description`.
    #[arg(long)]
    pub list_images: bool,
    /// Malicious-card mode: serve the stream of hostile images of this seed (mutations of
    /// --image, default the bundled base), a new image at each power-on that follows commands.
    #[arg(long, value_name = "SEED", conflicts_with_all = ["observe", "profile", "seed"])]
    pub hostile: Option<u64>,
    /// With --hostile: how many images.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "hostile")]
    pub count: u64,
    /// With --hostile: where images, observations and reproducers go.
    #[arg(long, value_name = "DIR", requires = "hostile")]
    pub out: Option<PathBuf>,
    /// With --hostile: run the stream against the built-in reference terminal, without vpcd,
    /// and print the counts and images per second.
    #[arg(long, requires = "hostile")]
    pub in_process: bool,
    /// Print the profiles, one per line: `NAME<TAB>reference|faulty<TAB>description`.
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
    if let Some(seed) = args.hostile {
        return hostile(args, seed, options, clock);
    }
    if let Some(name) = &args.image {
        let image = find_image(name)?;
        crate::out::message(format_args!("tapcert sim: {} serving vpcd at {}", image.describe(), args.vpcd));
        let card = ImageCard::new(image, clock.clone());
        let observed = card.log();
        let mut observe_error = None;
        let mut server = VpcdServer::new(card, options).with_clock(clock.clone());
        serve(&mut server, args, clock.as_ref(), &mut || {
            if let Some(path) = &args.observe
                && let Err(e) = observed.save_masked_if_due(path, clock.now())
            {
                observe_error.get_or_insert(e);
            }
        })?;
        // The last events of a long session may not be written yet.
        if let Some(path) = &args.observe
            && let Err(e) = observed.save_masked(path)
        {
            observe_error.get_or_insert(e);
        }
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

/// `--hostile SEED`: in-process against the reference terminal, or through vpcd.
fn hostile(args: &SimArgs, seed: u64, options: VpcdOptions, clock: Arc<SystemClock>) -> anyhow::Result<ExitCode> {
    let base = find_image(args.image.as_deref().unwrap_or("base"))?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("reports/hostile-{seed}")));
    if args.in_process {
        let started = std::time::Instant::now();
        let config = TerminalConfig::default();
        let summary = run_hostile(&base, seed, args.count, &config, &mut |_, _, _| {});
        let secs = started.elapsed().as_secs_f64();
        let mut stdout = crate::out::Stdout::new();
        stdout.line(summary.to_text(seed, &base.name, secs))?;
        for f in &summary.failures {
            let path = f.write_reproducer(&out).with_context(|| format!("{}", out.display()))?;
            stdout.line(format_args!("image {}: {} -> {}", f.index, f.kind, path.display()))?;
        }
        stdout.finish()?;
        return Ok(if summary.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    crate::out::message(format_args!(
        "tapcert sim: {} hostile images (seed {seed}, over {}) serving vpcd at {}; images and observations in {}",
        args.count,
        base.name,
        args.vpcd,
        out.display()
    ));
    let stream = HostileStream::new(base, seed, clock.clone(), Some(out.clone()));
    let finished = stream.finished();
    let mut server = VpcdServer::new(stream, options).with_clock(clock.clone());
    let stop = server.stop_handle();
    let count = args.count;
    serve(&mut server, args, clock.as_ref(), &mut || {
        if finished.load(Ordering::Relaxed) >= count {
            stop.store(true, Ordering::Relaxed);
        }
    })?;
    let mut stream = server.into_card();
    stream.finish();
    let served = finished.load(Ordering::Relaxed);
    crate::out::message(format_args!("tapcert sim: {served} hostile image(s) served; see {}", out.display()));
    if let Some(e) = stream.errors().first() {
        bail!("writing {}: {e}", out.display());
    }
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
        match &event {
            VpcdEvent::Connected(peer) => crate::out::message(format_args!("tapcert sim: connected to vpcd {peer}")),
            VpcdEvent::Disconnected => crate::out::message(format_args!("tapcert sim: vpcd closed the connection")),
            VpcdEvent::ConnectFailed { attempt, error, retry_in } if attempt.is_power_of_two() => {
                // The first failure, then every doubling: the user learns what is awaited
                // without a line every two seconds.
                crate::out::message(format_args!(
                    "tapcert sim: waiting for vpcd at {} ({error}; is pcscd running with the vpcd driver?), try {attempt}, next in {:.1} s",
                    args.vpcd,
                    retry_in.as_secs_f64()
                ));
            }
            _ => {}
        }
        let line = event.log_line();
        if let Some(w) = log.as_mut() {
            // Flushed per line: the server usually ends by a signal.
            if let Err(e) = writeln!(w, "{}\t{line}", clock.now().as_micros()).and_then(|()| w.flush()) {
                log_error.get_or_insert(e);
            }
        }
        if event.is_exchange() {
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

    /// One vpcd frame from the sim; `None` when the sim closed the link (or timed out).
    fn read_frame(s: &mut std::net::TcpStream) -> Option<Vec<u8>> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).ok()?;
        let mut v = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut v).ok()?;
        Some(v)
    }

    /// `tapcert sim --vpcd VPCD --once` with every other flag at its default.
    fn args(vpcd: String) -> SimArgs {
        SimArgs {
            vpcd,
            profile: "reference".into(),
            list_profiles: false,
            image: None,
            observe: None,
            list_images: false,
            hostile: None,
            count: 1000,
            out: None,
            in_process: false,
            log: None,
            once: true,
            seed: None,
        }
    }

    /// Plays vpcd against `tapcert sim --once --log FILE` and reads the log back.
    #[test]
    fn serves_one_connection_and_logs_masked_apdus() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let log = std::env::temp_dir().join(format!("tapcert-sim-log-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&log);
        let args = SimArgs { log: Some(log.clone()), ..args(listener.local_addr().unwrap().to_string()) };
        let server = std::thread::spawn(move || run(&args).unwrap());
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(&frame(&[0x01])).unwrap();
        s.write_all(&frame(&[0x04])).unwrap();
        assert_eq!(read_frame(&mut s).unwrap(), [0x3B, 0x80, 0x80, 0x01, 0x01]);
        s.write_all(&frame(&hex::decode("00A4040007A000000004101000").unwrap())).unwrap();
        assert!(read_frame(&mut s).unwrap().ends_with(&[0x90, 0x00]));
        s.write_all(&frame(&[0x00, 0xB2, 0x02, 0x0C, 0x00])).unwrap();
        let record = read_frame(&mut s).unwrap();
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
            image: Some("base".into()),
            observe: Some(obs.clone()),
            ..args(listener.local_addr().unwrap().to_string())
        };
        let server = std::thread::spawn(move || run(&args).unwrap());
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(&frame(&[0x01])).unwrap();
        s.write_all(&frame(&[0x04])).unwrap();
        assert_eq!(read_frame(&mut s).unwrap(), [0x3B, 0x80, 0x80, 0x01, 0x01]);
        let select = hex::decode("00A4040007A000000004101000").unwrap();
        s.write_all(&frame(&select)).unwrap();
        assert!(read_frame(&mut s).unwrap().ends_with(&[0x90, 0x00]));
        s.write_all(&frame(&[0x00, 0xB2, 0x02, 0x0C, 0x00])).unwrap();
        assert!(
            hex::encode_upper(read_frame(&mut s).unwrap()).contains("5413330089600010"),
            "the image's PAN on the wire"
        );
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

    fn hostile_args(vpcd: String, out: PathBuf, in_process: bool) -> SimArgs {
        SimArgs { hostile: Some(3), count: 300, out: Some(out), in_process, ..args(vpcd) }
    }

    #[test]
    fn hostile_in_process_is_clean() {
        let out = std::env::temp_dir().join(format!("tapcert-hostile-ip-{}", std::process::id()));
        assert_eq!(run(&hostile_args(DEFAULT_VPCD_ADDR.into(), out.clone(), true)).unwrap(), ExitCode::SUCCESS);
        assert!(!out.exists(), "no failure, no reproducer written");
    }

    /// Plays vpcd against `tapcert sim --hostile 3 --out DIR --once`: each power-on after
    /// commands serves the next image; each image served is written with what it saw.
    #[test]
    fn hostile_through_vpcd_moves_to_a_new_image_per_power_on() {
        use tapcert_conformance::image::hostile::hostile_image;
        use tapcert_conformance::transcript::Transcript;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let out = std::env::temp_dir().join(format!("tapcert-hostile-vpcd-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let args = hostile_args(listener.local_addr().unwrap().to_string(), out.clone(), false);
        let server = std::thread::spawn(move || run(&args).unwrap());
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        let ppse = hex::decode("00A404000E325041592E5359532E444446303100").unwrap();
        for _ in 0..3 {
            s.write_all(&frame(&[0x01])).unwrap();
            s.write_all(&frame(&[0x04])).unwrap();
            read_frame(&mut s).unwrap();
            s.write_all(&frame(&ppse)).unwrap();
            // A mute image closes the connection: the stream still moved on.
            if read_frame(&mut s).is_none() {
                break;
            }
        }
        drop(s);
        assert_eq!(server.join().unwrap(), ExitCode::SUCCESS);
        let base = tapcert_conformance::image::bundled_image("base").unwrap();
        let first = std::fs::read_to_string(out.join("000000.toml")).unwrap();
        assert_eq!(
            tapcert_conformance::image::CardImage::from_toml(&first, "x").unwrap(),
            hostile_image(&base, 3, 0),
            "the reproducer is image 0 of seed 3"
        );
        let obs = Transcript::load(&out.join("000000.observed.json")).unwrap();
        assert_eq!(obs.exchanges().next().unwrap().0, ppse.as_slice());
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn list_images_and_unknown_image() {
        let args = SimArgs { image: Some("no-such-image".into()), ..args(DEFAULT_VPCD_ADDR.into()) };
        let e = run(&args).unwrap_err().to_string();
        assert!(e.contains("no bundled image") && e.contains("base"), "{e}");
    }

    #[test]
    fn unknown_profile_is_an_error() {
        let args = SimArgs { profile: "no-such-firmware".into(), ..args(DEFAULT_VPCD_ADDR.into()) };
        assert!(run(&args).unwrap_err().to_string().contains("--list-profiles"));
    }
}
