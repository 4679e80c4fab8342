//! PC/SC Part 3 contactless pseudo-ATRs: the ATR a PC/SC reader builds for a contactless card
//! (PC/SC Specification Part 3, §3.1.3.2.3, and its Supplemental Document for the names).
//!
//! ```text
//! 3B 8n 80 01 <historical bytes> TCK      TD1 = 80 (T=0, TD2 follows), TD2 = 01 (T=1)
//! storage cards (ISO 14443-3, ISO 15693, FeliCa ...), n = F:
//!   historical = 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00
//!                RID A0 00 00 03 06 (PC/SC), SS standard, NN NN card name, 4 RFU bytes
//! ISO 14443-4 cards: historical = the ATS historical bytes (Type A) or the ATQB application
//!   data, protocol info and MBLI/CID (Type B)
//! ```

use super::answer::{Atr, Convention, InterfaceGroup};

/// The registered application provider identifier of the PC/SC Workgroup.
pub const PCSC_RID: [u8; 5] = [0xA0, 0x00, 0x00, 0x03, 0x06];

/// A recognised contactless pseudo-ATR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactlessAtr<'a> {
    /// A storage (memory) card, described by standard and card name.
    Storage {
        /// SS, the standard byte.
        standard: u8,
        /// NN NN, the card name.
        card_name: u16,
        /// The 4 bytes after the card name (RFU, `00` in the specification).
        rfu: [u8; 4],
    },
    /// An ISO/IEC 14443-4 card.
    Iso14443_4 {
        /// The historical bytes the reader took from the ATS (Type A) or ATQB (Type B).
        historical: &'a [u8],
    },
}

impl<'a> ContactlessAtr<'a> {
    /// Recognises the pseudo-ATR forms; `None` for any other ATR.
    ///
    /// ```
    /// use tapcert_parsers::atr::{Atr, ContactlessAtr};
    /// // MIFARE DESFire through a PC/SC reader (smartcard_list.txt): historical byte 80
    /// let atr = Atr::from_bytes(&[0x3B, 0x81, 0x80, 0x01, 0x80, 0x80]).unwrap();
    /// assert_eq!(ContactlessAtr::recognise(&atr), Some(ContactlessAtr::Iso14443_4 { historical: &[0x80] }));
    /// // a contact card (Schlumberger Multiflex 3k) is not a pseudo-ATR
    /// assert_eq!(ContactlessAtr::recognise(&Atr::from_bytes(&[0x3B, 0x02, 0x14, 0x50]).unwrap()), None);
    /// ```
    pub fn recognise(atr: &Atr<'a>) -> Option<Self> {
        let td = |t| InterfaceGroup { td: Some(t), ..Default::default() };
        let shape = [td(0), td(1), InterfaceGroup::default()];
        if atr.convention != Convention::Direct || atr.groups != shape {
            return None;
        }
        let h = atr.historical;
        if let [0x80, 0x4F, 0x0C, rid @ .., ss, n1, n2, r1, r2, r3, r4] = h {
            if rid == PCSC_RID {
                return Some(ContactlessAtr::Storage {
                    standard: *ss,
                    card_name: u16::from_be_bytes([*n1, *n2]),
                    rfu: [*r1, *r2, *r3, *r4],
                });
            }
        }
        Some(ContactlessAtr::Iso14443_4 { historical: h })
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        match *self {
            ContactlessAtr::Storage { standard, card_name, .. } => format!(
                "contactless storage card: {} ({})",
                storage_card_name(card_name).unwrap_or("card name not listed"),
                storage_standard_name(standard).unwrap_or("standard not listed"),
            ),
            ContactlessAtr::Iso14443_4 { historical } => {
                format!("contactless ISO 14443-4 card with {} historical byte(s)", historical.len())
            }
        }
    }
}

/// The standard byte SS of a storage-card pseudo-ATR.
pub fn storage_standard_name(ss: u8) -> Option<&'static str> {
    Some(match ss {
        0x00 => "no standard given",
        0x01 => "ISO 14443 A, part 1",
        0x02 => "ISO 14443 A, part 2",
        0x03 => "ISO 14443 A, part 3",
        0x05 => "ISO 14443 B, part 1",
        0x06 => "ISO 14443 B, part 2",
        0x07 => "ISO 14443 B, part 3",
        0x09 => "ISO 15693, part 1",
        0x0A => "ISO 15693, part 2",
        0x0B => "ISO 15693, part 3",
        0x0C => "ISO 15693, part 4",
        0x0D => "contact (ISO 7816-10) I2C",
        0x0E => "contact (ISO 7816-10) extended I2C",
        0x0F => "contact (ISO 7816-10) 2WBP",
        0x10 => "contact (ISO 7816-10) 3WBP",
        0x11 => "FeliCa",
        0x40 => "low frequency contactless (< 135 kHz)",
        _ => return None,
    })
}

