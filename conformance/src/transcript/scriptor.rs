//! The plain text form of pcsc-tools' `scriptor`.
//!
//! `scriptor` reads a script (one APDU in hex per line, `reset`, `# comment`, a trailing `\`
//! continues a command on the next line; a line containing `exit` ends the script) and prints
//! a log:
//!
//! ```text
//! > RESET
//! < OK: 3B 8A 80 01 ...
//! > 00 A4 04 00 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00
//! < 6F 2F 84 0E 32 50 41 59 2E 53 59 53 2E 44 44 46  (16 bytes per line)
//! 30 31 A5 1D ... 90 00 : Normal processing.
//! ```
//!
//! [`export_scriptor`] writes a script that `scriptor` runs as is, with every recorded answer
//! kept as a `# < ...` comment under its command; [`import_scriptor`] reads that form, a bare
//! script (commands without answers), or a `scriptor` log.

use super::{Event, EventKind, Transcript};
use crate::transport::{RawAtr, RawResponse, TransportErrorKind};

/// Why a scriptor text could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptorError {
    /// A hex byte that is not two hex digits.
    #[error("line {line}: bad hex byte {token:?}")]
    BadHex {
        /// 1-based line.
        line: usize,
        /// The offending token.
        token: String,
    },
    /// An answer with no command before it.
    #[error("line {line}: answer without a command")]
    OrphanAnswer {
        /// 1-based line.
        line: usize,
    },
    /// A response that never reached its ` : ` status text.
    #[error("line {line}: response not terminated by ' : '")]
    Unterminated {
        /// 1-based line where the response started.
        line: usize,
    },
}

fn hex_spaced(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

fn sw_text(sw: Option<u16>) -> &'static str {
    match sw {
        Some(0x9000) => "Normal processing.",
        Some(sw) if sw >> 8 == 0x61 => "Command correct, more bytes available.",
        Some(sw) if sw >> 8 == 0x6C => "Wrong length Le.",
        Some(0x6A82) => "File not found.",
        Some(0x6D00) => "Instruction code not supported or invalid.",
        Some(0x6E00) => "Class not supported.",
        Some(0x6985) => "Conditions of use not satisfied.",
        Some(0x6700) => "Wrong length.",
        _ => "",
    }
}

/// The failure kind of an unanswered exchange, kept in the text of its `KO:` comment so that a
/// replay of the imported script fails the same way (scriptor itself ignores comments).
fn kind_marker(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Fault => "[fault] ",
        TransportErrorKind::Mute => "[mute] ",
        TransportErrorKind::Removed => "[removed] ",
    }
}

fn split_kind_marker(text: &str) -> (Option<TransportErrorKind>, &str) {
    [TransportErrorKind::Fault, TransportErrorKind::Mute, TransportErrorKind::Removed]
        .into_iter()
        .find_map(|k| text.strip_prefix(kind_marker(k)).map(|rest| (Some(k), rest)))
        .unwrap_or((None, text))
}

/// Writes a transcript as a scriptor script; answers become `# <` comments.
pub fn export_scriptor(t: &Transcript) -> String {
    let mut out = String::from("# tapcert transcript (scriptor script; '# <' lines are the recorded answers)\n");
    if let Some(r) = &t.reader {
        out.push_str(&format!("# reader: {}\n", r.name.replace(['\n', '\r'], " ")));
    }
    for e in &t.events {
        match &e.kind {
            EventKind::Reset { atr } => {
                out.push_str("reset\n");
                out.push_str(&format!("# < OK: {}\n", hex_spaced(atr.as_bytes())));
            }
            EventKind::Exchange { command, response, error, error_kind } => {
                out.push_str(&hex_spaced(command));
                out.push('\n');
                match (response, error) {
                    (Some(r), _) => out.push_str(&format!("# < {} : {}\n", hex_spaced(r.as_bytes()), sw_text(r.sw()))),
                    (None, e) => out.push_str(&format!(
                        "# < KO: {}{}\n",
                        error_kind.map_or("", kind_marker),
                        e.as_deref().unwrap_or("no answer").replace(['\n', '\r'], " ").replace("exit", "ex1t")
                    )),
                }
            }
            EventKind::FieldOff { hold_us } => out.push_str(&format!("# field off {hold_us} us\n")),
        }
    }
    out
}

