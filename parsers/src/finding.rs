//! The one finding type every validator and every terminal procedure returns.
//!
//! A [`Finding`] is a fact about bytes or text a device produced: which rule it breaks (a
//! stable [rule id](Finding::rule)), how serious that is, where it is, and a message for people.
//! Parse failures are errors, not findings: a finding is always about input that decoded.
//!
//! Rule ids have one style across formats: upper-case segments joined by dots, each segment made
//! of `A-Z`, `0-9` and `-`, the first segment naming the format or application
//! (`TLV.PADDING`, `EMV.AFL.RECORD-RANGE`, `NDEF.MB-FIRST`, `QR.CRC`, `APDU.DATA-WITHOUT-LE`,
//! `TRANSIT.TAC`). Expectations, waivers and `decode --strict` key on them.
//!
//! ```
//! use tapcert_parsers::{Finding, Location, Severity, is_rule_id};
//! let f = Finding::new("EMV.FORMAT.N", Severity::Warning, Location::byte(4).with_path("9A"), "byte 7A is not BCD");
//! assert!(is_rule_id(&f.rule));
//! assert!(f.is_violation());
//! assert_eq!(f.to_string(), "warning EMV.FORMAT.N at 9A, offset 4: byte 7A is not BCD");
//! assert!(!is_rule_id("ndef.mb-first"));
//! ```

use core::fmt;
use std::borrow::Cow;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Severity {
    /// Worth knowing; not a violation (padding, unknown proprietary tags).
    Info,
    /// A rule of the specification is broken.
    Warning,
    /// The data cannot be used as intended (a cryptogram that does not verify, a record the
    /// AFL names but the card cannot find).
    Error,
}

impl Severity {
    /// Lower-case name (`info`, `warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is. Every part is optional; a finding about a payload as a whole has none.
///
/// - `step`: the terminal procedure step (`READ RECORD SFI 1 #3`), for findings of procedures;
/// - `path`: a TLV tag path (`70.5A`), an EMV QR id path (`62.05`) or an NDEF record index;
/// - `offset`: a byte offset into the bytes validated (the response data, for a step);
/// - `char_offset`: a character offset into validated text (QR payloads).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    /// The procedure step.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub step: Option<String>,
    /// The object path.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub path: Option<String>,
    /// Byte offset.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub offset: Option<usize>,
    /// Character offset (text formats).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub char_offset: Option<usize>,
}

impl Location {
    /// The payload as a whole.
    pub fn whole() -> Self {
        Location::default()
    }

    /// A byte offset.
    pub fn byte(offset: usize) -> Self {
        Location { offset: Some(offset), ..Location::default() }
    }

    /// A character offset in text.
    pub fn char(offset: usize) -> Self {
        Location { char_offset: Some(offset), ..Location::default() }
    }

    /// An object path (TLV tags, QR ids) without an offset.
    pub fn path(path: impl Into<String>) -> Self {
        Location { path: Some(path.into()), ..Location::default() }
    }

    /// A procedure step.
    pub fn step(step: impl Into<String>) -> Self {
        Location { step: Some(step.into()), ..Location::default() }
    }

    /// The same location with an object path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The same location inside a procedure step.
    pub fn with_step(mut self, step: impl Into<String>) -> Self {
        self.step = Some(step.into());
        self
    }

    /// The same location with a byte offset.
    pub fn with_offset(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Whether no part is set.
    pub fn is_whole(&self) -> bool {
        *self == Location::default()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(step) = &self.step {
            write!(f, "{step}")?;
            sep = ", ";
        }
        if let Some(path) = &self.path {
            write!(f, "{sep}{path}")?;
            sep = ", ";
        }
        if let Some(o) = self.offset {
            write!(f, "{sep}offset {o}")?;
            sep = ", ";
        }
        if let Some(o) = self.char_offset {
            write!(f, "{sep}character {o}")?;
            sep = ", ";
        }
        if sep.is_empty() {
            f.write_str("the whole input")?;
        }
        Ok(())
    }
}

/// One broken (or noteworthy) rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Finding {
    /// Stable rule id in the one style ([`is_rule_id`]), e.g. `EMV.FORMAT.N`.
    pub rule: Cow<'static, str>,
    /// How serious.
    pub severity: Severity,
    /// Where.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub location: Location,
    /// What is wrong, in words.
    pub message: String,
}

