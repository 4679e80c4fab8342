//! A lab's certification runs: several readers ([`lanes`]) with a reader-by-case matrix
//! ([`matrix`]), what the run is given ([`files`]: readers, DUT profiles, lab settings), the person at the reader ([`operator`]) and device hooks ([`hooks`]).

pub mod files;
pub mod hooks;
pub mod lanes;
pub mod matrix;
pub mod operator;

#[cfg(feature = "pcsc")]
pub use files::pcsc_lane;
pub use files::{
    DutFiles, LabArgError, LabSettings, LabSettingsError, reader_slug, run_stamp, sim_lane, unique_readers,
};
pub use hooks::{HOOK_OUTPUT_LIMIT, Hook, Hooks, hook_failure, run_hook};
pub use lanes::{Lane, LaneMode, run_lanes};
pub use matrix::reader_matrix;
pub use operator::{Console, NonInteractive, Operator, PromptError, interactive};
