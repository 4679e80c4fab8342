//! tapcert's parsers inside a parser of someone else's format, built with nom's own
//! combinators (issue 13): a made-up vendor diagnostics record of a band,
//!
//! ```text
//! 1 byte      length of the TLV list
//! n bytes     BER-TLV objects (EMV data the band last sent)
//! 2 bytes     big-endian length of the NDEF message
//! m bytes     the NDEF message the band's T4T app holds
//! rest        the last command APDU the band received
//! ```
//!
//! checked for values and for error offsets, which count from the start of the whole record
//! whichever part they come from.

use nom::bytes::complete::{tag, take_until};
use nom::character::complete::char;
use nom::combinator::{all_consuming, cut, eof, into, map_parser, not, rest};
use nom::error::{ErrorKind, ParseError};
use nom::multi::{length_value, many0, many1};
use nom::number::complete::{be_u8, be_u16};
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};
use tapcert_parsers::apdu::{ApduError, Case, CommandApdu, Ins, parse_apdu_command};
use tapcert_parsers::atr::{Atr, AtrByte, AtrError, parse_atr, parse_atr_interface_groups};
use tapcert_parsers::ndef::{
    CcFile, CcTlv, NdefError, NdefMessage, T2tTlv, T2tTlvType, parse_ndef_message, parse_t2t_tlv, parse_t4t_cc,
    parse_t4t_cc_tlv,
};
use tapcert_parsers::qr::{
    CpmError, MerchantQr, MpmId, QrError, decode_qr_cpm_base64, parse_qr_cpm_base64, parse_qr_cpm_payload,
    parse_qr_mpm, parse_qr_mpm_object,
};
use tapcert_parsers::tlv::{Tag, Tlv, TlvError, TlvNode, parse_emv_tlv};
use tapcert_parsers::{offsets_from, text_offsets_from};

#[derive(Debug)]
struct Diagnostics<'a> {
    tlvs: Vec<Tlv<'a>>,
    ndef: NdefMessage<'a>,
    last_command: CommandApdu<'a>,
}

/// The vendor format's error: the part that failed, offsets from the start of the record.
#[derive(Debug, PartialEq)]
enum DiagnosticsError {
    Tlv(TlvError),
    Ndef(NdefError),
    Apdu(ApduError),
    /// nom's own combinators know the bytes left; `decode_diagnostics` turns them into an offset.
    Framing {
        kind: ErrorKind,
        offset: usize,
    },
}

impl ParseError<&[u8]> for DiagnosticsError {
    fn from_error_kind(input: &[u8], kind: ErrorKind) -> Self {
        DiagnosticsError::Framing { kind, offset: input.len() }
    }

    fn append(_: &[u8], _: ErrorKind, other: Self) -> Self {
        other
    }
}

impl From<TlvError> for DiagnosticsError {
    fn from(e: TlvError) -> Self {
        DiagnosticsError::Tlv(e)
    }
}

impl From<NdefError> for DiagnosticsError {
    fn from(e: NdefError) -> Self {
        DiagnosticsError::Ndef(e)
    }
}

impl From<ApduError> for DiagnosticsError {
    fn from(e: ApduError) -> Self {
        DiagnosticsError::Apdu(e)
    }
}

/// The grammar, top-down as the layout reads. `offsets_from(whole, ..)` counts each tapcert
/// parser's error offsets from the start of the record.
fn diagnostics(whole: &[u8]) -> IResult<&[u8], Diagnostics<'_>, DiagnosticsError> {
    let tlv = into::<_, _, Tlv<'_>, _, DiagnosticsError, _>(offsets_from(whole, parse_emv_tlv));
    let ndef = into::<_, _, NdefMessage<'_>, _, DiagnosticsError, _>(offsets_from(whole, parse_ndef_message));
    let apdu = into::<_, _, CommandApdu<'_>, _, DiagnosticsError, _>(offsets_from(whole, parse_apdu_command));
    let (rest, (tlvs, ndef, last_command)) = (
        // once an object has started, a broken one is an error, not the end of the list
        length_value(be_u8, many0(preceded(not(eof), cut(tlv)))),
        length_value(be_u16, all_consuming(ndef)),
        terminated(apdu, eof),
    )
        .parse_complete(whole)?;
    Ok((rest, Diagnostics { tlvs, ndef, last_command }))
}