impl Finding {
    /// A finding.
    pub fn new(
        rule: impl Into<Cow<'static, str>>,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        let rule = rule.into();
        debug_assert!(is_rule_id(&rule), "rule id {rule:?} breaks the rule-id style");
        Finding { rule, severity, location, message: message.into() }
    }

    /// Whether the finding breaks a rule (warning or error). Info findings never fail
    /// `decode --strict` or a certification case.
    pub fn is_violation(&self) -> bool {
        self.severity >= Severity::Warning
    }

    /// Whether the rule id is `rule` or lies under it (`EMV.FORMAT` matches `EMV.FORMAT.N`).
    pub fn matches(&self, rule: &str) -> bool {
        let r: &str = &self.rule;
        r == rule || (r.len() > rule.len() && r.starts_with(rule) && r.as_bytes()[rule.len()] == b'.')
    }

    /// The same finding located inside a procedure step.
    pub fn in_step(mut self, step: impl Into<String>) -> Self {
        self.location.step = Some(step.into());
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} at {}: {}", self.severity, self.rule, self.location, self.message)
    }
}

/// Whether `id` follows the rule-id style: dot-separated upper-case segments of `A-Z`, `0-9`
/// and `-`, at least two segments, none empty.
pub fn is_rule_id(id: &str) -> bool {
    // One pass over the bytes, no splitting: every finding of a validator is checked (in debug
    // builds, and so in every fuzz target, where the split-and-scan form was the validators'
    // largest cost after libFuzzer's own comparison hooks).
    let (mut segments, mut prev) = (1, b'.');
    for &b in id.as_bytes() {
        match b {
            b'A'..=b'Z' | b'0'..=b'9' => {}
            // Not at the start of a segment.
            b'-' if prev != b'.' => {}
            // Not after an empty segment or one that ends in '-'.
            b'.' if prev != b'.' && prev != b'-' => segments += 1,
            _ => return false,
        }
        prev = b;
    }
    segments >= 2 && prev != b'.' && prev != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_id_style() {
        for ok in ["QR.CRC", "EMV.AFL.RECORD-RANGE", "NDEF.MB-FIRST", "TLV.LENGTH.NON-MINIMAL", "QR.PIX.MANDATORY"] {
            assert!(is_rule_id(ok), "{ok}");
        }
        for bad in ["QR", "qr.crc", "EMV..X", "EMV.X_Y", ".EMV", "EMV.", "EMV.-X", "EMV.X-", "EMV X"] {
            assert!(!is_rule_id(bad), "{bad}");
        }
    }

    /// The style as its doc states it, segment by segment.
    fn rule_id_by_segments(id: &str) -> bool {
        let segs: Vec<&str> = id.split('.').collect();
        segs.len() >= 2
            && segs.iter().all(|s| {
                !s.is_empty()
                    && !s.starts_with('-')
                    && !s.ends_with('-')
                    && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            })
    }

    proptest::proptest! {
        #[test]
        fn one_pass_check_is_the_segment_rule(id in "[A-Z0-9.a_ -]{0,12}") {
            proptest::prop_assert_eq!(is_rule_id(&id), rule_id_by_segments(&id), "{:?}", id);
        }
    }

    #[test]
    fn matching_is_by_segment() {
        let f = Finding::new("EMV.FORMAT.N", Severity::Warning, Location::whole(), "x");
        assert!(f.matches("EMV.FORMAT.N") && f.matches("EMV.FORMAT") && f.matches("EMV"));
        assert!(!f.matches("EMV.FORM") && !f.matches("EMV.FORMAT.N.X") && !f.matches("TLV"));
    }

    #[test]
    fn locations_print_what_they_have() {
        assert_eq!(Location::whole().to_string(), "the whole input");
        assert_eq!(Location::char(12).with_path("62.05").to_string(), "62.05, character 12");
        assert_eq!(
            Location::byte(3).with_path("70.5A").with_step("READ RECORD SFI 1 #2").to_string(),
            "READ RECORD SFI 1 #2, 70.5A, offset 3"
        );
    }
}

/// Every validator of the crate, over inputs that fire its rules: each finding has a rule id in
/// the one style and the location its format promises (byte offsets for binary formats, the
/// id path and a character offset for QR text). One test per validator.
#[cfg(test)]
mod validators {
    use std::collections::BTreeSet;

