//! Issue 14, by class: every command's output errors, the input budget, PANs in malformed
//! objects, and memory and time that grow linearly with the input. Inputs are generated.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tapcert");

fn tapcert(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args);
    c
}

/// Every command that prints, with arguments that succeed.
fn printing_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["decode", "tlv", "9F360200019F2701809F2608C0B4E2BCA2E0B2C5"],
        vec!["decode", "tlv", "9F36020001", "--json"],
        vec!["decode", "rapdu", "5A0947617390010100109000"],
        vec!["decode", "capdu", "00A404000E325041592E5359532E444446303100"],
        vec!["decode", "qr", "upi://pay?pa=shop@npci&pn=Shop"],
        vec!["token", "kcv", "--key", "0123456789ABCDEFFEDCBA9876543210"],
        vec!["token", "hotp", "--secret", "3132333435363738393031323334353637383930", "--counter", "1", "--json"],
        vec!["token", "totp", "--secret", "3132333435363738393031323334353637383930", "--time", "59"],
        vec!["token", "icc-mk", "--imk", "0123456789ABCDEFFEDCBA9876543210", "--pan", "5413330089600010"],
        vec!["bench", "tokens", "totp-sha1", "--seconds", "0.01"],
        vec!["sim", "--list-profiles"],
        vec!["readers"],
        vec!["certify", "--suite", "access-uid", "--out", "/tmp/tapcert-hostile-certify"],
        vec!["suite", "list"],
    ]
}

#[test]
fn stdout_full_is_an_error_with_a_message_never_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("**** SKIP stdout_full_is_an_error_with_a_message_never_a_panic: no /dev/full ****");
        return;
    };
    for args in printing_commands() {
        let out = tapcert(&args).stdout(full.try_clone().unwrap()).stderr(Stdio::piped()).output().unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(code, Some(101), "{args:?} panicked: {stderr}");
        if args[0] == "readers" {
            // Without PC/SC it prints nothing to stdout (exit 2), with it maybe no reader.
            continue;
        }
        assert_eq!(code, Some(74), "{args:?}: {stderr}");
        assert!(stderr.contains("writing standard output"), "{args:?}: {stderr}");
    }
}

