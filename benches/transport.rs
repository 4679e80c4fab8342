//! APDU round trips per second: in-process (`InProcess`), and the real PC/SC stack (pcscd + vpcd),
//! each beside a baseline without tapcert, so tapcert's own overhead shows.
//!
//! ```text
//! cargo bench --bench transport -- --warm-up-time 1 --measurement-time 3
//! pcscd -f &     # as root; the vsmartcard-vpcd package provides the two virtual readers
//! cargo bench --features pcsc --bench transport -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! The `sim` and `pcsc` cases send GET BALANCE (`80 5C 00 02 04`, answer 4 bytes + 9000) once per iteration:
//!
//! - `sim/band`: `InProcess<Band>` (reference band, e-purse selected);
//! - `sim/echo`: `InProcess` over a card that answers `9000` with no band logic (transport cost);
//! - `sim_emv/arqc`, `sim_emv/arqc_cda`: whole EMV transactions against the band (reset,
//!   SELECT, GPO, GENERATE AC), without and with a CDA signature;
//! - `pcsc/raw`: the `pcsc` crate straight to a bare vpcd card loop written here (socket, read
//!   frame, write `9000`), reader `Virtual PCD 00 01`: the stack's own speed;
//! - `pcsc/tapcert`: `T0<Pcsc>` to the band served by `VpcdServer` (the `tapcert sim` code
//!   path), reader `Virtual PCD 00 00`.
//!
//! The PC/SC cases are skipped (with a note) when pcscd is not running.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tapcert_conformance::card::{Card, CardReply};
use tapcert_conformance::sim::{Band, find_profile};
use tapcert_conformance::transport::{InProcess, Transport};

const GET_BALANCE: [u8; 5] = [0x80, 0x5C, 0x00, 0x02, 0x04];
const SELECT_PURSE: [u8; 14] = [0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x06, 0x32, 0x01, 0x01, 0x05, 0x00];

struct Echo;

impl Card for Echo {
    fn power_on(&mut self) -> Vec<u8> {
        vec![0x3B, 0x80, 0x80, 0x01, 0x01]
    }
    fn process(&mut self, _capdu: &[u8]) -> CardReply {
        CardReply::sw(0x9000)
    }
}

fn band() -> Band {
    Band::new(find_profile("reference").expect("reference profile"))
}

fn in_process(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.throughput(Throughput::Elements(1));
    let mut sim = InProcess::new(band());
    sim.reset().unwrap();
    assert_eq!(sim.transmit(&SELECT_PURSE).unwrap().sw(), Some(0x9000));
    g.bench_function("band", |b| b.iter(|| sim.transmit(black_box(&GET_BALANCE)).unwrap()));
    let mut echo = InProcess::new(Echo);
    echo.reset().unwrap();
    g.bench_function("echo", |b| b.iter(|| echo.transmit(black_box(&GET_BALANCE)).unwrap()));
    g.finish();

    // One EMV transaction per iteration: reset, SELECT, GPO, GENERATE AC (ARQC), with and
    // without CDA (the difference is the band's 1024-bit RSA signature of 9F4B).
    let mut g = c.benchmark_group("sim_emv");
    g.throughput(Throughput::Elements(1));
    let select = hex_apdu("00A4040007A000000004101000");
    let gpo = hex_apdu(&format!("80A800001A8318{}00", "00".repeat(24)));
    for (name, p1) in [("arqc", "80"), ("arqc_cda", "90")] {
        let gac = hex_apdu(&format!("80AE{p1}001D{}00", "00".repeat(29)));
        let fresh = band();
        // A fresh band per transaction: the ATC would run out after 65k.
        g.bench_function(name, |b| {
            b.iter_batched(
                || InProcess::new(fresh.clone()),
                |mut sim| {
                    sim.reset().unwrap();
                    sim.transmit(&select).unwrap();
                    sim.transmit(&gpo).unwrap();
                    let r = sim.transmit(black_box(&gac)).unwrap();
                    assert_eq!(r.sw(), Some(0x9000));
                    r
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn hex_apdu(text: &str) -> Vec<u8> {
    hex::decode(text).expect("hex APDU")
}

#[cfg(feature = "pcsc")]
mod stack {
    use std::ffi::CString;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use super::*;
    use tapcert_conformance::transport::vpcd::{VpcdOptions, VpcdServer};
    use tapcert_conformance::transport::{Pcsc, PcscOptions, T0, list_readers};

    /// A vpcd card with nothing of tapcert in it: frames in, `9000` (or the ATR) out.
    fn raw_card(addr: &'static str, stop: Arc<AtomicBool>) {
        std::thread::spawn(move || {
            let s = TcpStream::connect(addr).expect("connect vpcd slot 1");
            s.set_nodelay(true).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
            let sock = socket2::SockRef::from(&s);
            let mut buf = [0u8; 0x10002];
            while !stop.load(Ordering::Relaxed) {
                let _ = sock.set_tcp_quickack(true);
                if (&s).read_exact(&mut buf[..2]).is_err() {
                    continue;
                }
                let n = usize::from(u16::from_be_bytes([buf[0], buf[1]]));
                (&s).read_exact(&mut buf[..n]).unwrap();
                let _ = sock.set_tcp_quickack(true);
                match (n, buf[0]) {
                    (1, 0x04) => (&s).write_all(&[0, 5, 0x3B, 0x80, 0x80, 0x01, 0x01]).unwrap(),
                    (1, _) => {}
                    _ => (&s).write_all(&[0, 2, 0x90, 0x00]).unwrap(),
                }
            }
        });
    }

    fn wait_present(name: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(r) = list_readers()
                && r.iter().any(|r| r.name == name && r.card_present())
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn through_pcscd(c: &mut Criterion) {
        if list_readers().map(|r| r.is_empty()).unwrap_or(true) {
            eprintln!("transport bench: pcscd not running (or no vpcd reader): PC/SC cases skipped");
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        raw_card("127.0.0.1:35964", stop.clone());
        let mut server = VpcdServer::new(band(), VpcdOptions::default());
        let server_stop = server.stop_handle();
        let served = std::thread::spawn(move || server.run(&mut |_| {}));
        assert!(wait_present("Virtual PCD 00 00") && wait_present("Virtual PCD 00 01"), "vpcd cards not seen");

        let mut g = c.benchmark_group("pcsc");
        g.throughput(Throughput::Elements(1));

        let ctx = pcsc::Context::establish(pcsc::Scope::User).unwrap();
        let reader = CString::new("Virtual PCD 00 01").unwrap();
        let card = ctx.connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY).unwrap();
        let mut rx = [0u8; 258];
        g.bench_function("raw", |b| b.iter(|| card.transmit(black_box(&GET_BALANCE), &mut rx).unwrap().len()));
        drop(card);

        let opts = PcscOptions { reader: Some("Virtual PCD 00 00".into()), ..PcscOptions::default() };
        let mut t = T0::new(Pcsc::open(opts).unwrap());
        t.reset().unwrap();
        assert_eq!(t.transmit(&SELECT_PURSE).unwrap().sw(), Some(0x9000));
        g.bench_function("tapcert", |b| b.iter(|| t.transmit(black_box(&GET_BALANCE)).unwrap()));
        g.finish();
        drop(t);
        stop.store(true, Ordering::Relaxed);
        server_stop.store(true, Ordering::Relaxed);
        let _ = served.join();
    }
}

#[cfg(feature = "pcsc")]
criterion_group!(benches, in_process, stack::through_pcscd);
#[cfg(not(feature = "pcsc"))]
criterion_group!(benches, in_process);
criterion_main!(benches);