    use super::*;
    use crate::apdu::{CommandApdu, ResponseApdu, validate_apdu_exchange};
    use crate::ndef::{
        NdefRecord, Tnf, decode_t2t_memory, decode_t2t_tlvs, decode_t4t_cc, encode_ndef_message, validate_ndef_message,
        validate_t2t_memory, validate_t2t_tlvs, validate_t4t_cc,
    };
    use crate::qr::{
        classify_wallet_code, decode_qr_cpm_base64, decode_qr_mpm, parse_qr_cpm, parse_upi_link, validate_qr_cpm,
        validate_qr_mpm, validate_upi_link, validate_wallet_code,
    };
    use crate::tlv::{decode_emv_tlv_padded, validate_emv_tlv};

    /// How a format locates its findings.
    #[derive(Clone, Copy)]
    enum Shape {
        /// A byte offset, no character offset.
        Bytes,
        /// An id path or a character offset (both when the object is there); no byte offset.
        Text,
    }

    /// Checks every finding's shape; returns the rule ids fired.
    fn check(findings: &[Finding], shape: Shape) -> BTreeSet<String> {
        for f in findings {
            assert!(is_rule_id(&f.rule), "{f}");
            assert!(!f.message.is_empty(), "{f}");
            assert!(f.location.step.is_none(), "validators know no procedure step: {f}");
            match shape {
                Shape::Bytes => {
                    assert!(f.location.offset.is_some() && f.location.char_offset.is_none(), "{f}")
                }
                Shape::Text => {
                    let l = &f.location;
                    assert!(l.offset.is_none() && (l.path.is_some() || l.char_offset.is_some()), "{f}")
                }
            }
        }
        findings.iter().map(|f| f.rule.to_string()).collect()
    }

    fn set(rules: &[&str]) -> BTreeSet<String> {
        rules.iter().map(|r| (*r).to_owned()).collect()
    }

    #[test]
    fn tlv_findings() {
        let inputs: [&[u8]; 7] = [
            &[0x5A, 0x02, 0x1F, 0x23],
            &[0x5F, 0x2D, 0x02, b'e', b' '],
            &[0x50, 0x01, 0x07],
            &[0x5F, 0x55, 0x02, b'G', b'1'],
            &[0x5F, 0x2A, 0x03, 0x09, 0x7A, 0x00, 0x9A, 0x81, 0x03, 0x26, 0x11, 0x22],
            &[0x7A, 0x00, 0x9F, 0x7A, 0x00],
            &[0x00, 0x77, 0x0A, 0x9F, 0x36, 0x01, 0x01, 0x9F, 0x36, 0x01, 0x02, 0x00, 0x00, 0x00],
        ];
        let mut fired = BTreeSet::new();
        for bytes in inputs {
            let (nodes, pad) = decode_emv_tlv_padded(bytes).unwrap();
            let findings = validate_emv_tlv(&nodes, pad);
            // Every finding about an object names its tag path.
            assert!(findings.iter().filter(|f| f.rule != "TLV.PADDING").all(|f| f.location.path.is_some()));
            fired.extend(check(&findings, Shape::Bytes));
        }
        let all = [
            "TLV.LENGTH.NON-MINIMAL",
            "TLV.PADDING",
            "EMV.TAG.CONSTRUCTED-BIT",
            "EMV.TAG.UNKNOWN",
            "EMV.LENGTH.RANGE",
            "EMV.FORMAT.N",
            "EMV.FORMAT.CN",
            "EMV.FORMAT.A",
            "EMV.FORMAT.AN",
            "EMV.FORMAT.ANS",
            "EMV.TEMPLATE.DUPLICATE",
        ];
        assert_eq!(fired, set(&all));
    }

