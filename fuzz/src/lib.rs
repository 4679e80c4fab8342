//! Shared by every fuzz target: an allocation guard, so that "never allocates more than the
//! input can justify" is checked in every run, with or without a sanitizer.
//!
//! libFuzzer's `-malloc_limit_mb` needs the sanitizer's malloc hooks, so without ASan nothing
//! would report a single oversized allocation (a `Vec::with_capacity` from a declared length,
//! say): the kernel hands out the pages lazily and the RSS limit never trips. The targets'
//! code is safe Rust (`parsers` and `crypto` forbid `unsafe`), where ASan's other checks find
//! nothing that bounds and overflow checks do not, so this guard is what makes a run without a
//! sanitizer (several times the executions per second) as strict as an ASan run.
//!
//! Every Rust allocation above the limit prints the size, the limit and a backtrace, then
//! aborts; libFuzzer saves the input as a crash and `fuzz/overnight` groups it by those frames.
//! The limit is `TAPCERT_FUZZ_MALLOC_LIMIT_MB` (default 64 MiB: inputs are at most 4 KiB, and
//! no target needs a tenth of that). Each target links it with `use tapcert_fuzz as _;`, and the
//! stable replay test (`tests/fuzz_corpus.rs`) includes this file as a module, so a saved
//! oversized-allocation crash fails `cargo test` the same way.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default per-allocation limit in MiB.
pub const DEFAULT_LIMIT_MB: usize = 64;

/// Below this no allocation is checked (the fast path takes no thread-local or atomic).
const ALWAYS_FINE: usize = 1 << 20;

/// The limit in bytes once read from the environment; 0 until then.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set while this thread reads the environment or reports: its own allocations pass.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// The global allocator of every fuzz target: [`System`] plus the size check.
pub struct AllocGuard;

#[global_allocator]
static GUARD: AllocGuard = AllocGuard;

fn limit() -> usize {
    let known = LIMIT.load(Ordering::Relaxed);
    if known != 0 {
        return known;
    }
    let mb = std::env::var("TAPCERT_FUZZ_MALLOC_LIMIT_MB")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&mb| mb > 0)
        .unwrap_or(DEFAULT_LIMIT_MB);
    let bytes = mb.saturating_mul(1 << 20);
    LIMIT.store(bytes, Ordering::Relaxed);
    bytes
}

#[inline]
fn check(size: usize) {
    if size <= ALWAYS_FINE {
        return;
    }
    // try_with: during thread teardown the slot may be gone; then let the allocation pass
    let busy = BUSY.try_with(|b| b.replace(true)).unwrap_or(true);
    if busy {
        return;
    }
    let limit = limit();
    if size > limit {
        // Still BUSY: the report's own allocations (backtrace, formatting) pass unchecked.
        let bt = std::backtrace::Backtrace::force_capture();
        let msg = format!(
            "==tapcert-fuzz== ERROR: oversized allocation: {size} bytes, over the per-allocation limit of {limit} \
             bytes (TAPCERT_FUZZ_MALLOC_LIMIT_MB)\nstack backtrace:\n{bt}\n"
        );
        // straight to fd 2: eprintln! would go to libtest's capture buffer, lost on abort
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        std::process::abort();
    }
    let _ = BUSY.try_with(|b| b.set(false));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; `check`
// only reads the size, never unwinds (it aborts instead) and allocates only through this same
// allocator with the re-entrancy flag set.
unsafe impl GlobalAlloc for AllocGuard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        // SAFETY: forwarded unchanged (see the impl's comment).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    /// In a child process (this test binary again): allocate `TAPCERT_GUARD_PROBE` MiB.
    #[test]
    fn probe_child() {
        if let Ok(mb) = std::env::var("TAPCERT_GUARD_PROBE") {
            let mb: usize = mb.parse().expect("MiB");
            let v: Vec<u8> = Vec::with_capacity(mb << 20);
            std::hint::black_box(&v);
            println!("allocated {mb} MiB");
        }
    }

    fn run_probe(mb: usize, limit_mb: Option<&str>) -> std::process::Output {
        let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
        // this module's path without the crate name: also right when the stable replay test
        // includes this file as a module (tests/fuzz_corpus.rs)
        let here = module_path!().split_once("::").map_or("tests", |(_, rest)| rest);
        cmd.args([format!("{here}::probe_child").as_str(), "--exact", "--nocapture", "--test-threads=1"]);
        cmd.env("TAPCERT_GUARD_PROBE", mb.to_string()).env_remove("TAPCERT_FUZZ_MALLOC_LIMIT_MB");
        if let Some(l) = limit_mb {
            cmd.env("TAPCERT_FUZZ_MALLOC_LIMIT_MB", l);
        }
        cmd.output().expect("child runs")
    }

    #[test]
    fn oversized_allocation_aborts_with_size_limit_and_backtrace() {
        let out = run_probe(65, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "65 MiB over the 64 MiB default must abort: {err}");
        assert!(err.contains("==tapcert-fuzz== ERROR: oversized allocation: 68157440 bytes"), "{err}");
        assert!(err.contains("limit of 67108864 bytes"), "{err}");
        assert!(err.contains("stack backtrace:") && err.contains("probe_child"), "{err}");
    }

    #[test]
    fn allocations_within_the_limit_pass_and_the_limit_is_configurable() {
        let ok = run_probe(63, None);
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        assert!(String::from_utf8_lossy(&ok.stdout).contains("allocated 63 MiB"));
        let raised = run_probe(100, Some("128"));
        assert!(raised.status.success(), "{}", String::from_utf8_lossy(&raised.stderr));
        let lowered = run_probe(3, Some("2"));
        assert!(!lowered.status.success());
        assert!(String::from_utf8_lossy(&lowered.stderr).contains("limit of 2097152 bytes"));
        // an unparsable value falls back to the default instead of disabling the guard
        let junk = run_probe(65, Some("lots"));
        assert!(!junk.status.success());
    }
}
