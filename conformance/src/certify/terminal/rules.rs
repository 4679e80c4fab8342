//! The terminal pass criteria, one rule id each, in the rules-table style of
//! [`crate::terminal::rules`]: findings are the one [`tapcert_parsers::Finding`], so reports,
//! waivers and diffs key on these ids.

use tapcert_parsers::{Finding, Location};

pub use crate::terminal::rules::Rule;

use crate::terminal::rules::rules;

rules! {
    /// Commands come in the transaction's order.
    ORDER = "TERMINAL.ORDER", Error, "EMV Contactless Book A §5; Book B §3", "SELECT PPSE, SELECT AID, GPO, READ RECORDs, GENERATE AC, in that order (back to SELECT only after a refusal)";
    /// Without a PPSE the terminal selects from its own AID list.
    SELECT_FALLBACK = "TERMINAL.SELECT.FALLBACK", Error, "EMV Contactless Book B §3.3.3", "when SELECT PPSE fails, the terminal selects AIDs from its list";
    /// The application with the highest priority is selected first.
    SELECT_PRIORITY = "TERMINAL.SELECT.PRIORITY", Error, "EMV Book 1 §12.4; Contactless Book B §3.3.2", "the PPSE entry with the highest priority (87, 1 highest) is selected first";
    /// GPO carries `83 L` and exactly the data the PDOL asks for.
    GPO_PDOL_DATA = "TERMINAL.GPO.PDOL-DATA", Error, "EMV Book 3 §5.4, §6.5.8.3", "GPO data is 83 L followed by PDOL data of exactly the lengths the PDOL lists";
    /// GENERATE AC carries exactly the data the CDOL1 asks for.
    GENERATE_AC_CDOL1_DATA = "TERMINAL.GENERATE-AC.CDOL1-DATA", Error, "EMV Book 3 §5.4, §6.5.5.3", "GENERATE AC data is CDOL1 data of exactly the lengths the CDOL1 lists";
    /// Each DOL value has its format's padding and truncation.
    DOL_FORMAT = "TERMINAL.DOL.FORMAT", Error, "EMV Book 3 §5.4", "n: rightmost bytes kept, leading 00 padding; b/an: leftmost kept, trailing 00 padding; dates and times valid BCD";
    /// Unknown tags are filled with zeros.
    DOL_UNKNOWN_TAG = "TERMINAL.DOL.UNKNOWN-TAG", Error, "EMV Book 3 §5.4", "a tag the terminal does not know is sent as zeros of the requested length";
    /// Amount, Authorised as configured.
    DATA_AMOUNT = "TERMINAL.DATA.AMOUNT", Error, "EMV Book 3 Annex A (9F02, 9F03)", "9F02 and 9F03 carry the configured amounts as n12";
    /// Transaction currency as configured.
    DATA_CURRENCY = "TERMINAL.DATA.CURRENCY", Error, "EMV Book 3 Annex A (5F2A)", "5F2A carries the configured currency";
    /// Terminal country as configured.
    DATA_COUNTRY = "TERMINAL.DATA.COUNTRY", Error, "EMV Book 3 Annex A (9F1A)", "9F1A carries the configured country";
    /// Transaction type as configured.
    DATA_TYPE = "TERMINAL.DATA.TYPE", Error, "EMV Book 3 Annex A (9C)", "9C carries the configured transaction type";
    /// Fresh unpredictable numbers.
    UN_FRESH = "TERMINAL.UN.FRESH", Error, "EMV Book 4 §6.5.6; Book 2 §11.1", "9F37 differs in every transaction and no byte of it stays constant over the runs";
    /// No READ RECORD outside the AFL.
    AFL_OUTSIDE = "TERMINAL.AFL.OUTSIDE", Error, "EMV Book 3 §10.2", "the terminal reads only records the AFL lists";
    /// Every AFL record read, once, before GENERATE AC.
    AFL_COMPLETE = "TERMINAL.AFL.COMPLETE", Error, "EMV Book 3 §10.2", "every record the AFL lists is read once before GENERATE AC";
    /// GET RESPONSE after 61xx, with Le = xx.
    T0_GET_RESPONSE = "TERMINAL.T0.GET-RESPONSE", Error, "ISO/IEC 7816-4 §5.3.4; EMV Book 1 §9.3.1", "after 61xx the next command is GET RESPONSE with Le = xx";
    /// The same command again with Le = xx after 6Cxx.
    T0_RESEND_LE = "TERMINAL.T0.RESEND-LE", Error, "ISO/IEC 7816-4 §5.3.4; EMV Book 1 §9.3.1", "after 6Cxx the next command is the same command with Le = xx";
    /// The first GENERATE AC asks for what terminal action analysis gives.
    GENERATE_AC_TYPE = "TERMINAL.GENERATE-AC.TYPE", Error, "EMV Book 3 §10.3-§10.7, Annex C5", "the first GENERATE AC asks for the AAC, TC or ARQC that the TVR (from the card's data) and the IACs and TACs call for, and the CDOL1's TVR carries those bits";
    /// No command after a status that ends the transaction.
    STOP_FATAL = "TERMINAL.STOP.FATAL", Error, "EMV Contactless Book A §6; Book 3 §6.5", "after GENERATE AC, a refused GPO or a mute card, the terminal sends nothing more (or selects another application where the case allows)";
    /// The transaction's outcome is the expected one.
    OUTCOME = "TERMINAL.OUTCOME", Error, "EMV Contactless Book A §6.2 (outcomes)", "the outcome (approved, declined, online, try another interface, terminated) is the one the image calls for";
}

/// A finding under `rule` at an exchange (`#3 GPO`).
pub(crate) fn finding(rule: Rule, at: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding::new(rule.id, rule.severity, Location::step(at), message)
}

/// The criterion of `name` (its id, or the id without the `TERMINAL.` prefix, case-insensitive).
pub fn find_rule(name: &str) -> Option<Rule> {
    let upper = name.to_ascii_uppercase();
    RULES.iter().copied().find(|r| r.id == upper || r.id.strip_prefix("TERMINAL.") == Some(upper.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_style_and_are_unique_across_both_tables() {
        let mut ids: Vec<_> = RULES.iter().chain(crate::terminal::rules::RULES).map(|r| r.id).collect();
        assert!(ids.iter().all(|id| tapcert_parsers::is_rule_id(id)), "{ids:?}");
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(find_rule("gpo.pdol-data"), Some(GPO_PDOL_DATA));
        assert_eq!(find_rule("TERMINAL.OUTCOME"), Some(OUTCOME));
    }
}
