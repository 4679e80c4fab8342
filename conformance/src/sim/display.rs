//! The band's display: EMVCo consumer-presented payment codes (QRCPS CPM), one per press, each
//! with a fresh application cryptogram under the published test IMK (CVN 20, PSN 00, the data
//! set of [`crate::terminal::verify_cpm_code`]: amounts and terminal data at zero). The codes
//! have their own transaction counter, apart from the contactless application's.

use tapcert_crypto::test_keys::TEST_IMK_AC;
use tapcert_crypto::{AcData, CpmCard, Cvn, MastercardIad, Tdes, derive_icc_mk_option_a, generate_cpm_token};

use super::BandConfig;
use crate::clock::{SeededRng, UnpredictableSource};

/// The band's payment-code display.
#[derive(Debug, Clone)]
pub struct CodeDisplay {
    config: BandConfig,
    atc: u16,
    rng: SeededRng,
}

impl CodeDisplay {
    /// A display for a band's personalisation.
    pub fn new(config: BandConfig) -> Self {
        let rng = SeededRng::new(config.seed ^ 0x51C0_DE00);
        CodeDisplay { config, atc: 0, rng }
    }

    /// The next payment code (base64 CPM text); `None` if the personalisation cannot make one.
    pub fn next_code(&mut self) -> Option<String> {
        self.atc = self.atc.checked_add(1)?;
        let mut un = [0u8; 4];
        self.rng.fill(&mut un);
        let icc_mk = derive_icc_mk_option_a(&Tdes::new_2key(&TEST_IMK_AC), &self.config.pan, 0).ok()?;
        let iad = MastercardIad {
            kdi: 0x01,
            cvn: Cvn::Mastercard20.code(),
            cvr: [0xA0, 0, 0, 0, 0, 0],
            dac_idn: [0; 2],
            counters: [0; 8],
            extra: Vec::new(),
        }
        .to_bytes();
        let card = CpmCard {
            aid: vec![0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10],
            label: "MASTERCARD".into(),
            pan: self.config.pan.clone(),
            cardholder_name: None,
            language_preference: Some("en".into()),
            icc_mk,
            cvn: Cvn::Mastercard20,
            iad,
        };
        let data = AcData { un, atc: self.atc.to_be_bytes(), ..AcData::default() };
        generate_cpm_token(&card, &data).ok().map(|t| t.qr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::{TerminalKeys, verify_cpm_code};

    #[test]
    fn codes_verify_at_the_terminal_and_count() {
        let mut d = CodeDisplay::new(BandConfig::default());
        let a = verify_cpm_code(&d.next_code().unwrap(), &TerminalKeys::test_keys());
        let b = verify_cpm_code(&d.next_code().unwrap(), &TerminalKeys::test_keys());
        assert!(a.cryptogram.is_verified() && b.cryptogram.is_verified(), "{a:?} {b:?}");
        assert_eq!((a.atc, b.atc), (Some(1), Some(2)));
        // Under another issuer key the same code fails.
        let mut other = TerminalKeys::test_keys();
        other.issuer[0].imk_ac[0] ^= 0x02; // not the parity bit, which DES ignores
        assert!(matches!(
            verify_cpm_code(&d.next_code().unwrap(), &other).cryptogram,
            crate::terminal::Check::Failed { .. }
        ));
    }
}
