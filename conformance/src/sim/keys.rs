//! The band's door to `tapcert_crypto` for its EMV application: only published test keys
//! (`tapcert_crypto::test_keys`), chosen per firmware profile ([`super::Faults`]).

use tapcert_crypto::{AcData, Cvn, Tdes, derive_icc_mk_option_a};

/// Cryptogram version of the EMV application (Mastercard CVN 20: option A ICC MK, EMV common
/// session key, AC over the 33-byte data set ‖ CVR, ISO 9797-1 alg 3, padding 2).
pub(crate) const AC_CVN: Cvn = Cvn::Mastercard20;

/// The application cryptogram over the 33-byte data set (CDOL1 data ‖ AIP ‖ ATC) and the IAD.
/// `None` if the personalisation (PAN) is not valid for key derivation.
pub(crate) fn application_cryptogram(
    imk: &[u8; 16],
    pan: &str,
    psn: u8,
    ac_data: &[u8],
    iad: &[u8],
) -> Option<[u8; 8]> {
    let icc_mk = derive_icc_mk_option_a(&Tdes::new_2key(imk), pan, psn).ok()?;
    let data = AcData::from_bytes(ac_data).ok()?;
    AC_CVN.generate_ac(&icc_mk, &data, iad).ok().map(|c| c.ac)
}
