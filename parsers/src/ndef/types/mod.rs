//! Record types tapcert decodes, one file each, and [`decode_known_record`], which picks the
//! decoder for a record from its TNF and TYPE. Records of other types are kept as they are.

pub mod aar;
pub mod external;
pub mod handover;
pub mod mime;
pub mod signature;
pub mod smart_poster;
pub mod text;
pub mod uri;

use aar::{AAR_TYPE, AndroidApplicationRecord, parse_ndef_aar};
use external::{ExternalType, parse_external_type};
use handover::{
    BLUETOOTH_LE_OOB_TYPE, BLUETOOTH_OOB_TYPE, BluetoothOob, EirStructure, HANDOVER_CARRIER_TYPE,
    HANDOVER_REQUEST_TYPE, HANDOVER_SELECT_TYPE, Handover, HandoverCarrier, WIFI_WSC_TYPE, WscAttribute,
    parse_handover_at, parse_ndef_bluetooth_le_oob, parse_ndef_bluetooth_oob, parse_ndef_handover_carrier,
    parse_ndef_wifi_wsc,
};
use mime::{MimeType, parse_mime_type};
use signature::{SIGNATURE_TYPE, SignatureRecord, parse_ndef_signature};
use smart_poster::{SMART_POSTER_TYPE, SmartPoster, parse_smart_poster_at};
use text::{TEXT_TYPE, TextRecord, parse_ndef_text};
use uri::{URI_TYPE, UriRecord, parse_ndef_uri};

use super::error::NdefError;
use super::message::DecodeOptions;
use super::record::{NdefRecord, Tnf};

/// A record of a type tapcert understands, decoded from its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnownRecord<'a> {
    /// Well-known `T`.
    Text(TextRecord<'a>),
    /// Well-known `U`.
    Uri(UriRecord<'a>),
    /// Well-known `Sp`.
    SmartPoster(SmartPoster<'a>),
    /// Well-known `Hs`.
    HandoverSelect(Handover<'a>),
    /// Well-known `Hr`.
    HandoverRequest(Handover<'a>),
    /// Well-known `Hc`.
    HandoverCarrier(HandoverCarrier<'a>),
    /// Well-known `Sig`.
    Signature(SignatureRecord<'a>),
    /// External `android.com:pkg`.
    Aar(AndroidApplicationRecord<'a>),
    /// Any other well-formed external type (payload opaque).
    External(ExternalType<'a>),
    /// MIME `application/vnd.bluetooth.ep.oob`.
    BluetoothOob(BluetoothOob<'a>),
    /// MIME `application/vnd.bluetooth.le.oob`.
    BluetoothLeOob(Vec<EirStructure<'a>>),
    /// MIME `application/vnd.wfa.wsc`.
    WifiWsc(Vec<WscAttribute<'a>>),
    /// Any other well-formed media type (payload opaque).
    Mime(MimeType<'a>),
    /// TNF 3: the TYPE is the URI.
    AbsoluteUri(&'a str),
}

/// Decodes the payload of a record whose type tapcert knows, with the given limits; `None`
/// for other types. Error offsets are absolute (the record's payload offset added).
pub fn decode_known_record<'b>(
    rec: &'b NdefRecord<'_>,
    opts: &DecodeOptions,
) -> Option<Result<KnownRecord<'b>, NdefError>> {
    decode_known_at(rec, opts, 0)
}

// The literal patterns in `decode_known_at` must stay equal to the named type constants.
const _: () = {
    assert!(matches!(SMART_POSTER_TYPE, b"Sp"));
    assert!(matches!(HANDOVER_SELECT_TYPE, b"Hs"));
    assert!(matches!(HANDOVER_REQUEST_TYPE, b"Hr"));
    assert!(matches!(TEXT_TYPE, b"T"));
    assert!(matches!(URI_TYPE, b"U"));
    assert!(matches!(HANDOVER_CARRIER_TYPE, b"Hc"));
    assert!(matches!(SIGNATURE_TYPE, b"Sig"));
};

pub(crate) fn decode_known_at<'b>(
    rec: &'b NdefRecord<'_>,
    opts: &DecodeOptions,
    depth: usize,
) -> Option<Result<KnownRecord<'b>, NdefError>> {
    let p: &'b [u8] = &rec.payload;
    let ty: &'b [u8] = &rec.record_type;
    let at = rec.payload_offset();
    let shift = |r: Result<KnownRecord<'b>, NdefError>| r.map_err(|e| e.shifted(at));
    // One match on (TNF, TYPE): slice patterns compare the length first, then the bytes.
    let out = match (rec.tnf, ty) {
        // Nested messages are decoded with absolute offsets already.
        (Tnf::WELL_KNOWN, b"Sp") => {
            return Some(parse_smart_poster_at(p, at, opts, depth + 1).map(KnownRecord::SmartPoster));
        }
        (Tnf::WELL_KNOWN, b"Hs") => {
            return Some(parse_handover_at(p, at, opts, depth + 1).map(KnownRecord::HandoverSelect));
        }
        (Tnf::WELL_KNOWN, b"Hr") => {
            return Some(parse_handover_at(p, at, opts, depth + 1).map(KnownRecord::HandoverRequest));
        }
        (Tnf::WELL_KNOWN, b"T") => parse_ndef_text(p).map(KnownRecord::Text),
        (Tnf::WELL_KNOWN, b"U") => parse_ndef_uri(p).map(KnownRecord::Uri),
        (Tnf::WELL_KNOWN, b"Hc") => parse_ndef_handover_carrier(p).map(KnownRecord::HandoverCarrier),
        (Tnf::WELL_KNOWN, b"Sig") => parse_ndef_signature(p).map(KnownRecord::Signature),
        (Tnf::WELL_KNOWN, _) => return None,
        (Tnf::EXTERNAL, _) => {
            if ty.eq_ignore_ascii_case(AAR_TYPE) {
                parse_ndef_aar(p).map(KnownRecord::Aar)
            } else {
                Ok(KnownRecord::External(parse_external_type(ty)?))
            }
        }
        (Tnf::MIME, _) => {
            if ty.eq_ignore_ascii_case(BLUETOOTH_OOB_TYPE) {
                parse_ndef_bluetooth_oob(p).map(KnownRecord::BluetoothOob)
            } else if ty.eq_ignore_ascii_case(BLUETOOTH_LE_OOB_TYPE) {
                parse_ndef_bluetooth_le_oob(p).map(KnownRecord::BluetoothLeOob)
            } else if ty.eq_ignore_ascii_case(WIFI_WSC_TYPE) {
                parse_ndef_wifi_wsc(p).map(KnownRecord::WifiWsc)
            } else {
                Ok(KnownRecord::Mime(parse_mime_type(ty)?))
            }
        }
        (Tnf::ABSOLUTE_URI, _) => Ok(KnownRecord::AbsoluteUri(std::str::from_utf8(ty).ok()?)),
        _ => return None,
    };
    Some(shift(out))
}
