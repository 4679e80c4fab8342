//! The rules the terminal procedures check, one id each (the one rule-id style of
//! [`tapcert_parsers::Finding`]). Suites, expectations and waivers key on these ids.

use tapcert_parsers::{Finding, Location, Severity};

use super::Step;

/// A rule a procedure checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable id.
    pub id: &'static str,
    /// Severity of a finding under it.
    pub severity: Severity,
    /// Where the requirement comes from.
    pub reference: &'static str,
    /// What the rule requires, in one line.
    pub summary: &'static str,
}

/// A rules table: one `pub const` [`Rule`] per line and `RULES`, all of them in order. The one
/// table format of the engine's rules (here) and the terminal criteria
/// (`certify::terminal::rules`).
macro_rules! rules {
    ($($(#[$doc:meta])* $name:ident = $id:literal, $sev:ident, $reference:literal, $summary:literal;)*) => {
        $($(#[$doc])* pub const $name: $crate::terminal::rules::Rule = $crate::terminal::rules::Rule {
            id: $id,
            severity: tapcert_parsers::Severity::$sev,
            reference: $reference,
            summary: $summary,
        };)*
        /// Every rule of this table, in declaration order.
        pub const RULES: &[$crate::terminal::rules::Rule] = &[$($name),*];
    };
}
pub(crate) use rules;

rules! {
    /// A response carries no status word.
    APDU_NO_SW = "APDU.NO-SW", Error, "ISO/IEC 7816-4 §5.1", "every response ends with SW1 SW2";
    /// The terminal cannot encode a command the card's data asks for.
    TERMINAL_COMMAND = "TERMINAL.COMMAND", Error, "ISO/IEC 7816-4 §5.1; EMV Book 3 §5.4", "what the card asks the terminal to send fits a short APDU";
    /// An exchange took longer than the terminal's budget.
    APDU_LATENCY = "APDU.LATENCY", Warning, "EMV Contactless Book A §5.2 (500 ms transaction time)", "each answer comes within the terminal's per-exchange budget";
    /// The card stayed mute after a malformed command.
    CARD_LIVENESS = "CARD.LIVENESS", Error, "ISO/IEC 7816-4 §5.6", "after an error answer the card still answers the next command";
    /// SELECT of an AID the card does not have answered something else than 6A82.
    EMV_UNKNOWN_AID = "EMV.SELECT.UNKNOWN-AID", Error, "EMV Book 1 §12.3.2; ISO/IEC 7816-4 §11.2.2", "SELECT of an absent AID answers 6A82";
    /// GPO with PDOL data of the wrong length was accepted.
    EMV_GPO_PDOL_CHECK = "EMV.GPO.PDOL-CHECK", Error, "EMV Book 3 §6.5.8.4", "GPO whose data does not match the PDOL is refused (6700 or 6A80)";
    /// SELECT PPSE failed.
    EMV_PPSE_SELECT = "EMV.PPSE.SELECT", Error, "EMV Contactless Book B §3.3", "SELECT 2PAY.SYS.DDF01 answers 9000 with the PPSE FCI";
    /// The PPSE FCI is malformed or lists no usable application.
    EMV_PPSE_FCI = "EMV.PPSE.FCI", Error, "EMV Contactless Book B §3.3.1", "the PPSE FCI is 6F{84, A5{BF0C{61{4F, 87?}...}}} with an AID of 5-16 bytes";
    /// SELECT of the application failed.
    EMV_SELECT = "EMV.SELECT.STATUS", Error, "EMV Book 1 §12.2.3", "SELECT of a listed AID answers 9000";
    /// The application FCI is malformed.
    EMV_FCI = "EMV.FCI.TEMPLATE", Error, "EMV Book 1 §11.3.4", "the FCI is 6F{84 DF name, A5{...}}";
    /// The PDOL is malformed.
    EMV_PDOL = "EMV.PDOL.FORMAT", Error, "EMV Book 3 §5.4", "the PDOL is a list of tag-length pairs";
    /// GET PROCESSING OPTIONS failed.
    EMV_GPO_STATUS = "EMV.GPO.STATUS", Error, "EMV Book 3 §6.5.8", "GPO with PDOL data answers 9000";
    /// The GPO response is malformed.
    EMV_GPO_TEMPLATE = "EMV.GPO.TEMPLATE", Error, "EMV Book 3 §6.5.8.4", "the GPO response is 80{AIP AFL} or 77{82, 94, ...}";
    /// The AFL breaks its rules.
    EMV_AFL = "EMV.AFL.FORMAT", Error, "EMV Book 3 §10.2", "AFL entries: SFI 1-30, first record >= 1, last >= first, ODA count <= records";
    /// A record the AFL names cannot be read.
    EMV_AFL_RECORD = "EMV.AFL.RECORD-RANGE", Error, "EMV Book 3 §10.2", "every record the AFL lists can be read";
    /// More records than a terminal reads.
    EMV_AFL_LIMIT = "EMV.AFL.LIMIT", Error, "EMV Book 3 §10.2", "the AFL lists at most 64 records";
    /// A record is not a well-formed template 70.
    EMV_RECORD_TEMPLATE = "EMV.RECORD.TEMPLATE", Error, "EMV Book 3 §7.2", "records of SFI 1-10 are one template 70";
    /// A mandatory data object is missing.
    EMV_DATA_MANDATORY = "EMV.DATA.MANDATORY", Error, "EMV Book 3 §7.2, Table 26", "PAN (5A), expiry (5F24) and CDOL1 (8C) are present in the records";
    /// A data object appears in more than one record.
    EMV_DATA_DUPLICATE = "EMV.DATA.DUPLICATE", Warning, "EMV Book 3 §7.5", "no primitive data object is returned twice";
    /// The CDOL1 is malformed or asks for too much.
    EMV_CDOL1 = "EMV.CDOL1.FORMAT", Error, "EMV Book 3 §5.4", "the CDOL1 is a list of tag-length pairs whose data fits a short APDU";
    /// GENERATE AC failed.
    EMV_GENERATE_AC_STATUS = "EMV.GENERATE-AC.STATUS", Error, "EMV Book 3 §6.5.5", "GENERATE AC with CDOL1 data answers 9000";
    /// The GENERATE AC response is malformed.
    EMV_GENERATE_AC_TEMPLATE = "EMV.GENERATE-AC.TEMPLATE", Error, "EMV Book 3 §6.5.5.4", "the response is 80{CID ATC AC IAD?} or 77{9F27, 9F36, 9F26|9F4B, ...}";
    /// The card answered a cryptogram of a kind the terminal did not ask for or may not get.
    EMV_GENERATE_AC_CID = "EMV.GENERATE-AC.CID", Error, "EMV Book 3 §9.3", "the card never returns a higher cryptogram than requested (AAC < ARQC < TC)";
    /// The application cryptogram does not verify under the issuer key.
    EMV_AC = "EMV.AC.VERIFY", Error, "EMV Book 2 §8.1", "the AC verifies under the named issuer master key";
    /// The card's IAD declares another cryptogram version than its issuer key is declared with.
    EMV_AC_CVN = "EMV.AC.CVN", Error, "EMV Book 2 A1.3-A1.4; Book 3 §C (9F10)", "the IAD declares the cryptogram version the issuer keys are declared with";
    /// The cryptogram could not be checked (no key, unknown CVN).
    EMV_AC_UNCHECKED = "EMV.AC.UNCHECKED", Info, "EMV Book 2 §8.1", "the terminal has a key and knows the cryptogram version";
    /// The ATC did not increase.
    EMV_ATC = "EMV.ATC.MONOTONIC", Error, "EMV Book 3 §9.3", "the ATC increases with every transaction";
    /// Offline data authentication failed.
    EMV_ODA = "EMV.ODA.VERIFY", Error, "EMV Book 2 §5-6", "SDA, DDA or CDA, as the AIP offers, verify under the CA key";
    /// Offline data authentication could not be run (no CA key).
    EMV_ODA_UNCHECKED = "EMV.ODA.UNCHECKED", Info, "EMV Book 2 §5-6", "the terminal holds the CA public key the card names";
    /// SELECT of the e-purse failed.
    TRANSIT_SELECT = "TRANSIT.SELECT.STATUS", Error, "JT/T 978; PBOC e-purse", "SELECT of the e-purse AID answers 9000";
    /// GET BALANCE failed or is malformed.
    TRANSIT_BALANCE = "TRANSIT.BALANCE.FORMAT", Error, "PBOC e-purse GET BALANCE", "GET BALANCE answers 4 bytes and 9000";
    /// The card information file is malformed.
    TRANSIT_CARD_INFO = "TRANSIT.CARD-INFO.FORMAT", Error, "JT/T 978 card information file (SFI 15)", "READ BINARY of SFI 15 answers at least 28 bytes";
    /// A transaction log record is malformed.
    TRANSIT_LOG_FORMAT = "TRANSIT.LOG.FORMAT", Error, "PBOC e-purse transaction log (SFI 18)", "log records are 23 bytes; the log ends with 6A83";
    /// A successful purchase left no log record, or not the right one.
    TRANSIT_LOG_WRITTEN = "TRANSIT.LOG.WRITTEN", Error, "PBOC e-purse purchase", "a purchase writes exactly one log record with its sequence, amount and terminal";
    /// INITIALIZE FOR PURCHASE failed or is malformed.
    TRANSIT_INIT = "TRANSIT.INIT.FORMAT", Error, "PBOC e-purse INITIALIZE FOR PURCHASE", "answers 15 bytes and 9000, with the current balance";
    /// The card took a purchase with a wrong MAC1.
    TRANSIT_MAC1 = "TRANSIT.MAC1.CHECKED", Error, "PBOC e-purse DEBIT FOR PURCHASE", "a DEBIT with a wrong MAC1 is refused with 9302";
    /// A purchase with a valid MAC1 was refused or its answer is malformed.
    TRANSIT_DEBIT = "TRANSIT.DEBIT.STATUS", Error, "PBOC e-purse DEBIT FOR PURCHASE", "a DEBIT with a valid MAC1 answers TAC and MAC2 and 9000";
    /// MAC2 does not verify.
    TRANSIT_MAC2 = "TRANSIT.MAC2.VERIFY", Error, "PBOC e-purse purchase", "MAC2 verifies under the purchase session key";
    /// TAC does not verify.
    TRANSIT_TAC = "TRANSIT.TAC.VERIFY", Error, "PBOC e-purse purchase", "the TAC verifies under the TAC key";
    /// The balance moved wrongly.
    TRANSIT_BALANCE_ARITHMETIC = "TRANSIT.BALANCE.ARITHMETIC", Error, "PBOC e-purse purchase", "a purchase lowers the balance by its amount; a refused one leaves it unchanged";
    /// The terminal holds no purse key for the key index: the purchase cannot be run.
    TRANSIT_KEYS = "TRANSIT.KEYS.MISSING", Info, "PBOC e-purse purchase", "the terminal holds the purchase and TAC keys of the key index it names";
    /// SELECT of the NDEF tag application failed.
    NDEF_T4T_SELECT = "NDEF.T4T.SELECT", Error, "NFC Forum T4T §5.4.2", "SELECT of D2760000850101 answers 9000";
    /// The capability container cannot be read or decoded.
    NDEF_T4T_CC = "NDEF.T4T.CC", Error, "NFC Forum T4T §5.1", "the CC file E103 reads and decodes, with an NDEF file control TLV";
    /// The NDEF file cannot be selected or read.
    NDEF_T4T_FILE = "NDEF.T4T.FILE", Error, "NFC Forum T4T §5.4", "the NDEF file the CC names can be selected and read";
    /// NLEN claims more than the file holds.
    NDEF_T4T_NLEN = "NDEF.T4T.NLEN-RANGE", Error, "NFC Forum T4T §5.1.2", "NLEN is at most the NDEF file size - 2, and that many bytes can be read";
    /// The NDEF message does not decode.
    NDEF_MESSAGE = "NDEF.MESSAGE.DECODE", Error, "NFC Forum NDEF §3", "the NDEF file holds one well-formed NDEF message";
    /// GET DATA UID failed.
    UID_STATUS = "UID.STATUS", Error, "PC/SC Part 3 §3.2.2.1.3", "FF CA 00 00 00 answers the UID and 9000";
    /// The UID has a length ISO/IEC 14443-3 does not allow.
    UID_LENGTH = "UID.LENGTH", Warning, "ISO/IEC 14443-3 §6.5.4", "a UID is 4, 7 or 10 bytes";
}

/// A finding under `rule` at `step`.
pub(crate) fn finding(rule: Rule, step: Step, message: impl Into<String>) -> Finding {
    Finding::new(rule.id, rule.severity, Location::step(step.to_string()), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_style_and_are_unique() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        assert!(ids.iter().all(|id| tapcert_parsers::is_rule_id(id)), "{ids:?}");
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "a rule id is declared twice");
    }
}
