//! Firmware profiles: the reference band and realistic regressions of it.
//!
//! A fault is data ([`Faults`]); the band reads it exactly where the behaviour is produced, so
//! no runner ever branches on a profile name.

use std::time::Duration;

use tapcert_crypto::test_keys::{TEST_IMK_AC, TEST_IMK_SMI, TEST_PURSE_DTK};

/// Whether a profile is conformant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// Conformant: every suite passes.
    Reference,
    /// Carries one planted firmware fault that a suite must catch.
    Faulty,
}

impl ProfileKind {
    /// `reference` or `faulty`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Reference => "reference",
            ProfileKind::Faulty => "faulty",
        }
    }
}

/// The behaviour switches of a band firmware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faults {
    /// SW for SELECT of an AID the band does not have (`6A82` when conformant).
    pub unknown_aid_sw: u16,
    /// Whether GET PROCESSING OPTIONS increments the ATC.
    pub atc_increments: bool,
    /// Added to the declared length of the `70` template of the PAN record (SFI 1 record 2).
    pub record_length_skew: u8,
    /// Whether GPO checks the PDOL data against the PDOL (length and tag 83).
    pub pdol_checked: bool,
    /// Whether the AFL lists a record (SFI 1 record 3) that does not exist.
    pub afl_extra_record: bool,
    /// Issuer master key the ARQC is computed under.
    pub ac_imk: [u8; 16],
    /// Whether a DEBIT FOR PURCHASE with a bad MAC1 still takes the money.
    pub failed_debit_changes_balance: bool,
    /// Whether a successful purchase writes a transaction log record.
    pub log_written: bool,
    /// Added to NLEN in the NDEF file, beyond the message actually stored.
    pub ndef_nlen_excess: u16,
    /// Processing time of GENERATE AC.
    pub generate_ac_delay: Duration,
    /// Whether a malformed GPO leaves the band mute until the field goes off.
    pub mute_after_malformed_gpo: bool,
    /// Whether CDA signatures are made with a key other than the certified ICC key.
    pub cda_wrong_icc_key: bool,
    /// The key the e-purse computes its TAC under (DTK).
    pub purse_dtk: [u8; 16],
}

impl Faults {
    /// The conformant behaviour.
    pub const REFERENCE: Faults = Faults {
        unknown_aid_sw: 0x6A82,
        atc_increments: true,
        record_length_skew: 0,
        pdol_checked: true,
        afl_extra_record: false,
        ac_imk: TEST_IMK_AC,
        failed_debit_changes_balance: false,
        log_written: true,
        ndef_nlen_excess: 0,
        generate_ac_delay: Duration::ZERO,
        mute_after_malformed_gpo: false,
        cda_wrong_icc_key: false,
        purse_dtk: TEST_PURSE_DTK,
    };
}

/// A named firmware build of the band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmwareProfile {
    /// Name used on the command line (`--profile NAME`).
    pub name: &'static str,
    /// Conformant or not.
    pub kind: ProfileKind,
    /// One line: what is wrong (or that nothing is).
    pub description: &'static str,
    /// The behaviour switches.
    pub faults: Faults,
}

const R: Faults = Faults::REFERENCE;

macro_rules! faulty {
    ($name:literal, $desc:literal, $($field:ident: $value:expr),+) => {
        FirmwareProfile { name: $name, kind: ProfileKind::Faulty, description: $desc, faults: Faults { $($field: $value),+, ..R } }
    };
}

/// Every profile, the reference first.
pub fn profiles() -> Vec<FirmwareProfile> {
    vec![
        FirmwareProfile {
            name: "reference",
            kind: ProfileKind::Reference,
            description: "conformant band: PPSE, EMV contactless (ARQC, CDA), T-Union e-purse, NFC Type 4 tag, UID",
            faults: R,
        },
        faulty!("unknown-aid-sw", "SELECT of an unknown AID answers 6F00 instead of 6A82", unknown_aid_sw: 0x6F00),
        faulty!("atc-stuck", "ATC does not increment between transactions", atc_increments: false),
        faulty!(
            "record-tlv-length",
            "record SFI 1 #2 declares its 70 template one byte longer than it is",
            record_length_skew: 1
        ),
        faulty!("pdol-ignored", "GPO accepts PDOL data of any length without checking it", pdol_checked: false),
        faulty!("afl-missing-record", "AFL lists SFI 1 record 3, which READ RECORD cannot find", afl_extra_record: true),
        faulty!("arqc-wrong-key", "ARQC computed under a development key instead of the issuer test IMK", ac_imk: TEST_IMK_SMI),
        faulty!(
            "debit-failed-balance",
            "DEBIT FOR PURCHASE with a bad MAC1 is refused (9302) but the balance still drops",
            failed_debit_changes_balance: true
        ),
        faulty!("log-not-written", "a successful purchase writes no transaction log record (SFI 0x18)", log_written: false),
        faulty!("ndef-nlen-overflow", "NDEF file NLEN claims 16 bytes more than the file holds", ndef_nlen_excess: 16),
        faulty!(
            "slow-generate-ac",
            "GENERATE AC answers after 600 ms, beyond the 500 ms contactless transaction budget",
            generate_ac_delay: Duration::from_millis(600)
        ),
        faulty!(
            "mute-after-bad-gpo",
            "a malformed GPO leaves the band mute until the field is switched off",
            mute_after_malformed_gpo: true
        ),
        faulty!(
            "bad-cda-signature",
            "CDA signature (9F4B) made with a key other than the certified ICC key",
            cda_wrong_icc_key: true
        ),
        faulty!(
            "tac-wrong-key",
            "the e-purse signs its TAC with a development key instead of the issuer's DTK",
            purse_dtk: TEST_IMK_SMI
        ),
    ]
}

/// The profile with that name.
pub fn find_profile(name: &str) -> Option<FirmwareProfile> {
    profiles().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reference_ten_plus_faulty_each_different() {
        let all = profiles();
        assert_eq!(all.iter().filter(|p| p.kind == ProfileKind::Reference).count(), 1);
        let faulty: Vec<_> = all.iter().filter(|p| p.kind == ProfileKind::Faulty).collect();
        assert!(faulty.len() >= 10);
        for p in &faulty {
            assert_ne!(p.faults, Faults::REFERENCE, "{} plants no fault", p.name);
            assert!(!p.description.contains('\t') && !p.description.contains('\n'));
        }
        let names: Vec<_> = all.iter().map(|p| p.name).collect();
        assert_eq!(duplicate_names(&names), Vec::<&str>::new(), "profile names must be unique");
        assert_eq!(find_profile("atc-stuck").unwrap().kind, ProfileKind::Faulty);
        assert!(find_profile("nope").is_none());
    }

    /// The names that occur more than once, sorted: dedup only merges neighbours, so the list
    /// is sorted first.
    fn duplicate_names<'a>(names: &[&'a str]) -> Vec<&'a str> {
        let mut sorted = names.to_vec();
        sorted.sort_unstable();
        let mut dups: Vec<_> = sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        dups.dedup();
        dups
    }

    #[test]
    fn duplicate_names_are_found_wherever_they_stand() {
        assert_eq!(duplicate_names(&["a", "b", "a", "c", "b", "a"]), ["a", "b"]);
        assert_eq!(duplicate_names(&["reference", "atc-stuck"]), Vec::<&str>::new());
    }
}