/// The whole-record entry: framing errors get their offset from the bytes left.
fn decode_diagnostics(whole: &[u8]) -> Result<Diagnostics<'_>, DiagnosticsError> {
    diagnostics(whole).map(|(_, d)| d).map_err(|e| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => match e {
            DiagnosticsError::Framing { kind, offset: left } => {
                DiagnosticsError::Framing { kind, offset: whole.len() - left }
            }
            e => e,
        },
        nom::Err::Incomplete(_) => unreachable!("complete input"),
    })
}

/// 9F36 02 001C, 9F26 08 ..., then a URI record "nfc-forum.org", then READ BINARY Le 0F.
fn record() -> Vec<u8> {
    let tlvs = [0x9F, 0x36, 0x02, 0x00, 0x1C, 0x9F, 0x26, 0x08, 1, 2, 3, 4, 5, 6, 7, 8];
    let ndef =
        [0xD1, 0x01, 0x0E, 0x55, 0x01, b'n', b'f', b'c', b'-', b'f', b'o', b'r', b'u', b'm', b'.', b'o', b'r', b'g'];
    let apdu = [0x00, 0xB0, 0x00, 0x00, 0x0F];
    let mut out = vec![tlvs.len() as u8];
    out.extend_from_slice(&tlvs);
    out.extend_from_slice(&(ndef.len() as u16).to_be_bytes());
    out.extend_from_slice(&ndef);
    out.extend_from_slice(&apdu);
    out
}

/// Where the parts start in `record()`.
const TLVS: usize = 1;
const NDEF: usize = 1 + 16 + 2;
const APDU: usize = NDEF + 18;

#[test]
fn values_through_the_composition() {
    let bytes = record();
    let d = decode_diagnostics(&bytes).unwrap();
    assert_eq!(d.tlvs.iter().map(|t| t.tag).collect::<Vec<_>>(), [Tag(0x9F36), Tag(0x9F26)]);
    assert_eq!(d.tlvs[0].value, [0x00, 0x1C]);
    assert_eq!(d.ndef.records.len(), 1);
    assert_eq!(&*d.ndef.records[0].record_type, b"U");
    assert_eq!(
        (d.last_command.ins(), d.last_command.case(), d.last_command.ne()),
        (Ins::READ_BINARY, Case::Case2S, Some(15))
    );
}

#[test]
fn tlv_error_offsets_count_from_the_record() {
    let mut bytes = record();
    // The second object's length 08 becomes 09: it runs past the end of the list's 16 bytes.
    bytes[TLVS + 7] = 0x09;
    assert_eq!(
        decode_diagnostics(&bytes).unwrap_err(),
        DiagnosticsError::Tlv(TlvError::LengthExceedsInput { offset: TLVS + 5, declared: 9, available: 8 })
    );
    // An indefinite length (80) on the first object.
    let mut bytes = record();
    bytes[TLVS + 2] = 0x80;
    assert_eq!(
        decode_diagnostics(&bytes).unwrap_err(),
        DiagnosticsError::Tlv(TlvError::IndefiniteLength { offset: TLVS + 2 })
    );
}

#[test]
fn ndef_and_apdu_error_offsets_count_from_the_record() {
    let mut bytes = record();
    // The URI record's PAYLOAD_LENGTH 0E becomes 0F: one byte more than the message holds.
    bytes[NDEF + 2] = 0x0F;
    assert_eq!(
        decode_diagnostics(&bytes).unwrap_err(),
        DiagnosticsError::Ndef(NdefError::LengthExceedsInput { offset: NDEF, declared: 16, available: 15 })
    );
    // The APDU's Le becomes Lc 03 with one data byte.
    let mut bytes = record();
    bytes[APDU + 4] = 0x03;
    bytes.push(0xAA);
    assert_eq!(
        decode_diagnostics(&bytes).unwrap_err(),
        DiagnosticsError::Apdu(ApduError::DataTruncated { offset: APDU + 5, declared: 3, available: 1 })
    );
}

