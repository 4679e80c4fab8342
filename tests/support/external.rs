//! What the tests need from outside Rust, found in one place for every package's tests: the
//! Python venv with the independent implementations (the differential tests) and a loud skip
//! when something is missing. Included with `#[path]` by the test binaries of each package
//! (`crypto/tests`, `parsers/tests`, `conformance/tests`, `tests/`), not a public API.
//!
//! The rules:
//! - `TAPCERT_PYTHON` set: that interpreter must have the modules, else the test FAILS (a
//!   choice that does not work is an error, in CI or not);
//! - else `$TAPCERT_VENV/bin/python` (FAILS likewise when `TAPCERT_VENV` is set and unusable),
//!   else `/opt/tapcert-venv/bin/python`, the venv `.ci/setup` makes, so that the README's test
//!   command needs no variable;
//! - nothing usable: the test FAILS when `CI` is set (`.ci/run` sets it), and otherwise SKIPS
//!   with a line written straight to the process's stderr. libtest captures `eprintln!` of a
//!   passing test, so a skip printed that way never showed; this line shows in every run.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// The venv `.ci/setup` makes when `TAPCERT_VENV` is not set.
pub const DEFAULT_VENV: &str = "/opt/tapcert-venv";

/// True when `CI` is set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// The running test's name: libtest names each test's thread after it.
fn test_name() -> String {
    std::thread::current().name().unwrap_or("this test").to_string()
}

/// Panics under CI; otherwise writes a SKIP line that libtest's capture does not swallow.
pub fn skip_or_fail(why: &str) {
    let test = test_name();
    assert!(!in_ci(), "{test} cannot run and CI is set: {why}");
    let line = format!("\n**** SKIP {test}: {why} ****\n");
    // Straight to the file descriptor: print!/eprint! inside a test go to libtest's capture.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn non_empty(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// Which of `modules` the interpreter cannot import, or why it cannot run at all.
fn check_python(python: &PathBuf, modules: &[&str]) -> Result<(), String> {
    const PROBE: &str = "import importlib, sys\n\
        bad = []\n\
        for m in sys.argv[1:]:\n\
        \x20   try:\n\
        \x20       importlib.import_module(m)\n\
        \x20   except Exception as e:\n\
        \x20       bad.append(f'{m} ({type(e).__name__}: {e})')\n\
        print('; '.join(bad))\n\
        sys.exit(1 if bad else 0)\n";
    if !python.exists() {
        return Err(format!("{} does not exist", python.display()));
    }
    let out = Command::new(python)
        .arg("-c")
        .arg(PROBE)
        .args(modules)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if out.status.success() {
        return Ok(());
    }
    let said =
        String::from_utf8_lossy(if out.stdout.is_empty() { &out.stderr } else { &out.stdout }).trim().to_string();
    Err(format!("{} cannot import what the test needs: {said}", python.display()))
}

/// The Python interpreter that can import every one of `modules` (dotted names), found as the
/// module documentation says; `None` after a SKIP line. Panics where the rules say FAIL.
pub fn python_with(modules: &[&str]) -> Option<PathBuf> {
    let test = test_name();
    if let Some(python) = non_empty("TAPCERT_PYTHON") {
        let python = PathBuf::from(python);
        if let Err(why) = check_python(&python, modules) {
            panic!("{test}: TAPCERT_PYTHON is set but unusable: {why} (run .ci/setup, or unset it)");
        }
        return Some(python);
    }
    let (venv, chosen) = match non_empty("TAPCERT_VENV") {
        Some(v) => (PathBuf::from(v), true),
        None => (PathBuf::from(DEFAULT_VENV), false),
    };
    let python = venv.join("bin/python");
    match check_python(&python, modules) {
        Ok(()) => Some(python),
        Err(why) if chosen => panic!("{test}: TAPCERT_VENV is set but unusable: {why} (run .ci/setup)"),
        Err(why) => {
            skip_or_fail(&format!("no Python with {}: {why}; run `sudo bash .ci/setup`", modules.join(", ")));
            None
        }
    }
}

/// The headless browser the HTML report tests open pages in: `$TAPCERT_CHROMIUM` (FAILS when
/// set and not runnable), else `chromium` or `chromium-browser` on PATH (Debian's `chromium`
/// package, which `.ci/setup` installs); `None` after a SKIP line, FAILS under CI.
pub fn chromium() -> Option<PathBuf> {
    let test = test_name();
    let runs = |p: &PathBuf| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success());
    if let Some(chosen) = non_empty("TAPCERT_CHROMIUM") {
        let p = PathBuf::from(chosen);
        assert!(runs(&p), "{test}: TAPCERT_CHROMIUM is set but `{} --version` does not run", p.display());
        return Some(p);
    }
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let found =
        on_path.flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n))).find(|p| p.is_file() && runs(p));
    if found.is_none() {
        skip_or_fail("no chromium on PATH (TAPCERT_CHROMIUM unset); run `sudo bash .ci/setup`");
    }
    found
}