fn parse_hex(text: &str, line: usize) -> Result<Vec<u8>, ScriptorError> {
    let compact: String = text.split_whitespace().collect();
    if compact.len() % 2 != 0 || !compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        let token = text.split_whitespace().find(|t| t.len() % 2 != 0 || !t.bytes().all(|b| b.is_ascii_hexdigit()));
        return Err(ScriptorError::BadHex { line, token: token.unwrap_or(text).to_string() });
    }
    hex::decode(compact).map_err(|_| ScriptorError::BadHex { line, token: text.to_string() })
}

/// Reads a scriptor script (bare or as written by [`export_scriptor`]) or a scriptor log.
///
/// Commands without a recorded answer import as exchanges with `response: None`. Timestamps
/// are zero: the text form carries none.
pub fn import_scriptor(text: &str) -> Result<Transcript, ScriptorError> {
    let mut t = Transcript::new(None, 0);
    let mut pending_cmd = String::new();
    // A response split over lines (scriptor prints 16 bytes per line): (start line, hex so far).
    let mut open_response: Option<(usize, String)> = None;
    // The previous command line was a bare (unlogged) one, which scriptor echoes.
    let mut last_bare = false;
    // The last answer came from a "# <" comment.
    let mut answer_from_comment = false;
    let push = |t: &mut Transcript, kind| t.events.push(Event { at_us: 0, latency_us: 0, kind });

    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if let Some((start, mut acc)) = open_response.take() {
            let (body, done) = match line.split_once(" : ").or_else(|| line.strip_suffix(" :").map(|b| (b, ""))) {
                Some((b, _)) => (b, true),
                None if line == ":" || line.starts_with(": ") => ("", true),
                None => (line, false),
            };
            acc.push(' ');
            acc.push_str(body);
            if done {
                set_answer(&mut t, &acc, start)?;
            } else {
                open_response = Some((start, acc));
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        // Answers: "# < ..." in an exported script, "< ..." in a scriptor log.
        let from_comment = line.starts_with("# <");
        let answer = line.strip_prefix("# <").or_else(|| line.strip_prefix('<')).map(str::trim_start);
        if let Some(ans) = answer {
            // scriptor echoes each script line after running the previous command, so a
            // recorded answer ("# <") can follow the live one ("< "): the live one stays.
            if from_comment && answered(&t) {
                continue;
            }
            // A live answer (scriptor's "< ") replaces a recorded one ("# <") that scriptor
            // echoed from the script it ran.
            let replace = !from_comment && std::mem::take(&mut answer_from_comment);
            if replace
                && let Some(EventKind::Exchange { response, error, error_kind, .. }) =
                    t.events.last_mut().map(|e| &mut e.kind)
            {
                *response = None;
                *error = None;
                *error_kind = None;
            }
            answer_from_comment = from_comment;
            if let Some(atr) = ans.strip_prefix("OK:") {
                match t.events.last_mut().map(|e| &mut e.kind) {
                    Some(EventKind::Reset { atr: a }) => *a = RawAtr(parse_hex(atr, line_no)?),
                    _ => return Err(ScriptorError::OrphanAnswer { line: line_no }),
                }
            } else if let Some(err) = ans.strip_prefix("KO:") {
                match t.events.last_mut().map(|e| &mut e.kind) {
                    Some(EventKind::Reset { .. }) => {}
                    Some(EventKind::Exchange { response, error, error_kind, .. }) if response.is_none() => {
                        let (kind, text) = split_kind_marker(err.trim());
                        *error = Some(text.to_string());
                        *error_kind = kind;
                    }
                    _ => return Err(ScriptorError::OrphanAnswer { line: line_no }),
                }
            } else if let Some((body, _)) = ans.split_once(" : ").or_else(|| ans.strip_suffix(" :").map(|b| (b, ""))) {
                set_answer(&mut t, body, line_no)?;
            } else {
                open_response = Some((line_no, ans.to_string()));
            }
            continue;
        }
        if line.starts_with('#') || line.starts_with("Using ") || line.starts_with("Trying ") {
            // Comments, and the banner lines scriptor prints ("Using T=1 protocol").
            continue;
        }
        // scriptor's own rules: "exit" anywhere ends the script, "reset" anywhere resets.
        if line.to_ascii_lowercase().contains("exit") {
            break;
        }
        let logged = line.starts_with('>');
        let cmd_text = line.strip_prefix('>').map(str::trim_start).unwrap_or(line);
        // scriptor reading a file echoes each input line before its "> " line: one event.
        let echoed = logged && std::mem::take(&mut last_bare);
        if cmd_text.to_ascii_lowercase().contains("reset") {
            if !echoed {
                push(&mut t, EventKind::Reset { atr: RawAtr::default() });
            }
            last_bare = !logged;
            continue;
        }
        if let Some(part) = cmd_text.strip_suffix('\\') {
            pending_cmd.push_str(part);
            pending_cmd.push(' ');
            continue;
        }
        pending_cmd.push_str(cmd_text);
        let command = parse_hex(&pending_cmd, line_no)?;
        pending_cmd.clear();
        if command.is_empty() {
            // A bare "> " (scriptor's prompt on an empty line) carries no command; an empty
            // exchange would not survive export (its empty line reads back as nothing).
            continue;
        }
        let same_as_echo =
            matches!(t.events.last().map(|e| &e.kind), Some(EventKind::Exchange { command: c, .. }) if *c == command);
        if !(echoed && same_as_echo) {
            push(&mut t, EventKind::Exchange { command, response: None, error: None, error_kind: None });
        }
        last_bare = !logged;
    }
    if let Some((start, _)) = open_response {
        return Err(ScriptorError::Unterminated { line: start });
    }
    Ok(t)
}

/// Whether the last event already has its answer.
fn answered(t: &Transcript) -> bool {
    match t.events.last().map(|e| &e.kind) {
        Some(EventKind::Reset { atr }) => !atr.as_bytes().is_empty(),
        Some(EventKind::Exchange { response, error, .. }) => response.is_some() || error.is_some(),
        _ => false,
    }
}

fn set_answer(t: &mut Transcript, hex_text: &str, line: usize) -> Result<(), ScriptorError> {
    let bytes = parse_hex(hex_text, line)?;
    match t.events.last_mut().map(|e| &mut e.kind) {
        Some(EventKind::Exchange { response, .. }) if response.is_none() => {
            *response = Some(RawResponse(bytes));
            Ok(())
        }
        _ => Err(ScriptorError::OrphanAnswer { line }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_prompt_line_is_no_command() {
        // Found by any_text_imports_or_errs: "00", "reset", ">" imported an empty exchange
        // after the reset that export then lost.
        let t = import_scriptor("00\nreset\n>").unwrap();
        assert_eq!(t.exchanges().count(), 1);
        let again = import_scriptor(&export_scriptor(&t)).unwrap();
        assert_eq!(again.exchanges().collect::<Vec<_>>(), t.exchanges().collect::<Vec<_>>());
    }

    #[test]
    fn reads_a_scriptor_log_with_wrapped_response() {
        let log = "> RESET\n< OK: 3B 80 80 01 01 \n> 00 A4 04 00 02 3F 00\n\
                   < 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n10 90 00 : Normal processing.\n\
                   > 00 B0 00 00 00\n< 6A 82 : File not found.\n";
        let t = import_scriptor(log).unwrap();
        assert_eq!(t.events.len(), 3);
        assert_eq!(t.events[0].kind, EventKind::Reset { atr: RawAtr(vec![0x3B, 0x80, 0x80, 0x01, 0x01]) });
        let ex: Vec<_> = t.exchanges().collect();
        assert_eq!(ex[0].0, [0x00, 0xA4, 0x04, 0x00, 0x02, 0x3F, 0x00]);
        assert_eq!(ex[0].1.unwrap().data().len(), 17);
        assert_eq!(ex[1].1.unwrap().sw(), Some(0x6A82));
    }

    #[test]
    fn reads_an_echoed_scriptor_log_once() {
        let log = "Using T=1 protocol\n# PPSE\n00B0000000\n> 00 B0 00 00 00 \n< 90 00 : Normal processing.\n\
                   reset\n> RESET\n< OK: 3B 00 \n00B0000000\n> 00 B0 00 00 00 \n< 6A 82 : File not found.\n";
        let t = import_scriptor(log).unwrap();
        assert_eq!(t.events.len(), 3, "{:?}", t.events);
        assert_eq!(t.events[1].kind, EventKind::Reset { atr: RawAtr(vec![0x3B, 0x00]) });
        let sws: Vec<_> = t.exchanges().map(|(_, r)| r.unwrap().sw()).collect();
        assert_eq!(sws, [Some(0x9000), Some(0x6A82)]);
    }

    #[test]
    fn live_answers_win_over_echoed_recorded_ones() {
        // As scriptor prints it when running an exported script from a file.
        let log = "reset\n> RESET\n< OK: 3B 80 80 01 01 \n# < OK: 3B 80 80 01 01\n00B0000000\n\
                   > 00 B0 00 00 00 \n< 6A 82 : File not found.\n# < 90 00 : Normal processing.\n";
        let t = import_scriptor(log).unwrap();
        assert_eq!(t.events.len(), 2, "{:?}", t.events);
        assert_eq!(t.exchanges().next().unwrap().1.unwrap().sw(), Some(0x6A82));
    }

    #[test]
    fn reads_a_bare_script() {
        let script = "# select\nreset\n00A4040007A0000000041010\n00 B2 01 \\\n0C 00\nexit\n00 00 00 00\n";
        let t = import_scriptor(script).unwrap();
        let ex: Vec<_> = t.exchanges().collect();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[1].0, [0x00, 0xB2, 0x01, 0x0C, 0x00]);
        assert!(ex[1].1.is_none());
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(import_scriptor("00 A4 0G\n"), Err(ScriptorError::BadHex { line: 1, token: "0G".into() }));
        assert_eq!(import_scriptor("< 90 00 : ok\n"), Err(ScriptorError::OrphanAnswer { line: 1 }));
        assert_eq!(import_scriptor("00 00 00 00\n< 90 00\n"), Err(ScriptorError::Unterminated { line: 2 }));
    }

    #[test]
    fn export_then_import_keeps_exchanges() {
        let mut t = Transcript::new(None, 0);
        t.events.push(Event { at_us: 0, latency_us: 0, kind: EventKind::Reset { atr: RawAtr(vec![0x3B, 0x00]) } });
        t.events.push(Event {
            at_us: 0,
            latency_us: 0,
            kind: EventKind::Exchange {
                command: vec![0, 0xB0, 0, 0, 0],
                response: Some(RawResponse(vec![0x90, 0])),
                error: None,
                error_kind: None,
            },
        });
        t.events.push(Event {
            at_us: 0,
            latency_us: 0,
            kind: EventKind::Exchange {
                command: vec![0x80, 0xAE],
                response: None,
                error: Some("no answer within 1s".into()),
                error_kind: Some(TransportErrorKind::Mute),
            },
        });
        t.events.push(Event {
            at_us: 0,
            latency_us: 0,
            kind: EventKind::Exchange {
                command: vec![0x80, 0xCA],
                response: None,
                error: Some("link down".into()),
                error_kind: None,
            },
        });
        let text = export_scriptor(&t);
        assert!(!text.to_ascii_lowercase().contains("exit"));
        let back = import_scriptor(&text).unwrap();
        assert_eq!(back.events, t.events);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn event() -> impl Strategy<Value = EventKind> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..33).prop_map(|atr| EventKind::Reset { atr: RawAtr(atr) }),
            (proptest::collection::vec(any::<u8>(), 1..64), proptest::collection::vec(any::<u8>(), 2..300)).prop_map(
                |(command, response)| EventKind::Exchange {
                    command,
                    response: Some(RawResponse(response)),
                    error: None,
                    error_kind: None,
                }
            ),
            proptest::collection::vec(any::<u8>(), 1..16).prop_map(|command| EventKind::Exchange {
                command,
                response: None,
                error: Some("no answer within 1s".into()),
                error_kind: Some(TransportErrorKind::Mute),
            }),
        ]
    }

    proptest! {
        #[test]
        fn export_import_round_trip(kinds in proptest::collection::vec(event(), 0..20)) {
            let mut t = Transcript::new(None, 0);
            for kind in kinds {
                // An empty ATR is how a bare script's "reset" imports; keep resets answered.
                let kind = match kind {
                    EventKind::Reset { atr } if atr.as_bytes().is_empty() => EventKind::Reset { atr: RawAtr(vec![0x3B]) },
                    k => k,
                };
                t.events.push(Event { at_us: 0, latency_us: 0, kind });
            }
            let back = import_scriptor(&export_scriptor(&t)).unwrap();
            prop_assert_eq!(back.events, t.events);
        }

        #[test]
        fn json_round_trip(kinds in proptest::collection::vec(event(), 0..20), at in any::<u64>()) {
            let mut t = Transcript::new(None, at);
            for (i, kind) in kinds.into_iter().enumerate() {
                t.events.push(Event { at_us: i as u64, latency_us: at % 1000, kind });
            }
            prop_assert_eq!(Transcript::from_json(&t.to_json()).unwrap(), t);
        }

        /// Any text, from lines of the shapes scriptor reads and random ones: either a
        /// transcript that survives export and import unchanged, or an error that names a line
        /// of the text (and, for bad hex, a token of the text that is not a hex byte).
        #[test]
        fn any_text_imports_or_errs(
            lines in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 1..20).prop_map(|b| hex_spaced(&b)),
                    proptest::collection::vec(any::<u8>(), 1..8).prop_map(|b| format!("> {}", hex_spaced(&b))),
                    proptest::collection::vec(any::<u8>(), 0..20)
                        .prop_map(|b| format!("< {} 90 00 : Normal processing.", hex_spaced(&b))),
                    proptest::collection::vec(any::<u8>(), 2..12).prop_map(|b| format!("< OK: {}", hex_spaced(&b))),
                    Just("reset".to_string()),
                    Just("> RESET".to_string()),
                    Just("# < 6A 82 : File not found.".to_string()),
                    Just("00 A4 \\".to_string()),
                    "< OK: [0-9A-G ]{1,12}",
                    "[0-9A-G ]{1,12}",
                    "[0-9A-Fa-f <>#:.\\\\resetOKUK]{0,30}",
                ],
                0..12,
            )
        ) {
            let text = lines.join("\n");
            match import_scriptor(&text) {
                Ok(t) => {
                    // the commands, answers and resets survive (a command read without an
                    // answer comes back marked "no answer")
                    let again = import_scriptor(&export_scriptor(&t)).unwrap();
                    prop_assert_eq!(again.exchanges().collect::<Vec<_>>(), t.exchanges().collect::<Vec<_>>());
                    let resets = |t: &Transcript| {
                        t.events.iter().filter(|e| matches!(e.kind, EventKind::Reset { .. })).cloned().collect::<Vec<_>>()
                    };
                    prop_assert_eq!(resets(&again), resets(&t));
                }
                Err(e) => {
                    let line = match &e {
                        ScriptorError::BadHex { line, .. }
                        | ScriptorError::OrphanAnswer { line }
                        | ScriptorError::Unterminated { line } => *line,
                    };
                    let lines: Vec<&str> = text.split('\n').collect();
                    prop_assert!((1..=lines.len()).contains(&line), "{e} for {text:?}");
                    if let ScriptorError::BadHex { token, .. } = &e {
                        // a command continued with a backslash is reported at the line that ends
                        // it, a response wrapped over lines at the line that starts it
                        prop_assert!(text.contains(token.as_str()), "{e} for {text:?}");
                        prop_assert!(!(token.len() == 2 && token.bytes().all(|b| b.is_ascii_hexdigit())), "{e}");
                    }
                }
            }
        }
    }
}