    #[test]
    fn ndef_findings() {
        let uri = NdefRecord::new(Tnf::WELL_KNOWN, &b"U"[..], &b""[..], &[0x01, b'a'][..]);
        let two_uris = encode_ndef_message(&[uri.clone(), uri]);
        let poster = encode_ndef_message(&[NdefRecord::new(Tnf::WELL_KNOWN, &b"Sp"[..], &b""[..], two_uris)]);
        let aar = encode_ndef_message(&[NdefRecord::new(Tnf::EXTERNAL, &b"android.com:pkg"[..], &b""[..], &b"1x"[..])]);
        let chunks =
            [0xB2, 0x03, 0x01, b'a', b'/', b'b', 0x01, 0x3A, 0x01, 0x01, 0x00, b'x', 0x02, 0x56, 0x00, 0x01, 0x03];
        let inputs: Vec<&[u8]> = vec![
            &[],
            &[0x50, 0x00, 0x00],
            &[0x90, 0x00, 0x00, 0x90, 0x00, 0x00],
            &chunks,
            &[0xB0, 0x00, 0x00, 0x56, 0x00, 0x00],
            &[0xD0, 0x00, 0x01, 0x00],
            &[0xD5, 0x01, 0x00, b'x'],
            &[0xD1, 0x00, 0x00],
            &[0xD6, 0x00, 0x00],
            &[0xD7, 0x00, 0x00],
            &[0xD2, 0x01, 0x00, b'x'],
            &[0xD3, 0x01, 0x00, b'x'],
            &[0xD4, 0x01, 0x00, b'x'],
            &[0xD1, 0x01, 0x00, 0xFF],
            &[0xD1, 0x01, 0x02, b'U', 0x24, b'x'],
            &[0xD1, 0x01, 0x02, b'T', 0x42, b'x'],
            &[0xD1, 0x01, 0x01, b'T', 0x40],
            &poster,
            &aar,
        ];
        let mut fired = BTreeSet::new();
        for bytes in inputs {
            let findings = validate_ndef_message(bytes);
            assert!(findings.iter().all(|f| f.location.offset.is_some_and(|o| o <= bytes.len())));
            fired.extend(check(&findings, Shape::Bytes));
        }
        let all = [
            "NDEF.NO-RECORDS",
            "NDEF.MB-FIRST",
            "NDEF.MB-ONLY-FIRST",
            "NDEF.ME-LAST",
            "NDEF.CHUNK-TNF-UNCHANGED",
            "NDEF.CHUNK-TYPE-ON-MIDDLE",
            "NDEF.CHUNK-IL-ON-MIDDLE",
            "NDEF.CHUNK-EMPTY-TNF",
            "NDEF.EMPTY-RECORD",
            "NDEF.TYPE-ABSENT",
            "NDEF.TYPE-REQUIRED",
            "NDEF.UNCHANGED-OUTSIDE-CHUNK",
            "NDEF.TNF-RESERVED",
            "NDEF.MIME-TYPE-SYNTAX",
            "NDEF.ABSOLUTE-URI-SYNTAX",
            "NDEF.EXTERNAL-TYPE-SYNTAX",
            "NDEF.WELL-KNOWN-TYPE-SYNTAX",
            "NDEF.URI.RESERVED-CODE",
            "NDEF.TEXT.PAYLOAD",
            "NDEF.TEXT.RESERVED-BIT",
            "NDEF.SP.ONE-URI",
            "NDEF.AAR.PACKAGE-NAME",
        ];
        assert_eq!(fired, set(&all));
        let payload = validate_ndef_message(&[0xD1, 0x01, 0x02, b'T', 0x42, b'x']);
        assert_eq!(payload[0].severity, Severity::Error, "a payload that does not decode is an error");
    }

    #[test]
    fn t4t_cc_findings() {
        // CCLEN 7, mapping 4.0, MLe 14, MLc 0, no TLV; then a proprietary TLV first with a
        // reserved ID, size and access bytes.
        let short = [0x00, 0x07, 0x40, 0x00, 0x0E, 0x00, 0x00];
        let cc = [0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x05, 0x06, 0xE1, 0x03, 0x00, 0x01, 0x10, 0x10];
        let mut findings = validate_t4t_cc(&decode_t4t_cc(&short).unwrap());
        findings.extend(validate_t4t_cc(&decode_t4t_cc(&cc).unwrap()));
        let all = [
            "T4T.CCLEN",
            "T4T.MAPPING-VERSION",
            "T4T.MLE-MIN",
            "T4T.MLC-MIN",
            "T4T.NDEF-FILE-CONTROL",
            "T4T.FILE-ID",
            "T4T.MAX-SIZE",
            "T4T.READ-ACCESS",
            "T4T.WRITE-ACCESS",
        ];
        assert_eq!(check(&findings, Shape::Bytes), set(&all));
    }

