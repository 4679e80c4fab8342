//! The person at the reader: prompts ("tap the band", "show the payment code") and notices
//! ("present the device to READER").
//!
//! An interactive run ([`Console`]) prints a prompt on stderr and waits for Enter on stdin, up
//! to a timeout. A non-interactive run ([`NonInteractive`]: no TTY on stdin, `--non-interactive`
//! or `CI` set) never waits for a person: a prompt fails at once, with a message that says so.

use std::io::BufRead;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Why a prompt was not answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// Nobody to ask.
    #[error(
        "the case needs a person at {reader} ({text:?}) and the run is non-interactive (no TTY on stdin, --non-interactive or CI set)"
    )]
    NonInteractive {
        /// The reader.
        reader: String,
        /// The prompt.
        text: String,
    },
    /// Nobody answered in time.
    #[error("nobody answered the prompt {text:?} at {reader} within {} s", .waited.as_secs())]
    Timeout {
        /// The reader.
        reader: String,
        /// The prompt.
        text: String,
        /// How long it waited.
        waited: Duration,
    },
    /// stdin is closed.
    #[error("the prompt {text:?} at {reader}: stdin is closed")]
    Closed {
        /// The reader.
        reader: String,
        /// The prompt.
        text: String,
    },
}

/// Talks to the person at the readers.
pub trait Operator: Send + Sync + std::fmt::Debug {
    /// Tells the person something that needs no answer (the runner then waits for the device
    /// itself, e.g. a tap).
    fn notify(&self, reader: &str, text: &str);
    /// Asks the person to do something at `reader` and confirm, within `timeout`.
    fn prompt(&self, reader: &str, text: &str, timeout: Duration) -> Result<(), PromptError>;
}

/// No person: notices go to stderr (or nowhere with [`NonInteractive::quiet`]), prompts fail.
#[derive(Debug, Clone, Copy, Default)]
pub struct NonInteractive {
    /// Print notices to stderr.
    pub print: bool,
}

impl NonInteractive {
    /// Prints nothing (library use, tests).
    pub fn quiet() -> Self {
        NonInteractive { print: false }
    }
}

impl Operator for NonInteractive {
    fn notify(&self, reader: &str, text: &str) {
        if self.print {
            eprintln!("[{reader}] {text}");
        }
    }

    fn prompt(&self, reader: &str, text: &str, _timeout: Duration) -> Result<(), PromptError> {
        Err(PromptError::NonInteractive { reader: reader.into(), text: text.into() })
    }
}

/// A person at a terminal: prompts on stderr, answers with Enter on stdin.
#[derive(Debug, Clone, Copy, Default)]
pub struct Console;

/// One thread reads stdin for the whole process, so that a prompt that timed out does not
/// leave a reader behind that steals the next answer.
fn stdin_lines() -> &'static Mutex<Receiver<Option<String>>> {
    static LINES: OnceLock<Mutex<Receiver<Option<String>>>> = OnceLock::new();
    LINES.get_or_init(|| {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                if tx.send(line.ok()).is_err() {
                    return;
                }
            }
            let _ = tx.send(None);
        });
        Mutex::new(rx)
    })
}

impl Operator for Console {
    fn notify(&self, reader: &str, text: &str) {
        eprintln!("[{reader}] {text}");
    }

    fn prompt(&self, reader: &str, text: &str, timeout: Duration) -> Result<(), PromptError> {
        // One prompt at a time, also with several readers running at once.
        let lines = stdin_lines().lock().unwrap_or_else(|e| e.into_inner());
        eprintln!("[{reader}] {text} — press Enter when done (timeout {} s)", timeout.as_secs());
        match lines.recv_timeout(timeout) {
            Ok(Some(_)) => Ok(()),
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                Err(PromptError::Closed { reader: reader.into(), text: text.into() })
            }
            Err(RecvTimeoutError::Timeout) => {
                Err(PromptError::Timeout { reader: reader.into(), text: text.into(), waited: timeout })
            }
        }
    }
}

/// Whether a run may ask a person: stdin is a terminal, `CI` is unset or empty, and the user
/// did not say `--non-interactive`.
pub fn interactive(non_interactive_flag: bool) -> bool {
    use std::io::IsTerminal;
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    !non_interactive_flag && !ci && std::io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_interactive_prompt_fails_at_once_saying_why() {
        let e = NonInteractive::quiet().prompt("Virtual PCD 00 00", "show the payment code", Duration::from_secs(600));
        assert_eq!(
            e.unwrap_err().to_string(),
            "the case needs a person at Virtual PCD 00 00 (\"show the payment code\") and the run is non-interactive (no TTY on stdin, --non-interactive or CI set)"
        );
    }
}
