//! # tapcert-testkit
//!
//! Test support for the real PC/SC stack, shared by the test binaries of several packages
//! (`conformance/tests/pcscd.rs`, the root package's `tests/sim_pcscd.rs`, `benches/transport.rs`).
//! A dev-dependency only (`publish = false`): nothing here ships in a tapcert crate.
//!
//! It sees pcscd through the `pcsc` crate directly, not through `tapcert_conformance`, so that
//! the launcher does not depend on the transports it is used to test.
//!
//! There is one pcscd per mount namespace and vpcd listens on fixed ports, so every test that
//! starts a pcscd must hold [`PcscdLock`]: a mutex inside the process, and a lock file
//! ([`LOCK_PATH`]) across processes (the other test binary, another `cargo test`).

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Reader name of vpcd's slot 0 (TCP 35963).
pub const VPCD_READER: &str = "Virtual PCD 00 00";

/// Reader name of vpcd's slot 1 (TCP 35964). Debian's `vsmartcard-vpcd` reader.conf
/// (`/etc/reader.conf.d/vpcd`, one `CHANNELID 0x8C7B` entry) gives both slots; `Pcscd::start`
/// waits for slot 0 only, a test that serves slot 1 waits for its card itself.
pub const VPCD_READER_SLOT1: &str = "Virtual PCD 00 01";

/// The cross-process lock file; it holds the PID of the holder.
pub const LOCK_PATH: &str = "/tmp/tapcert-pcscd-tests.lock";

/// How long a test waits for another to release the stack before failing.
const LOCK_WAIT: Duration = Duration::from_secs(600);

#[cfg(feature = "pcsc")]
mod pcscd;
#[cfg(feature = "pcsc")]
pub use pcscd::Pcscd;

static IN_PROCESS: Mutex<()> = Mutex::new(());

/// The right to run pcscd: released (lock file removed) on drop.
#[derive(Debug)]
pub struct PcscdLock {
    _guard: MutexGuard<'static, ()>,
    path: PathBuf,
}

impl PcscdLock {
    /// Waits for the stack. A lock file whose PID is not a running process is stale (a test
    /// run that was killed) and is taken over.
    pub fn acquire() -> PcscdLock {
        Self::acquire_at(Path::new(LOCK_PATH))
    }

    /// [`PcscdLock::acquire`] with another lock file.
    pub fn acquire_at(path: &Path) -> PcscdLock {
        let guard = IN_PROCESS.lock().unwrap_or_else(|e| e.into_inner());
        let path = path.to_path_buf();
        let me = std::process::id().to_string();
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match File::create_new(&path) {
                Ok(mut f) => {
                    let _ = f.write_all(me.as_bytes());
                    return PcscdLock { _guard: guard, path };
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let holder = holder.trim();
                    // An empty file is a holder between create and write: wait for it. A file
                    // naming this process was leaked by one of its tests (the mutex is ours).
                    let stale = !holder.is_empty() && (holder == me || !Path::new(&format!("/proc/{holder}")).exists());
                    if stale {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                }
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
            assert!(Instant::now() < deadline, "pcscd test lock {} held for {LOCK_WAIT:?}", path.display());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for PcscdLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where `tool` is on PATH.
pub fn on_path(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(tool)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_released_and_stale_locks_are_taken_over() {
        let path = std::env::temp_dir().join(format!("tapcert-lock-test-{}", std::process::id()));
        let me = std::process::id().to_string();
        {
            let _held = PcscdLock::acquire_at(&path);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), me);
        }
        assert!(!path.exists(), "released on drop");
        // A PID that cannot be running (above the kernel's pid_max of 2^22).
        std::fs::write(&path, "4194305").unwrap();
        {
            let _taken = PcscdLock::acquire_at(&path);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), me);
        }
        assert!(!path.exists());
    }

    #[test]
    fn a_live_holder_is_waited_for() {
        let path = std::env::temp_dir().join(format!("tapcert-lock-wait-{}", std::process::id()));
        // PID 1 is always running: the lock stays held until the file goes.
        std::fs::write(&path, "1").unwrap();
        let p = path.clone();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            std::fs::remove_file(&p).unwrap();
        });
        let _held = PcscdLock::acquire_at(&path);
        releaser.join().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), std::process::id().to_string());
    }
}
