//! `tapcert readers`: the PC/SC readers pcscd knows, their state and the ATR of the card in
//! each, decoded (needs the `pcsc` feature).
//!
//! Lines: `NAME<TAB>STATE<TAB>ATR<TAB>SUMMARY` (`-` for the last two when no card is present).
//! JSON: `{"readers": [{"name", "state", "atr", "atr_decoded", "atr_summary"}]}` where
//! `atr_decoded` is exactly the document of `tapcert decode atr --json` (docs/decode-json.md,
//! "atr"), or `{"error", "offset"}` when the reader reports an ATR that does not decode.

use std::process::ExitCode;

use clap::Args;

/// Arguments of `tapcert readers`.
#[derive(Debug, Args)]
pub struct ReadersArgs {
    /// One JSON document instead of lines `NAME<TAB>STATE<TAB>ATR`.
    #[arg(long)]
    pub json: bool,
}

/// An ATR decoded: the `tapcert decode atr --json` document and a one-line summary
/// (protocols offered, then what the card says it is).
fn describe_atr(atr: &[u8]) -> (serde_json::Value, String) {
    match tapcert_parsers::render::render_atr(atr) {
        Ok(decoded) => {
            let j = &decoded.json;
            let protocols: Vec<String> = j["protocols"]
                .as_array()
                .map(|a| a.iter().filter_map(serde_json::Value::as_u64).map(|t| format!("T={t}")).collect())
                .unwrap_or_default();
            let what = match j["contactless"]["description"].as_str() {
                Some(d) => d.to_owned(),
                None => format!("historical bytes: {}", j["historical"]["kind"].as_str().unwrap_or("?")),
            };
            (decoded.json, format!("{}; {what}", protocols.join(",")))
        }
        Err(rejected) => (
            serde_json::json!({ "error": rejected.message, "offset": rejected.offset }),
            format!("undecodable ATR: {}", rejected.message),
        ),
    }
}

/// Runs `tapcert readers`.
#[cfg(feature = "pcsc")]
pub fn run(args: &ReadersArgs) -> anyhow::Result<ExitCode> {
    use tapcert_conformance::transport::{TransportError, list_readers};

    let readers = match list_readers() {
        Ok(r) => r,
        Err(e @ TransportError::NoService { .. }) => {
            crate::out::message(format_args!("tapcert readers: {e} (is pcscd running?)"));
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = crate::out::Stdout::new();
    if args.json {
        let list: Vec<_> = readers
            .iter()
            .map(|r| {
                let decoded = r.atr.as_deref().map(describe_atr);
                serde_json::json!({
                    "name": r.name,
                    "state": r.state,
                    "atr": r.atr.as_deref().map(hex::encode_upper),
                    "atr_decoded": decoded.as_ref().map(|d| &d.0),
                    "atr_summary": decoded.as_ref().map(|d| &d.1),
                })
            })
            .collect();
        out.line(serde_json::to_string_pretty(&serde_json::json!({ "readers": list }))?)?;
    } else if readers.is_empty() {
        crate::out::message("tapcert readers: no reader");
    } else {
        for r in &readers {
            let (atr, summary) = match r.atr.as_deref() {
                Some(atr) => (hex::encode_upper(atr), describe_atr(atr).1),
                None => ("-".into(), "-".into()),
            };
            out.line(format_args!("{}\t{}\t{atr}\t{summary}", r.name, r.state.join(",")))?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `tapcert readers` (this build has no PC/SC support).
#[cfg(not(feature = "pcsc"))]
pub fn run(_args: &ReadersArgs) -> anyhow::Result<ExitCode> {
    let _ = describe_atr;
    crate::out::message("tapcert readers: built without PC/SC support; rebuild with `--features pcsc`");
    Ok(ExitCode::from(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_pseudo_atr_is_decoded_as_decode_atr_does() {
        let atr = tapcert_conformance::sim::BAND_ATR;
        let (json, summary) = describe_atr(&atr);
        assert_eq!(json, tapcert_parsers::render::render_atr(&atr).unwrap().json);
        assert_eq!(json["atr"], "3B80800101");
        assert_eq!(json["protocols"], serde_json::json!([0, 1]));
        assert_eq!(json["contactless"]["kind"], "iso14443-4");
        assert_eq!(summary, "T=0,T=1; contactless ISO 14443-4 card with 0 historical byte(s)");
    }

    #[test]
    fn storage_card_summary_names_the_card() {
        let atr = hex::decode("3B8F8001804F0CA000000306030001000000006A").unwrap();
        let (json, summary) = describe_atr(&atr);
        assert_eq!(json["contactless"]["kind"], "storage");
        assert!(summary.starts_with("T=0,T=1; contactless storage card: "), "{summary}");
    }

    #[test]
    fn contact_atr_summary_gives_the_historical_kind() {
        // Contact card, T=0 only, compact-TLV historical bytes with a status indicator.
        let atr = hex::decode("3B6800000073C84013009000").unwrap();
        let (json, summary) = describe_atr(&atr);
        assert_eq!(json["contactless"], serde_json::Value::Null);
        assert_eq!(summary, format!("T=0; historical bytes: {}", json["historical"]["kind"].as_str().unwrap()));
    }

    #[test]
    fn undecodable_atr_gives_the_offset() {
        let (json, summary) = describe_atr(&[0x3B, 0x81]);
        assert!(json["error"].is_string(), "{json}");
        assert!(summary.starts_with("undecodable ATR: "), "{summary}");
    }
}
