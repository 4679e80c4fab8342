//! `tapcert readers`: the PC/SC readers pcscd knows, their state and the ATR of the card in
//! each (needs the `pcsc` feature).

use std::process::ExitCode;

use clap::Args;

/// Arguments of `tapcert readers`.
#[derive(Debug, Args)]
pub struct ReadersArgs {
    /// One JSON document instead of lines `NAME<TAB>STATE<TAB>ATR`.
    #[arg(long)]
    pub json: bool,
}

/// How an ATR is shown. The single place where `tapcert_parsers::atr` decoding will plug in.
fn describe_atr(atr: &[u8]) -> String {
    hex::encode_upper(atr)
}

/// Runs `tapcert readers`.
#[cfg(feature = "pcsc")]
pub fn run(args: &ReadersArgs) -> anyhow::Result<ExitCode> {
    use tapcert_conformance::transport::{TransportError, list_readers};

    let readers = match list_readers() {
        Ok(r) => r,
        Err(e @ TransportError::NoService { .. }) => {
            eprintln!("tapcert readers: {e} (is pcscd running?)");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        let list: Vec<_> = readers
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "state": r.state,
                    "atr": r.atr.as_deref().map(hex::encode_upper),
                    "atr_description": r.atr.as_deref().map(describe_atr),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "readers": list }))?);
    } else if readers.is_empty() {
        eprintln!("tapcert readers: no reader");
    } else {
        for r in &readers {
            let atr = r.atr.as_deref().map(describe_atr).unwrap_or_else(|| "-".into());
            println!("{}\t{}\t{}", r.name, r.state.join(","), atr);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `tapcert readers` (this build has no PC/SC support).
#[cfg(not(feature = "pcsc"))]
pub fn run(_args: &ReadersArgs) -> anyhow::Result<ExitCode> {
    let _ = describe_atr;
    eprintln!("tapcert readers: built without PC/SC support; rebuild with `--features pcsc`");
    Ok(ExitCode::from(2))
}
