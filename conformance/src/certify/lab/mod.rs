//! A lab's certification runs: several readers ([`lanes`]) with a reader-by-case matrix
//! ([`matrix`]), the person at the reader ([`operator`]) and device hooks ([`hooks`]).

pub mod hooks;
pub mod lanes;
pub mod matrix;
pub mod operator;

pub use hooks::{HOOK_OUTPUT_LIMIT, Hook, Hooks, hook_failure, run_hook};
pub use lanes::{Lane, LaneMode, run_lanes};
pub use matrix::reader_matrix;
pub use operator::{Console, NonInteractive, Operator, PromptError, interactive};