#[test]
fn stdout_closed_ends_quietly_never_a_panic() {
    for args in printing_commands() {
        let mut child = tapcert(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let code = out.status.code();
        assert_ne!(code, Some(101), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        if args[0] != "readers" {
            // 0 when everything fit in the pipe before it closed, else 141, quietly.
            assert!(matches!(code, Some(0 | 141)), "{args:?}: {code:?}");
            assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        }
    }
    // An output larger than any pipe buffer: the closed pipe is always seen, exit 141.
    let big = "5000".repeat(50_000);
    let mut child = tapcert(&["decode", "tlv", "--json"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    child.stdin.take().unwrap().write_all(big.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn expect_refused(out: &Output, what: &str) {
    assert_eq!(out.status.code(), Some(1), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn input_over_the_budget_is_refused_quickly() {
    for source in [vec!["--bin", "/dev/zero"], vec![]] {
        let mut args = vec!["decode", "tlv", "--max-input", "1000000"];
        args.extend(source.iter().copied());
        let start = Instant::now();
        let out = tapcert(&args)
            .stdin(std::fs::File::open("/dev/zero").unwrap())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        expect_refused(&out, &format!("{args:?}"));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--max-input"));
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    // Default budget: /dev/zero ends after 16 MiB, not after memory.
    let out = tapcert(&["decode", "tlv", "--bin", "/dev/zero"]).output().unwrap();
    expect_refused(&out, "default --max-input");
    // Objects over the budget, in every format that has many.
    let cases: [(&str, String); 5] = [
        ("tlv", "5000".repeat(11)),
        ("ndef", "100000".repeat(11)),
        ("t2t-tlv", "0100".repeat(11)),
        ("qr", format!("000201{}", "8000".repeat(11))),
        ("qr", format!("upi://pay?{}", (0..11).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join("&"))),
    ];
    for (format, input) in cases {
        let out = tapcert(&["decode", format, &input, "--max-objects", "10"]).output().unwrap();
        expect_refused(&out, format);
        assert!(String::from_utf8_lossy(&out.stderr).contains("--max-objects"), "{format}");
        assert!(tapcert(&["decode", format, &input, "--max-objects", "12"]).output().unwrap().status.success());
    }
    // Empty input is refused, not a silent success.
    for input in ["", "  "] {
        expect_refused(&tapcert(&["decode", "tlv", input]).output().unwrap(), "empty");
    }
}

/// 13-19 digit PANs in PAN and track 2 objects whose own length runs past the data, or that
/// are cut short, in every decode format that carries them: no run of 11 digits of the PAN
/// shows in any output, human or JSON.
#[test]
fn pan_in_malformed_objects_never_shows() {
    let mut seed = 0x1234_5678_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for case in 0..40 {
        let n = 13 + (next() % 7) as usize;
        let digits: String = (0..n).map(|i| char::from(b'0' + ((next() >> (i % 8)) % 10) as u8)).collect();
        let mut nibbles = digits.clone();
        let tag = if case % 2 == 0 { "5A" } else { "57" };
        if tag == "57" {
            nibbles.push_str("D2512201123456789");
        }
        if nibbles.len() % 2 == 1 {
            nibbles.push('F');
        }
        let len = nibbles.len() / 2;
        let declared = len + 1 + (next() % 3) as usize;
        let cut = (next() % 3) as usize * 2;
        let object = format!("{tag}{declared:02X}{}", &nibbles[..nibbles.len() - cut]);
        let inputs = [
            ("rapdu", format!("{object}9000")),
            ("rapdu", format!("70{:02X}{object}9000", object.len() / 2)),
            ("capdu", format!("00A40400{:02X}{object}00", object.len() / 2)),
            ("capdu", format!("80DC0104{:02X}{object}", object.len() / 2)),
            ("tlv", object.clone()),
            ("tlv", format!("70{:02X}{object}", object.len() / 2 + 1)),
        ];
        for (format, hex) in inputs {
            for json in [false, true] {
                let mut args = vec!["decode", format, hex.as_str()];
                if json {
                    args.push("--json");
                }
                let out = tapcert(&args).output().unwrap();
                let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
                for w in digits.as_bytes().windows(11) {
                    let run = std::str::from_utf8(w).unwrap();
                    assert!(!all.contains(run), "{args:?}: {run} shows in\n{all}");
                }
            }
        }
    }
}

/// Peak resident memory of the child in KiB, from `/usr/bin/time -f %M`, else by polling
/// `/proc/<pid>/status` (VmHWM).
fn peak_kib(args: &[&str], input: &std::path::Path) -> u64 {
    if std::path::Path::new("/usr/bin/time").exists() {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "PEAK %M"])
            .arg(BIN)
            .args(args)
            .arg("--bin")
            .arg(input)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err.lines().find_map(|l| l.strip_prefix("PEAK ")).unwrap();
        return line.trim().parse().unwrap();
    }
    let mut child = tapcert(args).arg("--bin").arg(input).stdout(Stdio::null()).spawn().unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(v) = text.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            peak = peak.max(v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0));
        }
        if child.try_wait().unwrap().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The smallest objects of every decode format that holds many, `bytes` long (or a little
/// less: whole objects only), as the input file of `decode --bin`.
fn smallest_objects(format: &str, bytes: usize) -> Vec<u8> {
    use base64::Engine as _;
    match format {
        "tlv 5000" => [0x50, 0x00].repeat(bytes / 2),
        "tlv 9F0200" => [0x9F, 0x02, 0x00].repeat(bytes / 3),
        // empty records, SR set, no MB/ME (two findings, not one per record)
        "ndef" => [0x10, 0x00, 0x00].repeat(bytes / 3),
        // Lock Control TLVs of length 0: one finding per block
        "t2t-tlv 0100" => [0x01, 0x00].repeat(bytes / 2),
        "t2t-tlv 00" => vec![0x00; bytes],
        // ID 80 (an unreserved template) of length 0: a duplicate-ID finding per object
        "qr mpm" => format!("000201{}", "8000".repeat((bytes - 6) / 4)).into_bytes(),
        // empty application templates: two findings per template
        "qr cpm" => {
            let mut raw = b"\x85\x05CPV01".to_vec();
            raw.extend([0x61, 0x00].repeat((bytes / 4 * 3 - raw.len()) / 2));
            base64::engine::general_purpose::STANDARD.encode(raw).into_bytes()
        }
        "qr upi" => {
            let mut text = String::from("upi://pay?k0=v");
            let mut i = 1;
            while text.len() < bytes - 16 {
                text.push_str(&format!("&k{i}=v"));
                i += 1;
            }
            text.into_bytes()
        }
        // response data of 2-byte objects, then 9000
        "rapdu" => {
            let mut v = [0x50, 0x00].repeat(bytes / 2 - 1);
            v.extend([0x90, 0x00]);
            v
        }
        other => panic!("no generator for {other}"),
    }
}

/// Every decode format that holds many objects: (name for `smallest_objects`, decode format).
/// `capdu`, `atr` and `t4t-cc` are left out: one APDU, one ATR and one CC file are capped by
/// their own formats (at most 65,544, 33 and 65,535 bytes) and hold few objects.
const MANY_OBJECTS: [(&str, &str); 9] = [
    ("tlv 5000", "tlv"),
    ("tlv 9F0200", "tlv"),
    ("ndef", "ndef"),
    ("t2t-tlv 0100", "t2t-tlv"),
    ("t2t-tlv 00", "t2t-tlv"),
    ("qr mpm", "qr"),
    ("qr cpm", "qr"),
    ("qr upi", "qr"),
    ("rapdu", "rapdu"),
];

/// 4 MB of the smallest objects of every format, human and JSON, stays at or under 20x the
/// input (above the peak of a one-object input, the binary's own footprint). Findings are
/// many for some of these inputs (one per object): documents keep the first 1000 and count
/// the rest, so they do not grow with the input either.
#[test]
fn memory_is_linear_in_the_input_with_a_small_constant() {
    let dir = std::env::temp_dir().join(format!("tapcert-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let size = 4 << 20;
    let mut cases = Vec::new();
    for (name, format) in MANY_OBJECTS {
        let small = dir.join(format!("{}-small", name.replace(' ', "-")));
        std::fs::write(&small, smallest_objects(name, 24)).unwrap();
        let big = dir.join(format!("{}-big", name.replace(' ', "-")));
        std::fs::write(&big, smallest_objects(name, size)).unwrap();
        for json in [false, true] {
            cases.push((name, format, json, small.clone(), big.clone()));
        }
    }
    // Two at a time (the machine has two cores; each process is measured on its own).
    let cases = std::sync::Mutex::new(cases);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some((name, format, json, small, big)) = cases.lock().unwrap().pop() {
                    let mut args = vec!["decode", format, "--max-objects", "100000000"];
                    if json {
                        args.push("--json");
                    }
                    let base = peak_kib(&args, &small);
                    let peak = peak_kib(&args, &big);
                    let input = std::fs::metadata(&big).unwrap().len() as f64;
                    let ratio = (peak.saturating_sub(base) * 1024) as f64 / input;
                    let what = format!("{name}{}", if json { " --json" } else { "" });
                    eprintln!("{what}: peak {peak} KiB, baseline {base} KiB, {ratio:.2}x the input");
                    if ratio > 20.0 {
                        failures.lock().unwrap().push(format!("{what}: {ratio:.1}x the input"));
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{failures:?}");
}

/// Time per format grows linearly with the object count: 4x the objects take at most 6x the
/// time (linear is 4x; quadratic would be 16x), best of three runs each, on the same smallest
/// objects as the memory test. A busy machine only makes single runs slower; a failure must
/// repeat three times.
#[test]
fn time_is_linear_in_the_object_count_in_every_format() {
    let dir = std::env::temp_dir().join(format!("tapcert-time-all-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, format) in MANY_OBJECTS {
        let time = |bytes: usize| {
            let path = dir.join(format!("{}-{bytes}", name.replace(' ', "-")));
            std::fs::write(&path, smallest_objects(name, bytes)).unwrap();
            (0..3)
                .map(|_| {
                    let start = Instant::now();
                    let out = tapcert(&["decode", format, "--bin"]).arg(&path).stdout(Stdio::null()).output().unwrap();
                    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
                    start.elapsed().as_secs_f64()
                })
                .fold(f64::MAX, f64::min)
        };
        let ratios: Vec<f64> = (0..3)
            .map(|_| {
                let (t1, t4) = (time(100_000), time(400_000));
                eprintln!("{name}: 100 kB {t1:.3} s, 400 kB {t4:.3} s, ratio {:.2}", t4 / t1);
                t4 / t1
            })
            .take_while(|r| *r > 6.0)
            .collect();
        assert!(ratios.len() < 3, "{name}: 4x the objects took {ratios:?} times the time");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Doubling the object count at most ~doubles the time (2.5x allowed), measured as ratios.
#[test]
fn time_is_linear_in_the_object_count() {
    let dir = std::env::temp_dir().join(format!("tapcert-time-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let upi = |n: usize| format!("upi://pay?{}", (0..n).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join("&"));
    let tlv_in_template = |n: usize| {
        // DF 8x 8y zz: 4-byte tags, all distinct, so the duplicate check sees n keys
        let body: Vec<u8> = (0..n)
            .flat_map(|i| [0xDF, 0x81 + (i >> 14) as u8, 0x80 | ((i >> 7) & 0x7F) as u8, (i & 0x7F) as u8, 0x00])
            .collect();
        let mut v = vec![0x70, 0x84];
        v.extend_from_slice(&(body.len() as u32).to_be_bytes());
        v.extend(body);
        v
    };
    type Gen<'a> = (&'a str, &'a [&'a str], Box<dyn Fn(usize) -> Vec<u8> + 'a>);
    let cases: [Gen<'_>; 2] = [
        ("upi distinct keys", &["decode", "qr"], Box::new(move |n| upi(n).into_bytes())),
        ("tlv distinct tags in one template", &["decode", "tlv"], Box::new(tlv_in_template)),
    ];
    for (what, args, generate) in cases {
        let time = |n: usize| {
            let path = dir.join(format!("in-{n}"));
            std::fs::write(&path, generate(n)).unwrap();
            // best of three, to keep a busy machine's noise out of the ratio
            (0..5)
                .map(|_| {
                    let start = Instant::now();
                    let out = tapcert(args).arg("--bin").arg(&path).stdout(Stdio::null()).output().unwrap();
                    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
                    start.elapsed().as_secs_f64()
                })
                .fold(f64::MAX, f64::min)
        };
        // Other processes only ever make one run slower: a quadratic path fails every try, a
        // busy machine not all three.
        let ratios: Vec<f64> = (0..3)
            .map(|_| {
                let (t1, t2) = (time(50_000), time(100_000));
                eprintln!("{what}: 50k {t1:.3} s, 100k {t2:.3} s, ratio {:.2}", t2 / t1);
                t2 / t1
            })
            .take_while(|r| *r > 2.5)
            .collect();
        assert!(ratios.len() < 3, "{what}: doubling took {ratios:?} times the time");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
