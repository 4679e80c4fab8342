//! The issuer keys of a `--keys` file drive the terminal's checks: the declared cryptogram
//! version and ICC master-key derivation are the ones the ARQC is recomputed with, an
//! AID-bound key serves its application only, and a lab's CA key replaces the built-in test CA.

mod common;

use std::sync::Arc;

use common::terminal_clock;
use tapcert_conformance::clock::SeededRng;
use tapcert_conformance::sim::{Band, BandConfig, find_profile};
use tapcert_conformance::terminal::{
    CaKey, Check, EmvRead, Observation, TerminalConfig, TerminalKeys, kcv, load_keys_toml, read_emv,
};
use tapcert_conformance::transport::{InProcess, T0};
use tapcert_crypto::oda::test_keys::{TEST_ONLY_CA, TEST_ONLY_ISSUER};
use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_IMK_SMI};

/// The reference band with a PAN of `pan`.
fn band(pan: &str) -> T0<InProcess<Band>> {
    let config = BandConfig { pan: pan.into(), ..BandConfig::default() };
    let band = Band::with_config(find_profile("reference").unwrap(), config);
    T0::new(InProcess::with_clock(band, Arc::new(terminal_clock())))
}

/// One `[[issuer]]` entry under the band's IMK-AC, `extra` lines appended.
fn issuer(name: &str, imk: [u8; 16], extra: &str) -> String {
    format!("[[issuer]]\nname = \"{name}\"\nimk_ac = \"{}\"\nkcv = \"{}\"\n{extra}\n", hex::encode(imk), kcv(&imk))
}

/// The default terminal with the issuer keys of `text` (CA and purse keys: the band's).
fn run(pan: &str, text: &str) -> Observation<EmvRead> {
    let mut config = TerminalConfig::default();
    config.keys.issuer = load_keys_toml("keys.toml", text).unwrap().issuer;
    read_emv(&mut band(pan), &config, &mut SeededRng::new(3), &terminal_clock())
}

fn rules(obs: &Observation<EmvRead>) -> Vec<&str> {
    obs.findings.iter().map(|f| &*f.rule).collect()
}

fn failed_reason(obs: &Observation<EmvRead>) -> String {
    match obs.result.cryptogram_check.as_ref().unwrap() {
        Check::Failed { key, reason } => format!("{key}: {reason}"),
        other => panic!("{other:?}"),
    }
}

const BAND_PAN: &str = "5413330089600010";

#[test]
fn the_declared_cryptogram_version_is_the_one_the_arqc_is_checked_with() {
    // The band is personalised with Mastercard CVN 20 (14) and option A: declared so, clean.
    let obs = run(BAND_PAN, &issuer("mc", TEST_IMK_AC, "cvn = \"mastercard-20\"\nderivation = \"option-a\""));
    assert!(obs.is_clean(), "{:?}", obs.findings);
    assert_eq!(obs.result.cryptogram_check, Some(Check::Verified { key: "mc".into() }));

    // Declared with CVN 16 (MC SKD session key): the IAD says 14, and the AC does not verify.
    let obs = run(BAND_PAN, &issuer("mc", TEST_IMK_AC, "cvn = \"mastercard-16\""));
    assert_eq!(rules(&obs), ["EMV.AC.CVN", "EMV.AC.VERIFY"], "{:?}", obs.findings);
    let cvn = &obs.findings[0].message;
    assert!(cvn.contains("declares CVN 14 (mastercard-20)") && cvn.contains("CVN 10 (mastercard-16)"), "{cvn}");
    let reason = failed_reason(&obs);
    assert!(reason.starts_with("mc: CVN 10 (mastercard-16), ICC MK option A: the card's AC"), "{reason}");
}

#[test]
fn the_declared_derivation_is_the_one_the_icc_master_key_is_derived_with() {
    // A 17-digit PAN: options A and B give different ICC master keys (A1.4.2). The band
    // derives by option A.
    let long_pan = "54133300896000101";
    for extra in ["", "derivation = \"option-a\"", "cvn = \"mastercard-20\"\nderivation = \"option-a\""] {
        let obs = run(long_pan, &issuer("mc", TEST_IMK_AC, extra));
        assert!(obs.is_clean(), "{extra}: {:?}", obs.findings);
        assert_eq!(obs.result.pan().as_deref(), Some(long_pan));
    }
    let obs = run(long_pan, &issuer("mc", TEST_IMK_AC, "derivation = \"option-b\""));
    assert_eq!(rules(&obs), ["EMV.AC.VERIFY"], "{:?}", obs.findings);
    assert!(failed_reason(&obs).contains("CVN 14 (mastercard-20), ICC MK option B"), "{}", failed_reason(&obs));
    // With a 16-digit PAN option B is option A (A1.4.2 applies to longer PANs only).
    assert!(run(BAND_PAN, &issuer("mc", TEST_IMK_AC, "derivation = \"option-b\"")).is_clean());
}

