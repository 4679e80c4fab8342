//! Operator and device hooks: shell commands the DUT profile names, run before a suite, before
//! a case and after a fault (an `adb` command that opens the wallet, a relay that power-cycles
//! a band), each with a timeout, environment variables that say which case on which reader,
//! and its output kept for the report.
//!
//! A hook runs as `sh -c COMMAND` in its own process group, stdin closed. Past its timeout the
//! whole group is killed. Wall time is the system's: a hook is a real process.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::certify::report::HookRecord;

/// Most output kept per stream; the rest is read and dropped (a chatty hook cannot grow the
/// report without bound, nor block on a full pipe).
pub const HOOK_OUTPUT_LIMIT: usize = 16 * 1024;

/// One hook command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// The command line, run by `sh -c`.
    pub command: String,
    /// Longest it may run.
    pub timeout: Duration,
}

/// The hooks of a DUT profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hooks {
    /// Before the first case of each suite that runs.
    pub before_suite: Option<Hook>,
    /// Before each case (each execution with `--repeat`).
    pub before_case: Option<Hook>,
    /// After an execution that ended in `error` (a transport or environment fault).
    pub after_fault: Option<Hook>,
}

/// Runs `hook` (named `name` in the record) with `env` added to the environment.
pub fn run_hook(name: &str, hook: &Hook, env: &[(&str, String)]) -> HookRecord {
    let started = Instant::now();
    let mut record = HookRecord {
        hook: name.into(),
        command: hook.command.clone(),
        exit: None,
        timed_out: false,
        output: String::new(),
        duration_ms: 0,
    };
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&hook.command).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            record.output = format!("could not start sh: {e}");
            return record;
        }
    };
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            if let Some(mut p) = pipe {
                let mut buf = [0u8; 4096];
                while let Ok(n) = p.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let room = HOOK_OUTPUT_LIMIT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
            kept
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                record.exit = status.code();
                break;
            }
            Ok(None) if started.elapsed() >= hook.timeout => {
                record.timed_out = true;
                // The group: `sh -c` may have started children that hold the pipes open.
                let _ = Command::new("kill").arg("-KILL").arg("--").arg(format!("-{}", child.id())).status();
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                record.output = format!("waiting for the hook: {e}\n");
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    let mut text = out.join().unwrap_or_default();
    text.extend(err.join().unwrap_or_default());
    record.output.push_str(&String::from_utf8_lossy(&text));
    record.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    record
}

/// Why a hook failed, in one line with the end of its output (the whole output is in the
/// case's `hooks`).
pub fn hook_failure(r: &HookRecord) -> String {
    let how = match (r.timed_out, r.exit) {
        (true, _) => "ran past its timeout and was killed".to_string(),
        (false, Some(code)) => format!("exited {code}"),
        (false, None) => "did not run to an exit status".to_string(),
    };
    let out = r.output.trim();
    let tail: String = {
        let chars: Vec<char> = out.chars().collect();
        let start = chars.len().saturating_sub(300);
        chars[start..].iter().collect::<String>().replace('\n', " | ")
    };
    if tail.is_empty() {
        format!("{} hook `{}` {how} (no output)", r.hook, r.command)
    } else {
        format!("{} hook `{}` {how}: {tail}", r.hook, r.command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(command: &str, ms: u64) -> Hook {
        Hook { command: command.into(), timeout: Duration::from_millis(ms) }
    }

    #[test]
    fn output_exit_and_environment_are_kept() {
        let r = run_hook(
            "before-case",
            &hook("echo \"case $TAPCERT_CASE\"; echo oops >&2; exit 3", 5_000),
            &[("TAPCERT_CASE", "EMV.SEL.001".into())],
        );
        assert_eq!((r.exit, r.timed_out), (Some(3), false));
        assert_eq!(r.output, "case EMV.SEL.001\noops\n");
        assert!(!r.ok());
        assert_eq!(
            hook_failure(&r),
            "before-case hook `echo \"case $TAPCERT_CASE\"; echo oops >&2; exit 3` exited 3: case EMV.SEL.001 | oops"
        );
        assert!(run_hook("x", &hook("true", 5_000), &[]).ok());
    }

    #[test]
    fn a_hook_past_its_timeout_is_killed_with_its_children() {
        let started = Instant::now();
        let r = run_hook("after-fault", &hook("echo started; sleep 30 & sleep 30", 200), &[]);
        assert!(r.timed_out && r.exit.is_none() && !r.ok());
        assert_eq!(r.output, "started\n");
        assert!(started.elapsed() < Duration::from_secs(10), "did not wait for the sleeps");
        assert!(hook_failure(&r).contains("ran past its timeout"));
    }

    #[test]
    fn output_is_bounded() {
        let r = run_hook("x", &hook("head -c 100000 /dev/zero | tr '\\0' a", 5_000), &[]);
        assert_eq!(r.output.len(), HOOK_OUTPUT_LIMIT);
    }
}