/// The card name NN NN of a storage-card pseudo-ATR (PC/SC Part 3 Supplemental Document).
pub fn storage_card_name(nn: u16) -> Option<&'static str> {
    Some(match nn {
        0x0000 => "no card name given",
        0x0001 => "MIFARE Classic 1K",
        0x0002 => "MIFARE Classic 4K",
        0x0003 => "MIFARE Ultralight",
        0x0004 => "SLE55R_XXXX",
        0x0006 => "SR176",
        0x0007 => "SRI X4K",
        0x0008 => "AT88RF020",
        0x0009 => "AT88SC0204CRF",
        0x000A => "AT88SC0808CRF",
        0x000B => "AT88SC1616CRF",
        0x000C => "AT88SC3216CRF",
        0x000D => "AT88SC6416CRF",
        0x000E => "SRF55V10P",
        0x000F => "SRF55V02P",
        0x0010 => "SRF55V10S",
        0x0011 => "SRF55V02S",
        0x0012 => "TAG_IT",
        0x0013 => "LRI512",
        0x0014 => "ICODE SLI",
        0x0015 => "TEMPSENS",
        0x0016 => "I.CODE1",
        0x0017 => "PicoPass 2K",
        0x0018 => "PicoPass 2KS",
        0x0019 => "PicoPass 16K",
        0x001A => "PicoPass 16Ks",
        0x001B => "PicoPass 16K (8x2)",
        0x001C => "PicoPass 16KS (8x2)",
        0x001D => "PicoPass 32KS (16+16)",
        0x001E => "PicoPass 32KS (16+8x2)",
        0x001F => "PicoPass 32KS (8x2+16)",
        0x0020 => "PicoPass 32KS (8x2+8x2)",
        0x0021 => "LRI64",
        0x0022 => "I.CODE UID",
        0x0023 => "I.CODE EPC",
        0x0024 => "LRI12",
        0x0025 => "LRI128",
        0x0026 => "MIFARE Mini",
        0x0027 => "my-d move (SLE 66R01P)",
        0x0028 => "my-d NFC (SLE 66RxxP)",
        0x0029 => "my-d proximity 2 (SLE 66RxxS)",
        0x002A => "my-d proximity enhanced (SLE 55RxxE)",
        0x002B => "my-d light (SRF 55V01P)",
        0x002C => "PJM Stack Tag (SRF 66V10ST)",
        0x002D => "PJM Item Tag (SRF 66V10IT)",
        0x002E => "PJM Light (SRF 66V01ST)",
        0x002F => "Jewel Tag",
        0x0030 => "Topaz NFC Tag",
        0x0031 => "AT88SC0104CRF",
        0x0032 => "AT88SC0404CRF",
        0x0033 => "AT88RF01C",
        0x0034 => "AT88RF04C",
        0x0035 => "i-Code SL2",
        0x0036 => "MIFARE Plus SL1 2K",
        0x0037 => "MIFARE Plus SL1 4K",
        0x0038 => "MIFARE Plus SL2 2K",
        0x0039 => "MIFARE Plus SL2 4K",
        0x003A => "MIFARE Ultralight C",
        0x003B => "FeliCa",
        0x003C => "Melexis Sensor Tag (MLX90129)",
        0x003D => "MIFARE Ultralight EV1",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atr(bytes: &[u8]) -> Atr<'_> {
        Atr::from_bytes(bytes).unwrap()
    }

    #[test]
    fn storage_cards() {
        let felica = [
            0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x11, 0x00, 0x3B, 0x00, 0x00, 0x00,
            0x00, 0x42,
        ];
        let c = ContactlessAtr::recognise(&atr(&felica)).unwrap();
        assert_eq!(c, ContactlessAtr::Storage { standard: 0x11, card_name: 0x003B, rfu: [0; 4] });
        assert_eq!(c.describe(), "contactless storage card: FeliCa (FeliCa)");
    }

    #[test]
    fn contact_atrs_are_not_contactless() {
        assert_eq!(ContactlessAtr::recognise(&atr(&[0x3B, 0x02, 0x14, 0x50])), None);
        // TD1 = 80, TD2 = 11 (TA3 present): not the pseudo-ATR shape
        assert_eq!(ContactlessAtr::recognise(&atr(&[0x3B, 0x90, 0x95, 0x80, 0x11, 0xFE, 0x6A])), None);
    }
}
