//! The one output path of every subcommand: standard output through a buffer whose write
//! errors are reported, and standard error for messages, which never panics.
//!
//! Exit codes for output errors (README, "Exit codes"):
//! - standard output closed by the reader (`tapcert ... | head -1`, EPIPE): nothing more is
//!   printed and the process exits **141**, the status a shell shows for a process ended by
//!   SIGPIPE, so `set -o pipefail` scripts see the same thing as with any other tool;
//! - any other write error (`> /dev/full`, ENOSPC, EIO): one line on standard error and exit
//!   **74** (EX_IOERR).
//!
//! `println!` panics on a write error (exit 101); nothing in `src/` uses it.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Exit status when standard output was closed by its reader.
pub(crate) const EXIT_CLOSED_PIPE: u8 = 141;
/// Exit status for any other error writing standard output.
pub(crate) const EXIT_OUTPUT_ERROR: u8 = 74;

/// A failed write to standard output; `main` turns it into the exit codes above.
#[derive(Debug)]
pub(crate) struct OutputError(pub(crate) io::Error);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "writing standard output: {}", self.0)
    }
}

impl std::error::Error for OutputError {}

/// Standard output, buffered; every error comes back as an [`OutputError`].
#[derive(Debug)]
pub(crate) struct Stdout {
    inner: BufWriter<io::StdoutLock<'static>>,
}

impl Stdout {
    pub(crate) fn new() -> Self {
        Stdout { inner: BufWriter::with_capacity(64 * 1024, io::stdout().lock()) }
    }

    /// Writes `text` and a newline.
    pub(crate) fn line(&mut self, text: impl fmt::Display) -> Result<(), OutputError> {
        writeln!(self.inner, "{text}").map_err(OutputError)
    }

    /// Flushes what is buffered: the last chance to see a write error.
    pub(crate) fn finish(mut self) -> Result<(), OutputError> {
        self.inner.flush().map_err(OutputError)
    }

    /// A `fmt::Write` view for streaming renderers; the first I/O error is kept in `error`.
    pub(crate) fn fmt_writer<'a>(&'a mut self, error: &'a mut Option<io::Error>) -> FmtToIo<'a> {
        FmtToIo { inner: &mut self.inner, error }
    }
}

/// `fmt::Write` over standard output that remembers the I/O error a `fmt::Error` stands for.
#[derive(Debug)]
pub(crate) struct FmtToIo<'a> {
    inner: &'a mut BufWriter<io::StdoutLock<'static>>,
    error: &'a mut Option<io::Error>,
}

impl fmt::Write for FmtToIo<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.error.get_or_insert(e);
            fmt::Error
        })
    }
}

/// A message on standard error. A closed or full standard error is not worth dying for: the
/// exit status still tells.
pub(crate) fn message(text: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// The exit code of an error that is an [`OutputError`] somewhere in its chain (message
/// printed when it is not a closed pipe); `None` for other errors.
pub(crate) fn output_error_exit(e: &anyhow::Error) -> Option<ExitCode> {
    let out = e.chain().find_map(|c| c.downcast_ref::<OutputError>())?;
    if out.0.kind() == io::ErrorKind::BrokenPipe {
        return Some(ExitCode::from(EXIT_CLOSED_PIPE));
    }
    message(format_args!("tapcert: {out}"));
    Some(ExitCode::from(EXIT_OUTPUT_ERROR))
}