#[test]
fn framing_errors_from_nom_combinators() {
    // Cut inside the NDEF length prefix: nom's be_u16 fails there.
    let bytes = record();
    assert_eq!(
        decode_diagnostics(&bytes[..NDEF - 1]).unwrap_err(),
        DiagnosticsError::Framing { kind: ErrorKind::Eof, offset: NDEF - 2 }
    );
    // Nothing at all: the list's length byte is missing.
    assert_eq!(decode_diagnostics(&[]).unwrap_err(), DiagnosticsError::Framing { kind: ErrorKind::Eof, offset: 0 });
    // A byte after the command APDU: the APDU's body is what follows its header, so its last
    // byte is now an Lc of 0F with one data byte, and the APDU parser says so.
    let mut bytes = record();
    bytes.push(0x00);
    assert_eq!(
        decode_diagnostics(&bytes).unwrap_err(),
        DiagnosticsError::Apdu(ApduError::DataTruncated { offset: APDU + 5, declared: 15, available: 1 })
    );
}

#[test]
fn many1_of_emv_tlv_is_a_nom_parser() {
    use nom::multi::many1;
    let bytes = [0x5A, 0x01, 0x12, 0x9F, 0x36, 0x00, 0x90];
    let (rest, tlvs) = many1(parse_emv_tlv).parse_complete(&bytes[..]).unwrap();
    assert_eq!((tlvs.len(), rest), (2, &[0x90][..]));
    // No object at all: the element's own error, with its offset.
    assert_eq!(
        many1(parse_emv_tlv).parse_complete(&[0x9F][..]).unwrap_err(),
        nom::Err::Error(TlvError::TruncatedTag { offset: 0 })
    );
}

/// A made-up reader log entry: a 1-byte slot number, then the ATR the card answered with, then
/// a 2-byte status word. The ATR parser finds its own end (TCK or the historical bytes), so
/// nothing needs a length prefix; its errors count from the start of the entry.
fn reader_log_entry(whole: &[u8]) -> IResult<&[u8], (u8, Atr<'_>, u16), AtrError> {
    (be_u8, offsets_from(whole, parse_atr), terminated(be_u16, eof)).parse_complete(whole)
}

#[test]
fn atr_inside_a_reader_log_entry() {
    // Slot 2, then MIFARE Classic 1K through a PC/SC reader (smartcard_list.txt), then 9000.
    let atr = [
        0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x6A,
    ];
    let mut entry = vec![0x02];
    entry.extend_from_slice(&atr);
    entry.extend_from_slice(&[0x90, 0x00]);
    let (_, (slot, parsed, sw)) = reader_log_entry(&entry).unwrap();
    assert_eq!(
        (slot, parsed.protocols(), parsed.historical.len(), parsed.tck, sw),
        (2, vec![0, 1], 15, Some(0x6A), 0x9000)
    );
    // TCK 6A becomes 6B: the error is at TCK's offset in the entry (1 + 19).
    let mut bad = entry.clone();
    bad[20] = 0x6B;
    assert_eq!(
        reader_log_entry(&bad).unwrap_err(),
        nom::Err::Error(AtrError::BadTck { offset: 20, stated: 0x6B, computed: 0x6A })
    );
    // Cut after TD2: the historical bytes are short, counted from the entry's start.
    assert_eq!(
        reader_log_entry(&entry[..8]).unwrap_err(),
        nom::Err::Error(AtrError::HistoricalTruncated { offset: 5, declared: 15, available: 3 })
    );
    // The interface groups alone, after a T0 the caller read itself: TD1 = 80 announces TD2.
    let groups = parse_atr_interface_groups(0x80);
    assert_eq!(
        groups(&[0x80][..]).unwrap_err(),
        nom::Err::Error(AtrError::Truncated { offset: 1, expected: AtrByte::Td(2) })
    );
    // nom's own eof after the status word: one byte too many.
    entry.push(0x00);
    assert_eq!(
        reader_log_entry(&entry).unwrap_err(),
        nom::Err::Error(AtrError::Nom { kind: ErrorKind::Eof, remaining: 1 })
    );
}

