//! Message authentication codes: ISO/IEC 9797-1 MAC algorithms 1 and 3 with padding methods 1
//! and 2, AES-CMAC (NIST SP 800-38B), HMAC-SHA-1/SHA-256/SHA-512 (RFC 2104, FIPS 198-1).

mod cmac;
mod hmac;
mod iso9797;

pub(crate) use self::cmac::aes_cmac_oneshot;
pub use self::cmac::{AesCmac, aes_cmac};
pub use self::hmac::{HmacAlgorithm, HmacKey, hmac};
pub use self::iso9797::{Cipher64, Padding, iso9797_mac_alg1, iso9797_mac_alg3, pad_iso9797};
pub(crate) use self::iso9797::{mac_alg3_pair, mac_alg3_u64, padded_block, padded_blocks};
