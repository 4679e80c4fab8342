//! The class byte CLA (ISO/IEC 7816-4 §5.4.1).
//!
//! ```text
//! 000x xxxx  first interindustry values
//!            b5 command chaining, b4-b3 secure messaging, b2-b1 logical channel 0-3
//! 001x xxxx  reserved for future use
//! 01xx xxxx  further interindustry values
//!            b6 secure messaging (no header authentication), b5 command chaining,
//!            b4-b1 logical channel 4-19 (channel number - 4)
//! 1xxx xxxx  proprietary (EMV and GlobalPlatform use 80/84 and follow the first-interindustry
//!            bit layout by convention); FF is invalid (it starts a PPS; PC/SC readers take
//!            CLA FF as their own pseudo-APDUs)
//! ```

use core::fmt;

/// The command chaining bit (b5), at the same place in every class that has one.
pub const CLA_CHAINING_BIT: u8 = 0x10;

/// The class byte. An open newtype: every value parses and round-trips.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cla(pub u8);

/// Secure messaging indication of a class byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecureMessaging {
    /// No SM or no indication.
    None,
    /// Proprietary SM format (first interindustry b4-b3 = 01).
    Proprietary,
    /// SM per ISO/IEC 7816-4 §10, command header not processed (authenticated).
    IsoHeaderNotAuthenticated,
    /// SM per ISO/IEC 7816-4 §10, command header authenticated (first interindustry b4-b3 = 11).
    IsoHeaderAuthenticated,
}

/// What a class byte says, per ISO/IEC 7816-4 §5.4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// `000x xxxx`: logical channels 0-3.
    FirstInterindustry {
        /// Logical channel 0-3.
        channel: u8,
        /// Secure messaging indication (b4-b3).
        secure_messaging: SecureMessaging,
        /// Command chaining (b5): not the last command of a chain.
        chaining: bool,
    },
    /// `01xx xxxx`: logical channels 4-19.
    FurtherInterindustry {
        /// Logical channel 4-19.
        channel: u8,
        /// Secure messaging indication (b6).
        secure_messaging: SecureMessaging,
        /// Command chaining (b5).
        chaining: bool,
    },
    /// `001x xxxx`: reserved for future use.
    Reserved,
    /// `1xxx xxxx` except FF: proprietary.
    Proprietary,
    /// `FF`: invalid as a class (PPS; PC/SC reader pseudo-APDUs).
    Invalid,
}

impl Cla {
    /// Decodes the class byte.
    ///
    /// ```
    /// use tapcert_parsers::apdu::{Cla, ClassKind, SecureMessaging};
    /// assert_eq!(
    ///     Cla(0x1C).kind(),
    ///     ClassKind::FirstInterindustry { channel: 0, secure_messaging: SecureMessaging::IsoHeaderAuthenticated, chaining: true }
    /// );
    /// assert_eq!(
    ///     Cla(0x41).kind(),
    ///     ClassKind::FurtherInterindustry { channel: 5, secure_messaging: SecureMessaging::None, chaining: false }
    /// );
    /// ```
    pub fn kind(self) -> ClassKind {
        let b = self.0;
        match b {
            0x00..=0x1F => ClassKind::FirstInterindustry {
                channel: b & 0x03,
                secure_messaging: match (b >> 2) & 0x03 {
                    0 => SecureMessaging::None,
                    1 => SecureMessaging::Proprietary,
                    2 => SecureMessaging::IsoHeaderNotAuthenticated,
                    _ => SecureMessaging::IsoHeaderAuthenticated,
                },
                chaining: b & CLA_CHAINING_BIT != 0,
            },
            0x20..=0x3F => ClassKind::Reserved,
            0x40..=0x7F => ClassKind::FurtherInterindustry {
                channel: (b & 0x0F) + 4,
                secure_messaging: if b & 0x20 != 0 {
                    SecureMessaging::IsoHeaderNotAuthenticated
                } else {
                    SecureMessaging::None
                },
                chaining: b & CLA_CHAINING_BIT != 0,
            },
            0xFF => ClassKind::Invalid,
            _ => ClassKind::Proprietary,
        }
    }

    /// True for the interindustry classes (first and further).
    pub fn is_interindustry(self) -> bool {
        matches!(self.kind(), ClassKind::FirstInterindustry { .. } | ClassKind::FurtherInterindustry { .. })
    }

    /// True when the class has a command chaining bit: both interindustry ranges, and the
    /// proprietary range by the EMV/GlobalPlatform/Java Card convention (`90` is `80` chained).
    pub fn supports_chaining(self) -> bool {
        !matches!(self.kind(), ClassKind::Reserved | ClassKind::Invalid)
    }

    /// True when b5, the chaining bit, is set (meaningful when [`Cla::supports_chaining`]).
    pub fn is_chaining(self) -> bool {
        self.supports_chaining() && self.0 & CLA_CHAINING_BIT != 0
    }

    /// The same class with the chaining bit set or cleared.
    pub fn with_chaining(self, chaining: bool) -> Cla {
        if chaining { Cla(self.0 | CLA_CHAINING_BIT) } else { Cla(self.0 & !CLA_CHAINING_BIT) }
    }

    /// The logical channel of an interindustry class.
    pub fn channel(self) -> Option<u8> {
        match self.kind() {
            ClassKind::FirstInterindustry { channel, .. } | ClassKind::FurtherInterindustry { channel, .. } => {
                Some(channel)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Cla {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}", self.0)
    }
}

impl fmt::Debug for Cla {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cla({:02X})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_interindustry_bits() {
        assert_eq!(
            Cla(0x0B).kind(),
            ClassKind::FirstInterindustry {
                channel: 3,
                secure_messaging: SecureMessaging::IsoHeaderNotAuthenticated,
                chaining: false
            }
        );
        assert_eq!(
            Cla(0x04).kind(),
            ClassKind::FirstInterindustry {
                channel: 0,
                secure_messaging: SecureMessaging::Proprietary,
                chaining: false
            }
        );
    }

    #[test]
    fn further_interindustry_channels_4_to_19() {
        assert_eq!(Cla(0x40).channel(), Some(4));
        assert_eq!(Cla(0x4F).channel(), Some(19));
        assert_eq!(
            Cla(0x7F).kind(),
            ClassKind::FurtherInterindustry {
                channel: 19,
                secure_messaging: SecureMessaging::IsoHeaderNotAuthenticated,
                chaining: true
            }
        );
    }

    #[test]
    fn other_ranges() {
        assert_eq!(Cla(0x20).kind(), ClassKind::Reserved);
        assert_eq!(Cla(0x80).kind(), ClassKind::Proprietary);
        assert_eq!(Cla(0xFF).kind(), ClassKind::Invalid);
        assert!(!Cla(0xFF).supports_chaining());
        assert!(Cla(0x90).is_chaining());
        assert_eq!(Cla(0x90).with_chaining(false), Cla(0x80));
        assert_eq!(Cla(0x80).channel(), None);
    }
}