/// A made-up dump of a Type 4 Tag's files: the file ID E103, the CC file (CCLEN says where it
/// ends), then the NDEF file's ID. The CC parser's errors count from the start of the dump.
fn t4t_dump(whole: &[u8]) -> IResult<&[u8], (u16, CcFile<'_>, u16), NdefError> {
    (be_u16, offsets_from(whole, parse_t4t_cc), terminated(be_u16, eof)).parse_complete(whole)
}

#[test]
fn t4t_cc_inside_a_file_dump() {
    let cc = [0x00, 0x0F, 0x20, 0x00, 0x3B, 0x00, 0x34, 0x04, 0x06, 0xE1, 0x04, 0x00, 0x32, 0x00, 0x00];
    let mut dump = vec![0xE1, 0x03];
    dump.extend_from_slice(&cc);
    dump.extend_from_slice(&[0xE1, 0x04]);
    let (_, (cc_id, parsed, ndef_id)) = t4t_dump(&dump).unwrap();
    assert_eq!(
        (cc_id, parsed.mle, parsed.mlc, parsed.tlv_offsets.clone(), ndef_id),
        (0xE103, 0x3B, 0x34, vec![7], 0xE104)
    );
    assert_eq!(parsed.ndef_file().map(|fc| (fc.file_id, fc.max_size)), Some((0xE104, 0x32)));
    // The NDEF file control TLV's length 06 becomes 05: malformed at its tag, 2 + 7.
    let mut bad = dump.clone();
    bad[2 + 8] = 0x05;
    assert!(matches!(t4t_dump(&bad).unwrap_err(), nom::Err::Error(NdefError::Malformed { offset: 9, .. })));
    // ... or 07: it runs past CCLEN by one byte.
    bad[2 + 8] = 0x07;
    assert_eq!(
        t4t_dump(&bad).unwrap_err(),
        nom::Err::Error(NdefError::LengthExceedsInput { offset: 9, declared: 7, available: 6 })
    );
    // CCLEN 0F with the dump cut after 12 bytes of the CC file: at CCLEN, offset 2.
    assert_eq!(
        t4t_dump(&dump[..14]).unwrap_err(),
        nom::Err::Error(NdefError::LengthExceedsInput { offset: 2, declared: 15, available: 12 })
    );
    // One TLV on its own.
    let (_, tlv) = parse_t4t_cc_tlv(&cc[7..]).unwrap();
    assert!(matches!(tlv, CcTlv::FileControl(fc) if fc.file_id == 0xE104));
}

/// A made-up Type 2 Tag data area as nom's own `many_till` reads it: TLV blocks up to the
/// Terminator, then a 1-byte count of the bytes after it. The block parser's errors count from
/// the start of the area.
#[allow(clippy::type_complexity)]
fn t2t_area(whole: &[u8]) -> IResult<&[u8], ((Vec<T2tTlv<'_>>, T2tTlv<'_>), u8), NdefError> {
    let block = offsets_from(whole, parse_t2t_tlv);
    let terminator = nom::combinator::verify(offsets_from(whole, parse_t2t_tlv), |t: &T2tTlv<'_>| {
        t.tlv_type == T2tTlvType::TERMINATOR
    });
    (nom::multi::many_till(block, terminator), terminated(be_u8, eof)).parse_complete(whole)
}

