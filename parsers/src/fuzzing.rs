//! Entry points for the fuzz targets and the stable corpus replay. Not a stable API.
//!
//! Each function runs one target's whole check on arbitrary bytes and panics only when an
//! invariant of the parsers is broken (a round trip that does not hold, an error offset past
//! the input). Parse errors are expected and ignored.

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::atr::{Atr, ContactlessAtr, decode_historical_bytes};

/// Command APDU target: a parsed command re-encodes to the same bytes, and the owned copy
/// encodes to them too and parses back to the same view.
pub fn fuzz_capdu(data: &[u8]) {
    let apdu = match CommandApdu::from_bytes(data) {
        Ok(apdu) => apdu,
        Err(e) => {
            assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}");
            return;
        }
    };
    let bytes = apdu.to_vec();
    assert_eq!(bytes, data, "command APDU did not re-encode byte for byte");
    assert_eq!(bytes.len(), apdu.encoded_len());
    let owned = apdu.to_buf().encode().expect("a parsed command is encodable");
    assert_eq!(owned, data, "owned copy encoded differently");
    assert_eq!(CommandApdu::from_bytes(&owned).expect("re-encoded command parses"), apdu);
}

/// Response APDU target: re-encoding gives the input back, and it parses to the same view.
pub fn fuzz_rapdu(data: &[u8]) {
    match ResponseApdu::from_bytes(data) {
        Ok(r) => {
            let bytes = r.to_vec();
            assert_eq!(bytes, data, "response APDU did not re-encode byte for byte");
            assert_eq!(ResponseApdu::from_bytes(&bytes).expect("re-encoded response parses"), r);
            let _ = r.sw.meaning();
        }
        Err(e) => assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}"),
    }
}

/// ATR target: a parsed ATR re-encodes byte for byte (TCK recomputed) and parses back equal;
/// the interpreters and the historical-byte decoder never panic.
pub fn fuzz_atr(data: &[u8]) {
    match Atr::from_bytes(data) {
        Ok(atr) => {
            let bytes = atr.to_vec().expect("a parsed ATR is encodable");
            assert_eq!(bytes, data, "ATR did not re-encode byte for byte");
            assert_eq!(Atr::from_bytes(&bytes).expect("re-encoded ATR parses"), atr);
            let _ = (atr.protocols(), atr.clock_rate(), atr.specific_mode(), atr.t1_parameters(), atr.global_t15());
            let _ = ContactlessAtr::recognise(&atr).map(|c| c.describe());
            let base = data.len() - atr.historical.len() - usize::from(atr.tck.is_some());
            if let Err(e) = decode_historical_bytes(atr.historical, base) {
                assert!(e.offset().is_some_and(|o| o < data.len()), "historical error offset out of range: {e:?}");
            }
        }
        Err(e) => assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset past the input: {e:?}"),
    }
}