    #[test]
    fn t2t_findings() {
        // UID with wrong BCCs, CC magic E2 version 2.0, a data area of 24 bytes of which 11 are
        // there: a short Lock Control TLV, a reserved TLV type in the long length form.
        let mut dump =
            vec![0x04, 0x6F, 0xD5, 0x00, 0xAA, 0x32, 0x5C, 0x80, 0x00, 0x48, 0x00, 0x00, 0xE2, 0x20, 0x03, 0x00];
        dump.extend_from_slice(&[0x01, 0x02, 0xE0, 0x25, 0x10, 0xFF, 0x00, 0x01, 0xAA, 0xFE, 0x00]);
        let findings = validate_t2t_memory(&decode_t2t_memory(&dump).unwrap());
        let all = [
            "T2T.BCC0",
            "T2T.BCC1",
            "T2T.CC-MAGIC",
            "T2T.CC-VERSION",
            "T2T.DUMP-SHORT",
            "T2T.CONTROL-LENGTH",
            "T2T.TLV-RESERVED",
            "T2T.LENGTH-FORM",
            "T2T.NDEF-TLV",
        ];
        assert_eq!(check(&findings, Shape::Bytes), set(&all));
        // The TLV area alone: its NDEF message's rules too.
        let area = [0x03, 0x03, 0x50, 0x00, 0x00, 0xFE];
        let findings = validate_t2t_tlvs(&decode_t2t_tlvs(&area, 0).unwrap());
        assert_eq!(check(&findings, Shape::Bytes), set(&["NDEF.MB-FIRST"]));
        assert_eq!(findings[0].location.offset, Some(2));
    }

