//! Hex on the command line, the one way every subcommand reads it (`tapcert decode` input,
//! `tapcert token` keys and data): upper or lower case, with spaces, colons, tabs and line
//! breaks between bytes (never inside one), an optional `0x` prefix on the whole argument.
//! Anything else is an error that names the argument and the character offset, counted from
//! the start of the argument as given.

use anyhow::{Result, bail};

/// Parses hex given for `what` (a flag such as `--imk`, or `INPUT`).
pub(crate) fn parse_hex_arg(what: &str, raw: &str) -> Result<Vec<u8>> {
    let start = raw.len() - raw.trim_start().len();
    let body = raw.trim();
    let (prefix, body) = match body.get(..2) {
        Some("0x" | "0X") => (2, &body[2..]),
        _ => (0, body),
    };
    // Characters before `body` in `raw`: leading whitespace and the prefix are ASCII.
    let skipped = raw[..start].chars().count() + prefix;
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut high: Option<u8> = None;
    for (i, c) in body.chars().enumerate() {
        let at = skipped + i;
        match (c.to_digit(16), c) {
            (Some(d), _) => match high.take() {
                Some(h) => out.push(h << 4 | d as u8),
                None => high = Some(d as u8),
            },
            (None, ' ' | ':' | '\t' | '\n' | '\r') if high.is_some() => {
                bail!("{what}: not hex: a separator inside a byte at character {at}")
            }
            (None, ' ' | ':' | '\t' | '\n' | '\r') => {}
            (None, other) => bail!("{what}: not hex: unexpected {other:?} at character {at}"),
        }
    }
    if high.is_some() {
        bail!("{what}: not hex: odd number of digits (the last byte has one)");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(raw: &str) -> String {
        parse_hex_arg("--imk", raw).unwrap_err().to_string()
    }

    #[test]
    fn forms_people_paste() {
        assert_eq!(parse_hex_arg("INPUT", "6f 2F:84\n0e").unwrap(), [0x6F, 0x2F, 0x84, 0x0E]);
        assert_eq!(parse_hex_arg("INPUT", "0x9000").unwrap(), [0x90, 0x00]);
        assert_eq!(parse_hex_arg("INPUT", "  ").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn errors_name_the_argument_and_the_character_of_the_raw_argument() {
        assert_eq!(err("6fz"), "--imk: not hex: unexpected 'z' at character 2");
        // Leading blanks and the 0x prefix count: the offset is into what was typed.
        assert_eq!(err("  0x6fz"), "--imk: not hex: unexpected 'z' at character 6");
        assert_eq!(err("é6fz"), "--imk: not hex: unexpected 'é' at character 0");
        assert_eq!(err("00 é"), "--imk: not hex: unexpected 'é' at character 3");
        assert_eq!(err("6 f"), "--imk: not hex: a separator inside a byte at character 1");
        assert_eq!(err("6f0"), "--imk: not hex: odd number of digits (the last byte has one)");
    }
}
