//! NFC Forum NDEF messages, the well-known and common record types, and the Type 2 / Type 4
//! Tag containers that carry them.
//!
//! - [`record`]: wire records ([`RawRecord`], zero-copy) and logical records ([`NdefRecord`]),
//!   all eight TNFs, SR and long (4-byte big-endian) payload lengths, IDs, and builders.
//! - [`message`]: messages with chunk reassembly (NDEF 1.0 §2.3.3) under a size cap;
//!   [`decode_ndef_message`] rejects bytes after the record with ME.
//! - [`validate`]: every rule the lenient decoder let pass, by rule id.
//! - [`types`]: Text, URI, Smart Poster, MIME, external types, AAR, Connection Handover
//!   (Hs/Hr/Hc, Bluetooth and Wi-Fi carriers), Signature.
//! - [`t4t`]: Type 4 Tag CC file and NDEF file; [`t2t`]: Type 2 Tag TLV blocks and dumps.
//!
//! Every declared length is checked against the input before anything is sliced or
//! allocated; nested messages have a depth limit ([`DecodeOptions`]).
//!
//! ```
//! use tapcert_parsers::ndef::{decode_ndef_message, encode_ndef_message, NdefRecord, KnownRecord,
//!     decode_known_record, DecodeOptions};
//! let bytes = encode_ndef_message(&[NdefRecord::uri("https://nfc-forum.org"), NdefRecord::text("en", "NFC")]);
//! let msg = decode_ndef_message(&bytes).unwrap();
//! match decode_known_record(&msg.records[0], &DecodeOptions::default()) {
//!     Some(Ok(KnownRecord::Uri(u))) => assert_eq!(u.uri(), "https://nfc-forum.org"),
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(encode_ndef_message(&msg.records), bytes);
//! ```

pub mod error;
pub mod message;
pub mod record;
pub mod t2t;
pub mod t4t;
pub mod types;
pub mod validate;

pub use error::NdefError;
pub use message::{
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_SIZE, DecodeOptions, NdefMessage, NdefRecordIter, RawRecordIter,
    decode_ndef_message, decode_ndef_message_with, encode_ndef_message, encode_ndef_message_chunked,
    parse_ndef_message,
};
pub use record::{NdefRecord, RawRecord, RecordFlags, Tnf, parse_ndef_record};
pub use t2t::{
    T2tCc, T2tMemory, T2tTlv, T2tTlvArea, T2tTlvIter, T2tTlvType, decode_t2t_memory, decode_t2t_tlvs,
    encode_t2t_ndef_tlv, parse_t2t_tlv, validate_t2t_memory, validate_t2t_memory_into, validate_t2t_tlvs,
    validate_t2t_tlvs_into,
};
pub use t4t::{
    CC_FILE_ID, CcFile, CcTlv, FileControl, NDEF_TAG_APPLICATION_AID, decode_t4t_cc, decode_t4t_ndef_file,
    decode_t4t_ndef_file_extended, encode_t4t_cc, encode_t4t_ndef_file, parse_t4t_cc, parse_t4t_cc_tlv,
    validate_t4t_cc,
};
pub use types::aar::{AAR_TYPE, AndroidApplicationRecord, parse_ndef_aar};
pub use types::external::{ExternalType, parse_external_type};
pub use types::handover::{
    AlternativeCarrier, BluetoothOob, CarrierPowerState, EirStructure, Handover, HandoverCarrier, WscAttribute,
    encode_ndef_bluetooth_oob, encode_ndef_handover, encode_ndef_handover_carrier, encode_ndef_wifi_wsc,
    parse_ndef_alternative_carrier, parse_ndef_bluetooth_le_oob, parse_ndef_bluetooth_oob, parse_ndef_handover,
    parse_ndef_handover_carrier, parse_ndef_wifi_wsc,
};
pub use types::mime::{MimeType, parse_mime_type};
pub use types::signature::{CertificateChain, SignatureRecord, encode_ndef_signature, parse_ndef_signature};
pub use types::smart_poster::{SmartPoster, SmartPosterAction, parse_ndef_smart_poster};
pub use types::text::{TextEncoding, TextRecord, encode_ndef_text, parse_ndef_text};
pub use types::uri::{URI_PREFIXES, UriRecord, encode_ndef_uri, parse_ndef_uri};
pub use types::{KnownRecord, decode_known_record};
pub use validate::{validate_ndef_message, validate_ndef_message_into, validate_ndef_message_with};