#[test]
fn t2t_blocks_through_many_till() {
    // NULL, Lock Control (3), NDEF (3-byte length form, 3 bytes), Terminator, then 00.
    let area = [0x00, 0x01, 0x03, 0xA0, 0x10, 0x44, 0x03, 0xFF, 0x00, 0x03, 0xD0, 0x00, 0x00, 0xFE, 0x00];
    let (_, ((blocks, end), after)) = t2t_area(&area).unwrap();
    let types: Vec<_> = blocks.iter().map(|t| t.tlv_type).collect();
    assert_eq!(types, [T2tTlvType::NULL, T2tTlvType::LOCK_CONTROL, T2tTlvType::NDEF_MESSAGE]);
    assert_eq!(
        (blocks[2].long_length, blocks[2].value, end.tlv_type, after),
        (true, &[0xD0, 0x00, 0x00][..], T2tTlvType::TERMINATOR, 0)
    );
    assert_eq!(blocks[1].control_area(), Some((160, 16)));
    // The NDEF TLV's length 0003 becomes 0009: it runs past the area, at its type byte (6).
    let mut bad = area;
    bad[9] = 0x09;
    assert_eq!(
        t2t_area(&bad).unwrap_err(),
        nom::Err::Error(NdefError::LengthExceedsInput { offset: 6, declared: 9, available: 5 })
    );
    // Cut inside the 3-byte length: the two length bytes at offset 8 are missing one.
    assert_eq!(
        t2t_area(&area[..9]).unwrap_err(),
        nom::Err::Error(NdefError::Truncated { offset: 8, expected: "3-byte TLV length", needed: 2, available: 1 })
    );
}

/// A band's display log line, text: a sequence number, the station's name, the MPM payload the
/// band showed, a tab, the time. `0042 北京站 <payload>\t12:00:03`. The error type is the MPM
/// parser's own; offsets count characters of the line (the station name is three characters
/// of three bytes each).
fn display_line(whole: &str) -> IResult<&str, (u32, &str, MerchantQr<'_>, &str), QrError> {
    (
        terminated(nom::character::complete::u32, char(' ')),
        terminated(take_until(" "), char(' ')),
        map_parser(take_until("\t"), text_offsets_from(whole, parse_qr_mpm)),
        preceded(char('\t'), rest),
    )
        .parse_complete(whole)
}

const ANNEX: &str = include_str!("../../vectors/qr/mpm_emvco_annex.txt");

#[test]
fn mpm_payload_inside_a_text_log_line() {
    let payload = ANNEX.trim_end();
    let line = format!("0042 北京站 {payload}\t12:00:03");
    let (_, (seq, station, qr, time)) = display_line(&line).unwrap();
    assert_eq!((seq, station, time), (42, "北京站", "12:00:03"));
    assert_eq!(qr.value(MpmId::MERCHANT_NAME), Some("BEST TRANSPORT"));
    assert_eq!(qr.get(MpmId::LANGUAGE_TEMPLATE).and_then(|t| t.child_value(MpmId(1))), Some("最佳运输"));
    assert!(qr.crc.is_some_and(|c| c.ok()));
    // Offsets inside the payload are the payload's: MPM objects count from its first character.
    assert_eq!(qr.objects[1].offset, 6);

    // A language template (at character 6 of the payload) whose child declares 9 characters and
    // holds 1: both offsets move by the 9 characters before the payload (15 bytes).
    let line = "0042 北京站 00020164110002ZH0109最\t12:00:03";
    assert_eq!(
        display_line(line).unwrap_err(),
        nom::Err::Error(QrError::ExceedsTemplate { offset: 25, declared: 9, available: 1, template_offset: 15 })
    );
    // A length field that is not digits, after the Chinese name: character 9 + 2.
    assert_eq!(
        display_line("0042 北京站 000X01\t12:00:03").unwrap_err(),
        nom::Err::Error(QrError::BadLength { offset: 11, found: "0X".into() })
    );
    // No tab: nom's take_until fails, with the characters left (the payload and name).
    assert_eq!(
        display_line("0042 北京站 000201").unwrap_err(),
        nom::Err::Error(QrError::Nom { kind: ErrorKind::TakeUntil, remaining: 6 })
    );
}

#[test]
fn mpm_objects_through_many1() {
    // The objects of a template's value, one at a time, with nom's many1.
    let (rest, objects) = many1(parse_qr_mpm_object).parse_complete("0002ZH0104最佳运输").unwrap();
    assert_eq!(rest, "");
    let values: Vec<_> = objects.iter().map(|o| (o.id, o.value)).collect();
    assert_eq!(values, [(MpmId(0), "ZH"), (MpmId(1), "最佳运输")]);
    // The second object is cut short: many1 stops before it and leaves it as the remainder,
    // which all_consuming reports as nom's Eof with its 8 characters.
    let (rest, objects) = many1(parse_qr_mpm_object).parse_complete("0002ZH0105最佳运输").unwrap();
    assert_eq!((objects.len(), rest), (1, "0105最佳运输"));
    assert_eq!(
        all_consuming(many1(parse_qr_mpm_object)).parse_complete("0002ZH0105最佳运输").unwrap_err(),
        nom::Err::Error(QrError::Nom { kind: ErrorKind::Eof, remaining: 8 })
    );
}

