//! `transcript.txt`: every exchange of a run, in run order, as a pcsc-tools `scriptor`
//! script, each under a `# case <id> step N` comment.
//!
//! The scriptor text itself comes from [`crate::transcript::export_scriptor`], the one writer
//! of that format. The report's exchanges are masked: an exchange with a masked (`*`) nibble
//! in its command or response cannot be replayed byte for byte, so it is kept as `# masked`
//! comment lines (which `scriptor` and [`crate::transcript::import_scriptor`] skip).
//!
//! In a report of several readers each case comment names its reader (`# case ID @ READER
//! step N`); the cases of one reader are together, in that reader's run order.

use std::fmt::Write as _;

use super::digest::{is_masked, spaced_hex};
use super::report::{ExchangeRecord, RunReport};
use crate::transcript::{Event, EventKind, Transcript, export_scriptor};
use crate::transport::{RawAtr, RawResponse};

/// Renders the scriptor script of a run.
pub fn render_transcript(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", comment(&format!("tapcert certify run {}", report.run_id)));
    let _ = writeln!(out, "{}", comment(&format!("DUT: {} {}", report.dut.model, report.dut.firmware)));
    let _ = writeln!(out, "{}", comment(&format!("reader: {} ({})", report.reader.name, report.reader.kind)));
    out.push_str(
        "# masked bytes ('*', PANs and track data) are not replayable: such exchanges stay '# masked' comments\n",
    );
    if let Some(atr) = report.reader.atr.as_deref().and_then(|a| hex::decode(a).ok()) {
        out.push_str(&scriptor_lines(EventKind::Reset { atr: RawAtr(atr) }));
    }
    for (_, case) in report.cases() {
        let runs = case.runs.len();
        let at = case.reader.as_ref().map(|r| format!(" @ {}", r.name)).unwrap_or_default();
        for (i, run) in case.runs.iter().enumerate() {
            for x in &run.exchanges {
                let of_run = if runs > 1 { format!(" (run {} of {runs})", i + 1) } else { String::new() };
                let _ =
                    writeln!(out, "{}", comment(&format!("case {}{at} step {}{of_run}: {}", case.id, x.step, x.label)));
                out.push_str(&exchange_lines(x));
            }
        }
    }
    out
}

/// One exchange: scriptor lines when its bytes are whole, `# masked` comments otherwise.
fn exchange_lines(x: &ExchangeRecord) -> String {
    let command = (!is_masked(&x.command)).then(|| hex::decode(&x.command).ok()).flatten();
    let response = match x.response.as_deref() {
        Some(r) if is_masked(r) => None,
        Some(r) => hex::decode(r).ok().map(|b| Some(RawResponse(b))),
        None => Some(None),
    };
    match (command, response) {
        (Some(command), Some(response)) => {
            let error = response.is_none().then(|| "no answer".to_string());
            scriptor_lines(EventKind::Exchange { command, response, error, error_kind: None })
        }
        _ => {
            let masked = is_masked(&x.command) || x.response.as_deref().is_some_and(is_masked);
            let why = if masked { "masked" } else { "not hex" };
            let mut s = format!("{}\n", comment(&format!("{why} > {}", spaced_hex(&x.command))));
            if let Some(r) = &x.response {
                let _ = writeln!(s, "{}", comment(&format!("{why} < {}", spaced_hex(r))));
            }
            s
        }
    }
}

/// The scriptor lines of one event, without the exporter's header.
fn scriptor_lines(kind: EventKind) -> String {
    let header = export_scriptor(&Transcript::new(None, 0));
    let mut t = Transcript::new(None, 0);
    t.events.push(Event { at_us: 0, latency_us: 0, kind });
    let text = export_scriptor(&t);
    text.strip_prefix(&header).map(str::to_string).unwrap_or(text)
}

/// A `#` comment line from report text: one line, and never a word scriptor acts on
/// (`exit` ends a script, `reset` resets, even inside other text).
fn comment(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    let mut safe = String::with_capacity(one_line.len() + 2);
    let lower = one_line.to_ascii_lowercase();
    let mut i = 0;
    while i < one_line.len() {
        if lower[i..].starts_with("exit") || lower[i..].starts_with("reset") {
            // keep the word readable, break the match: e-xit, r-eset
            let c = &one_line[i..i + 1];
            safe.push_str(c);
            safe.push('-');
            i += 1;
            continue;
        }
        let ch = one_line[i..].chars().next().unwrap_or(' ');
        safe.push(ch);
        i += ch.len_utf8();
    }
    format!("# {safe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(command: &str, response: Option<&str>) -> ExchangeRecord {
        ExchangeRecord {
            step: 0,
            label: "command".into(),
            command: command.into(),
            response: response.map(Into::into),
            sw: None,
            latency_us: 1,
            tlv: None,
        }
    }

    #[test]
    fn exchanges_that_are_not_whole_bytes_stay_comments() {
        assert_eq!(
            exchange_lines(&record("00B2010C00", Some("9000"))),
            "00 B2 01 0C 00\n# < 90 00 : Normal processing.\n"
        );
        assert_eq!(exchange_lines(&record("00B2010C00", None)), "00 B2 01 0C 00\n# < KO: no answer\n");
        assert_eq!(
            exchange_lines(&record("00B2010C00", Some("5A0254**9000"))),
            "# masked > 00 B2 01 0C 00\n# masked < 5A 02 54 ** 90 00\n"
        );
        // a hand-edited report: odd hex, a line break, a word scriptor would act on
        assert_eq!(exchange_lines(&record("00B\nexit", None)), "# not hex > 00 B  ex it\n");
    }

    #[test]
    fn comments_are_one_line_and_inert() {
        assert_eq!(comment("case A step 0: RESET then\nEXIT"), "# case A step 0: R-ESET then E-XIT");
    }
}
