//! Entry points for the fuzz targets (`fuzz/`, own workspace): every function of this crate that
//! takes untrusted bytes or text, driven from one byte string. Not a stable API.

use crate::oda::{
    EmvDate, RsaPublicKey, recover_issuer_public_key, verify_signed_dynamic_data, verify_signed_static_data,
};
use crate::{
    AcData, AnyVisaIad, CcdIad, Cvn, IccMkDerivation, MastercardIad, Tdes, VisaIad, derive_icc_mk_option_a,
    derive_icc_mk_option_b, generate_dcvv, generate_visa_cvv,
};

/// A fixed "today" so certificate expiry checks are reproducible under the fuzzer.
const FUZZ_TODAY: EmvDate = EmvDate { year: 2026, month: 1, day: 1 };

/// Feeds `data` to the IAD parsers, the per-CVN AC input builder, the AC data splitter, the
/// decimal-field validators and the ODA recovery. Must return without panicking for any input.
pub fn fuzz_untrusted_input(data: &[u8]) {
    let _ = VisaIad::parse(data).map(|i| i.to_bytes());
    if let Ok(i) = CcdIad::parse(data) {
        assert_eq!(i.to_bytes(), data, "a parsed CCD IAD re-encodes to its bytes");
    }
    if let Ok(i) = AnyVisaIad::parse(data) {
        // decode, encode, decode: equal (format 0/1/3 drops an empty IDD's length byte)
        assert_eq!(AnyVisaIad::parse(&i.to_bytes()).ok(), Some(i), "Visa IAD round trip");
    }
    let _ = MastercardIad::parse(data).map(|i| i.to_bytes());
    let _ = AcData::from_bytes(data);
    for cvn in Cvn::ALL {
        let _ = cvn.ac_input_suffix(data);
    }
    let text = String::from_utf8_lossy(data);
    let imk = Tdes::new_2key(&[0x11; 16]);
    let psn = data.first().copied().unwrap_or(0);
    let _ = derive_icc_mk_option_a(&imk, &text, psn);
    let _ = derive_icc_mk_option_b(&imk, &text, psn);
    let _ = generate_visa_cvv(&imk, &text);
    let _ = generate_dcvv(&imk, &text, "2512", "201", [0, 1], IccMkDerivation::OptionB);
    if let Some((split, rest)) = data.split_first() {
        let (m, s) = rest.split_at(usize::from(*split).min(rest.len()));
        if let Ok(key) = RsaPublicKey::new(m, &[3]) {
            let _ = recover_issuer_public_key(&key, s, &[], &[3], m, FUZZ_TODAY);
            let _ = verify_signed_static_data(&key, s, data);
            let _ = verify_signed_dynamic_data(&key, s, data);
        }
    }
}