/// A terminal's scan record, binary: a kind byte (2 = CPM), a 2-byte length, the decoded CPM
/// payload, a status byte. The error type is the CPM parser's own; offsets count bytes of the
/// record.
fn scan_record(whole: &[u8]) -> IResult<&[u8], (u8, Vec<TlvNode<'_>>, u8), CpmError> {
    (be_u8, length_value(be_u16, offsets_from(whole, parse_qr_cpm_payload)), terminated(be_u8, eof))
        .parse_complete(whole)
}

const CPM: &str = include_str!("../../vectors/qr/cpm_emvco_example.txt");

#[test]
fn cpm_payload_inside_a_binary_record() {
    let payload = decode_qr_cpm_base64(CPM.trim_end()).unwrap();
    let mut record = vec![0x02];
    record.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
    record.extend_from_slice(&payload);
    record.push(0x90);
    let (_, (kind, nodes, status)) = scan_record(&record).unwrap();
    assert_eq!((kind, status), (2, 0x90));
    assert_eq!(nodes[0].tlv.value, b"CPV01");
    assert_eq!(nodes.iter().filter(|n| n.tlv.tag == Tag(0x61)).count(), 2);
    // The payload's offsets are the payload's: the first 61 follows 85 05 "CPV01".
    assert_eq!(nodes[1].tlv.offset, 7);

    // The first application template's length (payload byte 8) made 0x7F: it runs past the
    // payload, reported at the template's tag, 3 bytes into the record + 7.
    let mut bad = record.clone();
    bad[3 + 8] = 0x7F;
    assert!(matches!(
        scan_record(&bad).unwrap_err(),
        nom::Err::Error(CpmError::Tlv(TlvError::LengthExceedsInput { offset: 10, declared: 0x7F, .. }))
    ));
    // An empty payload is the payload grammar's own error.
    assert_eq!(scan_record(&[0x02, 0x00, 0x00, 0x90]).unwrap_err(), nom::Err::Error(CpmError::Empty));
    // No status byte: nom's be_u8 fails with no bytes left.
    assert_eq!(
        scan_record(&record[..record.len() - 1]).unwrap_err(),
        nom::Err::Error(CpmError::Nom { kind: ErrorKind::Eof, remaining: 0 })
    );
}

/// A scanner's log line, text: `CPM:<base64> <time>`.
fn cpm_line(whole: &str) -> IResult<&str, (Vec<u8>, &str), CpmError> {
    (preceded(tag("CPM:"), text_offsets_from(whole, parse_qr_cpm_base64)), preceded(char(' '), rest))
        .parse_complete(whole)
}

#[test]
fn cpm_base64_inside_a_text_line() {
    let text = CPM.trim_end();
    let line = format!("CPM:{text} 12:00:03");
    let (_, (bytes, time)) = cpm_line(&line).unwrap();
    assert_eq!((bytes, time), (decode_qr_cpm_base64(text).unwrap(), "12:00:03"));
    // Base64 whose last group is short of its padding: the fault is at the end of the base64
    // run (character 11 of it), 4 characters into the line + 11.
    let err = cpm_line("CPM:hQVDUFYwMQ= 12:00:03").unwrap_err();
    assert!(matches!(err, nom::Err::Error(CpmError::Base64 { offset: 15, .. })), "{err:?}");
    // A character outside the alphabet ends the base64 run; the line's grammar wants a space.
    assert_eq!(
        cpm_line("CPM:hQVD*FYw 12:00:03").unwrap_err(),
        nom::Err::Error(CpmError::Nom { kind: ErrorKind::Char, remaining: 13 })
    );
}
