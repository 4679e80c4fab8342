//! Published symmetric TEST keys: the only secret keys that live in this repository.
//!
//! Each is a key that public test material states in clear (sources in
//! `vectors/crypto/SOURCES.md`); the reference virtual band is personalised with them and the
//! terminal engine verifies its cryptograms and MACs with them by default. The RSA keys of
//! offline data authentication are in [`crate::oda::test_keys`].

/// Issuer master key for application cryptograms, `0123456789ABCDEFFEDCBA9876543210` (KCV
/// `08D7`): the EMV test IMK of pyemv's tests and docstrings (crypto-vectors §3).
pub const TEST_IMK_AC: [u8; 16] =
    [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];

/// pyemv's published test IMK-SMI, `FEDCBA98765432100123456789ABCDEF` (crypto-vectors §5b).
/// The `arqc-wrong-key` band firmware signs its ARQC with it: a test key that is not the AC key.
pub const TEST_IMK_SMI: [u8; 16] =
    [0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF];

/// E-purse purchase key (DPK) of the built-in band, `89ABCDEF0123456776543210FEDCBA98`:
/// pyemv's published test IMK-SMC (crypto-vectors §5b), reused for the purse.
pub const TEST_PURSE_DPK: [u8; 16] =
    [0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x76, 0x54, 0x32, 0x10, 0xFE, 0xDC, 0xBA, 0x98];

/// E-purse TAC key (DTK) of the built-in band, `01234567899876543210012345678998`: pyemv's
/// published test IMK-CVC3 (crypto-vectors §6), reused for the purse.
pub const TEST_PURSE_DTK: [u8; 16] =
    [0x01, 0x23, 0x45, 0x67, 0x89, 0x98, 0x76, 0x54, 0x32, 0x10, 0x01, 0x23, 0x45, 0x67, 0x89, 0x98];