    #[test]
    fn qr_mpm_findings() {
        let vector = |name: &str| {
            let path = format!("{}/../vectors/qr/{name}.txt", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(path).unwrap().trim_end().to_owned()
        };
        let broken = vector("neg_mpm_rules_broken");
        let lower_crc = vector("neg_mpm_lowercase_crc");
        // No merchant account, a 2-character merchant channel, 62 last.
        let no_account = "00020101021162061102ab";
        let wrong_crc = "00020101021229370016A000000677010111011300669123456785802TH53037645406100.00630492CC";
        let pix_txid = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503*!*63041D3D";
        let mut fired = BTreeSet::new();
        for text in [&broken, &lower_crc, no_account, wrong_crc, pix_txid] {
            let findings = validate_qr_mpm(&decode_qr_mpm(text).unwrap());
            fired.extend(check(&findings, Shape::Text));
            // Findings about present objects carry their character offset.
            let qr = decode_qr_mpm(text).unwrap();
            for f in &findings {
                if let Some(o) = qr.at_path(f.location.path.as_deref().unwrap_or_default())
                    && f.rule != "QR.EMVCO.DUPLICATE-ID"
                {
                    assert_eq!(f.location.char_offset, Some(o.offset), "{f}");
                }
            }
        }
        let emvco = [
            "QR.EMVCO.ORDER-00-FIRST",
            "QR.EMVCO.ORDER-63-LAST",
            "QR.EMVCO.MANDATORY",
            "QR.EMVCO.MERCHANT-ACCOUNT",
            "QR.EMVCO.DUPLICATE-ID",
            "QR.EMVCO.PAYLOAD-FORMAT",
            "QR.EMVCO.POINT-OF-INITIATION",
            "QR.EMVCO.MCC-FORMAT",
            "QR.EMVCO.CURRENCY",
            "QR.EMVCO.AMOUNT-FORMAT",
            "QR.EMVCO.TIP-INDICATOR",
            "QR.EMVCO.FEE-PERCENTAGE",
            "QR.EMVCO.COUNTRY",
            "QR.EMVCO.MAX-LENGTH",
            "QR.EMVCO.CHARSET",
            "QR.CRC-FORMAT",
            "QR.CRC",
            "QR.EMVCO.TEMPLATE-GUID",
            "QR.EMVCO.RFU-ID",
            "QR.EMVCO.CONSUMER-DATA-REQUEST",
            "QR.EMVCO.MERCHANT-CHANNEL",
            "QR.EMVCO.LANGUAGE-TEMPLATE",
            // The profiles share the base's way of locating findings; one stands for them.
            "QR.PIX.TXID",
        ];
        assert_eq!(fired, set(&emvco));
        let crc = validate_qr_mpm(&decode_qr_mpm(wrong_crc).unwrap());
        let crc = crc.iter().find(|f| f.rule == "QR.CRC").unwrap();
        assert_eq!((crc.severity, crc.location.char_offset), (Severity::Error, Some(76)));
    }

    #[test]
    fn qr_cpm_findings() {
        // 85 "CPV02"; 61 { 50 "X", 64 {} }; 62 { 63 { 9F26 8 bytes } }; 90 00. Then a payload
        // whose cryptogram comes without its ATC.
        let bytes = hex::decode("8505435056303261055001586400620D630B9F260800000000000000009000").unwrap();
        let no_atc = hex::decode("8505435056303161134F01A05A0112630B9F26080000000000000000").unwrap();
        let mut findings = validate_qr_cpm(&parse_qr_cpm(&bytes).unwrap());
        findings.extend(validate_qr_cpm(&parse_qr_cpm(&no_atc).unwrap()));
        let fired: BTreeSet<_> = findings.iter().map(|f| f.rule.to_string()).collect();
        for f in &findings {
            assert!(is_rule_id(&f.rule) && f.location.char_offset.is_none(), "{f}");
            // Byte offsets in the decoded payload, except for the payload-wide cryptogram rule.
            assert_eq!(f.location.offset.is_some(), f.rule != "QR.CPM.CRYPTOGRAM", "{f}");
        }
        let all = [
            "QR.CPM.PFI-VALUE",
            "QR.CPM.AID",
            "QR.CPM.PAN-OR-TRACK2",
            "QR.CPM.TEMPLATE-PLACEMENT",
            "QR.CPM.CRYPTOGRAM",
            "QR.CPM.ATC",
            "QR.CPM.UNEXPECTED-TAG",
        ];
        assert_eq!(fired, set(&all));
        let empty = validate_qr_cpm(&parse_qr_cpm(&decode_qr_cpm_base64("YQA=").unwrap()).unwrap());
        assert!(empty.iter().any(|f| f.rule == "QR.CPM.PFI-FIRST"));
    }

    #[test]
    fn upi_findings() {
        let link = parse_upi_link("upi://pay?pa=shop&am=1.234&mam=x&cu=USD&mc=12&am=1").unwrap();
        let findings = validate_upi_link(&link);
        let all = [
            "QR.UPI.PAYEE-ADDRESS",
            "QR.UPI.PAYEE-NAME",
            "QR.UPI.AMOUNT-FORMAT",
            "QR.UPI.CURRENCY",
            "QR.UPI.MCC-FORMAT",
            "QR.UPI.DUPLICATE-KEY",
        ];
        assert_eq!(check(&findings, Shape::Text), set(&all));
        let pa = &findings[0];
        assert_eq!((pa.location.path.as_deref(), pa.location.char_offset), (Some("pa"), Some(10)));
        let pn = findings.iter().find(|f| f.rule == "QR.UPI.PAYEE-NAME").unwrap();
        assert_eq!(pn.location.char_offset, None, "an absent key has no offset");
    }

    #[test]
    fn wallet_code_findings() {
        let findings = validate_wallet_code(&classify_wallet_code("994567890123456789").unwrap());
        assert_eq!(check(&findings, Shape::Text), set(&["QR.WALLET.UNKNOWN"]));
        assert!(!findings[0].is_violation(), "an unknown wallet breaks no rule");
    }

    #[test]
    fn apdu_exchange_findings() {
        let case1 = CommandApdu::from_bytes(&[0x00, 0xA4, 0x04, 0x00]).unwrap();
        let read1 = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x01]).unwrap();
        let read_ext = CommandApdu::from_bytes(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x01]).unwrap();
        let two = ResponseApdu::from_bytes(&[0x01, 0x02, 0x90, 0x00]).unwrap();
        let mut fired = BTreeSet::new();
        for (c, r) in [(&case1, &two), (&read1, &two), (&read_ext, &two)] {
            fired.extend(check(&validate_apdu_exchange(c, r, Some(false)), Shape::Bytes));
        }
        assert_eq!(fired, set(&["APDU.DATA-WITHOUT-LE", "APDU.DATA-EXCEEDS-NE", "APDU.EXTENDED-NOT-ANNOUNCED"]));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn json_shape() {
        let f = Finding::new("QR.EMVCO.MANDATORY", Severity::Warning, Location::char(4).with_path("52"), "absent");
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"rule": "QR.EMVCO.MANDATORY", "severity": "warning", "path": "52", "char_offset": 4, "message": "absent"})
        );
        assert_eq!(serde_json::from_value::<Finding>(v).unwrap(), f);
    }
}
