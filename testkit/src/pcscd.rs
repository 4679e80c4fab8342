//! The pcscd process of a test (feature `pcsc`: it asks pcsc-lite whether pcscd is up).

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::VPCD_READER;

/// Whether a pcscd answers and lists [`VPCD_READER`].
fn lists_vpcd_reader() -> bool {
    let Ok(ctx) = pcsc::Context::establish(pcsc::Scope::User) else { return false };
    let Ok(readers) = ctx.list_readers_owned() else { return false };
    readers.iter().any(|r| r.to_bytes() == VPCD_READER.as_bytes())
}

/// One `pcscd -f`, started by a test and stopped (SIGTERM, then kill) when dropped.
#[derive(Debug)]
pub struct Pcscd {
    child: Child,
}

impl Pcscd {
    /// Starts pcscd and waits until it lists [`VPCD_READER`]. Hold a [`crate::PcscdLock`] first.
    pub fn start(bin: &Path) -> Pcscd {
        // Another pcscd (not ours) would own /run/pcscd: refuse rather than kill it.
        if let Ok(pid) = std::fs::read_to_string("/run/pcscd/pcscd.pid")
            && let Ok(comm) = std::fs::read_to_string(format!("/proc/{}/comm", pid.trim()))
            && comm.trim() == "pcscd"
        {
            panic!("a pcscd (pid {}) not started by these tests is running; stop it first", pid.trim());
        }
        // TAPCERT_PCSCD_LOG=FILE keeps pcscd's debug log of the run.
        let mut cmd = Command::new(bin);
        cmd.arg("-f").stdout(Stdio::null()).stderr(Stdio::null());
        if let Some(path) = std::env::var_os("TAPCERT_PCSCD_LOG") {
            let log = File::options().create(true).append(true).open(path).expect("pcscd log");
            cmd.arg("-d").stdout(log.try_clone().expect("log")).stderr(log);
        }
        // Owned at once, so that a panic below still stops it (Drop).
        let pcscd = Pcscd { child: cmd.spawn().expect("spawn pcscd") };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if lists_vpcd_reader() {
                return pcscd;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("pcscd did not list {VPCD_READER} within 10 s (is vsmartcard-vpcd installed?)");
    }

    /// The pcscd process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Stops pcscd and waits for it.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        // SIGTERM lets pcscd remove /run/pcscd/pcscd.comm and its pid file.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}
