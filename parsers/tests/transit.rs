//! Transit e-purse layouts: every codec round-trips, and wrong lengths are typed errors.

use proptest::prelude::*;
use tapcert_parsers::transit::{
    CardInfo, DebitCommand, DebitResponse, PurchaseInitCommand, PurchaseInitResponse, TransitError, TransitLogRecord,
    decode_transit_balance,
};

proptest! {
    #[test]
    fn log_record_round_trips(b in proptest::array::uniform23(any::<u8>())) {
        let r = TransitLogRecord::from_bytes(&b).unwrap();
        prop_assert_eq!(r.to_bytes(), b);
        prop_assert_eq!(TransitLogRecord::from_bytes(&r.to_bytes()).unwrap(), r);
    }

    #[test]
    fn card_info_round_trips(b in proptest::collection::vec(any::<u8>(), 28..64)) {
        prop_assert_eq!(CardInfo::from_bytes(&b).unwrap().to_bytes(), b);
    }

    #[test]
    fn purchase_messages_round_trip(b in proptest::collection::vec(any::<u8>(), 15)) {
        prop_assert_eq!(PurchaseInitResponse::from_bytes(&b).unwrap().to_bytes().to_vec(), b.clone());
        prop_assert_eq!(DebitCommand::from_bytes(&b).unwrap().to_bytes().to_vec(), b.clone());
        prop_assert_eq!(PurchaseInitCommand::from_bytes(&b[..11]).unwrap().to_bytes().to_vec(), b[..11].to_vec());
        prop_assert_eq!(DebitResponse::from_bytes(&b[..8]).unwrap().to_bytes().to_vec(), b[..8].to_vec());
    }

    #[test]
    fn wrong_lengths_never_panic(b in proptest::collection::vec(any::<u8>(), 0..40)) {
        let _ = TransitLogRecord::from_bytes(&b).map(|r| r.to_bytes());
        let _ = CardInfo::from_bytes(&b).map(|r| r.to_bytes());
        let _ = PurchaseInitResponse::from_bytes(&b).map(|r| r.to_bytes());
        prop_assert_eq!(decode_transit_balance(&b).is_ok(), b.len() == 4);
    }
}

#[test]
fn fields_sit_where_the_layout_says() {
    // balance 10000 fen, sequence 0003, overdraft 0, key version 1, 3DES, random 11223344
    let init =
        PurchaseInitResponse::from_bytes(&[0, 0, 0x27, 0x10, 0, 3, 0, 0, 0, 1, 0, 0x11, 0x22, 0x33, 0x44]).unwrap();
    assert_eq!((init.balance, init.offline_sequence, init.key_version), (10_000, [0, 3], 1));
    assert_eq!(init.random, [0x11, 0x22, 0x33, 0x44]);
    let cmd = PurchaseInitCommand { key_index: 1, amount: 150, terminal_id: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66] };
    assert_eq!(cmd.to_bytes(), [1, 0, 0, 0, 0x96, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
    let info = CardInfo::from_bytes(&[
        0x02, 0x90, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x31, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x20, 0x20, 0x01,
        0x01, 0x20, 0x30, 0x12, 0x31, 0xAA, 0xBB,
    ])
    .unwrap();
    assert_eq!(info.serial, [0x31, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
    assert_eq!((info.valid_until, info.issuer_data), ([0x20, 0x30, 0x12, 0x31], vec![0xAA, 0xBB]));
    assert_eq!(
        CardInfo::from_bytes(&[0; 27]),
        Err(TransitError::Length { what: "card information file", expected: "at least 28 bytes", found: 27 })
    );
    assert_eq!(decode_transit_balance(&[0, 0, 0x03, 0xE8]), Ok(1000));
}
