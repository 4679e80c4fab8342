//! The instruction byte INS (ISO/IEC 7816-4 §5.4.2 and Table 4; EMV Book 3 §6.5; the China
//! e-purse/transit commands of JR/T 0025 (PBOC) as used by T-Union and City Union cards).
//!
//! Names are class-independent: a proprietary class (`80`) gives some values another meaning,
//! so where the ISO and the payment meaning differ the name says both.

use core::fmt;

/// The instruction byte. An open newtype: every value parses and round-trips.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ins(pub u8);

macro_rules! ins_names {
    ($($(#[$doc:meta])* $name:ident = $value:literal => $text:literal,)*) => {
        impl Ins {
            $($(#[$doc])* pub const $name: Ins = Ins($value);)*

            /// The command's name, when the value is a known instruction.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }
    };
}

ins_names! {
    /// `0E` ERASE BINARY.
    ERASE_BINARY = 0x0E => "ERASE BINARY",
    /// `16` CARD BLOCK (EMV, class 8X).
    CARD_BLOCK = 0x16 => "CARD BLOCK",
    /// `18` APPLICATION UNBLOCK (EMV, class 8X).
    APPLICATION_UNBLOCK = 0x18 => "APPLICATION UNBLOCK",
    /// `1E` APPLICATION BLOCK (EMV, class 8X).
    APPLICATION_BLOCK = 0x1E => "APPLICATION BLOCK",
    /// `20` VERIFY.
    VERIFY = 0x20 => "VERIFY",
    /// `22` MANAGE SECURITY ENVIRONMENT.
    MANAGE_SECURITY_ENVIRONMENT = 0x22 => "MANAGE SECURITY ENVIRONMENT",
    /// `24` CHANGE REFERENCE DATA (EMV: PIN CHANGE/UNBLOCK).
    CHANGE_REFERENCE_DATA = 0x24 => "CHANGE REFERENCE DATA / PIN CHANGE/UNBLOCK",
    /// `2A` PERFORM SECURITY OPERATION (EMV class 80: COMPUTE CRYPTOGRAPHIC CHECKSUM).
    PERFORM_SECURITY_OPERATION = 0x2A => "PERFORM SECURITY OPERATION / COMPUTE CRYPTOGRAPHIC CHECKSUM",
    /// `2C` RESET RETRY COUNTER.
    RESET_RETRY_COUNTER = 0x2C => "RESET RETRY COUNTER",
    /// `46` GENERATE ASYMMETRIC KEY PAIR.
    GENERATE_ASYMMETRIC_KEY_PAIR = 0x46 => "GENERATE ASYMMETRIC KEY PAIR",
    /// `50` INITIALIZE FOR LOAD/PURCHASE/... (China e-purse, class 80).
    INITIALIZE = 0x50 => "INITIALIZE FOR LOAD/PURCHASE (e-purse)",
    /// `52` CREDIT FOR LOAD (China e-purse, class 80).
    CREDIT_FOR_LOAD = 0x52 => "CREDIT FOR LOAD (e-purse)",
    /// `54` DEBIT FOR PURCHASE/WITHDRAW/UNLOAD (China e-purse, class 80).
    DEBIT = 0x54 => "DEBIT FOR PURCHASE (e-purse)",
    /// `5A` GET TRANSACTION PROVE (China e-purse, class 80).
    GET_TRANSACTION_PROVE = 0x5A => "GET TRANSACTION PROVE (e-purse)",
    /// `5C` GET BALANCE (China e-purse, class 80).
    GET_BALANCE = 0x5C => "GET BALANCE (e-purse)",
    /// `70` MANAGE CHANNEL.
    MANAGE_CHANNEL = 0x70 => "MANAGE CHANNEL",
    /// `82` EXTERNAL AUTHENTICATE.
    EXTERNAL_AUTHENTICATE = 0x82 => "EXTERNAL AUTHENTICATE",
    /// `84` GET CHALLENGE.
    GET_CHALLENGE = 0x84 => "GET CHALLENGE",
    /// `88` INTERNAL AUTHENTICATE.
    INTERNAL_AUTHENTICATE = 0x88 => "INTERNAL AUTHENTICATE",
    /// `A0` SEARCH BINARY.
    SEARCH_BINARY = 0xA0 => "SEARCH BINARY",
    /// `A4` SELECT.
    SELECT = 0xA4 => "SELECT",
    /// `A8` GET PROCESSING OPTIONS (EMV, class 80).
    GET_PROCESSING_OPTIONS = 0xA8 => "GET PROCESSING OPTIONS",
    /// `AE` GENERATE APPLICATION CRYPTOGRAM (EMV, class 80).
    GENERATE_AC = 0xAE => "GENERATE AC",
    /// `B0` READ BINARY.
    READ_BINARY = 0xB0 => "READ BINARY",
    /// `B2` READ RECORD(S).
    READ_RECORD = 0xB2 => "READ RECORD",
    /// `C0` GET RESPONSE.
    GET_RESPONSE = 0xC0 => "GET RESPONSE",
    /// `C2` ENVELOPE.
    ENVELOPE = 0xC2 => "ENVELOPE",
    /// `CA` GET DATA.
    GET_DATA = 0xCA => "GET DATA",
    /// `CB` GET DATA (odd INS, BER-TLV data field).
    GET_DATA_ODD = 0xCB => "GET DATA (odd)",
    /// `D0` WRITE BINARY.
    WRITE_BINARY = 0xD0 => "WRITE BINARY",
    /// `D6` UPDATE BINARY.
    UPDATE_BINARY = 0xD6 => "UPDATE BINARY",
    /// `DA` PUT DATA.
    PUT_DATA = 0xDA => "PUT DATA",
    /// `DB` PUT DATA (odd INS).
    PUT_DATA_ODD = 0xDB => "PUT DATA (odd)",
    /// `DC` UPDATE RECORD (China e-purse class 80: UPDATE CAPP DATA CACHE).
    UPDATE_RECORD = 0xDC => "UPDATE RECORD / UPDATE CAPP DATA CACHE",
    /// `E2` APPEND RECORD.
    APPEND_RECORD = 0xE2 => "APPEND RECORD",
}

impl fmt::Display for Ins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}", self.0)
    }
}

impl fmt::Debug for Ins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Ins({:02X})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_name_or_hex() {
        assert_eq!(format!("{:?}", Ins::SELECT), "SELECT");
        assert_eq!(format!("{:?}", Ins(0x12)), "Ins(12)");
        assert_eq!(Ins(0x5C).name(), Some("GET BALANCE (e-purse)"));
        assert_eq!(Ins::GET_PROCESSING_OPTIONS, Ins(0xA8));
    }
}
