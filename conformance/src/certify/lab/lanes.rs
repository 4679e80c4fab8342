//! Running the same suites on several readers: one lane per reader, each with its own
//! transport, clock and options (its device's DUT profile), one after the other (one device
//! moved between readers; the operator is told where to present it) or at once (several
//! devices, one thread per reader). The lanes' reports join into one report with the reader
//! identity on every result and the reader-by-case matrix ([`crate::certify::merge_reports`]).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::certify::merge::{MergeError, merge_reports};
use crate::certify::report::RunReport;
use crate::certify::runner::{Progress, RunOptions, run_suites};
use crate::certify::suite::Suite;
use crate::clock::Clock;
use crate::transport::Transport;

/// One reader and the device in it.
pub struct Lane {
    /// The link to the reader.
    pub transport: Box<dyn Transport + Send>,
    /// How the run goes on this reader (DUT, applications, keys, hooks, tap timeout).
    pub opts: RunOptions,
    /// This lane's clock.
    pub clock: Arc<dyn Clock>,
    /// The reader's vendor, where the link exposes it.
    pub vendor: Option<String>,
    /// The reader's firmware version, where the link exposes it.
    pub firmware: Option<String>,
}

impl std::fmt::Debug for Lane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lane").field("reader", &self.transport.info().name).finish_non_exhaustive()
    }
}

/// How the lanes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneMode {
    /// One after the other: one device moved from reader to reader.
    Sequential,
    /// At once, one thread per reader: one device per reader.
    Concurrent,
}

fn run_lane(lane: &mut Lane, suites: &[Suite], stop: &AtomicBool, progress: &mut dyn FnMut(Progress<'_>)) -> RunReport {
    let mut report = run_suites(lane.transport.as_mut(), suites, &mut lane.opts, lane.clock.as_ref(), stop, progress);
    report.reader.vendor = lane.vendor.clone();
    report.reader.firmware = lane.firmware.clone();
    report
}

/// Runs `suites` on every lane and joins the reports (lane order). `progress` gets the lane
/// index with each event.
pub fn run_lanes(
    lanes: &mut [Lane],
    suites: &[Suite],
    mode: LaneMode,
    stop: &AtomicBool,
    progress: &(dyn Fn(usize, Progress<'_>) + Sync),
) -> Result<RunReport, MergeError> {
    let reports: Vec<RunReport> = match mode {
        LaneMode::Sequential => lanes
            .iter_mut()
            .enumerate()
            .map(|(i, lane)| {
                // One device moved from reader to reader: ask the person to move it (an
                // interactive run waits for Enter; either way the runner then waits for the tap).
                if i > 0
                    && let Some(op) = &lane.opts.operator
                {
                    let name = lane.transport.info().name;
                    let text = format!("move the device to {name}");
                    if op.prompt(&name, &text, lane.opts.prompt_timeout).is_err() {
                        op.notify(&name, &text);
                    }
                }
                run_lane(lane, suites, stop, &mut |p| progress(i, p))
            })
            .collect(),
        LaneMode::Concurrent => std::thread::scope(|scope| {
            let handles: Vec<_> = lanes
                .iter_mut()
                .enumerate()
                .map(|(i, lane)| scope.spawn(move || run_lane(lane, suites, stop, &mut |p| progress(i, p))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        }),
    };
    merge_reports(&reports)
}
