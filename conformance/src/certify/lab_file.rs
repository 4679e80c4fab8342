//! What the lab's TOML files (`--dut`, `--waivers`) have in common: one error type that names
//! the file, the line and the field.

use toml::Spanned;

/// Why a DUT profile or waivers file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabFileError {
    /// Not TOML of the format (the detail names line, column and key).
    #[error("{file}: {detail}")]
    Toml {
        /// The file.
        file: String,
        /// What the TOML reader said.
        detail: String,
    },
    /// Valid TOML with a value that breaks a rule of the format.
    #[error("{file}:{line}: {field}: {detail}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line of the value.
        line: usize,
        /// The field (`candidate_aids`, `waiver[2].expires`).
        field: String,
        /// The rule broken.
        detail: String,
    },
}

/// Parses `text` as `T`, naming `file` in the error.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, LabFileError> {
    toml::from_str(text).map_err(|e| LabFileError::Toml { file: file.into(), detail: e.to_string() })
}

/// An [`LabFileError::Invalid`] at the line of a spanned value.
pub(crate) fn invalid_at<T>(
    file: &str,
    text: &str,
    at: &Spanned<T>,
    field: impl Into<String>,
    detail: impl Into<String>,
) -> LabFileError {
    let line = text[..at.span().start.min(text.len())].matches('\n').count() + 1;
    LabFileError::Invalid { file: file.into(), line, field: field.into(), detail: detail.into() }
}
