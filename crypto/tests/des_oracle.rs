//! Our table-driven DES/TDES against the RustCrypto `des` crate on random keys and blocks.
use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use proptest::prelude::*;
use tapcert_crypto::{Des, Tdes, TdesEde2, TdesEde3};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn des_equals_oracle(key: [u8; 8], block: [u8; 8]) {
        let ours = Des::new(&key);
        let oracle = des::Des::new(&key.into());
        let mut b = block.into();
        oracle.encrypt_block(&mut b);
        let ct: [u8; 8] = b.into();
        prop_assert_eq!(ours.encrypt(block), ct);
        prop_assert_eq!(ours.decrypt(ct), block);
    }

    #[test]
    fn tdes2_equals_oracle(key: [u8; 16], block: [u8; 8]) {
        let ours = Tdes::new(&key).unwrap();
        let oracle = des::TdesEde2::new(&key.into());
        let mut b = block.into();
        oracle.encrypt_block(&mut b);
        let ct: [u8; 8] = b.into();
        prop_assert_eq!(ours.encrypt(block), ct);
        prop_assert_eq!(ours.decrypt(ct), block);
        // the interleaved two-block path and the u64 constructor agree with the one-block path
        let (x, y) = ours.encrypt_u64_x2(u64::from_be_bytes(block), !u64::from_be_bytes(block));
        prop_assert_eq!(x.to_be_bytes(), ct);
        prop_assert_eq!(y, ours.encrypt_u64(!u64::from_be_bytes(block)));
        let pair = Tdes::from_u64_pair(
            u64::from_be_bytes(key[..8].try_into().unwrap()),
            u64::from_be_bytes(key[8..].try_into().unwrap()),
        );
        prop_assert_eq!(pair.encrypt(block), ct);
        // the cipher-trait face of the same schedule
        let via_trait = TdesEde2::new(&key.into());
        let mut b2 = block.into();
        via_trait.encrypt_block(&mut b2);
        prop_assert_eq!(<[u8; 8]>::from(b2), ct);
        via_trait.decrypt_block(&mut b2);
        prop_assert_eq!(<[u8; 8]>::from(b2), block);
    }

    #[test]
    fn tdes3_equals_oracle(key: [u8; 24], block: [u8; 8]) {
        let ours = Tdes::new(&key).unwrap();
        let oracle = des::TdesEde3::new(&key.into());
        let mut b = block.into();
        oracle.encrypt_block(&mut b);
        let ct: [u8; 8] = b.into();
        prop_assert_eq!(ours.encrypt(block), ct);
        prop_assert_eq!(ours.decrypt(ct), block);
        let via_trait = TdesEde3::new(&key.into());
        let mut b2 = block.into();
        via_trait.encrypt_block(&mut b2);
        prop_assert_eq!(<[u8; 8]>::from(b2), ct);
    }
}
