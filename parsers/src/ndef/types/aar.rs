//! Android Application Record: external type `android.com:pkg` whose payload is the package
//! name of the app that should handle the message (Android's `NdefRecord.createApplicationRecord`).

use crate::ndef::error::NdefError;
use crate::ndef::record::{NdefRecord, Tnf};

/// External type name of the AAR.
pub const AAR_TYPE: &[u8] = b"android.com:pkg";

/// A decoded AAR payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AndroidApplicationRecord<'a> {
    /// The package name, e.g. `com.example.app`.
    pub package: &'a str,
}

impl AndroidApplicationRecord<'_> {
    /// True when the package name is a Java package name: dot-separated identifiers of
    /// letters, digits and `_`, none starting with a digit.
    pub fn is_valid_package_name(&self) -> bool {
        !self.package.is_empty()
            && self.package.split('.').all(|seg| {
                seg.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
    }
}

/// Decodes an AAR payload (UTF-8 package name).
///
/// ```
/// use tapcert_parsers::ndef::parse_ndef_aar;
/// assert_eq!(parse_ndef_aar(b"com.example.app").unwrap().package, "com.example.app");
/// assert!(parse_ndef_aar(&[0xFF]).is_err());
/// ```
pub fn parse_ndef_aar(payload: &[u8]) -> Result<AndroidApplicationRecord<'_>, NdefError> {
    let package = std::str::from_utf8(payload)
        .map_err(|e| NdefError::Malformed { offset: e.valid_up_to(), expected: "a UTF-8 package name" })?;
    Ok(AndroidApplicationRecord { package })
}

impl NdefRecord<'static> {
    /// An Android Application Record for `package`.
    pub fn aar(package: &str) -> Self {
        NdefRecord::new(Tnf::EXTERNAL, AAR_TYPE.to_vec(), Vec::new(), package.as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert!(AndroidApplicationRecord { package: "com.example.app" }.is_valid_package_name());
        assert!(!AndroidApplicationRecord { package: "com..app" }.is_valid_package_name());
        assert!(!AndroidApplicationRecord { package: "com.1app" }.is_valid_package_name());
        assert!(!AndroidApplicationRecord { package: "" }.is_valid_package_name());
    }
}