#[test]
fn an_aid_bound_issuer_key_serves_its_application_only() {
    let visa = issuer("visa-app", TEST_IMK_SMI, "aid = \"A0000000031010\"");
    let mc = issuer("mc-app", TEST_IMK_AC, "aid = \"A0000000041010\"");
    let any = issuer("any", TEST_IMK_SMI, "");
    // file order: the RID-less key first, the band's application key last; the AID wins
    let obs = run(BAND_PAN, &format!("{any}{visa}{mc}"));
    assert_eq!(obs.result.cryptogram_check, Some(Check::Verified { key: "mc-app".into() }), "{:?}", obs.findings);
    // Only the other application's key: not checked, not failed.
    let obs = run(BAND_PAN, &visa);
    assert_eq!(rules(&obs), ["EMV.AC.UNCHECKED"], "{:?}", obs.findings);
    // A key for any application is used when none names the AID.
    let obs = run(BAND_PAN, &format!("{visa}{any}"));
    assert_eq!(rules(&obs), ["EMV.AC.VERIFY"], "{:?}", obs.findings);
    assert!(failed_reason(&obs).starts_with("any: "));
    // By application label (the band's is MASTERCARD): after the AID, before RID-wide keys.
    let by_label = issuer("mc-label", TEST_IMK_AC, "application = \"mastercard\"");
    let visa_label = issuer("visa-label", TEST_IMK_SMI, "application = \"VISA\"");
    let obs = run(BAND_PAN, &format!("{any}{visa_label}{by_label}"));
    assert_eq!(obs.result.cryptogram_check, Some(Check::Verified { key: "mc-label".into() }), "{:?}", obs.findings);
    let obs = run(BAND_PAN, &format!("{by_label}{}", issuer("mc-aid", TEST_IMK_SMI, "aid = \"A000000004\"")));
    assert_eq!(rules(&obs), ["EMV.AC.VERIFY"], "the AID-bound key wins: {:?}", obs.findings);
    assert_eq!(rules(&run(BAND_PAN, &visa_label)), ["EMV.AC.UNCHECKED"]);
}

#[test]
fn a_lab_ca_key_replaces_the_built_in_test_ca() {
    let ca_file = |name: &str, key| {
        let listed = TerminalKeys {
            ca: vec![CaKey { name: name.into(), rid: [0xA0, 0, 0, 0, 4], index: 0xF0, key }],
            ..TerminalKeys::default()
        };
        let ca = &listed.ca[0];
        format!(
            "[[ca]]\nname = \"{name}\"\nrid = \"A000000004\"\nindex = \"F0\"\nmodulus = \"{}\"\nexponent = \"{}\"\nkcv = \"{}\"\n",
            hex::encode(ca.key.modulus()),
            hex::encode(ca.key.exponent()),
            listed.kcvs()[0].kcv
        )
    };
    let run_with_ca = |text: &str| {
        let mut config = TerminalConfig::default();
        config.keys.ca = load_keys_toml("keys.toml", text).unwrap().ca;
        read_emv(&mut band(BAND_PAN), &config, &mut SeededRng::new(3), &terminal_clock())
    };
    let obs = run_with_ca(&ca_file("lab-ca", TEST_ONLY_CA.public_key()));
    assert!(obs.is_clean(), "{:?}", obs.findings);
    assert!(matches!(&obs.result.oda, Some((_, Check::Verified { key })) if key == "lab-ca"), "{:?}", obs.result.oda);
    // Another key under the same RID and index: the band's certificates do not recover.
    let obs = run_with_ca(&ca_file("other-ca", TEST_ONLY_ISSUER.public_key()));
    assert!(obs.has("EMV.ODA.VERIFY"), "{:?}", obs.findings);
    assert!(
        matches!(&obs.result.oda, Some((_, Check::Failed { key, .. })) if key == "other-ca"),
        "{:?}",
        obs.result.oda
    );
}
